"""Change detection, as pure functions over catalog rows: what differs between two
versions of an article, which articles left a listing, whether a site is down or moved.
Events are written by crawler/eventlog.py, from the pipeline (per article) and
crawler/monitor.py (per listing page and at the end of the run).

An edit of content changes the folded text (content_hash); an edit that only moves tone
marks, white space or Unicode form changes the stored text alone (text_hash) and is
*cosmetic*: recorded, not alerted by default.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from portal_archive.archive.catalogdb import CatalogRow
from portal_archive.crawler.text import fold

# A run as the catalog returns it, or as a dict (the doctests).
RunRow = Mapping[str, Any] | CatalogRow

# The article fields an edit is reported on, in the order a reader meets them.
TEXT_FIELDS = ("title", "category", "published", "lead", "body", "images", "authors", "source")


def classify(old: Mapping[str, Any] | None, new: Mapping[str, Any],
             old_text_hash: str | None = None, new_text_hash: str | None = None,
             ) -> tuple[str | None, list[str], str]:
    """(event type or None, changed fields, unified diff) between two versions."""
    if old is None:
        return "new", [], ""
    if old["content_hash"] != new["content_hash"]:
        return "edited", _changed(old, new, fold), unified_diff(old, new)
    if old_text_hash is not None and old_text_hash != new_text_hash:
        return "cosmetic", _changed(old, new, lambda s: s), unified_diff(old, new)
    return None, [], ""


def _changed(old: Mapping[str, Any], new: Mapping[str, Any], norm: Any) -> list[str]:
    return [name for name in TEXT_FIELDS
            if _normalised(old.get(name), norm) != _normalised(new.get(name), norm)]


def _normalised(value: Any, norm: Any) -> Any:
    if isinstance(value, str):
        return norm(value)
    if isinstance(value, list):
        return [_normalised(v, norm) for v in value]
    if isinstance(value, dict):
        return {k: _normalised(v, norm) for k, v in value.items() if k != "src"}
    return value


def article_lines(doc: Mapping[str, Any]) -> list[str]:
    """The article as a reader reads it, one paragraph a line, for diffs and alerts."""
    lines = [doc.get("title") or "", doc.get("lead") or "", *(doc.get("body") or [])]
    lines += [f"[Ảnh] {i.get('caption') or ''}".rstrip() for i in doc.get("images") or []]
    if doc.get("authors"):
        lines.append(" – ".join(doc["authors"]))
    if doc.get("source"):
        lines.append(f"Nguồn: {doc['source']}")
    return [line for line in lines if line]


def unified_diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> str:
    return "\n".join(difflib.unified_diff(
        article_lines(old), article_lines(new),
        fromfile=f"{old.get('url')} {old.get('captured_at')}",
        tofile=f"{new.get('url')} {new.get('captured_at')}", lineterm="",
    ))


def removed_from_listings(
    before: Mapping[str, Sequence[tuple[str, str]]],
    now: Mapping[str, Sequence[tuple[str, str]]],
) -> list[tuple[str, str]]:
    """(key, url) of articles gone from a listing that still shows their neighbours.

    An article counts as removed when it is nowhere in this run's listings while the two
    articles around it last time now stand next to each other. One that merely slid
    past the last page read has no visible successor, so it is never reported.
    """
    seen_now = {key for seq in now.values() for key, _ in seq}
    removed = []
    for listing, old in before.items():
        current = [key for key, _ in now.get(listing, [])]
        if not current:
            continue  # the listing was not read this time: nothing can be told
        # key -> key after it; looked up by a neighbour that _nearest may not find (None)
        follows: dict[str | None, str] = dict(zip(["^", *current], current, strict=False))
        old_keys = ["^", *[key for key, _ in old]]
        for index, (key, url) in enumerate(old, start=1):
            if key in seen_now or index + 1 >= len(old_keys):
                continue
            before_key = _nearest(old_keys, index, -1, seen_now)
            after_key = _nearest(old_keys, index, +1, seen_now)
            if after_key is not None and follows.get(before_key) == after_key:
                removed.append((key, url))
    return removed


def _nearest(keys: Sequence[str], index: int, step: int, seen: Iterable[str]) -> str | None:
    """The nearest neighbour of keys[index] that is still listed (several may be gone)."""
    seen = set(seen) | {"^"}
    i = index + step
    while 0 <= i < len(keys):
        if keys[i] in seen:
            return keys[i]
        i += step
    return None


def site_down(runs: Sequence[RunRow], run_id: str, down_after: int,
              read_listing: bool) -> bool:
    """Whether this run is the ``down_after``-th in a row to read no listing page:
    site-down is said once, on that run. ``runs``: the site's runs, oldest first.

    >>> old = [{"id": "a", "status": "finished", "stats": '{"listing/pages": 0}'}]
    >>> site_down(old, "b", 2, read_listing=False), site_down(old, "b", 3, False)
    (True, False)
    """
    if read_listing:
        return False
    streak = 1
    for row in reversed(runs):
        if row["id"] == run_id:
            continue
        if not _read_no_listing(row):
            break
        streak += 1
    return streak == down_after


def _read_no_listing(run: RunRow) -> bool:
    try:
        stats = json.loads(run["stats"] or "{}")
    except ValueError:
        return False
    return run["status"] == "finished" and not stats.get("listing/pages")


def moved(redirect_urls: Sequence[str], redirect_reasons: Sequence[Any],
          url: str) -> tuple[str, str] | None:
    """(start URL, diff) when a listing answered with a permanent redirect elsewhere:
    the portal moved. ``redirect_*`` as Scrapy's RedirectMiddleware leaves them in meta.

    >>> moved(["http://a/tin"], [301], "http://b/tin")
    ('http://a/tin', '- http://a/tin\\n+ http://b/tin')
    >>> moved(["http://a/tin"], [302], "http://b/tin") is None
    True
    """
    if not any(reason in (301, 308) for reason in redirect_reasons):
        return None
    start = (list(redirect_urls) or [url])[0]
    if start == url:
        return None
    return start, f"- {start}\n+ {url}"
