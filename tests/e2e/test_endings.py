"""Every crawl ends by itself (issue 8, point 2): endless listings, signals, stalls and
deadlines, against hostile portals on 127.0.0.1 and the real CLI in a subprocess."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from portal_archive.archive.catalog import Catalog

from ..conftest import CLI, TEST_CRAWL_SETTINGS, CliResult, run_cli
from ..hostile import (
    HostileServer,
    calendar_listing,
    endless_listing,
    never_answers,
    numbered_article,
    trickling_page,
)


def _crawl_listing(url: str, data: Path, *extra: str, **settings: Any) -> CliResult:
    merged = {**TEST_CRAWL_SETTINGS, "PORTAL_REQUISITES": "False", **settings}
    args = ["crawl", "--listing", url, "--data", str(data), *extra]
    for name, value in merged.items():
        args += ["-s", f"{name}={value}"]
    return run_cli(*args, timeout=60)


def _last_run(data: Path) -> tuple[str, dict[str, Any]]:
    catalog = Catalog(data / "catalog.sqlite")
    try:
        row = catalog.runs()[-1]
        return row["status"], json.loads(row["stats"] or "{}")
    finally:
        catalog.close()


def _listing_hits(server: HostileServer, path: str) -> int:
    return sum(n for target, n in server.hits.items() if target.split("?")[0] == path)


def _stop_lines(result: CliResult) -> list[str]:
    return [line for line in result.stderr.splitlines() if "paging of listing" in line]


def test_an_endless_listing_of_new_articles_ends_at_the_page_cap(tmp_path: Path) -> None:
    routes = {"/tin-tuc": endless_listing(per_page=2), "/article.html": numbered_article()}
    with HostileServer(routes) as server:
        result = _crawl_listing(server.url("/tin-tuc"), tmp_path, PORTAL_MAX_LISTING_PAGES=4)
        assert result.returncode == 0, result.stderr
        assert _listing_hits(server, "/tin-tuc") == 4
        assert _listing_hits(server, "/article.html") == 8
        [line] = _stop_lines(result)  # one WARNING line, shown without -v
        assert "stopped after 4 page(s)" in line and "PORTAL_MAX_LISTING_PAGES" in line
        status, stats = _last_run(tmp_path)
        assert (status, stats["listing/stopped/max-pages"]) == ("finished", 1)

        # A backfill pages further, but its own cap still ends the listing.
        result = _crawl_listing(server.url("/tin-tuc"), tmp_path, "--backfill",
                                PORTAL_MAX_LISTING_PAGES=4, PORTAL_BACKFILL_MAX_LISTING_PAGES=7)
        assert result.returncode == 0, result.stderr
        assert _listing_hits(server, "/tin-tuc") == 4 + 7
        [line] = _stop_lines(result)
        assert "stopped after 7 page(s)" in line and "PORTAL_BACKFILL_MAX_LISTING_PAGES" in line


def test_a_listing_repeating_its_items_stops_after_a_run_of_empty_pages(tmp_path: Path) -> None:
    routes = {"/tin-tuc": endless_listing(per_page=3, repeat=True),
              "/article.html": numbered_article()}
    with HostileServer(routes) as server:
        result = _crawl_listing(server.url("/tin-tuc"), tmp_path, PORTAL_MAX_EMPTY_LISTING_PAGES=3)
        assert result.returncode == 0, result.stderr
        # Page 1 brings three articles; pages 2, 3 and 4 bring none new: stop.
        assert _listing_hits(server, "/tin-tuc") == 4
        assert _listing_hits(server, "/article.html") == 3
    [line] = _stop_lines(result)
    assert "3 pages in a row brought no new article" in line
    assert _last_run(tmp_path)[1]["listing/stopped/no-new-articles"] == 1


def test_a_calendar_running_to_2033_ends_even_when_backfilling(tmp_path: Path) -> None:
    routes = {"/lich": calendar_listing("2026-12-01", 2), "/article.html": numbered_article()}
    with HostileServer(routes) as server:
        result = _crawl_listing(server.url("/lich?ngay=2026-12-01"), tmp_path, "--backfill",
                                PORTAL_MAX_EMPTY_LISTING_PAGES=4)
        assert result.returncode == 0, result.stderr
        assert _listing_hits(server, "/lich") == 1 + 4
        assert server.hits["/lich?ngay=2026-12-05"] == 1
        assert server.hits["/lich?ngay=2026-12-06"] == 0
    [line] = _stop_lines(result)
    assert "stopped after 5 page(s), at " in line and "ngay=2026-12-05" in line


# -- signals ---------------------------------------------------------------------------
def _start_crawl(url: str, data: Path, **settings: Any) -> subprocess.Popen[str]:
    merged = {**TEST_CRAWL_SETTINGS, "PORTAL_REQUISITES": "False", **settings}
    args = [*CLI, "crawl", "--listing", url, "--data", str(data)]
    for name, value in merged.items():
        args += ["-s", f"{name}={value}"]
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            stdin=subprocess.DEVNULL)


def _wait_for(condition: Any, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _assert_closed_and_indexed(data: Path) -> None:
    assert not list((data / "warc").rglob("*.open"))
    assert list((data / "warc").rglob("*.warc.gz"))
    verified = run_cli("verify", "--data", str(data))
    assert verified.returncode == 0, verified.stdout


@pytest.mark.parametrize(("signum", "exit_status"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_crawl_cut_short_by_a_signal_says_so_and_keeps_what_it_fetched(
        tmp_path: Path, signum: int, exit_status: int) -> None:
    routes = {"/tin-tuc": endless_listing(per_page=5), "/article.html": numbered_article()}
    with HostileServer(routes) as server:
        proc = _start_crawl(server.url("/tin-tuc"), tmp_path, PORTAL_MAX_LISTING_PAGES=0,
                            CONCURRENT_REQUESTS_PER_DOMAIN=2, DOWNLOAD_DELAY=0.02)
        try:
            _wait_for(lambda: _listing_hits(server, "/article.html") >= 10, 30, "articles")
            proc.send_signal(signum)
            _, stderr = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
    name = signal.Signals(signum).name
    assert proc.returncode == exit_status, stderr
    assert "Traceback" not in stderr
    last = stderr.splitlines()[-1]
    assert last.startswith(f"portal-archive: error: crawl of generic interrupted by {name}: ")
    status, stats = _last_run(tmp_path)
    assert status == "interrupted"
    assert stats["portal/signal"] == name
    _assert_closed_and_indexed(tmp_path)


# -- the watchdog ----------------------------------------------------------------------
def _incomplete_events(data: Path) -> list[dict[str, Any]]:
    lines = (data / "events.jsonl").read_text("utf-8").splitlines()
    return [e for e in map(json.loads, lines) if e["type"] == "crawl-incomplete"]


@pytest.mark.parametrize("hostile", ["trickle", "silent"])
def test_a_crawl_that_hears_nothing_back_is_closed_as_stalled(tmp_path: Path,
                                                              hostile: str) -> None:
    # Every article trickles a byte every 0.2 s, for ever, or never answers at all. Two
    # of them fill the host's two slots; the download timeout (2.5 s) is longer than the
    # stall limit (1 s), so the watchdog fires first and the crawl closes as soon as the
    # hung downloads give up, instead of paging on for ever at 2.5 s a page.
    hang = trickling_page(0.2) if hostile == "trickle" else never_answers(10)
    routes = {"/tin-tuc": endless_listing(per_page=3), "/article.html": hang}
    with HostileServer(routes) as server:
        result = _crawl_listing(server.url("/tin-tuc"), tmp_path, WATCHDOG_STALL_TIMEOUT=1,
                                DOWNLOAD_TIMEOUT=2.5, RETRY_TIMES=0,
                                CONCURRENT_REQUESTS_PER_DOMAIN=2)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    last = result.stderr.splitlines()[-1]
    assert last.startswith("portal-archive: error: crawl of generic stalled: no response for ")
    assert "(WATCHDOG_STALL_TIMEOUT=1)" in last
    status, stats = _last_run(tmp_path)
    assert status == "stalled"
    assert stats["listing/pages"] <= 3  # the hung articles hold both slots
    [event] = _incomplete_events(tmp_path)
    assert (event["fields"], event["url"]) == (["stalled"], server.url("/tin-tuc"))
    assert "WATCHDOG_STALL_TIMEOUT" in event["diff"]
    assert "Lượt thu thập không hoàn tất" in (
        tmp_path / "feeds" / "generic.atom").read_text("utf-8")
    _assert_closed_and_indexed(tmp_path)


def test_a_crawl_past_its_deadline_is_closed_as_timeout(tmp_path: Path) -> None:
    routes = {"/tin-tuc": endless_listing(per_page=2), "/article.html": numbered_article()}
    with HostileServer(routes) as server:
        result = _crawl_listing(server.url("/tin-tuc"), tmp_path, CLOSESPIDER_TIMEOUT=2,
                                PORTAL_MAX_LISTING_PAGES=0, CONCURRENT_REQUESTS_PER_DOMAIN=2,
                                DOWNLOAD_DELAY=0.05)
    assert result.returncode == 1, result.stderr
    last = result.stderr.splitlines()[-1]
    assert last.startswith("portal-archive: error: crawl of generic timeout: still running"
                           " after 2 s (CLOSESPIDER_TIMEOUT); ")
    assert _last_run(tmp_path)[0] == "timeout"
    [event] = _incomplete_events(tmp_path)
    assert event["fields"] == ["timeout"]
    changes = run_cli("changes", "--type", "crawl-incomplete", "--data", str(tmp_path))
    assert [json.loads(line)["run_id"] for line in changes.stdout.splitlines()] == [
        event["run_id"]]
    _assert_closed_and_indexed(tmp_path)
