"""The crawl's session: its catalog, its run row and its site lock (or, with a server
catalog, its lease: crawler/lease.py).

The lock and run row are the crawl's *series* (crawler/sites.py series_of): the profile
id, or one per host for ad-hoc listings; articles and events keep the profile id.

Opened when Scrapy builds its extensions (before any middleware, pipeline or signal
handler needs the catalog) and closed at ``engine_stopped``, which Scrapy sends after
every ``spider_closed`` handler has run: what is recorded never depends on the order in
which handlers were connected. Components reach it with ``session_of(crawler)``.

At ``engine_stopped`` the session runs the end of the run in a fixed order: the
``run_ending`` signal (end-of-run change detection, crawler/monitor.py), then
``run_events_complete`` (alerts), then the run row with the final stats, which by then
hold every figure of the run.
"""

from __future__ import annotations

import logging

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from portal_archive.archive.catalog import Catalog, CatalogError, open_catalog, uses_server
from portal_archive.archive.datadir import DataDir
from portal_archive.archive.errors import PortalArchiveError
from portal_archive.archive.lock import acquire, holds, release
from portal_archive.archive.stamps import utc_iso
from portal_archive.archive.workerid import worker_id
from portal_archive.crawler.eventlog import EventLog
from portal_archive.crawler.fatal import stop_crawl
from portal_archive.crawler.lease import LeaseHeld, SeriesLease, lease_seconds
from portal_archive.crawler.outcome import note_signals, run_status
from portal_archive.crawler.signals import run_ending, run_events_complete
from portal_archive.crawler.storage import crawl_data

logger = logging.getLogger(__name__)


class CrawlSession:
    def __init__(self, crawler: Crawler) -> None:
        spider = crawler.spider
        if spider is None:
            # Extensions built without a crawl (scrapy.utils.test.get_crawler): nothing
            # to own. A crawl builds them after its spider.
            raise NotConfigured
        self.crawler = crawler
        self.site: str = getattr(spider, "site_id", spider.name)  # articles, events, feed
        # The lock, run rows, WARC series and listing history: per host for a generic crawl.
        self.series: str = getattr(spider, "series", self.site)
        self.run_id: str = getattr(spider, "run_id", "")
        self.data = crawl_data(crawler.settings)
        self.lock_error = ""
        self.owns_lock = False
        self.lease: SeriesLease | None = None
        url = crawler.settings.get("PORTAL_CATALOG_URL") or None
        if uses_server(url):
            # Shared across machines: the lease, not this machine's lock, is the guard.
            self.catalog = _open_catalog(self.data, self.series, url)
            self._take_lease()
        else:
            self._take_lock()
            try:
                self.catalog = _open_catalog(self.data, self.series, url)
            except BaseException:
                self._release_lock()
                raise
        try:
            self.events = EventLog(crawler, self.catalog, self.data)
            # The site's recorded moves: an article read on a host the portal moved to
            # is keyed with the host its history began on (archive/keys.py).
            self.moves = self.catalog.host_moves(self.site)
        except BaseException:
            self._give_back()
            raise
        self.reason = "finished"
        self.spider_closed_seen = self.closed = False

    def key_of(self, url: str) -> str:
        """The article key of ``url``: its host's, or its old host's after a recorded move."""
        return self.moves.key(url)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlSession:
        session = cls(crawler)
        crawler.signals.connect(session.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(session.engine_started, signal=signals.engine_started)
        crawler.signals.connect(session.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(session.engine_stopped, signal=signals.engine_stopped)
        return session

    @property
    def locked(self) -> bool:
        """Whether this process holds the site's lock: taken here or by the CLI."""
        return not self.lock_error

    def _take_lock(self) -> None:
        # `portal-archive crawl` took it before Scrapy started (a clear one-line error);
        # `scrapy crawl` has no such step, so the session takes it: once either way.
        if holds(self.data.root, self.series):
            return
        try:
            acquire(self.data.root, self.series)
        except PortalArchiveError as exc:
            self.lock_error = str(exc)  # said at spider_opened, when the crawl can stop
            return
        self.owns_lock = True

    def _take_lease(self) -> None:
        """Refused before Scrapy starts (as the CLI refuses a held lock): one line, and
        no run row in a catalog another machine's crawl of the site is writing."""
        settings = self.crawler.settings
        try:
            holder = worker_id(settings.get("PORTAL_WORKER_ID") or "")
            self.lease = SeriesLease(self.catalog, self.series, holder,
                                     lease_seconds(settings),
                                     lost=lambda message: stop_crawl(self.crawler, message))
            refusal = self.lease.take()
            if refusal:
                raise LeaseHeld(refusal)
        except BaseException:
            self.catalog.close()
            raise

    def _release_lock(self) -> None:
        if self.owns_lock:
            release(self.data.root, self.series)
            self.owns_lock = False

    def spider_opened(self, spider: Spider) -> None:
        if self.lock_error:
            stop_crawl(self.crawler, self.lock_error)
        if not self.run_id:
            return
        self.crawler.stats.set_value("portal/run_id", self.run_id)
        from twisted.internet import reactor  # the one Scrapy installed

        # Once the reactor runs, Scrapy's signal handlers are in place to be chained.
        reactor.callWhenRunning(reactor.callLater, 0, note_signals, self.crawler)
        self.catalog.start_run(self.run_id, self.series, utc_iso())

    def engine_started(self) -> None:
        if self.spider_closed_seen:
            # Closed while it opened (a held lock): Scrapy sends engine_started after
            # spider_closed and no engine_stopped, so the run ends here.
            self._end_run()

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self.reason = reason  # the run is recorded at engine_stopped, after every handler
        self.spider_closed_seen = True

    def engine_stopped(self) -> None:
        self._end_run()

    def _end_run(self) -> None:
        """End-of-run change detection, alerts, the run row, then close: in this order."""
        if self.closed:
            return
        self.closed = True
        try:
            send = self.crawler.signals.send_catch_log
            send(run_ending, session=self, reason=self.reason)
            send(run_events_complete)
            if self.run_id:
                self.catalog.finish_run(self.run_id, utc_iso(), run_status(self.reason),
                                        self.crawler.stats.get_stats())
        finally:
            self._give_back()

    def _give_back(self) -> None:
        if self.lease is not None:
            self.lease.release()  # while the catalog is still open
        self.catalog.close()
        self._release_lock()


def _open_catalog(data: DataDir, site: str, url: str | None) -> Catalog:
    """The catalog, read where the crawl starts reading: an unusable one (gone beside
    WARCs, cut short, a torn page, a server that is down) is a PortalArchiveError now,
    before any write."""
    catalog = open_catalog(data, url)
    try:
        catalog.last_run(site)
    except CatalogError as exc:
        catalog.close()
        raise catalog.unusable(exc) from None
    return catalog


def session_of(crawler: Crawler) -> CrawlSession:
    """The crawl's session (EXTENSIONS must list CrawlSession)."""
    session = crawler.get_extension(CrawlSession)
    if session is None:
        raise RuntimeError("CrawlSession is not among the EXTENSIONS")
    return session
