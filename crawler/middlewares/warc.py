"""Downloader middleware that writes every fetch to WARC as it came off the wire.

It sits above RedirectMiddleware and HttpCompressionMiddleware (see crawler/settings.py),
so a 301 is archived as a 301 and a gzip body stays gzip: a decoded body under a
``Content-Encoding: gzip`` header would break every replay tool.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from http import HTTPStatus
from io import BytesIO
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy import Request, Spider, signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from warcio.statusandheaders import StatusAndHeaders

from archive.catalog import Capture, Catalog
from archive.datadir import DataDir
from archive.warcfile import RollingWarcWriter, warc_date

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

# Scrapy has already undone the chunking; keeping the header would make the stored
# payload unreadable as declared.
_DROP_RESPONSE_HEADERS = {b"transfer-encoding"}


class WarcCaptureMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("WARC_ENABLED"):
            raise NotConfigured
        self.crawler = crawler
        self.stats = crawler.stats
        self.data = DataDir(settings.get("PORTAL_DATA_DIR"))
        self.max_size = settings.getint("WARC_MAX_SIZE")
        self.gzip = settings.getbool("WARC_GZIP")
        self.user_agent = settings.get("USER_AGENT")
        self.writer: RollingWarcWriter | None = None
        self.catalog: Catalog | None = None
        self.run_id = ""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcCaptureMiddleware:
        mw = cls(crawler)
        crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    def spider_opened(self, spider: Spider) -> None:
        site = getattr(spider, "site_id", spider.name)
        self.run_id = getattr(spider, "run_id", "")
        self.writer = RollingWarcWriter(
            self.data.warc,
            site,
            max_size=self.max_size,
            gzip=self.gzip,
            info={
                "software": self.user_agent.split(" (", 1)[0],
                "http-header-user-agent": self.user_agent,
                "isPartOf": site,
                "operator": "portal-archive",
                "description": f"crawl {self.run_id} of site {site}",
                "robots": "obey",
            },
        )
        self.catalog = Catalog(self.data.catalog)

    def spider_closed(self, spider: Spider) -> None:
        if self.writer is not None:
            self.writer.close()
            self.stats.set_value("warc/files", len(self.writer.closed_files))
            self.stats.set_value("warc/file_list", list(self.writer.closed_files))
        if self.catalog is not None:
            self.catalog.close()

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        if "cached" in response.flags or request.meta.get("dont_archive"):
            return response
        if self.writer is None or self.catalog is None:  # response before spider_opened
            return response
        moment = datetime.now(UTC)  # the one clock reading for this capture
        response_record, request_record = self._records(request, response, moment)
        location, _ = self.writer.write([response_record, request_record], moment)
        record_id = response_record.rec_headers.get_header("WARC-Record-ID")
        captured_at = moment.isoformat().replace("+00:00", "Z")
        request.meta["warc"] = {
            "file": location.file,
            "offset": location.offset,
            "record_id": record_id,
        }
        request.meta["captured_at"] = captured_at
        self.catalog.add_capture(
            Capture(
                run_id=self.run_id,
                url=response.url,
                captured_at=captured_at,
                status=response.status,
                mime=_mime(response),
                payload_digest=response_record.rec_headers.get_header("WARC-Payload-Digest"),
                record_id=record_id,
                record_type="response",
                warc_file=location.file,
                warc_offset=location.offset,
                warc_length=location.length,
            )
        )
        self.stats.inc_value("warc/records", 2)
        self.stats.inc_value("warc/bytes", location.length)
        self.stats.inc_value(f"warc/response_status_count/{response.status}")
        return response

    def _records(self, request: Request, response: Response, moment: datetime) -> tuple[Any, Any]:
        assert self.writer is not None
        builder = self.writer.builder
        date = warc_date(moment)
        response_headers = {"WARC-Date": date}
        if response.ip_address is not None:
            response_headers["WARC-IP-Address"] = str(response.ip_address)
        response_record = builder.create_warc_record(
            response.url,
            "response",
            payload=BytesIO(response.body),
            length=len(response.body),
            http_headers=_response_headers(response),
            warc_headers_dict=response_headers,
        )
        request_record = builder.create_warc_record(
            response.url,
            "request",
            payload=BytesIO(request.body),
            length=len(request.body),
            http_headers=_request_headers(request, response.url),
            warc_headers_dict={
                "WARC-Date": date,
                "WARC-Concurrent-To": response_record.rec_headers.get_header("WARC-Record-ID"),
            },
        )
        return response_record, request_record


def _response_headers(response: Response) -> StatusAndHeaders:
    try:
        reason = HTTPStatus(response.status).phrase
    except ValueError:
        reason = ""
    protocol = response.protocol or "HTTP/1.1"
    headers = [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in response.headers.items()
        if name.lower() not in _DROP_RESPONSE_HEADERS
        for value in values
    ]
    return StatusAndHeaders(f"{response.status} {reason}".strip(), headers, protocol=protocol)


def _request_headers(request: Request, url: str) -> StatusAndHeaders:
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = [("Host", parts.netloc)]
    headers += [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in request.headers.items()
        for value in values
    ]
    return StatusAndHeaders(f"{request.method} {target} HTTP/1.1", headers, is_http_request=True)


def _mime(response: Response) -> str | None:
    value = response.headers.get(b"Content-Type")
    if not value:
        return None
    return value.decode("latin-1").split(";", 1)[0].strip().lower() or None
