"""The article's headline, wherever the CMS puts it, cross-checked between witnesses.

Witnesses: the page's h1s, an h2/h3 or a title-class line (``p.Title``, ``div.tieu-de``)
sitting just before the content block or opening it, og:title and the <title> minus the
site's name. A candidate must look like a headline: not the site's heading ("Home",
Liferay's "Root", a link home), not a breadcrumb item or a one-word section label
(``boilerplate.is_site_heading``), not a headline inside the body (a syndicated article's,
after the text has begun). Among those left, one agreeing with og:title or the <title>
wins; else the h1 (unless it labels a box holding the article and a nested box's heading,
as Liferay's portlet title does), og:title, and the line nearest the content block, a
title-class line opening it first (a sidebar widget's label may sit nearer), in that order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from portal_archive.crawler.text import clean, fold

from .boilerplate import HOME_RE, is_site_heading
from .docheading import opening_heading
from .page import Head
from .roles import SAPO, roles
from .survey import Found, Survey, heading_text
from .tree import El, contains

_TITLE_SUFFIX_RE = re.compile(
    r"^(.{8,}?)\s+[-|–—:]\s+[^-|–—]*(?:cổng|trang|thông tin|báo|portal|sở|ubnd|tỉnh"
    r"|thành phố|\.vn|\.gov)[^-|–—]*$",
    re.I,
)
# How Vietnamese portals name themselves in the <title> and their heading ("Cổng thông
# tin điện tử tỉnh X", "Trang thông tin điện tử huyện Y", "Website Sở Tư pháp").
_SITE_NAME_RE = re.compile(
    r"^(?:(?:cổng|trang)\s+(?:thông\s+tin|tin|ttđt|tttđt|tt)|website|web\s*site|portal)\b", re.I
)
_TITLE_SEPARATORS = "-|–—"
# Paragraph text before a heading inside the content block: the article has begun, so the
# heading is the body's (a sub-heading, a syndicated article's headline), not the title.
_BODY_BEGUN = 25
# A box's label is a few words ("Thông báo", "Tin tức sự kiện", "Chi tiết tin").
_BOX_LABEL_WORDS = 4


@dataclass
class Title:
    text: str
    el: El | None  # kept out of the body
    at: int  # position, to find the date and category nearest to it
    rule: str
    parts: list[El] = field(default_factory=list)  # all its lines, when it runs over several


def generic_title(survey: Survey, container: El | None, head: Head) -> Title:
    """The headline the generic rules find, with the rule that found it."""
    site = _site_names(head.title)
    og = clean(head.meta.get("og:title", ""))
    if _key(og) in site or (_key(og) == _key(head.title) and _SITE_NAME_RE.match(og)):
        og = ""  # some portals put their own name in og:title on every page
    h1s = [f for f in survey.h1s_found() if _before_body(f.el, container)]
    lines = _lines_near_content(survey, container)
    if site:
        h1s = [f for f in h1s if _key(f.text) not in site]
        lines = [f for f in lines if _key(f.text) not in site]
    agreed = _agreeing(h1s + lines, og, head.title)
    if agreed is not None:
        return agreed
    # Unvouched for, a heading saying "Trang tin điện tử về ..." is the site's name.
    h1s = [f for f in h1s if not _SITE_NAME_RE.match(f.text)]
    lines = [f for f in lines if not _SITE_NAME_RE.match(f.text)]
    h1 = _pick_h1(h1s, container, survey.container_at)
    inner = _inner_headline(h1, lines, container)
    if inner is not None:
        return inner
    if h1 is not None:
        return h1
    at = survey.container_at
    near = _nearest_headline(_opening_titles(lines, survey, container), at)
    near = near or _nearest_headline(lines, at)
    if og:
        same = near is not None and fold(near.text) == fold(og)
        return Title(og, near.el if same and near is not None else None, at, "meta og:title")
    if near is not None:
        return Title(near.text, near.el, near.at, near.rule)
    heading = opening_heading(container)
    if heading is not None and _key(heading[0]) not in site:
        text, parts = heading
        return Title(text, parts[0], at, "centred bold lines opening the content block", parts)
    m = _TITLE_SUFFIX_RE.match(head.title)
    if m and _key(m[1]) not in site:  # not "Trang chủ - Website Sở Tư pháp"
        return Title(m[1], None, at, "<title> without the site's name")
    return Title(head.title, None, at, "<title>")


def _agreeing(found: list[Found], og: str, page_title: str) -> Title | None:
    """The candidate og:title or the <title> names: equal, or the <title> opening with it."""
    if not og and not page_title:
        return None
    folded_og, folded_title = _key(og), _key(page_title)
    for f in found:
        text = _key(f.text)
        if og and text == folded_og and _not_site_heading(f):
            return Title(f.text, f.el, f.at, f"{f.rule} matching og:title")
    for f in found:
        text = _key(f.text)
        if (text == folded_title or _opens_title(text, folded_title)) and _not_site_heading(f):
            return Title(f.text, f.el, f.at, f"{f.rule} matching <title>")
    return None


def _not_site_heading(f: Found) -> bool:
    return f.rule == "h1" or not is_site_heading(f.el, f.text)  # h1s: checked by the survey


def _opens_title(text: str, page_title: str) -> bool:
    """Is the <title> the headline, a separator and the site's name after it?"""
    rest = page_title[len(text) :].lstrip()
    return page_title.startswith(text) and rest[:1] in _TITLE_SEPARATORS and bool(rest)


def _site_names(page_title: str) -> set[str]:
    """The parts of the <title> that name the site (folded): a heading saying one of
    them is the site's heading, not the article's."""
    parts = re.split(f"\\s+[{_TITLE_SEPARATORS}]\\s+", clean(page_title))
    return {_key(p) for p in parts if _SITE_NAME_RE.match(p) or HOME_RE.match(p)}


@lru_cache(maxsize=1024)
def _key(text: str) -> str:
    """What two witnesses of one headline share: tone marks placed alike, case ignored."""
    return fold(text).casefold()


def _pick_h1(h1s: list[Found], container: El | None, container_at: int) -> Title | None:
    """The h1 inside the content block, else the last before it; the first when there is
    no content block. An h1 after the article heads a footer's widget, not the article."""
    if not h1s:
        return None
    if container is None:
        return _as_title(h1s[0], "first h1")
    inside = [f for f in h1s if contains(container, f.el)]
    if inside:
        return _as_title(inside[0], "h1 in the content block")
    before = [f for f in h1s if f.at < container_at]
    return _as_title(before[-1], "last h1 before the content block") if before else None


def _as_title(f: Found, rule: str) -> Title:
    return Title(f.text, f.el, f.at, rule)


def _lines_near_content(survey: Survey, container: El | None) -> list[Found]:
    """Title-class lines and h2/h3s before the content block or opening it."""
    at = survey.container_at
    found = []
    for f in survey.titles + survey.headings:
        inside = container is not None and contains(container, f.el)
        if (f.at <= at or inside) and _before_body(f.el, container):
            found.append(f)
    return found


def _inner_headline(h1: Title | None, lines: list[Found], container: El | None) -> Title | None:
    """A longer headline after a label-short h1, in a box nested in the h1's box around
    the content block: the h1 labels the box (Liferay's portlet title "Thông báo" over the
    article's h2). A lead-class line is the lead, not the headline."""
    if h1 is None or h1.el is None or container is None or contains(container, h1.el):
        return None
    if len(h1.text.split()) > _BOX_LABEL_WORDS:
        return None
    outer = _box(h1.el, container)
    for f in lines:
        if f.at < h1.at or len(f.text) <= len(h1.text) or roles(f.el) & SAPO:
            continue
        box = _box(f.el, container)
        if box is not outer and contains(outer, box) and not is_site_heading(f.el, f.text):
            return Title(f.text, f.el, f.at, f"{f.rule}, under a box label h1")
    return None


def _box(el: El, container: El) -> El:
    """The nearest ancestor of ``el`` holding the content block (the block itself when
    ``el`` is in it)."""
    return next(a for a in el.iterancestors() if a is container or contains(a, container))


def _opening_titles(lines: list[Found], survey: Survey, container: El | None) -> list[Found]:
    """The title-class lines opening the content block: they outrank a title-class line
    outside it, a widget's label in a sidebar ("Liên kết Website")."""
    if container is None:
        return []
    titles = {id(f.el) for f in survey.titles}
    return [f for f in lines if id(f.el) in titles and contains(container, f.el)]


def _nearest_headline(lines: list[Found], at: int) -> Found | None:
    """The line nearest ``at`` that is no site heading (checked nearest first: the
    check reads the blocks around a line)."""
    for f in sorted(lines, key=lambda f: abs(f.at - at)):
        if not is_site_heading(f.el, f.text):
            return f
    return None


def _before_body(el: El, container: El | None) -> bool:
    """Is ``el`` outside the content block, or before any paragraph of its text?"""
    if container is None or not contains(container, el):
        return True
    above = list(el.iterancestors())  # kept alive, so that their id()s stay theirs
    holding = {id(a) for a in above}
    text = 0
    for node in container.iter():
        if node is el:
            return True
        if isinstance(node.tag, str) and node.text:
            text += len(node.text.strip())
        if node.tail and id(node) not in holding:  # a tail follows the node's subtree
            text += len(node.tail.strip())
        if text >= _BODY_BEGUN:
            return False
    return True


__all__ = ["Title", "generic_title", "heading_text"]
