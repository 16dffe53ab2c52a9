"""Downloader middleware that writes every fetch to WARC as it came off the wire.

It sits above RedirectMiddleware and HttpCompressionMiddleware (see crawler/settings.py),
so a 301 is archived as a 301 and a gzip body stays gzip: a decoded body under a
``Content-Encoding: gzip`` header would break every replay tool.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from datetime import datetime
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy import Request, Spider, signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.utils.misc import load_object

from portal_archive.archive.catalog import Capture, CatalogError, reason_of
from portal_archive.archive.cdxj import add_to_index
from portal_archive.archive.errors import PortalArchiveError
from portal_archive.archive.heal import heal_other_sites, heal_site
from portal_archive.archive.httpheaders import WireHeaders, from_wire
from portal_archive.archive.lock import acquire, release
from portal_archive.archive.revisit import (
    IDENTICAL_PAYLOAD,
    Original,
    payload_digest,
    revisit_profile,
    revisit_record,
)
from portal_archive.archive.ship import ship
from portal_archive.archive.warcfile import RollingWarcWriter, warc_date
from portal_archive.crawler.fatal import stop_crawl
from portal_archive.crawler.middlewares.notmodified import META as CONDITION
from portal_archive.crawler.session import CrawlSession, session_of
from portal_archive.crawler.storage import crawl_data

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

# Test-only: seconds to wait between a file's close and its indexing, so that a test can
# kill the crawl in that window reliably (tests/crawler/test_heal.py).
_PAUSE_BEFORE_INDEX = os.environ.get("PORTAL_ARCHIVE_TEST_PAUSE_BEFORE_INDEX", "")

# Scrapy has already undone the chunking; keeping the header would make the stored
# payload unreadable as declared.
_DROP_RESPONSE_HEADERS = {b"transfer-encoding"}


# Data folders whose other sites this process has healed already (heal_other_sites).
_HEALED_OTHERS: set[Path] = set()


class WarcCaptureMiddleware:
    """Writes through the crawl's session (crawler/session.py): its catalog connection,
    under the site lock it holds."""

    def __init__(self, crawler: Crawler, session: CrawlSession) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.session = session
        self.stats = crawler.stats
        self.data = crawl_data(settings)
        self.max_size = settings.getint("WARC_MAX_SIZE")
        self.gzip = settings.getbool("WARC_GZIP")
        self.gzip_level = settings.getint("WARC_GZIP_LEVEL")
        self.index_from_writer = settings.getbool("WARC_INDEX_FROM_WRITER")
        self.user_agent = settings.get("USER_AGENT")
        self.worker = settings.get("PORTAL_WORKER_ID")
        self.staging_locked = False
        self.clock: Callable[[], datetime] = load_object(settings.get("PORTAL_CAPTURE_CLOCK"))
        self.writer: RollingWarcWriter | None = None
        self.catalog = session.catalog
        # Captures are written this many at a time (or with the pipeline's next batch):
        # one commit each was a tenth of the catalog's cost (crawler/settings.py).
        self.catalog.capture_batch = settings.getint("PORTAL_CATALOG_BATCH_SIZE")
        self.run_id = session.run_id
        self.site = session.series  # the WARC series: per host for a generic crawl

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcCaptureMiddleware:
        if not crawler.settings.getbool("WARC_ENABLED"):
            raise NotConfigured
        mw = cls(crawler, session_of(crawler))
        crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    def spider_opened(self, spider: Spider) -> None:
        if not self.session.locked:
            return  # the session stops the crawl: another one holds the site
        site = self.site
        if not self._lock_staging():
            return
        self._heal(site)
        self.writer = RollingWarcWriter(
            self.data.staging_warc,
            site,
            max_size=self.max_size,
            gzip=self.gzip,
            gzip_level=self.gzip_level,
            info={
                "software": self.user_agent.split(" (", 1)[0],
                "http-header-user-agent": self.user_agent,
                "isPartOf": site,
                "operator": "portal-archive",
                "description": f"crawl {self.run_id} of site {site}",
                "robots": "obey",
                # Scrapy normalises header names and order; the bytes of each body and
                # header value are as received.
                "http-headers": "names title-cased by Scrapy; reason phrases standard",
            },
            on_close=self._index_file,
            worker=self.worker,
            shipped_root=self.data.warc if self.data.staged else None,
        )

    def _lock_staging(self) -> bool:
        """With shared storage, hold the series' lock in the staging folder while writing
        there: the guard against another crawl's heal shipping a file still being
        written (archive/heal.py), whatever guards the series across machines."""
        if not self.data.staged:
            return True  # the session's lock is that folder's
        try:
            acquire(self.data.staging, self.site)
        except PortalArchiveError as exc:
            self._fatal(str(exc))
            return False
        self.staging_locked = True
        return True

    def _heal(self, site: str) -> None:
        """What a killed crawl left (a file .open or unindexed, temporary files, a run
        still `running`) is put right before this crawl writes: see archive/heal.py."""
        try:
            done = heal_site(self.data, self.catalog, site, self.run_id)
            # Per staging folder: where the leftovers of other crawls are (the archive
            # itself without shared storage).
            if self.data.staging.resolve() not in _HEALED_OTHERS:
                # Once per process and data folder, not per site: a pool of 300 sites
                # would otherwise scan every site's folder 300 times (crawler/pool.py).
                _HEALED_OTHERS.add(self.data.staging.resolve())
                done += heal_other_sites(self.data, site)
        except (OSError, CatalogError) as exc:
            self._fatal(f"could not repair what an earlier crawl left in {self.data.staging}:"
                        f" {getattr(exc, 'strerror', None) or reason_of(exc)}")
            return
        for line in done:
            logger.warning("%s", line)
        self.stats.set_value("heal/repairs", len(done))

    def _index_file(self, path: Path, lines: list[str] | None) -> None:
        # Each file is indexed as it closes (at rollover or at the end), never per record,
        # from the lines its writer kept (None: cdxj-indexer reads the file again).
        if _PAUSE_BEFORE_INDEX:
            time.sleep(float(_PAUSE_BEFORE_INDEX))
        if not self.index_from_writer:
            lines = None
        try:
            if self.data.staged:  # to shared storage, indexed there (archive/ship.py)
                added = ship(self.data, path, lines)
            else:
                added = add_to_index(self.data.index, self.site, self.data.warc, [path], lines)
        except (OSError, PortalArchiveError) as exc:
            # A full disk: the file is closed and whole; the next crawl indexes (ships) it.
            self._fatal(f"could not {'ship' if self.data.staged else 'index'} {path}:"
                        f" {getattr(exc, 'strerror', None) or exc}")
            return
        self.stats.inc_value("index/lines_added", added)
        self.stats.inc_value("index/files_from_writer" if lines is not None
                             else "index/files_read_again")

    def spider_closed(self, spider: Spider) -> None:
        # The session closes the catalog and releases the lock, after every handler.
        try:
            self.catalog.write_queued()
        except CatalogError as exc:
            self._fatal(f"could not write the catalog {self.catalog.label}: {reason_of(exc)}")
        if self.writer is not None:
            self.writer.close()
            files = list(self.writer.closed_files)
            self.stats.set_value("warc/files", len(files))
            self.stats.set_value("warc/file_list", files)
        if self.staging_locked:
            release(self.data.staging, self.site)
            self.staging_locked = False

    def _fatal(self, message: str) -> None:
        stop_crawl(self.crawler, message)

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        if "cached" in response.flags or request.meta.get("dont_archive"):
            return response
        if self.stats.get_value("portal/fatal"):
            raise IgnoreRequest("the crawl is stopping")  # never pass on what was not archived
        if self.writer is None:  # response before spider_opened
            return response
        moment = self.clock()  # the one clock reading for this capture
        date = warc_date(moment)
        digest = payload_digest(response.body)
        original = self._original(request, response, digest)
        profile = revisit_profile(response.status, digest, original)
        http_headers = _response_headers(response)
        warc_headers = {"WARC-Date": date}
        if response.ip_address is not None:
            warc_headers["WARC-IP-Address"] = str(response.ip_address)
        if profile is not None:
            assert original is not None
            first = revisit_record(
                self.writer.builder, response.url, profile, original, http_headers, warc_headers
            )
        else:
            # The payload digest is already known (the revisit check needs it): given,
            # warcio does not read the body a second time for it.
            first = self.writer.builder.create_warc_record(
                response.url, "response", payload=BytesIO(response.body),
                length=len(response.body), http_headers=http_headers,
                warc_headers_dict={**warc_headers, "WARC-Payload-Digest": digest},
            )
        record_id = first.rec_headers.get_header("WARC-Record-ID")
        request_record = self.writer.builder.create_warc_record(
            response.url, "request", payload=BytesIO(request.body), length=len(request.body),
            http_headers=_request_headers(request, response.url),
            warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": record_id},
        )
        try:
            location, request_location = self.writer.write([first, request_record], moment)
        except OSError as exc:
            # The writer cut the partial record; the file is closed as usual at the end.
            self._fatal(f"could not write WARC in {self.data.warc}: {exc.strerror or exc}")
            raise IgnoreRequest(reason_of(exc)) from exc
        if profile == IDENTICAL_PAYLOAD and original is not None:
            # The article JSON points at a response record, as the contract says: the
            # original this revisit names holds the same payload.
            request.meta["warc"] = {
                "file": original.file, "offset": original.offset,
                "record_id": original.record_id,
            }
            request.meta["captured_at"] = original.warc_date
        else:
            request.meta["warc"] = {
                "file": location.file, "offset": location.offset, "record_id": record_id,
            }
            request.meta["captured_at"] = date
        try:
            self._catalogue(response, first, location, date, original if profile else None)
        except CatalogError as exc:
            self._fatal(f"could not write the catalog {self.catalog.label}: {reason_of(exc)}")
            raise IgnoreRequest(reason_of(exc)) from exc
        self.stats.inc_value("warc/records", 2)
        self.stats.inc_value("warc/bytes", location.length + request_location.length)
        self.stats.inc_value("warc/revisits" if profile else "warc/responses")
        return response

    def _original(self, request: Request, response: Response, digest: str) -> Original | None:
        """The full response record this capture would be a revisit of, or None.

        Found in the catalog (an index on URL and digest, never a WARC scan) among the
        URL's earlier captures: a 304 refers to the capture our condition was made
        from; any other answer to an earlier one with the same payload and status, so
        a 503 in between does not make the next 200 a second full copy. Dedup stays
        within one URL (see the README).
        """
        if request.meta.get("dont_revisit"):
            return None  # NotModifiedMiddleware found the original unreadable
        url = response.url
        if response.status == 304:
            condition = request.meta.get(CONDITION)
            row: Any = condition if condition is not None and condition["url"] == url else (
                self.catalog.latest_response(url, status=200))
        else:
            row = self.catalog.response_with_payload(url, digest, response.status)
        if row is None or not row["payload_digest"]:
            return None
        return Original(
            row["url"], row["captured_at"], row["record_id"], row["payload_digest"], row["status"],
            file=row["file"] if response.status == 304 else row["warc_file"],
            offset=row["offset"] if response.status == 304 else row["warc_offset"],
        )

    def _catalogue(
        self, response: Response, record: Any, location: Any, date: str,
        original: Original | None,
    ) -> None:
        self.catalog.queue_capture(
            Capture(
                run_id=self.run_id,
                url=response.url,
                captured_at=date,
                status=response.status,
                mime=_mime(response),
                payload_digest=record.rec_headers.get_header("WARC-Payload-Digest"),
                record_id=record.rec_headers.get_header("WARC-Record-ID"),
                record_type=record.rec_type,
                warc_file=location.file,
                warc_offset=location.offset,
                warc_length=location.length,
                refers_to=original.record_id if original else None,
                etag=_header(response, b"ETag"),
                last_modified=_header(response, b"Last-Modified"),
            )
        )


def _response_headers(response: Response) -> WireHeaders:
    try:
        reason = HTTPStatus(response.status).phrase
    except ValueError:
        reason = ""
    protocol = response.protocol or "HTTP/1.1"
    # Values as received (raw UTF-8 in Location and Content-Disposition included).
    headers = [
        (from_wire(name), from_wire(value))
        for name, values in response.headers.items()
        if name.lower() not in _DROP_RESPONSE_HEADERS
        for value in values
    ]
    return WireHeaders(f"{response.status} {reason}".strip(), headers, protocol=protocol)


def _request_headers(request: Request, url: str) -> WireHeaders:
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = [("Host", parts.netloc)]
    headers += [
        (from_wire(name), from_wire(value))
        for name, values in request.headers.items()
        for value in values
    ]
    return WireHeaders(f"{request.method} {target} HTTP/1.1", headers, is_http_request=True)


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def _mime(response: Response) -> str | None:
    value = response.headers.get(b"Content-Type")
    if not value:
        return None
    return value.decode("latin-1").split(";", 1)[0].strip().lower() or None
