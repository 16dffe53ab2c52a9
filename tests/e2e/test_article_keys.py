"""Article keys tell portals apart (issue 11, point 2): two portals on one CMS with
identical paths keep separate articles and JSON versions; an old data folder, keyed
without the host, is migrated in place by the next run (or by the catalog rebuild), and a
moved portal in it keeps its history. (A move in a data folder of today: the site-moved
test of tests/e2e/test_change_events.py, which sees no new or removed event.)"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path, PurePosixPath

from portal_archive.archive.catalog import SCHEMA_VERSION
from portal_archive.archive.keys import article_key, legacy_article_key
from portal_archive.crawler.demo.content import CATEGORIES, DemoSite
from portal_archive.crawler.demo.portal import DemoPortal

from ..conftest import TEST_CRAWL_SETTINGS, crawl_demo, run_cli, warc_response_urls

FAST = {"PORTAL_REQUISITES": "False"}
CATEGORY = next(iter(CATEGORIES))


def _generic_crawl(data: Path, *portals: DemoPortal) -> None:
    """One generic crawl of the same listing path on every portal."""
    args = ["crawl", "--data", str(data)]
    for portal in portals:
        args += ["--listing", f"{portal.base_url}/chuyen-muc/{CATEGORY}"]
    for name, value in {**TEST_CRAWL_SETTINGS, **FAST}.items():
        args += ["-s", f"{name}={value}"]
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr


def _catalog(data: Path) -> sqlite3.Connection:
    db = sqlite3.connect(data / "catalog.sqlite")
    db.row_factory = sqlite3.Row
    return db




def test_two_portals_with_identical_paths_keep_separate_articles(tmp_path: Path) -> None:
    site = DemoSite(articles=8, faults=False)
    with DemoPortal(site) as one, DemoPortal(site) as two:
        _generic_crawl(tmp_path, one, two)
        db = _catalog(tmp_path)
        articles = db.execute("SELECT url, key FROM articles").fetchall()
        by_host = {p.base_url: [a for a in articles if a["url"].startswith(p.base_url + "/")]
                   for p in (one, two)}
        assert len(by_host[one.base_url]) == len(by_host[two.base_url]) > 0
        # Same paths on both hosts, different keys, a JSON version of each.
        paths = {url.split("/", 3)[3] for url, _ in articles}
        assert len(paths) * 2 == len(articles)
        assert len({a["key"] for a in articles}) == len(articles)
        versions = db.execute("SELECT url, json_path FROM versions").fetchall()
        assert {v["url"] for v in versions} == {a["url"] for a in articles}
        folders = {PurePosixPath(v["json_path"]).parent for v in versions}
        assert len(folders) == len(articles)
        for version in versions:
            stored = json.loads((tmp_path / "json" / version["json_path"]).read_text("utf-8"))
            assert stored["url"] == version["url"]
        news = [e for e in db.execute("SELECT * FROM events WHERE type = 'new'")]
        assert {e["url"] for e in news} == {a["url"] for a in articles}
        # Both portals' pages were captured, and read back from the WARCs.
        assert {a["url"] for a in articles} <= warc_response_urls(tmp_path)
        db.close()
        # A second night: nothing changed on either portal, so nothing is said.
        _generic_crawl(tmp_path, one, two)
        db = _catalog(tmp_path)
        assert db.execute("SELECT count(*) FROM events").fetchone()[0] == len(news)
        assert db.execute("SELECT count(*) FROM versions").fetchone()[0] == len(versions)
        db.close()


def _to_schema_3(data: Path) -> dict[str, str]:
    """Turn a data folder of today into one of catalog schema 3: keys without the host,
    JSON folders named by them. Returns url -> old JSON path."""
    db = sqlite3.connect(data / "catalog.sqlite")
    old_paths = {}
    for version_id, url, json_path in db.execute("SELECT id, url, json_path FROM versions"):
        old = PurePosixPath(json_path)
        legacy = str(old.parent.parent / legacy_article_key(url) / old.name)
        (data / "json" / legacy).parent.mkdir(parents=True, exist_ok=True)
        os.replace(data / "json" / json_path, data / "json" / legacy)
        (data / "json" / old.parent).rmdir()
        db.execute("UPDATE versions SET key = ?, json_path = ? WHERE id = ?",
                   (legacy_article_key(url), legacy, version_id))
        old_paths[url] = legacy
    for table in ("articles", "listing_items"):
        for rowid, url in db.execute(f"SELECT rowid, url FROM {table}").fetchall():
            db.execute(f"UPDATE {table} SET key = ? WHERE rowid = ?",
                       (legacy_article_key(url), rowid))
    db.execute("PRAGMA user_version=3")
    db.commit()
    db.close()
    return old_paths


def _home_key(url: str, portal: DemoPortal) -> str:
    """The key of an article of the moved demo portal: made with its first host."""
    return article_key(url, f"127.0.0.1:{portal.port}")


def test_an_old_data_folder_of_a_moved_portal_is_migrated_and_keeps_its_history(
        tmp_path: Path) -> None:
    site = DemoSite(articles=30, faults=False)
    with DemoPortal(site) as portal:
        assert crawl_demo(portal, tmp_path, **FAST).returncode == 0
        portal.set_state(moved=True)  # 127.0.0.1 answers 301 to localhost
        assert crawl_demo(portal, tmp_path, **FAST).returncode == 0
        old_paths = _to_schema_3(tmp_path)
        db = _catalog(tmp_path)
        archived = {url.split("/", 3)[3] for (url,) in db.execute("SELECT url FROM articles")}
        events_before = db.execute("SELECT count(*) FROM events").fetchone()[0]
        db.close()
        assert old_paths and all((tmp_path / "json" / p).is_file() for p in old_paths.values())

        portal.set_state(day=1)  # edits, removals and new articles, on the new host
        result = crawl_demo(portal, tmp_path, "--backfill", **FAST)  # migrates first
        assert result.returncode == 0, result.stderr
    db = _catalog(tmp_path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    for version in db.execute("SELECT url, key, json_path FROM versions").fetchall():
        assert version["key"] == _home_key(version["url"], portal)
        assert PurePosixPath(version["json_path"]).parent.name == version["key"]
        stored = json.loads((tmp_path / "json" / version["json_path"]).read_text("utf-8"))
        assert stored["url"] == version["url"]
    assert not any((tmp_path / "json" / p).exists() for p in old_paths.values())
    for table in ("articles", "listing_items"):
        rows = db.execute(f"SELECT url, key FROM {table}").fetchall()
        assert rows and all(r["key"] == _home_key(r["url"], portal) for r in rows)
    # The moved portal's history carried over: its edits are edits, not new articles.
    day_one = db.execute("SELECT type, url FROM events WHERE id > ?", (events_before,))
    said = [(e["type"], e["url"]) for e in day_one]
    edited = [url for kind, url in said if kind == "edited"]
    assert edited and all(url.startswith("http://localhost:") for url in edited)
    assert not [url for kind, url in said if kind == "new" and url.split("/", 3)[3] in archived]
    db.close()
    verify = run_cli("verify", "--data", str(tmp_path))
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_an_old_json_folder_is_rekeyed_by_the_catalog_rebuild(tmp_path: Path) -> None:
    with DemoPortal(DemoSite(articles=8, faults=False)) as portal:
        assert crawl_demo(portal, tmp_path, **FAST).returncode == 0
    old_paths = _to_schema_3(tmp_path)
    (tmp_path / "catalog.sqlite").unlink()
    for journal in tmp_path.glob("catalog.sqlite-*"):
        journal.unlink()
    result = run_cli("verify", "--rebuild-catalog", "--data", str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    db = _catalog(tmp_path)
    versions = db.execute("SELECT url, key, json_path FROM versions").fetchall()
    assert {v["url"] for v in versions} == set(old_paths)
    for version in versions:
        assert version["key"] == article_key(version["url"])
        assert PurePosixPath(version["json_path"]).parent.name == version["key"]
        assert (tmp_path / "json" / version["json_path"]).is_file()
    db.close()
