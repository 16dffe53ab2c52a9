"""The catalog's one code path, run on both engines: SQLite and a real PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from portal_archive.archive.catalog import Capture, Catalog
from portal_archive.archive.errors import PortalArchiveError

URL = "http://p.test/tin/a-1.html"


@pytest.fixture
def catalog(catalog_url: str) -> Iterator[Catalog]:
    opened = Catalog(catalog_url)
    yield opened
    opened.close()


def _capture(n: int, url: str = URL, status: int = 200, digest: str = "sha1:PAGE",
             offset: int = 0) -> Capture:
    return Capture(run_id=f"run-{n}", url=url, captured_at=f"2026-12-0{n}T00:00:00Z",
                   status=status, mime="text/html", payload_digest=digest,
                   record_id=f"<urn:uuid:{n}>", record_type="response",
                   warc_file="s/s.warc.gz", warc_offset=offset, warc_length=1)


def test_captures_and_their_originals(catalog: Catalog) -> None:
    catalog.add_capture(_capture(1, offset=5 * 2**31))  # a WARC offset past 32 bits
    catalog.capture_batch = 2
    catalog.queue_capture(_capture(2, status=503, digest="sha1:ERROR"))
    assert len(catalog.captures()) == 1  # queued: not written until the batch is full
    catalog.queue_capture(_capture(3, url=URL + "?b"))
    assert [row["url"] for row in catalog.captures()] == [URL, URL, URL + "?b"]
    assert catalog.latest_response(URL)["status"] == 503
    original = catalog.latest_response(URL, status=200)
    assert (original["record_id"], original["warc_offset"]) == ("<urn:uuid:1>", 5 * 2**31)
    assert catalog.response_with_payload(URL, "sha1:PAGE", 404) is None
    assert catalog.captured_urls([URL, URL + "?b", URL + "?c"]) == {URL, URL + "?b"}
    catalog.record_skipped(URL + "?c", "robots", "2026-12-01T00:00:00Z")
    catalog.record_skipped(URL + "?c", "robots again", "2026-12-02T00:00:00Z")  # upsert
    assert catalog.known_urls([URL, URL + "?b", URL + "?c", URL + "?d"],
                              before_run="run-3") == {URL, URL + "?c"}


def test_articles_versions_and_listings(catalog: Catalog) -> None:
    catalog.start_run("r1", "s", "2026-12-01T00:00:00Z")
    catalog.record_article_seen(URL, "s", "k1", "2026-12-01T00:00:00Z")
    catalog.record_article_seen(URL, "s", "k1", "2026-12-02T00:00:00Z")  # seen again
    (article,) = catalog.articles("s")
    assert (article["first_seen"], article["last_seen"]) == ("2026-12-01T00:00:00Z",
                                                            "2026-12-02T00:00:00Z")
    catalog.add_version(URL, "s", "k1", ("c1", "t1"), "2026-12-01T00:00:00Z", "r1",
                        "s/k1/1.json", None)
    catalog.add_version(URL, "s", "k1", ("c2", "t2"), "2026-12-02T00:00:00Z", "r1",
                        "s/k1/2.json", "<urn:uuid:2>")
    assert catalog.latest_version_of("s", "k1")["content_hash"] == "c2"
    assert [dict(v)["json_path"] for v in catalog.versions(URL)] == ["s/k1/1.json",
                                                                      "s/k1/2.json"]
    with catalog.transaction():
        catalog.add_listing_items("r1", "s", "/tin", 0, [("k1", URL), ("k2", URL + "2")],
                                  dates=["2026-11-30T08:00:00+07:00"])
    assert catalog.listed_date("s", "k1") == "2026-11-30T08:00:00+07:00"
    assert catalog.listed_date("s", "k2") is None
    catalog.start_run("r2", "s", "2026-12-02T00:00:00Z")
    catalog.add_listing_items("r2", "s", "/tin", 0, [("k2", URL + "2")])
    assert catalog.previous_listing_run("s", "r2") == "r1"
    catalog.forget_listings_before("s", "r2")
    assert catalog.listing_sequences("r1") == {}
    assert catalog.listing_sequences("r2") == {"/tin": [("k2", URL + "2")]}
    assert catalog.mark_removed("s", "k1")["url"] == URL
    assert catalog.mark_removed("s", "k1") is None  # not live any more
    catalog.finish_run("r1", "2026-12-01T01:00:00Z", "finished", {"n": 1})
    assert [run["status"] for run in catalog.runs("s")] == ["finished", "running"]
    assert catalog.close_killed_runs("s", "r9") == ["r2"]
    assert catalog.last_run("s")["status"] == "killed"


def test_a_transaction_stands_or_falls_whole(catalog: Catalog) -> None:
    with pytest.raises(RuntimeError), catalog.transaction():
        catalog.start_run("r1", "s", "2026-12-01T00:00:00Z")
        raise RuntimeError("killed half-way")
    assert catalog.runs() == []
    with catalog.transaction():
        catalog.start_run("r1", "s", "2026-12-01T00:00:00Z")
    assert len(catalog.runs()) == 1


def _event(n: int, type_: str = "new") -> dict[str, object]:
    return {"type": type_, "site": "s", "url": f"{URL}?{n}", "at": f"2026-12-0{n}T00:00:00Z",
            "run_id": "r1", "fields": ["title"], "diff": "", "title": f"Bài {n}"}


def test_events_are_delivered_once_oldest_first(catalog: Catalog) -> None:
    catalog.add_event(_event(3))
    catalog.add_event(_event(1), delivered_at="2026-12-01T00:00:01Z")  # sent by its crawl
    catalog.add_event(_event(2, "edited"))
    waiting = catalog.undelivered_events()
    assert [row["url"] for row in waiting] == [f"{URL}?3", f"{URL}?2"]
    assert json.loads(waiting[0]["fields"]) == ["title"]
    assert [row["type"] for row in catalog.events(type_="edited")] == ["edited"]
    assert [row["url"] for row in catalog.events(since="2026-12-02T00:00:00Z")] == [
        f"{URL}?2", f"{URL}?3"]
    catalog.mark_delivered([waiting[0]["id"]], "2026-12-04T00:00:00Z")
    assert [row["url"] for row in catalog.undelivered_events(limit=5)] == [f"{URL}?2"]
    catalog.mark_delivered([row["id"] for row in catalog.undelivered_events()],
                           "2026-12-04T00:00:01Z")
    assert catalog.undelivered_events() == []
    assert all(row["delivered_at"] for row in catalog.events())


def test_a_lease_is_held_renewed_released_and_taken_over_when_expired(
        catalog: Catalog) -> None:
    assert catalog.take_lease("demo", "worker-a", 60) is None
    refusal = catalog.take_lease("demo", "worker-b", 60)
    assert refusal is not None and refusal.startswith("worker-a holds its lease until 20")
    assert catalog.take_lease("demo", "worker-a", 60) is None  # its own: taken again
    assert catalog.renew_lease("demo", "worker-a", 60)
    assert not catalog.renew_lease("demo", "worker-b", 60)
    catalog.release_lease("demo", "worker-b")  # not its to give back: nothing happens
    assert catalog.take_lease("demo", "worker-b", 60) is not None
    catalog.release_lease("demo", "worker-a")
    assert catalog.take_lease("demo", "worker-b", 0.3) is None
    time.sleep(0.5)  # worker-b stopped renewing (killed): its lease runs out
    assert catalog.take_lease("demo", "worker-c", 60) is None
    assert not catalog.renew_lease("demo", "worker-b", 60)  # it knows it lost the site
    assert catalog.take_lease("other-site", "worker-b", 60) is None  # one per name


_RACER = """
import json, sys, time
from portal_archive.archive.catalog import Catalog
url, holder, start = sys.argv[1], sys.argv[2], float(sys.argv[3])
time.sleep(max(0.0, start - time.time()))
catalog = Catalog(url)  # a new server catalog is made by both at once, too
won = [n for n in range(20) if catalog.take_lease(f"site-{n}", holder, 60) is None]
catalog.close()
print(json.dumps(won))
"""


def test_two_processes_racing_for_leases_one_wins_each(catalog_url: str) -> None:
    start = time.time() + 2.0  # both are up by then, and go at the same moment
    racers = [subprocess.Popen([sys.executable, "-c", _RACER, catalog_url, holder,
                                str(start)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True) for holder in ("racer-a", "racer-b")]
    results = []
    for racer in racers:
        out, err = racer.communicate(timeout=60)
        assert racer.returncode == 0, err
        results.append(set(json.loads(out)))
    a, b = results
    assert not a & b, "a lease held by two"
    assert a | b == set(range(20)), "a lease held by none"


def test_a_server_that_is_down_or_a_mistyped_url_is_one_line() -> None:
    with pytest.raises(PortalArchiveError, match=r"^cannot use the catalog at "
                       r"postgresql\+psycopg://portal@127.0.0.1:9/x: .*") as down:
        Catalog("postgresql://portal@127.0.0.1:9/x")
    assert "\n" not in str(down.value)
    with pytest.raises(PortalArchiveError, match="names 'postgress'"):
        Catalog("postgress://portal@127.0.0.1/x")
    with pytest.raises(PortalArchiveError, match="is not a database URL"):
        Catalog("postgresql://portal@127.0.0.1:port/x")


def _set_back_to_schema_5(catalog_url: str) -> None:
    """The catalog as schema 5 left it: no search tables (the rest is the same)."""
    catalog = Catalog(catalog_url)
    try:
        with catalog.transaction():
            catalog.execute("DROP TABLE search_docs")
            if catalog.is_server:
                catalog.execute("UPDATE catalog_schema SET version = 5")
            else:
                catalog.execute("DROP TABLE search_fts")
                catalog.execute("PRAGMA user_version=5")
    finally:
        catalog.close()


def test_a_schema_5_catalog_is_indexed_from_its_json_files(catalog_url: str,
                                                           tmp_path: Path) -> None:
    from portal_archive.archive.search import SearchQuery, search

    json_root = tmp_path / "json"
    catalog = Catalog(catalog_url, json_root=json_root)
    titles = {"k1": ["Ủy ban họp", "Uỷ ban họp phiên bất thường"], "k2": ["Đảng bộ xã"],
              "k3": ["Thư viện tỉnh"], "k4": ["Huyện ủy Phú Vang"]}
    for key, versions in titles.items():
        url = f"http://p.test/{key}.html"
        catalog.record_article_seen(url, "s", key, "2026-12-01T00:00:00Z")
        for n, title in enumerate(versions):
            path = f"s/{key}/{n}.json"
            (json_root / path).parent.mkdir(parents=True, exist_ok=True)
            (json_root / path).write_text(json.dumps(
                {"url": url, "site": "s", "title": title, "lead": None, "body": ["Nội dung."],
                 "images": [], "published": "2025-06-27T16:22:00+07:00",
                 "captured_at": f"2026-12-0{n + 1}T00:00:00Z"}), "utf-8")
            catalog.add_version(url, "s", key, ("c", "t"), f"2026-12-0{n + 1}T00:00:00Z",
                                "r1", path, None)
    catalog.close()
    _set_back_to_schema_5(catalog_url)
    (json_root / "s/k3/0.json").unlink()  # a file gone
    (json_root / "s/k4/0.json").write_text("{torn", "utf-8")  # a file broken
    upgraded = Catalog(catalog_url, json_root=json_root)
    try:
        assert upgraded.backfill_skipped == 2
        assert [hit.key for hit in search(upgraded, SearchQuery("uy ban")).hits] == ["k1"]
        assert [hit.key for hit in search(upgraded, SearchQuery("dang bo")).hits] == ["k2"]
        assert search(upgraded, SearchQuery("thu vien")).hits == []
        rows = upgraded.execute("SELECT title, latest FROM search_docs ORDER BY id")
        assert [tuple(row) for row in rows] == [("Ủy ban họp", 0),
                                                ("Uỷ ban họp phiên bất thường", 1),
                                                ("Đảng bộ xã", 1)]
    finally:
        upgraded.close()
    again = Catalog(catalog_url, json_root=json_root)  # at schema 6 now: nothing to do
    assert again.backfill_skipped == 0
    assert len(again.execute("SELECT id FROM search_docs")) == 3
    again.close()


def test_a_server_catalog_is_not_upgraded_where_its_json_files_are_not(
        postgres_url: str, tmp_path: Path) -> None:
    # Stamped schema 6 with nothing indexed, its search would stay empty for good.
    from portal_archive.archive.search import SearchQuery, search

    json_root = tmp_path / "json"
    catalog = Catalog(postgres_url, json_root=json_root)
    url = "http://p.test/k1.html"
    catalog.record_article_seen(url, "s", "k1", "2026-12-01T00:00:00Z")
    (json_root / "s/k1").mkdir(parents=True)
    (json_root / "s/k1/0.json").write_text(json.dumps(
        {"url": url, "site": "s", "title": "Ủy ban họp", "lead": None, "body": ["Nội dung."],
         "images": [], "published": None, "captured_at": "2026-12-01T00:00:00Z"}), "utf-8")
    catalog.add_version(url, "s", "k1", ("c", "t"), "2026-12-01T00:00:00Z", "r1",
                        "s/k1/0.json", None)
    catalog.close()
    _set_back_to_schema_5(postgres_url)
    with pytest.raises(PortalArchiveError, match="no .* folder here"):
        Catalog(postgres_url, json_root=tmp_path / "elsewhere" / "json")
    upgraded = Catalog(postgres_url, json_root=json_root)  # still schema 5: done here
    try:
        assert [hit.key for hit in search(upgraded, SearchQuery("uy ban")).hits] == ["k1"]
    finally:
        upgraded.close()
