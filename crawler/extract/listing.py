"""Reading a listing page: which links are articles, and where the next page is.

Portals paginate with ``rel=next``, a ``Trang sau`` ("next page") link, or only numbered
pages; all three are tried in that order.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from parsel import Selector

from portal_archive.crawler.text import clean
from portal_archive.crawler.weburls import path_and_query, web_url

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


def article_links(
    selector: Selector, base_url: str, pattern: re.Pattern[str] | None = None,
    limit: int | None = None,
) -> list[str]:
    """Absolute http(s) article URLs on the listing's host, in page order, without
    repeats; the first `limit` of them if given."""
    host = urlsplit(base_url).netloc
    found: dict[str, None] = {}
    for anchor in selector.xpath(f"//a[@href][not({_CHROME})]"):
        if limit is not None and len(found) >= limit:
            break
        url = (web_url(base_url, anchor.attrib["href"]) or "").split("#", 1)[0]
        parts = urlsplit(url)
        if not url or parts.netloc != host or url == base_url:
            continue
        target = path_and_query(url)
        if pattern is not None:
            if not pattern.search(target):
                continue
        elif not _looks_like_article(anchor, target):
            continue
        found[url] = None
    return list(found)


def _looks_like_article(anchor: Selector, target: str) -> bool:
    if not _ARTICLE_PATH.search(target):
        return False
    text = clean(" ".join(anchor.xpath(".//text()").getall()))
    # An image link to an article has no text but a title link beside it; either counts.
    return len(text.split()) >= 4 or bool(anchor.xpath(".//img"))


def next_page(selector: Selector, base_url: str) -> str | None:
    """The http(s) URL of the next listing page, or None on the last page.

    A ``javascript:__doPostBack(…)`` pager (ASP.NET portals) is no next page to fetch."""
    for href in selector.xpath("//link[@rel='next']/@href | //a[@rel='next']/@href").getall():
        if url := web_url(base_url, href):
            return url
    for anchor in selector.xpath("//a[@href]"):
        text = clean(" ".join(anchor.xpath(".//text()").getall())).lower()
        title = clean(anchor.attrib.get("title", "")).lower()
        if text in NEXT_TEXTS or title in ("trang sau", "trang tiếp", "next"):
            if url := web_url(base_url, anchor.attrib["href"]):
                return url
    return _next_numbered(selector, base_url)


def _next_numbered(selector: Selector, base_url: str) -> str | None:
    numbered: dict[int, str] = {}
    for anchor in selector.xpath("//a[@href]"):
        text = clean(" ".join(anchor.xpath(".//text()").getall()))
        if text.isdigit() and (url := web_url(base_url, anchor.attrib["href"])):
            numbered.setdefault(int(text), url)
    if not numbered:
        return None
    current = next((n for n, url in numbered.items() if url == base_url), None)
    if current is None:
        marked = selector.xpath(
            "//*[contains(@class, 'active') or contains(@class, 'current')"
            " or self::strong or self::span or self::b][not(self::a)]/text()"
        ).getall()
        digits = [int(t.strip()) for t in marked if t.strip().isdigit()]
        current = next((n for n in digits if n not in numbered), min(numbered) - 1)
    return numbered.get(current + 1)
