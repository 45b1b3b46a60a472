"""A pipeline that fails on purpose (tests only): raises for postings whose title contains FAIL_TITLE."""

from __future__ import annotations

import os
from typing import Any


class FaultyPipeline:
    def process_item(self, item: Any) -> Any:
        if os.environ.get("FAIL_TITLE", "\x00") in (item.title or ""):
            raise RuntimeError(f"injected failure for {item.source_id}")
        return item
