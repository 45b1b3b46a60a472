"""Scrapy settings for the job crawler.

Every setting documented in the README can also come from the environment
(``DATABASE_URL``, ``GREENHOUSE_BASE_URL``, ...) or from ``-s NAME=value``.
"""

from __future__ import annotations

import os

BOT_NAME = "jobcrawler"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"
COMMANDS_MODULE = "crawler.commands"

REMOTE_CONTROL_ENABLED = False
TELNETCONSOLE_ENABLED = False

USER_AGENT = os.environ.get(
    "USER_AGENT",
    "jobcrawler/0.1 (+https://github.com/jobcrawler/jobcrawler; job aggregation research)",
)
ROBOTSTXT_OBEY = False  # APIs; website spiders set ROBOTSTXT_OBEY = True in custom_settings

# Politeness defaults (sources override in custom_settings)
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.25
DOWNLOAD_DELAY_JITTER = 0.5  # each delay is DOWNLOAD_DELAY x U(0.5, 1.5)
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.25
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]

FEED_EXPORT_ENCODING = "utf-8"
LOG_FORMATTER = "crawler.logformatter.JobLogFormatter"
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")

# --- storage -------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite:///jobs.db")
#: migrate an SQLite database automatically on first use (PostgreSQL: run `scrapy migrate`)
DB_AUTO_MIGRATE_SQLITE = True
#: set False to crawl without any database (e.g. only `-O out.jsonl`)
STORE_ENABLED = os.environ.get("STORE_ENABLED", "1") not in ("0", "false", "False")
STORE_BATCH_SIZE = int(os.environ.get("STORE_BATCH_SIZE", "1000"))
STORE_FLUSH_INTERVAL = float(os.environ.get("STORE_FLUSH_INTERVAL", "5"))  # seconds
#: writer threads (one database connection each) working on batches at once
STORE_WRITERS = int(os.environ.get("STORE_WRITERS", "2"))
#: where items go when the database cannot be written; replayed on the next run
STORE_SPOOL_DIR = os.environ.get("STORE_SPOOL_DIR", ".spool")

ITEM_PIPELINES = {
    "pipelines.validate.ValidatePipeline": 100,
    "pipelines.normalize.NormalizePipeline": 200,
    "pipelines.dedupe.DedupePipeline": 300,
    "pipelines.store.StorePipeline": 400,
}

EXTENSIONS = {
    "crawler.runs.CrawlRunRecorder": 500,
    "crawler.deadletter.DeadLetter": 510,
    "crawler.jobdir_guard.JobDirGuard": 0,  # only with -s JOBDIR=...
}
#: items whose processing raised go here (replay: `scrapy crawl deadletter`)
DEAD_LETTER_DIR = os.environ.get("DEAD_LETTER_DIR", ".deadletter")

# --- validation ----------------------------------------------------------------
#: salaries outside [min, max] (per year, in any currency) are dropped from the item
SALARY_MAX_ABSURD = 1e9

# --- base URLs (point spiders at another host: tests, demo, mirrors) --------------
# any <SPIDER>_BASE_URL environment variable (GREENHOUSE_BASE_URL, LINKEDIN_BASE_URL, ...)
for _name, _value in os.environ.items():
    if _name.endswith("_BASE_URL") and _name.replace("_", "").isalnum() and _value:
        globals()[_name] = _value

# --- LinkedIn (spiders/linkedin.py) --------------------------------------------------
LINKEDIN_DOWNLOAD_DELAY = float(os.environ.get("LINKEDIN_DOWNLOAD_DELAY", "3"))  # seconds, +-50% jitter
LINKEDIN_STATE_DIR = os.environ.get("LINKEDIN_STATE_DIR", ".state")  # resume files; "" disables
LINKEDIN_INCREMENTAL_MARGIN = 3600  # seconds added to the incremental f_TPR window
LINKEDIN_EMPTY_PAGE_RETRIES = 1  # retries of an ambiguous empty page before accepting the end
LINKEDIN_PAGE_SIZE = 10  # a page with this many cards counts as full

# --- block handling (crawler/middlewares/blocks.py; enabled per spider in custom_settings) ---
BLOCK_MAX_RETRIES = 5
BLOCK_BACKOFF_BASE = 10.0
BLOCK_BACKOFF_MAX = 600.0

# --- browser rendering (scrapy-playwright, only for requests that ask for it) ---------
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_LAUNCH_OPTIONS = {
    "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
    "headless": True,
    "args": ["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--disable-dev-shm-usage"],
}
