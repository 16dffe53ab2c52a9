"""Boilerplate: what is dropped by tag and by class/id (menus, share bars, related news...)
unless it holds the article, what the page hides, Word's leftovers, and the widget text
that survives as lines (visitor counters, web-archive toolbars, "Xem chi tiết")."""

from __future__ import annotations

import re

from lxml import etree

from portal_archive.crawler.text import clean

from .lines import Image, Item
from .roles import BOILER, CRUMB, LOGO, TITLE, roles
from .sponsored import drop_sponsored
from .tree import El, contains, drop, solid_length, text_of

# Never article text, wherever they are.
DROP_TAGS = (
    "script", "style", "noscript", "iframe", "template", "svg", "object", "embed",
    "button", "select", "input", "textarea", "canvas", "map", "video", "audio", "head",
    "xml",  # Word's document properties pasted with the text ("Normal 0 false false …")
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
# The "+ aa -" font-size widget and share/print lines, when they survive as text; visitor
# counters ("Số lượt người xem : 1.234", "Lượt xem: 56"), "Xem chi tiết tại đây", and a
# web-archive toolbar's words ("23 captures", "12 Dec 2016 - 27 Nov 2018", "Go").
_JUNK_RE = re.compile(
    r"^(?:(?:[+\-–−]?\s*a{1,2}\s*[+\-–−]?\s*)+|(?:\s*[|/•·]?\s*(?:chia sẻ|in bài|bản in|gửi email"
    r"|gửi bài viết|email|print|facebook|zalo|twitter|quay lại|về đầu trang|lên đầu trang"
    r"|(?:số\s+)?lượt\s+(?:người\s+)?(?:xem|truy\s+cập|đọc)\s*:?\s*[\d.,]*"
    r"|xem\s+(?:chi\s+tiết|thêm|tiếp)(?:\s+(?:tại|ở)\s+đây)?\s*[.:>»…]*"
    r"|\d[\d,.]*\s+captures?|go|about this capture"
    r"|\d{1,2}\s+[a-z]{3}\s+\d{4}(?:\s*-\s*\d{1,2}\s+[a-z]{3}\s+\d{4})?)"
    r"\s*[|/•·]?\s*)+)$",
    re.I,
)
# Word's style sheet or document properties pasted as text ("Normal 0 false false false
# EN-US …", "/* Style Definitions */ table.MsoNormalTable {mso-style-name: …}").
_WORD_TEXT_RE = re.compile(r"mso-[a-z-]+\s*:|^normal\s+\d+\s+false\s+false\s+false\b", re.I)
# What the page itself hides: inline styles, the hidden attribute, aria-hidden.
_HIDEABLE = etree.XPath("//*[@style or @hidden or @aria-hidden]")
_MIN_PARAGRAPH = 25  # characters of a <p> that counts as text (content.py's measure)
_HIDDEN_STYLE_RE = re.compile(
    r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden|mso-hide\s*:\s*all)\b", re.I
)


def drop_never_text(root: El) -> None:
    """Remove scripts, styles, forms' controls, <head>...: never article text."""
    etree.strip_elements(root, *DROP_TAGS, with_tail=False)


def drop_hidden(root: El, pinned: list[El]) -> None:
    """Drop what the page hides (drop-down menus, a web-archive toolbar, admin menus,
    counters filled by script, a SharePoint page's hidden "Home" h1), unless it holds
    the article: paragraphs of text (a page a script reveals once loaded) or what a
    profile pinned.
    """
    doomed = [
        el for el in _HIDEABLE(root)
        if _hidden(el) and not _paragraph_text(el)
        and not any(p is el or contains(el, p) for p in pinned)
    ]
    for el in doomed:
        drop(el)


def _paragraph_text(el: El) -> bool:
    """Whether ``el`` holds paragraphs of text, as an article does and menus do not."""
    paragraphs = (p for p in el.iter("p") if len(text_of(p).strip()) >= _MIN_PARAGRAPH)
    return next(paragraphs, None) is not None and next(paragraphs, None) is not None


def _hidden(el: El) -> bool:
    """Hidden from sight, or from screen readers (aria-hidden) with no image to show:
    WordPress marks its thumbnail link aria-hidden, a repeat of the title's link, yet
    readers see the image."""
    style = el.get("style")
    if el.get("hidden") is not None or (style and _HIDDEN_STYLE_RE.search(style)):
        return True
    return (el.get("aria-hidden") or "").strip().lower() == "true" and el.find(".//img") is None


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
    own = solid_length(text_of(heading))
    block = heading.getparent()
    for _ in range(2):
        if block is None or block.tag in ("body", "html"):
            return False
        if any(roles(c) & LOGO for c in block if isinstance(c.tag, str)):
            return solid_length(text_of(block)) - own <= _BANNER_TEXT
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
            linked = sum(solid_length(text_of(a)) for a in links)
            rest = solid_length(text_of(block)) - solid_length(text_of(heading))
            return linked >= _MENU_SHARE * rest
        block = block.getparent()
    return False


def is_title_h1(h1: El) -> bool:
    """An h1 with text that is not the site's logo, name or a section label."""
    text = clean(text_of(h1))
    return bool(text) and not is_site_heading(h1, text)


def strip_boilerplate(
    root: El, container: El | None, pinned: list[El], title_h1s: list[El] | None = None
) -> list[str]:
    """Drop boilerplate in place; return the breadcrumb's items (read before it goes).
    ``title_h1s``: the page's title h1s if already known for the tree as it is.

    What holds the content block, a real h1, a title-class line opening the block or an
    element a profile pinned is the article, whatever its class or tag says (ASP.NET's
    page-wide <form>, "print-area" wrappers, <header>). Ad units labelled "Tin tài trợ",
    "Quảng cáo" go too.
    """
    # The list keeps the proxies alive, so that their id()s stay theirs.
    if title_h1s is None:
        title_h1s = [h for h in root.iter("h1") if is_title_h1(h)]
    anchors = title_h1s + pinned
    anchors += [container] if container is not None else []
    anchors += opening_title_lines(container) if container is not None else []
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
    drop_sponsored(root, protected)
    return crumbs or []


def opening_title_lines(container: El) -> list[El]:
    """Title-class elements opening the content block, before any paragraph of its text:
    the headline, whatever else its class says (SharePoint's ``p.Title allowMenuPost``
    would go as a menu)."""
    found, text = [], 0
    for el in container.iterdescendants():
        if text >= _MIN_PARAGRAPH:
            break
        if isinstance(el.tag, str) and roles(el) & TITLE:
            found.append(el)
        text += len((el.text or "").strip()) + len((el.tail or "").strip())
    return found


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
        if isinstance(it, Image)
        or (it.text not in seen and not _JUNK_RE.match(it.text)
            and not _WORD_TEXT_RE.search(it.text))
    ]
