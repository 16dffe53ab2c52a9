"""The browser's tests: one archive crawled by the real CLI from a demo portal of their
own on two days (day 1 edits, retouches, removes and adds articles), and the browser
serving it over real HTTP on 127.0.0.1, read with urllib."""

from __future__ import annotations

import shutil
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import html as lxml_html

from portal_archive.archive.browser.app import Browser
from portal_archive.archive.browser.server import browser_server
from portal_archive.archive.catalog import open_catalog
from portal_archive.archive.datadir import DataDir
from portal_archive.crawler.demo.content import DemoSite
from portal_archive.crawler.demo.portal import DemoPortal

from ...conftest import crawl_two_days

# Where the pages say pywb is; no pywb runs for the page tests (test_server starts one).
REPLAY_BASE = "http://127.0.0.1:9"


@dataclass
class Archive:
    data: Path
    site: DemoSite
    portal: DemoPortal  # at day 1 once the archive is made

    def url(self, article_id: int, day: int = 0) -> str:
        article = self.site.article(article_id, day)
        assert article is not None
        return self.portal.base_url + article.path

    def copy(self, folder: Path) -> Path:
        """A copy of the archive a test may change."""
        shutil.copytree(self.data, folder / "data")
        return folder / "data"


@pytest.fixture(scope="package")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    site = DemoSite(articles=20, faults=False)
    data = tmp_path_factory.mktemp("browser-archive")
    with DemoPortal(site) as portal:
        crawl_two_days(portal, data, gap=5.0)
        yield Archive(data, site, portal)


@contextmanager
def serving(data: Path) -> Iterator[str]:
    """The browser over ``data`` on a free port of 127.0.0.1: its base URL."""
    folder = DataDir(data)
    catalog = open_catalog(folder)
    try:
        with browser_server(Browser(folder, catalog, REPLAY_BASE), 0) as server:
            yield f"http://127.0.0.1:{server.server_port}"
    finally:
        catalog.close()


@pytest.fixture(scope="package")
def web(archive: Archive) -> Iterator[str]:
    with serving(archive.data) as base:
        yield base


@dataclass
class Page:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    @property
    def tree(self) -> lxml_html.HtmlElement:
        return lxml_html.fromstring(self.body)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def get(url: str, cookie: str = "") -> Page:
    """GET ``url`` without following redirects: any status is a Page."""
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with opener.open(request, timeout=30) as response:
            return Page(response.status, dict(response.headers), response.read())
    except urllib.error.HTTPError as exc:
        return Page(exc.code, dict(exc.headers), exc.read())
