"""Scrapy settings for the job crawler.

Every setting documented in the README can also come from the environment
(``DATABASE_URL``, ``GREENHOUSE_BASE_URL``, ...) or from ``-s NAME=value``.
"""

from __future__ import annotations

import os

from scrapy.settings import default_settings as _default_settings

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

# Scrapy's redirect middlewares, replaced in the base list so spiders' own DOWNLOADER_MIDDLEWARES keep them:
# a redirect or meta refresh to "javascript:..." no longer loses the page (crawler/middlewares/redirect.py)
DOWNLOADER_MIDDLEWARES_BASE = {
    **_default_settings.DOWNLOADER_MIDDLEWARES_BASE,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "crawler.middlewares.metarefresh.SafeMetaRefreshMiddleware": 580,
    "crawler.middlewares.redirect.SafeRedirectMiddleware": 600,
}

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
#: cross-source near-duplicate matching (description MinHash/LSH, canonical URLs, company+title);
#: False for a database of one source (origin links still join reposts)
DEDUPE_NEAR_DUPLICATES = os.environ.get("DEDUPE_NEAR_DUPLICATES", "1") not in ("0", "false", "False")
#: PostgreSQL: link postings into jobs in the store's own transaction (slower writes, never a
#: posting without a job) instead of the link stage (pipelines/link.py).  SQLite always does.
STORE_LINK_INLINE = os.environ.get("STORE_LINK_INLINE", "0") in ("1", "true", "True")
#: the link stage (pipelines/link.py): postings linked per transaction, and how often it runs
#: during a crawl (it always runs once more after the last posting is stored)
LINK_ENABLED = os.environ.get("LINK_ENABLED", "1") not in ("0", "false", "False")
LINK_BATCH_SIZE = int(os.environ.get("LINK_BATCH_SIZE", "250"))
LINK_INTERVAL = float(os.environ.get("LINK_INTERVAL", "10"))  # seconds
#: where items go when the database cannot be written; replayed on the next run
STORE_SPOOL_DIR = os.environ.get("STORE_SPOOL_DIR", ".spool")

#: items of one response processed at once (Scrapy's default 100 starts 100 asyncio tasks per
#: response; a spider yields a handful per page): ~8-10 % less CPU per page in bench.crawl
CONCURRENT_ITEMS = 16

# --- normalization -------------------------------------------------------------------
#: worker processes normalizing postings ("auto": 1 when the machine has 2+ cores, else 0 = in place)
NORMALIZE_WORKERS = os.environ.get("NORMALIZE_WORKERS", "auto")
#: postings normalized in place before the workers start (small crawls never start a process)
NORMALIZE_POOL_AFTER = 200
#: postings per batch sent to a worker
NORMALIZE_BATCH = 16

ITEM_PIPELINES = {
    "pipelines.validate.ValidatePipeline": 100,
    "pipelines.normalize.NormalizePipeline": 200,
    "pipelines.dedupe.DedupePipeline": 300,
    "pipelines.store.StorePipeline": 400,
    "pipelines.link.LinkPipeline": 500,
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

# --- proxies (crawler/middlewares/proxies.py, crawler/proxies.py; README "Proxies") ------------------
# Off unless a spider's custom_settings or `-s PROXY_ENABLED=1` turns it on; the add-on then checks the
# configuration before the first request and installs ProxyMiddleware (570) for that crawl.
ADDONS = {**globals().get("ADDONS", {}), "crawler.proxies.ProxyAddon": 0}
PROXY_ENABLED = False
PROXIES = os.environ.get("PROXIES", "")  # http://[user:pass@]host:port, comma/space separated
PROXY_FILE = os.environ.get("PROXY_FILE", "")  # one URL per line, '#' comments
PROXY_STICKY = False  # False | "meta" (meta["proxy_session"]) | True/"referer" (+ the referring page's exit)
PROXY_MAX_RETRIES = 5  # moves to another exit per request before the spider-wide back-off applies
PROXY_BACKOFF_BASE = 30.0  # seconds an exit cools down after its first ban; doubles per ban in a row
PROXY_BACKOFF_MAX = 1800.0
PROXY_MAX_WAIT = 300.0  # every exit cooling down: wait this long at most for one, then stop as blocked

# --- operations (crawler/commands/crawl.py + crawlall.py, crawler/extensions/, crawler/locks.py, -------
# crawler/redis_scheduler.py; README "Scheduled runs" and "Scaling out") ---------------------------------
EXTENSIONS.update(
    {
        # before CrawlRunRecorder (500): its checks decide the run's status and exit code
        "crawler.extensions.monitor.RunMonitor": 490,
        "crawler.extensions.progress.Progress": 520,
    }
)
#: one run per source at a time: PostgreSQL advisory lock, else a file lock (next to the SQLite file,
#: or in SOURCE_LOCK_DIR when set); a second run exits at once with code 8
SOURCE_LOCK_ENABLED = os.environ.get("SOURCE_LOCK_ENABLED", "1") not in ("0", "false", "False")
SOURCE_LOCK_DIR = os.environ.get("SOURCE_LOCK_DIR", "")
#: checks at close (crawler/extensions/monitor.py); per source in spiders/data/schedule.toml or -s
MIN_ITEMS = 0  # fewer postings stored -> status too_few_items, exit 6
ERROR_RATE_MAX = 0.5  # share of failed request attempts (network errors, 5xx, 429) -> high_error_rate, exit 5
ERROR_RATE_MIN_REQUESTS = 20  # below this many attempts only "every attempt failed" counts
COVERAGE_FIELDS = ["title", "company", "location", "salary", "description", "posted_at"]
COVERAGE_HISTORY = 5  # compare with the median of this many recent finished runs of the spider
COVERAGE_MIN_HISTORY = 3  # ... when at least this many exist
COVERAGE_MIN_ITEMS = 20  # runs with fewer postings are neither judged nor used as a baseline
COVERAGE_DROP_THRESHOLD = 0.2  # a share lower by more than this -> status degraded, exit 7
#: progress line in the log every N seconds (0 disables)
PROGRESS_INTERVAL = float(os.environ.get("PROGRESS_INTERVAL", "60"))
#: `scrapy crawlall`: spiders, tags, arguments, minimums ("" = spiders/data/schedule.toml)
CRAWLALL_SCHEDULE = os.environ.get("CRAWLALL_SCHEDULE", "")
#: `scrapy crawl -s CRAWL_SUMMARY_FILE=out.json`: the run's outcome as JSON (crawlall uses it)
CRAWL_SUMMARY_FILE = ""
#: scale-out: "redis" shares one frontier (queue + dupefilter) among every worker of a spider
SCHEDULER_BACKEND = os.environ.get("SCHEDULER_BACKEND", "memory")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")  # password masked in logs
REDIS_KEY_PREFIX = os.environ.get("REDIS_KEY_PREFIX", "jobcrawler")  # keys: <prefix>:<spider>:...
FRONTIER_IDLE_CLOSE = 2.0  # seconds every worker must be idle on an empty frontier before all close
FRONTIER_POLL_INTERVAL = 0.5  # an idle worker looks at the frontier this often
FRONTIER_HEARTBEAT = 2.0
FRONTIER_WORKER_TTL = 30  # a worker not heard from for this long counts as gone
ADDONS = {**globals().get("ADDONS", {}), "crawler.redis_scheduler.RedisFrontierAddon": 10}

# --- analytics (crawler/history.py, crawler/analytics/, docs/analytics.md) ------------------------------
# ListingCloser: after a clean run whose spider declared its listing complete (stats listing/complete,
# listing/scope), postings it no longer shows get closed_at; expired valid_through closes at every run.
# 495: after RunMonitor's checks (490), before CrawlRunRecorder (500) so its stats reach crawl_runs.
EXTENSIONS = {**EXTENSIONS, "crawler.history.ListingCloser": 495}
HISTORY_ENABLED = True
HISTORY_CLOSE_MAX_SHARE = 0.5  # refuse to close more than this share of the open postings in scope at once
HISTORY_CLOSE_GUARD_MIN = 20  # ... when the scope has at least this many open postings

# --- security (crawler/middlewares/ssrf.py; README "Security and hostile input") ----------------------------
# SSRF guard: no request (links from crawled content, redirects, robots.txt) goes to a loopback, private,
# link-local/metadata, multicast or reserved address, or uses a scheme other than http/https. Checked after
# DNS resolution; the spider's base URL and its start URLs are allowed (the operator chose them).
# Installed by an add-on (priority 50 in DOWNLOADER_MIDDLEWARES), because a spider's custom_settings
# DOWNLOADER_MIDDLEWARES (LinkedIn's) replaces the project's dictionary instead of merging with it.
ADDONS = {**globals().get("ADDONS", {}), "crawler.middlewares.ssrf.SsrfGuardAddon": 0}
SSRF_GUARD_ENABLED = True
#: extra hosts never blocked: "host", "host:port", "*.domain", "10.20.0.0/16" (list or comma-separated)
SSRF_ALLOWED_HOSTS: list[str] = [
    h.strip() for h in os.environ.get("SSRF_ALLOWED_HOSTS", "").split(",") if h.strip()
]
SSRF_ALLOW_BASE_URL = True  # the spider's configured base URL (-a base_url=, <SPIDER>_BASE_URL, default)
SSRF_ALLOW_START_URLS = True  # hosts of the spider's start requests (e.g. jsonld -a urls=...)
