"""Sources and bylines at the foot of an article: the source line, the agency in brackets,
and none of it left in the body; on small pages and on the real portals' pages."""

import doctest
from typing import Any

import pytest
from lxml.cssselect import CSSSelector

from portal_archive.crawler.extract import decode_html, extract_article, source
from portal_archive.crawler.extract.source import read_source_line, split_agency
from portal_archive.crawler.sites import Selectors, SiteProfile
from tests.realpages import REALPAGES

LONG = "Nội dung đoạn văn đủ dài để được tính là một đoạn của bài viết trên cổng thông tin. "


def test_doctests() -> None:
    assert doctest.testmod(source).failed == 0


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Theo Báo Đăk Nông điện tư", ("Báo Đăk Nông điện tư", None)),
        ("Theo Cổng thông tin điện tử tỉnh Đăk Nông",
         ("Cổng thông tin điện tử tỉnh Đăk Nông", None)),
        ("(Nguồn: Báo Dân trí)", ("Báo Dân trí", None)),
        ("Nguồn: TTXVN", ("TTXVN", None)),
        ("Nguồn tin: Sở Nội vụ.", ("Sở Nội vụ", None)),
        ("Theo QV (TTXVN)", ("TTXVN", "QV")),
        ("(Theo baochinhphu.vn)", ("baochinhphu.vn", None)),
        ("theo VnExpress", ("VnExpress", None)),
        ("Theo: TTXVN/Vietnam+", ("TTXVN/Vietnam+", None)),
        ("Theo Báo Nhân Dân, TTXVN", ("Báo Nhân Dân, TTXVN", None)),
        ("Theo Báo Đắk Nông (Đắk Nông)", ("Báo Đắk Nông (Đắk Nông)", None)),
        ("Theo Báo Đắk Nông (tổng hợp)", ("Báo Đắk Nông", None)),
        ("Nguồn: Quyết định số 123/QĐ-UBND", ("Quyết định số 123/QĐ-UBND", None)),
    ],
)
def test_source_lines(line: str, expected: tuple[str, str | None]) -> None:
    assert read_source_line(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "Theo kế hoạch, dự án sẽ hoàn thành trong năm 2027.",
        "Theo thống kê, toàn huyện Đắk Song hiện có 800 ha cây bí đỏ.",
        "Theo bạn Bùi Thị Huyền, Chủ nhiệm câu lạc bộ, mùa Trung thu 2017 sẽ về thôn.",
        "Theo Quyết định số 123/QĐ-UBND, các xã phải báo cáo trước ngày 30/8.",
        "Theo Chủ tịch UBND huyện. Hội nghị kết thúc lúc 17 giờ.",
        "Theo Quyết định, các xã phải báo cáo",
        "Theo Hướng dẫn số 05/HD-BTC",
        "Theo Kế hoạch 45/KH-UBND",
        "Nguồn ảnh: Thanh Tùng",
        "Nguồn vốn: ngân sách tỉnh",
        "Theo " + "Báo Đắk Nông " * 8,
        "Lệ Sương",
    ],
)
def test_not_source_lines(line: str) -> None:
    assert read_source_line(line) is None


def test_agency_in_brackets() -> None:
    assert split_agency("Minh Đức (TTXVN)") == ("Minh Đức", "TTXVN")
    assert split_agency("Minh Đức – Thu Hà") == ("Minh Đức – Thu Hà", None)
    assert split_agency("Minh Đức (lược dịch)") == ("Minh Đức", None)
    assert split_agency("Minh Đức (Theo TTXVN)") == ("Minh Đức", "TTXVN")


def _extract(closing: str) -> dict[str, Any]:
    html = (
        "<html><head><meta charset='utf-8'></head><body><div class='main'>"
        "<h1>Tiêu đề bài viết thử nghiệm</h1>"
        f"<div class='content'><p>{LONG * 2}</p><p>{LONG * 2}</p>{closing}</div></div>"
        "</body></html>"
    )
    return extract_article(html, "http://portal.example.gov.vn/tin/a")


@pytest.mark.parametrize(
    ("closing", "authors", "src"),
    [
        ("<p>Tin, ảnh Ngô Tấm – Thanh Tiến (Đài Truyền thanh huyện)</p>",
         ["Ngô Tấm", "Thanh Tiến"], "Đài Truyền thanh huyện"),
        ("<p>Lệ Sương</p>", ["Lệ Sương"], None),
        ("<p>Theo Báo Đăk Nông điện tư</p>", [], "Báo Đăk Nông điện tư"),
        ("<p><em>(Nguồn: Báo Dân trí)</em></p>", [], "Báo Dân trí"),
        ("<p style='text-align:right'><b>Theo QV (TTXVN)</b></p>", ["QV"], "TTXVN"),
        ("<p>Thu Hà</p><p>Nguồn: Sở Nội vụ</p>", ["Thu Hà"], "Sở Nội vụ"),
        ("<p>Nguồn: Sở Nội vụ</p><p align='right'><b>Thu Hà</b></p>", ["Thu Hà"], "Sở Nội vụ"),
        ("<p align='right'><b>Minh Đức (TTXVN)</b></p>", ["Minh Đức"], "TTXVN"),
        ("<p align='right'><b>Thu Hà (tổng hợp)</b></p>", ["Thu Hà"], None),
    ],
)
def test_bylines_and_sources_leave_the_body(closing: str, authors: list[str],
                                            src: str | None) -> None:
    article = _extract(closing)
    assert article["authors"] == authors and article["source"] == src
    assert article["body"] == [(LONG * 2).strip()]  # the lead is the first paragraph


def test_a_source_closing_the_last_paragraph() -> None:
    article = _extract(f"<p>{LONG}Hội nghị kết thúc lúc 17 giờ. (Theo TTXVN)</p>")
    assert article["source"] == "TTXVN"
    assert article["body"][-1] == f"{LONG}Hội nghị kết thúc lúc 17 giờ."


@pytest.mark.parametrize(
    "closing",
    [
        "<p>Theo thống kê, toàn huyện có 800 ha bí đỏ.</p>",
        "<p>Theo bạn Bùi Thị Huyền, mùa Trung thu năm nay sẽ về thôn Tân Lập.</p>",
        "<p>Hội nghị kết thúc lúc 17 giờ (giờ Hà Nội).</p>",
        "<p>Toàn tỉnh ghi nhận 120 ca mắc sốt xuất huyết (nguồn: Sở Y tế).</p>",
    ],
)
def test_closing_sentences_stay_in_the_body(closing: str) -> None:
    article = _extract(closing)
    assert article["authors"] == [] and article["source"] is None
    assert article["body"][-1] == closing[3:-4]


# The real pages' bylines as SOURCES.md reads them: (authors, source, the printed line).
REAL_BYLINES = {
    "dn-dakrlap-lichsu-dangbo-kienduc": (
        ["Ngô Tấm", "Thanh Tiến"], "Đài Truyền thanh huyện",
        "Tin, ảnh Ngô Tấm – Thanh Tiến (Đài Truyền thanh huyện)"),
    "dn-dakrlap-bao-cao-vien-t8": (["Lệ Sương"], None, "Lệ Sương"),
    "dn-dakrlap-baoviet-hocbong": ([], "Báo Đăk Nông điện tư", "Theo Báo Đăk Nông điện tư"),
    "dn-dakrlap-thang-hanh-dong-tre-em": (
        [], "Cổng thông tin điện tử tỉnh Đăk Nông", "Theo Cổng thông tin điện tử tỉnh Đăk Nông"),
    "dn-dakrlap-dien-tap-hoa-chat": ([], "Đăk Nông Điện tử", "Theo Đăk Nông Điện tử"),
    "dn-stp-viet-da-olympic": ([], None, None),
    "dn-thanhtra-dieu-tra-dan-so": ([], None, None),
    "dn-ldld-bi-do-rot-gia": ([], None, None),
}


@pytest.mark.skipif(not REALPAGES.is_dir(), reason=f"the real pages are not at {REALPAGES}")
@pytest.mark.parametrize("name", sorted(REAL_BYLINES))
def test_real_pages_bylines(name: str) -> None:
    authors, src, printed = REAL_BYLINES[name]
    html = decode_html((REALPAGES / f"{name}.html").read_bytes(), None)
    article = extract_article(html, f"http://portal.example.gov.vn/{name}/")
    assert article["authors"] == authors and article["source"] == src
    if printed is not None:
        assert not [t for t in article["body"] if printed in t or (src or "\0") in t]


@pytest.mark.skipif(not REALPAGES.is_dir(), reason=f"the real pages are not at {REALPAGES}")
def test_explain_names_the_source_rule() -> None:
    rules: dict[str, str] = {}
    html = decode_html((REALPAGES / "dn-dakrlap-lichsu-dangbo-kienduc.html").read_bytes(), None)
    extract_article(html, "http://portal.example.gov.vn/a/", explain=rules)
    assert rules["authors"] == "closing line, right-aligned"
    assert rules["source"] == "agency in brackets after the byline (closing line, right-aligned)"


def test_an_agency_in_a_profiles_byline_is_the_source() -> None:
    profile = SiteProfile("p", "P", "http://portal.example.gov.vn/", ("/tin",),
                          selectors=Selectors(authors=CSSSelector("span.tac-gia")))
    html = (
        "<html><body><h1>Tiêu đề bài viết thử nghiệm</h1><div>"
        f"<p>{LONG * 2}</p><p>{LONG * 2}</p>"
        "<span class='tac-gia'>Thu Hà (TTXVN)</span><span class='tac-gia'>Minh Đức</span>"
        "</div></body></html>"
    )
    article = extract_article(html, "http://portal.example.gov.vn/tin/a", profile=profile)
    assert article["authors"] == ["Thu Hà", "Minh Đức"] and article["source"] == "TTXVN"


def _with_foot(closing: str, foot: str) -> tuple[dict[str, Any], dict[str, str]]:
    """An article whose CMS prints author and source fields after the content block."""
    html = (
        "<html><head><meta charset='utf-8'></head><body><article><h1>Chính sách mới về đánh"
        f" giá học sinh</h1><div class='content-detail'><p>{LONG}</p><p>{LONG}</p>"
        f"{closing}</div><hr><div class='foot'>{foot}</div></article></body></html>"
    )
    rules: dict[str, str] = {}
    return extract_article(html, "http://truong.example.edu.vn/tin/a", explain=rules), rules


FOOT = ("<div class='author'><b>Tác giả:</b> M.Nhật</div>"
        "<div><span><b>Nguồn:</b>moet.gov.vn</span> <span>Copy link</span></div>")  # fmt: skip


def test_the_source_field_beside_the_content_block_is_the_source() -> None:
    article, rules = _with_foot("", FOOT)
    assert article["source"] == "moet.gov.vn" and article["authors"] == ["M.Nhật"]
    assert rules["source"] == "source element span beside the content block"


def test_a_closing_legal_text_does_not_outrank_the_source_field() -> None:
    """"Nguồn: Thông tư …" closing the body names what the article sums up: it stays text."""
    article, _ = _with_foot("<p>Nguồn: <a href='/tt22.pdf'>Thông tư 22/2021/TT-BGDĐT</a></p>", FOOT)
    assert article["source"] == "moet.gov.vn"
    assert article["body"][-1] == "Nguồn: Thông tư 22/2021/TT-BGDĐT"


def test_a_closing_legal_text_is_the_source_when_nothing_else_says() -> None:
    article, _ = _with_foot("<p>Nguồn: Thông tư 22/2021/TT-BGDĐT</p>", "")
    assert article["source"] == "Thông tư 22/2021/TT-BGDĐT"


def test_a_photo_credit_inside_the_body_is_no_source_field() -> None:
    credit = "<p><img src='/a.jpg'></p><p>Nguồn: Internet</p><p>" + LONG + "</p>"
    article, _ = _with_foot(credit, "")
    assert article["source"] is None
