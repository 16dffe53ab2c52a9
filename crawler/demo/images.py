"""Small, valid baseline JPEGs for the demo portal, made without any imaging library.

A tiny encoder writes colour images built of solid 8x8 blocks (only DC coefficients are
coded), which is enough for a plausible "photo" thumbnail of a meeting hall. A fixed
number of base pictures is made once (O(1) memory); each served image gets its own bytes
by a COM segment right after SOI naming the article and the image number.
"""

from __future__ import annotations

import random
import struct
import threading

WIDTH = 160
HEIGHT = 120
VARIANTS = 24

# Custom canonical Huffman tables: DC categories 0..11 all coded on 4 bits
# (0000..1011); AC table holds EOB (0x00) as "00" and one unused symbol as "01".
_DC_BITS = bytes([0, 0, 0, 12] + [0] * 12)
_DC_VALS = bytes(range(12))
_AC_BITS = bytes([0, 2] + [0] * 14)
_AC_VALS = bytes([0x00, 0x01])
_EOB = (0b00, 2)
_DC_Q = 8  # quantiser of every coefficient; DC of a solid block of value v is 8*(v-128)


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">HH", 0xFF00 | marker, len(payload) + 2) + payload


class _BitWriter:
    def __init__(self) -> None:
        self.out = bytearray()
        self.acc = 0
        self.n = 0

    def write(self, value: int, nbits: int) -> None:
        self.acc = (self.acc << nbits) | (value & ((1 << nbits) - 1))
        self.n += nbits
        while self.n >= 8:
            self.n -= 8
            byte = (self.acc >> self.n) & 0xFF
            self.out.append(byte)
            if byte == 0xFF:
                self.out.append(0x00)
        self.acc &= (1 << self.n) - 1

    def flush(self) -> bytes:
        if self.n:
            self.write((1 << (8 - self.n)) - 1, 8 - self.n)
        return bytes(self.out)


def _ycbcr(r: int, g: int, b: int) -> tuple[int, int, int]:
    y = 0.299 * r + 0.587 * g + 0.114 * b
    cb = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b
    cr = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b
    return tuple(max(0, min(255, round(c))) for c in (y, cb, cr))  # type: ignore[return-value]


def encode_blocks(blocks: list[list[tuple[int, int, int]]]) -> bytes:
    """Encode a grid (rows of RGB colours, one per 8x8 block) as a baseline JPEG."""
    rows, cols = len(blocks), len(blocks[0])
    header = b"\xff\xd8"
    header += _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    header += _segment(0xDB, b"\x00" + bytes([_DC_Q] * 64))
    sof = struct.pack(">BHHB", 8, rows * 8, cols * 8, 3)
    for comp in (1, 2, 3):
        sof += bytes([comp, 0x11, 0])
    header += _segment(0xC0, sof)
    header += _segment(0xC4, b"\x00" + _DC_BITS + _DC_VALS + b"\x10" + _AC_BITS + _AC_VALS)
    header += _segment(0xDA, b"\x03" + b"\x01\x00\x02\x00\x03\x00" + b"\x00\x3f\x00")
    bw = _BitWriter()
    pred = [0, 0, 0]
    for row in blocks:
        for rgb in row:
            for c, value in enumerate(_ycbcr(*rgb)):
                dc = value - 128  # == 8 * (value - 128) / _DC_Q
                diff = dc - pred[c]
                pred[c] = dc
                size = abs(diff).bit_length()
                bw.write(size, 4)
                if size:
                    bw.write(diff if diff > 0 else diff + (1 << size) - 1, size)
                bw.write(*_EOB)
    return header + bw.flush() + b"\xff\xd9"


def _scene(variant: int) -> list[list[tuple[int, int, int]]]:
    """A blocky 'meeting hall': red backdrop with a yellow banner, a stage, an audience."""
    rng = random.Random(7919 * variant + 17)
    cols, rows = WIDTH // 8, HEIGHT // 8
    red = (rng.randint(150, 215), rng.randint(15, 50), rng.randint(20, 50))
    yellow = (rng.randint(220, 255), rng.randint(190, 230), rng.randint(40, 90))
    floor = (rng.randint(90, 140), rng.randint(60, 90), rng.randint(40, 60))
    wall = (rng.randint(200, 235), rng.randint(195, 225), rng.randint(180, 215))
    banner_top = rng.randint(1, 2)
    stage = rng.randint(6, 8)
    grid: list[list[tuple[int, int, int]]] = []
    for r in range(rows):
        line = []
        for c in range(cols):
            if r < stage and 2 <= c < cols - 2:
                colour = yellow if banner_top <= r <= banner_top + 1 and 4 <= c < cols - 4 else red
            elif r < stage:
                colour = wall
            else:
                colour = floor
                if (r - stage) % 2 == 1 and rng.random() < 0.7:  # rows of seated delegates
                    shade = rng.randint(20, 70)
                    colour = (shade, shade, shade + rng.randint(0, 30))
            jitter = rng.randint(-6, 6)
            line.append(tuple(max(0, min(255, v + jitter)) for v in colour))
        grid.append(line)
    return grid


_lock = threading.Lock()
_bases: tuple[bytes, ...] = ()
_no_image: bytes | None = None


def _base_images() -> tuple[bytes, ...]:
    global _bases
    if not _bases:
        with _lock:
            if not _bases:
                # Built whole, then published in one assignment: a thread racing past the
                # first check never sees a half-filled sequence.
                _bases = tuple(encode_blocks(_scene(v)) for v in range(VARIANTS))
    return _bases


def with_comment(jpeg: bytes, text: str) -> bytes:
    """Insert a COM segment right after SOI."""
    return jpeg[:2] + _segment(0xFE, text.encode("ascii")) + jpeg[2:]


def article_image(article_id: int, k: int) -> bytes:
    """The JPEG served for image number k (1-based) of an article: distinct bytes per pair."""
    base = _base_images()[(article_id * 7 + k * 3) % VARIANTS]
    return with_comment(base, f"portal-archive demo image {article_id}-{k}")


def no_image() -> bytes:
    """The grey placeholder shown for articles without a picture."""
    global _no_image
    if _no_image is None:
        grey = [[(200 + (r + c) % 3 * 8,) * 3 for c in range(WIDTH // 8)]
                for r in range(HEIGHT // 8)]
        _no_image = with_comment(encode_blocks(grey), "portal-archive demo no-image")
    return _no_image
