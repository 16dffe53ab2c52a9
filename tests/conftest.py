"""Shared fixtures: the real demo portal over HTTP, and the real CLI in a subprocess
(Twisted's reactor runs once per process, so every crawl gets its own)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from portal_archive.crawler.demo.content import DemoSite
from portal_archive.crawler.demo.portal import DemoPortal
from tests.clocks import ahead_by

# Fast but still real: AutoThrottle and robots.txt stay on. The slow demo page sleeps
# 3 s, so a 1.5 s timeout turns it into a timeout.
TEST_CRAWL_SETTINGS = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_START_DELAY": "0",
    "AUTOTHROTTLE_TARGET_CONCURRENCY": "8",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
    "DOWNLOAD_TIMEOUT": "1.5",
    "RETRY_TIMES": "1",
}

# The command line, run from this checkout's interpreter (the console script may be
# another install's).
CLI = [sys.executable, "-m", "portal_archive.crawler.cli"]


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: str, timeout: float = 180, env: dict[str, str] | None = None) -> CliResult:
    proc = subprocess.run(
        [*CLI, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


def crawl_demo(portal: DemoPortal, data: Path, *extra: str, env: dict[str, str] | None = None,
               **settings: str) -> CliResult:
    merged = {**TEST_CRAWL_SETTINGS, "PORTAL_BASE_URL": portal.base_url, **settings}
    args = ["crawl", "demo", "--data", str(data)]
    for name, value in merged.items():
        args += ["-s", f"{name}={value}"]
    return run_cli(*args, *extra, env=env)


def crawl_two_days(portal: DemoPortal, data: Path, gap: float = 4.0,
                   env: dict[str, str] | None = None, **settings: str) -> str:
    """Crawl the demo portal's day 0, then its day 1 (article 2's second paragraph
    rewritten, article 4's tone marks moved, article 6 removed, new articles) into
    ``data``; returns the 14-digit second that separates the two crawls."""
    portal.set_state(day=0)
    result = crawl_demo(portal, data, env=env, **settings)
    assert result.returncode == 0, result.stderr[-3000:]
    return crawl_day_1(portal, data, gap, env, **settings)


def crawl_day_1(portal: DemoPortal, data: Path, gap: float = 1.0,
                env: dict[str, str] | None = None, **settings: str) -> str:
    since = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)
    portal.set_state(day=1)
    # Day 1's captures are stamped at least `gap` seconds on by a clock the test hands
    # the crawl, not by waiting: whole seconds apart from day 0's, so "nearer to one
    # capture" never ties at 1 s resolution.
    # --backfill: article 2 sits on a listing's last page, past the known articles.
    shifted, clock = ahead_by(gap)
    result = crawl_demo(portal, data, "--backfill", env={**(env or {}), **clock},
                        **{**settings, **shifted})
    assert result.returncode == 0, result.stderr[-3000:]
    return since.strftime("%Y%m%d%H%M%S")


def crawl_on_a_terminal(portal: DemoPortal, data: Path, *extra: str,
                        interval: float = 0.2) -> str:
    """What a demo crawl writes to stderr when stderr is a terminal (a real pty)."""
    import pty

    args = [*CLI, "crawl", "demo", "--data", str(data), *extra,
            "-s", f"PORTAL_BASE_URL={portal.base_url}", "-s", f"PROGRESS_INTERVAL={interval}"]
    for name, value in TEST_CRAWL_SETTINGS.items():
        args += ["-s", f"{name}={value}"]
    controller, terminal = pty.openpty()
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=terminal)
    os.close(terminal)
    seen = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        seen += chunk
    os.close(controller)
    assert proc.wait(timeout=180) == 0
    return seen.decode("utf-8", "replace")


@pytest.fixture(scope="session")
def demo_site() -> DemoSite:
    return DemoSite(articles=60, slow_seconds=3.0)


@pytest.fixture(scope="session")
def portal(demo_site: DemoSite) -> Iterator[DemoPortal]:
    """A demo portal that stays at day 0 for the whole session: never change its state."""
    with DemoPortal(demo_site) as served:
        yield served


@dataclass
class Crawl:
    data: Path
    result: CliResult
    hits: dict[str, int]


@pytest.fixture(scope="session")
def first_crawl(portal: DemoPortal, tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    data = tmp_path_factory.mktemp("first-crawl")
    before = dict(portal.hits)
    result = crawl_demo(portal, data)
    assert result.returncode == 0, result.stderr
    hits = {path: n - before.get(path, 0) for path, n in portal.hits.items()}
    return Crawl(data, result, hits)


def warc_response_urls(data: Path) -> set[str]:
    """The target URIs of every response record in a data folder's WARCs, read with warcio."""
    urls = set()
    for path in (data / "warc").glob("*/*.warc*"):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type == "response":
                    urls.add(record.rec_headers.get_header("WARC-Target-URI"))
    return urls


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A real PostgreSQL server (tests/postgres.py): one per test process."""
    from tests.postgres import server_url

    yield from server_url()


@pytest.fixture
def postgres_url(postgres_server: str) -> str:
    """A fresh, empty database of its own for one test (a libpq URL)."""
    from tests.postgres import new_database

    return new_database(postgres_server)


@pytest.fixture(params=["sqlite", "postgresql"])
def catalog_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new catalog's URL on each engine: the data folder's SQLite file, and a fresh
    PostgreSQL database (archive/catalog.py runs the same SQL on both)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'catalog.sqlite'}"
    return str(request.getfixturevalue("postgres_url"))
