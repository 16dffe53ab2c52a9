"""/search over the two-day archive: a folded query finds its article, the form keeps
what was asked, matches are marked, pages follow, no hits and a cap are said."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from portal_archive.archive.browser.app import Browser, Request
from portal_archive.archive.catalog import open_catalog
from portal_archive.archive.datadir import DataDir
from portal_archive.archive.search import Hit, SearchResults, search_fold

from .conftest import REPLAY_BASE, Archive, get


def _articles(data: Path) -> dict[str, dict[str, object]]:
    return {folder.name: json.loads(sorted(folder.glob("*.json"))[-1].read_text("utf-8"))
            for folder in (data / "json" / "demo").iterdir()}


def test_a_query_without_tone_marks_finds_the_titles_words(web: str, archive: Archive) -> None:
    key, article = sorted(_articles(archive.data).items())[0]
    words = str(article["title"]).split()[:3]
    folded = search_fold(" ".join(words))
    assert folded != " ".join(words)  # the title has tone marks the query leaves out
    page = get(web + "/search?q=" + quote(folded)).tree
    links = [a.get("href") for a in page.cssselect("ol#results li.result a.result-title")]
    assert f"/article/demo/{key}" in links
    marks = [m.text for m in page.cssselect("ol#results li.result a.result-title mark")]
    assert {search_fold(m).lower() for m in marks} >= {search_fold(w).lower() for w in words}
    assert page.cssselect("p#result-count")


def test_the_form_keeps_its_values(web: str) -> None:
    page = get(web + "/search?q=h%E1%BB%99i+ngh%E1%BB%8B&site=demo&since=2020-01-01"
               "&until=2030-12-31").tree
    form = page.cssselect("form#search-form")[0]
    assert form.cssselect("#q")[0].get("value") == "hội nghị"
    assert form.cssselect("#site option[selected]")[0].get("value") == "demo"
    assert form.cssselect("#since")[0].get("value") == "2020-01-01"
    assert form.cssselect("#since")[0].get("type") == "date"
    assert form.cssselect("#until")[0].get("value") == "2030-12-31"
    for field in ("q", "site", "category", "since", "until"):
        assert form.cssselect(f'label[for="{field}"]'), field


def test_filters_narrow_the_results(web: str, archive: Archive) -> None:
    articles = _articles(archive.data)
    category = sorted({str(a["category"]) for a in articles.values() if a["category"]})[0]
    page = get(web + "/search?q=" + quote("hội nghị") + "&category=" + quote(category)).tree
    keys = [a.get("href").rsplit("/", 1)[1] for a in page.cssselect("a.result-title")]
    assert keys and all(articles[k]["category"] == category for k in keys)
    assert not get(web + "/search?q=" + quote("hội nghị")
                   + "&since=2999-01-01").tree.cssselect("li.result")


def test_pages_follow_one_another(web: str) -> None:
    # Every demo article has a body; "là" is among the commonest Vietnamese words.
    first = get(web + "/search?q=" + quote("là")).tree
    count = first.cssselect("p#result-count")[0].text_content()
    hits = first.cssselect("li.result")
    assert hits and count
    if not first.cssselect("a#next-page"):
        return  # fewer hits than a page
    second = get(web + first.cssselect("a#next-page")[0].get("href")).tree
    assert second.cssselect("a#prev-page")
    one = {a.get("href") for a in first.cssselect("a.result-title")}
    two = {a.get("href") for a in second.cssselect("a.result-title")}
    assert one.isdisjoint(two)


def test_no_hits_is_said(web: str) -> None:
    page = get(web + "/search?q=zzyzxqq&lang=en").tree
    assert not page.cssselect("li.result")
    assert "No article matches" in page.cssselect("p#result-count")[0].text_content()


def test_a_bad_date_keeps_the_form_and_says_why(web: str) -> None:
    page = get(web + "/search?q=x&since=31/12/2025")
    assert page.status == 400
    assert "YYYY-MM-DD" in page.tree.cssselect("#search-error")[0].text
    assert page.tree.cssselect("form#search-form #q")[0].get("value") == "x"


def test_a_capped_count_says_more_than(archive: Archive) -> None:
    """The count line for more hits than the search counts (TOTAL_CAP), rendered from a
    real SearchResults: the archive holds too few articles to reach the cap."""
    data = DataDir(archive.data)
    catalog = open_catalog(data)
    try:
        browser = Browser(data, catalog, REPLAY_BASE)
        hit = Hit(version_id=1, url="http://x/", site="demo", key="k", category=None,
                  published=None, captured_at="2026-12-01T18:31:00Z",
                  title=[("Ủy ban", True)], snippet=[("…", False)], score=1.0)
        from portal_archive.archive.browser.searchpage import Asked, render_search

        asked = Asked("uy ban", "", "", "", "", 1)
        for lang, said in (("vi", "Hơn 1.000"), ("en", "More than 1,000")):
            req = Request("/search", {"q": "uy ban"}, lang, {})
            results = SearchResults(hits=[hit], total=1000, capped=True, elapsed_ms=3.0)
            page = render_search(req, browser, asked, [], [], results=results).body.decode()
            assert said in page
    finally:
        catalog.close()
