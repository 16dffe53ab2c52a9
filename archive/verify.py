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
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, cast

from portal_archive.archive.catalog import Catalog, CatalogError, open_catalog
from portal_archive.archive.cdxj import CdxjLine
from portal_archive.archive.datadir import DataDir
from portal_archive.archive.errors import PortalArchiveError
from portal_archive.archive.heal import heal_site
from portal_archive.archive.lock import acquire, busy, release
from portal_archive.archive.records import Record, read_records
from portal_archive.archive.segments import snapshot
from portal_archive.archive.warcfile import OPEN_SUFFIX

INDEXED_TYPES = ("response", "revisit", "resource", "metadata")
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
            if busy(data.root, path.parent.name):
                report.notes.append(f"{path}: being written by the crawl running now")
            else:
                report.problem(path,
                               "left open by an interrupted crawl (verify --repair closes it)")
        for offset, _length, record, problem in read_records(path):
            if problem or record is None:  # read_records gives a record or a problem
                report.problem(path, f"offset {offset}: {problem}")
                continue
            records[(name, offset)] = record
            report.records += 1
    return records


# -- index and JSON -------------------------------------------------------------
def _check_index(data: DataDir, records: dict[tuple[str, int], Record], report: Report) -> None:
    indexed: set[tuple[str, int]] = set()
    with snapshot(data.index) as handles:  # each file as a reader sees it, even mid-merge
        for handle in handles:
            _check_index_file(Path(handle.name), handle, records, indexed, report)
    for (name, offset), record in records.items():
        if record.type in INDEXED_TYPES and not name.endswith(OPEN_SUFFIX) \
                and (name, offset) not in indexed:
            report.problem(data.warc / name, f"offset {offset}: {record.type} record of "
                                             f"{record.url} is not in the index")


def _check_index_file(index_file: Path, handle: IO[bytes],
                      records: dict[tuple[str, int], Record],
                      indexed: set[tuple[str, int]], report: Report) -> None:
    for number, line in _index_lines(index_file, handle, report):
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


def _index_lines(path: Path, handle: IO[bytes],
                 report: Report) -> Iterator[tuple[int, CdxjLine]]:
    for number, raw in enumerate(handle, start=1):
        try:
            yield number, CdxjLine.parse(raw.decode("utf-8", "replace"))
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
        # The pointer's values are unchecked JSON: a mistyped one simply finds no record.
        record = records.get(cast(tuple[str, int], (pointer.get("file"), pointer.get("offset"))))
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
        catalog = open_catalog(data)
    except PortalArchiveError as exc:
        report.problem(data.catalog, str(exc))
        return
    try:
        for problem in catalog.integrity_problems()[:10]:
            report.problem(data.catalog, f"integrity check: {problem}")
        versions = _check_versions(data, catalog, report)
        referenced = _check_captures(data, catalog, records, report)
    except CatalogError as exc:
        report.problem(data.catalog, str(catalog.unusable(exc)))
        return
    finally:
        catalog.close()
    for name in sorted(json_files - versions):
        report.notes.append(f"{data.json / name}: no version in the catalog refers to it")
    for name in sorted({name.removesuffix(OPEN_SUFFIX) for name, _ in records} - referenced):
        report.notes.append(f"{data.warc / name}: no capture in the catalog refers to it")


def _check_versions(data: DataDir, catalog: Catalog, report: Report) -> set[str]:
    paths = set()
    for (path,) in catalog.execute("SELECT json_path FROM versions"):
        paths.add(path)
        if not (data.json / path).is_file():
            report.problem(data.catalog, f"version file {data.json / path} is missing")
    return paths


def _check_captures(data: DataDir, catalog: Catalog,
                    records: dict[tuple[str, int], Record], report: Report) -> set[str]:
    files = set()
    rows = catalog.execute("SELECT url, record_id, warc_file, warc_offset FROM captures")
    for url, record_id, name, offset in rows:
        files.add(name)
        record = records.get((name, offset)) or records.get((name + OPEN_SUFFIX, offset))
        if record is None or record.record_id != record_id:
            report.problem(data.catalog, f"capture of {url} points at no record"
                                         f" ({name} offset {offset})")
    return files


# -- repair -------------------------------------------------------------------

def _repair(data: DataDir, report: Report) -> None:
    """What the next crawl of each site would heal first (archive/heal.py)."""
    try:
        catalog: Catalog | None = open_catalog(data)
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
