"""Tests of the analysts' database: history, views, role, exports, report."""
