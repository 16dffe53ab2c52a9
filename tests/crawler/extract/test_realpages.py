"""Extraction measured on real portal pages against their hand-read truth (issue 10's bar:
95% of the checks, 95% of each listing's article links and its next page)."""

from __future__ import annotations

import copy
import subprocess
from pathlib import Path
from typing import Any

import pytest

from portal_archive.crawler.text import fold
from tests.realpages import (
    REALPAGES,
    Check,
    Truth,
    default_loader,
    folder_loader,
    git_loader,
    load_truth,
    overall,
    pages_available,
    per_field,
    report,
    score_all,
    score_article,
    score_listing,
    score_listings,
    truth_files,
)

TRUTH = load_truth()
BAR = 0.95
needs_pages = pytest.mark.skipif(
    not pages_available(), reason=f"real pages not found at {REALPAGES}"
    " (set PORTAL_ARCHIVE_REALPAGES to the shared realpages folder)")

def perfect(truth: dict[str, Any]) -> dict[str, Any]:
    """The article dict an ideal extractor returns for a truth entry."""
    return {"title": truth["title"], "published": truth["published"],
            "lead": truth["lead"] + " và tiếp nữa.", "body": [*truth["body"]],
            "images": [{"src": "http://x.test/a.jpg", "caption": i["caption"], "credit": None}
                       for i in truth["images"]],
            "authors": truth["authors"], "source": truth["source"], "category": None}


def failed(checks: list[Check]) -> set[str]:
    return {c.field for c in checks if not c.passed}


# --- the scorer itself ------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(TRUTH.pages))
def test_a_perfect_article_passes_every_check(name: str) -> None:
    checks = score_article(name, TRUTH.pages[name], perfect(TRUTH.pages[name]))
    assert overall(checks) == 1.0, report(checks)


def test_a_wrong_title_fails_the_title_and_nothing_else() -> None:
    truth = TRUTH.pages["dn-stp-viet-da-olympic.html"]
    got = {**perfect(truth), "title": "Tin tức - Sự kiện"}
    assert failed(score_article("p", truth, got)) == {"title"}


def test_a_site_heading_for_title_is_also_leaked_boilerplate() -> None:
    truth = TRUTH.pages["dn-ldld-trung-thu.html"]
    assert failed(score_article("p", truth, {**perfect(truth), "title": "Root"})) == {
        "title", "boilerplate"}


def test_a_tone_mark_moved_is_still_the_same_title() -> None:
    truth = TRUTH.pages["dn-thanhtra-dieu-tra-dan-so.html"]
    got = {**perfect(truth), "title": truth["title"].replace("hòa", "hoà")}
    assert "title" not in failed(score_article("p", truth, got))


def test_published_is_compared_as_an_instant_and_null_only_equals_null() -> None:
    truth = TRUTH.pages["dn-dakrlap-baoviet-hocbong.html"]
    same = {**perfect(truth), "published": "2019-08-08T01:51:00+00:00"}
    assert "published" not in failed(score_article("p", truth, same))
    for wrong in (None, "2019-08-08T08:51:00", "2019-05-09T00:00:00+07:00", "thứ năm"):
        assert "published" in failed(score_article("p", truth, {**same, "published": wrong}))
    empty = TRUTH.pages["dn-ldld-trung-thu.html"]
    assert "published" in failed(score_article("p", empty, {
        **perfect(empty), "published": "2019-05-09T00:00:00+07:00"}))


def test_captions_are_positional_and_a_missing_image_fails_its_caption() -> None:
    truth = TRUTH.pages["dn-thanhtra-dieu-tra-dan-so.html"]  # caption, then none
    got = perfect(truth)
    got["images"].reverse()
    checks = [c for c in score_article("p", truth, got) if c.field == "captions"]
    assert [c.passed for c in checks] == [False, False]
    got["images"] = got["images"][1:]
    assert failed(score_article("p", truth, got)) == {"images", "captions"}


def test_a_byline_left_in_the_body_fails_even_in_pieces() -> None:
    truth = TRUTH.pages["dn-dakrlap-lichsu-dangbo-kienduc.html"]
    for left in (truth["byline"], "(Đài Truyền thanh huyện)"):
        got = perfect(truth)
        got["body"].append(left)
        assert failed(score_article("p", truth, got)) == {"byline"}, left


def test_authors_are_a_set_and_source_is_its_own_field() -> None:
    truth = TRUTH.pages["dn-dakrlap-lichsu-dangbo-kienduc.html"]
    got = {**perfect(truth), "authors": ["Thanh Tiến", "Ngô Tấm"]}
    assert not failed(score_article("p", truth, got))
    got = {**got, "authors": ["Ngô Tấm", "Thanh Tiến", "Đài Truyền thanh huyện"],
           "source": None}
    assert failed(score_article("p", truth, got)) == {"authors", "source"}


def test_a_lead_must_start_with_the_printed_lead_and_the_body_hold_every_fragment() -> None:
    truth = TRUTH.pages["dn-ldld-trung-thu.html"]
    got = {**perfect(truth), "lead": "Vui Trung thu sớm"}
    assert failed(score_article("p", truth, got)) == {"lead"}
    got = {**perfect(truth), "body": truth["body"][:-1]}
    assert failed(score_article("p", truth, got)) == {"body"}


def test_chrome_in_any_text_field_is_boilerplate_whatever_its_case() -> None:
    truth = TRUTH.pages["dn-thanhtra-ran-tro-su-thi.html"]
    for where in ("body", "caption", "category"):
        got = copy.deepcopy(perfect(truth))
        leak = "SỐ LƯỢT NGƯỜI XEM : 12"
        if where == "body":
            got["body"].append(leak)
        elif where == "caption":
            got["images"][0]["caption"] += " " + leak
        else:
            got["category"] = leak
        assert "boilerplate" in failed(score_article("p", truth, got)), where


def test_an_extractor_that_gave_up_fails_every_check() -> None:
    truth = TRUTH.pages["dn-stp-an-toan-thuc-pham.html"]
    checks = score_article("p", truth, None)
    # Not even the null source and empty authors that an empty dict would get right.
    assert len(checks) == len(score_article("p", truth, {})) and overall(checks) == 0.0


def test_a_listing_scores_recall_order_extras_and_next_page() -> None:
    truth = TRUTH.listings["dn-dakrlap-listing-tin-tuc-su-kien.html"]
    links = [*truth["articles"]]
    score = score_listing("l", truth, links, truth["next"])
    assert (score.recall, score.in_order, score.extra, score.next_right) == (1.0, True, [],
                                                                             True)
    menu = "https://dakrlap.daknong.gov.vn/huyen-uy"
    score = score_listing("l", truth, [menu, *reversed(links[1:])], None)
    assert score.recall == pytest.approx(19 / 20)
    assert not score.in_order and score.extra == [menu] and not score.next_right
    assert not score_listing("l", truth, [], truth["next"]).in_order


def test_listing_dates_are_checked_when_the_extractor_gives_them() -> None:
    truth = TRUTH.listings["dn-ldld-listing-tin-tuc-su-kien.html"]
    first, second, *rest = truth["articles"]
    dates: dict[str, str | None] = {first: "2019-05-17T02:49:00Z", second: None}
    checks = score_listing("l", truth, truth["articles"], None, dates).checks
    assert [c.passed for c in checks if c.field == "dates"] == [True, False, *[True] * len(rest)]


def test_per_field_totals_and_the_report() -> None:
    checks = [Check("a", "title", True), Check("a", "lead", False, "x"),
              Check("b", "title", False, "'Home'")]
    assert per_field(checks) == {"title": (1, 2), "lead": (0, 1)}
    assert overall(checks) == pytest.approx(1 / 3)
    assert "FAIL b title: 'Home'" in report(checks)


def test_a_second_truth_file_reads_its_pages_from_a_git_commit(tmp_path: Path) -> None:
    # Pages kept in another repository: repo, commit, path instead of a file name.
    page = TRUTH.pages["dn-stp-pct-truong-thanh-tung.html"]
    work = tmp_path / "work"
    work.mkdir()
    (work / "tin").mkdir()
    paragraphs = "".join(f"<p>{t} cuối.</p>" for t in [page["lead"], *page["body"]] * 2)
    html = f"<html><body><h1>{page['title']}</h1><article>{paragraphs}</article></body></html>"
    (work / "tin" / "index.html").write_text(html, encoding="utf-8")
    git = ["git", "-C", str(work), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "page"], check=True)
    commit = subprocess.run([*git, "rev-parse", "HEAD"], check=True, capture_output=True,
                            text=True).stdout.strip()
    mirrors = tmp_path / "mirrors"
    mirrors.mkdir()
    (work / ".git").rename(mirrors / "owner+portal")
    entry = {**page, "repo": "owner/portal", "commit": commit, "path": "tin/index.html",
             "images": [], "boilerplate": ["Home"]}
    truth = Truth(tmp_path / "more.json", {"tin": entry})
    checks = score_all(truth, default_loader(tmp_path / "none", mirrors))
    assert {c.field for c in checks if c.passed} >= {"title", "lead", "body", "boilerplate"}
    with pytest.raises(FileNotFoundError, match="no mirror"):
        git_loader(lambda repo: tmp_path / "absent")("tin", entry)


# --- the real pages ---------------------------------------------------------------------------


@needs_pages
def test_every_truth_string_is_printed_on_its_page() -> None:
    # The truth is read from the pages: each of its texts is on the page as printed.
    from lxml import html as lxml_html

    load = folder_loader()
    for name, truth in TRUTH.pages.items():
        tree = lxml_html.fromstring(load(name, truth).decode("utf-8"))
        text = fold(" ".join(tree.xpath("//body//text()[not(ancestor::script)]"))).lower()
        strings = [truth["title"], truth["lead"], *truth["body"], *truth["authors"],
                   *(i["caption"] for i in truth["images"] if i["caption"]),
                   *(s for s in (truth["source"], truth["byline"]) if s),
                   *truth["boilerplate"]]
        assert not [s for s in strings if fold(s).lower() not in text], name


# The bar is the same on every truth file, the other CMS families' included.
TRUTH_FILES = truth_files()
LISTINGS = [(path, name) for path in TRUTH_FILES for name in load_truth(path).listings]


def scored(path: Path) -> list[Check]:
    try:
        return score_all(load_truth(path))
    except FileNotFoundError as missing:
        pytest.skip(f"pages of {path.name} not found: {missing}")


@pytest.fixture(scope="module")
def article_checks() -> list[Check]:
    return score_all(TRUTH)


@needs_pages
def test_every_page_is_scored_on_every_field(article_checks: list[Check]) -> None:
    assert {c.page for c in article_checks} == set(TRUTH.pages)
    fields = per_field(article_checks)
    assert fields["captions"][1] == sum(len(p["images"]) for p in TRUTH.pages.values())
    assert fields["byline"][1] == sum(bool(p["byline"]) for p in TRUTH.pages.values())


def _families() -> list[Any]:
    """(truth file, CMS family) pairs: the bar holds for each family on its own, so that
    one well-read family cannot carry another. A family not yet at the bar is listed in
    BELOW_BAR, and says so in the report (xfail), rather than being left out."""
    pairs = []
    for path in TRUTH_FILES:
        families = sorted({p.get("family", "daknong-static") for p in
                           load_truth(path).pages.values()})
        for family in families:
            marks = [pytest.mark.xfail(strict=False, reason=BELOW_BAR[family])] \
                if family in BELOW_BAR else []
            pairs.append(pytest.param(path, family, marks=marks, id=f"{path.name}:{family}"))
    return pairs


# Families whose pages are read but whose rules are not written yet (issue 10's note).
BELOW_BAR: dict[str, str] = {
    # The page heads itself "63/2023/AL" (<title>, h3); the truth takes the precedent's
    # name, printed only as the "Tên án lệ" value of its table. Kept as read, not fitted.
    "oracle-webcenter-anle": "one page: the headline is a label/value table's value",
}


@pytest.mark.parametrize(("path", "family"), _families())
def test_real_pages_pass_95_percent_of_the_checks(path: Path, family: str) -> None:
    truth = load_truth(path)
    names = {n for n, p in truth.pages.items() if p.get("family", "daknong-static") == family}
    checks = [c for c in scored(path) if c.page in names]
    assert overall(checks) >= BAR, "\n" + report(checks)


@pytest.mark.parametrize(("path", "name"), LISTINGS, ids=[name for _, name in LISTINGS])
def test_a_real_listing_yields_its_article_links_and_next_page(path: Path, name: str) -> None:
    truth = load_truth(path)
    try:
        score = next(s for s in score_listings(truth) if s.name == name)
    except FileNotFoundError as missing:
        pytest.skip(f"page not found: {missing}")
    assert score.recall >= BAR and score.in_order, f"recall {score.recall:.0%}, extra" \
        f" {score.extra[:5]}"
    assert score.next_right
