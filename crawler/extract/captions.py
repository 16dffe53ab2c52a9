"""Image captions: telling them apart from body text, splitting off photo credits, and
giving each image its caption (figure, image table, centred/italic line after an image,
caption classes).

A caption is the text printed with the photo. The <img>'s ``title``/``alt`` attributes
are not: CMSs fill them with the file name, the article's title or "anh", and a reader
never sees them. An image with no printed caption has caption None."""

from __future__ import annotations

import re
from functools import lru_cache

from portal_archive.crawler.text import clean

from .lines import Image, Item, Line
from .tree import El

__all__ = [
    "assign_captions",
    "block_align",
    "caption_image",
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
# Vietnamese words are syllables: a subhead runs to 3-7 ("Sự chung tay của xã hội"), a
# caption that says who does what to 8 and more.
_MIN_BOLD_CAPTION_WORDS = 8
# A caption line that ends so is cut mid-sentence: the next line carries it on.
_OPEN_END_RE = re.compile(r"[-–—,;:]$")
# An italic caption line that ends without a sentence's end is cut: "… nghĩa vụ của người"
# / "Đảng viên cho Đ/c Giang" (the next line may start with a capital: a name, "Đảng").
_SENTENCE_END_RE = re.compile(r"[.!?…\"”)]$")


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


def block_align(el: El | None, stop: El | None = None) -> str | None:
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


def caption_image(image: Image, text: str, rule: str) -> None:
    """Set an image's caption and credit from one caption text, with their rules."""
    image.caption, image.credit = split_credit(text)
    image.caption_rule = rule if image.caption else None
    image.credit_rule = f"{rule}, after its credit label" if image.credit else None


def assign_captions(items: list[Item]) -> list[Item]:
    """Give images their captions; what remains is the lines that are not captions."""
    out: list[Item] = []
    last: Image | None = None  # the image right before the current line
    taken: Line | None = None  # the last line given to ``last``
    text_before = False  # has a body line come yet?
    for i, it in enumerate(items):
        if isinstance(it, Image):
            out.append(it)
            last, taken = it, None
        elif it.caption:  # caption-class lines are never body text
            target = last if last is not None and last.caption is None else _next_image(items, i)
            if target is not None and target.caption is None:
                caption_image(target, it.text, it.caption)
        elif last is not None and _after_image(it, last, taken, text_before):
            taken = it  # the image's caption or credit now
        else:
            out.append(it)
            last = taken = None
            text_before = True
    return out


def _caption_style(line: Line, text_before: bool) -> str | None:
    """How a line is set off as a caption (``"centred italic"``...), or None.

    Bold alone counts (editors bold captions as often as they centre them) unless the
    line is a heading, or right-aligned, where the byline sits, or no body text came
    before the image: a bold line under a photo that opens the article is its lead.
    """
    bold = line.bold and text_before and not line.heading and line.align != "right"
    how = [w for w, on in (("centred", line.align == "center"), ("italic", line.italic),
                           ("bold", bold)) if on]
    return " ".join(how) or None


def _after_image(line: Line, image: Image, taken: Line | None, text_before: bool) -> bool:
    """Is a line set off as a caption, right after an image (or after the lines of its
    caption), its caption, the caption's next line, or its credit? (If so, it is
    given to the image.)"""
    how = _caption_style(line, text_before)
    if how is None:
        return False
    if image.caption is None and image.credit is None and looks_like_caption(line.text):
        if how == "bold" and not _long_or_open(line.text):
            return False  # a short bold line is the subhead of what follows
        caption_image(image, line.text, f"{how} line after the image")
        return True
    cap, credit = split_credit(line.text)
    if cap is None and credit and image.credit is None:  # a credit on its own line
        image.credit = credit
        image.credit_rule = f"{how} credit line after the image"
        return True
    if image.caption and image.credit is None and _continues(image.caption, taken, line):
        rule = (image.caption_rule or how).removesuffix(f", on {how} lines")
        caption_image(image, f"{image.caption} {line.text}", f"{rule}, on {how} lines")
        return True
    return False


def _long_or_open(text: str) -> bool:
    """Long enough to describe a photo, or cut mid-sentence (its next line goes on)."""
    return len(text.split()) >= _MIN_BOLD_CAPTION_WORDS or _OPEN_END_RE.search(text) is not None


def _continues(caption: str, taken: Line | None, line: Line) -> bool:
    """Does ``line`` carry on the caption ``taken`` began (a caption over two lines, or
    cut by a <br>)? Set like the line before it, and visibly one sentence with it: that
    line ends on a dash or comma, or this one starts in lower case, or both are italic
    and that line ends no sentence. (A bold subhead after a bold caption is neither.)"""
    return (
        taken is not None
        and (taken.align, taken.italic, taken.bold) == (line.align, line.italic, line.bold)
        and (_OPEN_END_RE.search(caption) is not None or line.text[:1].islower()
             or (line.italic and _SENTENCE_END_RE.search(caption) is None))
        and looks_like_caption(f"{caption} {line.text}")
    )


def _next_image(items: list[Item], i: int) -> Image | None:
    nxt = items[i + 1] if i + 1 < len(items) else None
    return nxt if isinstance(nxt, Image) else None
