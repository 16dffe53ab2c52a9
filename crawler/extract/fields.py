"""Title, publication date, category and lead: a profile's selector first, else the
generic headline (``headline``), the meta tags and the elements nearest to the title."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from portal_archive.crawler.text import clean, fold
from portal_archive.crawler.vntime import has_time, parse_datetime

from .dates import PUBLISHED_META
from .headline import Title, generic_title
from .page import Head
from .pinned import Pinned, value
from .roles import SAPO, roles
from .survey import Found, Survey, category_text
from .tree import El, contains, describe, text_of


def title(survey: Survey, container: El | None, head: Head, pinned: Pinned) -> Title:
    """The profile's title if it has text, else the generic one."""
    generic = generic_title(survey, container, head)
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


def _meta_published(head: Head) -> Published | None:
    for key in PUBLISHED_META:
        raw = clean(head.meta.get(key, ""))
        dt = parse_datetime(raw) if raw else None
        if dt is not None:
            return Published(dt, raw, f"meta {key}")
    return None


def _generic_published(head: Head, near: Found | None) -> Published:
    """The date printed by the title wins: the meta tags are the CMS's record (a save,
    an edit, a re-index: minutes to months off), the printed line is what the portal
    published. The meta fills in when nothing valid is printed, and gives the time to
    a printed day alone when it falls on that day."""
    meta = _meta_published(head)
    if near is None or near.value is None:
        if meta is not None:
            return meta
        if near is None:
            return Published(None, None, "not found")
        # parse_datetime has logged the impossible date
        return Published(None, None, f"{near.rule} near the title: no valid date", near.el)
    rule = f"{near.rule} near the title"
    if meta is None or meta.value is None or meta.value == near.value:
        return Published(near.value, near.text, rule, near.el)
    if _adds_time(near, meta.value):
        return Published(meta.value, near.text, f"{rule}, time from {meta.rule}", near.el)
    return Published(near.value, near.text, f"{rule}, over {meta.rule} {meta.raw!r}", near.el)


def _adds_time(printed: Found, meta: datetime) -> bool:
    """Does the meta's time complete a printed day alone (same day, at the portal)?"""
    day = printed.value
    return day is not None and not has_time(printed.text) and meta.date() == day.date()


def published(head: Head, near: Found | None, pinned: Pinned) -> Published:
    """The profile's date, else the date line nearest the title, else the meta tags'."""
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
    """A lead marked by its class (sapo, lead, summary...) or ``itemprop=description``
    near the content block."""
    if scope is None:
        return None
    for el in scope.iter():
        if el is container or not (roles(el) & SAPO or _described(el)):
            continue
        if container is not None and contains(el, container):
            continue
        if 20 <= len(clean(text_of(el))) <= 2000:
            return el
    return None


def _described(el: El) -> bool:
    """Marked up as the article's description (schema.org microdata), whatever its class."""
    return el.tag != "meta" and (el.get("itemprop") or "").strip().lower() == "description"


def lead_element(scope: El | None, container: El | None, pinned: Pinned) -> tuple[El | None, str]:
    """The element holding the lead and its rule: the profile's, else a sapo class."""
    el = pinned.one.get("lead")
    if el is not None:
        return el, pinned.rule("lead")
    el = _sapo(scope, container)
    if el is None:
        return None, ""
    how = "lead class" if roles(el) & SAPO else "lead itemprop=description"
    return el, f"{how} {describe(el)}"
