"""The demo portal's crawl is searchable: written by the crawl, by the schema 5 -> 6
upgrade of an older data folder, and by `verify --rebuild-catalog`."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

from portal_archive.archive.catalog import Catalog
from portal_archive.archive.search import SearchQuery, search, search_fold
from tests.conftest import Crawl, run_cli


def _versions(data: Path) -> list[tuple[int, str, str]]:
    """(version id, key, title) of every version in the data folder's catalog."""
    with sqlite3.connect(data / "catalog.sqlite") as db:
        rows = db.execute("SELECT id, key, json_path FROM versions ORDER BY id").fetchall()
    db.close()
    titles = []
    for version_id, key, json_path in rows:
        item = json.loads((data / "json" / json_path).read_text("utf-8"))
        titles.append((version_id, key, item["title"]))
    return titles


def _unfound(data: Path) -> list[str]:
    """The versions whose title, typed without tone marks, does not find its article."""
    catalog = Catalog(data / "catalog.sqlite")
    try:
        missing = []
        for _, key, title in _versions(data):
            typed = '"' + search_fold(title) + '"'
            if key not in {hit.key for hit in search(catalog, SearchQuery(typed)).hits}:
                missing.append(title)
        return missing
    finally:
        catalog.close()


def test_the_crawl_indexes_every_article_it_archives(first_crawl: Crawl) -> None:
    assert len(_versions(first_crawl.data)) >= 10
    assert _unfound(first_crawl.data) == []


def test_an_older_data_folder_is_indexed_when_opened(first_crawl: Crawl, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(first_crawl.data, data)
    with sqlite3.connect(data / "catalog.sqlite") as db:  # as schema 5 left it
        db.executescript("DROP TABLE search_fts; DROP TABLE search_docs;"
                         " PRAGMA user_version=5;")
    db.close()
    versions = _versions(data)
    gone, torn = versions[0], versions[1]
    with sqlite3.connect(data / "catalog.sqlite") as db:
        paths = dict(db.execute("SELECT id, json_path FROM versions").fetchall())
    db.close()
    (data / "json" / paths[gone[0]]).unlink()
    (data / "json" / paths[torn[0]]).write_text('{"url": ', "utf-8")
    changes = run_cli("changes", "--data", str(data))  # any command opens (and upgrades) it
    assert changes.returncode == 0, changes.stderr
    assert "2 version files missing or unreadable" in changes.stderr
    (data / "json" / paths[torn[0]]).unlink()  # both out of the way of _unfound
    with sqlite3.connect(data / "catalog.sqlite") as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 6
        indexed = db.execute("SELECT count(*) FROM search_docs").fetchone()[0]
        db.execute("DELETE FROM versions WHERE id IN (?, ?)", (gone[0], torn[0]))
    db.close()
    assert indexed == len(versions) - 2
    assert _unfound(data) == []


def test_the_rebuilt_catalog_is_searchable(first_crawl: Crawl, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(first_crawl.data, data)
    rebuilt = run_cli("verify", "--rebuild-catalog", "--data", str(data))
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    with sqlite3.connect(data / "catalog.sqlite") as db:
        counts = db.execute("SELECT (SELECT count(*) FROM versions),"
                            " (SELECT count(*) FROM search_docs)").fetchone()
    db.close()
    assert counts[0] == counts[1] > 0
    assert _unfound(data) == []
