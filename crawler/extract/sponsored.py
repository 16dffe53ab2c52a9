"""Sponsored blocks: an ad labelled "Tin tài trợ", "Quảng cáo", "Tài trợ"... is no
article content, even pasted inside the body with the article's own tags.

A syndicated article can carry its source's ad units as plain siblings of its paragraphs
(``<p><a href=AD><img></a></p><h3><a href=AD>headline</a></h3><h5><a href=AD>Tin tài
trợ</a></h5>``), with no class to tell them apart: the label says what they are. The
unit is the label and the blocks beside it that are nothing but links (to the label's
own link when it has one), or the small block holding the label.
"""

from __future__ import annotations

import re

from portal_archive.crawler.text import clean

from .tree import El, drop, solid_length, text_of

_AD_LABEL_RE = re.compile(
    r"^(?:tin|bài|bài viết|nội dung|thông tin)?\s*(?:tài trợ|quảng cáo)$"
    r"|^(?:sponsored(?: content| links?)?|advertisements?|ads?)$",
    re.I,
)
_SMALL_BLOCK = 300  # characters: a box holding an ad label and its ad, not a section


def drop_sponsored(root: El, protected: set[int]) -> None:
    """Drop each ad unit found by its label; never an element in ``protected`` (what
    holds the content block or the headline)."""
    labels = [el for el in root.iter() if _is_label(el)]
    doomed: list[El] = []
    for label in labels:
        doomed += _ad_unit(_outermost(label, protected), protected)
    for el in {id(e): e for e in doomed}.values():
        if el.getparent() is not None:
            drop(el)


def _is_label(el: El) -> bool:
    # The label's words are its own text ("<a>Tin tài trợ</a>"), which is cheap to read;
    # the whole text of every element of a page is not. _outermost then climbs.
    own = el.text
    if not own or len(own) >= 60 or not isinstance(el.tag, str) or el.tag == "option":
        return False
    if _AD_LABEL_RE.match(clean(own)) is None:
        return False
    text = text_of(el)
    return len(text) < 60 and _AD_LABEL_RE.match(clean(text)) is not None


def _outermost(label: El, protected: set[int]) -> El:
    """The largest element around the label holding nothing else: the <h5>, not its <a>."""
    text = clean(text_of(label))
    parent = label.getparent()
    while (
        parent is not None
        and id(parent) not in protected
        and clean(text_of(parent)) == text
        and parent.find(".//img") is None
    ):
        label, parent = parent, parent.getparent()
    return label


def _ad_unit(label: El, protected: set[int]) -> list[El]:
    """The small box holding the label and an ad, else the label and the link-only
    blocks beside it."""
    box = label.getparent()
    if (
        box is not None
        and id(box) not in protected
        and len(clean(text_of(box))) <= _SMALL_BLOCK
        and (box.find(".//img") is not None or box.find(".//a") is not None)
    ):
        return [box]
    hrefs = {a.get("href") for a in label.iter("a")} - {None}
    return [label] + _linked_neighbours(label, hrefs)


def _linked_neighbours(label: El, hrefs: set[str | None]) -> list[El]:
    """The contiguous siblings before and after the label that are only links (to
    ``hrefs``, when the label links somewhere)."""
    found: list[El] = []
    for preceding in (False, True):
        for sib in label.itersiblings(preceding=preceding):
            if not isinstance(sib.tag, str) or not _only_links(sib, hrefs):
                break
            found.append(sib)
    return found


def _only_links(el: El, hrefs: set[str | None]) -> bool:
    """All of the element's text and images sit in links (to ``hrefs`` if any)."""
    links = list(el.iter("a")) if el.tag != "a" else [el]
    if not links or (hrefs and any(a.get("href") not in hrefs for a in links)):
        return False
    linked = sum(solid_length(text_of(a)) for a in links)
    return linked == solid_length(text_of(el)) and (linked > 0 or el.find(".//img") is not None)
