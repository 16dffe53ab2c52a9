"""Pages a rule decided not to fetch, each said in one line with what and where.

Scrapy says a redirect loop, an off-site redirect or an over-long URL at DEBUG or INFO,
which a nightly crawl logging at WARNING never shows: an article lost to one would look
like an article the portal never had. Routine skips stay quiet: robots.txt on a page at
INFO, a requisite on another host at Scrapy's DEBUG.
"""

from __future__ import annotations

import logging

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.urllength import UrlLengthMiddleware

logger = logging.getLogger(__name__)

# The IgnoreRequest message of Scrapy's RedirectMiddleware.
_MAX_REDIRECTS = "max redirections reached"


def log_skipped(request: Request, reason: str) -> None:
    """One line for a request that ended in IgnoreRequest (the spider's errback)."""
    if reason == _MAX_REDIRECTS:
        chain = [*request.meta.get("redirect_urls", []), request.url]
        logger.warning("redirect loop: %s %s redirected %d times (last to %s), not followed",
                       _kind(request), chain[0], len(chain) - 1, chain[-1])
    else:
        logger.info("skipped %s %s: %s", _kind(request), request.url, reason)


class RedirectLoopLog:
    """A redirect back to a URL of its own chain (A → B → A) is dropped by the duplicate
    filter, silently; say it. A redirect to a page already fetched otherwise is normal."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedirectLoopLog:
        ext = cls()
        crawler.signals.connect(ext.request_dropped, signal=signals.request_dropped)
        return ext

    def request_dropped(self, request: Request, spider: Spider) -> None:
        chain = request.meta.get("redirect_urls", [])
        if request.url in chain:
            logger.warning("redirect loop: %s %s", _kind(request),
                           " → ".join([*chain, request.url]))


class OffsiteRedirectWarning(OffsiteMiddleware):
    """Scrapy's OffsiteMiddleware (an ad-hoc crawl stays on its listings' hosts), but a
    redirect it refuses is said at WARNING: the page it came from is lost. Off-site links
    are dropped before they are requests, and stay quiet."""

    def request_scheduled(self, request: Request, spider: Spider) -> None:
        try:
            super().request_scheduled(request, spider)
        except IgnoreRequest:
            chain = request.meta.get("redirect_urls", [])
            if chain:
                logger.warning("off-site redirect not followed: %s %s redirects to %s",
                               _kind(request), chain[0], request.url)
            raise


def _kind(request: Request) -> str:
    return str(request.meta.get("page_kind", "page"))


class UrlLengthWarning(UrlLengthMiddleware):
    """Scrapy's URLLENGTH_LIMIT, said at WARNING with the page that links the URL."""

    def get_processed_request(
        self, request: Request, response: Response | None
    ) -> Request | None:
        if len(request.url) <= self.maxlength:
            return request
        shown = request.url if len(request.url) <= 100 else request.url[:100] + "…"
        logger.warning("over-long URL not followed (%d > URLLENGTH_LIMIT %d characters): %s"
                       " linked from %s", len(request.url), self.maxlength, shown,
                       response.url if response is not None else "the start URLs")
        self.crawler.stats.inc_value("urllength/request_ignored_count")
        return None
