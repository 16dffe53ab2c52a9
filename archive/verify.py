"""`portal-archive verify`: prove that nothing was altered or lost.

Re-reads every WARC with warcio (block and payload digests, as ``warcio check`` does),
then checks that every index line and every JSON version points at a record that is
there, and that the catalog is whole and agrees with both. Like warcio's checker it
goes on past a bad file and reports all it finds.
``--repair`` truncates a file left ``.open`` by a crash to its last whole record,
closes it and indexes it.
"""

from __future__ import annotations

import json
import os
import sqlite3
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord

from portal_archive.archive.catalog import Catalog, damaged
from portal_archive.archive.cdxj import CdxjLine, add_to_index
from portal_archive.archive.datadir import DataDir
from portal_archive.archive.errors import PortalArchiveError
from portal_archive.archive.lock import acquire, release
from portal_archive.archive.warcfile import OPEN_SUFFIX

INDEXED_TYPES = ("response", "revisit", "resource", "metadata")
GZIP_MAGIC = b"\x1f\x8b\x08"


@dataclass
class Record:
    record_id: str
    type: str
    url: str


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    files: int = 0
    records: int = 0
    index_lines: int = 0
    json_files: int = 0
    repaired: list[str] = field(default_factory=list)
    # What a crash can leave without anything being lost (a JSON file written just
    # before its version row): said, but no failure.
    notes: list[str] = field(default_factory=list)

    def problem(self, where: Path | str, what: str) -> None:
        self.problems.append(f"{where}: {what}")

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(data: DataDir, repair: bool = False) -> Report:
    report = Report()
    if repair and data.warc.is_dir():
        _repair(data, report)
    records = _check_warcs(data, report)
    _check_index(data, records, report)
    json_files = _check_json(data, records, report)
    _check_catalog(data, records, json_files, report)
    return report


# -- WARC files ---------------------------------------------------------------
def _check_warcs(data: DataDir, report: Report) -> dict[tuple[str, int], Record]:
    """Every record in every WARC, by (file relative to warc/, offset)."""
    records: dict[tuple[str, int], Record] = {}
    for path in sorted(data.warc.rglob("*.warc.gz*")):
        name = path.relative_to(data.warc).as_posix()
        report.files += 1
        if name.endswith(OPEN_SUFFIX):
            report.problem(path, "left open by an interrupted crawl (verify --repair closes it)")
        for offset, _length, record, problem in _read_records(path):
            if problem:
                report.problem(path, f"offset {offset}: {problem}")
                continue
            records[(name, offset)] = record
            report.records += 1
    return records


def _read_records(path: Path) -> Iterator[tuple[int, int, Record | None, str | None]]:
    """(offset, length, record, problem) for each record.

    Each record is its own gzip member, so members are inflated one by one and a
    damaged one is reported and skipped; reading resumes at the next member.
    """
    with open(path, "rb") as stream:
        for offset, length, raw, problem in _members(stream):
            if problem is not None:
                yield offset, length, None, problem
                continue
            try:
                record = next(ArchiveIterator(BytesIO(raw), check_digests=True))
                yield offset, length, *_check_record(record)
            except (ArchiveLoadFailed, StopIteration, ValueError) as exc:
                yield offset, length, None, f"not a WARC record ({_one_line(exc)})"


def _members(stream: BinaryIO) -> Iterator[tuple[int, int, bytes, str | None]]:
    """(offset, compressed length, inflated bytes, problem) for each gzip member."""
    offset, pending = 0, b""
    while True:
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        parts, consumed, buf = [], 0, pending
        try:
            while not inflater.eof:
                if not buf:
                    buf = stream.read(1 << 16)
                    if not buf:
                        break
                parts.append(inflater.decompress(buf))
                used = len(buf) - len(inflater.unused_data)
                consumed += used
                pending, buf = inflater.unused_data, b""
        except zlib.error as exc:
            yield offset, 0, b"", f"damaged gzip member ({_one_line(exc)})"
            offset, pending = _next_member(stream, offset + 1), b""
            if offset < 0:
                return
            continue
        if not inflater.eof:
            if consumed:
                yield offset, consumed, b"", "cut off mid-record (the file ends inside it)"
            return
        yield offset, consumed, b"".join(parts), None
        offset += consumed


def _check_record(record: ArcWarcRecord) -> tuple[Record | None, str | None]:
    content = record.content_stream()
    while content.read(1 << 20):
        pass
    if record.digest_checker.passed is False:
        return None, "; ".join(map(str, record.digest_checker.problems))
    headers = record.rec_headers
    return Record(
        headers.get_header("WARC-Record-ID"),
        record.rec_type,
        headers.get_header("WARC-Target-URI") or "",
    ), None


def _next_member(stream: BinaryIO, start: int) -> int:
    """Offset of the next gzip member header at or after ``start``, or -1."""
    stream.seek(start)
    position, tail = start, b""
    while chunk := stream.read(1 << 16):
        window = tail + chunk
        found = window.find(GZIP_MAGIC)
        if found >= 0:
            offset = position - len(tail) + found
            stream.seek(offset)
            return offset
        tail = window[-(len(GZIP_MAGIC) - 1):]
        position += len(chunk)
    return -1


def _one_line(exc: BaseException) -> str:
    text = (str(exc).splitlines() or [""])[0]
    text = "".join(ch if ch.isprintable() else "?" for ch in text)[:80]
    return f"{exc.__class__.__name__}: {text}" if text else exc.__class__.__name__


# -- index and JSON -------------------------------------------------------------
def _check_index(data: DataDir, records: dict[tuple[str, int], Record], report: Report) -> None:
    indexed: set[tuple[str, int]] = set()
    for index_file in sorted(data.index.glob("*.cdxj")):
        for number, line in _index_lines(index_file, report):
            report.index_lines += 1
            key = (line.filename, line.offset)
            indexed.add(key)
            record = records.get(key)
            if record is None:
                report.problem(index_file, f"line {number} points at no record "
                                           f"({line.filename} offset {line.offset})")
            elif record.url != line.url:
                report.problem(index_file, f"line {number} is for {line.url} but the record "
                                           f"there is for {record.url}")
    for (name, offset), record in records.items():
        if record.type in INDEXED_TYPES and not name.endswith(OPEN_SUFFIX) \
                and (name, offset) not in indexed:
            report.problem(data.warc / name, f"offset {offset}: {record.type} record of "
                                             f"{record.url} is not in the index")


def _index_lines(path: Path, report: Report) -> Iterator[tuple[int, CdxjLine]]:
    with open(path, encoding="utf-8", errors="replace") as handle:
        for number, text in enumerate(handle, start=1):
            try:
                yield number, CdxjLine.parse(text)
            except (ValueError, KeyError):
                report.problem(path, f"line {number} is not a CDXJ line")


def _check_json(
    data: DataDir, records: dict[tuple[str, int], Record], report: Report
) -> set[str]:
    """Checks every JSON file's pointer; returns their paths relative to json/."""
    seen: set[str] = set()
    for path in sorted(data.json.rglob("*.json")):
        report.json_files += 1
        seen.add(path.relative_to(data.json).as_posix())
        try:
            document = json.loads(path.read_text("utf-8"))
            pointer = (document.get("warc") if isinstance(document, dict) else None) or {}
        except (OSError, ValueError) as exc:
            report.problem(path, f"not readable JSON ({exc})")
            continue
        record = records.get((pointer.get("file"), pointer.get("offset")))
        if not pointer:
            report.problem(path, "has no warc pointer")
        elif record is None:
            report.problem(path, f"points at no record ({pointer.get('file')} offset "
                                 f"{pointer.get('offset')})")
        elif record.type != "response":
            report.problem(path, f"points at a {record.type} record {record.record_id},"
                                 " not at a response")
        elif record.record_id != pointer.get("record_id"):
            report.problem(path, f"points at {record.record_id}, which is not its record"
                                 f" {pointer.get('record_id')}")
    return seen


# -- catalog ------------------------------------------------------------------
def _check_catalog(data: DataDir, records: dict[tuple[str, int], Record],
                   json_files: set[str], report: Report) -> None:
    """SQLite's integrity check, every version's JSON file and every capture's record
    there; JSON files and WARC files the catalog does not know are noted."""
    try:
        catalog = Catalog(data.catalog)
    except PortalArchiveError as exc:
        report.problem(data.catalog, str(exc))
        return
    try:
        for problem in catalog.integrity_problems()[:10]:
            report.problem(data.catalog, f"integrity check: {problem}")
        versions = _check_versions(data, catalog, report)
        referenced = _check_captures(data, catalog, records, report)
    except sqlite3.DatabaseError as exc:
        report.problem(data.catalog, str(damaged(data.catalog, exc)))
        return
    finally:
        catalog.close()
    for name in sorted(json_files - versions):
        report.notes.append(f"{data.json / name}: no version in the catalog refers to it")
    for name in sorted({name.removesuffix(OPEN_SUFFIX) for name, _ in records} - referenced):
        report.notes.append(f"{data.warc / name}: no capture in the catalog refers to it")


def _check_versions(data: DataDir, catalog: Catalog, report: Report) -> set[str]:
    paths = set()
    for (path,) in catalog.db.execute("SELECT json_path FROM versions"):
        paths.add(path)
        if not (data.json / path).is_file():
            report.problem(data.catalog, f"version file {data.json / path} is missing")
    return paths


def _check_captures(data: DataDir, catalog: Catalog,
                    records: dict[tuple[str, int], Record], report: Report) -> set[str]:
    files = set()
    rows = catalog.db.execute("SELECT url, record_id, warc_file, warc_offset FROM captures")
    for url, record_id, name, offset in rows:
        files.add(name)
        record = records.get((name, offset)) or records.get((name + OPEN_SUFFIX, offset))
        if record is None or record.record_id != record_id:
            report.problem(data.catalog, f"capture of {url} points at no record"
                                         f" ({name} offset {offset})")
    return files


# -- repair -------------------------------------------------------------------
def repair_open_file(data: DataDir, path: Path) -> str:
    """Cut a file left ``.open`` by an interrupted crawl after its last whole record,
    close it and index it; returns what was done, in one line."""
    end = 0
    for offset, length, _record, problem in _read_records(path):
        if problem:
            break
        end = offset + length
    if end == 0:
        path.unlink()  # killed before its first record was whole: nothing to keep
        return f"{path}: held no whole record, removed"
    with open(path, "r+b") as handle:
        handle.truncate(end)
        handle.flush()
        os.fsync(handle.fileno())
    final = path.with_name(path.name[: -len(OPEN_SUFFIX)])
    path.rename(final)
    add_to_index(data.index, final.parent.name, data.warc, [final])
    return f"{final}: closed after its last whole record ({end} bytes)"


def _repair(data: DataDir, report: Report) -> None:
    """What the next crawl of each site would heal first (archive/heal.py)."""
    from portal_archive.archive.heal import heal_site  # heal closes files with this module's reader

    try:
        catalog: Catalog | None = Catalog(data.catalog)
    except PortalArchiveError:
        catalog = None  # reported by the catalog check; the files are repaired all the same
    try:
        for site_dir in sorted(p for p in data.warc.iterdir() if p.is_dir()):
            acquire(data.root, site_dir.name)  # never under a live crawl of the site
            try:
                report.repaired += heal_site(data, catalog, site_dir.name)
            finally:
                release(data.root, site_dir.name)
    finally:
        if catalog is not None:
            catalog.close()
