import gzip
from pathlib import Path

from scrapy import Request, Spider
from scrapy.http import HtmlResponse
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler
from warcio.archiveiterator import ArchiveIterator

from portal_archive.archive.catalog import Catalog
from portal_archive.crawler import settings as project
from portal_archive.crawler.middlewares.warc import WarcCaptureMiddleware
from portal_archive.crawler.session import CrawlSession

PROJECT = {name: getattr(project, name) for name in dir(project) if name.isupper()}
HTML = "<html><body><h1>Hội nghị Huyện uỷ</h1></body></html>".encode()


class _Spider(Spider):
    name = "t"
    site_id = "demo"
    run_id = "demo-test-run"


def _middleware(tmp_path: Path, **settings) -> tuple[WarcCaptureMiddleware, Spider]:
    crawler = get_crawler(
        _Spider, settings_dict={**PROJECT, "PORTAL_DATA_DIR": str(tmp_path), **settings}
    )
    spider = _Spider()
    crawler.spider = spider
    crawler.stats.open_spider()
    # The crawl's session, handed over as Scrapy's extension manager would.
    mw = WarcCaptureMiddleware(crawler, CrawlSession(crawler))
    mw.spider_opened(spider)
    return mw, spider


def _records(tmp_path: Path) -> list:
    out = []
    for path in sorted((tmp_path / "warc" / "demo").glob("*.warc.gz")):
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream):
                out.append((record, record.content_stream().read(), record.raw_stream))
    return out


def test_gzip_body_is_archived_as_it_came_off_the_wire(tmp_path: Path) -> None:
    mw, spider = _middleware(tmp_path)
    wire = gzip.compress(HTML)
    request = Request("http://127.0.0.1:1/tin-tuc/a-1.html", headers={"Accept-Encoding": "gzip"})
    response = HtmlResponse(
        request.url,
        body=wire,
        request=request,
        headers={"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip",
                 "Transfer-Encoding": "chunked"},
    )
    assert mw.process_response(request, response, spider) is response
    mw.spider_closed(spider)
    records = _records(tmp_path)
    types = [r.rec_type for r, _, _ in records]
    assert types == ["warcinfo", "response", "request"]
    resp = records[1][0]
    assert resp.http_headers.get_header("Content-Encoding") == "gzip"
    assert resp.http_headers.get_header("Transfer-Encoding") is None
    # content_stream() undoes the gzip: the stored payload is the wire's gzip, not Scrapy's body.
    assert records[1][1] == HTML
    req = records[2][0]
    assert req.rec_headers.get_header("WARC-Concurrent-To") == resp.rec_headers.get_header(
        "WARC-Record-ID"
    )
    assert req.http_headers.protocol == "GET"
    assert req.http_headers.get_header("Host") == "127.0.0.1:1"
    assert req.rec_headers.get_header("WARC-Date") == resp.rec_headers.get_header("WARC-Date")


def test_meta_points_at_the_response_record_and_catalog_agrees(tmp_path: Path) -> None:
    mw, spider = _middleware(tmp_path)
    request = Request("http://127.0.0.1:1/b.html")
    response = HtmlResponse(request.url, body=HTML, request=request, status=200)
    mw.process_response(request, response, spider)
    mw.spider_closed(spider)
    pointer = request.meta["warc"]
    path = tmp_path / "warc" / pointer["file"]
    with open(path, "rb") as stream:
        stream.seek(pointer["offset"])
        record = next(ArchiveIterator(stream))
    assert record.rec_type == "response"
    assert record.rec_headers.get_header("WARC-Record-ID") == pointer["record_id"]
    (capture,) = Catalog(tmp_path / "catalog.sqlite").captures(request.url)
    assert capture["record_id"] == pointer["record_id"]
    assert capture["warc_offset"] == pointer["offset"]
    assert capture["run_id"] == "demo-test-run"
    assert request.meta["captured_at"].endswith("Z")


def test_cached_and_dont_archive_responses_are_not_written(tmp_path: Path) -> None:
    mw, spider = _middleware(tmp_path)
    cached = Request("http://127.0.0.1:1/c.html")
    mw.process_response(
        cached, HtmlResponse(cached.url, body=HTML, request=cached, flags=["cached"]), spider
    )
    opted_out = Request("http://127.0.0.1:1/d.html", meta={"dont_archive": True})
    response = HtmlResponse(opted_out.url, body=HTML, request=opted_out)
    mw.process_response(opted_out, response, spider)
    mw.spider_closed(spider)
    assert [r.rec_type for r, _, _ in _records(tmp_path)] == []
    assert mw.stats.get_value("warc/records") is None


def test_redirects_are_archived_as_redirects(tmp_path: Path) -> None:
    mw, spider = _middleware(tmp_path)
    request = Request("http://127.0.0.1:1/old")
    response = HtmlResponse(
        request.url, status=301, body=b"", request=request,
        headers={"Location": "http://localhost:1/old"},
    )
    mw.process_response(request, response, spider)
    mw.spider_closed(spider)
    resp = _records(tmp_path)[1][0]
    assert resp.http_headers.get_statuscode() == "301"
    assert resp.http_headers.get_header("Location") == "http://localhost:1/old"


def test_disabled_by_setting(tmp_path: Path) -> None:
    import pytest
    from scrapy.exceptions import NotConfigured

    crawler = get_crawler(_Spider, settings_dict={"WARC_ENABLED": False})
    with pytest.raises(NotConfigured):
        build_from_crawler(WarcCaptureMiddleware, crawler)


def test_raw_header_bytes_are_written_as_received(tmp_path: Path) -> None:
    # Raw UTF-8 (Vietnamese CMSs) and a byte that is not UTF-8 at all (windows-1258).
    location = "/tin/Hội-nghị.html".encode()
    disposition = b'attachment; filename="B\xe1o c\xe1o.pdf"'
    mw, spider = _middleware(tmp_path)
    request = Request("http://127.0.0.1:1/chuyen")
    response = HtmlResponse(
        request.url, status=302, body=b"", request=request,
        headers={"Location": location, "Content-Disposition": disposition},
    )
    mw.process_response(request, response, spider)
    mw.spider_closed(spider)
    (path,) = (tmp_path / "warc" / "demo").glob("*.warc.gz")
    with open(path, "rb") as stream:
        blocks = [r.raw_stream.read() for r in ArchiveIterator(stream, no_record_parse=True)
                  if r.rec_type == "response"]
    (block,) = blocks
    assert b"\r\nLocation: " + location + b"\r\n" in block
    assert b"\r\nContent-Disposition: " + disposition + b"\r\n" in block
    resp = _records(tmp_path)[1][0]
    assert resp.http_headers.get_header("Location") == "/tin/Hội-nghị.html"
