"""Job aggregation crawler: library code (items, normalizers, dedupe, db, middlewares, commands)."""
