"""The index as a log-structured merge of sorted CDXJ segments, all in ``index/``.

Why this layout (measured with ``bench/index_lookup.py``, through pywb): pywb
binary-searches each sorted CDXJ file it reads and merges what it finds, so a look-up
costs about one binary search per file. One file per site meant 3,400 searches per
look-up (243 ms); one file rewritten whole on each WARC close costs O(n) per close.

Here each closed WARC becomes a small sorted segment. A segment's level is its size:
level L holds BASE * FANOUT**L to BASE * FANOUT**(L+1) lines. When level 0 holds FANOUT
segments, or a higher level two, they are merged, streamed, into one (whose size may
lift it a level, which may merge again). So a look-up searches at most FANOUT - 1 small
segments plus one per level: 9 files at 10,000,000 captures; a line is rewritten about
FANOUT / 2 times per level, O(log n) in all. Measured: tiered merging (FANOUT segments
per level, merged into one of the next) rewrites less but leaves up to 42 files at
10,000,000 captures: 7 ms p95 at 1,000,000 already; this layout stays under the 5 ms
goal. pywb's ZipNum format would shrink the big levels on disk but is one more format
to rebuild whole; plain sorted CDXJ keeps every segment readable by any pywb as is
(``index_paths: index/`` would serve it, with duplicates during a merge).

Which segments are live is said by one small file, ``index/segments.json``, replaced
atomically under ``index/.manifest.lock``. Each segment ``S.cdxj`` has a sidecar
``S.warcs`` naming the WARC files whose lines it holds, so that heal finds a closed but
unindexed WARC without reading the index itself.

Safety with several writers (crawl processes, and many crawls in one process):
- a new segment is written, named and registered under the manifest lock (it is small);
- one merger at a time (``index/.merge.lock``, tried, never waited for: a busy merger
  re-reads the manifest until no level is full; a crawl merges in a thread of its own,
  ``compact_in_background``) merges outside the manifest lock, then,
  under it, renames its output in, registers it in place of its inputs, and only then
  deletes the inputs;
- a reader (``snapshot``) reads the manifest and opens every segment; if one has gone in
  the meantime (a merge finished) it starts again. Open files stay readable after their
  deletion, so a reader never sees a capture vanish; for a moment it may see a capture
  twice (in a merge's inputs and its output), and readers drop such duplicates.
A kill at any point leaves either the old segments registered or the new one: files
not in the manifest (an output renamed in but not registered, inputs registered out but
not deleted) are removed by the next merger, under both locks.

Old data folders (``index/<site>.cdxj``, one file per site) are read as segments until
they are migrated (``migrate``, run by every writer and by ``verify --repair``): each is
hard-linked in as a registered segment, then its old name removed; a kill in between
leaves a duplicate that readers and merges drop.
"""

from __future__ import annotations

import contextlib
import fcntl
import heapq
import json
import os
import re
import secrets
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from portal_archive.archive.atomic import FILE_MODE, write_text_atomic
from portal_archive.archive.errors import PortalArchiveError

FANOUT = 4  # size ratio between levels (bench/index_lookup.py --fanout)
BASE = 1000  # lines: level 0 is what is smaller than BASE * FANOUT
MAX_INPUTS = 64  # files one merge opens at once (a migration brings thousands at level 0)
MANIFEST = "segments.json"
WARCS_SUFFIX = ".warcs"
_SEGMENT = re.compile(r"^L(\d+)\.[0-9a-f]+\.[0-9a-f]+\.cdxj$")
_MERGE_TMP = ".merge."
_in_process = threading.Lock()  # flock does not exclude two opens in one process


@dataclass(frozen=True)
class Segment:
    name: str  # file name in index/
    level: int
    lines: int

    def as_json(self) -> dict[str, object]:
        return {"name": self.name, "level": self.level, "lines": self.lines}


def level_of(lines: int) -> int:
    """The level of a segment of ``lines`` lines (module docstring)."""
    level = 0
    while lines >= BASE * FANOUT ** (level + 1):
        level += 1
    return level


def segment_name(level: int) -> str:
    return f"L{level}.{time.time_ns():x}.{secrets.token_hex(4)}.cdxj"


def is_segment_name(name: str) -> bool:
    return _SEGMENT.match(name) is not None


# -- reading -------------------------------------------------------------------

def read_manifest(index_dir: Path) -> list[Segment]:
    try:
        text = (index_dir / MANIFEST).read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    try:
        return [Segment(s["name"], int(s["level"]), int(s["lines"]))
                for s in json.loads(text)["segments"]]
    except (ValueError, KeyError, TypeError) as exc:
        # Written only atomically: damage comes from outside (a hand edit, a bad disk).
        raise PortalArchiveError(f"{index_dir / MANIFEST} is damaged ({exc}); the WARCs are "
                                 "whole: move index/ aside and run verify --repair") from exc


def legacy_files(index_dir: Path) -> list[Path]:
    """Index files of the one-file-per-site layout, still to be migrated."""
    if not index_dir.is_dir():
        return []
    return sorted(index_dir / name for name in os.listdir(index_dir)
                  if name.endswith(".cdxj") and not is_segment_name(name)
                  and not name.startswith("."))


def live_files(index_dir: Path) -> list[Path]:
    """Every file that holds live index lines: old per-site files, then the segments.

    Listed in that order on purpose: migration registers a segment before it removes the
    old name, so a per-site file missing from the listing is already in the manifest."""
    legacy = legacy_files(index_dir)
    return legacy + [index_dir / s.name for s in read_manifest(index_dir)]


@contextlib.contextmanager
def snapshot(index_dir: Path) -> Iterator[list[IO[bytes]]]:
    """Open every live index file, consistently: see the module's docstring."""
    while True:
        handles: list[IO[bytes]] = []
        try:
            for path in live_files(index_dir):
                handles.append(open(path, "rb"))
        except FileNotFoundError:
            for handle in handles:
                handle.close()
            continue  # a merge or a migration finished in between: read the new manifest
        break
    try:
        yield handles
    finally:
        for handle in handles:
            handle.close()


def unique(lines: Iterable[bytes]) -> Iterator[bytes]:
    """Sorted lines without repeats (the same capture in a merge's input and output)."""
    previous = None
    for line in lines:
        if line != previous:
            yield line
        previous = line


def iter_lines(index_dir: Path) -> Iterator[bytes]:
    """Every index line, sorted, each once."""
    with snapshot(index_dir) as handles:
        yield from unique(line for line in heapq.merge(*handles) if line.strip())


def indexed_warcs(index_dir: Path) -> set[str]:
    """WARC files (relative to warc/) with lines in the index, from the sidecars (and,
    for old per-site files, from their lines)."""
    found: set[str] = set()
    for path in live_files(index_dir):
        try:
            if is_segment_name(path.name):
                found.update(_read_warcs(path))
            else:
                found.update(_warcs_in_lines(path))
        except FileNotFoundError:
            return indexed_warcs(index_dir)  # merged away meanwhile: read again
    return found


def _read_warcs(segment: Path) -> list[str]:
    text = segment.with_suffix(WARCS_SUFFIX).read_text(encoding="utf-8")
    return text.splitlines()


# cdxj-indexer writes "filename" as a plain JSON string; read without parsing each line.
FILENAME = re.compile(rb'"filename": ?"([^"\\]*)"')


def _warcs_in_lines(path: Path) -> set[str]:
    found = set()
    with open(path, "rb") as handle:
        for line in handle:
            match = FILENAME.search(line)
            if match:
                found.add(match.group(1).decode("utf-8", "replace"))
    return found


# -- writing -------------------------------------------------------------------

@contextlib.contextmanager
def _flock(path: Path, blocking: bool = True) -> Iterator[bool]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)


@contextlib.contextmanager
def manifest_lock(index_dir: Path) -> Iterator[None]:
    with _in_process, _flock(index_dir / ".manifest.lock"):
        yield


def _write_manifest(index_dir: Path, segments: list[Segment]) -> None:
    body = {"format": 1, "segments": [s.as_json() for s in segments]}
    write_text_atomic(index_dir / MANIFEST, [json.dumps(body, indent=1), "\n"])


def _write_file(path: Path, chunks: Iterable[bytes]) -> int:
    """Write ``chunks`` to ``path`` (a new name), fsynced; returns the lines written."""
    count = 0
    with open(path, "xb") as out:
        for chunk in chunks:
            out.write(chunk)
            count += 1
        out.flush()
        os.fsync(out.fileno())
    os.chmod(path, FILE_MODE)
    return count


def add_segment(index_dir: Path, lines: list[bytes], warcs: Iterable[str],
                background: bool = False) -> Segment | None:
    """Register sorted ``lines`` (of the WARC files ``warcs``) as a new segment, then
    merge any level that is full: here, or with ``background`` in a thread of this
    process, so that a crawl goes on while a big level is rewritten."""
    if not lines:
        return None
    index_dir.mkdir(parents=True, exist_ok=True)
    with manifest_lock(index_dir):
        live = read_manifest(index_dir)  # first: an unreadable manifest leaves no file behind
        kept = list(unique(lines))
        name = segment_name(level_of(len(kept)))
        path = index_dir / name
        # The sidecar first: a segment file never exists without it.
        write_text_atomic(path.with_suffix(WARCS_SUFFIX), [f"{w}\n" for w in sorted(set(warcs))])
        segment = Segment(name, level_of(len(kept)), _write_file(path, kept))
        _write_manifest(index_dir, [*live, segment])
    if background:
        compact_in_background(index_dir)
    else:
        compact(index_dir)
    return segment


_mergers: dict[Path, threading.Thread] = {}


def compact_in_background(index_dir: Path) -> None:
    """``compact`` in a thread, one per index in this process. Not a daemon: the
    process ends once its merge is done (a kill mid-merge loses nothing, see above)."""
    key = index_dir.resolve()
    with _in_process:
        running = _mergers.get(key)
        if running is not None and running.is_alive():
            return  # it re-reads the manifest before it stops
        thread = threading.Thread(target=compact, args=(index_dir,), name="index-merge")
        _mergers[key] = thread
        thread.start()


def compact(index_dir: Path) -> int:
    """Merge full levels until none is; returns the merges done (0 if another process
    is merging: it re-reads the manifest before it stops)."""
    with _flock(index_dir / ".merge.lock", blocking=False) as mine:
        if not mine:
            return 0
        _remove_leftovers(index_dir)
        merges = 0
        while (inputs := due_merge(read_manifest(index_dir))) is not None:
            _merge(index_dir, inputs)
            merges += 1
        return merges


def due_merge(segments: list[Segment]) -> list[Segment] | None:
    """The oldest segments of the lowest full level (FANOUT at level 0, two above)."""
    by_level: dict[int, list[Segment]] = {}
    for segment in segments:
        by_level.setdefault(level_of(segment.lines), []).append(segment)
    for level in sorted(by_level):
        if len(by_level[level]) >= (FANOUT if level == 0 else 2):
            return by_level[level][:MAX_INPUTS]
    return None


def _merge(index_dir: Path, inputs: list[Segment]) -> None:
    tmp = index_dir / f"{_MERGE_TMP}{secrets.token_hex(8)}.tmp"
    handles = [open(index_dir / s.name, "rb") for s in inputs]
    try:
        count = _write_file(tmp, unique(heapq.merge(*handles)))
    finally:
        for handle in handles:
            handle.close()
    warcs = sorted({w for s in inputs for w in _read_warcs(index_dir / s.name)})
    gone = {s.name for s in inputs}
    level = level_of(count)
    name = segment_name(level)
    with manifest_lock(index_dir):
        final = index_dir / name
        write_text_atomic(final.with_suffix(WARCS_SUFFIX), [f"{w}\n" for w in warcs])
        os.rename(tmp, final)
        kept = [s for s in read_manifest(index_dir) if s.name not in gone]
        _write_manifest(index_dir, [*kept, Segment(name, level, count)])
    for old in gone:  # readers that opened them keep reading; new ones use the output
        _remove_segment(index_dir / old)


def _remove_segment(path: Path) -> None:
    path.unlink(missing_ok=True)
    path.with_suffix(WARCS_SUFFIX).unlink(missing_ok=True)


def _remove_leftovers(index_dir: Path) -> None:
    """Under the merge lock: a killed merger's output, and segments no manifest names."""
    for name in os.listdir(index_dir):
        if name.startswith(_MERGE_TMP) and name.endswith(".tmp"):
            (index_dir / name).unlink(missing_ok=True)
    with manifest_lock(index_dir):
        live = {s.name for s in read_manifest(index_dir)}
        for name in os.listdir(index_dir):
            if _is_atomic_leftover(name):  # written only under this lock: none is live
                (index_dir / name).unlink(missing_ok=True)
            elif is_segment_name(name) and name not in live:
                _remove_segment(index_dir / name)
            elif name.endswith(WARCS_SUFFIX) and name[: -len(WARCS_SUFFIX)] + ".cdxj" not in live:
                (index_dir / name).unlink(missing_ok=True)


def _is_atomic_leftover(name: str) -> bool:
    """A temporary file of write_text_atomic for the manifest or a sidecar."""
    return name.endswith(".tmp") and (
        name.startswith(f".{MANIFEST}.") or (name.startswith(".L") and WARCS_SUFFIX in name))


def migrate(index_dir: Path) -> list[str]:
    """Turn every old ``index/<site>.cdxj`` into a registered segment; one line per file.
    Resumable: each file is done whole under the manifest lock, old name removed last."""
    done = []
    for old in legacy_files(index_dir):
        with manifest_lock(index_dir):
            if not old.exists():
                continue  # another process migrated it
            segments = read_manifest(index_dir)
            with open(old, "rb") as handle:
                count = sum(1 for line in handle if line.strip())
            name = segment_name(level_of(count))
            new = index_dir / name
            warcs = sorted(_warcs_in_lines(old))
            write_text_atomic(new.with_suffix(WARCS_SUFFIX), [f"{w}\n" for w in warcs])
            os.link(old, new)
            _write_manifest(index_dir, [*segments, Segment(name, level_of(count), count)])
            old.unlink()
        done.append(f"{old}: moved into the merged index ({count} lines)")
    if done:
        compact(index_dir)
    return done
