"""A record's CDXJ line from what its writer knows, as cdxj-indexer would read it back.

At a file's close, cdxj-indexer re-read the whole WARC to learn what the writer had in
hand: each record's offset, length, payload digest, status, mime, URL and date. The
writer now keeps each record's line as it writes it (archive/warcfile.py), in
cdxj-indexer's own form, byte for byte: its default fields in its order, its SURT key,
``json.dumps`` with its defaults, warcinfo and request records left out. Where a record
holds something whose reading back is not plain (a header that is not ASCII, a record
type the crawl never writes), the writer says it does not know, and the file is indexed
by cdxj-indexer as before. cdxj-indexer also stays for WARCs whose writer is gone (heal,
rebuild).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

import surt
from warcio.recordloader import ArcWarcRecord
from warcio.timeutils import iso_date_to_timestamp

# Record types cdxj-indexer skips by default (its DEFAULT_RECORDS leave them out).
_NOT_INDEXED = frozenset({"warcinfo", "request"})
_INDEXED = frozenset({"response", "revisit"})
_MIME_END = re.compile(r"[;\s]")  # cdxj-indexer's RE_SPACE: the mime ends at either
_PLAIN = re.compile(r"[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?")  # ASCII, trimmed


class NotKnown(Exception):
    """The writer cannot be sure of the line cdxj-indexer would read: let it read."""


def cdxj_line(record: ArcWarcRecord, filename: str, offset: int, length: int) -> str | None:
    """The line cdxj-indexer writes for ``record`` stored at ``offset``/``length`` of
    ``filename`` (relative to the warc/ root), None for a record it does not index.
    Raises NotKnown where reading the record back might give something else."""
    kind = record.rec_type
    if kind in _NOT_INDEXED:
        return None
    if kind not in _INDEXED:
        raise NotKnown(f"a {kind} record")
    headers = record.rec_headers
    url = _plain(headers.get_header("WARC-Target-URI"))
    digest = _plain(headers.get_header("WARC-Payload-Digest"))
    date = _plain(headers.get_header("WARC-Date"))
    if url is None or digest is None or date is None:
        raise NotKnown("no URL, payload digest or date")
    fields: dict[str, str] = {"url": url}
    mime = _mime(record)
    if mime is not None:
        fields["mime"] = mime
    if record.http_headers is not None:
        fields["status"] = _status(record)
    fields.update(digest=digest, length=str(length), offset=str(offset), filename=filename)
    return f"{_urlkey(url)} {iso_date_to_timestamp(date)} {json.dumps(fields)}\n"


def sorted_lines(lines: Iterable[str]) -> list[str]:
    """Sorted, each line once: what ``cdxj-indexer --sort`` prints for them."""
    out: list[str] = []
    for line in sorted(lines):
        if not out or out[-1] != line:
            out.append(line)
    return out


def _plain(value: str | None) -> str | None:
    """``value`` if it reads back as it is: ASCII, nothing to trim; else NotKnown."""
    if value is None:
        return None
    if _PLAIN.fullmatch(value) is None:
        raise NotKnown(f"a header value read back otherwise: {value!r}")
    return value


def _mime(record: ArcWarcRecord) -> str | None:
    if record.rec_type == "revisit":
        return "warc/revisit"
    if record.http_headers is None:
        return None
    value = record.http_headers.get_header("Content-Type")
    if not value:
        return value  # "" stays "" in cdxj-indexer's line, None leaves the field out
    return _MIME_END.split(_plain(value) or "", 1)[0].strip()


def _status(record: ArcWarcRecord) -> str:
    code = _plain(record.http_headers.get_statuscode())
    if code is None:
        raise NotKnown("no status")
    return code


def _urlkey(url: str) -> str:
    try:
        return surt.surt(url)
    except Exception:  # cdxj-indexer keys a URL surt cannot read by the URL itself
        return url
