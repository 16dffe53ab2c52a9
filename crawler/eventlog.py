"""The one place events are written: the catalog row, the events.jsonl line, the
``events/<type>`` stat and the change_detected signal (which the alerts collect).
The site's Atom feed is written from the catalog's events at the end of the run.
Under a worker (PORTAL_EVENT_DELIVERY "dispatcher") the catalog row is all: the scheduler
delivers it once (schedules/delivery.py)."""

from __future__ import annotations

import json
from typing import Any

from scrapy.crawler import Crawler

from portal_archive.archive.catalog import Catalog
from portal_archive.archive.datadir import DataDir
from portal_archive.archive.events import append_event
from portal_archive.archive.stamps import utc_iso
from portal_archive.crawler.signals import change_detected

DISPATCHER = "dispatcher"


def dispatched(crawler: Crawler) -> bool:
    """Whether the scheduler, not this crawl, sends its events out (lines, feed, alerts)."""
    return bool(crawler.settings.get("PORTAL_EVENT_DELIVERY") == DISPATCHER)


class EventLog:
    """Emits an event: catalog row, events.jsonl line, and the change_detected signal."""

    def __init__(self, crawler: Crawler, catalog: Catalog, data: DataDir) -> None:
        self.crawler = crawler
        self.catalog = catalog
        self.data = data
        self.dispatched = dispatched(crawler)

    def emit(self, type_: str, site: str, url: str, run_id: str, *,
             fields: list[str] | None = None, diff: str = "", title: str | None = None,
             ) -> dict[str, Any]:
        event = {
            "type": type_, "site": site, "url": url,
            "at": utc_iso(timespec="seconds"),
            "run_id": run_id, "fields": fields or [], "diff": diff, "title": title,
        }
        if self.dispatched:  # the scheduler sends it on (schedules/delivery.py)
            self.catalog.add_event(event)
        else:  # sent on here and now (the line, the signal the alerts collect): delivered
            self.catalog.add_event(event, delivered_at=str(event["at"]))
            append_event(self.data.events, event)
        self.crawler.stats.inc_value(f"events/{type_}")
        self.crawler.signals.send_catch_log(change_detected, event=event)
        return event

    def title_of(self, site: str, key: str) -> str | None:
        """The title of an article's latest version, for events that have no page."""
        row = self.catalog.latest_version_of(site, key)
        if row is None:
            return None
        try:
            return json.loads((self.data.json / row["json_path"]).read_text("utf-8"))["title"]
        except (OSError, ValueError, KeyError):
            return None
