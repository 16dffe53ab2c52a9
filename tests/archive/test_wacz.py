"""`portal-archive export-wacz` over a real archive: the demo site crawled on day 0 and
day 1, and one listing crawled with the generic extractor in between. py-wacz's own
`wacz validate` must accept every package."""

from __future__ import annotations

import doctest
import gzip
import hashlib
import json
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from portal_archive.archive import wacz
from portal_archive.archive.keys import site_of_series
from portal_archive.crawler.demo.content import DemoSite
from portal_archive.crawler.demo.portal import DemoPortal

from ..conftest import TEST_CRAWL_SETTINGS, CliResult, crawl_day_1, run_cli
from .test_replay import crawl_ok

STRAY_OPEN = "demo-29990101000000-00000.warc.gz.open"


@dataclass
class Archive:
    data: Path
    since: str  # 14 digits: the demo day-1 crawl and nothing else is at or after it
    base_url: str


@pytest.fixture(scope="module")
def archived(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    data = tmp_path_factory.mktemp("wacz-data")
    with DemoPortal(DemoSite(articles=18, faults=False)) as portal:
        crawl_ok(portal, data)
        args = ["crawl", "--listing", f"{portal.base_url}/chuyen-muc/hoat-dong-cap-uy",
                "--data", str(data)]
        for name, value in TEST_CRAWL_SETTINGS.items():
            args += ["-s", f"{name}={value}"]
        result = run_cli(*args)
        assert result.returncode == 0, result.stderr[-3000:]
        since = crawl_day_1(portal, data)
    # A file still being written (or left by a crash) must never be exported.
    first = sorted((data / "warc" / "demo").glob("*.warc.gz"))[0]
    shutil.copy(first, data / "warc" / "demo" / STRAY_OPEN)
    yield Archive(data, since, portal.base_url)


def export(data: Path, out: Path, *args: str) -> CliResult:
    return run_cli("export-wacz", str(out), "--data", str(data), *args, timeout=120)


def validate(path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "wacz", "validate", "-f", str(path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Validation succeeded" in proc.stdout


def warc_names(data: Path, site: str) -> set[str]:
    """The site's closed WARCs: for "generic", every generic host's series."""
    return {p.name for p in (data / "warc").glob("*/*.warc.gz")
            if site_of_series(p.parent.name) == site}


def wacz_warcs(path: Path) -> set[str]:
    with zipfile.ZipFile(path) as wacz:
        return {n.removeprefix("archive/") for n in wacz.namelist() if n.startswith("archive/")}


def wacz_pages(path: Path) -> list[dict]:
    with zipfile.ZipFile(path) as wacz:
        header, *pages = [json.loads(line) for line in
                          wacz.read("pages/pages.jsonl").decode("utf-8").splitlines()]
    assert header["format"] == "json-pages-1.0"
    return pages


def wacz_index(path: Path) -> list[tuple[str, str, dict]]:
    with zipfile.ZipFile(path) as wacz:
        text = gzip.decompress(wacz.read("indexes/index.cdx.gz")).decode("utf-8")
    return [(key, ts, json.loads(blob))
            for key, ts, blob in (line.split(" ", 2) for line in text.splitlines())]


def ts14(rfc3339: str) -> str:
    return "".join(ch for ch in rfc3339 if ch.isdigit())[:14]


def articles(data: Path, site: str) -> set[tuple[str, str]]:
    docs = [json.loads(p.read_text("utf-8")) for p in (data / "json" / site).glob("*/*.json")]
    return {(doc["url"], doc["title"]) for doc in docs}


def test_parse_since_doctests() -> None:
    result = doctest.testmod(wacz)
    assert result.attempted > 0 and result.failed == 0


@pytest.fixture(scope="module")
def everything(archived: Archive, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wacz") / "all.wacz"
    result = export(archived.data, out)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"wrote {out}: ")
    return out


def test_wacz_validate_accepts_the_export(everything: Path) -> None:
    validate(everything)


def test_it_holds_every_closed_warc_an_index_and_the_article_pages(
    archived: Archive, everything: Path
) -> None:
    data = archived.data
    assert wacz_warcs(everything) == warc_names(data, "demo") | warc_names(data, "generic")
    assert STRAY_OPEN not in wacz_warcs(everything)
    index = wacz_index(everything)
    assert {blob["filename"] for _, _, blob in index} == wacz_warcs(everything)
    pages = wacz_pages(everything)
    assert {(p["url"], p["title"]) for p in pages} == (
        articles(data, "demo") | articles(data, "generic")
    )
    # Pages are articles only, never their images or the listings.
    assert all("/tin-tuc/" in p["url"] for p in pages)
    captured = {(blob["url"], ts) for _, ts, blob in index}
    assert all((page["url"], ts14(page["ts"])) in captured for page in pages)


def test_datapackage_digests_match_the_files(everything: Path) -> None:
    with zipfile.ZipFile(everything) as wacz:
        package_bytes = wacz.read("datapackage.json")
        package = json.loads(package_bytes)
        resources = {r["path"]: r for r in package["resources"]}
        listed = set(wacz.namelist()) - {"datapackage.json", "datapackage-digest.json"}
        assert set(resources) == listed
        for path, resource in resources.items():
            content = wacz.read(path)
            assert resource["hash"] == "sha256:" + hashlib.sha256(content).hexdigest(), path
            assert resource["bytes"] == len(content)
        digest = json.loads(wacz.read("datapackage-digest.json"))
    assert digest["hash"] == "sha256:" + hashlib.sha256(package_bytes).hexdigest()
    assert package["wacz_version"].startswith("1.1")
    # WARCs are stored, not deflated, so a reader can seek into them inside the zip.
    with zipfile.ZipFile(everything) as wacz:
        assert all(info.compress_type == zipfile.ZIP_STORED for info in wacz.infolist()
                   if info.filename.startswith("archive/"))


def test_site_keeps_one_site(archived: Archive, tmp_path: Path) -> None:
    out = tmp_path / "demo.wacz"
    result = export(archived.data, out, "--site", "demo")
    assert result.returncode == 0, result.stderr
    validate(out)
    assert wacz_warcs(out) == warc_names(archived.data, "demo")
    assert {(p["url"], p["title"]) for p in wacz_pages(out)} == articles(archived.data, "demo")


def test_every_revisit_brings_its_original(archived: Archive, tmp_path: Path) -> None:
    # The listing crawl came after the demo crawl: its unchanged pages are revisits of
    # captures in the demo site's files, which must come along or they cannot replay.
    out = tmp_path / "generic.wacz"
    result = export(archived.data, out, "--site", "generic")
    assert result.returncode == 0, result.stderr
    validate(out)
    assert warc_names(archived.data, "generic") < wacz_warcs(out)
    assert wacz_warcs(out) - warc_names(archived.data, "generic") <= warc_names(
        archived.data, "demo")
    assert_revisits_resolve(out)
    # pages/pages.jsonl is there (WACZ 1.1.1: MUST), even if the site has no articles.
    assert {(p["url"], p["title"]) for p in wacz_pages(out)} == articles(archived.data, "generic")


def assert_revisits_resolve(path: Path) -> None:
    index = wacz_index(path)
    full = {(key, blob.get("digest")) for key, _, blob in index if blob["mime"] != "warc/revisit"}
    revisits = [(key, blob.get("digest")) for key, _, blob in index
                if blob["mime"] == "warc/revisit"]
    assert revisits
    assert all(revisit in full for revisit in revisits)


def test_since_keeps_the_later_crawl(archived: Archive, tmp_path: Path) -> None:
    out = tmp_path / "since.wacz"
    since = archived.since
    iso = f"{since[:4]}-{since[4:6]}-{since[6:8]}T{since[8:10]}:{since[10:12]}:{since[12:]}Z"
    result = export(archived.data, out, "--since", iso)
    assert result.returncode == 0, result.stderr
    validate(out)
    index = wacz_index(out)
    later = {blob["filename"] for _, ts, blob in index if ts >= since}
    assert later and later < wacz_warcs(out) <= warc_names(archived.data, "demo")
    # The generic crawl, all of it before --since, is left out.
    assert not wacz_warcs(out) & warc_names(archived.data, "generic")
    # Older demo files come only as the originals of the later crawl's revisits.
    assert_revisits_resolve(out)
    pages = wacz_pages(out)
    assert pages and all(ts14(p["ts"]) >= since for p in pages)
    site = DemoSite(articles=18, faults=False)
    urls = {p["url"] for p in pages}
    assert archived.base_url + site.article(2, day=1).path in urls  # edited on day 1
    assert archived.base_url + site.article(13).path not in urls  # unchanged since day 0


def test_user_errors_are_one_line(archived: Archive, tmp_path: Path) -> None:
    out = tmp_path / "x.wacz"
    cases = {
        ("--site", "nosuch"): f"no WARC files for site 'nosuch' in {archived.data}",
        ("--since", "2999-01-01"):
            f"nothing archived at or after 2999-01-01T00:00:00Z in {archived.data}",
    }
    for args, message in cases.items():
        result = export(archived.data, out, *args)
        assert (result.returncode, result.stderr) == (1, f"portal-archive: error: {message}\n")
    empty = tmp_path / "empty"
    result = export(empty, out)
    assert result.returncode == 1
    assert result.stderr == (f"portal-archive: error: nothing archived yet in {empty};"
                             " run portal-archive crawl first\n")
    result = export(archived.data, tmp_path / "no" / "such" / "folder" / "x.wacz")
    assert result.returncode == 1 and result.stderr.count("\n") == 1
    assert "cannot write" in result.stderr
    result = export(archived.data, out, "--since", "last tuesday")
    # A mistyped date is a user's mistake like any other: one line, exit 1.
    assert result.returncode == 1 and "not an ISO 8601 date" in result.stderr
    assert result.stderr.count("\n") == 1
    assert not out.exists()
