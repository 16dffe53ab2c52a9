"""Change events: one JSON object per line in ``events.jsonl`` and a row in the catalog.

``{"type", "site", "url", "at", "run_id", "fields", "diff", "title"}`` — the types are
new, edited, cosmetic, removed, site-down and site-moved (CONTRACT.md), and
crawl-incomplete (a crawl closed by its watchdog: ``fields`` ["stalled"] or ["timeout"]).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from portal_archive.archive.catalogdb import CatalogRow

TYPES = ("new", "edited", "cosmetic", "removed", "site-down", "site-moved", "crawl-incomplete")


def append_event(path: Path, event: Mapping[str, Any]) -> None:
    """One line, written in one O_APPEND write, so concurrent writers never interleave."""
    line = json.dumps(event, ensure_ascii=False, separators=(",", ":")) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
    try:
        os.write(fd, line.encode("utf-8"))
    finally:
        os.close(fd)


def event_from_row(row: CatalogRow | Mapping[str, Any]) -> dict[str, Any]:
    return {
        "type": row["type"],
        "site": row["site"],
        "url": row["url"],
        "at": row["at"],
        "run_id": row["run_id"],
        "fields": json.loads(row["fields"]),
        "diff": row["diff"],
        "title": row["title"],
    }


def iter_events(rows: Iterable[CatalogRow | Mapping[str, Any]]) -> Iterator[dict[str, Any]]:
    for row in rows:
        yield event_from_row(row)
