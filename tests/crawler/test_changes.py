"""Change rules, unit by unit: versions compared, removals told from paging out."""

from __future__ import annotations

import json

from portal_archive.crawler.changes import (
    classify,
    moved,
    removed_from_listings,
    site_down,
    unified_diff,
)
from portal_archive.crawler.text import content_hash, text_hash


def _doc(body: list[str], title: str = "Huyện uỷ Phú Vang họp") -> dict:
    doc = {"url": "http://p.test/a-1.html", "title": title, "lead": "Ngày 26/6, ...",
           "body": body, "images": [], "authors": ["Thu Hà"], "category": "Hoạt động cấp ủy",
           "captured_at": "2025-06-27T09:00:00Z"}
    doc["content_hash"] = content_hash(doc)
    return doc


def test_first_version_is_new() -> None:
    assert classify(None, _doc(["a"]))[0] == "new"


def test_a_real_edit_names_its_fields_and_diffs_the_text() -> None:
    old, new = _doc(["Đoạn một.", "Đoạn hai."]), _doc(["Đoạn một.", "Đoạn hai đã sửa."])
    kind, fields, diff = classify(old, new, text_hash(old), text_hash(new))
    assert kind == "edited" and fields == ["body"]
    assert "-Đoạn hai." in diff and "+Đoạn hai đã sửa." in diff


def test_moving_a_tone_mark_is_cosmetic() -> None:
    old = _doc(["x"], title="Huyện uỷ Phú Vang họp")
    new = _doc(["x"], title="Huyện ủy Phú Vang họp")
    assert old["content_hash"] == new["content_hash"]
    kind, fields, _ = classify(old, new, text_hash(old), text_hash(new))
    assert kind == "cosmetic" and fields == ["title"]


def test_the_same_text_is_no_change() -> None:
    old, new = _doc(["x"]), _doc(["x"])
    assert classify(old, new, text_hash(old), text_hash(new)) == (None, [], "")


def test_a_changed_source_is_an_edit_of_the_source() -> None:
    old = _doc(["x"])
    new = {**old, "source": "Báo Đắk Nông"}
    new["content_hash"] = content_hash(new)
    kind, fields, diff = classify(old, new, text_hash(old), text_hash(new))
    assert kind == "edited" and fields == ["source"]
    assert "+Nguồn: Báo Đắk Nông" in diff.splitlines()


def test_unified_diff_reads_like_the_article() -> None:
    diff = unified_diff(_doc(["một"]), _doc(["hai"]))
    assert diff.splitlines()[0].startswith("--- http://p.test/a-1.html")


def _seq(*keys: str) -> list[tuple[str, str]]:
    return [(k, f"http://p.test/{k}.html") for k in keys]


def test_an_article_gone_between_its_neighbours_is_removed() -> None:
    before = {"/l": _seq("e", "d", "c", "b", "a")}
    now = {"/l": _seq("f", "e", "d", "b", "a")}
    assert removed_from_listings(before, now) == [("c", "http://p.test/c.html")]


def test_two_neighbours_gone_together_are_both_removed() -> None:
    before = {"/l": _seq("e", "d", "c", "b", "a")}
    now = {"/l": _seq("e", "b", "a")}
    assert [k for k, _ in removed_from_listings(before, now)] == ["d", "c"]


def test_the_first_article_gone_is_removed() -> None:
    assert [k for k, _ in removed_from_listings({"/l": _seq("c", "b", "a")},
                                                {"/l": _seq("b", "a")})] == ["c"]


def test_articles_paged_out_of_view_are_not_removed() -> None:
    # Three new articles pushed c, b, a past the last page this run read.
    before = {"/l": _seq("e", "d", "c", "b", "a")}
    now = {"/l": _seq("h", "g", "f", "e", "d")}
    assert removed_from_listings(before, now) == []


def test_an_article_that_changed_listing_is_not_removed() -> None:
    before = {"/l": _seq("c", "b", "a"), "/m": _seq("z")}
    now = {"/l": _seq("c", "a"), "/m": _seq("b", "z")}
    assert removed_from_listings(before, now) == []


def test_a_listing_not_read_this_time_tells_nothing() -> None:
    assert removed_from_listings({"/l": _seq("c", "b", "a")}, {}) == []


def _run(run_id: str, pages: int, status: str = "finished") -> dict:
    return {"id": run_id, "status": status, "stats": json.dumps({"listing/pages": pages})}


def test_site_down_is_said_once_on_the_nth_run_without_a_listing() -> None:
    runs = [_run("a", 3), _run("b", 0)]
    assert site_down(runs, "c", 2, read_listing=False)  # b and c: two in a row
    assert not site_down(runs, "c", 3, read_listing=False)  # not yet
    assert not site_down([*runs, _run("c", 0)], "d", 2, read_listing=False)  # said already
    assert not site_down(runs, "c", 2, read_listing=True)


def test_an_interrupted_run_breaks_the_site_down_streak() -> None:
    runs = [_run("a", 0), _run("b", 0, status="interrupted")]
    assert not site_down(runs, "c", 3, read_listing=False)


def test_only_a_permanent_redirect_elsewhere_is_a_move() -> None:
    assert moved(["http://old.test/tin"], [301], "https://new.test/tin") == (
        "http://old.test/tin", "- http://old.test/tin\n+ https://new.test/tin")
    assert moved(["http://old.test/tin"], [308], "https://new.test/tin") is not None
    assert moved(["http://old.test/tin"], [302], "https://new.test/tin") is None
    assert moved([], [], "https://new.test/tin") is None
    assert moved(["https://new.test/tin"], [301], "https://new.test/tin") is None
