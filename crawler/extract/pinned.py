"""A site profile's ``[selectors]``: what they find wins, the generic rules fill the rest."""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree
from lxml.cssselect import CSSSelector

from portal_archive.crawler.sites import Selectors
from portal_archive.crawler.text import clean

from .tree import El, drop, text_of


@dataclass
class Pinned:
    """What a profile's selectors found: first match, or every match for lists."""

    one: dict[str, El] = field(default_factory=dict)  # title, published, ..., content
    authors: list[El] = field(default_factory=list)
    captions: list[El] = field(default_factory=list)
    css: dict[str, str] = field(default_factory=dict)

    def rule(self, key: str) -> str:
        return f"profile selector {self.css[key]}"

    def elements(self) -> list[El]:
        return [*self.one.values(), *self.authors, *self.captions]


def pin(root: El, selectors: Selectors | None) -> Pinned:
    """Run the profile's selectors on the whole page, <head> included (meta tags)."""
    pinned = Pinned()
    if selectors is None:
        return pinned
    for key in ("title", "published", "category", "lead", "content", "authors", "captions"):
        sel = getattr(selectors, key)
        found = _select(sel, root) if sel is not None else []
        if not found:
            continue
        pinned.css[key] = sel.css
        if key == "authors":
            pinned.authors = found
        elif key == "captions":
            pinned.captions = found
        else:
            pinned.one[key] = found[0]
    return pinned


def drop_removed(root: El, selectors: Selectors | None, keep: list[El]) -> None:
    """Drop what the profile's ``remove`` selectors match."""
    if selectors is None:
        return
    # A removed block that holds a pinned element stays: the profile asked for both.
    # (The list keeps the ancestors' proxies alive, so that their id()s stay theirs.)
    held = [a for e in keep for a in (e, *e.iterancestors())]
    kept = {id(a) for a in held}
    for sel in selectors.remove:
        for el in _select(sel, root):
            if id(el) not in kept:
                drop(el)


def _select(sel: CSSSelector, root: El) -> list[El]:
    """A CSS selector's matches: elements always (its XPath's result type is wider)."""
    found = sel(root)
    return [el for el in found if isinstance(el, etree._Element)] if isinstance(found, list) else []


def value(el: El) -> str:
    """What a pinned element says: a meta tag's content, a <time>'s datetime, else its text."""
    if el.tag == "meta":
        return clean(el.get("content") or "")
    if el.tag == "time" and el.get("datetime"):
        return clean(el.get("datetime") or "")
    return clean(text_of(el))
