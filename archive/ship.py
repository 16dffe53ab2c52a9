"""Closed WARCs onto shared storage (``PORTAL_SHARED_STORAGE``, archive/datadir.py).

A WARC is written in the worker's local staging folder; once closed it is copied to the
shared ``warc/<series>/`` under a hidden temporary name, fsynced and renamed (never half
a file under a final name: a copy killed midway leaves only the temporary, which the
next ship overwrites), its lines registered in the shared index (archive/segments.py,
under its lock), and only then is the local copy removed. So a local file still there
means "not done yet", and shipping it again is safe at any point: a final name already
in shared storage is whole, and a file already indexed is not indexed twice.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from portal_archive.archive.cdxj import add_to_index
from portal_archive.archive.datadir import DataDir
from portal_archive.archive.errors import PortalArchiveError
from portal_archive.archive.warcfile import fsync_dir

TMP_PREFIX = ".ship."  # no ".warc.gz" in it: no reader of warc/ takes it for a WARC
TMP_SUFFIX = ".tmp"


def ship(data: DataDir, path: Path, lines: list[str] | None = None,
         indexed: set[str] | None = None) -> int:
    """Move the closed staging WARC ``path`` into the archive and index it there (from
    the writer's ``lines``, or read again when None); returns the index lines added.

    ``indexed`` (WARC names the index holds, for heal) skips the index if it has the
    file already."""
    name = path.relative_to(data.staging_warc).as_posix()
    final = data.warc / name
    copy_whole(path, final)
    added = 0
    if indexed is None or name not in indexed:
        added = add_to_index(data.index, final.parent.name, data.warc, [final], lines)
    path.unlink()
    return added


def temporary_name(final: Path) -> Path:
    stem = final.name.removesuffix(".gz").removesuffix(".warc")
    return final.with_name(f"{TMP_PREFIX}{stem}{TMP_SUFFIX}")


def copy_whole(source: Path, final: Path) -> None:
    """Copy ``source`` to ``final`` by temporary name, fsync and rename; nothing to do
    if ``final`` is there already (it only ever appears whole)."""
    if final.exists():
        if final.stat().st_size != source.stat().st_size:
            # Names carry the worker id and are checked against shared storage: two
            # files of one name mean the shared folder was altered from outside.
            raise PortalArchiveError(f"{final} exists and differs from {source}: not"
                                     " overwritten")
        return
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_name(final)
    with open(source, "rb") as src, open(tmp, "wb") as out:
        shutil.copyfileobj(src, out, 1 << 20)
        out.flush()
        os.fsync(out.fileno())
    os.rename(tmp, final)
    fsync_dir(final.parent)
