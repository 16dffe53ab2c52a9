"""The watchdog: every crawl ends, even one that hears nothing back.

A crawl that receives no response for WATCHDOG_STALL_TIMEOUT seconds (every request
hangs, a server accepts and never answers, a dead network) is closed as ``stalled``; one
still running at CLOSESPIDER_TIMEOUT is closed by Scrapy's own CloseSpider extension and
recorded as ``timeout``. Either is closed as any crawl is (WARC files closed and indexed,
the run row written) and says so with one ``crawl-incomplete`` change event, which
crawler/monitor.py emits at the end of the run from ``watchdog/reason``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from portal_archive.crawler.fatal import close_crawl
from portal_archive.crawler.outcome import INCOMPLETE, run_status

logger = logging.getLogger(__name__)

STALLED = "stalled"
# How often the stall is looked for, at most: a stall is said within this of its limit.
_CHECK_EVERY = 30.0


def stall_reason(silent: float, limit: float) -> str | None:
    """Why a crawl silent for ``silent`` seconds is stalled, or None if it is not yet.

    >>> stall_reason(59.9, 60) is None, stall_reason(61, 60)
    (True, 'no response for 61 s (WATCHDOG_STALL_TIMEOUT=60)')
    """
    if limit <= 0 or silent < limit:
        return None
    return f"no response for {silent:.0f} s (WATCHDOG_STALL_TIMEOUT={limit:g})"


class Watchdog:
    def __init__(self, crawler: Crawler, stall_after: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.crawler = crawler
        self.stall_after = stall_after
        self.deadline = crawler.settings.getfloat("CLOSESPIDER_TIMEOUT")
        self.clock = clock
        self.last_response = clock()
        self.task: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Watchdog:
        if not crawler.settings.getbool("WATCHDOG_ENABLED"):
            raise NotConfigured
        ext = cls(crawler, crawler.settings.getfloat("WATCHDOG_STALL_TIMEOUT"))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.response_received, signal=signals.response_received)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        self.last_response = self.clock()
        if self.stall_after > 0:
            self.task = task.LoopingCall(self.check)
            self.task.start(min(self.stall_after / 4, _CHECK_EVERY), now=False)

    def response_received(self) -> None:
        self.last_response = self.clock()

    def check(self) -> None:
        """Close the crawl if it has heard nothing for too long."""
        reason = stall_reason(self.clock() - self.last_response, self.stall_after)
        if reason is None:
            return
        self._stop_task()
        self.crawler.stats.set_value("watchdog/reason", reason)
        logger.error("closing the crawl: %s", reason)
        close_crawl(self.crawler, STALLED)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self._stop_task()
        status = run_status(reason)
        if status not in INCOMPLETE:
            return
        stats = self.crawler.stats
        if status != STALLED:
            stats.set_value("watchdog/reason", f"still running after {self.deadline:g} s"
                            " (CLOSESPIDER_TIMEOUT)")

    def _stop_task(self) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
