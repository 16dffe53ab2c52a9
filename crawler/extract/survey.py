"""One pass over the cleaned page: its h1s, and its date, category and title lines with
their positions, to pick those nearest to the title."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice

from portal_archive.crawler.text import clean
from portal_archive.crawler.vntime import looks_like_date, parse_datetime

from .boilerplate import HOME_RE, is_title_h1
from .dates import (
    MAX_META_TEXT,
    has_date_label,
    is_date_line,
    is_empty_date_slot,
    is_place_date_line,
)
from .roles import CATEGORY, DATE, TITLE, roles
from .tree import El, contains, describe, text_of

_CATEGORY_LABEL_RE = re.compile(r"^(?:chuyên mục|danh mục|đăng trong|published in)\s*:?\s*", re.I)
_MAX_CATEGORY = 80
MIN_TITLE, MAX_TITLE = 8, 300
_SUBHEADINGS = frozenset({"h2", "h3"})
_HEADINGS = frozenset({"h1", "h2", "h3"})


@dataclass
class Found:
    el: El
    text: str
    at: int  # position in document order
    rule: str  # how it was recognised, for explanations
    value: datetime | None = None


@dataclass
class Survey:
    """One pass over the cleaned page: h1s, date/category/title lines and positions."""

    h1s: list[tuple[int, El]] = field(default_factory=list)
    dates: list[Found] = field(default_factory=list)
    categories: list[Found] = field(default_factory=list)
    titles: list[Found] = field(default_factory=list)
    headings: list[Found] = field(default_factory=list)  # h2/h3s: CMSs that keep h1 for the site
    container_at: int = 0
    pinned_title_at: int | None = None

    def h1s_found(self) -> list[Found]:
        """The h1s as title candidates: their text without a date printed in them."""
        return [Found(h, heading_text(h), pos, "h1") for pos, h in self.h1s]


def survey_page(root: El, container: El | None, pinned_title: El | None) -> Survey:
    s = Survey()
    for i, el in enumerate(root.iter()):
        tag = el.tag
        if el is container:
            s.container_at = i
        elif el is pinned_title:
            s.pinned_title_at = i
        if tag == "h1" and is_title_h1(el):
            s.h1s.append((i, el))
        elif tag in _SUBHEADINGS:
            _add_heading(s.headings, el, i)
        el_roles = roles(el)
        if tag == "time" and _add_date(
            s.dates, el, clean(el.get("datetime") or ""), i, "<time datetime>"
        ):
            pass
        elif (
            el_roles & DATE or has_date_label(el.text) or is_date_line(el.text)
            or is_place_date_line(el.text)
        ):
            _add_date_line(s.dates, el, el_roles, i)
        elif is_empty_date_slot(el.text) and _in_heading(el):
            # Liferay prints "Title ( )" when the date is empty: the page's date slot is
            # there, and empty; no other date on the page is the article's.
            s.dates.append(Found(el, clean(el.text or ""), i, f"empty date slot {describe(el)}"))
        if el_roles & CATEGORY:
            name = category_text(el)
            if name:
                s.categories.append(Found(el, name, i, f"category class {describe(el)}"))
        if el_roles & TITLE and tag not in ("html", "body"):
            text = _short_heading(el)
            if text and len(text) >= MIN_TITLE:
                s.titles.append(Found(el, text, i, f"title class {describe(el)}"))
    return s


def _add_heading(headings: list[Found], el: El, at: int) -> None:
    text = _short_heading(el)
    if text and len(text) >= MIN_TITLE:
        headings.append(Found(el, text, at, f"heading {describe(el)} nearest the content block"))


def _short_heading(el: El) -> str | None:
    """A heading's text without a date printed in it, if short enough for a title."""
    if len(text_of(el)) > 4 * MAX_TITLE:
        return None
    text = heading_text(el)
    return text if len(text) <= MAX_TITLE else None


def heading_text(el: El) -> str:
    """A heading's cleaned text without a date or an empty date slot printed in a child
    ("Trung thu trọn vẹn <span>( )</span>", "Tiêu đề <span>(05.08.2019 16:32)</span>")."""
    slots = [c for c in el if isinstance(c.tag, str) and _is_date_child(c)]
    if not slots:
        return clean(text_of(el))
    parts = [el.text or ""]
    for child in el:
        if not any(child is s for s in slots):
            parts.append(text_of(child))
        parts.append(child.tail or "")
    return clean("".join(parts))


def _is_date_child(child: El) -> bool:
    text = text_of(child)
    return is_empty_date_slot(text) or is_date_line(text)


def _in_heading(el: El) -> bool:
    parent = el.getparent()
    return parent is not None and (parent.tag in _HEADINGS or bool(roles(parent) & TITLE))


def _add_date_line(dates: list[Found], el: El, el_roles: int, at: int) -> None:
    """A short element marked as a date by its class, a label or its opening date."""
    text = short_text(el, MAX_META_TEXT)
    if text and not looks_like_date(text) and has_date_label(el.text):
        # A label cell with its value beside it: "<th>Ngày công bố</th><td>24/02/2023</td>".
        row = el.getparent()
        text = short_text(row, MAX_META_TEXT) if row is not None else None
        if row is not None and text:
            _add_date(dates, row, text, at, f"date label in {describe(el)} and its row")
        return
    if text and not (el_roles & DATE) and _another_dates_value(el):
        return
    if text:
        what = (
            "date class" if el_roles & DATE
            else "date label in" if has_date_label(el.text)
            else "place and date line in" if is_place_date_line(el.text) else "date line in"
        )
        _add_date(dates, el, text, at, f"{what} {describe(el)}")


def _another_dates_value(el: El) -> bool:
    """Is ``el`` the value cell of a label/value row whose label names another date
    ("<th>Ngày thông qua</th><td>01/02/2023</td>", "Ngày có hiệu lực")?"""
    row = next((a for a in [el, *islice(el.iterancestors(), 2)] if a.tag == "tr"), None)
    label = row[0] if row is not None and len(row) else None
    if label is None or label is el or contains(label, el):
        return False
    text = short_text(label, _MAX_CATEGORY)
    return bool(text) and not looks_like_date(text or "") and not has_date_label(text)


def short_text(el: El, limit: int) -> str | None:
    """The element's cleaned text if it is at most ``limit`` long (cheap check first)."""
    raw = text_of(el)
    if len(raw) > 4 * limit:  # white space may shrink, but not by that much
        return None
    text = clean(raw)
    return text if len(text) <= limit else None


def _add_date(found: list[Found], el: El, text: str, at: int, rule: str) -> bool:
    """Record a date line; an impossible date is recorded too (value None), so that it
    is not passed over for a farther date that is not the article's."""
    dt = parse_datetime(text) if text else None
    if dt is not None or (text and looks_like_date(text)):
        found.append(Found(el, text, at, rule, dt))
    return dt is not None


def category_text(el: El) -> str | None:
    """The category an element names (its last link, else its text), label dropped."""
    links = [t for t in (short_text(a, _MAX_CATEGORY) for a in el.iter("a")) if t]
    text = links[-1] if links else short_text(el, _MAX_CATEGORY)
    name = _CATEGORY_LABEL_RE.sub("", text or "")
    return name if 1 < len(name) <= _MAX_CATEGORY and not HOME_RE.match(name) else None


def nearest(found: list[Found], at: int) -> Found | None:
    return min(found, key=lambda f: abs(f.at - at), default=None)
