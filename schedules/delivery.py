"""Events and alerts, once, from one place: the scheduler's delivery job
(`schedule run --queue`, every PORTAL_DELIVERY_SECONDS).

Under workers a crawl writes its events to the catalog only (crawler/eventlog.py). Here
the undelivered ones are sent out, oldest first, a site's run at a time: their
``events.jsonl`` lines and the mark ``delivered_at`` in one step (a line is never appended
twice unless a kill falls between the two), then the site's Atom feed, then one apprise
message per site and run to the notify targets of the schedule jobs naming the site, as
a crawl on one machine sends them (crawler/alerts.py).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from portal_archive.archive.catalog import open_catalog
from portal_archive.archive.datadir import SHARED_ENV_VAR, DataDir
from portal_archive.archive.events import append_event, event_from_row
from portal_archive.archive.feed import write_site_feed
from portal_archive.archive.stamps import utc_iso
from portal_archive.crawler.alerts import redacted, send_alert, summarise
from portal_archive.crawler.run import project_settings
from portal_archive.crawler.sites import GENERIC, series_of
from portal_archive.schedules.config import Job, substitute_env

log = logging.getLogger("schedules")


def notify_targets(jobs: Iterable[Job]) -> dict[str, list[str]]:
    """Each series' apprise URLs (``${ENV}`` substituted): those of every job naming it."""
    targets: dict[str, list[str]] = {}
    for job in jobs:
        if not job.notify:
            continue
        urls = substitute_env(job.notify)
        for target in job.targets():
            mine = targets.setdefault(series_of(target.site, target.listings), [])
            mine += [url for url in urls if url not in mine]
    return targets


def archive_root(data: Path) -> Path:
    """Where the events go: the shared archive folder if there is one, else ``data``."""
    return DataDir.for_crawl(data, os.environ.get(SHARED_ENV_VAR) or None).root


def deliver(data: Path, jobs: Mapping[str, Job]) -> int:
    """Send out every undelivered event; how many were."""
    settings = project_settings()
    folder = DataDir(archive_root(data))
    catalog = open_catalog(folder)  # PORTAL_CATALOG_URL's, else the archive's SQLite
    targets = notify_targets(jobs.values())
    sent = 0
    try:
        while rows := catalog.undelivered_events():
            for (site, _run), group in _by_site_and_run(rows).items():
                events = [event_from_row(row) for row in group]
                with catalog.transaction():
                    for event in events:
                        append_event(folder.events, event)
                    catalog.mark_delivered([row["id"] for row in group], utc_iso())
                sent += len(events)
                write_site_feed(catalog, folder.feeds, site, settings.getint("FEED_SIZE"),
                                settings.get("PORTAL_REPLAY_URL", ""))
                urls = targets.get(_series(events[0]), [])
                _alert(urls, events, settings)
    finally:
        catalog.close()
    return sent


def _by_site_and_run(rows: list[Any]) -> dict[tuple[str, str], list[Any]]:
    groups: dict[tuple[str, str], list[Any]] = {}
    for row in rows:
        groups.setdefault((row["site"], row["run_id"]), []).append(row)
    return groups


def _series(event: Mapping[str, Any]) -> str:
    """The series of the crawl that emitted ``event``: a generic one is its URL's host's."""
    site = str(event["site"])
    return series_of(site, [event["url"]]) if site == GENERIC else site


def _alert(urls: list[str], events: list[dict[str, Any]], settings: Any) -> None:
    include = set(settings.getlist("ALERT_TYPES"))
    events = [event for event in events if event["type"] in include]
    if not (urls and events):
        return
    title, body = summarise(events, settings.get("PORTAL_REPLAY_URL", ""))
    retries, backoff = settings.getint("ALERT_RETRIES"), settings.getfloat("ALERT_RETRY_DELAY")
    for url in urls:
        if not send_alert(url, title, body, retries, backoff):
            log.warning("alert to %s failed after %d tries; the events are kept in the"
                        " catalog and events.jsonl", redacted(url), retries + 1)
