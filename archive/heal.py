"""Putting right what a crash left behind, before the next crawl writes.

A kill -9 or a full disk can leave, for a site: a WARC still ``.open``; a WARC closed
but not in the index (killed between its rename and its indexing: replay would miss
the whole crawl); hidden ``.*.tmp`` files of atomic writes (JSON versions, feeds); runs
still marked ``running``. The index heals its own half-done merges (archive/segments.py).

Each crawl heals its own site, under the site's lock, exactly (the index's sidecars name
the WARC files it holds); an index in the old one-file-per-site layout is migrated
first. Other sites are healed only when they show a sign of a crash and their lock is
free (no crawl of theirs is running): a file still ``.open``, or a closed WARC the index
does not name. Their runs are left to their own next crawl, which alone knows which run
is its own.

With shared storage (archive/datadir.py, archive/ship.py) a crawl writes its WARCs in a
local staging folder: there a killed run leaves a file ``.open`` or closed but not yet
shipped, and heal closes it, ships it to the shared folder and indexes it there. Other
sites' leftovers are healed in the staging folder only, under its own locks: the shared
folder's other series may be crawled right now on another machine.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from portal_archive.archive.catalog import Catalog
from portal_archive.archive.cdxj import add_to_index, indexed_files, unindexed_files
from portal_archive.archive.datadir import DataDir
from portal_archive.archive.errors import PortalArchiveError
from portal_archive.archive.lock import acquire, holds, release
from portal_archive.archive.records import read_records
from portal_archive.archive.segments import migrate
from portal_archive.archive.ship import ship
from portal_archive.archive.warcfile import OPEN_SUFFIX

CLOSED_SUFFIXES = (".warc.gz", ".warc")  # what a writer closes (WARC_GZIP on or off)

TMP_SUFFIX = ".tmp"  # archive/atomic.py: ".<name>.<random>.tmp" beside the target


def heal_site(
    data: DataDir, catalog: Catalog | None, site: str, current_run: str = ""
) -> list[str]:
    """Heal ``site``, whose lock the caller holds; one line per thing done."""
    done = migrate(data.index)  # an old one-file-per-site index, once
    if data.staged:
        done += ship_leftovers(data, site)
    for path in sorted((data.warc / site).glob("*" + OPEN_SUFFIX)):
        done.append(repair_open_file(data, path))
    missing = unindexed_files(data.index, data.warc, site)
    # A file with no record to index (killed right after its warcinfo) stays here, cheaply.
    if missing and add_to_index(data.index, site, data.warc, missing):
        done += [f"{path}: added to the index (its crawl died before indexing it)"
                 for path in missing]
    for path in _temp_files(data, site):
        path.unlink(missing_ok=True)
        done.append(f"{path}: removed (left mid-write by a crash)")
    if catalog is not None:
        done += [f"run {run_id}: left running by a crawl that died, marked killed"
                 for run_id in catalog.close_killed_runs(site, current_run)]
    return done


def ship_leftovers(data: DataDir, site: str) -> list[str]:
    """Close what a killed crawl left ``.open`` in the staging folder, then ship every
    closed file still there (archive/ship.py); one line per file."""
    folder = data.staging_warc / site
    if not folder.is_dir():
        return []
    done = [close_open_file(path)[1] for path in sorted(folder.glob("*" + OPEN_SUFFIX))]
    leftovers = sorted(p for p in folder.iterdir() if p.name.endswith(CLOSED_SUFFIXES))
    indexed = indexed_files(data.index) if leftovers else set()
    for path in leftovers:
        ship(data, path, indexed=indexed)
        done.append(f"{path}: moved to {data.warc / site} and indexed (its crawl died first)")
    return done


def heal_other_sites(data: DataDir, site: str) -> list[str]:
    """Heal the files of every other site that shows a sign of a crash and is idle: not
    crawled by another process, nor by this one (a pool of crawls, crawler/pool.py).
    With shared storage: only what the staging folder holds, under its locks."""
    if data.staged:
        return heal_staging(data, but=site)
    done = []
    for other in _sites_needing_care(data):
        if other == site or holds(data.root, other):
            continue
        try:
            acquire(data.root, other)
        except PortalArchiveError:
            continue  # its crawl is running and heals itself
        try:
            done += heal_site(data, None, other)
        finally:
            release(data.root, other)
    return done


def heal_staging(data: DataDir, but: str = "") -> list[str]:
    """Ship what killed crawls left in the staging folder, for every series but ``but``
    whose staging lock is free (the WARC middleware holds it while it writes there): what
    a worker does as it starts, and every crawl's first heal in a process."""
    done: list[str] = []
    if not data.staging_warc.is_dir():
        return done
    for folder in sorted(p for p in data.staging_warc.iterdir() if p.is_dir()):
        other = folder.name
        if other == but or holds(data.staging, other) or not any(folder.iterdir()):
            continue
        try:
            acquire(data.staging, other)
        except PortalArchiveError:
            continue  # its crawl is writing there and ships its own files
        try:
            done += ship_leftovers(data, other)
        finally:
            release(data.staging, other)
    return done


def _sites_needing_care(data: DataDir) -> Iterator[str]:
    """Sites with a file left ``.open`` or a closed WARC the index does not name: cheap
    (one listing per site, and the index's sidecars read once, not its lines)."""
    if not data.warc.is_dir():
        return
    indexed = indexed_files(data.index)
    for folder in sorted(p for p in data.warc.iterdir() if p.is_dir()):
        names = os.listdir(folder)
        if any(name.endswith(OPEN_SUFFIX) for name in names) or any(
            name.endswith(".warc.gz") and f"{folder.name}/{name}" not in indexed
            for name in names
        ):
            yield folder.name


def _temp_files(data: DataDir, site: str) -> Iterator[Path]:
    """The site's leftovers of write_text_atomic; only ever called under its lock, so
    none of them is being written."""
    for folder in (data.index, data.feeds):
        if folder.is_dir():
            yield from folder.glob(f".{site}.*{TMP_SUFFIX}")
    for root, _dirs, files in os.walk(data.json / site):
        for name in files:
            if name.startswith(".") and name.endswith(TMP_SUFFIX):
                yield Path(root, name)


def repair_open_file(data: DataDir, path: Path) -> str:
    """Cut a file left ``.open`` by an interrupted crawl after its last whole record,
    close it and index it; returns what was done, in one line."""
    final, said = close_open_file(path)
    if final is not None:
        add_to_index(data.index, final.parent.name, data.warc, [final])
    return said


def close_open_file(path: Path) -> tuple[Path | None, str]:
    """Cut a file left ``.open`` after its last whole record and close it: its final
    path (None if it held no whole record and is gone) and what was done, in one line."""
    end = 0
    for offset, length, _record, problem in read_records(path):
        if problem:
            break
        end = offset + length
    if end == 0:
        path.unlink()  # killed before its first record was whole: nothing to keep
        return None, f"{path}: held no whole record, removed"
    with open(path, "r+b") as handle:
        handle.truncate(end)
        handle.flush()
        os.fsync(handle.fileno())
    final = path.with_name(path.name[: -len(OPEN_SUFFIX)])
    path.rename(final)
    return final, f"{final}: closed after its last whole record ({end} bytes)"
