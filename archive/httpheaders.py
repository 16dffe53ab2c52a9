"""HTTP header blocks stored as the bytes that came off the wire.

warcio serialises an HTTP header block as ASCII and, at the first value that is not,
percent-encodes it (``StatusAndHeaders.to_ascii_bytes``). Vietnamese CMSs send raw
UTF-8 in ``Location`` and ``Content-Disposition``: decoded as latin-1 and then
percent-encoded, ``Hội`` was stored as ``H%C3%A1%C2%BB%C2%99i`` and such a redirect
replayed as a 404. Here each value is decoded as UTF-8 with ``surrogateescape``, so any
byte string (UTF-8 or not) round-trips, and the block is written back byte for byte.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from warcio.statusandheaders import StatusAndHeaders

WIRE_ENCODING = "utf-8"
WIRE_ERRORS = "surrogateescape"  # bytes that are not UTF-8 survive as lone surrogates


def from_wire(raw: bytes) -> str:
    """A header name or value as str, losslessly: ``to_wire(from_wire(b)) == b``.

    >>> from_wire(b"/tin/H\\xe1\\xbb\\x99i")
    '/tin/Hội'
    >>> to_wire(from_wire(b"filename=\\xe0\\xe8"))  # not UTF-8 (windows-1258): kept
    b'filename=\\xe0\\xe8'
    """
    return raw.decode(WIRE_ENCODING, WIRE_ERRORS)


def to_wire(text: str) -> bytes:
    return text.encode(WIRE_ENCODING, WIRE_ERRORS)


class WireHeaders(StatusAndHeaders):
    """A StatusAndHeaders whose block is written as received, never percent-encoded.

    warcio calls ``compute_headers_buffer`` both to write the block and to digest it, so
    the stored bytes and ``WARC-Block-Digest`` agree.
    """

    def compute_headers_buffer(self, header_filter: Callable[..., Any] | None = None) -> None:
        self.headers_buff = to_wire(self.to_str(header_filter)) + b"\r\n"
