"""The analysts' side: frozen view/trigger SQL (``sql_0003``), typed view handles, exports, the
HTML report and the read-only role.  See ``docs/analytics.md``."""
