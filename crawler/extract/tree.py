"""Helpers over plain ``lxml.etree`` elements, and the tag sets the rules share.

Plain elements are used throughout: ``lxml.html``'s Python-level element class lookup
costs more than the parse itself.
"""

from __future__ import annotations

import re

from lxml import etree

El = etree._Element

BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "center", "dd", "details", "dialog",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2",
    "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre",
    "section", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "caption",
})  # fmt: skip
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})

_BOLD_STYLE_RE = re.compile(r"font-weight\s*:\s*(?:bold|[6-9]00)", re.I)


def text_of(el: El) -> str:
    return etree.tostring(el, method="text", encoding="unicode", with_tail=False)


def drop(el: El) -> None:
    """Remove an element but keep its tail text (as lxml.html's drop_tree)."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def contains(outer: El, inner: El) -> bool:
    return any(a is outer for a in inner.iterancestors())


def describe(el: El) -> str:
    """``tag.class#id`` of an element, to name it in an explanation."""
    tag = el.tag if isinstance(el.tag, str) else "?"
    cls = ".".join((el.get("class") or "").split()[:2])
    ident = el.get("id")
    return tag + (f".{cls}" if cls else "") + (f"#{ident}" if ident else "")


def has_block(el: El) -> bool:
    # A plain loop: lxml's multi-tag filter costs more to set up than it saves here.
    return any(d.tag in BLOCK_TAGS for d in el.iterdescendants())


def is_bold(el: El) -> bool:
    return _BOLD_STYLE_RE.search(el.get("style") or "") is not None


def solid_length(text: str) -> int:
    """How many characters of a text are not white space (cheaper than clean())."""
    return len(text) - sum(text.count(c) for c in " \n\t\r\xa0")
