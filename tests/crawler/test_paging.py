"""The paging decision (crawler/paging.py): why a listing stops, page by page."""

from __future__ import annotations

import doctest

from portal_archive.crawler import paging
from portal_archive.crawler.paging import (
    KNOWN,
    LAST_PAGE,
    LOOP,
    MAX_PAGES,
    NO_NEW,
    ListingProgress,
    PagingLimits,
    explain,
    stop_reason,
)


def _walk(pages: list[list[str]], limits: PagingLimits, known: set[str] = frozenset(),
          last: int | None = None) -> tuple[int, str]:
    """Read pages /p0, /p1, ... until the decision stops; (pages read, reason)."""
    progress = ListingProgress()
    for n, links in enumerate(pages):
        progress.record_page(f"/p{n}", links, known, limits.backfill)
        next_url = None if n == last else f"/p{n + 1}"
        reason = stop_reason(progress, limits, next_url=next_url, links=links, known=known)
        if reason is not None:
            return progress.pages, reason
    raise AssertionError("paging never stopped")


def test_doctests() -> None:
    result = doctest.testmod(paging)
    assert result.attempted > 0 and result.failed == 0


def test_a_listing_of_new_articles_for_ever_stops_at_the_cap() -> None:
    pages = [[f"/a{n}", f"/b{n}"] for n in range(1000)]
    assert _walk(pages, PagingLimits(7, 5, backfill=False)) == (7, MAX_PAGES)
    assert _walk(pages, PagingLimits(40, 5, backfill=True)) == (40, MAX_PAGES)


def test_a_listing_repeating_its_items_stops_after_the_empty_run() -> None:
    pages = [["/a", "/b"]] * 1000
    assert _walk(pages, PagingLimits(200, 3, backfill=False)) == (4, NO_NEW)
    assert _walk(pages, PagingLimits(200, 3, backfill=True)) == (4, NO_NEW)


def test_empty_pages_must_come_in_a_row() -> None:
    # New, empty, empty, new, empty, empty, ...: never three empty in a row.
    pages = [[f"/a{n}"] if n % 3 == 0 else [] for n in range(30)]
    assert _walk(pages, PagingLimits(30, 3, backfill=False)) == (30, MAX_PAGES)


def test_archived_articles_stop_a_nightly_run_but_not_a_backfill() -> None:
    pages = [["/new"], ["/old1", "/old2"], ["/old3"], ["/older"]]
    known = {"/old1", "/old2", "/old3", "/older"}
    assert _walk(pages, PagingLimits(200, 5, backfill=False), known) == (2, KNOWN)
    assert _walk(pages, PagingLimits(200, 5, backfill=True), known, last=3) == (4, LAST_PAGE)


def test_a_page_linking_back_is_a_loop() -> None:
    limits = PagingLimits(200, 5, backfill=False)
    progress = ListingProgress()
    progress.record_page("/p1", ["/a"], set(), False)
    progress.record_page("/p2", ["/b"], set(), False)
    assert stop_reason(progress, limits, next_url="/p1", links=["/b"], known=set()) == LOOP


def test_zero_means_no_limit() -> None:
    pages = [["/a"]] * 50
    assert _walk(pages, PagingLimits(0, 0, backfill=False), last=49) == (50, LAST_PAGE)


def test_each_reason_is_explained_with_its_setting() -> None:
    limits = PagingLimits(200, 5, backfill=False)
    line = explain(MAX_PAGES, "/tin-tuc", "http://x/tin-tuc?page=200", 200, limits)
    assert line.startswith("paging of listing /tin-tuc stopped after 200 page(s)")
    assert "PORTAL_MAX_LISTING_PAGES" in line and "--backfill" in line
    assert "PORTAL_MAX_EMPTY_LISTING_PAGES" in explain(NO_NEW, "/l", "u", 6, limits)
    assert "PORTAL_BACKFILL_MAX_LISTING_PAGES" in explain(
        MAX_PAGES, "/l", "u", 9, PagingLimits(9, 5, backfill=True))
