"""End to end: the CLI crawls the real demo portal over HTTP; we read back what it wrote."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from portal_archive.archive.catalog import Catalog
from portal_archive.crawler.demo.content import DemoSite
from portal_archive.crawler.demo.portal import DemoPortal
from portal_archive.crawler.sites import series_of

from ..conftest import Crawl

# The fields of the cleaned article JSON (schema portal-archive.article/1, CONTRACT.md).
ARTICLE_FIELDS = (
    "schema", "url", "site", "category", "title", "published", "published_raw",
    "event_date", "lead", "body", "images", "authors", "source", "content_hash", "captured_at",
    "warc",
)


@dataclass
class Rec:
    type: str
    url: str
    record_id: str
    status: str | None
    headers: dict[str, str]
    raw: bytes  # the payload as stored (still content-encoded)
    content: bytes  # content_stream(): decoded


def read_warcs(data: Path) -> list[Rec]:
    out = []
    for path in sorted((data / "warc").rglob("*.warc.gz")):
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream):
                http = record.http_headers
                raw = record.raw_stream.read()
                out.append(
                    Rec(
                        record.rec_type,
                        record.rec_headers.get_header("WARC-Target-URI") or "",
                        record.rec_headers.get_header("WARC-Record-ID"),
                        http.get_statuscode() if http and record.rec_type == "response" else None,
                        dict(http.headers) if http else {},
                        raw,
                        b"",
                    )
                )
    return out


def json_files(data: Path) -> list[dict]:
    return [json.loads(p.read_text("utf-8")) for p in sorted((data / "json").rglob("*.json"))]


def good_articles(site: DemoSite) -> list:
    return [a for a in (site.article(i) for i in site.article_ids()) if a and not a.fault]


def _faults(site: DemoSite) -> dict:
    return {a.fault: a for a in (site.article(i) for i in site.article_ids()) if a and a.fault}


def test_summary_and_exit(first_crawl: Crawl) -> None:
    out = first_crawl.result.stdout
    assert "articles" in out and "WARC" in out and "records" in out
    # A pipe gets no progress line.
    assert "\r" not in first_crawl.result.stderr


def test_warcio_check_accepts_every_file(first_crawl: Crawl) -> None:
    files = sorted((first_crawl.data / "warc").rglob("*.warc.gz"))
    assert files and not list((first_crawl.data / "warc").rglob("*.open"))
    checker = [sys.executable, "-m", "warcio.cli", "check", "-v", *map(str, files)]
    proc = subprocess.run(checker, capture_output=True, text=True)
    if proc.returncode != 0 and "No module named" in proc.stderr:
        checker = [str(Path(sys.executable).parent / "warcio"), "check", "-v", *map(str, files)]
        proc = subprocess.run(checker, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "digest pass" in proc.stdout


def test_every_article_has_request_and_response_records(
    first_crawl: Crawl, portal: DemoPortal, demo_site: DemoSite
) -> None:
    records = read_warcs(first_crawl.data)
    responses = {r.url for r in records if r.type == "response"}
    requests = {r.url for r in records if r.type == "request"}
    for article in good_articles(demo_site):
        url = portal.base_url + article.path
        assert url in responses and url in requests, url


def test_gzip_bytes_are_kept_in_warc(first_crawl: Crawl, portal: DemoPortal) -> None:
    records = read_warcs(first_crawl.data)
    html = [r for r in records if r.type == "response" and "/tin-tuc/" in r.url
            and r.status == "200"]
    assert html
    for rec in html:
        assert rec.headers.get("Content-Encoding") == "gzip"
        assert rec.raw[:2] == b"\x1f\x8b", rec.url
    # The stored gzip decodes to exactly what the portal serves uncompressed.
    sample = html[0]
    with urllib.request.urlopen(sample.url) as live:
        assert gzip.decompress(sample.raw) == live.read()


def test_requisites_are_captured(
    first_crawl: Crawl, portal: DemoPortal, demo_site: DemoSite
) -> None:
    responses = {r.url: r for r in read_warcs(first_crawl.data) if r.type == "response"}
    assert portal.base_url + "/static/portal.css" in responses
    for article in good_articles(demo_site):
        for image in article.images:
            rec = responses.get(portal.base_url + image.path)
            assert rec is not None, image.path
            assert rec.raw[:2] == b"\xff\xd8"


def test_robots_txt_is_obeyed(first_crawl: Crawl, portal: DemoPortal) -> None:
    assert first_crawl.hits.get("/robots.txt", 0) >= 1
    assert not any(path.startswith("/noi-bo/") for path in first_crawl.hits)
    urls = {r.url for r in read_warcs(first_crawl.data)}
    assert not any("/noi-bo/" in url for url in urls)


def test_honest_user_agent(first_crawl: Crawl) -> None:
    records = read_warcs(first_crawl.data)
    agents = {r.headers.get("User-Agent") for r in records if r.type == "request"}
    assert len(agents) == 1
    assert agents.pop().startswith("portal-archive/")


def test_json_fields_match_the_portal(first_crawl: Crawl, portal: DemoPortal,
                                      demo_site: DemoSite) -> None:
    by_url = {doc["url"]: doc for doc in json_files(first_crawl.data)}
    expected = good_articles(demo_site)
    assert len(by_url) >= 20
    # Whatever a malformed page yields may be archived too; nothing else is extra.
    malformed = {portal.base_url + a.path for a in _faults(demo_site).values()
                 if a.fault == "malformed"}
    assert set(by_url) - {portal.base_url + a.path for a in expected} <= malformed
    for article in expected:
        doc = by_url[portal.base_url + article.path]
        assert set(doc) == set(ARTICLE_FIELDS)
        assert doc["schema"] == "portal-archive.article/1"
        assert doc["site"] == "demo"
        assert doc["published"] == article.published.isoformat(), article.path
        assert doc["published_raw"] == article.published_raw
        assert doc["event_date"] == article.event_date.isoformat(), article.path
        assert doc["title"] == article.title
        assert doc["category"] == article.category
        assert doc["lead"] == article.lead
        assert doc["body"] == article.body, article.path
        assert doc["authors"] == article.authors, article.path
        assert doc["source"] is None, article.path  # the demo names no source
        assert [(i["src"], i["caption"], i["credit"]) for i in doc["images"]] == [
            (portal.base_url + i.path, i.caption, i.credit) for i in article.images
        ], article.path
        assert doc["content_hash"].startswith("sha256:")


def test_nfd_pages_come_out_nfc(first_crawl: Crawl, portal: DemoPortal,
                                demo_site: DemoSite) -> None:
    import unicodedata

    nfd_articles = [a for a in good_articles(demo_site) if a.id % 5 == 0]
    assert nfd_articles
    by_url = {doc["url"]: doc for doc in json_files(first_crawl.data)}
    for article in nfd_articles:
        doc = by_url[portal.base_url + article.path]
        for paragraph in doc["body"]:
            assert unicodedata.is_normalized("NFC", paragraph)
        assert doc["body"] == article.body


def test_json_points_at_its_response_record(first_crawl: Crawl) -> None:
    for doc in json_files(first_crawl.data):
        pointer = doc["warc"]
        with open(first_crawl.data / "warc" / pointer["file"], "rb") as stream:
            stream.seek(pointer["offset"])
            record = next(ArchiveIterator(stream))
        assert record.rec_type == "response"
        assert record.rec_headers.get_header("WARC-Record-ID") == pointer["record_id"]
        assert record.rec_headers.get_header("WARC-Target-URI") == doc["url"]
        # One clock reading: WARC-Date and captured_at are the same instant.
        assert record.rec_headers.get_header("WARC-Date") == doc["captured_at"]


def test_failures_are_one_line_each_and_the_crawl_goes_on(
    first_crawl: Crawl, portal: DemoPortal, demo_site: DemoSite
) -> None:
    faults = _faults(demo_site)
    assert set(faults) == {"500", "slow", "malformed"}
    log = first_crawl.result.stderr.splitlines()
    for kind in ("500", "slow"):
        url = portal.base_url + faults[kind].path
        lines = [line for line in log if url in line]
        assert len(lines) == 1, (kind, lines)
        assert "Traceback" not in first_crawl.result.stderr
    # The malformed page's bytes were archived even if no article came out of it.
    urls = {r.url for r in read_warcs(first_crawl.data) if r.type == "response"}
    assert portal.base_url + faults["malformed"].path in urls


def test_catalog_records_the_run_and_versions(first_crawl: Crawl, demo_site: DemoSite) -> None:
    catalog = Catalog(first_crawl.data / "catalog.sqlite")
    (run,) = catalog.runs()
    assert run["status"] == "finished" and run["site"] == "demo"
    assert len(catalog.versions()) == len(json_files(first_crawl.data))
    assert len(catalog.articles(site="demo")) == len(json_files(first_crawl.data))
    catalog.close()


@pytest.fixture(scope="module")
def moving_portal() -> DemoPortal:
    with DemoPortal(DemoSite(articles=60, faults=False)) as served:
        yield served


def test_paging_stops_at_known_and_backfill_goes_through(
    moving_portal: DemoPortal, tmp_path: Path
) -> None:
    site = DemoSite(articles=60, faults=False)
    pages = {slug: site.page_count(slug) for slug in site.CATEGORIES}
    first = _listing_hits(moving_portal, lambda: crawl_ok(moving_portal, tmp_path))
    assert first == sum(pages.values())

    moving_portal.set_state(day=1)
    try:
        second = _listing_hits(moving_portal, lambda: crawl_ok(moving_portal, tmp_path))
        # New articles sit on page 1; page 2 is all known, so paging stops there.
        assert second <= 2 * len(pages) < first
        urls = {doc["url"] for doc in json_files(tmp_path)}
        for article_id in range(61, 64):
            assert moving_portal.base_url + site.article(article_id, day=1).path in urls

        third = _listing_hits(
            moving_portal, lambda: crawl_ok(moving_portal, tmp_path, "--backfill")
        )
        assert third == sum(site.page_count(slug, day=1) for slug in site.CATEGORIES)
    finally:
        moving_portal.set_state(day=0)


def crawl_ok(portal: DemoPortal, data: Path, *extra: str) -> None:
    from ..conftest import crawl_demo

    result = crawl_demo(portal, data, *extra)
    assert result.returncode == 0, result.stderr


def _listing_hits(portal: DemoPortal, action) -> int:
    before = sum(n for path, n in portal.hits.items() if path.startswith("/chuyen-muc/"))
    action()
    return sum(n for path, n in portal.hits.items() if path.startswith("/chuyen-muc/")) - before


def test_scrapy_crawl_is_the_same_crawl(
    first_crawl: Crawl, portal: DemoPortal, tmp_path: Path
) -> None:
    from ..conftest import TEST_CRAWL_SETTINGS

    args = [sys.executable, "-m", "scrapy.cmdline", "crawl", "portal", "-a", "site=demo",
            "-s", f"PORTAL_DATA_DIR={tmp_path}", "-s", f"PORTAL_BASE_URL={portal.base_url}"]
    for name, value in TEST_CRAWL_SETTINGS.items():
        args += ["-s", f"{name}={value}"]
    root = Path(__file__).resolve().parents[2]  # where scrapy.cfg is
    proc = subprocess.run(args, cwd=root, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Deprecat" not in proc.stderr
    ours = {(d["url"], d["content_hash"]) for d in json_files(tmp_path)}
    theirs = {(d["url"], d["content_hash"]) for d in json_files(first_crawl.data)}
    assert ours == theirs


def test_progress_line_on_a_terminal(portal: DemoPortal, tmp_path: Path) -> None:
    from ..conftest import crawl_on_a_terminal

    text = crawl_on_a_terminal(portal, tmp_path)
    assert "\r" in text and "articles" in text and "archived" in text


def test_extract_a_saved_page(portal: DemoPortal, demo_site: DemoSite, tmp_path: Path) -> None:
    from ..conftest import run_cli

    article = good_articles(demo_site)[0]
    page = tmp_path / "page.html"
    with urllib.request.urlopen(portal.base_url + article.path) as live:
        page.write_bytes(live.read())
    result = run_cli("extract", str(page), "--url", portal.base_url + article.path)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["url"] == portal.base_url + article.path
    assert doc["title"] == article.title
    assert doc["published"] == article.published.isoformat()
    assert doc["site"] == "generic" and doc["warc"] is None


def test_generic_listing_crawl_follows_trang_sau_and_stays_on_host(
    portal: DemoPortal, demo_site: DemoSite, tmp_path: Path
) -> None:
    from ..conftest import TEST_CRAWL_SETTINGS, run_cli

    slug = "tin-tuc-su-kien"
    args = ["crawl", "--listing", f"{portal.base_url}/chuyen-muc/{slug}", "--data", str(tmp_path)]
    for name, value in TEST_CRAWL_SETTINGS.items():
        args += ["-s", f"{name}={value}"]
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    docs = json_files(tmp_path)
    expected = {portal.base_url + a.path for page in range(1, demo_site.page_count(slug) + 1)
                for a in demo_site.listing(slug, page) if not a.fault}
    assert {d["url"] for d in docs} == expected
    assert {d["site"] for d in docs} == {"generic"}
    assert all(d["published"] for d in docs)
    # Its WARC series is its host's (crawler/sites.py series_of).
    assert [p.name for p in (tmp_path / "warc").iterdir()] == [
        series_of("generic", [portal.base_url])]


def test_a_generic_crawl_does_not_follow_a_redirect_off_its_host(tmp_path: Path) -> None:
    from ..conftest import TEST_CRAWL_SETTINGS, run_cli

    with DemoPortal(DemoSite(articles=10, faults=False)) as moved:
        moved.set_state(moved=True)  # every page 301s to http://localhost:PORT/...
        args = ["crawl", "--listing", f"{moved.base_url}/chuyen-muc/hoat-dong-cap-uy",
                "--data", str(tmp_path)]
        for name, value in TEST_CRAWL_SETTINGS.items():
            args += ["-s", f"{name}={value}"]
        result = run_cli(*args)
    assert result.returncode == 1  # nothing on the listing's own host
    urls = {r.url for r in read_warcs(tmp_path)}
    assert urls and not any(url.startswith("http://localhost:") for url in urls)
