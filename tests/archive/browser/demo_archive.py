"""The article, diff and citation tests' view of a real two-day archive of the demo
portal: day 0 crawled, then the portal's day 1 (article 2's second paragraph rewritten,
article 4's tone marks moved, article 6 removed) crawled again by the real CLI. Either the
package's archive (conftest.py) or one of their own (``two_days``, e.g. on PostgreSQL)."""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import lxml.html

from portal_archive.archive.catalog import Catalog, open_catalog
from portal_archive.archive.catalogdb import CatalogRow
from portal_archive.archive.datadir import DataDir
from portal_archive.crawler.demo.content import DemoSite
from portal_archive.crawler.demo.portal import DemoPortal
from tests.conftest import crawl_two_days

EDITED, COSMETIC, REMOVED, UNCHANGED = 2, 4, 6, 3
# No requisites: the article pages and their text are what these tests read (images
# are the replay tests' business); robots.txt and AutoThrottle stay on.
FAST = {"PORTAL_REQUISITES": "False"}


@dataclass
class DemoArchive:
    site: DemoSite
    base_url: str  # where the demo portal was served
    data: DataDir
    catalog_url: str | None = None  # PostgreSQL's, else the data folder's SQLite file

    def url(self, id: int, day: int = 0) -> str:
        article = self.site.article(id, day) or self.site.article(id)
        assert article is not None
        return self.base_url + article.path

    def catalog(self) -> Catalog:
        return open_catalog(self.data, self.catalog_url)

    def key(self, id: int) -> str:
        catalog = self.catalog()
        try:
            (row,) = catalog.execute("SELECT key FROM articles WHERE url = :url",
                                     {"url": self.url(id)})
        finally:
            catalog.close()
        return str(row["key"])

    def versions(self, id: int) -> list[CatalogRow]:
        catalog = self.catalog()
        try:
            return catalog.versions(self.url(id))
        finally:
            catalog.close()


def of_package(archive: Any) -> DemoArchive:
    """The package's archive (conftest.py ``archive``: a 20-article demo portal on day 0,
    then day 1 with --backfill), seen through this module's helpers."""
    return DemoArchive(archive.site, archive.portal.base_url, DataDir(archive.data))


def two_days(tmp: Path, catalog_url: str | None = None) -> Iterator[DemoArchive]:
    site = DemoSite(articles=12, faults=False)
    env = {"PORTAL_CATALOG_URL": catalog_url} if catalog_url else None
    with DemoPortal(site) as portal:
        crawl_two_days(portal, tmp, env=env, **FAST)
        yield DemoArchive(site, portal.base_url, DataDir(tmp), catalog_url)


@dataclass
class Page:
    status: int
    headers: http.client.HTTPMessage
    text: str

    @property
    def doc(self) -> lxml.html.HtmlElement:
        return lxml.html.fromstring(self.text)

    def select(self, css: str) -> list[lxml.html.HtmlElement]:
        return self.doc.cssselect(css)

    def one(self, css: str) -> lxml.html.HtmlElement:
        (found,) = self.select(css)
        return found


def get(url: str) -> Page:
    """One GET over a real connection, redirects not followed."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""))
        response = conn.getresponse()
        return Page(response.status, response.headers,
                    response.read().decode("utf-8", "replace"))
    finally:
        conn.close()


def text_of(element: lxml.html.HtmlElement) -> str:
    return str(element.text_content())
