"""The article and diff pages over a real archive: the demo portal crawled on day 0 and
day 1 by the real CLI, the browser and pywb serving it on loopback, pages fetched over
HTTP. What the pages must show is read from the demo portal's own ground truth and from
the catalog, never written down here."""

from __future__ import annotations

import json
import re
import shutil
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from portal_archive.archive.browser.app import Browser
from portal_archive.archive.browser.server import browser_server
from portal_archive.archive.catalog import open_catalog
from portal_archive.archive.catalogdb import CatalogRow
from portal_archive.archive.datadir import DataDir
from portal_archive.archive.replay import running_pywb
from portal_archive.archive.stamps import utc_stamp14
from portal_archive.crawler.text import clean
from tests.archive.browser.demo_archive import (
    COSMETIC,
    EDITED,
    REMOVED,
    UNCHANGED,
    DemoArchive,
    Page,
    get,
    of_package,
    text_of,
    two_days,
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Served:
    archive: DemoArchive
    base: str         # the browser
    replay_base: str  # pywb

    def page(self, id: int, suffix: str = "", query: str = "") -> Page:
        path = f"{self.base}/article/demo/{self.archive.key(id)}{suffix}"
        return get(path + (f"?{query}" if query else ""))


@pytest.fixture(scope="module")
def demo(archive: Any) -> DemoArchive:
    """The browser tests' two-day archive (conftest.py), crawled once for all of them."""
    return of_package(archive)


@pytest.fixture(scope="module")
def served(demo: DemoArchive) -> Iterator[Served]:
    """The browser (wsgiref, in a thread) and real pywb, each on its own loopback port."""
    port, replay_port = free_port(), free_port()
    replay_base = f"http://127.0.0.1:{replay_port}"
    catalog = open_catalog(demo.data)
    try:
        with running_pywb(demo.data, replay_port), \
                browser_server(Browser(demo.data, catalog, replay_base), port):
            yield Served(demo, f"http://127.0.0.1:{port}", replay_base)
    finally:
        catalog.close()


def stored(archive: DemoArchive, version: CatalogRow) -> dict:
    return json.loads((archive.data.json / version["json_path"]).read_text("utf-8"))


def stamp(captured_at: str) -> str:
    return utc_stamp14(datetime.fromisoformat(captured_at.replace("Z", "+00:00")))


# -- the article page -----------------------------------------------------------------

def test_the_newest_version_is_shown_with_its_text_and_images(served: Served) -> None:
    archive = served.archive
    newest = archive.versions(EDITED)[-1]
    article = stored(archive, newest)
    page = served.page(EDITED)
    assert page.status == 200
    assert text_of(page.one("h1#article-title")) == article["title"]
    assert text_of(page.one(".lead")) == article["lead"]
    shown = [text_of(p) for p in page.select(".body p")]
    assert shown == article["body"]
    # the demo's day-1 paragraph, as the portal served it
    assert shown[1] == clean(archive.site.article(EDITED, 1).body[1])
    # the portal's own clock, as its readers saw it
    assert text_of(page.one(".published time")) == article["published"][:16].replace("T", " ")
    figures = page.select("figure")
    assert len(figures) == len(article["images"]) > 0
    prefix = f"{served.replay_base}/all/{stamp(newest['captured_at'])}im_/"
    for figure, image in zip(figures, article["images"], strict=True):
        img = figure.cssselect("img")[0]
        assert img.get("src") == prefix + image["src"]      # through pywb, never the portal
        assert img.get("alt") == (image["caption"] or "ảnh")
        assert (image["caption"] or "") in text_of(figure.cssselect("figcaption")[0])


def test_an_older_version_is_shown_when_asked(served: Served) -> None:
    first = served.archive.versions(EDITED)[0]
    page = served.page(EDITED, query=f"v={first['id']}")
    assert page.status == 200
    assert [text_of(p) for p in page.select(".body p")][1] == \
        clean(served.archive.site.article(EDITED, 0).body[1])
    assert page.select(".notice.older")
    assert page.one("section#citation dd.record-id").text == first["record_id"]


@pytest.mark.parametrize(("id", "kinds"), [(EDITED, ["new", "edited"]),
                                           (COSMETIC, ["new", "cosmetic"]),
                                           (UNCHANGED, ["new"])])
def test_the_timeline_lists_every_capture_with_its_kind(served: Served, id: int,
                                                        kinds: list[str]) -> None:
    versions = served.archive.versions(id)
    items = served.page(id).select("ol#timeline li.version")
    assert [int(li.get("data-version")) for li in items] == [v["id"] for v in versions]
    assert [li.cssselect(".kind")[0].get("data-kind") for li in items] == kinds
    for li, version in zip(items, versions, strict=True):
        assert li.cssselect("time")[0].get("datetime") == version["captured_at"]
        assert li.cssselect("a.view")[0].get("href").endswith(f"?v={version['id']}")
        assert li.cssselect("a.replay")[0].get("href") == \
            f"{served.replay_base}/all/{stamp(version['captured_at'])}/{version['url']}"


def test_each_replay_link_opens_that_very_capture_in_pywb(served: Served) -> None:
    site = served.archive.site
    items = served.page(EDITED).select("ol#timeline li.version")
    for li, day in zip(items, (0, 1), strict=True):
        frame = li.cssselect("a.replay")[0].get("href")
        assert get(frame).status == 200                    # pywb's frame page
        # the archived page itself, as pywb replays it inside its frame
        stamp14, url = frame.removeprefix(served.replay_base + "/all/").split("/", 1)
        replayed = get(f"{served.replay_base}/all/{stamp14}mp_/{url}")
        assert replayed.status == 200
        assert clean(site.article(EDITED, day).body[1]) in clean(text_of(replayed.doc))


def test_a_removed_article_says_so(served: Served) -> None:
    page = served.page(REMOVED)
    assert page.status == 200
    assert page.select("p.removed")
    assert not served.page(UNCHANGED).select("p.removed")


def test_the_compare_form_offers_every_version(served: Served) -> None:
    versions = served.archive.versions(EDITED)
    form = served.page(EDITED).one("form#compare")
    assert form.get("method") == "get" and form.get("action").endswith("/diff")
    for name, selected in (("a", versions[0]), ("b", versions[1])):
        (select,) = form.cssselect(f"select[name={name}]")
        assert [int(o.get("value")) for o in select.cssselect("option")] == \
            [v["id"] for v in versions]
        assert int(select.cssselect("option[selected]")[0].get("value")) == selected["id"]
        assert form.cssselect(f"label[for={select.get('id')}]")


@pytest.mark.parametrize("path", ["/article/demo/no-such-key", "/article/nosuch/KEY",
                                  "/article/demo/KEY?v=999999", "/article/demo/KEY?v=abc",
                                  "/article/demo/KEY/diff?a=999999"])
def test_unknown_site_key_or_version_is_not_found(served: Served, path: str) -> None:
    page = get(served.base + path.replace("KEY", served.archive.key(EDITED)))
    assert page.status == 404
    assert page.select("main#main") and "Traceback" not in page.text


# -- the diff page ----------------------------------------------------------------------

def test_the_diff_shows_the_demo_edit_word_by_word(served: Served) -> None:
    site = served.archive.site
    old_paragraph = clean(site.article(EDITED, 0).body[1])
    new_paragraph = clean(site.article(EDITED, 1).body[1])
    page = served.page(EDITED, "/diff")
    assert page.status == 200
    table = page.one("table#diff")
    removed = " ".join(text_of(d) for d in table.cssselect("td.old del"))
    inserted = " ".join(text_of(i) for i in table.cssselect("td.new ins"))
    assert clean(removed).split() == old_paragraph.split()
    assert clean(inserted).split() == new_paragraph.split()
    # nothing else is marked: every other row is the same on both sides
    for row in table.cssselect("tr.row"):
        if not row.cssselect("del, ins"):
            assert text_of(row.cssselect("td.old")[0]) == text_of(row.cssselect("td.new")[0])
    summary = page.one("p#diff-summary")
    assert [(c.get("data-change"), text_of(c).split()[0]) for c in summary.cssselect(".count")] \
        == [("replaced", "1")]
    versions = served.archive.versions(EDITED)
    assert page.select("a.view-a")[0].get("href").endswith(f"?v={versions[0]['id']}")
    assert page.select("a.view-b")[0].get("href").endswith(f"?v={versions[1]['id']}")


def test_a_moved_tone_mark_is_shown_as_cosmetic(served: Served) -> None:
    page = served.page(COSMETIC, "/diff")
    table = page.one("table#diff")
    assert not table.cssselect("del, ins")
    assert {c.get("data-change") for c in page.select("p#diff-summary .count")} == {"cosmetic"}
    old = [text_of(s) for s in table.cssselect("td.old span.cosmetic")]
    new = [text_of(s) for s in table.cssselect("td.new span.cosmetic")]
    assert old and len(old) == len(new)
    assert any("uỷ" in o and "ủy" in n for o, n in zip(old, new, strict=True))
    assert table.cssselect("tr.change-cosmetic")


def test_the_diff_of_versions_asked_for(served: Served) -> None:
    versions = served.archive.versions(EDITED)
    a, b = versions[1]["id"], versions[0]["id"]
    table = served.page(EDITED, "/diff", f"a={a}&b={b}").one("table#diff")
    # reversed: the day-1 paragraph is now the one removed
    assert clean(" ".join(text_of(d) for d in table.cssselect("td.old del"))) == \
        clean(served.archive.site.article(EDITED, 1).body[1])


def test_one_version_only_is_a_message_not_an_error(served: Served) -> None:
    page = served.page(UNCHANGED, "/diff")
    assert page.status == 200
    assert page.select("p#single-version") and not page.select("table#diff")


# -- the citation -----------------------------------------------------------------------

def test_the_citation_block_holds_the_record_id(served: Served) -> None:
    newest = served.archive.versions(EDITED)[-1]
    page = served.page(EDITED)
    block = page.one("section#citation")
    replay = f"{served.replay_base}/all/{stamp(newest['captured_at'])}/{newest['url']}"
    assert block.cssselect("dd.article-url")[0].text == newest["url"]
    assert text_of(block.cssselect("dd.capture-time")[0]) == newest["captured_at"]
    assert block.cssselect("dd.record-id")[0].text == newest["record_id"]
    assert block.cssselect("dd.content-hash")[0].text == newest["content_hash"]
    assert text_of(block.cssselect("dd.replay-url")[0]) == replay
    area = block.cssselect("textarea#citation-text")[0]
    assert area.get("readonly") is not None
    for part in (newest["url"], newest["record_id"], newest["content_hash"], replay,
                 newest["captured_at"], "Lưu trữ"):
        assert part in area.text
    english = served.page(EDITED, query="lang=en").one("textarea#citation-text").text
    assert "Archived" in english and newest["record_id"] in english


# -- the other engine -----------------------------------------------------------------

@pytest.fixture
def on_postgresql(tmp_path: Path, postgres_url: str) -> Iterator[DemoArchive]:
    yield from two_days(tmp_path, postgres_url)


def test_the_pages_read_a_postgresql_catalog_too(on_postgresql: DemoArchive) -> None:
    """The same SQL on the shared catalog of distributed crawls (archive/catalog.py)."""
    archive = on_postgresql
    catalog = archive.catalog()
    try:
        browser = Browser(archive.data, catalog, "http://127.0.0.1:1")
        key = archive.key(EDITED)
        page = Page(*_answer(browser, f"/article/demo/{key}"))
        assert [li.cssselect(".kind")[0].get("data-kind")
                for li in page.select("ol#timeline li.version")] == ["new", "edited"]
        assert page.one("dd.record-id").text == archive.versions(EDITED)[-1]["record_id"]
        diff = Page(*_answer(browser, f"/article/demo/{key}/diff"))
        assert clean(" ".join(text_of(i) for i in diff.select("td.new ins"))) == \
            clean(archive.site.article(EDITED, 1).body[1])
        removed = Page(*_answer(browser, f"/article/demo/{archive.key(REMOVED)}"))
        assert removed.select("p.removed")
    finally:
        catalog.close()


def _answer(browser: Browser, path: str) -> tuple[int, object, str]:
    response = browser.respond(path, "")
    return response.status, response.headers, response.body.decode("utf-8")


# -- hostile text ---------------------------------------------------------------------

def test_archived_text_is_escaped_never_markup(demo: DemoArchive, tmp_path: Path) -> None:
    """A portal whose title and paragraphs hold markup: the page shows it as text."""
    copy = DataDir(shutil.copytree(demo.data.root, tmp_path / "data"))
    newest = demo.versions(EDITED)[-1]
    path = copy.json / newest["json_path"]
    article = json.loads(path.read_text("utf-8"))
    article["title"] = "<script>alert(1)</script>"
    article["body"][0] = '<img src=x onerror="alert(2)">'
    article["images"][0]["caption"] = '"><b>bold</b>'
    path.write_text(json.dumps(article, ensure_ascii=False), "utf-8")
    catalog = open_catalog(copy)
    try:
        browser = Browser(copy, catalog, "http://127.0.0.1:1")
        for suffix in ("", "/diff"):
            body = browser.respond(f"/article/demo/{demo.key(EDITED)}{suffix}", "").body
            html = body.decode("utf-8")
            assert "<script>alert" not in html and "<img src=x" not in html
            assert "<b>bold" not in html
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    finally:
        catalog.close()


def test_a_missing_or_damaged_text_is_one_line_not_a_traceback(demo: DemoArchive,
                                                               tmp_path: Path) -> None:
    copy = DataDir(shutil.copytree(demo.data.root, tmp_path / "data"))
    first, newest = demo.versions(EDITED)
    (copy.json / first["json_path"]).unlink()
    (copy.json / newest["json_path"]).write_text('{"title": "cut sho', "utf-8")
    catalog = open_catalog(copy)
    try:
        browser = Browser(copy, catalog, "http://127.0.0.1:1")
        path = f"/article/demo/{demo.key(EDITED)}"
        for query, version in ((f"v={first['id']}", first), ("lang=en", newest)):
            response = browser.respond(path, query)
            assert response.status == 404
            page = Page(404, None, response.body.decode("utf-8"))
            message = text_of(page.one("main#main"))
            assert f"{version['id']}" in message and version["json_path"] in message
        assert "cannot be read" in browser.respond(path, "lang=en").body.decode()
        assert browser.respond(path + "/diff", "").status == 404
    finally:
        catalog.close()


def test_the_diff_colours_keep_a_contrast_of_4_5() -> None:
    """WCAG AA for every rule of article.css that sets both a text colour and its
    background (deleted and inserted words, the kind badges, notices)."""
    from importlib.resources import files

    css = files("portal_archive.archive.browser").joinpath("static", "article.css").read_text()
    pairs = [(color, background) for rule in re.findall(r"\{([^}]*)\}", css)
             if (color := _hex(rule, "color")) and (background := _hex(rule, "background"))]
    assert len(pairs) >= 6
    for color, background in pairs:
        light, dark = sorted((_luminance(color), _luminance(background)))
        assert (dark + 0.05) / (light + 0.05) >= 4.5, (color, background)


def _hex(rule: str, name: str) -> str | None:
    found = re.search(rf"(?:^|[;\s]){name}:\s*#([0-9a-f]{{3}}|[0-9a-f]{{6}})\b", rule)
    if found is None:
        return None
    digits = found.group(1)
    return "".join(c * 2 for c in digits) if len(digits) == 3 else digits


def _luminance(digits: str) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(digits[i:i + 2], 16) / 255 for i in (0, 2, 4))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
