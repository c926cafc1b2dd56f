"""Scrapy settings: only what differs from Scrapy's defaults, each with why."""

BOT_NAME = "congdoanbackan_archiver"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

# Politeness toward a small provincial server.
ARCHIVER_CONTACT = "https://github.com/congdoanbackan-archiver (research web archive)"
USER_AGENT = f"CongdoanBacKanArchiver/0.1 (+{ARCHIVER_CONTACT})"
ROBOTSTXT_OBEY = True
DOWNLOAD_DELAY = 1.0  # at least 1 s between requests to the site
DOWNLOAD_DELAY_JITTER = 0  # Scrapy's default (0.5) would wait 0.5-1.5 s
CONCURRENT_REQUESTS_PER_DOMAIN = 1  # one request at a time per host
# Scrapy starts this many workers (asyncio tasks) for the output of every
# response; its default of 100 cost ~7% of a crawl's time at scale. Our
# pipelines write synchronously, so more than a few buys nothing.
CONCURRENT_ITEMS = 4
AUTOTHROTTLE_ENABLED = True  # slows further if the server slows down
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 60
TELNETCONSOLE_ENABLED = False  # never open a control port
# Scrapy 2.19's remote control listens on a loopback port and writes a job
# file under ~/.local/state: a run opens no port and writes only beside its
# archive unless asked (-s REMOTE_CONTROL_ENABLED=1).
REMOTE_CONTROL_ENABLED = False

# Transient failures are retried; what still fails is recorded by the spider.
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]

# A 429/503's Retry-After is waited out before the retry, up to this many seconds.
RETRY_AFTER_MAX = 60.0
RETRY_AFTER_HTTP_CODES = [429, 503]

DOWNLOADER_MIDDLEWARES = {
    # Wait what Retry-After asks; must come before RetryMiddleware (550).
    "scraper.middlewares.RetryAfterMiddleware": 560,
    # A body cancelled at DOWNLOAD_MAXSIZE is recorded, not dropped (and not retried).
    "scraper.middlewares.SizeCapMiddleware": 570,
    # File requests stop once the run's ARCHIVER_MEDIA_BUDGET is spent (recorded, fetched next run).
    "scraper.media_fetch.MediaBudgetMiddleware": 580,
    # Same decompression, but a gzip bomb stopped at DOWNLOAD_MAXSIZE is recorded.
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "scraper.middlewares.CappedHttpCompressionMiddleware": 590,
    # Off-site redirects, loops and long chains refused and recorded (before RedirectMiddleware, 600).
    "scraper.middlewares.RedirectGuardMiddleware": 610,
    # Next to the downloader: every response goes to WARC exactly as received.
    "scraper.capture.WarcCaptureMiddleware": 950,
}
# WARC files go beside the archive (data/warc/ by default); WARC_DIR overrides.
WARC_ENABLED = True

# Keep every page in view: the spider records failures itself.
HTTPERROR_ALLOW_ALL = False
REDIRECT_MAX_TIMES = 10
# <meta http-equiv="refresh" content="1800"> is on every page of the CMS:
# it is a reload timer, not a redirect.
METAREFRESH_ENABLED = False
# Size caps (downloaded, and decompressed): a bigger page is skipped and recorded.
# Parsing a text-heavy page costs ~23 bytes of RSS per byte (5.5 MB -> +127 MB),
# so 6 MB keeps a crawl under 300 MB; the site's pages are ~100 KB.
DOWNLOAD_MAXSIZE = 6 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
# Markup cap ('<' count): see scraper.policy.MAX_MARKUP for the arithmetic.
ARCHIVER_MAX_MARKUP = 100_000

ITEM_PIPELINES = {
    "pipelines.archive.ArchivePipeline": 300,
    "pipelines.media.MediaPipeline": 310,  # files of articles (scraper/media_fetch.py)
}
# The run's lock, crawl_runs row and verdict (scraper/run.py).
EXTENSIONS = {
    "scraper.run.RunLifecycle": 0,
}
ARCHIVE_DB = "data/archive.db"

# A finished run judges itself; over any of these it exits non-zero and says why.
ARCHIVER_MAX_FAILURES = 50  # failures recorded in one run
ARCHIVER_MIN_COVERAGE = 0.95  # share of articles with title, published_at and body
ARCHIVER_MAX_UNPARSED_SHARE = 0.05  # pages claiming to be articles that gave none
ARCHIVER_MAX_BARREN_CHAIN = 3  # pages in a row bringing nothing new before a chain ends
ARCHIVER_RETRY_FAILED_RUNS = 5  # runs in which a failed URL is tried again before giving up

# The wayback import (spiders/wayback.py, scraper/sources/): a 429/503 without
# Retry-After pauses the whole import this long, doubling per refusal in a row
# up to the maximum; the CDX listing is read this many rows per request.
ARCHIVER_BACKOFF_START = 60.0
ARCHIVER_BACKOFF_MAX = 900.0
ARCHIVER_CDX_PAGE_SIZE = 5000
# Files of articles (body photos, attachments): fetched once per URL, into the
# WARC, judged by their bytes (scraper/media.py). --no-media turns this off.
ARCHIVER_MEDIA = True
# Per-file cap. Files stream to disk (scraper/media_spool.py), so memory does
# not bound it; time does: 20 MB is what a small provincial server giving
# ~350 KB/s sends within DOWNLOAD_TIMEOUT (60 s). It covers the site's photos
# (CMS-resized, well under 1 MB) and scanned PDFs of decisions and plans (a
# few MB); a bigger file (a video, a whole scanned dossier) is recorded as
# too_large, not held.
ARCHIVER_MEDIA_MAX_BYTES = 20 * 1024 * 1024
# Per-run byte budget for files: 2 GiB is about twice a first crawl of a
# site of 2,000 articles with 1-2 photos of ~300 KB each; files past it are
# recorded as over_budget and fetched by the next run. 0 means no budget.
ARCHIVER_MEDIA_BUDGET = 2 * 1024**3
# Every archived page is re-checked (conditional request) at least once in
# this many days, a share of the archive each night; 0 turns the schedule off.
ARCHIVER_RECHECK_DAYS = 7.0
# A run in which more than this share of its re-checks (at least 10) answer
# "gone" is judged failed: the site has moved, not removed its articles.
ARCHIVER_MAX_REMOVED_SHARE = 0.5
# Read robots.txt's sitemaps (or /sitemap.xml) and the feeds the home page
# announces, as extra sources of URLs; a missing one is not a failure.
ARCHIVER_DISCOVERY = True
# Pages are read (parsed, fields extracted) in this many worker processes
# beside the crawl's own (scraper/reader.py); 0 reads them in the crawl's
# process. A one-core machine never starts one.
ARCHIVER_READ_WORKERS = 1

LOG_LEVEL = "INFO"
LOGSTATS_INTERVAL = 30.0
FEED_EXPORT_ENCODING = "utf-8"
