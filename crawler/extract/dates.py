"""Which lines of a page are its publication line ("Cập nhật lúc : 27/06/2025 16:22").

Reading the date itself is crawler/vntime.py's, the one place for Vietnamese date formats.
"""

from __future__ import annotations

import re
import unicodedata

from portal_archive.crawler.vntime import is_place_date, looks_like_date

# Labels that open the publication line ("Cập nhật lúc : 27/06/2025 16:22").
_DATE_LABEL_RE = re.compile(
    r"^(?:cập nhật|ngày đăng|đăng ngày|đăng lúc|ngày cập nhật|ngày xuất bản|xuất bản|ngày công bố"
    r"|thời gian|posted|published|updated|thứ\s+(?:hai|ba|tư|năm|sáu|bảy|[2-7])|chủ nhật)",
    re.I,
)
_DATE_LABEL_INITIALS = frozenset("CcNnĐđTtXxPpUu")
MAX_META_TEXT = 150  # date/category lines are short
_MAX_DATE_LINE = 40  # a line that is only a date and a time
_MAX_PLACE_DATE = 80  # "Thành phố Hồ Chí Minh, ngày 27 tháng 11 năm 2015"
# Listing and detail templates print "(05.08.2019 16:32)", and "( )" when it is empty.
_BRACKETS = "()[]"
_EMPTY_SLOT_RE = re.compile(r"^\s*[(\[]\s*[)\]]\s*$")
# Meta tags that hold the publication date, most trusted first.
PUBLISHED_META = (
    "article:published_time", "og:published_time", "datepublished", "pubdate",
    "publishdate", "dc.date.issued", "date",
)  # fmt: skip


def has_date_label(text: str | None) -> bool:
    """Does a short text open with a publication label ("Ngày đăng:", "Thứ hai")?"""
    # Only short texts can be a date line; the first letter rules out most texts
    # before NFC (for NFD pages) is paid for.
    if not text or len(text) > MAX_META_TEXT:
        return False
    stripped = text.lstrip()
    if not stripped or stripped[0] not in _DATE_LABEL_INITIALS:
        return False
    return _DATE_LABEL_RE.match(unicodedata.normalize("NFC", stripped)) is not None


def is_date_line(text: str | None) -> bool:
    """A short text that opens with a time or date ("16:22 27/06/2025"): a date line
    even without a label or a class."""
    if not text or len(text) > _MAX_DATE_LINE:
        return False
    stripped = text.strip().strip(_BRACKETS).strip()
    return stripped[:1].isdigit() and looks_like_date(stripped)


def is_place_date_line(text: str | None) -> bool:
    """A legal document's date line, "Hà Nội, ngày 25 tháng 12 năm 2001": its place of
    signing opens it, so it has no label and does not open with the date."""
    # Word's hard line breaks pad it with white space; the comma rules out most texts.
    if not text or len(text) > 4 * _MAX_PLACE_DATE or "," not in text:
        return False
    return is_place_date(text)


def is_empty_date_slot(text: str | None) -> bool:
    """Empty brackets, "( )": where a template prints the date, with no date in it."""
    # Most texts are longer: the length rules them out before the pattern is tried.
    return text is not None and len(text) <= 12 and _EMPTY_SLOT_RE.match(text) is not None
