"""End-of-run change detection: articles gone from their listings, a site that is down,
and the site's Atom feed brought up to date."""

from __future__ import annotations

import json
import logging

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from portal_archive.archive.catalog import Catalog
from portal_archive.archive.datadir import DataDir
from portal_archive.archive.feed import write_feed
from portal_archive.crawler.changes import ChangeRecorder, removed_from_listings

logger = logging.getLogger(__name__)


class ChangeMonitor:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("CHANGES_ENABLED"):
            raise NotConfigured
        self.crawler = crawler
        self.data = DataDir(settings.get("PORTAL_DATA_DIR"))
        self.down_after = settings.getint("SITE_DOWN_AFTER_RUNS")
        self.replay_url = settings.get("PORTAL_REPLAY_URL", "")
        self.feed_size = settings.getint("FEED_SIZE")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ChangeMonitor:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_closed(self, spider: Spider, reason: str) -> None:
        run_id = getattr(spider, "run_id", "")
        site = getattr(spider, "site_id", "")
        if not run_id or not site:
            return
        catalog = Catalog(self.data.catalog)
        try:
            changes = ChangeRecorder(self.crawler, catalog, self.data)
            if self.crawler.stats.get_value("listing/pages"):
                self._removed(catalog, changes, site, run_id, reason)
            else:
                self._down(catalog, changes, site, run_id, spider)
            events = [_event(row) for row in catalog.events(site=site, newest_first=True,
                                                            limit=self.feed_size)]
            if events:
                write_feed(self.data.feeds / f"{site}.atom", site, events, self.replay_url)
        finally:
            catalog.close()

    def _removed(self, catalog: Catalog, changes: ChangeRecorder, site: str, run_id: str,
                 reason: str) -> None:
        previous = catalog.previous_listing_run(site, run_id)
        if previous is not None and reason == "finished":
            # Compared only after a run that read its listings to the end it meant to.
            gone = removed_from_listings(catalog.listing_sequences(previous),
                                         catalog.listing_sequences(run_id))
            for key, url in gone:
                if catalog.mark_removed(site, key) is not None:
                    changes.emit("removed", site, url, run_id, fields=["listing"],
                                 title=changes.title_of(site, key))
        if reason == "finished":
            catalog.forget_listings_before(site, run_id)

    def _down(self, catalog: Catalog, changes: ChangeRecorder, site: str, run_id: str,
              spider: Spider) -> None:
        """site-down once, on the Nth run in a row that read no listing page."""
        earlier = [r for r in reversed(catalog.runs(site)) if r["id"] != run_id]
        streak = 1
        for row in earlier:
            if not _read_no_listing(row):
                break
            streak += 1
        if streak != self.down_after:
            return
        reason = self.crawler.stats.get_value("listing/last_error", "no listing page read")
        listing = (getattr(spider, "listing_urls", None) or [site])[0]
        changes.emit("site-down", site, listing, run_id, fields=["listing"],
                     diff=f"{self.down_after} runs in a row without a listing page: {reason}")


def _read_no_listing(run: object) -> bool:
    try:
        stats = json.loads(run["stats"] or "{}")  # type: ignore[index]
    except ValueError:
        return False
    return run["status"] == "finished" and not stats.get("listing/pages")  # type: ignore[index]


def _event(row: object) -> dict:
    from portal_archive.archive.events import event_from_row

    return event_from_row(row)  # type: ignore[arg-type]
