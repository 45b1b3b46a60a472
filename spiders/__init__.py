"""One spider per source; platform base classes live in ``spiders/platforms``."""
