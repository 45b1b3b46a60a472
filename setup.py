"""Only for ``scrapyd-deploy`` (it runs ``setup.py bdist_egg``); the configuration is in pyproject.toml."""

from setuptools import setup

setup()
