"""A crawl killed at any moment, or stopped by a full disk, loses nothing: the next crawl
closes, indexes and cleans what it left, and marks its run killed."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator

from portal_archive.archive.cdxj import index_warcs, indexed_files, site_lines
from portal_archive.crawler.demo.content import DemoSite
from portal_archive.crawler.demo.portal import DemoPortal

from ..conftest import CLI, TEST_CRAWL_SETTINGS, crawl_demo, run_cli

PAUSE_ENV = "PORTAL_ARCHIVE_TEST_PAUSE_BEFORE_INDEX"
# Small files, so that a crawl of ten articles closes (and indexes) several of them.
SMALL_WARCS = {"WARC_MAX_SIZE": "30000"}


def _crawl_args(portal: DemoPortal, data: Path) -> list[str]:
    args = [*CLI, "crawl", "demo", "--data", str(data)]
    for name, value in {**TEST_CRAWL_SETTINGS, **SMALL_WARCS,
                        "PORTAL_BASE_URL": portal.base_url}.items():
        args += ["-s", f"{name}={value}"]
    return args


def _closed_unindexed(data: Path) -> set[str]:
    closed = {p.relative_to(data / "warc").as_posix()
              for p in (data / "warc").glob("demo/*.warc.gz")}
    return closed - indexed_files(data / "index")


def _kill_in_close_window(proc: subprocess.Popen[bytes], data: Path) -> bool:
    """Kill once a file has been closed and stays unindexed (the crawl pauses there)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and proc.poll() is None:
        waiting = _closed_unindexed(data)
        if waiting:
            time.sleep(0.3)  # not a file the starting crawl is itself healing
            if waiting & _closed_unindexed(data):
                os.kill(proc.pid, signal.SIGKILL)
                return True
        time.sleep(0.02)
    return False


def _assert_every_warc_readable(data: Path) -> int:
    records = 0
    for path in (data / "warc").rglob("*.warc.gz*"):
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream):
                record.content_stream().read()
                records += 1
    return records


def test_twenty_kill_9s_at_random_moments_lose_nothing(tmp_path: Path) -> None:
    seed = int(os.environ.get("HEAL_SEED", time.time_ns() % 10_000))
    rng = random.Random(seed)
    site = DemoSite(articles=10, faults=False)
    in_window = 0
    with DemoPortal(site) as portal:
        for round_ in range(20):
            close_window = round_ % 4 == 3
            env = {**os.environ, PAUSE_ENV: "30"} if close_window else None
            proc = subprocess.Popen(_crawl_args(portal, tmp_path), env=env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                if close_window:
                    in_window += _kill_in_close_window(proc, tmp_path)
                else:
                    time.sleep(rng.uniform(0.3, 1.8))
            finally:
                proc.kill()
                proc.wait()
            _assert_every_warc_readable(tmp_path)
        assert in_window == 5, f"seed {seed}: the close window was hit {in_window} times"
        _assert_another_site_heals_it(portal, tmp_path)
        final = crawl_demo(portal, tmp_path, **SMALL_WARCS)
    assert final.returncode == 0, f"seed {seed}: {final.stderr}"

    # Everything is indexed: the index holds exactly what cdxj-indexer reads in the WARCs.
    assert not list((tmp_path / "warc").rglob("*.open"))
    for name in ("demo", "generic"):
        expected = index_warcs(tmp_path / "warc", sorted((tmp_path / "warc").glob(f"{name}/*")))
        assert site_lines(tmp_path / "index", name) == expected, f"seed {seed}"
    assert not list(tmp_path.rglob("*.tmp")), f"seed {seed}"
    with sqlite3.connect(tmp_path / "catalog.sqlite") as db:
        statuses = [row[0] for row in db.execute("SELECT status FROM runs")]
        versioned = {row[0] for row in db.execute("SELECT url FROM versions")}
        reported = {row[0] for row in db.execute("SELECT url FROM events WHERE type = 'new'")}
    db.close()
    assert len(statuses) >= 2 and "running" not in statuses, statuses
    assert versioned == reported, "every article in the catalog was reported new"
    # No article lost: every one has its JSON.
    paths = {urlsplit(json.loads(p.read_text("utf-8"))["url"]).path
             for p in (tmp_path / "json").rglob("*.json")}
    assert paths == {site.article(i).path for i in range(1, 11)}
    verified = run_cli("verify", "--data", str(tmp_path))
    assert verified.returncode == 0, f"seed {seed}: {verified.stdout}"


def _assert_another_site_heals_it(portal: DemoPortal, data: Path) -> None:
    """The last round left demo's file closed and unindexed: a crawl of another site
    indexes it (demo may never be crawled again), but leaves demo's run to demo."""
    waiting = _closed_unindexed(data)
    assert waiting
    demo_runs = _run_statuses(data, "demo")
    listing = f"{portal.base_url}/chuyen-muc/hoat-dong-cap-uy"
    other = run_cli("crawl", "--listing", listing, "--data", str(data),
                    *[arg for name, value in TEST_CRAWL_SETTINGS.items()
                      for arg in ("-s", f"{name}={value}")])
    assert other.returncode == 0, other.stderr
    assert not _closed_unindexed(data)
    for name in waiting:
        assert f"{data / 'warc' / name}: added to the index" in other.stderr
    # Which of demo's runs is its own only demo's next crawl can tell.
    assert _run_statuses(data, "demo") == demo_runs
    assert _run_statuses(data, "generic") == ["finished"]


def _run_statuses(data: Path, site: str) -> list[str]:
    with sqlite3.connect(data / "catalog.sqlite") as db:
        rows = db.execute("SELECT status FROM runs WHERE site = ? ORDER BY started_at", (site,))
        statuses = [row[0] for row in rows]
    db.close()
    return statuses


def test_after_a_full_disk_the_next_crawl_completes_the_archive(tmp_path: Path) -> None:
    site = DemoSite(articles=10, faults=False)
    with DemoPortal(site) as portal:
        full = subprocess.run(_crawl_args(portal, tmp_path), capture_output=True, text=True,
                              timeout=60, preexec_fn=_limit_file_size_small)
        assert full.returncode == 1, full.stderr
        assert "Traceback" not in full.stderr
        again = crawl_demo(portal, tmp_path, **SMALL_WARCS)
    assert again.returncode == 0, again.stderr
    assert not _closed_unindexed(tmp_path)
    assert not list(tmp_path.rglob("*.tmp"))
    with sqlite3.connect(tmp_path / "catalog.sqlite") as db:
        statuses = [row[0] for row in db.execute("SELECT status FROM runs ORDER BY started_at")]
        news = db.execute("SELECT url, count(*) FROM events WHERE type = 'new' GROUP BY url")
        counts = dict(news.fetchall())
    assert statuses[-1] == "finished" and "running" not in statuses
    assert len(counts) == 10 and set(counts.values()) == {1}  # each new once, none lost
    verified = run_cli("verify", "--data", str(tmp_path))
    assert verified.returncode == 0, verified.stdout


def _limit_file_size_small() -> None:
    import resource

    # As in test_crash.py, a full disk stand-in: writes past 100 kB fail with EFBIG, which
    # the catalog's journal reaches some captures into this crawl.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))



def test_an_index_that_cannot_be_written_stops_the_crawl_and_the_next_one_indexes(
    tmp_path: Path,
) -> None:
    # Root writes anywhere, so the failing write is made another way: while the crawl
    # pauses before its first indexing, the index manifest's name is taken by a folder.
    # Indexing then fails with an OSError, as it would on a full disk.
    blocker = tmp_path / "index" / "segments.json"
    with DemoPortal(DemoSite(articles=10, faults=False)) as portal:
        proc = subprocess.Popen(_crawl_args(portal, tmp_path), env={**os.environ, PAUSE_ENV: "1"},
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 20
        while not _closed_unindexed(tmp_path) and time.monotonic() < deadline:
            time.sleep(0.02)
        blocker.mkdir(parents=True)
        _, stderr = proc.communicate(timeout=60)
        assert proc.returncode == 1, stderr
        last = stderr.strip().splitlines()[-1]
        assert last.startswith("portal-archive: error: crawl of demo stopped: could not index ")
        assert "Traceback" not in stderr
        assert not list((tmp_path / "warc").rglob("*.open"))  # closed all the same
        blocker.rmdir()
        again = crawl_demo(portal, tmp_path, **SMALL_WARCS)
    assert again.returncode == 0, again.stderr
    warcs = sorted((tmp_path / "warc").glob("demo/*.warc.gz"))
    assert site_lines(tmp_path / "index", "demo") == index_warcs(tmp_path / "warc", warcs)
    verified = run_cli("verify", "--data", str(tmp_path))
    assert verified.returncode == 0, verified.stdout
