"""The word diff over real Vietnamese text (the demo portal's seed article, as the
extractor cleans it) and over anything hypothesis makes: each side of every row gives
back its version's text exactly, and a moved tone mark is cosmetic, not an edit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from portal_archive.archive.browser.worddiff import (
    Cell,
    Fold,
    Row,
    collapse,
    diff_articles,
    diff_paragraphs,
    diff_words,
)
from portal_archive.crawler.demo.content import new_tone
from portal_archive.crawler.text import fold

SEED = Path(__file__).parents[2] / "crawler/fixtures/pages/demo-hoat-dong-cap-uy.json"


def seed() -> dict[str, Any]:
    """The seed article (../shared/seed-article.txt) as the extractor cleans it."""
    return json.loads(SEED.read_text("utf-8"))["expected"]


def text(cell: Cell | None) -> str | None:
    return None if cell is None else "".join(t for t, _ in cell)


def marked(cell: Cell | None, kind: str) -> list[str]:
    return [t.strip() for t, k in cell or [] if k == kind]


def side(rows: list[Row], field: str, which: str) -> list[str]:
    """One version's texts of a field, read back from the rows."""
    return [t for r in rows if r.field == field
            if (t := text(getattr(r, which))) is not None]


def test_a_moved_tone_mark_is_cosmetic_not_an_edit() -> None:
    old = seed()["lead"]
    assert "Huyện uỷ" in old
    new = new_tone(old)
    (row,) = diff_articles({"lead": old}, {"lead": new})
    assert row.change == "cosmetic"
    assert marked(row.old, "del") == marked(row.new, "ins") == []
    assert marked(row.old, "cosmetic") and all("uỷ" in w for w in marked(row.old, "cosmetic"))
    assert all("ủy" in w and "uỷ" not in w for w in marked(row.new, "cosmetic"))
    assert (text(row.old), text(row.new)) == (old, new)


def test_changed_words_are_deleted_and_inserted_the_rest_kept() -> None:
    old = seed()["body"][1]
    new = old.replace("đạt kết quả tốt", "đạt kết quả khá").replace("Theo đánh giá, ", "")
    old_cell, new_cell = diff_words(old, new)
    assert marked(old_cell, "del") == ["Theo đánh giá,", "tốt"]
    assert marked(new_cell, "ins") == ["khá"]
    assert "đảm bảo yêu cầu về nội dung" in "".join(marked(new_cell, "same"))
    assert (text(old_cell), text(new_cell)) == (old, new)


def test_an_inserted_paragraph_does_not_shift_the_others_into_changes() -> None:
    body = seed()["body"]
    added = "Hội nghị cũng đã thông qua quy chế phối hợp giữa các cơ quan, đơn vị."
    new_body = [body[0], added, *body[1:3], body[3].replace("Trần Gia Công", "Lê Văn An")]
    rows = diff_paragraphs("body", body, new_body)
    assert [r.change for r in rows] == ["same", "added", "same", "same", "changed"]
    assert text(rows[1].new) == added and rows[1].old is None and rows[1].new_no == 2
    assert marked(rows[4].old, "del") == ["Trần Gia Công"]
    assert marked(rows[4].new, "ins") == ["Lê Văn An"]
    assert (rows[4].old_no, rows[4].new_no) == (4, 5)


def test_a_rewritten_paragraph_is_replaced_whole_beside_the_old_one() -> None:
    body = seed()["body"]
    # the demo portal's kind of edit: a paragraph with other words altogether
    rewritten = ("Đính chính: số liệu về tỷ lệ hồ sơ giải quyết đúng hạn được điều chỉnh "
                 "thành 97% theo báo cáo bổ sung của UBND huyện.")
    rows = diff_paragraphs("body", body, [body[0], rewritten, *body[2:]])
    assert [r.change for r in rows] == ["same", "replaced", "same", "same"]
    assert rows[1].old == [(body[1], "del")] and rows[1].new == [(rewritten, "ins")]


def test_removed_paragraph_and_every_field_of_the_article() -> None:
    old = seed()
    new = {**old, "title": old["title"].replace("Phú Vang", "Huyện Phú Vang"),
           "body": old["body"][:2] + old["body"][3:], "authors": ["Minh Đức"],
           "images": old["images"][:2], "source": "Báo Thừa Thiên Huế"}
    rows = diff_articles(old, new)
    by_field = {r.field: r for r in rows if r.field not in ("body", "caption")}
    assert by_field["title"].change == "changed"
    assert marked(by_field["title"].new, "ins") == ["Huyện"]
    assert by_field["category"].change == "same"
    assert marked(by_field["authors"].old, "del") == [", Thanh Hiền"]
    assert by_field["source"].change == "added"
    assert [r.change for r in rows if r.field == "body"] == ["same", "same", "removed", "same"]
    assert [r.change for r in rows if r.field == "caption"] == ["same", "same", "removed"]
    assert side(rows, "body", "old") == old["body"] and side(rows, "body", "new") == new["body"]


def test_long_unchanged_runs_fold_into_a_count_and_lose_nothing() -> None:
    paragraphs = [f"Đoạn thứ {i} của bài viết về Huyện ủy." for i in range(1, 11)]
    new = [*paragraphs[:7], paragraphs[7] + " Bổ sung.", *paragraphs[8:]]
    rows = diff_paragraphs("body", paragraphs, new)
    shown = collapse(rows, context=1, least=3)
    folds = [f for f in shown if isinstance(f, Fold)]
    assert [f.count for f in folds] == [6]          # 1..6 folded, 7 kept beside the change
    assert [r for f in shown for r in (f.rows if isinstance(f, Fold) else (f,))] == rows
    assert collapse(rows[:2]) == rows[:2]             # short runs stay as they are


# -- properties ----------------------------------------------------------------------

# Real words, with the tone-mark variants the portals mix, and arbitrary text besides.
WORDS = ["Huyện", "uỷ", "ủy", "Uỷ", "ban", "hoà", "hòa", "khoẻ", "khỏe", "Phú", "Vang", "và",
         "Đảng", "xã,", "phường", "(mới)", "25/6/2025", "—", "nhân", "dân."]
word_texts = st.lists(st.sampled_from(WORDS), max_size=25).map(" ".join)
any_text = st.one_of(word_texts, st.text(max_size=40))
paragraphs = st.lists(any_text, max_size=8)


@settings(max_examples=300, deadline=None)
@given(any_text, any_text)
def test_each_cell_gives_back_its_text_exactly(old: str, new: str) -> None:
    old_cell, new_cell = diff_words(old, new)
    assert (text(old_cell), text(new_cell)) == (old, new)
    assert {k for _, k in old_cell} <= {"same", "del", "cosmetic"}
    assert {k for _, k in new_cell} <= {"same", "ins", "cosmetic"}
    if fold(old) == fold(new):
        assert not marked(old_cell, "del") and not marked(new_cell, "ins")


@settings(max_examples=200, deadline=None)
@given(paragraphs, paragraphs)
def test_rows_give_back_both_lists_of_paragraphs(old: list[str], new: list[str]) -> None:
    rows = diff_paragraphs("body", old, new)
    assert side(rows, "body", "old") == old and side(rows, "body", "new") == new
    assert [r.old_no for r in rows if r.old is not None] == list(range(1, len(old) + 1))
    assert [r.new_no for r in rows if r.new is not None] == list(range(1, len(new) + 1))
    assert all(r.change == "same" for r in rows) == (old == new)


articles = st.fixed_dictionaries({
    "title": word_texts, "lead": st.one_of(st.none(), any_text), "body": paragraphs,
    "authors": st.lists(st.sampled_from(["Minh Đức", "Thanh Hiền", "Hoàng Anh"]), max_size=3),
    "images": st.lists(st.fixed_dictionaries({"caption": st.one_of(st.none(), word_texts),
                                              "credit": st.none()}), max_size=3),
})


@settings(max_examples=150, deadline=None)
@given(articles, articles)
def test_every_field_of_both_versions_is_in_the_rows(old: dict, new: dict) -> None:
    rows = diff_articles(old, new)
    for which, article in (("old", old), ("new", new)):
        assert side(rows, "title", which) == [article["title"]]
        assert side(rows, "lead", which) == ([article["lead"]] if article["lead"] is not None
                                             else [])
        assert side(rows, "body", which) == article["body"]
        assert side(rows, "caption", which) == [i["caption"] or "" for i in article["images"]]


def test_a_long_article_edited_throughout_is_paired_in_order() -> None:
    """More changed paragraphs than the best pairing weighs (MAX_PAIRING): in order."""
    body = seed()["body"] * 8                      # 32 paragraphs, every one edited
    edited = [p.replace("Phú Vang", "Phú Lộc", 1) + f" ({i})" for i, p in enumerate(body)]
    rows = diff_paragraphs("body", body, edited)
    assert [(r.old_no, r.new_no) for r in rows] == [(i, i) for i in range(1, 33)]
    assert all(r.change == "changed" for r in rows)
    assert side(rows, "body", "old") == body and side(rows, "body", "new") == edited


def test_a_text_too_long_to_compare_exactly_still_gives_back_both_texts() -> None:
    # Beyond EXACT_WORDS difflib's junk heuristic keeps the cost down (a rewritten
    # 20,000-word paragraph took 36 s without it); the cells must still be the texts.
    import random

    from portal_archive.archive.browser.worddiff import EXACT_WORDS

    rng = random.Random(13)
    # A vocabulary as wide as a long article's: few words in more than 1% of it.
    words = [f"{w}{n}" for w in "Huyện ủy Phú Vang hội nghị Đảng".split() for n in range(80)]
    old = " ".join(rng.choice(words) for _ in range(3 * EXACT_WORDS))
    new = old + " Thêm một câu."
    old_cell, new_cell = diff_words(old, new)
    assert "".join(text for text, _ in old_cell) == old
    assert "".join(text for text, _ in new_cell) == new
    inserted = "".join(text for text, kind in new_cell if kind == "ins")
    assert "Thêm" in inserted and len(inserted) < len(new) / 10
