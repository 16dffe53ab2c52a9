"""What the spider learns of the site, recorded, and the end-of-run change detection.

The spider writes no storage: it sends signals (crawler/signals.py) that this
extension records through the crawl's session (crawler/session.py): each listing page's
order (for removals), a listing redirected elsewhere (site-moved), an article answering
404/410 (removed), a URL skipped by robots.txt. At ``run_ending``, after every
``spider_closed`` handler, it runs the end of the run: crawl-incomplete, articles gone
from their listings, site-down, and the site's Atom feed brought up to date. What is a
change is decided by the pure functions of crawler/changes.py; events are written by
crawler/eventlog.py.
"""

from __future__ import annotations

from collections.abc import Sequence

from scrapy.crawler import Crawler
from scrapy.http import Response

from portal_archive.archive.feed import write_site_feed
from portal_archive.archive.stamps import utc_iso
from portal_archive.crawler import changes
from portal_archive.crawler.extract.listitems import ListedItem
from portal_archive.crawler.outcome import INCOMPLETE, run_status
from portal_archive.crawler.session import CrawlSession, session_of
from portal_archive.crawler.signals import (
    article_gone,
    listing_read,
    request_skipped,
    run_ending,
)


class ChangeMonitor:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.enabled = settings.getbool("CHANGES_ENABLED")
        self.watchdog = settings.getbool("WATCHDOG_ENABLED")
        self.down_after = settings.getint("SITE_DOWN_AFTER_RUNS")
        self.replay_url = settings.get("PORTAL_REPLAY_URL", "")
        self.feed_size = settings.getint("FEED_SIZE")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ChangeMonitor:
        ext = cls(crawler)
        connect = crawler.signals.connect
        connect(ext.listing_read, signal=listing_read)
        connect(ext.article_gone, signal=article_gone)
        connect(ext.request_skipped, signal=request_skipped)
        connect(ext.run_ending, signal=run_ending)
        return ext

    @property
    def session(self) -> CrawlSession:
        return session_of(self.crawler)

    # -- while the crawl runs -------------------------------------------------
    def listing_read(self, listing: str, position: int, links: list[str],
                     response: Response, listed: Sequence[ListedItem] = ()) -> None:
        session = self.session
        # The date the listing prints for each item: another witness of publication.
        dates = {item.url: item.date.isoformat() for item in listed if item.date}
        if position == 0:
            # First: a move recorded now keys this page's links with their old host.
            self._check_moved(response)
        with session.catalog.transaction():  # a page's order whole, or not at all
            session.catalog.add_listing_items(session.run_id, session.series, listing,
                                              position, [(session.key_of(u), u) for u in links],
                                              dates=[dates.get(u) for u in links])

    def _check_moved(self, response: Response) -> None:
        meta = response.meta
        found = changes.moved(meta.get("redirect_urls") or [], meta.get("redirect_reasons")
                              or [], response.url)
        if found is None:
            return
        start, diff = found
        session = self.session
        reported = session.catalog.events(type_="site-moved", site=session.site)
        if any(row["url"] == start and row["diff"] == diff for row in reported):
            return  # told already, on an earlier night
        session.events.emit("site-moved", session.site, start, session.run_id,
                            fields=["location"], diff=diff)
        session.moves = session.catalog.host_moves(session.site)  # the move just recorded

    def article_gone(self, url: str) -> None:
        session = self.session
        key = session.key_of(url)
        # The mark and its event together: a kill between them would hide the removal.
        with session.catalog.transaction():
            if session.catalog.mark_removed(session.site, key) is not None:
                session.events.emit("removed", session.site, url, session.run_id,
                                    fields=["status"], diff="",
                                    title=session.events.title_of(session.site, key))

    def request_skipped(self, url: str, reason: str) -> None:
        # Remembered, so that a listing page whose only unarchived link is forbidden
        # still counts as known.
        self.session.catalog.record_skipped(url, reason, utc_iso())

    # -- at the end of the run ----------------------------------------------------
    def run_ending(self, session: CrawlSession, reason: str) -> None:
        if not session.run_id or not session.site:
            return
        status = run_status(reason)
        stats = self.crawler.stats
        if self.watchdog and status in INCOMPLETE:
            session.events.emit("crawl-incomplete", session.site, self._first_listing(),
                                session.run_id, fields=[status],
                                diff=stats.get_value("watchdog/reason"))
        if not self.enabled:
            return
        if stats.get_value("listing/pages"):
            self._removed(session, reason)
        elif changes.site_down(session.catalog.runs(session.series), session.run_id,
                               self.down_after, read_listing=False):
            why = stats.get_value("listing/last_error", "no listing page read")
            session.events.emit(
                "site-down", session.site, self._first_listing(), session.run_id,
                fields=["listing"],
                diff=f"{self.down_after} runs in a row without a listing page: {why}")
        if not session.events.dispatched:  # else the scheduler writes it, as it delivers
            self._write_feed(session)

    def _removed(self, session: CrawlSession, reason: str) -> None:
        if reason != "finished":
            return  # compared only after a run that read its listings to the end it meant to
        catalog, site, run_id = session.catalog, session.site, session.run_id
        # Listing order is the series' (one host of a generic crawl); articles the site's.
        previous = catalog.previous_listing_run(session.series, run_id)
        if previous is not None:
            gone = changes.removed_from_listings(catalog.listing_sequences(previous),
                                                 catalog.listing_sequences(run_id))
            for key, url in gone:
                with catalog.transaction():  # the mark and its event together
                    if catalog.mark_removed(site, key) is not None:
                        session.events.emit("removed", site, url, run_id, fields=["listing"],
                                            title=session.events.title_of(site, key))
        catalog.forget_listings_before(session.series, run_id)

    def _write_feed(self, session: CrawlSession) -> None:
        write_site_feed(session.catalog, session.data.feeds, session.site, self.feed_size,
                        self.replay_url)

    def _first_listing(self) -> str:
        spider = self.crawler.spider
        return (getattr(spider, "listing_urls", None) or [self.session.site])[0]
