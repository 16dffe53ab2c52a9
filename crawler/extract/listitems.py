"""The items of a listing page, found by the structure of the list, not by URL shapes.

A list of articles is a run of sibling elements built alike (``<li>``, ``<tr>``,
``<div class="item">``), each with a title link and often a printed date or a thumbnail.
Every link on the page is walked up a few levels to the ancestor with the most alike
siblings (same tag) linking elsewhere: that ancestor is the link's *item* (an ``<li>``,
not the title link beside a category link inside it), its parent the *group*. Groups
are then told apart:

* navigation: a group linking the site root, the listing itself or a section above it
  (menus, breadcrumbs, "other categories" boxes) is never a list of articles;
* short link texts without dates or thumbnails are a menu, whatever its class;
* of what is left, the group with the most dated, illustrated, long-titled items is the
  listing's main list; groups built exactly like it (the same list split in two tables)
  join it. Sidebars ("TIN ĐÃ ĐƯA", "Thông báo") lose to it: their articles are reached
  through their own listings, and their order is not this listing's (removals are told
  from the listing order, crawler/changes.py).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from lxml import etree
from parsel import Selector

from portal_archive.crawler.text import clean
from portal_archive.crawler.vntime import looks_like_date, parse_datetime
from portal_archive.crawler.weburls import web_url

# Most Vietnamese news titles run to eight words and more; a menu entry rarely passes five.
TITLE_WORDS = 6
# ... and an item of the list with a shorter title ("Thông báo") shows more than its link:
# a date slot, a summary, a thumbnail.
_ITEM_WORDS = 4
# A printed date is a short text of its own ("(07.08.2019 15:43)"), never a title that
# happens to name a day ("Nghị quyết ... ngày 17/8/2006").
_DATE_TEXT_MAX = 40
# Where article lists never are: the page's menus, headers, footers, sidebars, pagers.
_CHROME_TAGS = frozenset({"nav", "header", "footer", "aside"})
_CHROME_WORDS = ("menu", "footer", "header", "pagination", "paging", "breadcrumb")
# ... and each of those is a small part of the page's text.
_CHROME_SHARE = 0.4
# How far above a link its list item may be (li > div > h3 > a is three).
_ITEM_DEPTH = 5


@dataclass(frozen=True)
class Link:
    """One same-host link: its element, absolute URL (no fragment) and cleaned text."""

    element: etree._Element
    url: str
    text: str


@dataclass(frozen=True)
class ListedItem:
    """An article as its listing shows it: where it is, its title, its printed date."""

    url: str
    title: str
    date: datetime | None = None
    date_raw: str | None = None


@dataclass
class Group:
    """Alike sibling items (one tag) under one parent, in page order: (item, its links)."""

    parent: etree._Element
    items: list[tuple[etree._Element, list[Link]]]

    def signature(self) -> tuple[str, ...]:
        """The tag/class path of the parent and the items' tag: how the list is built."""
        path = [_shape(e) for e in self.parent.iterancestors()][::-1] + [_shape(self.parent)]
        return (*path, _tag(self.items[0][0]) if self.items else "")


def same_host_links(anchors: Iterable[Selector], base_url: str) -> list[Link]:
    host = urlsplit(base_url).netloc
    links = []
    for anchor in anchors:
        url = (web_url(base_url, anchor.attrib.get("href", "")) or "").split("#", 1)[0]
        if url and urlsplit(url).netloc == host:
            text = clean(" ".join(anchor.xpath(".//text()").getall()))
            links.append(Link(anchor.root, url, text))
    return links


def outside_chrome(links: list[Link]) -> list[Link]:
    """The links not in a menu, header, footer, sidebar or pager. Such a part is small:
    a theme that calls the block holding the whole list "header" (Liferay's) does not
    make the list chrome, nor does an ``<article>``'s own ``<header>``."""
    if not links:
        return []
    root = links[0].element.getroottree().getroot()
    body = root.find("body")
    page = _text_size(root if body is None else body) or 1
    sizes: dict[etree._Element, int] = {}

    def small_chrome(element: etree._Element) -> bool:
        if element not in sizes:
            sizes[element] = _text_size(element)
        return sizes[element] < page * _CHROME_SHARE

    kept = []
    for link in links:
        ancestors = list(link.element.iterancestors())
        inside_article = next((i for i, e in enumerate(ancestors) if e.tag == "article"),
                              len(ancestors))
        if not any(_chrome_like(e) and small_chrome(e) for e in ancestors[:inside_article]):
            kept.append(link)
    return kept


def _text_size(element: etree._Element) -> int:
    """How much a reader sees of `element`: its text outside scripts and styles."""
    texts = element.xpath(".//text()[not(ancestor::script or ancestor::style)]")
    return sum(len(str(t).strip()) for t in texts)


def _chrome_like(element: etree._Element) -> bool:
    if element.tag in _CHROME_TAGS:
        return True
    names = f"{element.get('class') or ''} {element.get('id') or ''}".lower()
    return any(word in names for word in _CHROME_WORDS)


def groups(links: list[Link]) -> list[Group]:
    """Every group of repeated items the links sit in, in page order of first item."""
    urls_under = _urls_under(links)
    alike: dict[tuple[etree._Element, str], int] = {}
    # Keyed by the elements themselves, which keeps their lxml proxies (and so their
    # identity) alive; an id() of a transient proxy may be reused. The items' tag too:
    # category headings between the list's <div>s are no items of it.
    found: dict[tuple[etree._Element, str], Group] = {}
    for link in links:
        item = _item_of(link.element, urls_under, alike)
        if item is None:
            continue
        parent = item.getparent()
        if parent is None:  # (an item always has alike siblings, so a parent)
            continue
        group = found.setdefault((parent, _tag(item)), Group(parent, []))
        if group.items and group.items[-1][0] is item:
            group.items[-1][1].append(link)
        else:
            group.items.append((item, [link]))
    return list(found.values())


def main_list(found: list[Group], base_url: str) -> list[Group]:
    """The listing's main list (and the groups built just like it); [] if none looks
    like a list of articles."""
    candidates = [g for g in found if not _navigation(g, base_url) and _articles_like(g)]
    if not candidates:
        return []
    best = max(candidates, key=_score)
    shape = best.signature()
    return [g for g in candidates if g is best or g.signature() == shape]


def items_of(chosen: list[Group], base_url: str) -> Iterator[ListedItem]:
    """Each chosen item's title link as a ListedItem, in page order."""
    if not chosen:
        return
    own = _normal(base_url)
    order = {e: i for i, e in enumerate(chosen[0].parent.getroottree().iter())}
    ordered = sorted(((item, links) for g in chosen for item, links in g.items),
                     key=lambda pair: order.get(pair[0], 0))
    for item, links in ordered:
        title = _title(links)
        date, raw = printed_date(item, title.text)
        if _normal(title.url) == own or not (
                raw or len(title.text.split()) >= _ITEM_WORDS or _more_than_a_link(item)):
            continue  # a bare "Liên hệ" link that slipped into the list is no article
        name = clean(title.text.replace(raw, "")) if raw else title.text
        yield ListedItem(title.url, name, date, raw)


def _more_than_a_link(item: etree._Element) -> bool:
    if item.find(".//img") is not None:
        return True
    return any(clean(text) for text in item.xpath(".//text()[not(ancestor::a)]"))


def _has_date_text(item: etree._Element, title: str) -> bool:
    return any(_date_text(clean(text), title) for text in item.itertext())


def _date_text(text: str, title: str) -> bool:
    return bool(text) and text != title and len(text) <= _DATE_TEXT_MAX and looks_like_date(text)


def printed_date(item: etree._Element, title: str = "") -> tuple[datetime | None, str | None]:
    """The date an item prints beside its title: a short text of its own holding a
    date; an empty "( )" is no date."""
    for text in item.itertext():
        text = clean(text)
        if _date_text(text, title):
            return parse_datetime(text), text
    return None, None


def dated(chosen: Iterable[Link], links: list[Link]) -> Iterator[ListedItem]:
    """`chosen` links (picked by a profile's pattern, say) as ListedItems with the date
    their item prints; `links` are all the page's, to find the items by."""
    urls_under = _urls_under(links)
    alike: dict[tuple[etree._Element, str], int] = {}
    for link in chosen:
        item = _item_of(link.element, urls_under, alike)
        if item is None:  # a link standing alone: what is printed beside it
            item = link.element.getparent()
        yield ListedItem(link.url, link.text,
                         *printed_date(link.element if item is None else item, link.text))


# -- how items are found -------------------------------------------------------------
def _urls_under(links: list[Link]) -> dict[etree._Element, set[str]]:
    under: dict[etree._Element, set[str]] = {}
    for link in links:
        for element in (link.element, *link.element.iterancestors()):
            under.setdefault(element, set()).add(link.url)
    return under


def _item_of(
    element: etree._Element, urls_under: dict[etree._Element, set[str]],
    alike_cache: dict[tuple[etree._Element, str], int] | None = None,
) -> etree._Element | None:
    """The ancestor-or-self of `element` (up to `_ITEM_DEPTH` levels) with the most alike
    siblings linking elsewhere: a list item, not the title link beside its category link
    inside it. None when no level repeats."""
    cache = {} if alike_cache is None else alike_cache
    best, best_count = None, 1
    node = element
    for _ in range(_ITEM_DEPTH):
        parent = node.getparent()
        if parent is None:
            break
        key = (parent, _tag(node))
        if key not in cache:  # once per parent and tag: a list may have 50,000 items
            cache[key] = _alike_count(parent, key[1], urls_under)
        if cache[key] > best_count:
            best, best_count = node, cache[key]
        node = parent
    return best


def _alike_count(parent: etree._Element, tag: str,
                 urls_under: dict[etree._Element, set[str]]) -> int:
    """How many children of `parent` with this tag hold links; 0 if all link one URL."""
    alike = [c for c in parent if _tag(c) == tag and c in urls_under]
    first = next(iter(urls_under[alike[0]])) if alike else ""
    if not any(urls_under[c] - {first} for c in alike):
        return 0
    return len(alike)


def _tag(element: etree._Element) -> str:
    return element.tag if isinstance(element.tag, str) else "?"  # comments, PIs


def _shape(element: etree._Element) -> str:
    classes = " ".join(sorted(str(element.get("class") or "").split()))
    return f"{_tag(element)}.{classes}"


# -- how groups are told apart -------------------------------------------------------
def _normal(url: str) -> str:
    return url.rstrip("/")


def _navigation(group: Group, base_url: str) -> bool:
    """Does the group link the site root, the listing or a section above it?"""
    parts = urlsplit(base_url)
    own_path = parts.path.rstrip("/")
    for _, links in group.items:
        for link in links:
            target = urlsplit(link.url)
            path = target.path.rstrip("/")
            if target.query and target.query != parts.query:
                continue
            if path == "" or path == own_path or own_path.startswith(path + "/"):
                return True
    return False


def _articles_like(group: Group) -> bool:
    if len({_title(links).url for _, links in group.items}) < 2:
        return False
    return (_median_words(group) >= TITLE_WORDS or _dated(group) >= 0.5
            or (_illustrated(group) >= 0.5 and _median_words(group) >= 3))


def _score(group: Group) -> float:
    return len(group.items) * (1 + _dated(group) + _illustrated(group)) * min(
        _median_words(group), 15)


def _title(links: list[Link]) -> Link:
    return max(links, key=lambda link: len(link.text))


def _median_words(group: Group) -> float:
    return statistics.median(len(_title(links).text.split()) for _, links in group.items)


def _dated(group: Group) -> float:
    dated = sum(1 for item, links in group.items
                if _has_date_text(item, _title(links).text))
    return dated / len(group.items)


def _illustrated(group: Group) -> float:
    return sum(1 for item, _ in group.items if item.find(".//img") is not None) / len(
        group.items)
