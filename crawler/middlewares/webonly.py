"""Downloader middleware: only the public web is fetched.

The spider already builds Requests only from http(s) URLs (crawler/weburls.py); this is
the second line, for every request whatever built it, redirects included (Scrapy sends a
redirect's new Request through the middlewares again). It refuses

* any scheme but http/https, so that no file:, ftp:, s3: or data: request is ever made;
* a private, loopback or link-local host (``localhost``, ``127.0.0.1``, ``10.x``,
  ``169.254.169.254`` ...) when the site itself is on a public host: a public portal has
  no business making the crawler read the machine's own or its LAN's services. A site on
  such a host (the demo portal, tests) may use them; ``PORTAL_ALLOW_PRIVATE_HOSTS`` lets
  every site do so.

Here literal addresses (in every spelling) and ``localhost`` are refused; a host name
that resolves to a private address is refused by the PublicOnlyResolver
(crawler/resolver.py), which this middleware arms at spider_opened. It sits at 40, below
the offsite (50) and robots.txt (100) middlewares, so not even a robots.txt is asked of a
refused host.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy import Request, Spider, signals
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.httpobj import urlparse_cached

from portal_archive.crawler.resolver import PublicOnlyResolver
from portal_archive.crawler.weburls import WEB_SCHEMES, is_private_host

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class WebOnlyMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats
        self.allow_private = crawler.settings.getbool("PORTAL_ALLOW_PRIVATE_HOSTS")
        self.resolver: PublicOnlyResolver | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WebOnlyMiddleware:
        mw = cls(crawler)
        crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
        return mw

    def spider_opened(self, spider: Spider) -> None:
        # A site whose own listings are on a private host (the demo portal, a test
        # server, an intranet portal) may fetch from private hosts.
        listings = getattr(spider, "listing_urls", None) or getattr(spider, "start_urls", [])
        hosts = {urlsplit(url).hostname or "" for url in listings}
        if any(is_private_host(host) for host in hosts):
            self.allow_private = True
        if not self.allow_private:
            # Imported here: importing the reactor at module level would install the
            # default one before Scrapy installs its own.
            from twisted.internet import reactor

            resolver = getattr(reactor, "resolver", None)
            if isinstance(resolver, PublicOnlyResolver):
                resolver.guard(hosts, self.stats)
                self.resolver = resolver

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        parts = urlparse_cached(request)
        scheme = parts.scheme.lower()
        if scheme not in WEB_SCHEMES:
            self._drop(request, scheme or "none", f"not a web URL ({scheme}:)")
        host = (parts.hostname or "").lower()
        if not self.allow_private and (
            is_private_host(host) or (self.resolver is not None and host in self.resolver.refused)
        ):
            self._drop(request, "private", "a private address on a public site")

    def _drop(self, request: Request, kind: str, reason: str) -> None:
        self.stats.inc_value(f"urls/dropped/{kind}")
        logger.debug("not fetching %s: %s", request.url, reason)
        raise IgnoreRequest(reason)
