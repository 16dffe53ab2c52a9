"""Stopping a crawl for a reason no page can fix: a full disk, a held lock.

The reason is kept in the stats (``portal/fatal``), where the CLI finds it and turns it
into one line and exit 1; the engine closes the spider as usual, so files are closed.
"""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_from_coro

logger = logging.getLogger(__name__)


def stop_crawl(crawler: Crawler, message: str) -> None:
    assert crawler.stats is not None
    if crawler.stats.get_value("portal/fatal"):
        return  # already stopping
    logger.error("%s", message)
    crawler.stats.set_value("portal/fatal", message)
    close_crawl(crawler, "fatal")


def close_crawl(crawler: Crawler, reason: str) -> None:
    """Close the spider as the engine closes any: files closed, the run recorded."""
    engine = crawler.engine
    if engine is None:
        return
    deferred_from_coro(engine.close_spider_async(reason=reason))
