"""Other processes open the catalog while a crawl writes it: `verify`, `changes`, a crawl
of another site. Nothing they do may cost the crawl a row (the catalog is SQLite in WAL
mode, shared between processes by its locks)."""

from __future__ import annotations

import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from ..conftest import CLI, TEST_CRAWL_SETTINGS, run_cli
from ..hostile import HostileServer, numbered_article, page

ARTICLES = 24


def _slow_article(gate: threading.Event | None) -> Callable[[BaseHTTPRequestHandler], None]:
    def serve(handler: BaseHTTPRequestHandler) -> None:
        time.sleep(0.25)
        if gate is not None and handler.path.endswith(f"id={ARTICLES - 1}"):
            gate.wait(60)  # the crawl lasts until the test has read beside it
        numbered_article()(handler)
    return serve


def _slow_portal(gate: threading.Event | None = None) -> HostileServer:
    """A listing of ARTICLES articles that each take a quarter of a second; the last one
    is held until ``gate`` is set, if there is one."""
    listing = "".join(f"<li><a href='/article.html?id={k}'>Tin tức chậm số {k} của cổng thử"
                      " nghiệm</a></li>" for k in range(ARTICLES))
    return HostileServer({"/": page(f"<html><body><ul>{listing}</ul></body></html>"),
                          "/article.html": _slow_article(gate)})


def _start_crawl(server: HostileServer, data: Path,
                 **settings: str) -> subprocess.Popen[str]:
    """A crawl of the slow portal, two requests at a time, in a process of its own."""
    args = [*CLI, "crawl", "--listing", server.url("/"), "--data", str(data)]
    for name, value in {**TEST_CRAWL_SETTINGS, "CONCURRENT_REQUESTS_PER_DOMAIN": "2",
                        "AUTOTHROTTLE_ENABLED": "False", **settings}.items():
        args += ["-s", f"{name}={value}"]
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            stdin=subprocess.DEVNULL)


def test_readers_in_other_processes_cost_a_crawl_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    gate = threading.Event()  # however loaded the machine, the crawl outlasts the reads
    with _slow_portal(gate) as server:
        crawl = _start_crawl(server, data, DOWNLOAD_TIMEOUT="90")  # the held article waits
        readers = 0
        while crawl.poll() is None and readers < 3:
            if (data / "catalog.sqlite").exists():
                run_cli("verify", "--data", str(data))  # fails on the .open file: fine
                run_cli("changes", "--data", str(data))
                readers += 1
            time.sleep(0.3)
        crawling = crawl.poll() is None
        gate.set()
        out, err = crawl.communicate(timeout=120)
    assert readers == 3 and crawling, "the crawl ended before the readers were done"
    assert crawl.returncode == 0, err
    assert f"{ARTICLES} new" in out, out
    db = sqlite3.connect(data / "catalog.sqlite")
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert db.execute("SELECT count(*) FROM versions").fetchone() == (ARTICLES,)
    assert db.execute("SELECT status FROM runs").fetchall() == [("finished",)]
    verify = run_cli("verify", "--data", str(data))
    assert verify.returncode == 0, verify.stdout + verify.stderr


def _write_beside(catalog: Path, n: int) -> None:
    """One write of another crawl's connection, which waits at most 1 s for the lock."""
    db = sqlite3.connect(catalog, timeout=1.0, isolation_level=None)
    try:
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO skipped (url, reason, at) VALUES (?, 'robots', 'now')",
                   (f"http://elsewhere.invalid/{n}",))
        db.execute("COMMIT")
    finally:
        db.close()


def test_a_crawl_storing_in_batches_never_keeps_another_writer_waiting(
        tmp_path: Path) -> None:
    """Batches of articles and captures wait in memory, never in an open transaction:
    here a batch waits 2 s for its timer, twice the other writer's patience."""
    data = tmp_path / "data"
    with _slow_portal() as server:
        crawl = _start_crawl(server, data, PORTAL_STORE_BATCH_SIZE="1000",
                             PORTAL_STORE_BATCH_SECONDS="2", PORTAL_CATALOG_BATCH_SIZE="1000")
        writes = 0
        while crawl.poll() is None:
            if (data / "catalog.sqlite").exists():
                _write_beside(data / "catalog.sqlite", writes)  # "locked" would raise
                writes += 1
            time.sleep(0.05)
        out, err = crawl.communicate(timeout=120)
    assert writes >= 20, "the crawl ended before the other writer got going"
    assert crawl.returncode == 0, err
    assert f"{ARTICLES} new" in out, out
    db = sqlite3.connect(data / "catalog.sqlite")
    assert db.execute("SELECT count(*) FROM versions").fetchone() == (ARTICLES,)
    assert db.execute("SELECT count(*) FROM skipped WHERE url LIKE 'http://elsewhere.invalid/%'"
                      ).fetchone() == (writes,)
    db.close()
