"""Every crawl ends by itself (issue 8, point 2): endless listings, signals, stalls and
deadlines, against hostile portals on 127.0.0.1 and the real CLI in a subprocess."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from archive.catalog import Catalog

from ..conftest import TEST_CRAWL_SETTINGS, CliResult, run_cli
from ..hostile import HostileServer, calendar_listing, endless_listing, numbered_article


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
