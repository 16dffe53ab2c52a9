"""The lead of a page with no sapo: the first prose line, after a legal text's heading."""

import doctest

from portal_archive.crawler.extract import extract_article, leadline

URL = "https://vbpl.example.vn/TW/Pages/vbpq-toanvan.aspx?ItemID=1"
PREAMBLE = "Trải qua mấy nghìn năm lịch sử, nhân dân Việt Nam lao động cần cù, sáng tạo."
ARTICLE = "Điều 1. Nước Cộng hoà xã hội chủ nghĩa Việt Nam là một nước độc lập, có chủ quyền."


def _page(opening: str) -> str:
    return (
        "<html><head><meta charset='utf-8'></head><body><h1>Văn bản pháp luật trung ương</h1>"
        f"<div class='Section1'>{opening}<p>{PREAMBLE}</p><p>{ARTICLE}</p><p>{ARTICLE}</p>"
        "</div></body></html>"
    )


def test_doctests() -> None:
    assert doctest.testmod(leadline).failed == 0


def test_a_legal_texts_heading_lines_are_no_lead_and_stay_in_the_body() -> None:
    heading = "<p>HIẾN PHÁP</p><p>NƯỚC CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM</p><p>______</p>"
    rules: dict[str, str] = {}
    a = extract_article(_page(heading + "<p>LỜI NÓI ĐẦU</p>"), URL, explain=rules)
    assert a["lead"] == PREAMBLE
    assert a["body"][:4] == ["HIẾN PHÁP", "NƯỚC CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM", "______",
                             "LỜI NÓI ĐẦU"]  # fmt: skip
    assert rules["lead"] == "first paragraph of the content block, after its heading lines"


def test_a_text_all_in_capitals_keeps_its_first_line_as_lead() -> None:
    shout = "".join(f"<p>THÔNG BÁO KHẨN SỐ {n} VỀ VIỆC PHÒNG CHỐNG BÃO LŨ</p>" for n in range(8))
    a = extract_article(_page(shout), URL)
    assert a["lead"] == "THÔNG BÁO KHẨN SỐ 0 VỀ VIỆC PHÒNG CHỐNG BÃO LŨ"


def test_an_opening_bold_subhead_is_no_lead() -> None:
    opening = "<div><strong>Vui Trung thu sớm</strong></div>"
    a = extract_article(_page(opening), URL)
    assert a["lead"] == PREAMBLE and a["body"][0] == "Vui Trung thu sớm"


def test_a_bold_opening_sentence_is_the_lead() -> None:
    """Many portals set the sapo in bold as the first paragraph: still the lead."""
    sapo = "Sáng 2/7, UBND tỉnh tổ chức hội nghị tổng kết công tác nửa đầu năm 2019."
    a = extract_article(_page(f"<p><b>{sapo}</b></p>"), URL)
    assert a["lead"] == sapo and a["body"][0] == PREAMBLE
