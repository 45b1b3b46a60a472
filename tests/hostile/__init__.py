"""Hostile input: the corpus (``corpus.py``), the harness that runs it (``harness.py``) and the tests."""
