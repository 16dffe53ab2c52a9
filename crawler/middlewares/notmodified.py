"""Conditional requests: ask a portal whether a page changed since its last capture.

``process_request`` adds ``If-None-Match``/``If-Modified-Since`` from the last full
capture of the URL. A 304 is archived by the WARC middleware (a server-not-modified
revisit) on its way in; this middleware, below it, then hands the spider the archived
response read back from WARC, so listings still yield their links and articles their
text, as HttpCacheMiddleware hands back a cached page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy import Request, Spider, signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes

from archive.catalog import Catalog
from archive.datadir import DataDir
from archive.warcfile import read_record

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class NotModifiedMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.getbool("CONDITIONAL_REQUESTS_ENABLED"):
            raise NotConfigured
        self.stats = crawler.stats
        self.data = DataDir(crawler.settings.get("PORTAL_DATA_DIR"))
        self.catalog: Catalog | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NotModifiedMiddleware:
        mw = cls(crawler)
        crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    def spider_opened(self, spider: Spider) -> None:
        self.catalog = Catalog(self.data.catalog)

    def spider_closed(self, spider: Spider) -> None:
        if self.catalog is not None:
            self.catalog.close()

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        if self.catalog is None or request.method != "GET" or request.meta.get("dont_revisit"):
            return
        if b"If-None-Match" in request.headers or b"If-Modified-Since" in request.headers:
            return  # the caller made its own condition
        last = self.catalog.latest_response(request.url)
        if last is None or last["status"] != 200 or not (last["etag"] or last["last_modified"]):
            return
        if last["etag"]:
            request.headers[b"If-None-Match"] = last["etag"]
        if last["last_modified"]:
            request.headers[b"If-Modified-Since"] = last["last_modified"]
        request.meta["not_modified_since"] = {
            "file": last["warc_file"], "offset": last["warc_offset"],
            "record_id": last["record_id"],
        }

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        pointer = request.meta.get("not_modified_since")
        if response.status != 304 or pointer is None:
            return response
        record, payload = read_record(self.data.warc / pointer["file"], pointer["offset"])
        http = record.http_headers
        headers = Headers([(k, v) for k, v in http.headers])
        cls = responsetypes.from_args(headers=headers, url=response.url, body=payload)
        self.stats.inc_value("conditional/not_modified")
        # The page's content is the archived original's; point the article JSON at it.
        request.meta["warc"] = dict(pointer)
        return cls(
            url=response.url,
            status=int(http.get_statuscode()),
            headers=headers,
            body=payload,
            request=request,
            flags=[*response.flags, "not_modified"],
            ip_address=response.ip_address,
            protocol=response.protocol,
        )
