"""A catalog that is gone, empty, cut short or garbage is never silently replaced: every
command says so in one line, writes nothing, and `verify --rebuild-catalog` brings back
one from which the next crawl reports nothing as new."""

from __future__ import annotations

import random
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from portal_archive.crawler.demo.content import DemoSite
from portal_archive.crawler.demo.portal import DemoPortal

from ..conftest import crawl_demo, run_cli


@pytest.fixture(scope="module")
def portal() -> Iterator[DemoPortal]:
    with DemoPortal(DemoSite(articles=10, faults=False)) as served:
        yield served


@pytest.fixture(scope="module")
def pristine(portal: DemoPortal, tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("archived")
    result = crawl_demo(portal, data)
    assert result.returncode == 0, result.stderr
    return data


def _damage(catalog: Path, how: str) -> None:
    if how == "missing":
        catalog.unlink()
    elif how == "zero-byte":
        catalog.write_bytes(b"")
    elif how == "truncated":
        blob = catalog.read_bytes()
        catalog.write_bytes(blob[: len(blob) // 2])
    elif how == "garbage":
        catalog.write_bytes(random.Random(8).randbytes(catalog.stat().st_size))


def _snapshot(data: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(data).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in data.rglob("*") if p.is_file()}


def _one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("portal-archive: error: ")
    return lines[0]


@pytest.mark.parametrize("how", ["missing", "zero-byte", "truncated", "garbage"])
def test_a_broken_catalog_is_refused_then_rebuilt(
    how: str, pristine: Path, portal: DemoPortal, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    shutil.copytree(pristine, data)
    _damage(data / "catalog.sqlite", how)
    before = _snapshot(data)

    crawl = crawl_demo(portal, data)
    assert crawl.returncode == 1
    assert "portal-archive verify --rebuild-catalog" in _one_error_line(crawl.stderr)
    changes = run_cli("changes", "--data", str(data))
    assert changes.returncode == 1 and changes.stdout == ""
    assert "--rebuild-catalog" in _one_error_line(changes.stderr)
    assert _snapshot(data) == before, "a refused command wrote nothing"
    checked = run_cli("verify", "--data", str(data))
    assert checked.returncode == 1 and "catalog.sqlite" in checked.stdout
    rebuilt = run_cli("verify", "--rebuild-catalog", "--data", str(data))
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    assert rebuilt.stdout.startswith("rebuilt the catalog: ")
    again = crawl_demo(portal, data)
    assert again.returncode == 0, again.stderr
    assert "10 unchanged" in again.stdout and "events         none" in again.stdout
    with sqlite3.connect(data / "catalog.sqlite") as db:
        kinds = dict(db.execute("SELECT type, count(*) FROM events GROUP BY type").fetchall())
    assert kinds == {"new": 10}, "the first crawl's events came back, none was added"


def test_verify_finds_a_torn_catalog_page(pristine: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(pristine, data)
    catalog = data / "catalog.sqlite"
    with sqlite3.connect(catalog) as db:
        (page,) = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'events'"
                             ).fetchone()
        (size,) = db.execute("PRAGMA page_size").fetchone()
    db.close()
    blob = bytearray(catalog.read_bytes())
    # The events table's page torn (the header is whole): only a query finds it.
    blob[(page - 1) * size : page * size] = random.Random(3).randbytes(size)
    catalog.write_bytes(bytes(blob))
    result = run_cli("verify", "--data", str(data))
    assert result.returncode == 1
    assert f"{catalog}: the catalog {catalog} is damaged" in result.stdout
    changes = run_cli("changes", "--data", str(data))
    assert changes.returncode == 1 and "is damaged" in _one_error_line(changes.stderr)


def test_verify_checks_the_catalog_against_warcs_and_json(pristine: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(pristine, data)
    with sqlite3.connect(data / "catalog.sqlite") as db:
        orphan, lost = (row[0] for row in db.execute("SELECT json_path FROM versions LIMIT 2"))
        db.execute("DELETE FROM versions WHERE json_path = ?", (orphan,))
        (url,) = db.execute("UPDATE captures SET warc_offset = warc_offset + 1"
                            " WHERE id = (SELECT max(id) FROM captures) RETURNING url").fetchone()
    db.close()
    (data / "json" / lost).unlink()
    result = run_cli("verify", "--data", str(data))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert f"{data / 'catalog.sqlite'}: version file {data / 'json' / lost} is missing" in lines
    assert any(line.startswith(f"{data / 'catalog.sqlite'}: capture of {url} points at no"
                               " record") for line in lines)
    # A JSON file with no version row is what a kill between the two writes leaves: noted.
    assert f"note: {data / 'json' / orphan}: no version in the catalog refers to it" in lines
    assert lines[-1].endswith(" 2 problem(s)")


COLUMNS = {
    "captures": "run_id, url, captured_at, status, mime, payload_digest, record_id,"
                " record_type, warc_file, warc_offset, warc_length, refers_to, etag,"
                " last_modified",
    "versions": "url, site, key, content_hash, text_hash, captured_at, run_id, json_path,"
                " record_id",
    "articles": "url, site, key, first_seen, last_seen, status",
    "events": "type, site, url, at, run_id, fields, diff, title",
}


def _rows(catalog: Path) -> dict[str, set[tuple]]:
    with sqlite3.connect(catalog) as db:
        rows = {table: set(db.execute(f"SELECT {columns} FROM {table}"))
                for table, columns in COLUMNS.items()}
    db.close()
    return rows


def test_the_rebuilt_catalog_holds_what_the_crawl_wrote(pristine: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(pristine, data)
    rebuilt = run_cli("verify", "--rebuild-catalog", "--data", str(data))
    assert rebuilt.returncode == 0, rebuilt.stdout
    assert _rows(data / "catalog.sqlite") == _rows(pristine / "catalog.sqlite")
    (kept,) = data.glob("catalog.sqlite.broken-*")
    assert _rows(kept) == _rows(pristine / "catalog.sqlite")  # the old one is never lost
