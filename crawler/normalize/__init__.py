"""Pure normalization functions (no I/O besides reading ``crawler/data/skills.txt`` once).

Entry point: :func:`crawler.normalize.posting.normalize_posting`.  Field modules:
``text`` (HTML/markdown cleanup, sanitizing, boilerplate), ``origin``, ``salary``,
``location`` (+ ``geo`` vocabularies), ``workplace`` (+ remote regions), ``seniority``,
``employment``, ``experience``, ``language``, ``skills``, ``dates``.  ``_scan`` holds the
regex speed-ups they share.
"""
