"""Boilerplate: what is dropped by tag and by class/id (menus, share bars, related news...)
unless it holds the article, and the widget text that survives as lines."""

from __future__ import annotations

import re

from lxml import etree

from portal_archive.crawler.text import clean

from .lines import Image, Item
from .roles import BOILER, CRUMB, LOGO, roles
from .tree import El, drop, text_of

# Never article text, wherever they are.
DROP_TAGS = (
    "script", "style", "noscript", "iframe", "template", "svg", "object", "embed",
    "button", "select", "input", "textarea", "canvas", "map", "video", "audio", "head",
)  # fmt: skip
# Usually boilerplate, but ASP.NET portals wrap whole pages in <form> and HTML5 pages
# put the h1 in <header>, so these are dropped only when they hold no article.
_SOFT_DROP_TAGS = frozenset({"nav", "header", "footer", "aside", "form"})
HOME_RE = re.compile(r"^(?:trang chủ|trang nhất|trang chính|home)$", re.I)
# A link to a site's home page: "/", "./", "#", "http://host/", or a web archive's copy
# of one ("/web/20170614025039/http_/host/"): what a site heading or a logo links to.
_HOME_HREF_RE = re.compile(
    r"^(?:/web/\d+[a-z]*_?/)?(?:(?:https?:|http_)/+[^/?#]+|//[^/?#]+)?/(?:index\.\w+)?$"
    r"|^(?:https?:|http_)/+[^/?#]+$|^\./?$|^#$",
    re.I,
)
_BANNER_TEXT = 200  # characters beside the heading in a banner: a slogan, a motto
_MENU_LINKS, _MENU_SHARE = 3, 0.6  # a block of at least 3 links making most of its text
_CRUMB_SPLIT_RE = re.compile(r"\s*[»>›/|]\s*")
# The "+ aa -" font-size widget and share/print lines, when they survive as text.
_JUNK_RE = re.compile(
    r"^(?:(?:[+\-–−]?\s*a{1,2}\s*[+\-–−]?\s*)+|(?:\s*[|/•·]?\s*(?:chia sẻ|in bài|bản in|gửi email"
    r"|gửi bài viết|email|print|facebook|zalo|twitter|quay lại|về đầu trang|lên đầu trang)"
    r"\s*[|/•·]?\s*)+)$",
    re.I,
)


def drop_never_text(root: El) -> None:
    """Remove scripts, styles, forms' controls, <head>...: never article text."""
    etree.strip_elements(root, *DROP_TAGS, with_tail=False)


def _is_logo_h1(h1: El) -> bool:
    el: El | None = h1
    for _ in range(3):
        if el is None:
            break
        if roles(el) & LOGO:
            return True
        el = el.getparent()
    links = h1.findall(".//a")
    return len(links) == 1 and is_home_link(links[0].get("href"))


def is_home_link(href: str | None) -> bool:
    """Does a link lead to a site's home page (a site heading's, a logo's link)?"""
    return _HOME_HREF_RE.match((href or "").strip()) is not None


def is_site_heading(el: El, text: str) -> bool:
    """A heading that names the site or a section, not an article: "Home", Liferay's
    "Root", a one-word label, a link home, a heading in the logo's banner or over a
    block of links (a menu), or an item of the breadcrumb."""
    if HOME_RE.match(text) or len(text.split()) < 2 or _is_logo_h1(el) or _beside_logo(el):
        return True
    return any(roles(a) & CRUMB for a in el.iterancestors()) or _heads_links(el)


def _beside_logo(heading: El) -> bool:
    """Does the heading share a banner with the site's logo ("Tòa án nhân dân tối cao /
    Trang tin điện tử về án lệ" beside ``a.logo``)? A banner: a block of little text but
    the heading's, with a logo-class child."""
    own = _solid(text_of(heading))
    block = heading.getparent()
    for _ in range(2):
        if block is None or block.tag in ("body", "html"):
            return False
        if any(roles(c) & LOGO for c in block if isinstance(c.tag, str)):
            return _solid(text_of(block)) - own <= _BANNER_TEXT
        block = block.getparent()
    return False


def _heads_links(heading: El) -> bool:
    """Does the heading head a list of links (a menu's "Chuyên mục", "Tin khác")? Its
    block, the heading aside, is mostly the text of three links or more."""
    own = list(heading.iter("a"))  # kept alive, so that their id()s stay theirs
    skip = {id(a) for a in own}
    block = heading.getparent()
    for _ in range(2):
        if block is None or block.tag in ("body", "html"):
            return False
        links = [a for a in block.iter("a") if id(a) not in skip]
        if len(links) >= _MENU_LINKS:
            linked = sum(_solid(text_of(a)) for a in links)
            rest = _solid(text_of(block)) - _solid(text_of(heading))
            return linked >= _MENU_SHARE * rest
        block = block.getparent()
    return False


def _solid(text: str) -> int:
    """How many characters of a text are not white space (cheaper than clean())."""
    return len(text) - sum(text.count(c) for c in " \n\t\r\xa0")


def is_title_h1(h1: El) -> bool:
    """An h1 with text that is not the site's logo, name or a section label."""
    text = clean(text_of(h1))
    return bool(text) and not is_site_heading(h1, text)


def strip_boilerplate(root: El, container: El | None, pinned: list[El]) -> list[str]:
    """Drop boilerplate in place; return the breadcrumb's items (read before it goes).

    What holds the content block, a real h1 or an element a profile pinned is the
    article, whatever its class or tag says (ASP.NET's page-wide <form>, "print-area"
    wrappers, <header>).
    """
    # The list keeps the proxies alive, so that their id()s stay theirs.
    anchors = [h for h in root.iter("h1") if is_title_h1(h)] + pinned
    anchors += [container] if container is not None else []
    keep = anchors + [a for el in anchors for a in el.iterancestors()]
    protected = {id(a) for a in keep}
    crumbs: list[str] | None = None
    doomed = []
    for el in root.iter():
        el_roles = roles(el)
        if crumbs is None and el_roles & CRUMB:
            crumbs = _breadcrumb_items(el)
        if (el_roles & BOILER or el.tag in _SOFT_DROP_TAGS) and id(el) not in protected:
            doomed.append(el)
    for el in doomed:
        drop(el)
    return crumbs or []


def _breadcrumb_items(el: El) -> list[str]:
    items = [clean(text_of(a)) for a in el.iter("a")]
    if not any(items):
        items = _CRUMB_SPLIT_RE.split(clean(text_of(el)))
    return [t for t in items if t and not HOME_RE.match(t)]


def drop_repeats(items: list[Item], seen: set[str]) -> list[Item]:
    """Drop lines repeating the title/date/category (one-cell portals) and widget junk."""
    return [
        it
        for it in items
        if isinstance(it, Image) or (it.text not in seen and not _JUNK_RE.match(it.text))
    ]
