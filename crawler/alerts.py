"""Alerts through apprise: one message per crawl run that sums up its change events.

Listens to ``change_detected``; sends on ``run_events_complete``, which the crawl's
session sends once the end-of-run events are known (crawler/session.py). A failing target is
retried, then logged in one line: it never fails the crawl, and the events are already
in the catalog, events.jsonl and the feed.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from portal_archive.archive.errors import PortalArchiveError
from portal_archive.archive.feed import LABELS, replay_link
from portal_archive.crawler.eventlog import dispatched
from portal_archive.crawler.signals import change_detected, run_events_complete

logger = logging.getLogger(__name__)

MAX_DIFF_LINES = 40


class AppriseAlerts:
    def __init__(self, crawler: Crawler, urls: list[str]) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.urls = urls
        self.include = set(settings.getlist("ALERT_TYPES"))
        self.retries = settings.getint("ALERT_RETRIES")
        self.backoff = settings.getfloat("ALERT_RETRY_DELAY")
        self.replay_url = settings.get("PORTAL_REPLAY_URL", "")
        self.events: list[dict[str, Any]] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AppriseAlerts:
        urls = crawler.settings.getlist("PORTAL_NOTIFY")
        if not urls or dispatched(crawler):  # the scheduler alerts (schedules/delivery.py)
            raise NotConfigured
        ext = cls(crawler, urls)
        crawler.signals.connect(ext.collect, signal=change_detected)
        crawler.signals.connect(ext.send, signal=run_events_complete)
        return ext

    def collect(self, event: dict[str, Any]) -> None:
        if event["type"] in self.include:
            self.events.append(event)

    def send(self) -> None:
        if not self.events:
            return
        title, body = summarise(self.events, self.replay_url)
        stats = self.crawler.stats
        for target in self.urls:
            if self._send(target, title, body):
                stats.inc_value("alerts/sent")
            else:
                stats.inc_value("alerts/failed")
                logger.warning("alert to %s failed after %d tries; the events are kept in "
                               "the catalog and events.jsonl", redacted(target),
                               self.retries + 1)

    def _send(self, target: str, title: str, body: str) -> bool:
        return send_alert(target, title, body, self.retries, self.backoff)


def send_alert(target: str, title: str, body: str, retries: int, backoff: float) -> bool:
    """Send one message to one apprise target, retried with a doubling wait; False when
    every try failed (the caller says so in one line: never an error)."""
    import apprise

    sender = apprise.Apprise()
    if not sender.add(target):
        logger.warning("not an apprise URL apprise understands: %s", redacted(target))
        return False
    for attempt in range(retries + 1):
        if sender.notify(title=title, body=body):
            return True
        time.sleep(backoff * (2**attempt))
    return False


def check_apprise_urls(urls: list[str]) -> None:
    """Refuse, before any crawl, a URL apprise cannot send to: said only at the end, it
    would cost a whole crawl and its alerts."""
    if not urls:
        return
    import apprise

    for url in urls:
        if not apprise.Apprise().add(url):
            raise PortalArchiveError(
                f"--notify {redacted(url)}: not an apprise URL apprise understands"
                " (see https://github.com/caronc/apprise/wiki)")


def summarise(events: list[dict[str, Any]], replay_url: str = "") -> tuple[str, str]:
    counts = Counter(event["type"] for event in events)
    sites = sorted({event["site"] for event in events})
    title = f"portal-archive {', '.join(sites)}: " + ", ".join(
        f"{n} {kind}" for kind, n in counts.items()
    )
    blocks = []
    for event in events:
        lines = [f"[{LABELS.get(event['type'], event['type'])}] "
                 f"{event.get('title') or event['url']}"]
        lines.append(f"  live: {event['url']}")
        if replay_url:
            lines.append(f"  replay: {replay_link(replay_url, event)}")
        if event["fields"]:
            lines.append(f"  fields: {', '.join(event['fields'])}")
        diff = event.get("diff") or ""
        if diff and event["type"] in ("edited", "cosmetic"):
            diff_lines = diff.splitlines()
            lines += ["  " + line for line in diff_lines[:MAX_DIFF_LINES]]
            if len(diff_lines) > MAX_DIFF_LINES:
                lines.append(f"  … {len(diff_lines) - MAX_DIFF_LINES} more lines")
        elif diff:
            lines.append(f"  {diff}")
        blocks.append("\n".join(lines))
    return title, "\n\n".join(blocks)


def redacted(url: str) -> str:
    """Scheme and host only: apprise URLs carry tokens and passwords."""
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0].rsplit("@", 1)[-1]
    return f"{scheme}://{host}/…"
