"""Downloader middlewares of the project, one per module.

- :mod:`crawler.middlewares.blocks` — block detection (429/999/403, authwall/login
  redirects, block pages, spider-detected empty pages), ``Retry-After`` and
  exponential back-off per download slot, clean stop with close reason ``"blocked"``.
"""
