"""`portal-archive verify --rebuild-catalog`: a new catalog from what the archive holds.

The WARCs give the captures (url, date, status, digests, record ids, offsets, ETag and
Last-Modified) and, from each file's warcinfo, the run that wrote them; the JSON files
give the articles and their versions; ``events.jsonl`` the change events. What the
next crawl compares with is all there, so it reports no article as new again. Listing
snapshots and robots.txt skips are not archived anywhere and start afresh.

The new catalog is built beside the old one and renamed over it; the old file (and its
WAL) is kept as ``catalog.sqlite.broken-<time>``, never deleted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection
from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord

from portal_archive.archive.catalog import Capture, Catalog
from portal_archive.archive.datadir import DataDir
from portal_archive.archive.heal import heal_site
from portal_archive.archive.lock import acquire, release
from portal_archive.archive.rekey import rekey_with_hosts
from portal_archive.archive.search import index_document, search_doc_of
from portal_archive.archive.stamps import utc_compact

# RollingWarcWriter's warcinfo (crawler/middlewares/warc.py): "crawl <run> of site <site>".
_DESCRIPTION = re.compile(r"^crawl (\S+) of site (\S+)$")
REBUILT = "rebuilt"  # the status of a run known only from its WARCs


@dataclass
class Rebuilt:
    captures: int = 0
    runs: int = 0
    versions: int = 0
    events: int = 0
    kept_as: Path | None = None

    def summary(self) -> str:
        kept = f"; the old one is kept as {self.kept_as}" if self.kept_as else ""
        return (f"rebuilt the catalog: {self.captures} captures of {self.runs} runs,"
                f" {self.versions} article versions, {self.events} events{kept}")


def rebuild_catalog(data: DataDir, text_hash: Callable[[Mapping[str, Any]], str]) -> Rebuilt:
    """``text_hash`` is the crawl's hash of an article's stored text (crawler/text.py)."""
    sites = sorted(p.name for p in data.warc.iterdir() if p.is_dir())
    held: list[str] = []
    try:
        for site in sites:  # no crawl may write while the catalog is replaced
            acquire(data.root, site)
            held.append(site)
        for site in sites:
            heal_site(data, None, site)  # files left .open are closed first: names are final
        return _rebuild(data, text_hash)
    finally:
        for site in held:
            release(data.root, site)


def _rebuild(data: DataDir, text_hash: Callable[[Mapping[str, Any]], str]) -> Rebuilt:
    building = data.root / ".catalog.sqlite.rebuild.tmp"
    for leftover in _with_journals(building):
        leftover.unlink(missing_ok=True)
    done = Rebuilt()
    catalog = Catalog(building, new_beside_warcs=True)
    try:
        with catalog.transaction() as conn:
            _fill(catalog, conn, data, text_hash, done)
    finally:
        catalog.close()
    done.kept_as = _set_aside(data.catalog)
    building.rename(data.catalog)
    return done


def _fill(catalog: Catalog, conn: Connection, data: DataDir,
          text_hash: Callable[[Mapping[str, Any]], str], done: Rebuilt) -> None:
    """Everything, in the one transaction of the new file."""
    _add_captures(catalog, data, done)
    _add_versions(catalog, data, text_hash, done)
    _add_events(catalog, data, done)
    # JSON folders named by schema-3 keys (no host) take today's keys, and moves.
    rekey_with_hosts(conn, data.json, catalog.host_moves)
    catalog.execute("UPDATE search_docs SET key = (SELECT key FROM versions"
                    " WHERE versions.id = search_docs.id)")
    # Removed is what a removal event says of an article not captured since.
    catalog.execute(
        "UPDATE articles SET status = 'removed' WHERE EXISTS (SELECT 1 FROM events"
        " WHERE events.type = 'removed' AND events.url = articles.url"
        " AND events.at >= articles.last_seen)"
    )


# -- captures and runs, from the WARCs ---------------------------------------------
def _add_captures(catalog: Catalog, data: DataDir, done: Rebuilt) -> None:
    runs: dict[str, list[str]] = {}  # run id -> [site, first capture, last capture]
    for path in sorted(data.warc.glob("*/*.warc.gz")):
        name = path.relative_to(data.warc).as_posix()
        run_id = ""
        for record, offset, length, info in _records(path):
            if record.rec_type == "warcinfo":
                run_id = _run_of(info, path.parent.name) or run_id
                continue
            if record.rec_type not in ("response", "revisit"):
                continue
            capture = _capture(record, run_id or f"unknown-{path.name}", name, offset, length)
            catalog.add_capture(capture)
            site_first_last = runs.setdefault(capture.run_id, [path.parent.name,
                                                               capture.captured_at,
                                                               capture.captured_at])
            site_first_last[1] = min(site_first_last[1], capture.captured_at)
            site_first_last[2] = max(site_first_last[2], capture.captured_at)
            done.captures += 1
    for run_id, (site, first, last) in runs.items():
        catalog.start_run(run_id, site, first)
        catalog.finish_run(run_id, last, REBUILT, {})
    done.runs = len(runs)


def _records(path: Path) -> Iterator[tuple[ArcWarcRecord, int, int, bytes]]:
    """(record, offset, length, body of a warcinfo record) for each record."""
    with open(path, "rb") as stream:
        records = ArchiveIterator(stream)
        for record in records:
            info = record.content_stream().read() if record.rec_type == "warcinfo" else b""
            records.read_to_end(record)  # the offset and length are known from here on
            yield record, records.get_record_offset(), records.get_record_length(), info


def _run_of(warcinfo: bytes, site: str) -> str | None:
    for line in warcinfo.decode("utf-8", "replace").splitlines():
        key, _, value = line.partition(":")
        match = _DESCRIPTION.match(value.strip()) if key == "description" else None
        if match and match.group(2) == site:
            return match.group(1)
    return None


def _capture(record: ArcWarcRecord, run_id: str, name: str, offset: int,
             length: int) -> Capture:
    headers, http = record.rec_headers, record.http_headers
    status = http.get_statuscode() if http is not None else None
    content_type = http.get_header("Content-Type") if http is not None else None
    return Capture(
        run_id=run_id,
        url=headers.get_header("WARC-Target-URI"),
        captured_at=headers.get_header("WARC-Date"),
        status=int(status) if status and status.isdigit() else None,
        mime=(content_type or "").split(";", 1)[0].strip().lower() or None,
        payload_digest=headers.get_header("WARC-Payload-Digest"),
        record_id=headers.get_header("WARC-Record-ID"),
        record_type=record.rec_type,
        warc_file=name,
        warc_offset=offset,
        warc_length=length,
        refers_to=headers.get_header("WARC-Refers-To"),
        etag=http.get_header("ETag") if http is not None else None,
        last_modified=http.get_header("Last-Modified") if http is not None else None,
    )


# -- articles and versions, from the JSON files --------------------------------------
def _add_versions(catalog: Catalog, data: DataDir,
                  text_hash: Callable[[Mapping[str, Any]], str], done: Rebuilt) -> None:
    for path in sorted(data.json.glob("*/*/*.json")):
        try:
            item = json.loads(path.read_text("utf-8"))
            url, site, captured_at = item["url"], item["site"], item["captured_at"]
        except (OSError, ValueError, KeyError, TypeError):
            continue  # verify reports it
        key = path.parent.name
        record_id = (item.get("warc") or {}).get("record_id")
        catalog.record_article_seen(url, site, key, captured_at)
        version_id = catalog.add_version(
            url, site, key, (item["content_hash"], text_hash(item)), captured_at, "",
            path.relative_to(data.json).as_posix(), record_id)
        index_document(catalog, version_id, search_doc_of(item, key))
        done.versions += 1
    # A version's run is its response record's; an index only while rebuilding, so
    # that memory stays flat however large the archive.
    catalog.execute("CREATE INDEX rebuild_by_record ON captures (record_id)")
    catalog.execute(
        "UPDATE versions SET run_id = COALESCE((SELECT run_id FROM captures"
        " WHERE captures.record_id = versions.record_id LIMIT 1), '')"
    )
    catalog.execute("DROP INDEX rebuild_by_record")
    # Seen until its latest capture, not only its latest distinct version.
    catalog.execute(
        "UPDATE articles SET last_seen = max(last_seen, COALESCE((SELECT max(captured_at)"
        " FROM captures WHERE captures.url = articles.url AND status < 400), ''))"
    )
    catalog.execute(
        "UPDATE articles SET first_seen = (SELECT min(captured_at) FROM versions"
        " WHERE versions.url = articles.url)"
    )


def _add_events(catalog: Catalog, data: DataDir, done: Rebuilt) -> None:
    if not data.events.exists():
        return
    with open(data.events, encoding="utf-8", errors="replace") as lines:
        for line in lines:
            try:
                event = json.loads(line)
                catalog.add_event(event, delivered_at=event["at"])  # in events.jsonl: sent
            except (ValueError, KeyError, TypeError):
                continue  # a line torn by a crash
            done.events += 1


# -- swapping the files -------------------------------------------------------------
def _with_journals(path: Path) -> list[Path]:
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


def _set_aside(path: Path) -> Path | None:
    """Move the old catalog and its journals away (a stale WAL would otherwise be
    replayed into the new file); returns where the old catalog went."""
    stamp = utc_compact(datetime.now(UTC))
    kept = None
    for old in _with_journals(path):
        if old.exists():
            aside = old.with_name(old.name.replace(path.name, f"{path.name}.broken-{stamp}"))
            old.rename(aside)
            kept = kept or aside
    return kept
