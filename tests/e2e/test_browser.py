"""The archive browser (`portal-archive serve`) driven in a real headless Chromium
(tests/browser.py): Debian's /usr/bin/chromium through Playwright, loopback only.

The archive is the demo portal crawled at day 0 and at day 1 (article 2's second body
paragraph is replaced), then a real listing of ../shared/realpages crawled through a
loopback server. What the pages must show is taken from the demo's ground truth, the
catalog and the WARCs (read with warcio), never written into the test.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

from portal_archive.archive.warcfile import read_record
from portal_archive.crawler.text import clean
from tests.browser import (
    EDITED,
    SITE,
    Chromium,
    Served,
    TwoStates,
    catalog_key,
    chromium,
    crawl_two_states,
    demo_title_with_marks,
    folded,
    serving,
    titled_query,
    words,
)
from tests.conftest import TEST_CRAWL_SETTINGS, run_cli
from tests.hostile import HostileServer, page
from tests.realpages import REALPAGES

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page, Response


# -- a real portal's listing, and archived text that looks like a script -------------------
REAL_PORTAL = "dakrlap"
SCRIPT_TEXT = '<script>document.title="pwned"</script>'
# A real article with a script tag written as text into its title and a paragraph,
# escaped in its HTML as a portal's editor would: archived text, never code.
PLANTED_FROM = "dn-dakrlap-dien-tap-hoa-chat.html"
PLANTED_TITLE = "Diễn tập ứng phó sự cố hóa chất tại Nhà máy sản xuất Alumin Nhân Cơ"


def _planted_article() -> bytes:
    html = (REALPAGES / PLANTED_FROM).read_text(encoding="utf-8")
    escaped = SCRIPT_TEXT.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    title = f'<p class="Title">{PLANTED_TITLE}</p>'
    assert html.count(title) == 1
    html = html.replace(title, f'<p class="Title">{PLANTED_TITLE} {escaped}</p>')
    paragraph = "<p>Đồng ch&iacute; Trần Xu&acirc;n Hải"
    assert html.count(paragraph) == 1
    html = html.replace(paragraph, f"<p>Văn bản có thẻ {escaped} ở giữa.</p>{paragraph}")
    return html.encode("utf-8")


# -- fixtures: one browser, one archive, one server for the module ------------------------
@pytest.fixture(scope="module")
def browser() -> Iterator[Chromium]:
    with chromium() as driven:  # fails at the end if a page reached beyond 127.0.0.1
        yield driven


@pytest.fixture(scope="module")
def archive(browser: Chromium, tmp_path_factory: pytest.TempPathFactory) -> TwoStates:
    return crawl_two_states(tmp_path_factory.mktemp("browser-archive") / "data")


@pytest.fixture(scope="module")
def planted(archive: TwoStates) -> str | None:
    """A real listing of ../shared/realpages and its real articles crawled into the same
    data folder through a loopback server (as tests/e2e/test_real_listings.py does), its
    last listed path holding the planted article; that article's key. None without the
    real pages."""
    if not REALPAGES.is_dir():
        return None
    from tests.e2e.test_real_listings import LISTING_PATH, _article_paths, _routes

    routes = _routes(REAL_PORTAL)
    planted_path = _article_paths(REAL_PORTAL)[-1]
    routes[planted_path] = page(_planted_article())
    args = ["crawl", "--data", str(archive.data)]
    with HostileServer(routes) as server:
        args += ["--listing", server.url(LISTING_PATH)]
        for name, value in {**TEST_CRAWL_SETTINGS, "PORTAL_REQUISITES": "False"}.items():
            args += ["-s", f"{name}={value}"]
        result = run_cli(*args, timeout=120)
        assert result.returncode == 0, result.stderr[-3000:]
        return catalog_key(archive.data, server.url(planted_path))


@pytest.fixture(scope="module")
def served(archive: TwoStates, planted: str | None,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One server over both crawls: the demo's two days and the real listing."""
    with serving(archive.data, tmp_path_factory.mktemp("serve-log") / "serve.log") as server:
        yield server


@pytest.fixture
def real(planted: str | None) -> str:
    if planted is None:
        pytest.skip(f"the real pages are not here: {REALPAGES}")
    return planted


@pytest.fixture(scope="module")
def scripted(browser: Chromium) -> BrowserContext:
    return browser.context()


@pytest.fixture(scope="module")
def scriptless(browser: Chromium) -> BrowserContext:
    return browser.context(java_script_enabled=False)


@pytest.fixture
def tab(scripted: BrowserContext) -> Iterator[Page]:
    opened = scripted.new_page()
    yield opened
    opened.close()


@pytest.fixture
def plain_tab(scriptless: BrowserContext) -> Iterator[Page]:
    opened = scriptless.new_page()
    yield opened
    opened.close()


# -- what every page of the browser must be ------------------------------------------------
def assert_our_page(tab: Page, response: Response | None, status: int = 200) -> None:
    """One of the browser's own pages: its status, its headers, and no script of any kind
    (archived HTML never runs in the browser's origin)."""
    assert response is not None
    assert response.status == status, (tab.url, response.status)
    headers = response.headers
    assert "default-src 'self'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert tab.locator("script").count() == 0, tab.url
    assert tab.locator("main#main").count() == 1, tab.url


def visit(tab: Page, url: str, status: int = 200) -> Page:
    assert_our_page(tab, tab.goto(url), status)
    return tab


def follow(tab: Page, click: object) -> Page:
    """Click (a callable), wait for the navigation it starts, check the page it lands on."""
    with tab.expect_navigation() as landed:
        click()  # type: ignore[operator]
    assert_our_page(tab, landed.value)
    return tab


def search(tab: Page, base: str, query: str, lang: str = "") -> Page:
    """Type ``query`` into the search form and submit it with Enter, as a reader does."""
    visit(tab, f"{base}/search" + (f"?lang={lang}" if lang else ""))
    tab.fill("#q", query)
    return follow(tab, lambda: tab.press("#q", "Enter"))


def result_links(tab: Page) -> list[str]:
    return [urlsplit(a.get_attribute("href") or "").path
            for a in tab.locator("ol#results li.result a.result-title").all()]


# -- search --------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", [pytest.param("", id="default-vi"), "en"])
def test_a_folded_query_finds_its_article_with_marks(
        archive: TwoStates, served: Served, tab: Page, lang: str) -> None:
    article_id, title = demo_title_with_marks(archive)
    search(tab, served.base, titled_query(title), lang)
    assert archive.page_path(article_id) in result_links(tab), tab.content()[:3000]
    found = tab.locator("ol#results li.result").filter(
        has=tab.locator(f"a.result-title[href*='{archive.key(article_id)}']")).first
    marks = [m.inner_text() for m in found.locator("mark").all()]
    # The marks are the title's own words, tone marks and all, matched by their folding.
    assert marks and all(folded(m) in folded(title) for m in marks), marks
    assert any(folded(m) != m.lower() for m in marks), marks
    assert tab.locator("p#result-count").inner_text().strip()
    assert tab.get_attribute("html", "lang") == (lang or "vi")
    if lang == "en":
        assert "Search" in tab.locator("nav#nav").inner_text()
        label = tab.locator("label[for=q]").inner_text()
        assert label.strip() and label.isascii(), label


def test_the_english_ui_changes_the_labels(served: Served, tab: Page) -> None:
    vi = visit(tab, f"{served.base}/search?lang=vi").locator("label[for=q]").inner_text()
    en = visit(tab, f"{served.base}/search?lang=en").locator("label[for=q]").inner_text()
    assert vi != en and en.isascii() and not vi.isascii(), (vi, en)
    # The cookie keeps the language on a page reached by a plain link.
    follow(tab, lambda: tab.locator("nav#nav a[href^='/events']").first.click())
    assert tab.get_attribute("html", "lang") == "en"


# -- the diff of the demo's edit -----------------------------------------------------------
def edit_words(archive: TwoStates) -> tuple[str, str]:
    """A word of article 2's replaced paragraph that is nowhere in the new text, and one
    of its new paragraph that was nowhere in the old: from the demo's ground truth."""
    old, new = archive.article(EDITED, 0), archive.article(EDITED, 1)
    changed = [i for i, (a, b) in enumerate(zip(old.body, new.body, strict=True)) if a != b]
    assert changed == [1], changed  # the demo replaces the second paragraph
    old_all, new_all = set(words(" ".join(old.body))), set(words(" ".join(new.body)))
    removed = [w for w in words(old.body[1]) if w not in new_all and len(w) > 2]
    added = [w for w in words(new.body[1]) if w not in old_all and len(w) > 2]
    assert removed and added, (old.body[1], new.body[1])
    return max(removed, key=len), max(added, key=len)


def assert_diff_shows_the_edit(tab: Page, archive: TwoStates) -> None:
    old_word, new_word = edit_words(archive)
    assert tab.locator("table#diff").count() == 1
    deleted = " ".join(d.inner_text() for d in tab.locator("table#diff td.old del").all())
    inserted = " ".join(i.inner_text() for i in tab.locator("table#diff td.new ins").all())
    assert old_word in words(deleted), (old_word, deleted)
    assert new_word in words(inserted), (new_word, inserted)
    assert new_word not in words(deleted) and old_word not in words(inserted)


def test_the_compare_form_of_the_article_page_shows_the_edit(
        archive: TwoStates, served: Served, tab: Page) -> None:
    visit(tab, served.base + archive.page_path(EDITED))
    assert tab.locator("ol#timeline li.version").count() == 2
    follow(tab, lambda: tab.locator("form#compare [type=submit]").click())
    assert urlsplit(tab.url).path == archive.page_path(EDITED) + "/diff"
    assert_diff_shows_the_edit(tab, archive)


def test_the_diff_link_of_the_events_page_shows_the_edit(
        archive: TwoStates, served: Served, tab: Page) -> None:
    visit(tab, f"{served.base}/events")
    edited = tab.locator("table#events tr.event[data-type=edited]")
    assert edited.count() == len(archive.site.edited_ids(1)) == 1
    follow(tab, lambda: edited.locator("a.diff-link").click())
    assert urlsplit(tab.url).path == archive.page_path(EDITED) + "/diff"
    assert_diff_shows_the_edit(tab, archive)


# -- replay --------------------------------------------------------------------------------
def test_the_replay_link_opens_the_archived_page_in_pywbs_frame(
        archive: TwoStates, served: Served, tab: Page) -> None:
    visit(tab, served.base + archive.page_path(EDITED))
    link = tab.locator("ol#timeline li.version a.replay").first
    requested: list[str] = []
    tab.context.on("request", lambda request: requested.append(request.url))
    if link.get_attribute("target") == "_blank":
        with tab.context.expect_page() as opened:
            link.click()
        replay = opened.value
    else:
        with tab.expect_navigation():
            link.click()
        replay = tab
    replay.wait_for_load_state("load")
    url = archive.url(EDITED)
    # pywb's top frame on the replay origin, the archived page in its frame.
    assert f"{urlsplit(replay.url).scheme}://{urlsplit(replay.url).netloc}" == served.replay
    assert urlsplit(served.replay).netloc != urlsplit(served.base).netloc
    replay.wait_for_function("() => document.querySelector('iframe') !== null")
    archived = None
    for _ in range(100):
        archived = next((f for f in replay.frames if f"mp_/{url}" in f.url), None)
        if archived is not None and archived.locator("h1").count():
            break
        replay.wait_for_timeout(100)
    assert archived is not None, [f.url for f in replay.frames]
    assert clean(archived.locator("h1").first.inner_text()) == archive.article(EDITED).title
    # The archived page's own resources came through pywb, not from the live portal.
    assert not [u for u in requested if u.startswith(archive.base_url)], requested
    if replay is not tab:
        replay.close()


def test_the_articles_images_come_through_the_replay_origin(
        archive: TwoStates, served: Served, tab: Page) -> None:
    visit(tab, served.base + archive.page_path(EDITED))
    images = tab.locator("figure img")
    assert images.count() == len(archive.article(EDITED).images)
    for image in images.all():
        src = image.get_attribute("src") or ""
        assert src.startswith(served.replay + "/all/") and "im_/" in src, src
        # loading="lazy": fetched once near the viewport, not by the page's load event.
        image.scroll_into_view_if_needed()
        tab.wait_for_function("img => img.complete && img.naturalWidth > 0",
                              arg=image.element_handle(), timeout=20_000)
    captions = [clean(c.inner_text()) for c in tab.locator("figure figcaption").all()]
    wanted = [i.caption for i in archive.article(EDITED).images if i.caption]
    assert wanted and all(any(w in c for c in captions) for w in wanted), (wanted, captions)


# -- citation ------------------------------------------------------------------------------
def test_the_citation_holds_the_versions_warc_record(
        archive: TwoStates, served: Served, tab: Page) -> None:
    url = archive.url(EDITED)
    catalog = sqlite3.connect(archive.data / "catalog.sqlite")
    versions = catalog.execute(
        "SELECT id, record_id, captured_at, content_hash FROM versions WHERE url = ?"
        " ORDER BY captured_at", (url,)).fetchall()
    assert len(versions) == 2
    version_id, record_id, captured_at, content_hash = versions[0]  # the older one
    visit(tab, served.base + archive.page_path(EDITED))
    view = tab.locator(f"ol#timeline li.version[data-version='{version_id}'] a.view")
    follow(tab, lambda: view.click())
    citation = tab.locator("section#citation")
    assert citation.locator("dd.record-id").inner_text().strip() == record_id
    assert content_hash in citation.locator("dd.content-hash").inner_text()
    shown_time = citation.locator("dd.capture-time")
    stamps = [shown_time.inner_text()] + [
        t.get_attribute("datetime") or "" for t in shown_time.locator("time").all()]
    assert any(captured_at in s for s in stamps), (captured_at, stamps)
    assert url in citation.locator("dd.article-url").inner_text()
    text = citation.locator("textarea#citation-text")
    assert text.get_attribute("readonly") is not None
    for fact in (url, record_id, captured_at, content_hash):
        assert fact in text.input_value(), fact
    # The record id names this very capture in the WARC: read there with warcio.
    warc_file, offset = catalog.execute(
        "SELECT warc_file, warc_offset FROM captures WHERE record_id = ?", (record_id,)
    ).fetchone()
    path = Path(warc_file) if Path(warc_file).is_absolute() else archive.data / "warc" / warc_file
    record, _ = read_record(path if path.exists() else archive.data / warc_file, offset)
    assert record.rec_headers.get_header("WARC-Record-ID") == record_id
    assert record.rec_headers.get_header("WARC-Type") == "response"
    assert record.rec_headers.get_header("WARC-Target-URI") == url


# -- without JavaScript, with the keyboard -------------------------------------------------
def test_every_page_works_without_javascript(
        archive: TwoStates, served: Served, plain_tab: Page) -> None:
    article = archive.page_path(EDITED)
    for path in ["/", f"/site/{SITE}", "/search", "/events", "/events?type=edited",
                 article, article + "/diff"]:
        visit(plain_tab, served.base + path)
    _, title = demo_title_with_marks(archive)
    search(plain_tab, served.base, titled_query(title))
    assert result_links(plain_tab)
    visit(plain_tab, served.base + article)
    follow(plain_tab, lambda: plain_tab.locator("form#compare [type=submit]").click())
    assert_diff_shows_the_edit(plain_tab, archive)


@pytest.mark.parametrize("path", ["/", "/search", "/search?q=hoi+nghi", "/events", "diff",
                                  "article"])
def test_tab_reaches_the_skip_link_first(
        archive: TwoStates, served: Served, tab: Page, path: str) -> None:
    article = archive.page_path(EDITED)
    visit(tab, served.base + {"article": article, "diff": article + "/diff"}.get(path, path))
    tab.keyboard.press("Tab")
    assert tab.evaluate("() => document.activeElement.matches('a.skip')")
    assert tab.locator("a.skip").get_attribute("href") == "#main"
    # Enter follows it: the next Tab starts inside the page's main content.
    tab.keyboard.press("Enter")
    # The fragment navigation Enter starts ends on its own time: wait for it (red once
    # in CI under load when read at once); a link that goes nowhere still times out.
    tab.wait_for_function("() => location.hash === '#main'", timeout=10_000)
    assert tab.url.endswith("#main")
    tab.keyboard.press("Tab")
    assert tab.evaluate("() => document.querySelector('main#main').contains("
                        "document.activeElement)")


def test_the_search_field_has_a_label(served: Served, tab: Page) -> None:
    visit(tab, f"{served.base}/search")
    for field in ("q", "site", "category", "since", "until"):
        label = tab.locator(f"label[for={field}]").inner_text().strip()
        assert label, field
        assert tab.get_by_label(label, exact=True).get_attribute("id") == field


def test_browse_lists_the_sites_articles_by_day(
        archive: TwoStates, served: Served, tab: Page) -> None:
    visit(tab, served.base)
    row = tab.locator(f"table#sites tr.site[data-site={SITE}]")
    follow(tab, lambda: row.locator("a.site-link").click())
    published = archive.article(EDITED).published.date().isoformat()
    month = tab.locator(f"nav#months a[data-month='{published[:7]}']")
    if month.count():
        follow(tab, lambda: month.click())
    day = tab.locator("section.day").filter(has=tab.locator(f"h2 time[datetime='{published}']"))
    hrefs = [urlsplit(a.get_attribute("href") or "").path
             for a in day.locator("ul.articles li a.article-link").all()]
    assert archive.page_path(EDITED) in hrefs, hrefs


# -- a real portal's listing, and archived text that looks like a script -------------------
def test_a_real_article_is_found_by_a_folded_query(real: str, served: Served, tab: Page) -> None:
    title = "Hội nghị nghiệm thu đề tài lịch sử Đảng bộ thị trấn Kiến Đức"  # a real page's
    search(tab, served.base, titled_query(title, count=12))
    titles = [clean(a.inner_text()) for a in tab.locator("a.result-title").all()]
    assert title in titles, titles
    found = tab.locator("a.result-title").filter(has_text=title).first
    follow(tab, lambda: found.click())
    assert clean(tab.locator("h1#article-title").inner_text()) == title


def test_archived_script_text_shows_escaped(real: str, served: Served, tab: Page) -> None:
    search(tab, served.base, "alumin nhan co")
    hit = tab.locator("a.result-title").filter(has_text=SCRIPT_TEXT)
    assert hit.count() == 1, [a.inner_text() for a in tab.locator("a.result-title").all()]
    follow(tab, lambda: hit.click())
    assert urlsplit(tab.url).path.endswith("/" + real)
    assert SCRIPT_TEXT in tab.locator("h1#article-title").inner_text()
    assert any(SCRIPT_TEXT in p.inner_text() for p in tab.locator(".body p").all())
    assert tab.title() != "pwned" and tab.evaluate("() => document.title") != "pwned"
