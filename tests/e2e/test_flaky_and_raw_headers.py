"""Dedup that survives flaky pages, and header bytes as received (issue 8, points 3, 4).

One hostile portal, crawled three times by the real CLI (no retries, so each crawl
sees exactly one answer per page):

* a flaky article: its usual bytes, then a 503, then its usual bytes again;
* an article with an ETag: 200, then 503, then 304 to a condition from the 200;
* an image that is missing: the same 404 page every time;
* a redirect whose ``Location`` is raw UTF-8 (``/tin/Hội-nghị.html``) to a page whose
  ``Content-Disposition`` is raw UTF-8 too, as Vietnamese CMSs send them.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from warcio.archiveiterator import ArchiveIterator

from portal_archive.archive.catalog import Catalog
from portal_archive.archive.revisit import IDENTICAL_PAYLOAD, SERVER_NOT_MODIFIED

from ..archive.test_replay import follow, get, serving_replay
from ..conftest import TEST_CRAWL_SETTINGS, run_cli
from ..hostile import HostileServer, Route, not_modified_if, page, respond, sequence

CRAWLS = 3


def article(title: str) -> bytes:
    return (
        f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
        f"<p>Ngày 26/6, {title} được tổ chức tại hội trường tỉnh với nhiều đại biểu.</p>"
        "</article></body></html>"
    ).encode()


FLAKY = "/tin/bai-viet-chap-chon-101.html"
FLAKY_BODY = article("Bài viết chập chờn")
ETAGGED = "/tin/bai-viet-co-etag-102.html"
ETAG = b'"v1-102"'
MISSING_IMAGE = "/anh/khong-co.jpg"
REDIRECT = "/tin/chuyen-trang-103.html"
TARGET = "/tin/Hội-nghị-103.html"
# Raw UTF-8 on the wire, as sent; Scrapy asks for the target percent-encoded.
LOCATION = TARGET.encode()
DISPOSITION = 'inline; filename="Báo cáo Hội nghị.html"'.encode()
TARGET_BODY = article("Hội nghị Ban Chấp hành")

LISTING = f"""<html><body><ul>
<li><a href="{FLAKY}">Bài viết chập chờn hôm nay</a></li>
<li><a href="{ETAGGED}">Bài viết có thẻ ETag hôm nay</a></li>
<li><a href="{REDIRECT}">Bài viết đã chuyển trang mới</a></li>
</ul><img src="{MISSING_IMAGE}"></body></html>"""


def unavailable() -> Route:
    return page(b"<html><body>B\xe1\xba\xa3o tr\xc3\xac</body></html>", status=503)


def redirect(handler) -> None:  # noqa: ANN001
    respond(handler, 302, [(b"Location", LOCATION), (b"Content-Type", b"text/html")], b"")


@dataclass
class Archive:
    data: Path
    server: HostileServer

    def url(self, path: str) -> str:
        return self.server.url(path)

    def captures(self, path: str) -> list:
        catalog = Catalog(self.data / "catalog.sqlite")
        try:
            return [dict(row) for row in catalog.captures(self.url(path))]
        finally:
            catalog.close()

    def record(self, capture: dict, parse: bool = True):  # noqa: ANN201
        """The record a capture names, read back with warcio; unparsed, its raw_stream
        is the whole block as stored, HTTP header bytes included."""
        with open(self.data / "warc" / capture["warc_file"], "rb") as stream:
            stream.seek(capture["warc_offset"])
            record = next(ArchiveIterator(stream, no_record_parse=not parse))
            return record, record.raw_stream.read()


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    etagged = page(article("Bài viết có thẻ ETag"), headers=[(b"ETag", ETAG)])
    routes = {
        "/": page(LISTING),
        FLAKY: sequence(page(FLAKY_BODY), unavailable(), page(FLAKY_BODY)),
        ETAGGED: sequence(etagged, unavailable(), not_modified_if(ETAG, etagged)),
        REDIRECT: redirect,
        quote(TARGET): page(TARGET_BODY, headers=[(b"Content-Disposition", DISPOSITION)]),
    }
    data = tmp_path_factory.mktemp("flaky")
    with HostileServer(routes) as server:
        args = ["crawl", "--listing", server.url("/"), "--data", str(data)]
        for name, value in {**TEST_CRAWL_SETTINGS, "RETRY_TIMES": "0"}.items():
            args += ["-s", f"{name}={value}"]
        for _ in range(CRAWLS):
            result = run_cli(*args)
            assert result.returncode == 0, result.stderr[-3000:]
        yield Archive(data, server)


# -- point 3: dedup that survives flaky pages -----------------------------------------------
def test_a_page_that_failed_once_is_not_stored_again(archive: Archive) -> None:
    first, failed, third = archive.captures(FLAKY)
    assert [c["status"] for c in (first, failed, third)] == [200, 503, 200]
    assert [c["record_type"] for c in (first, failed, third)] == ["response", "response",
                                                                   "revisit"]
    assert third["refers_to"] == first["record_id"]
    record, _ = archive.record(third)
    original, _ = archive.record(first)
    headers = record.rec_headers
    assert headers.get_header("WARC-Profile") == IDENTICAL_PAYLOAD
    assert headers.get_header("WARC-Refers-To") == first["record_id"]
    assert headers.get_header("WARC-Refers-To-Date") == original.rec_headers.get_header(
        "WARC-Date")
    assert headers.get_header("WARC-Payload-Digest") == original.rec_headers.get_header(
        "WARC-Payload-Digest")
    assert record.http_headers.get_statuscode() == "200"


def test_the_flaky_pages_bytes_are_stored_once(archive: Archive) -> None:
    stored = 0
    for path in sorted((archive.data / "warc").rglob("*.warc.gz")):
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type in ("response", "revisit"):
                    stored += record.content_stream().read() == FLAKY_BODY
    assert stored == 1


def test_a_condition_after_a_503_is_made_from_the_last_200(archive: Archive) -> None:
    asked = [headers for path, headers in archive.server.requests if path == ETAGGED]
    assert len(asked) == CRAWLS
    assert asked[2].get("If-None-Match") == ETAG.decode()
    first, failed, third = archive.captures(ETAGGED)
    assert [c["status"] for c in (first, failed, third)] == [200, 503, 304]
    assert third["record_type"] == "revisit" and third["refers_to"] == first["record_id"]
    record, _ = archive.record(third)
    assert record.rec_headers.get_header("WARC-Profile") == SERVER_NOT_MODIFIED


def test_the_same_error_page_is_a_revisit_with_its_own_status(archive: Archive) -> None:
    first, *later = archive.captures(MISSING_IMAGE)
    assert len(later) == CRAWLS - 1
    assert first["status"] == 404 and first["record_type"] == "response"
    for capture in later:
        assert capture["record_type"] == "revisit"
        assert capture["refers_to"] == first["record_id"]
        record, _ = archive.record(capture)
        assert record.rec_headers.get_header("WARC-Profile") == IDENTICAL_PAYLOAD
        # Its own HTTP block: replay shows a 404, not the original's status by accident.
        assert record.http_headers.get_statuscode() == "404"


# -- point 4: bytes as received -------------------------------------------------------------
@pytest.mark.parametrize(("path", "name", "value"), [
    (REDIRECT, b"Location", LOCATION),
    (quote(TARGET), b"Content-Disposition", DISPOSITION),
])
def test_raw_utf8_headers_are_stored_byte_for_byte(
    archive: Archive, path: str, name: bytes, value: bytes
) -> None:
    captures = archive.captures(path)
    assert [c["record_type"] for c in captures] == ["response"] + ["revisit"] * (CRAWLS - 1)
    for capture in captures:  # a revisit's own HTTP block too
        _, block = archive.record(capture, parse=False)
        http_headers = block.split(b"\r\n\r\n", 1)[0]
        assert b"\r\n" + name + b": " + value + b"\r\n" in http_headers + b"\r\n"
        assert b"%" not in http_headers
    record, _ = archive.record(captures[0])
    assert record.http_headers.get_header(name.decode()) == value.decode()


def test_warcio_check_and_verify_accept_the_archive(archive: Archive) -> None:
    files = sorted((archive.data / "warc").rglob("*.warc.gz"))
    warcio = Path(sys.executable).parent / "warcio"
    proc = subprocess.run([str(warcio), "check", "-v", *map(str, files)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "digest pass" in proc.stdout
    result = run_cli("verify", "--data", str(archive.data), timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def replay(archive: Archive, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``portal-archive replay`` (real pywb) over the archive."""
    with serving_replay(archive.data, tmp_path_factory.mktemp("replay-log") / "r.log") as url:
        yield url


def replay_path(archive: Archive, path: str, mode: str) -> str:
    stamp = archive.captures(path)[0]["captured_at"]
    timestamp = "".join(ch for ch in stamp if ch.isdigit())[:14]
    return f"/all/{timestamp}{mode}/{archive.url(path)}"


def test_replay_follows_a_raw_utf8_redirect(archive: Archive, replay: str) -> None:
    moved = get(replay, replay_path(archive, REDIRECT, "mp_"))
    assert moved.status == 302
    assert moved.headers["Location"].endswith(archive.url(quote(TARGET)))
    landed = follow(replay, replay_path(archive, REDIRECT, "mp_"))
    assert landed.status == 200, landed.body[:300]
    assert "Hội nghị Ban Chấp hành".encode() in landed.body


@pytest.mark.parametrize(("path", "name", "value"), [
    (REDIRECT, "Location", LOCATION),
    (quote(TARGET), "Content-Disposition", DISPOSITION),
])
def test_replay_sends_raw_utf8_headers_as_archived(
    archive: Archive, replay: str, path: str, name: str, value: bytes
) -> None:
    # id_ is pywb's "as archived" mode; pywb alone would drop these headers.
    reply = get(replay, replay_path(archive, path, "id_"))
    assert reply.headers[name] is not None, reply.headers
    assert reply.headers[name].encode("latin-1") == value  # http.client reads latin-1


def test_a_version_lost_in_a_crash_points_at_the_original_response(tmp_path: Path) -> None:
    """A kill after the capture, before the version: the next crawl's capture is a
    revisit, and the version it writes must point at the response record it revisits."""
    import json
    import shutil
    import sqlite3

    routes = {"/": page(LISTING), FLAKY: page(FLAKY_BODY)}
    data = tmp_path / "data"
    with HostileServer(routes) as server:
        args = ["crawl", "--listing", server.url("/"), "--data", str(data)]
        for name, value in TEST_CRAWL_SETTINGS.items():
            args += ["-s", f"{name}={value}"]
        assert run_cli(*args).returncode == 0
        with sqlite3.connect(data / "catalog.sqlite") as db:
            db.execute("DELETE FROM versions")
            db.execute("DELETE FROM articles")
        shutil.rmtree(data / "json")
        again = run_cli(*args)
        assert again.returncode == 0, again.stderr
        [first, second] = [c for c in Archive(data, server).captures(FLAKY)]
    assert (first["record_type"], second["record_type"]) == ("response", "revisit")
    [written] = (data / "json").rglob("*.json")
    pointer = json.loads(written.read_text("utf-8"))
    assert pointer["warc"]["record_id"] == first["record_id"]
    assert pointer["captured_at"] == first["captured_at"]
    verify = run_cli("verify", "--data", str(data))
    assert verify.returncode == 0, verify.stdout
