"""The few lines a crawl ends with (`portal-archive crawl`, `demo`, a scheduled crawl's
log), read from the crawl's stats."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from portal_archive.archive.datadir import DataDir
from portal_archive.archive.events import TYPES as EVENT_TYPES


def crawl_summary(stats: dict[str, Any], data: Path) -> str:
    files = stats.get("warc/file_list", [])
    warc_dir = DataDir(data).warc
    lines = [
        f"run {stats.get('portal/run_id', '?')} finished ({stats.get('finish_reason', '?')})",
        f"  listing pages  {stats.get('listing/pages', 0)}",
        f"  articles       {stats.get('item_scraped_count', 0)} extracted:"
        f" {stats.get('article/new', 0)} new, {stats.get('article/edited', 0)} edited,"
        f" {stats.get('article/cosmetic', 0)} cosmetic, {stats.get('article/unchanged', 0)}"
        " unchanged",
        f"  WARC           {stats.get('warc/records', 0)} records,"
        f" {stats.get('warc/bytes', 0):,} bytes in {len(files)} file(s)",
    ]
    lines += [f"                 {warc_dir / name}" for name in files]
    lines += [
        f"  JSON           {stats.get('json/files', 0)} new file(s) under {DataDir(data).json}",
        f"  events         {_event_counts(stats)} (portal-archive changes)",
        f"  errors         {stats.get('portal/errors', 0)}"
        + _error_breakdown(stats),
    ]
    return "\n".join(lines)


def _event_counts(stats: dict[str, Any]) -> str:
    counts = [f"{stats[f'events/{kind}']} {kind}" for kind in EVENT_TYPES
              if stats.get(f"events/{kind}")]
    return ", ".join(counts) or "none"


def _error_breakdown(stats: dict[str, Any]) -> str:
    parts = [
        f"{key.split('/')[1]} {key.split('/', 2)[2]}: {value}"
        for key, value in sorted(stats.items())
        if key.startswith("errors/")
    ]
    unparsed = stats.get("article/unparsed", 0)
    if unparsed:
        parts.append(f"unparseable articles: {unparsed}")
    return f" ({'; '.join(parts)})" if parts else ""
