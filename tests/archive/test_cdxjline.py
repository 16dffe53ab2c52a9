"""The writer's own index lines against cdxj-indexer reading the same WARC back."""

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

from portal_archive.archive.cdxj import index_warcs
from portal_archive.archive.cdxjline import sorted_lines
from portal_archive.archive.httpheaders import WireHeaders
from portal_archive.archive.revisit import (
    IDENTICAL_PAYLOAD,
    SERVER_NOT_MODIFIED,
    Original,
    payload_digest,
    revisit_record,
)
from portal_archive.archive.warcfile import RollingWarcWriter, warc_date

MOMENT = datetime(2025, 6, 27, 9, 22, 0, 123456, tzinfo=UTC)
BODY = b"<html><body>bai viet</body></html>"


class Closed:
    """What the writer told of each closed file."""

    def __init__(self) -> None:
        self.files: list[tuple[Path, list[str] | None]] = []

    def __call__(self, path: Path, lines: list[str] | None) -> None:
        self.files.append((path, lines))


def _capture(writer: RollingWarcWriter, url: str, moment: datetime, *,
             status: str = "200 OK", headers: list[tuple[str, str]] | None = None,
             revisit: str | None = None, original: Original | None = None) -> Original:
    """A response (or revisit) and its request record, written as the middleware does."""
    date = warc_date(moment)
    http = WireHeaders(status, headers if headers is not None else
                       [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
    if revisit is not None:
        assert original is not None
        first = revisit_record(writer.builder, url, revisit, original, http,
                               {"WARC-Date": date})
    else:
        first = writer.builder.create_warc_record(
            url, "response", payload=io.BytesIO(BODY), length=len(BODY), http_headers=http,
            warc_headers_dict={"WARC-Date": date, "WARC-IP-Address": "127.0.0.1"})
    record_id = first.rec_headers.get_header("WARC-Record-ID")
    request = writer.builder.create_warc_record(
        url, "request", payload=io.BytesIO(b""), length=0,
        http_headers=WireHeaders("GET /a HTTP/1.1", [("Host", "x.test")], is_http_request=True),
        warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": record_id})
    location, _ = writer.write([first, request], moment)
    return Original(url, date, record_id, payload_digest(BODY), int(status.split()[0]),
                    file=location.file, offset=location.offset)


def _crawl(writer: RollingWarcWriter) -> None:
    step = timedelta(seconds=1)
    first = _capture(writer, "http://x.test/a", MOMENT)
    _capture(writer, "http://x.test/a", MOMENT + step, revisit=IDENTICAL_PAYLOAD, original=first)
    _capture(writer, "http://x.test/a", MOMENT + 2 * step, status="304 Not Modified",
             revisit=SERVER_NOT_MODIFIED, original=first)
    _capture(writer, "http://X.test:80/b?z=1&a=2", MOMENT, status="301 Moved Permanently",
             headers=[("Location", "/c"), ("Content-Type", "TEXT/HTML ;x=y")])
    _capture(writer, "http://x.test/empty-type", MOMENT, headers=[("Content-Type", "")])
    _capture(writer, "http://x.test/no-type", MOMENT, status="404", headers=[])
    _capture(writer, "http://x.test/a", MOMENT)  # the same second twice: two lines


def test_writer_lines_are_cdxj_indexers_byte_for_byte(tmp_path: Path) -> None:
    closed = Closed()
    writer = RollingWarcWriter(tmp_path, "demo", on_close=closed)
    _crawl(writer)
    writer.close()
    [(path, lines)] = closed.files
    assert lines is not None
    theirs = index_warcs(tmp_path, [path])
    assert len(theirs) == 7  # responses and revisits; no request, no warcinfo
    assert sorted_lines(lines) == theirs
    assert sum('"mime": "warc/revisit"' in line for line in theirs) == 2


def test_an_uncompressed_file_is_left_to_cdxj_indexer(tmp_path: Path) -> None:
    closed = Closed()
    writer = RollingWarcWriter(tmp_path, "demo", gzip=False, on_close=closed)
    _crawl(writer)
    writer.close()
    assert [lines for _, lines in closed.files] == [None]


def test_each_file_its_own_lines_at_rollover(tmp_path: Path) -> None:
    closed = Closed()
    writer = RollingWarcWriter(tmp_path, "demo", max_size=1500, on_close=closed)
    _crawl(writer)
    writer.close()
    assert len(closed.files) > 2
    for path, lines in closed.files:
        assert lines is not None
        assert sorted_lines(lines) == index_warcs(tmp_path, [path])


def test_a_header_not_read_back_as_written_leaves_the_file_to_cdxj_indexer(
    tmp_path: Path,
) -> None:
    closed = Closed()
    writer = RollingWarcWriter(tmp_path, "demo", on_close=closed)
    _capture(writer, "http://x.test/a", MOMENT)
    # Raw UTF-8 in the type: warcio reads it back decoded, the writer holds it escaped.
    _capture(writer, "http://x.test/odd", MOMENT,
             headers=[("Content-Type", b"text/html; name=H\xe1\xbb\x99i".decode(
                 "utf-8", "surrogateescape"))])
    writer.close()
    writer_lines = [lines for _, lines in closed.files]
    assert writer_lines == [None]
    _capture(writer, "http://x.test/a", MOMENT)  # the next file starts over, known again
    writer.close()
    assert closed.files[1][1] is not None
    assert sorted_lines(closed.files[1][1]) == index_warcs(tmp_path, [closed.files[1][0]])
