"""The CDXJ index (pywb's format), in one module: written by webrecorder's cdxj-indexer,
kept sorted, so that pywb's binary search finds a capture without scanning a WARC.

``index/<site>.cdxj`` holds every capture of one site; pywb's ``all`` collection reads
the whole ``index/`` folder and merges its files.
"""

from __future__ import annotations

import heapq
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cdxj_indexer.main import CDXJIndexer

from portal_archive.archive.atomic import write_text_atomic
from portal_archive.archive.warcfile import OPEN_SUFFIX


@dataclass(frozen=True)
class CdxjLine:
    urlkey: str
    timestamp: str  # 14 digits, UTC
    fields: dict[str, Any]  # url, mime, status, digest, length, offset, filename

    @classmethod
    def parse(cls, line: str) -> CdxjLine:
        urlkey, timestamp, blob = line.rstrip("\n").split(" ", 2)
        return cls(urlkey, timestamp, json.loads(blob))

    @property
    def url(self) -> str:
        return self.fields["url"]

    @property
    def filename(self) -> str:
        return self.fields["filename"]

    @property
    def offset(self) -> int:
        return int(self.fields["offset"])

    @property
    def length(self) -> int:
        return int(self.fields["length"])


def index_path(index_dir: Path, site: str) -> Path:
    return index_dir / f"{site}.cdxj"


def index_warcs(warc_root: Path, files: Iterable[Path]) -> list[str]:
    """Sorted CDXJ lines for ``files``, their filenames relative to ``warc_root``."""
    inputs = [str(f) for f in files if not str(f).endswith(OPEN_SUFFIX)]
    if not inputs:
        return []
    out = io.StringIO()
    out.close = lambda: None  # type: ignore[method-assign]  # cdxj-indexer closes what it writes to
    CDXJIndexer(out, inputs, sort=True, dir_root=str(warc_root)).process_all()
    return out.getvalue().splitlines(keepends=True)


def add_to_index(index_dir: Path, site: str, warc_root: Path, files: Iterable[Path]) -> int:
    """Merge the lines of new WARC ``files`` into ``index/<site>.cdxj``; returns lines added.

    The file is rewritten sorted and replaced atomically, never appended to: pywb
    binary-searches it, so an unsorted tail would hide captures.
    """
    new = index_warcs(warc_root, files)
    if not new:
        return 0
    path = index_path(index_dir, site)
    if not path.exists():
        write_text_atomic(path, _unique(iter(new)))
        return len(new)
    # Streamed: the old index is read line by line while the new one is written beside it.
    with open(path, encoding="utf-8") as old:
        write_text_atomic(path, _unique(heapq.merge(old, new)))
    return len(new)


# cdxj-indexer writes "filename" as a plain JSON string; read without parsing each line.
_FILENAME = re.compile(r'"filename": ?"([^"\\]*)"')


def indexed_files(path: Path) -> set[str]:
    """The WARC files (relative to warc/) that have at least one line in index ``path``.

    One sequential read of the index, no WARC opened: a crawl already rewrites the whole
    file each time one of its WARCs closes, so this costs no more than that.
    """
    if not path.exists():
        return set()
    found: set[str] = set()
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            match = _FILENAME.search(line)
            if match:
                found.add(match.group(1))
    return found


def unindexed_files(index_dir: Path, warc_root: Path, site: str) -> list[Path]:
    """Closed WARCs of ``site`` with no line in its index: a crash (or a full disk)
    between a file's close and its index merge."""
    indexed = indexed_files(index_path(index_dir, site))
    return [
        path for path in sorted((warc_root / site).glob("*.warc.gz"))
        if path.relative_to(warc_root).as_posix() not in indexed
    ]


def iter_index(path: Path) -> Iterator[CdxjLine]:
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield CdxjLine.parse(line)


def _unique(lines: Iterable[str]) -> Iterator[str]:
    previous = None
    for line in lines:
        if line != previous:
            yield line
        previous = line
