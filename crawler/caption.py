"""Image captions: telling them apart from body text and splitting off photo credits."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Protocol

from portal_archive.crawler.text import clean

__all__ = [
    "block_align",
    "is_caption_class",
    "is_italic_style",
    "looks_like_caption",
    "split_credit",
]

# Longest label first so "Ảnh minh họa:" is not read as "Ảnh" + "minh họa: ...".
_LABEL = r"(?:ảnh minh (?:họa|hoạ)|ảnh tư liệu|nguồn ảnh|ảnh|nguồn|photo)"
# "(Ảnh: Thanh Tùng)" anywhere at the end.
_PAREN_RE = re.compile(rf"\(\s*{_LABEL}\s*[:\-–—]\s*([^()]+?)\s*\)[.\s]*$", re.I)
# "... Ảnh: Thanh Tùng" at the end; the label is capitalised (a lower-case "ảnh:"
# inside a sentence is not a credit).
_TRAIL_RE = re.compile(
    r"(?:^|(?<=[\s.,;!?)]))[-–—|]?\s*"
    r"(?:Ảnh minh (?:họa|hoạ)|Ảnh tư liệu|Nguồn ảnh|Ảnh|ẢNH|Nguồn|NGUỒN|Photo)"
    r"\s*[:\-–—]\s*([^()]+?)[.\s]*$"
)
# A sentence ends inside the credit: it is prose, not a name.
_SENTENCE_RE = re.compile(r"[^\W\d_]{2,}[.!?…]\s")
_MAX_CREDIT_CHARS = 60
_MAX_CREDIT_WORDS = 8

_CAPTION_CLASS_RE = re.compile(
    r"caption|chu-?thich|chuthich|img-?desc|image-?desc|photo-?desc|pic-?desc|imgnote|expnote",
    re.I,
)
_MAX_CAPTION_CHARS = 400
_MAX_CAPTION_WORDS = 70

_ALIGN_STYLE_RE = re.compile(r"text-align\s*:\s*(center|right|justify|left)", re.I)
_ALIGN_CLASS_RE = re.compile(r"(?:^|[\s_-])(?:text-|align)?(center|right)(?:$|[\s_-])", re.I)
_ITALIC_STYLE_RE = re.compile(r"font-style\s*:\s*(?:italic|oblique)", re.I)


class _Element(Protocol):  # the part of lxml's element API used here
    tag: object

    def get(self, key: str, default: None = None) -> str | None: ...
    def getparent(self) -> _Element | None: ...


def split_credit(caption: str) -> tuple[str | None, str | None]:
    """Split a photo credit off a caption: ``(caption or None, credit or None)``.

    >>> split_credit("X phát biểu. (Ảnh: Thanh Tùng)")
    ('X phát biểu.', 'Thanh Tùng')
    >>> split_credit("Caption three Ảnh: Hoàng Anh")
    ('Caption three', 'Hoàng Anh')
    >>> split_credit("Ảnh - TTXVN")
    (None, 'TTXVN')
    >>> split_credit("Toàn cảnh hội nghị")
    ('Toàn cảnh hội nghị', None)
    """
    text = clean(caption)
    if not text:
        return None, None
    m = _PAREN_RE.search(text) or _TRAIL_RE.search(text)
    if m is None or not _is_credit(m[1]):
        return text, None
    rest = text[: m.start()].rstrip(" -–—|:;,")
    return (rest or None), m[1].strip()


def _is_credit(text: str) -> bool:
    return (
        len(text) <= _MAX_CREDIT_CHARS
        and len(text.split()) <= _MAX_CREDIT_WORDS
        and not _SENTENCE_RE.search(text + " ")
    )


def is_caption_class(class_or_id: str | None) -> bool:
    """Does a class/id attribute mark an image caption (``image_caption``, ``caption``...)?"""
    return bool(class_or_id) and _caption_class(class_or_id or "")


@lru_cache(maxsize=4096)  # asked for every block of every page; sites reuse their classes
def _caption_class(value: str) -> bool:
    return _CAPTION_CLASS_RE.search(value) is not None


def looks_like_caption(text: str) -> bool:
    """Short enough to be an image caption rather than a body paragraph."""
    return 0 < len(text) <= _MAX_CAPTION_CHARS and len(text.split()) <= _MAX_CAPTION_WORDS


def block_align(el: _Element | None, stop: _Element | None = None) -> str | None:
    """``"center"``/``"right"``/... of ``el`` as set on it or an ancestor up to ``stop``.

    Reads the ``align`` attribute, inline ``text-align``, ``<center>`` and
    ``text-center``-like classes: portals' WYSIWYG editors use all of them.
    """
    while el is not None:
        if el.tag == "center":
            return "center"
        align = el.get("align")
        if align:
            return align.strip().lower()
        m = _ALIGN_STYLE_RE.search(el.get("style") or "")
        if m:
            return m[1].lower()
        m = _ALIGN_CLASS_RE.search(el.get("class") or "")
        if m:
            return m[1].lower()
        if el is stop:
            return None
        el = el.getparent()
    return None


def is_italic_style(style: str | None) -> bool:
    """Does an inline style make the text italic?"""
    return bool(style) and _ITALIC_STYLE_RE.search(style or "") is not None
