"""Every default and priority of portal-archive's crawl, in one place.

`scrapy crawl portal -a site=SITE` and `portal-archive crawl SITE` both start from
this module (scrapy.cfg points here); `-s NAME=VALUE` overrides any of it.
"""

import os
from importlib.metadata import PackageNotFoundError, version

try:
    _VERSION = version("portal-archive")
except PackageNotFoundError:  # running from a checkout that was never installed
    _VERSION = "0"

# Scrapy's cookie middleware asks tldextract whether a cookie's domain is a public
# suffix; left alone, tldextract downloads the Public Suffix List from the Internet on
# first use. An empty URL list (tldextract >= 5.4) makes it use the snapshot shipped in
# the package, so a crawl talks only to the sites it archives. Set here because
# tldextract reads it when Scrapy's cookie module is imported, after this module.
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

BOT_NAME = "portal-archive"
SPIDER_MODULES = ["portal_archive.crawler.spiders"]
NEWSPIDER_MODULE = "portal_archive.crawler.spiders"

# Politeness is part of correctness: say who we are, obey robots.txt, pace per host.
USER_AGENT = (
    f"portal-archive/{_VERSION} (+https://github.com/portal-archive/portal-archive; "
    "web archive of Vietnamese local government news)"
)
ROBOTSTXT_OBEY = True
# Protego, reading no more of a robots.txt than RFC 9309 requires (500 KiB): a huge one
# would cost hundreds of MB of rule objects (crawler/robots.py).
ROBOTSTXT_PARSER = "portal_archive.crawler.robots.BoundedRobotParser"
PORTAL_ROBOTSTXT_MAX_SIZE = 500 * 1024
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.25
# Never faster than the delay: Scrapy's default jitter (±50%) would wait 0.5-1.5 times
# it, so a portal asked for 1 s between requests would sometimes get two in half a second.
DOWNLOAD_DELAY_JITTER = 0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.25
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_TIMEOUT = 30
# A news page or photo is far below this; anything above is not what we came for and
# would sit in memory whole while being archived. Scrapy applies it to the decoded size
# too, so a gzip bomb stops inflating here (and costs about twice this in memory).
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024
DOWNLOAD_WARNSIZE = 16 * 1024 * 1024
# Only the web is fetched: with these handlers off, no request however built can read a
# local file (file:), hang on a silent FTP server (ftp:), reach S3 or decode a data: URL.
DOWNLOAD_HANDLERS = {"file": None, "ftp": None, "s3": None, "data": None}
# Only encodings every replay tool decodes (warcio and pywb do not decode zstd).
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "vi,en;q=0.5",
    "Accept-Encoding": "gzip, deflate",
}
RETRY_TIMES = 2
# What a callback yields (one article, a listing's links, a page's requisites) is handed
# to the engine by this many asyncio tasks per response, whatever the number yielded:
# Scrapy's 100 made ~155,000 tasks for 1,548 responses. The item pipeline is synchronous,
# so more of them never ran anything in parallel; 8 cut the crawl's CPU by about a fifth
# (bench/crawl_overhead.py --set CONCURRENT_ITEMS=N).
CONCURRENT_ITEMS = 8
# The spider's errback says each failure once, as one WARNING line; Retry's own
# "gave up" line would say it twice.
RETRY_GIVE_UP_LOG_LEVEL = "INFO"

# The frontier and duplicate filter stay Scrapy's own, chosen here, so that a
# distributed engine (e.g. scrapy-redis) can replace them by settings alone.
SCHEDULER = "scrapy.core.scheduler.Scheduler"
DUPEFILTER_CLASS = "scrapy.dupefilters.RFPDupeFilter"

# A nightly job wants no listening sockets.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
LOG_LEVEL = "INFO"

# --- portal-archive ---------------------------------------------------------
# Data folder (CONTRACT.md): warc/, index/, json/, catalog.sqlite, events.jsonl.
PORTAL_DATA_DIR = os.environ.get("PORTAL_ARCHIVE_DATA") or "portal-data"
# Shared storage (issue 12, archive/datadir.py): the archive is this folder and
# PORTAL_DATA_DIR only stages the WARCs being written; each closed one is moved here
# with its index segment (archive/ship.py), JSON is written here directly. "": none.
PORTAL_SHARED_STORAGE = os.environ.get("PORTAL_SHARED_STORAGE", "")
# The catalog (archive/catalogdb.py): a SQLAlchemy URL, sqlite:///PATH or a PostgreSQL
# server shared by workers on several machines; empty: <archive>/catalog.sqlite.
PORTAL_CATALOG_URL = os.environ.get("PORTAL_CATALOG_URL", "")
# This worker's id, in WARC names and leases (archive/workerid.py); "": <hostname>-<pid>.
PORTAL_WORKER_ID = os.environ.get("PORTAL_WORKER_ID", "")
# How long a crawl's lease on its site lasts in a server catalog (renewed every third).
PORTAL_LEASE_SECONDS = os.environ.get("PORTAL_LEASE_SECONDS") or "120"
# Site profile id, or "generic" with PORTAL_LISTING_URLS.
PORTAL_SITE = ""
PORTAL_LISTING_URLS: list[str] = []
# Where a profile's portal is served instead of its base_url (the demo portal's port,
# a portal that moved before its profile was updated).
PORTAL_BASE_URL = ""
# Page back through every listing page instead of stopping at the first known one.
PORTAL_BACKFILL = False
# Every crawl ends by itself (crawler/paging.py). Listing pages read per listing in one
# run: a nightly run needs the top pages only (stop-at-known ends it sooner), and a
# listing that links page n+1 from every page n (a spider trap, a calendar running to
# 2033) must still end. 0: no cap.
PORTAL_MAX_LISTING_PAGES = 200
# The cap for a backfill (--backfill, and the run after an unfinished one, which must
# reach the bottom): far beyond a real portal's listing (10,000 pages of 10-20 articles).
PORTAL_BACKFILL_MAX_LISTING_PAGES = 10_000
# Paging stops after this many listing pages in a row with no new article (none seen on
# that listing earlier in the run nor, unless backfilling, archived): a listing that
# repeats its items forever, or a calendar of empty days. 0: no limit.
PORTAL_MAX_EMPTY_LISTING_PAGES = 5
# Fetch images and stylesheets of archived pages so that replay looks like the original.
PORTAL_REQUISITES = True
# Articles are stored in batches (crawler/pipelines.py): their files made durable by one
# sync of the file system, then recorded with their events in one catalog transaction.
# One fsync and one commit per article cost about a tenth of the crawl. A batch waits
# at most this many seconds, so a kill loses (and the next crawl redoes) little.
PORTAL_STORE_BATCH_SIZE = 100
PORTAL_STORE_BATCH_SECONDS = 1.0
# Captures are added to the catalog this many at a time, or with the next article
# batch (archive/catalog.py queue_capture): a commit costs four times the insert.
PORTAL_CATALOG_BATCH_SIZE = 100
# Identifies this crawl in the catalog and in change events; set by the CLI.
PORTAL_RUN_ID = ""

# Where capture times (WARC-Date, captured_at) are read: a dotted path to a function
# returning an aware datetime. Tests inject one, so that two crawls are seconds apart
# without the test waiting for them.
PORTAL_CAPTURE_CLOCK = "portal_archive.archive.stamps.utc_now"

WARC_ENABLED = True
# Roll over to a new WARC file past this many bytes (1 GB is the WARC convention).
WARC_MAX_SIZE = 1_000_000_000
WARC_GZIP = True
# zlib level of each record's gzip member (1-9). warcio's own is 9; on the real pages
# (123 KiB on average) 6 costs 2.4 ms a page against 9's 3.4 for files 0.3% larger,
# and 1 costs 1.5 ms for files 8.6% larger (bench/crawl_overhead.py --set WARC_GZIP_LEVEL=N).
WARC_GZIP_LEVEL = 6
# A closed file's index lines from what its writer knew (archive/cdxjline.py), not from
# cdxj-indexer reading the file again; False is the old way, kept to measure the lever
# (bench/crawl_overhead.py --set WARC_INDEX_FROM_WRITER=False).
WARC_INDEX_FROM_WRITER = True

# Above RedirectMiddleware (600) and HttpCompressionMiddleware (590), process_response
# sees the bytes as they came off the wire, before redirects are followed or bodies decoded.
# Ask "changed since the last capture?" with If-None-Match/If-Modified-Since; a 304 is
# archived as a revisit and the archived page handed to the spider.
CONDITIONAL_REQUESTS_ENABLED = True
# Images and stylesheets already in the archive are not fetched again: portals upload
# them under new names rather than change them, and each refetch costs a revisit pair.
PORTAL_REFRESH_REQUISITES = False
# A listing page lists tens of articles; one with more is a trap or a sitemap, and each
# link is a queued Request in memory. Links past these are dropped with one log line.
PORTAL_MAX_LINKS_PER_PAGE = 1000
PORTAL_MAX_REQUISITES_PER_PAGE = 300
# Pages are read (parsed) up to this many characters and archived whole: a parse tree
# takes about 12 times the page's size in memory, and a news page is well under 1 MB.
PORTAL_MAX_PARSE_SIZE = 4 * 1024 * 1024
# Requisites may come from other hosts (CDNs), but a public site's page may not make the
# crawler fetch from loopback, private or link-local addresses; a site on such a host
# (the demo, tests, an intranet portal) may. True lets every site do so.
PORTAL_ALLOW_PRIVATE_HOSTS = False
# Scrapy's caching resolver, refusing names that resolve to such addresses (the
# WebOnlyMiddleware refuses literal ones and arms it for public sites).
TWISTED_DNS_RESOLVER = "portal_archive.crawler.resolver.PublicOnlyResolver"

DOWNLOADER_MIDDLEWARES = {
    # Below offsite (50) and robots.txt (100): a refused URL is never asked anything.
    "portal_archive.crawler.middlewares.webonly.WebOnlyMiddleware": 40,
    # Scrapy's own, but a redirect it refuses is said at WARNING, not DEBUG.
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "portal_archive.crawler.skips.OffsiteRedirectWarning": 50,
    # Below the WARC middleware: it sees a 304 only after the 304 is archived.
    "portal_archive.crawler.middlewares.notmodified.NotModifiedMiddleware": 940,
    "portal_archive.crawler.middlewares.warc.WarcCaptureMiddleware": 950,
}

ITEM_PIPELINES = {
    "portal_archive.crawler.pipelines.ArticleVersionPipeline": 300,
}

EXTENSIONS = {
    # The catalog connection, run row and site lock; it orders the end of the run
    # itself (crawler/session.py), so the order of these lines does not matter.
    "portal_archive.crawler.session.CrawlSession": 0,
    "portal_archive.crawler.watchdog.Watchdog": 150,
    # The delay counted from each response's arrival, one request per host at a time.
    "portal_archive.crawler.politeness.DelayAfterResponse": 160,
    "portal_archive.crawler.monitor.ChangeMonitor": 200,
    "portal_archive.crawler.alerts.AppriseAlerts": 300,
    "portal_archive.crawler.extensions.TerminalProgress": 500,
    "portal_archive.crawler.skips.RedirectLoopLog": 600,
}

SPIDER_MIDDLEWARES = {
    # Scrapy's own, but a URL dropped for its length is said at WARNING, not INFO.
    "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": None,
    "portal_archive.crawler.skips.UrlLengthWarning": 800,
}

# Every crawl ends (crawler/watchdog.py): one that receives no response for this many
# seconds is closed as `stalled` (a request that hangs alone gives up at DOWNLOAD_TIMEOUT
# and its retries; ten minutes of silence means nothing is coming back).
WATCHDOG_ENABLED = True
WATCHDOG_STALL_TIMEOUT = 600.0
# Scrapy's deadline, closing a crawl still running after it as `timeout`: a nightly crawl
# must end before the next night's. A long first backfill may lift it (0: none).
CLOSESPIDER_TIMEOUT = 6 * 3600.0

# Many sites per crawl process (crawler/pool.py): at most this many sites crawl at once in
# one process, each its own Scrapy crawler (engine, per-host slots, robots, WARC series),
# the next starting as one ends. A crawl process costs ~150 MB, an open crawler of a small
# portal under 1 MB more (300 portals in 2 processes: 341 MB at 24 per process, 426 MB at
# 75, 484 MB at 150), a big page a few MB while parsed: 100 keep a process well under 1 GB.
PORTAL_SITES_PER_PROCESS = 100
# Crawl processes a job's sites are dealt among (`schedule run`, `schedule run-now`,
# `crawl SITE SITE ...`); 0: one per CPU core.
PORTAL_CRAWL_PROCESSES = 0

# Change events: new, edited, cosmetic, removed, site-down, site-moved, crawl-incomplete.
CHANGES_ENABLED = True
# A site is reported down once, on the Nth consecutive run that could read no listing.
SITE_DOWN_AFTER_RUNS = 2
# Where `portal-archive replay` serves, for links in alerts and feeds.
PORTAL_REPLAY_URL = "http://127.0.0.1:8080"
FEED_SIZE = 100

# Apprise URLs (`crawl --notify URL`); AppriseAlerts is off without any.
PORTAL_NOTIFY: list[str] = []
# Cosmetic edits are recorded, not alerted, unless added here.
ALERT_TYPES = ["new", "edited", "removed", "site-down", "site-moved", "crawl-incomplete"]
ALERT_RETRIES = 2
ALERT_RETRY_DELAY = 1.0
# TerminalProgress draws on stderr only when stderr is a terminal.
PROGRESS_ENABLED = True
PROGRESS_INTERVAL = 1.0

# Distributed crawls (README: Distributed). Where a crawl's events leave from: "crawl",
# its own events.jsonl line, feed and apprise alerts, as on one machine; "dispatcher",
# the catalog row only, which the scheduler delivers once (`portal-archive worker` sets it).
PORTAL_EVENT_DELIVERY = os.environ.get("PORTAL_EVENT_DELIVERY") or "crawl"
# How often `schedule run --queue` delivers the workers' events (seconds).
PORTAL_DELIVERY_SECONDS = float(os.environ.get("PORTAL_DELIVERY_SECONDS") or 10)
# Seconds without a heartbeat before a worker's jobs are retried by another worker.
PORTAL_WORKER_STALLED_AFTER = float(os.environ.get("PORTAL_WORKER_STALLED_AFTER") or 60)
