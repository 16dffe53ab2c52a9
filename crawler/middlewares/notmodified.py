"""Conditional requests: ask a portal whether a page changed since its last capture.

``process_request`` adds ``If-None-Match``/``If-Modified-Since`` from the last full
capture of the URL. A 304 is archived by the WARC middleware (a server-not-modified
revisit) on its way in; this middleware, below it, then hands the spider the archived
response read back from WARC, so listings still yield their links and articles their
text, as HttpCacheMiddleware hands back a cached page.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy import Request, Spider
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes

from portal_archive.archive.warcfile import read_record
from portal_archive.crawler.session import session_of
from portal_archive.crawler.storage import crawl_data

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

META = "not_modified_since"  # the capture our condition was made from
CONDITION_HEADERS = (b"If-None-Match", b"If-Modified-Since")


class NotModifiedMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.getbool("CONDITIONAL_REQUESTS_ENABLED"):
            raise NotConfigured
        self.stats = crawler.stats
        self.data = crawl_data(crawler.settings)
        # The crawl's one catalog connection, read here for the last capture's validators.
        self.catalog = session_of(crawler).catalog

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NotModifiedMiddleware:
        return cls(crawler)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        ours = request.meta.get(META)
        if ours is not None:
            if ours["url"] == request.url:
                return
            # A redirect copied our condition onto another URL: it does not hold there.
            for name in CONDITION_HEADERS:
                request.headers.pop(name, None)
            del request.meta[META]
        if request.method != "GET" or request.meta.get("dont_revisit"):
            return
        if any(name in request.headers for name in CONDITION_HEADERS):
            return  # the caller made its own condition
        # The last good capture: after a 503 the page's validators are still the 200's.
        last = self.catalog.latest_response(request.url, status=200)
        if last is None or not (last["etag"] or last["last_modified"]):
            return
        if last["etag"]:
            request.headers[b"If-None-Match"] = last["etag"]
        if last["last_modified"]:
            request.headers[b"If-Modified-Since"] = last["last_modified"]
        request.meta[META] = {
            "url": request.url,
            "file": last["warc_file"],
            "offset": last["warc_offset"],
            "record_id": last["record_id"],
            "captured_at": last["captured_at"],
            # What the WARC middleware names as the original of a 304 revisit.
            "payload_digest": last["payload_digest"],
            "status": last["status"],
        }

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        pointer = request.meta.get(META)
        if response.status != 304 or pointer is None or pointer["url"] != response.url:
            return response
        try:
            record, payload = read_record(self.data.warc / pointer["file"], pointer["offset"])
        except (OSError, StopIteration, ValueError) as exc:
            # The original is out of reach (a file still .open after a crash, say): ask
            # again without a condition rather than hand the spider nothing.
            logger.warning("archived copy of %s unreadable (%s); fetching it again",
                           response.url, exc)
            return _unconditional(request)
        self.stats.inc_value("conditional/not_modified")
        # The page's content is the archived original's: point the article JSON at it.
        request.meta["warc"] = {k: pointer[k] for k in ("file", "offset", "record_id")}
        request.meta["captured_at"] = pointer["captured_at"]
        return _archived_response(request, response, record.http_headers, payload)


def _unconditional(request: Request) -> Request:
    headers = Headers(request.headers)
    for name in CONDITION_HEADERS:
        headers.pop(name, None)
    meta: dict[str, Any] = {**request.meta, "dont_revisit": True}
    meta.pop(META, None)
    return request.replace(headers=headers, meta=meta, dont_filter=True)


def _archived_response(request: Request, response: Response, http: Any,
                       payload: bytes) -> Response:
    headers = Headers([(k, v) for k, v in http.headers])
    cls = responsetypes.from_args(headers=headers, url=response.url, body=payload)
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
