"""Title, publication date, category and lead: a profile's selector first, else the
meta tags and the elements nearest to the h1."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from portal_archive.crawler.text import clean, fold
from portal_archive.crawler.vntime import parse_datetime

from .dates import PUBLISHED_META
from .page import Head
from .pinned import Pinned, value
from .roles import SAPO, roles
from .survey import Found, Survey, category_text, nearest
from .tree import El, contains, describe, text_of

_TITLE_SUFFIX_RE = re.compile(
    r"^(.{8,}?)\s+[-|–—:]\s+[^-|–—]*(?:cổng|trang|thông tin|báo|portal|sở|ubnd|tỉnh"
    r"|thành phố|\.vn|\.gov)[^-|–—]*$",
    re.I,
)


@dataclass
class Title:
    text: str
    el: El | None  # kept out of the body
    at: int  # position, to find the date and category nearest to it
    rule: str


def _pick_h1(survey: Survey, container: El | None, og_title: str) -> tuple[int, El, str] | None:
    """The h1 matching og:title, else inside the content block, else the last before it."""
    h1s = survey.h1s
    if og_title:
        for pos, h in h1s:
            if fold(text_of(h)) == og_title:
                return pos, h, "h1 matching og:title"
    if container is not None:
        inside = [(pos, h) for pos, h in h1s if contains(container, h)]
        if inside:
            return *inside[0], "h1 in the content block"
        before = [(pos, h) for pos, h in h1s if pos < survey.container_at]
        if before:
            return *before[-1], "last h1 before the content block"
    return (*h1s[0], "first h1") if h1s else None


def _generic_title(survey: Survey, container: El | None, head: Head) -> Title:
    og = clean(head.meta.get("og:title", ""))
    h1 = _pick_h1(survey, container, fold(og))
    if h1 is not None:
        return Title(clean(text_of(h1[1])), h1[1], h1[0], h1[2])
    at = survey.container_at
    # A title line comes before the content block, or opens it (one-cell portals).
    inside = [t for t in survey.titles if container is not None and contains(container, t.el)]
    near = nearest([t for t in survey.titles if t.at <= at] + inside, at)
    if og:
        same = near is not None and fold(near.text) == fold(og)
        return Title(og, near.el if same and near is not None else None, at, "meta og:title")
    if near is not None:
        return Title(near.text, near.el, near.at, near.rule)
    m = _TITLE_SUFFIX_RE.match(head.title)
    if m:
        return Title(m[1], None, at, "<title> without the site's name")
    return Title(head.title, None, at, "<title>")


def title(survey: Survey, container: El | None, head: Head, pinned: Pinned) -> Title:
    """The profile's title if it has text, else the generic one."""
    generic = _generic_title(survey, container, head)
    el = pinned.one.get("title")
    if el is None or not value(el):
        return generic
    at = survey.pinned_title_at
    return Title(value(el), el, generic.at if at is None else at, pinned.rule("title"))


@dataclass
class Published:
    value: datetime | None
    raw: str | None
    rule: str
    el: El | None = None  # the line it was read from, kept out of the body


def _generic_published(head: Head, near: Found | None) -> Published:
    for key in PUBLISHED_META:
        raw = clean(head.meta.get(key, ""))
        dt = parse_datetime(raw) if raw else None
        if dt is not None:
            return Published(dt, raw, f"meta {key}")
    if near is None:
        return Published(None, None, "not found")
    if near.value is None:  # parse_datetime has logged the impossible date
        return Published(None, None, f"{near.rule} near the title: no valid date", near.el)
    return Published(near.value, near.text, f"{near.rule} near the title", near.el)


def published(head: Head, near: Found | None, pinned: Pinned) -> Published:
    """The profile's date, else the meta tags', else the date line nearest the title."""
    el = pinned.one.get("published")
    if el is None:
        return _generic_published(head, near)
    raw = value(el)
    dt = parse_datetime(raw)
    if dt is not None:
        return Published(dt, raw, pinned.rule("published"), el)
    # The profile says where the date is: no guessing elsewhere but the meta tags.
    found = _generic_published(head, None)
    if found.value is None:
        return Published(None, None, f"{pinned.rule('published')}: no valid date", el)
    return found


def _generic_category(
    near: Found | None, crumbs: list[str], title: str, head: Head
) -> tuple[str | None, str]:
    if near is not None:
        return near.text, f"{near.rule} near the title"
    folded_title = fold(title)
    crumbs = [c for c in crumbs if fold(c) != folded_title]  # some end with the title
    if crumbs:
        return crumbs[-1], "breadcrumb, last item"
    section = clean(head.meta.get("article:section", ""))
    return (section, "meta article:section") if section else (None, "not found")


def category(
    near: Found | None, crumbs: list[str], title: str, head: Head, pinned: Pinned
) -> tuple[str | None, str]:
    """The category and its rule: the profile's if it names one, else the generic one."""
    found = _generic_category(near, crumbs, title, head)
    el = pinned.one.get("category")
    if el is not None:
        name = category_text(el) or value(el)
        if name:
            return name, pinned.rule("category")
    return found


def _sapo(scope: El | None, container: El | None) -> El | None:
    """A lead marked by its class (sapo, lead, summary...) near the content block."""
    if scope is None:
        return None
    for el in scope.iter():
        if el is container or not roles(el) & SAPO:
            continue
        if container is not None and contains(el, container):
            continue
        if 20 <= len(clean(text_of(el))) <= 2000:
            return el
    return None


def lead_element(scope: El | None, container: El | None, pinned: Pinned) -> tuple[El | None, str]:
    """The element holding the lead and its rule: the profile's, else a sapo class."""
    el = pinned.one.get("lead")
    if el is not None:
        return el, pinned.rule("lead")
    el = _sapo(scope, container)
    return el, (f"lead class {describe(el)}" if el is not None else "")
