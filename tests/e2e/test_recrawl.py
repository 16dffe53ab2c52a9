"""A second crawl of an unchanged portal: revisits, not copies; the index keeps up."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from portal_archive.archive.cdxj import CdxjLine, iter_index, site_lines
from portal_archive.archive.revisit import IDENTICAL_PAYLOAD, SERVER_NOT_MODIFIED
from portal_archive.crawler.demo.content import DemoSite
from portal_archive.crawler.demo.portal import DemoPortal

from ..conftest import crawl_demo


@pytest.fixture(scope="module")
def twice(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, DemoPortal]]:
    data = tmp_path_factory.mktemp("twice")
    with DemoPortal(DemoSite(articles=60, faults=False)) as portal:
        for _ in range(2):
            result = crawl_demo(portal, data)
            assert result.returncode == 0, result.stderr
        yield data, portal


def _files(data: Path) -> list[Path]:
    return sorted((data / "warc" / "demo").glob("*.warc.gz"))


def _records(path: Path) -> list:
    with open(path, "rb") as stream:
        return [
            (r.rec_type, r.rec_headers, r.http_headers) for r in ArchiveIterator(stream)
        ]


def test_second_crawl_grows_the_archive_by_less_than_10_percent(twice) -> None:
    data, _ = twice
    first, second = _files(data)
    assert second.stat().st_size < 0.10 * first.stat().st_size


def test_every_unchanged_page_is_a_revisit_of_its_original(twice) -> None:
    data, _ = twice
    first, second = _files(data)
    originals = {
        headers.get_header("WARC-Record-ID"): headers
        for kind, headers, _ in _records(first) if kind == "response"
    }
    later = [(k, h, http) for k, h, http in _records(second) if k not in ("warcinfo", "request")]
    pages = [h for k, h, _ in later if "/tin-tuc/" in h.get_header("WARC-Target-URI")
             or "/chuyen-muc/" in h.get_header("WARC-Target-URI")]
    assert len(pages) >= 20
    assert all(k == "revisit" for k, _, _ in later)
    for headers in (h for _, h, _ in later):
        assert headers.get_header("WARC-Profile") in (IDENTICAL_PAYLOAD, SERVER_NOT_MODIFIED)
        original = originals[headers.get_header("WARC-Refers-To")]
        assert headers.get_header("WARC-Refers-To-Target-URI") == original.get_header(
            "WARC-Target-URI"
        )
        assert headers.get_header("WARC-Refers-To-Date") == original.get_header("WARC-Date")
        assert headers.get_header("WARC-Payload-Digest") == original.get_header(
            "WARC-Payload-Digest"
        )


def test_conditional_requests_were_sent_and_304s_archived(twice) -> None:
    data, _ = twice
    _, second = _files(data)
    records = _records(second)
    requests = [http for kind, _, http in records if kind == "request"]
    assert any(http.get_header("If-None-Match") for http in requests)
    not_modified = [(h, http) for k, h, http in records
                    if k == "revisit" and h.get_header("WARC-Profile") == SERVER_NOT_MODIFIED]
    assert not_modified
    # No HTTP block: replay takes the original's status and headers, not an empty 304.
    assert all(http is None for _, http in not_modified)


def test_no_new_json_for_unchanged_articles(twice) -> None:
    data, _ = twice
    for folder in (data / "json" / "demo").iterdir():
        assert len(list(folder.glob("*.json"))) == 1, folder


def test_warcio_check_accepts_both_crawls(twice) -> None:
    data, _ = twice
    warcio = Path(sys.executable).parent / "warcio"
    proc = subprocess.run([str(warcio), "check", *map(str, _files(data))],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_index_agrees_with_cdxj_indexer(twice, tmp_path: Path) -> None:
    data, _ = twice
    theirs = tmp_path / "theirs.cdxj"
    indexer = Path(sys.executable).parent / "cdxj-indexer"
    subprocess.run([str(indexer), "--sort", "--dir-root", str(data / "warc"), "-o", str(theirs),
                    str(data / "warc")], check=True)

    def keyed(lines: list[CdxjLine]) -> list[tuple]:
        return sorted((line.urlkey, line.timestamp, line.filename, line.offset, line.length)
                      for line in lines)

    ours = site_lines(data / "index", "demo")
    assert keyed(list(iter_index(data / "index"))) == keyed(
        [CdxjLine.parse(line) for line in theirs.read_text().splitlines()])
    assert "".join(ours) == theirs.read_text()


def test_each_crawl_indexed_its_file_from_what_its_writer_knew(twice) -> None:
    """The lines compared with cdxj-indexer's above are the writer's own: no crawl of
    the two read its WARC again to index it."""
    from portal_archive.archive.catalog import Catalog

    data, _ = twice
    catalog = Catalog(data / "catalog.sqlite")
    runs = [json.loads(run["stats"]) for run in catalog.runs()]
    catalog.close()
    assert len(runs) == 2
    for stats in runs:
        assert stats["index/files_from_writer"] == stats["warc/files"] == 1
        assert "index/files_read_again" not in stats


def captures(index: Path, url: str) -> list[CdxjLine]:
    """Every capture of ``url`` in the sorted index, oldest first."""
    return [line for line in iter_index(index) if line.url == url]


def test_the_index_holds_both_captures_oldest_first(twice) -> None:
    data, portal = twice
    site = DemoSite(articles=60, faults=False)
    url = portal.base_url + site.listing("hoat-dong-cap-uy", 1)[0].path  # in both crawls
    found = captures(data / "index", url)
    assert [line.url for line in found] == [url, url]
    assert found[0].timestamp < found[1].timestamp
    assert found[1].fields["mime"] == "warc/revisit"
    assert captures(data / "index", portal.base_url + "/nowhere") == []


def test_a_redirect_does_not_carry_the_old_urls_condition(tmp_path: Path) -> None:
    with DemoPortal(DemoSite(articles=20, faults=False)) as portal:
        assert crawl_demo(portal, tmp_path).returncode == 0
        portal.set_state(moved=True)  # every 127.0.0.1 URL now 301s to localhost
        result = crawl_demo(portal, tmp_path)
    assert result.returncode == 0, result.stderr
    moved_to = portal.base_url.replace("127.0.0.1", "localhost")
    _, second = _files(tmp_path)
    records = _records(second)
    new_host = [(k, h, http) for k, h, http in records
                if h.get_header("WARC-Target-URI", "").startswith(moved_to)]
    assert new_host, "the crawl followed the portal to its new host"
    for kind, h, http in new_host:
        if kind == "request":
            assert http.get_header("If-None-Match") is None
            assert http.get_header("If-Modified-Since") is None
        elif h.get_header("WARC-Target-URI").endswith("/robots.txt"):
            continue  # fetched twice (the old host's robots.txt redirects to it): a revisit
        else:
            assert kind == "response" and http.get_statuscode() == "200", (
                kind, h.get_header("WARC-Target-URI"), h.get_header("WARC-Profile"))
