"""The CDXJ index (pywb's format): lines written by webrecorder's cdxj-indexer, kept
in sorted segments (archive/segments.py) so that pywb's binary search finds a capture
without scanning a WARC.

``index/`` holds every capture of every site, as a handful of sorted CDXJ files that
pywb merges per look-up; a site's captures are the lines whose WARC file is in
``warc/<site>/``.

A closed file's lines come from its writer, which kept each record's line as it wrote
it (archive/cdxjline.py: byte for byte cdxj-indexer's); cdxj-indexer re-reads a WARC
only where the writer is gone (heal, rebuild) or was unsure of a line.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cdxj_indexer.main import CDXJIndexer

from portal_archive.archive import segments
from portal_archive.archive.cdxjline import sorted_lines
from portal_archive.archive.keys import site_of_series
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


def index_warcs(warc_root: Path, files: Iterable[Path]) -> list[str]:
    """Sorted CDXJ lines for ``files``, their filenames relative to ``warc_root``."""
    inputs = [str(f) for f in files if not str(f).endswith(OPEN_SUFFIX)]
    if not inputs:
        return []
    out = io.StringIO()
    out.close = lambda: None  # type: ignore[method-assign]  # cdxj-indexer closes what it writes to
    CDXJIndexer(out, inputs, sort=True, dir_root=str(warc_root)).process_all()
    return out.getvalue().splitlines(keepends=True)


def add_to_index(index_dir: Path, site: str, warc_root: Path, files: Iterable[Path],
                 lines: Iterable[str] | None = None) -> int:
    """Add the lines of closed WARC ``files`` of ``site`` to the index as one new
    segment (archive/segments.py); returns the lines added. Nothing already in the
    index is rewritten, except by the merges of full levels.

    ``lines``, when given, are the files' lines as their writer knew them
    (archive/cdxjline.py): the files are then not read again."""
    files = [Path(f) for f in files]
    new = index_warcs(warc_root, files) if lines is None else sorted_lines(lines)
    names = [f.relative_to(warc_root).as_posix() for f in files
             if not str(f).endswith(OPEN_SUFFIX)]
    segment = segments.add_segment(index_dir, [line.encode("utf-8") for line in new], names,
                                   background=True)
    return segment.lines if segment else 0


def indexed_files(index_dir: Path) -> set[str]:
    """The WARC files (relative to warc/) that have lines in the index: read from the
    segments' sidecars, no index line and no WARC opened."""
    return segments.indexed_warcs(index_dir)


def unindexed_files(index_dir: Path, warc_root: Path, site: str,
                    indexed: set[str] | None = None) -> list[Path]:
    """Closed WARCs of ``site`` with no line in the index: a crash (or a full disk)
    between a file's close and its index merge."""
    if indexed is None:
        indexed = indexed_files(index_dir)
    return [
        path for path in sorted((warc_root / site).glob("*.warc.gz"))
        if path.relative_to(warc_root).as_posix() not in indexed
    ]


def iter_index(index_dir: Path) -> Iterator[CdxjLine]:
    """Every line of the index, sorted, each once (see segments.snapshot)."""
    for line in segments.iter_lines(index_dir):
        yield CdxjLine.parse(line.decode("utf-8"))


def site_lines(index_dir: Path, site: str) -> list[str]:
    """The index lines of ``site``'s captures, as cdxj-indexer wrote them, sorted."""
    return [line.decode("utf-8") for line in segments.iter_lines(index_dir)
            if _filename(line).startswith(f"{site}/")]


def _filename(line: bytes) -> str:
    match = segments.FILENAME.search(line)
    return match.group(1).decode("utf-8", "replace") if match else ""


def indexed_sites(index_dir: Path) -> list[str]:
    """Sites with at least one indexed WARC."""
    return sorted({site_of_file(name) for name in indexed_files(index_dir) if "/" in name})


def site_of_file(filename: str) -> str:
    """The site of a WARC named relative to warc/: its first folder is its series, and a
    generic host's series is the generic site's (archive/keys.py site_of_series).

    >>> site_of_file("demo/demo-1.warc.gz"), site_of_file("generic-127.2.0.1_80/g.warc.gz")
    ('demo', 'generic')
    """
    return site_of_series(filename.split("/", 1)[0])


def site_of(line: CdxjLine) -> str:
    return site_of_file(line.filename)
