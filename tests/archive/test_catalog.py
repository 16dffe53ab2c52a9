"""The catalog's schema version is checked, never silently mixed."""

import sqlite3
from pathlib import Path

import pytest

from portal_archive.archive import catalogdb
from portal_archive.archive.catalog import SCHEMA_VERSION, Capture, Catalog
from portal_archive.archive.errors import PortalArchiveError
from portal_archive.archive.keys import article_key


def test_a_new_catalog_gets_the_current_schema(tmp_path: Path) -> None:
    Catalog(tmp_path / "c.sqlite").close()
    db = sqlite3.connect(tmp_path / "c.sqlite")
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


@pytest.mark.parametrize("version", [1, SCHEMA_VERSION + 1])
def test_another_schema_is_a_clear_error(tmp_path: Path, version: int) -> None:
    db = sqlite3.connect(tmp_path / "c.sqlite")
    db.execute(f"PRAGMA user_version={version}")
    db.close()
    with pytest.raises(PortalArchiveError, match="c.sqlite"):
        Catalog(tmp_path / "c.sqlite")


def _schema_2_catalog(path: Path) -> None:
    """A catalog as schema 2 left it: its listing_items had no listed_date (only the
    tables this test reads; the rest are created on opening)."""
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE runs (id TEXT PRIMARY KEY, site TEXT NOT NULL, started_at TEXT NOT NULL,"
        " finished_at TEXT, status TEXT NOT NULL DEFAULT 'running', stats TEXT);"
        "CREATE TABLE listing_items (run_id TEXT NOT NULL, site TEXT NOT NULL,"
        " listing TEXT NOT NULL, position INTEGER NOT NULL, key TEXT NOT NULL,"
        " url TEXT NOT NULL);"
        "INSERT INTO runs (id, site, started_at) VALUES ('r1', 's', '2026-01-01T00:00:00Z');"
        "INSERT INTO listing_items VALUES ('r1', 's', '/tin', 0, 'k1', 'http://a.vn/k1');"
        "PRAGMA user_version=2;"
    )
    db.close()


def test_a_schema_2_catalog_is_upgraded_in_place_and_keeps_its_listings(
        tmp_path: Path) -> None:
    _schema_2_catalog(tmp_path / "c.sqlite")
    catalog = Catalog(tmp_path / "c.sqlite")
    # Keyed anew with the host (schema 4): archive/rekey.py.
    key = article_key("http://a.vn/k1")
    assert catalog.listing_sequences("r1") == {"/tin": [(key, "http://a.vn/k1")]}
    assert catalog.listed_date("s", key) is None
    catalog.start_run("r2", "s", "2026-01-02T00:00:00Z")
    catalog.add_listing_items("r2", "s", "/tin", 0, [("k1", "http://a.vn/k1")],
                              dates=["2019-08-07T15:43:00+07:00"])
    assert catalog.listed_date("s", "k1") == "2019-08-07T15:43:00+07:00"
    catalog.close()
    db = sqlite3.connect(tmp_path / "c.sqlite")
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    Catalog(tmp_path / "c.sqlite").close()  # and opens again at the new schema


def test_listing_items_without_dates_keep_none(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path / "c.sqlite")
    catalog.start_run("r1", "s", "2026-01-01T00:00:00Z")
    catalog.add_listing_items("r1", "s", "/tin", 0, [("k1", "u1"), ("k2", "u2")],
                              dates=[None, "2019-05-17T09:49:00+07:00"])
    assert catalog.listed_date("s", "k1") is None
    assert catalog.listed_date("s", "k2") == "2019-05-17T09:49:00+07:00"


def test_a_catalog_held_by_another_upgrade_is_said_in_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "catalog.sqlite"
    Catalog(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA user_version=3")  # schema 3: the next open re-keys it
    holder.execute("BEGIN IMMEDIATE")  # as a process upgrading it would hold it
    monkeypatch.setattr(catalogdb, "BUSY_TIMEOUT_S", 0.2)
    try:
        with pytest.raises(PortalArchiveError,
                           match=f"being upgraded to schema {SCHEMA_VERSION} by another"):
            Catalog(path)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    Catalog(path).close()  # once it is free, the upgrade runs
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def _capture(n: int) -> Capture:
    return Capture(run_id="r1", url=f"http://a.vn/{n}", captured_at="2026-01-01T00:00:00Z",
                   status=200, mime="text/html", payload_digest=f"sha1:{n}",
                   record_id=f"<urn:uuid:{n}>", record_type="response",
                   warc_file="s/s.warc.gz", warc_offset=n * 100, warc_length=100)


def _stored_urls(path: Path) -> list[str]:
    db = sqlite3.connect(path)
    try:
        return [row[0] for row in db.execute("SELECT url FROM captures ORDER BY id")]
    finally:
        db.close()


def test_queued_captures_are_written_together_in_order_and_at_close(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    catalog = Catalog(path)
    catalog.capture_batch = 3
    for n in range(5):
        catalog.queue_capture(_capture(n))
    # Three written in one transaction; two wait, unseen by another connection.
    assert _stored_urls(path) == [f"http://a.vn/{n}" for n in range(3)]
    catalog.write_queued()
    assert _stored_urls(path) == [f"http://a.vn/{n}" for n in range(5)]
    catalog.queue_capture(_capture(5))
    catalog.close()  # what still waits is written
    assert _stored_urls(path)[-1] == "http://a.vn/5"


def test_no_write_transaction_stays_open_while_captures_wait(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    catalog = Catalog(path)
    catalog.capture_batch = 10
    catalog.queue_capture(_capture(1))
    other = sqlite3.connect(path, timeout=0)  # another crawl's connection: never waits
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO skipped (url, reason, at) VALUES ('u', 'robots', 'now')")
        other.execute("COMMIT")
    finally:
        other.close()
    catalog.close()
    assert _stored_urls(path) == ["http://a.vn/1"]


def test_only_a_reader_that_asks_has_the_large_page_cache(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Search's FTS5 walks re-read doclists from the OS with SQLite's default 2 MiB; a
    # crawl keeps that default, so its memory does not grow with the catalog.
    def cache_size(name: str) -> int:
        catalog = Catalog(tmp_path / name)
        try:
            return int(catalog.execute("PRAGMA cache_size")[0][0])
        finally:
            catalog.close()

    assert cache_size("crawl.sqlite") == -2000  # SQLite's default: 2,048,000 bytes
    monkeypatch.setattr(catalogdb, "SQLITE_CACHE_KIB", catalogdb.SEARCH_CACHE_KIB)
    assert cache_size("serve.sqlite") == -catalogdb.SEARCH_CACHE_KIB
