"""The demo portal's JPEGs: small pictures of a meeting hall shipped as package data.

A fixed number of base pictures (``photos/hall-NN.jpg``, 160x120) is read once; each
served image gets its own bytes by a COM segment right after SOI naming the article and
the image number.
"""

from __future__ import annotations

import struct
from functools import cache
from importlib.resources import files

VARIANTS = 24  # photos/hall-00.jpg ... hall-23.jpg
_PHOTOS = files("portal_archive.crawler.demo") / "photos"


@cache  # read once: the portal serves them from many threads
def _base_images() -> tuple[bytes, ...]:
    return tuple((_PHOTOS / f"hall-{v:02d}.jpg").read_bytes() for v in range(VARIANTS))


def with_comment(jpeg: bytes, text: str) -> bytes:
    """Insert a COM segment right after SOI."""
    payload = text.encode("ascii")
    return jpeg[:2] + struct.pack(">HH", 0xFFFE, len(payload) + 2) + payload + jpeg[2:]


def article_image(article_id: int, k: int) -> bytes:
    """The JPEG served for image number k (1-based) of an article: distinct bytes per pair."""
    base = _base_images()[(article_id * 7 + k * 3) % VARIANTS]
    return with_comment(base, f"portal-archive demo image {article_id}-{k}")


@cache
def no_image() -> bytes:
    """The grey placeholder shown for articles without a picture."""
    return with_comment((_PHOTOS / "no-image.jpg").read_bytes(), "portal-archive demo no-image")
