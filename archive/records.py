"""Reading a WARC file record by record, each record its own gzip member, telling
whole records from damaged ones: what verify checks and what heal cuts a file back to."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord

GZIP_MAGIC = b"\x1f\x8b\x08"

@dataclass
class Record:
    record_id: str
    type: str
    url: str



def read_records(path: Path) -> Iterator[tuple[int, int, Record | None, str | None]]:
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
                yield offset, length, None, f"not a WARC record ({one_line(exc)})"


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
            yield offset, 0, b"", f"damaged gzip member ({one_line(exc)})"
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


def one_line(exc: BaseException) -> str:
    text = (str(exc).splitlines() or [""])[0]
    text = "".join(ch if ch.isprintable() else "?" for ch in text)[:80]
    return f"{exc.__class__.__name__}: {text}" if text else exc.__class__.__name__
