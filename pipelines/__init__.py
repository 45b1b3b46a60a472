"""Item pipelines, one per file, enabled in ``settings.py`` in this order:
validate -> normalize -> dedupe -> store."""
