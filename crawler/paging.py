"""When to stop paging through a listing: the one decision, as a pure function.

A listing is read page by page, each page naming the next. Paging ends at the last page,
at a page that links back to one already read, at a page whose articles are all archived
(unless backfilling: earlier runs read everything below it), after a run of pages that
bring no new article (a listing that repeats its items forever, an empty calendar), or
at the page cap — so a listing that links page n+1 from every page n still ends.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

# Why paging stopped: the stat is ``listing/stopped/<reason>``.
LAST_PAGE = "last-page"
LOOP = "loop"
KNOWN = "known"
NO_NEW = "no-new-articles"
MAX_PAGES = "max-pages"
# The reasons worth a WARNING: the listing did not end where it said it would.
UNUSUAL = (LOOP, NO_NEW, MAX_PAGES)


@dataclass(frozen=True)
class PagingLimits:
    max_pages: int  # pages per listing per run; 0: no cap
    max_empty_pages: int  # pages in a row without a new article; 0: no limit
    backfill: bool  # page on past archived articles


@dataclass
class ListingProgress:
    """What one run has read of one listing so far."""

    pages: int = 0
    empty_run: int = 0  # pages in a row that brought no new article
    seen: set[str] = field(default_factory=set)  # article links read on this listing
    read: set[str] = field(default_factory=set)  # listing page URLs read

    def record_page(self, url: str, links: Sequence[str], known: Collection[str],
                    backfill: bool) -> int:
        """Count one listing page in; returns how many of its links are new (neither seen
        on this listing earlier in the run nor, unless backfilling, archived before)."""
        self.pages += 1
        self.read.add(url)
        new = [u for u in links if u not in self.seen and (backfill or u not in known)]
        self.seen.update(links)
        self.empty_run = 0 if new else self.empty_run + 1
        return len(new)


def stop_reason(progress: ListingProgress, limits: PagingLimits, *, next_url: str | None,
                links: Sequence[str], known: Collection[str]) -> str | None:
    """Why paging stops after the page just recorded in ``progress``, or None to go on
    to ``next_url``.

    >>> limits = PagingLimits(max_pages=3, max_empty_pages=2, backfill=False)
    >>> p = ListingProgress()
    >>> p.record_page("/p1", ["/a", "/b"], known=set(), backfill=False)
    2
    >>> stop_reason(p, limits, next_url="/p2", links=["/a", "/b"], known=set())
    >>> _ = p.record_page("/p2", ["/a", "/b"], known=set(), backfill=False)
    >>> stop_reason(p, limits, next_url="/p3", links=["/a", "/b"], known=set())
    >>> _ = p.record_page("/p3", ["/a"], known=set(), backfill=False)
    >>> stop_reason(p, limits, next_url="/p4", links=["/a"], known=set())
    'no-new-articles'
    """
    if next_url is None:
        return LAST_PAGE
    if next_url in progress.read:
        return LOOP
    if links and not limits.backfill and all(u in known for u in links):
        return KNOWN
    if limits.max_empty_pages and progress.empty_run >= limits.max_empty_pages:
        return NO_NEW
    if limits.max_pages and progress.pages >= limits.max_pages:
        return MAX_PAGES
    return None


def explain(reason: str, listing: str, last_url: str, pages: int, limits: PagingLimits) -> str:
    """The one log line saying why paging of ``listing`` stopped."""
    said = {
        LAST_PAGE: "it has no next page",
        LOOP: "its next page was read already (the listing links back)",
        KNOWN: "every article on the last page read is already archived",
        NO_NEW: f"{limits.max_empty_pages} pages in a row brought no new article"
                " (PORTAL_MAX_EMPTY_LISTING_PAGES)",
        MAX_PAGES: f"the cap of {limits.max_pages} pages per run was reached ("
                   + ("PORTAL_BACKFILL_MAX_LISTING_PAGES" if limits.backfill
                      else "PORTAL_MAX_LISTING_PAGES; --backfill pages further") + ")",
    }[reason]
    return f"paging of listing {listing} stopped after {pages} page(s), at {last_url}: {said}"
