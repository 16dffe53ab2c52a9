"""A real headless Chromium for the tests, and the archive it browses.

The browser is Debian's ``/usr/bin/chromium`` (``.ci/run`` installs the package), driven by
Playwright through ``executable_path``: Playwright's own browser builds are never
downloaded. Without Chromium the tests that need it are skipped with one line, except
under CI (``CI`` set), where they fail, as tests/postgres.py does for PostgreSQL.

Every context starts on a new empty profile with the flags below: without the
background-networking ones Chromium reaches for Google's hosts, which this closed network
does not have. Every request a page makes goes through :class:`LoopbackOnly`: anything but
127.0.0.1 is aborted and remembered, and :meth:`Chromium.close` fails if there was any.

The archive: the demo portal crawled at day 0, then at day 1 (article ``EDITED`` gets a new
second body paragraph), into one data folder, served by ``portal-archive serve`` (the
browser on port P, pywb's replay on P+1) in a subprocess.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import time
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import urlsplit

import pytest

from portal_archive.crawler.demo.content import DemoArticle, DemoSite
from portal_archive.crawler.demo.portal import DemoPortal
from tests.conftest import CLI, crawl_two_days

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page, Playwright, Route

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 800}
LOOPBACK = "127.0.0.1"
SITE = "demo"
EDITED = 2  # DemoSite.edited_ids(1): its second body paragraph is replaced on day 1
READY_TIMEOUT = 90.0  # serve starts pywb, which loads its rules before it listens


def unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI"):
        pytest.fail(f"Chromium is needed under CI: {reason}")
    pytest.skip(f"Chromium not available: {reason}")


def require_chromium() -> None:
    """Fail (CI) or skip (elsewhere) with one line unless Chromium and Playwright are here."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        unavailable(f"no {CHROMIUM} (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        unavailable("the playwright package is missing (pip install -e '.[test]')")


# -- the browser -------------------------------------------------------------------------
@dataclass
class LoopbackOnly:
    """A route handler: requests to 127.0.0.1 go on, any other is aborted and kept."""

    attempted: list[str] = field(default_factory=list)

    def __call__(self, route: Route) -> None:
        url = route.request.url
        if urlsplit(url).hostname == LOOPBACK:
            route.continue_()
        else:
            self.attempted.append(url)
            route.abort("blockedbyclient")


class Chromium:
    """Contexts of one Playwright driver, each a fresh Chromium on a new empty profile."""

    def __init__(self, driver: Playwright, profiles: Path) -> None:
        self.driver = driver
        self.profiles = profiles
        self.guard = LoopbackOnly()
        self._contexts: list[BrowserContext] = []

    def context(self, **options: Any) -> BrowserContext:
        """A new Chromium (``launch_persistent_context``: one browser per profile);
        ``options`` are Playwright's context options (``java_script_enabled=False``)."""
        profile = Path(tempfile.mkdtemp(prefix="profile-", dir=self.profiles))
        context = self.driver.chromium.launch_persistent_context(
            user_data_dir=str(profile), executable_path=str(CHROMIUM), headless=True,
            args=FLAGS, viewport=VIEWPORT, **options)
        context.set_default_timeout(10_000)
        context.route("**/*", self.guard)
        self._contexts.append(context)
        return context

    def page(self, **options: Any) -> Page:
        """A page of a new context (its first, blank tab)."""
        context = self.context(**options)
        return context.pages[0] if context.pages else context.new_page()

    def close(self) -> None:
        for context in self._contexts:
            context.close()
        self._contexts.clear()
        assert not self.guard.attempted, f"requests beyond {LOOPBACK}: {self.guard.attempted}"


@contextmanager
def chromium() -> Iterator[Chromium]:
    """A Playwright driver over Debian's Chromium until the block ends."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    profiles = Path(tempfile.mkdtemp(prefix="portal-chromium-"))
    try:
        with sync_playwright() as driver:
            browser = Chromium(driver, profiles)
            try:
                yield browser
            finally:
                browser.close()
    finally:
        shutil.rmtree(profiles, ignore_errors=True)


# -- the archive -------------------------------------------------------------------------
@dataclass
class TwoStates:
    """The demo portal archived at day 0 and at day 1, and its ground truth."""

    site: DemoSite
    base_url: str  # the demo portal's, as archived (it is stopped once crawled)
    data: Path

    def url(self, article_id: int, day: int = 0) -> str:
        return self.base_url + self.article(article_id, day).path

    def article(self, article_id: int, day: int = 0) -> DemoArticle:
        article = self.site.article(article_id, day)
        assert article is not None, (article_id, day)
        return article

    def key(self, article_id: int) -> str:
        return catalog_key(self.data, self.url(article_id))

    def page_path(self, article_id: int) -> str:
        """The browser's article page of one demo article."""
        return f"/article/{SITE}/{self.key(article_id)}"


def catalog_key(data: Path, url: str) -> str:
    """The article key the catalog gave ``url`` (the browser's /article/SITE/KEY)."""
    with sqlite3.connect(data / "catalog.sqlite") as catalog:
        row = catalog.execute("SELECT key FROM articles WHERE url = ?", (url,)).fetchone()
    assert row is not None, f"{url} is not in the catalog"
    return str(row[0])


def crawl_two_states(data: Path, articles: int = 18) -> TwoStates:
    """Crawl a demo portal at day 0, then at day 1, into ``data``."""
    site = DemoSite(articles=articles, faults=False)
    with DemoPortal(site) as portal:
        crawl_two_days(portal, data)
        return TwoStates(site, portal.base_url, data)


# -- what a reader types ------------------------------------------------------------------
def folded(text: str) -> str:
    """What a reader types without Vietnamese tone marks: no combining mark, đ as d,
    lower case. Written out here, not the product's search_fold, so the two can disagree."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


def titled_query(title: str, count: int = 6) -> str:
    """The first ``count`` words of a real title as typed without tone marks."""
    query = " ".join(words(folded(title))[:count])
    assert query.isascii() and query != " ".join(words(title.lower())[:count]), query
    return query


def demo_title_with_marks(archive: TwoStates) -> tuple[int, str]:
    """The first demo article whose title has both đ/Đ and a tone mark."""
    for article_id in archive.site.article_ids(1):
        title = archive.article(article_id, 1).title
        if "đ" in title.lower() and not title.isascii() and len(words(title)) >= 6:
            return article_id, title
    raise AssertionError("no demo title with đ and tone marks")


# -- portal-archive serve ----------------------------------------------------------------
@dataclass(frozen=True)
class Served:
    base: str  # the browser's origin, http://127.0.0.1:P
    replay: str  # pywb's, http://127.0.0.1:P+1


def _free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind((LOOPBACK, port))
        except OSError:
            return False
        return True


def free_port_pair() -> int:
    """A port P with P+1 free too (serve puts replay on P+1)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind((LOOPBACK, 0))
            port = int(probe.getsockname()[1])
        if port < 65535 and _free(port + 1):
            return port
    raise RuntimeError("no two free ports in a row on 127.0.0.1")


def _wait_listening(proc: subprocess.Popen[bytes], ports: Sequence[int], log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    waiting = list(ports)
    while waiting:
        if proc.poll() is not None:
            raise RuntimeError(f"exited {proc.returncode}: {log.read_text(errors='replace')}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"nothing listens on {waiting}: {log.read_text(errors='replace')}")
        try:
            socket.create_connection((LOOPBACK, waiting[0]), timeout=0.5).close()
            waiting.pop(0)
        except OSError:
            time.sleep(0.1)


@contextmanager
def serving(data: Path, log: Path, command: str = "serve") -> Iterator[Served]:
    """``portal-archive serve`` (or ``replay``, which has no browser: then both URLs are
    pywb's) over ``data`` until the block ends; it must stop on SIGTERM with status 0."""
    port = free_port_pair()
    with open(log, "wb") as out:
        proc = subprocess.Popen([*CLI, command, "--port", str(port), "--data", str(data)],
                                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    replay_port = port + 1 if command == "serve" else port
    try:
        _wait_listening(proc, sorted({port, replay_port}), log)
        yield Served(f"http://{LOOPBACK}:{port}", f"http://{LOOPBACK}:{replay_port}")
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    if proc.returncode != 0:
        raise RuntimeError(f"{command} exited {proc.returncode}: "
                           f"{log.read_text(errors='replace')[-3000:]}")
