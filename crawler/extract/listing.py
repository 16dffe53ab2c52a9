"""Reading a listing page: which links are articles, and where the next page is.

Articles are the items of the page's main list, found by its structure (``listitems``);
a site profile's ``article_pattern`` wins over that, and a page with no repeated list
falls back to the URL shapes of ``_ARTICLE_PATH``. Each item keeps the date the listing
prints for it: another witness of publication, kept in the catalog.

Portals paginate with ``rel=next``, a ``Trang sau`` ("next page") link, only numbered
pages, or ``…/page/2`` paths; all four are tried in that order. A "next" link back to the
site root or to the listing itself is no next page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from parsel import Selector

from portal_archive.crawler.text import clean
from portal_archive.crawler.weburls import path_and_query, web_url

from . import listitems
from .listitems import ListedItem

# Link texts that mean "next page" on Vietnamese portals (compared after clean().lower()).
NEXT_TEXTS = {"trang sau", "trang tiếp", "trang kế", "tiếp", "sau", "next", "›", "»", ">", ">>"}
# Where article lists never are: menus, headers, footers, sidebars.
_CHROME = (
    "ancestor::*[self::nav or self::header or self::footer or self::aside"
    " or contains(@class, 'menu') or contains(@id, 'menu') or contains(@class, 'footer')"
    " or contains(@class, 'header') or contains(@class, 'pagination')"
    " or contains(@class, 'paging') or contains(@class, 'breadcrumb')]"
)
# Paths that look like an article on CMSs we have met: a slug or id ending in .html/.aspx/.htm,
# or a query string that names an item (Huế's ?gd=&cn=&tc=, Joomla's id=).
_ARTICLE_PATH = re.compile(
    r"(\.(html?|aspx|php)$)|(/\d{3,}[^/]*/?$)|([?&](id|tc|newsid|itemid|p)=\d+)", re.I
)

# The structure of a list is read from this many links at most: real listing pages have a
# few hundred; one with 200,000 is hostile, and its first items are what counts.
MAX_LINKS_READ = 5000
# ".../page/3" or ".../page/3/": the page number of a WordPress-style listing path.
_PAGE_PATH = re.compile(r"/page/(\d+)/?$")


def article_links(
    selector: Selector, base_url: str, pattern: re.Pattern[str] | None = None,
    limit: int | None = None,
) -> list[str]:
    """Absolute http(s) article URLs on the listing's host, in page order, without
    repeats; the first `limit` of them if given."""
    return [item.url for item in listing_items(selector, base_url, pattern, limit)]


def listing_items(
    selector: Selector, base_url: str, pattern: re.Pattern[str] | None = None,
    limit: int | None = None,
) -> list[ListedItem]:
    """The listing's articles (see `article_links`) with the title and date it prints."""
    if pattern is None:
        every = listitems.same_host_links(selector.xpath("//a[@href]")[:MAX_LINKS_READ],
                                          base_url)
        kept = listitems.outside_chrome(every)
        main = listitems.main_list(listitems.groups(kept), base_url)
        if main:
            return _first(listitems.items_of(main, base_url), limit)
    anchors = selector.xpath(f"//a[@href][not({_CHROME})]")[:MAX_LINKS_READ]
    links = listitems.same_host_links(anchors, base_url)
    chosen: list[listitems.Link] = []
    for link in links:
        target = path_and_query(link.url)
        if link.url != base_url and (
            pattern.search(target) if pattern is not None else _looks_like_article(link, target)
        ):
            chosen.append(link)
    return _first(listitems.dated(chosen, links), limit)


def _first(items: Iterable[ListedItem], limit: int | None) -> list[ListedItem]:
    """Without repeats (the first of each URL), at most `limit`."""
    seen: dict[str, ListedItem] = {}
    for item in items:
        if limit is not None and len(seen) >= limit:
            break
        seen.setdefault(item.url, item)
    return list(seen.values())


def _looks_like_article(link: listitems.Link, target: str) -> bool:
    if not _ARTICLE_PATH.search(target):
        return False
    # An image link to an article has no text but a title link beside it; either counts.
    return len(link.text.split()) >= 4 or link.element.find(".//img") is not None


def next_page(selector: Selector, base_url: str) -> str | None:
    """The http(s) URL of the next listing page, or None on the last page.

    A ``javascript:__doPostBack(…)`` pager (ASP.NET portals) is no next page to fetch."""
    for href in selector.xpath("//link[@rel='next']/@href | //a[@rel='next']/@href").getall():
        if url := _onward(base_url, href):
            return url
    for anchor in selector.xpath("//a[@href]"):
        text = clean(" ".join(anchor.xpath(".//text()").getall())).lower()
        title = clean(anchor.attrib.get("title", "")).lower()
        if text in NEXT_TEXTS or title in ("trang sau", "trang tiếp", "next"):
            if url := _onward(base_url, anchor.attrib["href"]):
                return url
    return _next_numbered(selector, base_url) or _next_page_path(selector, base_url)


def _onward(base_url: str, href: str) -> str | None:
    """`href` as a page after this one: not the site root, not this listing again (a
    "Trang sau" that some CMSs point home on the last page)."""
    url = web_url(base_url, href)
    if url is None:
        return None
    path = urlsplit(url).path.rstrip("/")
    if (not path and not urlsplit(url).query) or _same_page(url, base_url):
        return None
    return url


def _same_page(url: str, other: str) -> bool:
    return url.split("#", 1)[0].rstrip("/") == other.split("#", 1)[0].rstrip("/")


def _next_page_path(selector: Selector, base_url: str) -> str | None:
    """WordPress-style ``/page/N`` paths: the link to this listing's page N + 1."""
    parts = urlsplit(base_url)
    match = _PAGE_PATH.search(parts.path)
    stem = parts.path[: match.start()] if match else parts.path.rstrip("/")
    wanted = f"{stem}/page/{int(match[1]) + 1 if match else 2}"
    for href in selector.xpath("//a/@href").getall():
        url = web_url(base_url, href)
        if url and urlsplit(url).netloc == parts.netloc and (
                urlsplit(url).path.rstrip("/") == wanted):
            return url
    return None


def _next_numbered(selector: Selector, base_url: str) -> str | None:
    numbered: dict[int, str] = {}
    for anchor in selector.xpath("//a[@href]"):
        text = clean(" ".join(anchor.xpath(".//text()").getall()))
        if text.isdigit() and (url := web_url(base_url, anchor.attrib["href"])):
            numbered.setdefault(int(text), url)
    if not numbered:
        return None
    current = next((n for n, url in numbered.items() if _same_page(url, base_url)), None)
    if current is None:
        marked = selector.xpath(
            "//*[contains(@class, 'active') or contains(@class, 'current')"
            " or self::strong or self::span or self::b][not(self::a)]/text()"
        ).getall()
        digits = [int(t.strip()) for t in marked if t.strip().isdigit()]
        current = next((n for n in digits if n not in numbered), min(numbered) - 1)
    return numbered.get(current + 1)
