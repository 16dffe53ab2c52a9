"""Only the web is fetched: the WebOnlyMiddleware alone, then a real crawl of a hostile
portal whose pages point at local files, a silent FTP server, javascript:, mailto:,
data: and tel: URLs."""

from __future__ import annotations

import gzip
import re
import secrets
import time
from pathlib import Path

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from portal_archive.crawler import settings as project
from portal_archive.crawler.middlewares.webonly import WebOnlyMiddleware
from tests.conftest import TEST_CRAWL_SETTINGS, CliResult, run_cli
from tests.hostile import HostileServer, SilentListener, page

PROJECT = {name: getattr(project, name) for name in dir(project) if name.isupper()}


class _Spider(Spider):
    name = "t"


def _middleware(listing: str, **settings: object) -> WebOnlyMiddleware:
    crawler = get_crawler(_Spider, settings_dict={**PROJECT, **settings})
    crawler.stats.open_spider()
    spider = _Spider()
    spider.listing_urls = [listing]  # type: ignore[attr-defined]
    mw = build_from_crawler(WebOnlyMiddleware, crawler)
    mw.spider_opened(spider)
    return mw


def _refused(mw: WebOnlyMiddleware, url: str) -> bool:
    try:
        mw.process_request(Request(url))
    except IgnoreRequest:
        return True
    return False


@pytest.mark.parametrize("url", [
    "file:///proc/self/environ", "FILE:///etc/passwd", "ftp://127.0.0.1:21/a.jpg",
    "s3://bucket/key", "data:image/png;base64,AAAA", "about:blank",
])
def test_non_web_schemes_are_refused_and_counted(url: str) -> None:
    mw = _middleware("http://127.0.0.1:8089/")
    assert _refused(mw, url)
    scheme = url.split(":", 1)[0].lower()
    assert mw.stats.get_value(f"urls/dropped/{scheme}") == 1


PRIVATE = ["http://127.0.0.1/a.jpg", "http://localhost:8080/", "http://[::1]/x.css",
           "http://10.0.0.5/x", "http://192.168.1.1/", "http://169.254.169.254/latest/",
           "http://2130706433/", "http://0.0.0.0/"]


@pytest.mark.parametrize("url", PRIVATE)
def test_a_public_site_cannot_reach_private_addresses(url: str) -> None:
    mw = _middleware("https://www.tuyenquang.gov.vn/tin-tuc")
    assert _refused(mw, url)
    assert mw.stats.get_value("urls/dropped/private") == 1
    assert not _refused(mw, "https://cdn.example.com/anh/1.jpg")  # a CDN stays allowed


@pytest.mark.parametrize("url", PRIVATE)
def test_a_private_site_or_the_setting_allows_private_addresses(url: str) -> None:
    assert not _refused(_middleware("http://127.0.0.1:8089/tin-tuc"), url)
    assert not _refused(_middleware("https://portal.gov.vn/", PORTAL_ALLOW_PRIVATE_HOSTS=True),
                        url)


# -- a real crawl of a hostile portal --------------------------------------------------
ARTICLE = ("<html><head><title>Bài {n}</title></head><body><h1>Hội nghị Ban Chấp hành số {n}"
           "</h1><p>Ngày 26/6, Ban Thường vụ Tỉnh ủy tổ chức hội nghị lần thứ {n} để bàn về"
           " công tác xây dựng Đảng.</p>{extra}</body></html>")


def _hostile_tags(secret: Path, ftp: int) -> str:
    """Every way a page here names a URL, each with every non-web scheme."""
    bad = [f"file://{secret}", "file:///proc/self/environ", f"ftp://127.0.0.1:{ftp}/a.jpg",
           "JavaScript:void(0)", "javascript:alert(1)", "mailto:banbientap@tuyenquang.gov.vn",
           "data:image/gif;base64,R0lGODlhAQABAAAAACw=", "tel:+842073822222", "about:blank"]
    tags = []
    for url in bad:
        tags += [f'<img src="{url}">', f'<img data-src="{url}">',
                 f'<img srcset="{url} 1x, /anh/tot.jpg 2x">',
                 f'<link rel="stylesheet" href="{url}">', f'<script src="{url}"></script>',
                 f'<a href="{url}">Đường dẫn độc hại tới bài viết số {len(tags)} của cổng</a>']
    return "\n".join(tags)


@pytest.fixture(scope="module")
def hostile_crawl(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("hostile")
    marker = f"PORTAL-SECRET-{secrets.token_hex(8)}"
    secret = tmp / "secret.html"  # looks like an article link, too
    secret.write_text(f"<html><body><h1>{marker}</h1></body></html>")
    env_marker = f"PORTAL-ENV-{secrets.token_hex(8)}"
    with SilentListener() as ftp:
        tags = _hostile_tags(secret, ftp.port)
        listing1 = (f"<html><head><link rel='next' href='javascript:void(0)'></head><body>"
                    f"{tags}<a href='/tin/1001.html'>Hội nghị Ban Chấp hành số một</a>"
                    f"<a href=\"javascript:__doPostBack('pager','2')\">Trang sau</a>"
                    f"<a href='/list?page=2'>Trang sau</a></body></html>")
        listing2 = ("<html><body><a href='/tin/1002.html'>Hội nghị Ban Chấp hành số hai</a>"
                    "</body></html>")
        routes = {
            "/list": page(listing1), "/list?page=2": page(listing2),
            "/tin/1001.html": page(ARTICLE.format(n=1, extra=tags)),
            "/tin/1002.html": page(ARTICLE.format(n=2, extra="")),
            "/anh/tot.jpg": page(b"\xff\xd8\xff\xe0 a jpeg", content_type=b"image/jpeg"),
        }
        with HostileServer(routes) as server:
            data = tmp / "data"
            settings = {**TEST_CRAWL_SETTINGS, "DOWNLOAD_TIMEOUT": "30", "LOG_LEVEL": "DEBUG"}
            args = ["crawl", "--listing", server.url("/list"), "--data", str(data), "-v"]
            for name, value in settings.items():
                args += ["-s", f"{name}={value}"]
            started = time.monotonic()
            result = run_cli(*args, env={"PORTAL_TEST_TOKEN": env_marker})
            elapsed = time.monotonic() - started
            hits = dict(server.hits)
        ftp_connections = ftp.connections
    return {"data": data, "result": result, "elapsed": elapsed, "hits": hits,
            "markers": (marker, env_marker), "ftp_connections": ftp_connections}


def _stat(result: CliResult, name: str) -> int:
    match = re.search(rf"'{re.escape(name)}': (\d+)", result.stderr)
    return int(match.group(1)) if match else 0


def test_hostile_crawl_finishes_quickly_and_follows_the_good_links(hostile_crawl) -> None:
    result = hostile_crawl["result"]
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr and "spider_exceptions" not in result.stderr
    # The silent FTP server would hold the crawl for DOWNLOAD_TIMEOUT (30 s).
    assert hostile_crawl["elapsed"] < 15
    assert hostile_crawl["ftp_connections"] == 0
    hits = hostile_crawl["hits"]
    for path in ("/list", "/list?page=2", "/tin/1001.html", "/tin/1002.html", "/anh/tot.jpg"):
        assert hits.get(path) == 1, (path, hits)
    assert _stat(result, "article/new") == 2


def test_every_non_web_url_is_dropped_with_a_stat_and_a_debug_line(hostile_crawl) -> None:
    result = hostile_crawl["result"]
    # Two pages carry the tags (the listing's <a> links are read as article links, not
    # counted); each page's img/data-src/srcset/link/script name each bad URL once.
    for scheme in ("file", "ftp", "javascript", "mailto", "data", "tel", "about"):
        assert _stat(result, f"urls/dropped/{scheme}") >= 2, scheme
    assert _stat(result, "urls/dropped/javascript") >= 4  # JavaScript: and javascript:
    assert re.search(r"DEBUG: not fetching 'file:///proc/self/environ' from http://127",
                     result.stderr)


def test_no_local_file_reaches_the_archive(hostile_crawl) -> None:
    data: Path = hostile_crawl["data"]
    warcs = sorted((data / "warc").rglob("*.warc.gz"))
    assert warcs
    archived = b"".join(gzip.decompress(path.read_bytes()) for path in warcs)
    index = b"".join(path.read_bytes() for path in (data / "index").rglob("*.cdxj"))
    assert b"file://" not in index and b"ftp://" not in index
    for marker in hostile_crawl["markers"]:
        assert marker.encode() not in archived
        assert marker.encode() not in index
        for path in data.rglob("*"):
            if path.is_file():
                assert marker.encode() not in path.read_bytes(), path
