"""Per-host politeness as the host sees it: the next request to a host leaves at least
DOWNLOAD_DELAY after the previous one's response arrived, one request at a time.

Scrapy keeps its delay between two requests leaving a host's download slot. In a
process that crawls many sites at once (crawler/pool.py) the reactor is busy, and a
request that left its slot may wait a while before its bytes are sent: the next one, on
time, then reaches the host sooner than the delay (measured at 300 portals: 12 % of the
gaps under 0.9 s, some of 0.14 s). Counting the delay from the previous response's
arrival, with no second request in flight, makes every gap the host sees at least the
delay, however late the reactor sends. The slot is read as AutoThrottle reads it, and
this runs on ``response_downloaded``, which Scrapy sends before it takes the slot's next
request.
"""

from __future__ import annotations

import time

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response


class DelayAfterResponse:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DelayAfterResponse:
        if crawler.settings.getfloat("DOWNLOAD_DELAY") <= 0:
            raise NotConfigured  # no delay asked for: Scrapy's concurrency stands
        extension = cls(crawler)
        crawler.signals.connect(extension.response_downloaded,
                                signal=signals.response_downloaded)
        return extension

    def response_downloaded(self, response: Response, request: Request,
                            spider: Spider) -> None:
        assert self.crawler.engine is not None
        downloader = self.crawler.engine.downloader
        key = request.meta.get("download_slot") or downloader.get_slot_key(request)
        slot = downloader.slots.get(key)
        if slot is not None and slot.delay > 0:
            slot.lastseen = time.monotonic()  # the clock Scrapy's slots keep
            slot.concurrency = 1
