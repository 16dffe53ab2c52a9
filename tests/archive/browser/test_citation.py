"""The citation of every version of a real two-day demo archive: each field is the
catalog's, and the WARC file and offset it names hold the very record it names (read
back with warcio)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from portal_archive.archive.browser.citation import Citation, citation_of
from portal_archive.crawler.sites import load_profile
from portal_archive.crawler.text import content_hash
from tests.archive.browser.demo_archive import EDITED, DemoArchive, of_package

REPLAY = "http://127.0.0.1:8001/all/20261201000000/"


@pytest.fixture(scope="module")
def demo(archive: Any) -> DemoArchive:
    """The browser tests' two-day archive (conftest.py), crawled once for all of them."""
    return of_package(archive)


def citations(demo: DemoArchive) -> Iterator[tuple[dict, Citation]]:
    catalog = demo.catalog()
    try:
        rows = catalog.versions()
    finally:
        catalog.close()
    for row in rows:
        article = json.loads((demo.data.json / row["json_path"]).read_text("utf-8"))
        yield article, citation_of(article, row, load_profile("demo").name,
                                   REPLAY + row["url"])


def test_every_field_is_the_catalogs_and_the_warcs(demo: DemoArchive) -> None:
    catalog = demo.catalog()
    try:
        rows = {row["url"] + row["captured_at"]: row for row in catalog.versions()}
    finally:
        catalog.close()
    seen = 0
    for article, cited in citations(demo):
        row = rows[cited.url + cited.captured_at]
        assert cited.record_id == row["record_id"] == article["warc"]["record_id"]
        assert cited.content_hash == row["content_hash"] == content_hash(article)
        assert cited.url == article["url"] and cited.captured_at == article["captured_at"]
        assert cited.warc_file is not None and cited.warc_offset is not None
        with (demo.data.warc / cited.warc_file).open("rb") as stream:
            stream.seek(cited.warc_offset)
            record = next(iter(ArchiveIterator(stream)))
            assert record.rec_type == "response"
            assert record.rec_headers.get_header("WARC-Record-ID") == cited.record_id
            assert record.rec_headers.get_header("WARC-Target-URI") == cited.url
            warc_date = record.rec_headers.get_header("WARC-Date")
        assert _moment(warc_date) == _moment(cited.captured_at)
        seen += 1
    # every version was cited, the second versions of day 1 among them
    assert seen == len(rows) > len({row["url"] for row in rows.values()})


def _moment(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


def test_the_text_to_copy_holds_every_field_in_both_languages(demo: DemoArchive) -> None:
    article, cited = [(a, c) for a, c in citations(demo) if c.url == demo.url(EDITED)][-1]
    year, month, day = article["published"][:10].split("-")
    vi, en = cited.text("vi"), cited.text("en")
    for text in (vi, en):
        for part in (cited.url, cited.captured_at, str(cited.record_id), cited.content_hash,
                     cited.replay_url, f'"{article["title"]}"', ", ".join(article["authors"]),
                     "Cổng thông tin điện tử (demo portal)", "portal-archive"):
            assert part in text
    assert f"{day}/{month}/{year}" in vi and "Lưu trữ lúc" in vi and "bản ghi WARC" in vi
    assert f"{year}-{month}-{day}" in en and "Archived" in en and "WARC record" in en


def test_what_is_missing_is_left_out_not_printed_as_none() -> None:
    cited = Citation(url="http://example.vn/a.html", title="Tin ngắn", authors=(),
                     portal="generic", published=None, captured_at="2026-12-01T00:00:00Z",
                     record_id=None, warc_file=None, warc_offset=None,
                     content_hash="sha256:00", replay_url="http://127.0.0.1:8001/x")
    text = cited.text("en")
    assert "None" not in text and "WARC record" not in text
    assert text.startswith('"Tin ngắn". generic. http://example.vn/a.html.')
