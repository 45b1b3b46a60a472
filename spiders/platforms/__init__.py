"""Base spiders, one per platform (ATS API, board engine, page structure)."""
