"""The content block: the element directly holding the most paragraph text."""

from __future__ import annotations

from lxml import etree

from portal_archive.crawler.text import clean

from .roles import BOILER, roles
from .tree import El, contains, has_block, text_of

_MIN_PARAGRAPH = 25  # characters of text that make a block count for density
_BOILER_LEVELS = 4  # ancestors whose class can say "related", "footer"
# schema.org's articleBody (microdata): the page says which block is the body.
_ARTICLE_BODY = etree.XPath(
    "//*[contains(concat(' ', normalize-space(@itemprop), ' '), ' articleBody ')]"
)


def declared_body(root: El) -> El | None:
    """The one block the page marks ``itemprop="articleBody"``, if it holds a paragraph
    of text or a picture: a photo article's block of pictures holds less text than the
    footer's address, which density would take instead."""
    found = [el for el in _ARTICLE_BODY(root) if el.tag not in ("meta", "link")]
    if len(found) != 1:
        return None
    body = found[0]
    if body.find(".//img") is not None or len(clean(text_of(body))) >= _MIN_PARAGRAPH:
        return body
    return None


def pick_container(root: El) -> El | None:
    """The element directly holding the most paragraph text; its parent scores half;
    one in a related list or a footer only if the next densest are too.

    A <p> or paragraph-like leaf <div>/<td> counts for its parent; a leaf cell with
    several <br> lines (old table portals) holds its own text. Link text does not
    count (menus, lists of related news).
    """
    scores: dict[int, float] = {}
    elements: dict[int, El] = {}

    def add(el: El | None, n: float) -> None:
        if el is not None:
            elements[id(el)] = el
            scores[id(el)] = scores.get(id(el), 0.0) + n

    for el in root.iter("p", "div", "td"):
        if el.tag != "p" and has_block(el):
            continue
        n = len(text_of(el).strip()) - sum(len(text_of(a)) for a in el.iter("a"))
        if n < _MIN_PARAGRAPH:
            continue
        holder = el if el.tag != "p" and len(el.findall("br")) >= 2 else el.getparent()
        if holder is not None:
            add(holder, n)
            add(holder.getparent(), n / 2)
    if not scores:
        return None
    ranked = sorted(scores, key=scores.__getitem__, reverse=True)
    for key in ranked:
        if not _in_boilerplate(elements[key]):
            return elements[key]
    return elements[ranked[0]]


def _in_boilerplate(el: El) -> bool:
    """Is the block in a related list, a footer, a sidebar (by its class or id, a few
    levels up)? A page's related precedents or its footer's address can outweigh an
    article of a few lines or of pictures; further up, a class names the layout."""
    for n, a in enumerate(el.iterancestors()):
        if n >= _BOILER_LEVELS or a.tag in ("body", "html"):
            return False
        if roles(a) & BOILER or a.tag in ("footer", "aside", "nav"):
            return True
    return False


def article_scope(container: El | None, h1: El | None) -> El | None:
    """The article around the content block: up to the h1's ancestor, a few levels at most."""
    if container is None:
        return h1.getparent() if h1 is not None else None
    ups = [container]
    for a in container.iterancestors():
        if len(ups) > 4 or a.tag in ("body", "html"):
            break
        ups.append(a)
    if h1 is not None:
        for a in ups:
            if a is h1 or contains(a, h1):
                return a
    return ups[min(2, len(ups) - 1)]
