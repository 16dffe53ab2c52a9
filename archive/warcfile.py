"""Rolling WARC files: warcio builds and digests the records, this module only names,
rotates, syncs and closes the files that hold them.

A file is written as ``<name>.warc.gz.open`` and renamed to ``<name>.warc.gz`` only once
it is closed and fsynced, so a crash never leaves a half-written file that looks whole.
"""

from __future__ import annotations

import os
import socket
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from portal_archive.archive.cdxjline import NotKnown, cdxj_line
from portal_archive.archive.stamps import utc_stamp14
from portal_archive.archive.workerid import worker_id

OPEN_SUFFIX = ".open"
WARC_VERSION = "1.1"
# warcio's own gzip level (it has no option for another).
DEFAULT_GZIP_LEVEL = 9


def warc_date(moment: datetime) -> str:
    """WARC/1.1 date with microseconds, from an aware datetime.

    >>> warc_date(datetime(2025, 6, 27, 9, 22, 0, 123456, tzinfo=UTC))
    '2025-06-27T09:22:00.123456Z'
    """
    return datetime_to_iso_date(moment.astimezone(UTC).replace(tzinfo=None), use_micros=True)


@dataclass(frozen=True)
class RecordLocation:
    """Where a record starts: what `warc` in the article JSON and the index point at."""

    file: str  # path relative to the data folder's warc/ directory, e.g. "demo/demo-2025….warc.gz"
    offset: int
    length: int  # compressed length of the record's gzip member


class RollingWarcWriter:
    """Appends records to ``<directory>/<prefix>-<timestamp>-<serial>-<worker>.warc.gz``.

    One gzip member per record, at ``gzip_level``; a new file is started once the
    current one reaches ``max_size`` bytes, each beginning with a warcinfo record.
    ``worker`` (archive/workerid.py, default this process's id) keeps the names of two
    writers of one series apart, even in the same second; a name already in
    ``shipped_root`` (the shared archive's warc/, where closed files are moved) is taken.
    Names without a worker (before issue 12) are read like any other: nothing parses them.
    """

    def __init__(
        self,
        root: Path,
        site: str,
        *,
        max_size: int = 1_000_000_000,
        info: Mapping[str, str] | None = None,
        gzip: bool = True,
        gzip_level: int = DEFAULT_GZIP_LEVEL,
        on_close: Callable[[Path, list[str] | None], None] | None = None,
        worker: str = "",
        shipped_root: Path | None = None,
    ) -> None:
        self.root = Path(root)
        self.worker = worker_id(worker)
        self.shipped_root = shipped_root
        self.site = site
        self.max_size = max_size
        self.info = dict(info or {})
        self.gzip = gzip
        self.gzip_level = gzip_level
        # Told of each file once it is closed, with its index lines (archive/cdxjline.py)
        # or None where the writer could not be sure of them: to index it.
        self.on_close = on_close
        self._lines: list[str] | None = []  # the current file's index lines
        # An uncompressed file's record length, as warcio reads it back, leaves out the
        # record's closing CRLFs: there cdxj-indexer is left to read the file.
        self._knows_lines = gzip
        self._buffer = BytesIO()
        # Builds records (create_warc_record) and serialises each, uncompressed, into
        # _plain; write() gzips it as one member into _buffer. warcio's own gzip=True
        # is fixed at level 9, the costliest for a few percent of size.
        self._plain = BytesIO()
        self._record_writer = WARCWriter(self._plain, gzip=False, warc_version=WARC_VERSION)
        self.builder = self._record_writer
        self.closed_files: list[str] = []
        self._serial = 0
        self._out: BinaryIO | None = None
        self._name = ""

    # -- files ---------------------------------------------------------------
    @property
    def directory(self) -> Path:
        return self.root / self.site

    @property
    def current_file(self) -> str:
        """The current file's final name relative to ``root`` ('' when none is open)."""
        return f"{self.site}/{self._name}" if self._name else ""

    def _open_next(self, moment: datetime) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = utc_stamp14(moment)
        ext = ".warc.gz" if self.gzip else ".warc"
        while True:
            name = f"{self.site}-{stamp}-{self._serial:05d}-{self.worker}{ext}"
            self._serial += 1
            if not self._taken(name):
                break
        # "xb": never overwrite, even if another writer raced us to the name.
        self._out = open(self.directory / (name + OPEN_SUFFIX), "xb")
        self._name = name
        self._lines = [] if self._knows_lines else None
        info = {
            "software": self.info.get("software", "portal-archive"),
            "hostname": socket.gethostname(),
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/"
            "warc-format/warc-1.1/",
            **self.info,
        }
        self.write([self.builder.create_warcinfo_record(name, info)], moment)

    def _taken(self, name: str) -> bool:
        final = self.directory / name
        if final.exists() or final.with_name(name + OPEN_SUFFIX).exists():
            return True
        return self.shipped_root is not None and (self.shipped_root / self.site / name).exists()

    def close(self) -> None:
        """Flush, fsync and drop the ``.open`` suffix of the current file."""
        if self._out is None:
            return
        self._out.flush()
        os.fsync(self._out.fileno())
        self._out.close()
        path = self.directory / (self._name + OPEN_SUFFIX)
        path.rename(self.directory / self._name)
        fsync_dir(self.directory)
        self.closed_files.append(self.current_file)
        closed = self.directory / self._name
        lines, self._lines = self._lines, []
        self._out = None
        self._name = ""
        if self.on_close is not None:
            self.on_close(closed, lines)

    # -- records -------------------------------------------------------------
    def write(self, records: list[ArcWarcRecord], moment: datetime) -> list[RecordLocation]:
        """Write ``records`` back to back into one file; return where each one starts.

        The records are built in memory and reach the file in one write, so a process
        killed mid-capture leaves whole records behind, not half of one.
        """
        if self._out is not None and self._out.tell() >= self.max_size:
            self.close()
        if self._out is None:
            self._open_next(moment)
        assert self._out is not None
        self._buffer.seek(0)
        self._buffer.truncate()
        bounds = []
        for record in records:
            bounds.append(self._buffer.tell())
            self._serialise(record)
        bounds.append(self._buffer.tell())
        start = self._out.tell()
        try:
            self._out.write(self._buffer.getbuffer())
            self._out.flush()
        except OSError:
            # A full disk: cut what part of the records reached the file, so the file
            # stays whole records only, then let the caller stop the crawl.
            self._out = _reopen_truncated(
                self._out, self.directory / (self._name + OPEN_SUFFIX), start
            )
            raise
        locations = [
            RecordLocation(self.current_file, start + a, b - a)
            for a, b in zip(bounds, bounds[1:], strict=False)
        ]
        self._note_lines(records, locations)
        return locations

    def _note_lines(self, records: list[ArcWarcRecord], locations: list[RecordLocation]) -> None:
        """Keep the records' index lines for the file's close (their headers are final
        once serialised), or forget the file's lines if one of them is not known."""
        if self._lines is None:
            return
        try:
            for record, at in zip(records, locations, strict=True):
                line = cdxj_line(record, at.file, at.offset, at.length)
                if line is not None:
                    self._lines.append(line)
        except NotKnown:
            self._lines = None


    def _serialise(self, record: ArcWarcRecord) -> None:
        """Append ``record`` to the buffer: one gzip member of its own when gzipping."""
        self._plain.seek(0)
        self._plain.truncate()
        self._record_writer.write_record(record)
        if not self.gzip:
            self._buffer.write(self._plain.getbuffer())
            return
        member = zlib.compressobj(self.gzip_level, zlib.DEFLATED, zlib.MAX_WBITS + 16)
        self._buffer.write(member.compress(self._plain.getbuffer()))
        self._buffer.write(member.flush())


def _reopen_truncated(out: BinaryIO, path: Path, size: int) -> BinaryIO:
    try:
        out.close()  # what is still buffered would fail again; the descriptor closes anyway
    except OSError:
        pass
    os.truncate(path, size)
    return open(path, "ab")


def fsync_dir(directory: Path) -> None:
    # The rename is only durable once the directory entry is on disk.
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_record(path: Path, offset: int) -> tuple[ArcWarcRecord, bytes]:
    """The record that starts at ``offset`` and its payload as stored (still
    content-encoded: decoding is the reader's choice, via warcio's content_stream)."""
    with open(path, "rb") as stream:
        stream.seek(offset)
        record = next(ArchiveIterator(stream))
        return record, record.raw_stream.read()
