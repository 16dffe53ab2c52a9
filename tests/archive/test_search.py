"""Full-text search (archive/search.py) on both engines, over the same documents."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from typing import Any

import pytest

from portal_archive.archive.catalog import Catalog
from portal_archive.archive.errors import PortalArchiveError
from portal_archive.archive.search import (
    SearchQuery,
    SearchResults,
    index_document,
    search,
    search_doc_of,
    search_facets,
    search_fold,
)

# (key, title, lead, body, caption, published, site, category)
DOCS = [
    ("a1", "Ủy ban nhân dân tỉnh họp phiên thường kỳ", "Sáng 3/2, Ủy ban họp.",
     ["Đảng bộ tỉnh Đắk Nông tổng kết năm."], None, "2025-02-03T09:00:00+07:00",
     "daknong", "Thời sự"),
    ("a2", "Uỷ ban kiểm tra Huyện ủy Phú Vang", None,
     ["Nội dung về kinh tế và xã hội của huyện."], "Quang cảnh hội nghị",
     "2024-06-30T23:30:00+07:00", "phuvang", "Hoạt động cấp ủy"),
    ("a3", "Tin thể thao cuối tuần", "Giải bóng đá thiếu niên.",
     ["Đội bóng được uy ban nhân dân xã khen thưởng."], None,
     "2023-01-15T08:00:00+07:00", "phuvang", "Thể thao"),
    ("a4", "Hội nghị học tập nghị quyết", "Học tập chuyên đề.",
     ["Cán bộ, đảng viên tham dự đầy đủ."], "Đồng chí Bí thư phát biểu",
     None, "daknong", None),
    ("a5", "Thời tiết", "Trời nắng.", ["Nhiệt độ cao."], None,
     "2025-03-01T08:00:00+07:00", "daknong", "Thời sự"),
]


def _item(key: str, title: str, lead: str | None, body: list[str], caption: str | None,
          published: str | None, site: str, category: str | None) -> dict[str, Any]:
    return {"url": f"http://{site}.test/{key}.html", "site": site, "category": category,
            "title": title, "lead": lead, "body": body, "published": published,
            "images": [{"src": "http://x/i.jpg", "caption": caption, "credit": None}],
            "captured_at": "2026-12-01T00:00:00Z"}


def add(catalog: Catalog, item: dict[str, Any], key: str, at: str = "2026-12-01T00:00:00Z",
        ) -> int:
    """One version recorded and indexed, as the crawl's pipeline does."""
    with catalog.transaction():
        catalog.record_article_seen(item["url"], item["site"], key, at)
        version_id = catalog.add_version(item["url"], item["site"], key, ("c", "t"), at,
                                         "r1", f"{item['site']}/{key}/1.json", None)
        index_document(catalog, version_id, search_doc_of({**item, "captured_at": at}, key))
    return version_id


@pytest.fixture
def catalog(catalog_url: str) -> Iterator[Catalog]:
    opened = Catalog(catalog_url)
    for key, *fields in DOCS:
        add(opened, _item(key, *fields), key)
    yield opened
    opened.close()


def keys(results: SearchResults) -> list[str]:
    return [hit.key for hit in results.hits]


def found(catalog: Catalog, text: str, **filters: Any) -> set[str]:
    return set(keys(search(catalog, SearchQuery(text, **filters))))


def test_search_fold_keeps_offsets() -> None:
    assert search_fold("Ủy ban Đảng") == "uy ban dang"
    assert search_fold("UỶ BAN") == search_fold("uỷ ban") == search_fold("ủy ban") == "uy ban"
    assert search_fold("Đắk Nông") == "dak nong"
    odd = "Hòa İstanbul ﬁ x\u0301"  # a letter with a 2-char lower case, a ligature, NFD
    assert len(search_fold(odd)) == len(unicodedata.normalize("NFC", odd))


@pytest.mark.parametrize("spelling", ["uy ban", "ủy ban", "uỷ ban", "UỶ BAN", "Uy Ban"])
def test_every_spelling_finds_every_spelling(catalog: Catalog, spelling: str) -> None:
    assert found(catalog, spelling) == {"a1", "a2", "a3"}


def test_folded_words_across_fields(catalog: Catalog) -> None:
    assert found(catalog, "dang") == {"a1", "a4"}  # Đảng (body), đảng viên (body)
    assert found(catalog, "Dak Nong") == {"a1"}
    assert found(catalog, "quang canh") == {"a2"}  # a caption
    assert found(catalog, "bi thu phat bieu") == {"a4"}  # a caption
    assert found(catalog, "giai bong") == {"a3"}  # the lead
    assert found(catalog, "kinh te nhan dan") == set()  # words are ANDed


def test_phrase(catalog: Catalog) -> None:
    assert found(catalog, '"nhan dan"') == {"a1", "a3"}
    assert found(catalog, '"dan nhan"') == set()
    assert found(catalog, "nhan dan") == {"a1", "a3"}
    assert found(catalog, '"uy ban nhan dan" "tinh hop"') == {"a1"}
    assert found(catalog, 'hoi "nghi') == {"a2", "a4"}  # a quote left open: words
    assert found(catalog, "thuong*") == found(catalog, "thuong") == {"a1", "a3"}


def test_title_weighs_more_than_body(catalog: Catalog) -> None:
    results = search(catalog, SearchQuery("nhan dan"))
    assert keys(results) == ["a1", "a3"]  # in a1's title, a3's body only
    assert results.hits[0].score > results.hits[1].score


def test_filters(catalog: Catalog) -> None:
    assert found(catalog, "uy ban", site="phuvang") == {"a2", "a3"}
    assert found(catalog, "uy ban", category="Thời sự") == {"a1"}
    assert found(catalog, "uy ban", since="2024-06-30") == {"a1", "a2"}
    assert found(catalog, "uy ban", since="2024-07-01") == {"a1"}
    assert found(catalog, "uy ban", until="2024-06-30") == {"a2", "a3"}  # its own offset
    assert found(catalog, "uy ban", since="2023-01-15", until="2023-01-15") == {"a3"}
    assert found(catalog, "uy ban", since="2020-01-01", until="2030-12-31",
                 site="daknong") == {"a1"}
    assert found(catalog, "hoi nghi", since="2000-01-01") == {"a2"}  # a4 has no date


def test_highlight_marks_the_original_spelling(catalog: Catalog) -> None:
    (hit,) = search(catalog, SearchQuery("UY BAN kiem", site="phuvang")).hits
    assert hit.key == "a2"
    assert [text for text, marked in hit.title if marked] == ["Uỷ", "ban", "kiểm", "ủy"]
    assert "".join(text for text, _ in hit.title) == "Uỷ ban kiểm tra Huyện ủy Phú Vang"
    (body_hit,) = search(catalog, SearchQuery("khen thuong")).hits
    assert [text for text, marked in body_hit.snippet if marked] == ["khen", "thưởng"]
    assert "Đội bóng" in "".join(text for text, _ in body_hit.snippet)


@pytest.mark.parametrize("typed", ['"', "*", ":", "(", ")", "-", "NEAR", "AND", "OR",
                                   'uy ban" NEAR(', "uy:ban", "-uy ban", "(uy) AND ban*",
                                   "^uy", "title:uy", "{body}: ban", "uy ban -kiem"])
def test_fts_syntax_is_taken_as_words(catalog: Catalog, typed: str) -> None:
    results = search(catalog, SearchQuery(typed))  # never an error
    if search_fold(typed).replace("near", "").strip(' "*:()-^{}') in ("", "and", "or"):
        assert keys(results) == [] or typed in ("NEAR", "AND", "OR")
    else:
        assert set(keys(results)) <= {"a1", "a2", "a3"}


def test_empty_query_finds_nothing(catalog: Catalog) -> None:
    for empty in ("", "   ", '""', "*"):
        results = search(catalog, SearchQuery(empty))
        assert (results.hits, results.total, results.capped) == ([], 0, False)


def test_bad_dates_are_one_line(catalog: Catalog) -> None:
    with pytest.raises(PortalArchiveError, match="since must be a date"):
        search(catalog, SearchQuery("uy ban", since="2025-13-01"))
    with pytest.raises(PortalArchiveError, match="until must be a date"):
        search(catalog, SearchQuery("uy ban", until="yesterday"))


def test_one_hit_per_article_and_latest(catalog: Catalog) -> None:
    item = _item(*DOCS[4])
    edited = {**item, "title": "Thời tiết: Ủy ban cảnh báo nắng nóng"}
    newest = add(catalog, edited, "a5", at="2026-12-02T00:00:00Z")
    results = search(catalog, SearchQuery("thoi tiet"))
    assert keys(results) == ["a5"] and results.total == 1
    assert search(catalog, SearchQuery("canh bao")).hits[0].version_id == newest
    latest = catalog.execute("SELECT id, latest FROM search_docs WHERE url = :u ORDER BY id",
                             {"u": item["url"]})
    assert [row["latest"] for row in latest] == [0, 1]
    assert found(catalog, "uy ban") == {"a1", "a2", "a3", "a5"}


def test_paging_and_total(catalog: Catalog) -> None:
    first = search(catalog, SearchQuery("uy ban", limit=2))
    second = search(catalog, SearchQuery("uy ban", limit=2, offset=2))
    past = search(catalog, SearchQuery("uy ban", limit=2, offset=10))
    assert (first.total, second.total, past.total) == (3, 3, 3)
    assert len(first.hits) == 2 and len(second.hits) == 1 and past.hits == []
    assert set(keys(first)) | set(keys(second)) == {"a1", "a2", "a3"}
    assert not first.capped and first.elapsed_ms > 0


def test_facets(catalog: Catalog) -> None:
    assert search_facets(catalog) == (["daknong", "phuvang"],
                                      ["Hoạt động cấp ủy", "Thể thao", "Thời sự"])


# -- real pages ------------------------------------------------------------------------
def _real_articles() -> list[dict[str, Any]]:
    from tests.realpages import default_loader, extract, load_truth, pages_available

    if not pages_available():
        pytest.skip("no real pages (../shared/realpages)")
    load = default_loader()
    articles = []
    for name, entry in load_truth().pages.items():
        got = extract(load(name, entry), entry["url"])
        if got is not None and got.get("title"):
            articles.append({**got, "site": "real", "key": name})
    return articles


def test_real_articles_are_found_by_folded_words_of_their_titles(catalog_url: str) -> None:
    articles = _real_articles()
    catalog = Catalog(catalog_url)
    try:
        for article in articles:
            add(catalog, article, article["key"], at="2026-12-01T00:00:00Z")
        assert len(articles) >= 10
        for article in articles:
            words = search_fold(article["title"]).split()
            bare = " ".join(words[:5])  # no tone marks, đ as d
            assert bare.isascii(), bare
            results = search(catalog, SearchQuery(bare))
            assert article["key"] in keys(results), (bare, keys(results))
            # A word of its body, as typed without marks, finds it too.
            body_word = max(search_fold(" ".join(article["body"])).split(), key=len)
            assert article["key"] in keys(search(catalog, SearchQuery(body_word, limit=50)))
    finally:
        catalog.close()


def test_a_common_query_is_ranked_over_its_newest_matches(
        catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    import portal_archive.archive.search as module

    monkeypatch.setattr(module, "RANK_WINDOW", 2)
    monkeypatch.setattr(module, "TOTAL_CAP", 2)
    results = search(catalog, SearchQuery("uy ban"))  # a1, a2, a3 match; a3 is newest
    assert (results.total, results.capped) == (2, True)
    assert set(keys(results)) == {"a2", "a3"}
    narrowed = search(catalog, SearchQuery("uy ban", site="daknong"))  # a filter: a1 alone
    assert (keys(narrowed), narrowed.total, narrowed.capped) == (["a1"], 1, False)
