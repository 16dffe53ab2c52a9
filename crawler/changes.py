"""Change detection: what differs between two versions of an article, which articles
left a listing, and the one place events are emitted.

An edit of content changes the folded text (content_hash); an edit that only moves tone
marks, white space or Unicode form changes the stored text alone (text_hash) and is
*cosmetic*: recorded, not alerted by default.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from scrapy.crawler import Crawler

from portal_archive.archive.catalog import Catalog
from portal_archive.archive.datadir import DataDir
from portal_archive.archive.events import append_event
from portal_archive.crawler.signals import change_detected
from portal_archive.crawler.text import fold

# The article fields an edit is reported on, in the order a reader meets them.
TEXT_FIELDS = ("title", "category", "published", "lead", "body", "images", "authors")


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
        follows = dict(zip(["^", *current], current, strict=False))  # key -> key after it
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


class ChangeRecorder:
    """Emits an event: catalog row, events.jsonl line, and the change_detected signal."""

    def __init__(self, crawler: Crawler, catalog: Catalog, data: DataDir) -> None:
        self.crawler = crawler
        self.catalog = catalog
        self.data = data

    def emit(self, type_: str, site: str, url: str, run_id: str, *,
             fields: list[str] | None = None, diff: str = "", title: str | None = None,
             ) -> dict[str, Any]:
        event = {
            "type": type_, "site": site, "url": url,
            "at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "run_id": run_id, "fields": fields or [], "diff": diff, "title": title,
        }
        self.catalog.add_event(event)
        self.data.root.mkdir(parents=True, exist_ok=True)
        append_event(self.data.events, event)
        self.crawler.stats.inc_value(f"events/{type_}")
        self.crawler.signals.send_catch_log(change_detected, event=event)
        return event

    def title_of(self, site: str, key: str) -> str | None:
        """The title of an article's latest version, for events that have no page."""
        row = self.catalog.latest_version_of(site, key)
        if row is None:
            return None
        try:
            return json.loads((self.data.json / row["json_path"]).read_text("utf-8"))["title"]
        except (OSError, ValueError, KeyError):
            return None
