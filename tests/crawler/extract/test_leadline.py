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
