"""robots.txt read as RFC 9309 allows: only its first 500 KiB.

Protego builds an object per rule, so a 10 MB robots.txt (a trap, or a CMS that logs
into it) costs hundreds of MB before the first page is fetched. RFC 9309 section 2.5 lets
a crawler stop parsing after at least 500 KiB; Google does exactly that. Rules past the
cut are ignored, as they would be by Google.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Self

from scrapy import Spider
from scrapy.robotstxt import ProtegoRobotParser

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class BoundedRobotParser(ProtegoRobotParser):
    def __init__(self, robotstxt_body: bytes, spider: Spider | None,
                 max_size: int = 500 * 1024) -> None:
        if len(robotstxt_body) > max_size:
            # Cut at a line end, so that the last rule read is a whole rule.
            cut = robotstxt_body.rfind(b"\n", 0, max_size) + 1 or max_size
            logger.warning("robots.txt is %d bytes: reading only its first %d (RFC 9309)",
                           len(robotstxt_body), cut)
            robotstxt_body = robotstxt_body[:cut]
        super().__init__(robotstxt_body, spider)

    @classmethod
    def from_crawler(cls, crawler: Crawler, robotstxt_body: bytes) -> Self:
        spider = None if not crawler else crawler.spider
        return cls(robotstxt_body, spider, crawler.settings.getint("PORTAL_ROBOTSTXT_MAX_SIZE"))
