"""Inline ``data:`` images: what the archive records of them instead of the blob.

Portals' WYSIWYG editors paste photos straight into the article as
``<img src="data:image/jpeg;base64,...">``: the photo is then part of the page and has no
URL to fetch. The JSON records its type, decoded size and digest (enough to tell that the
photo changed or is the same as another capture's), never the base64 text itself, which
can run to megabytes. A pasted 1x1 spacer is decoration, like a ``spacer.gif``.
"""

from __future__ import annotations

import binascii
import hashlib
import re
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

# data:[<mediatype>][;base64],<data> (RFC 2397); parameters such as ;charset= may sit
# between the type and ;base64.
_DATA_URI_RE = re.compile(
    r"data:\s*(?P<mime>[\w.+-]+/[\w.+-]+)?(?P<params>(?:;[^,;]*)*?)(?P<b64>;\s*base64)?\s*,",
    re.I,
)
# Decoding stops here: a page is at most tens of MB, and the digest of a photo
# truncated by the cap would be a wrong witness (see InlineImage.sha256).
MAX_DECODED_BYTES = 20 * 1024 * 1024
# Smaller than this is a spacer, bullet or icon (a 1x1 GIF is 43 bytes, a 16x16 icon a
# few hundred); the smallest news photo is tens of kB.
MIN_IMAGE_BYTES = 1024
_CHUNK_CHARS = 1 << 20  # base64 decoded a MB at a time: the digest needs no copy of it all


@dataclass(frozen=True, slots=True)
class InlineImage:
    """What the JSON says of a ``data:`` image; a field is None when it cannot be said
    (malformed base64, or larger than MAX_DECODED_BYTES: no digest)."""

    mime: str
    bytes: int | None
    sha256: str | None

    def as_json(self) -> dict[str, str | int | None]:
        return {"mime": self.mime, "bytes": self.bytes, "sha256": self.sha256}


def is_data_uri(src: str) -> bool:
    return src[:5].lower() == "data:"


def read_data_uri(src: str) -> InlineImage | None:
    """The inline image a ``data:`` URI holds; None when it is not an image or is too
    small to be a photo. Never raises: a malformed payload gives what can be said.

    >>> read_data_uri("data:image/gif;base64,R0lGODlhAQABAAAAACw=") is None  # a spacer
    True
    >>> read_data_uri("data:text/html,<b>x</b>") is None
    True
    >>> read_data_uri("data:image/png;base64," + "A" * 2000).bytes
    1500
    >>> read_data_uri("data:image/jpeg;base64,%%%not base64" + "A" * 2001)
    InlineImage(mime='image/jpeg', bytes=None, sha256=None)
    """
    src = src.strip()
    m = _DATA_URI_RE.match(src)
    if m is None or not (m["mime"] or "").lower().startswith("image/"):
        return None
    mime = m["mime"].lower()
    payload = src[m.end():]
    if len(payload) < MIN_IMAGE_BYTES:  # decodes to fewer bytes still, malformed or not
        return None
    if m["b64"]:
        size, digest = _decode_base64(payload)
    else:
        size, digest = _decode_percent(payload)
    if size is not None and size < MIN_IMAGE_BYTES:
        return None
    return InlineImage(mime, size, digest)


def _decode_base64(payload: str) -> tuple[int | None, str | None]:
    """(decoded size, "sha256:<hex>") of a base64 payload, decoded a chunk at a time.

    White space (editors wrap long lines) and %-escapes of the padding are tolerated;
    any other stray character makes the payload malformed: (None, None). Over the cap,
    the size is computed from the length and the digest is None.
    """
    if "%" in payload:
        payload = unquote_to_bytes(payload).decode("ascii", "replace")
    text = "".join(payload.split())
    if not re.fullmatch(r"[A-Za-z0-9+/_-]*={0,2}", text):
        return None, None
    text = text.rstrip("=").replace("-", "+").replace("_", "/")
    if len(text) % 4 == 1:  # no padding can complete it
        return None, None
    size = len(text) * 3 // 4
    if size > MAX_DECODED_BYTES:
        return size, None
    text += "=" * (-len(text) % 4)
    digest = hashlib.sha256()
    try:
        for start in range(0, len(text), _CHUNK_CHARS):  # _CHUNK_CHARS is a multiple of 4
            digest.update(binascii.a2b_base64(text[start:start + _CHUNK_CHARS]))
    except binascii.Error:
        return None, None
    return size, "sha256:" + digest.hexdigest()


def _decode_percent(payload: str) -> tuple[int | None, str | None]:
    """(size, digest) of a %-encoded payload (inline SVG is often written so)."""
    if len(payload) > 3 * MAX_DECODED_BYTES:
        return None, None
    data = unquote_to_bytes(payload)
    return len(data), "sha256:" + hashlib.sha256(data).hexdigest()
