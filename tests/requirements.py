"""System tools some tests need; a missing one fails the test with the install line (never a skip)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest


def require_tool(tool: str | Path, install: str) -> Path:
    """The tool's path (an absolute path or a name on PATH), or a test failure saying how to install it."""
    found = Path(tool) if Path(tool).is_absolute() and Path(tool).exists() else None
    if found is None and not Path(tool).is_absolute() and (which := shutil.which(str(tool))):
        found = Path(which)
    if found is None:
        pytest.fail(f"{tool} is required by this test: {install} (.ci/run installs it)", pytrace=False)
    return found
