"""What class names say an element is: the lead's words, and boilerplate words that are
no boilerplate in a longer name."""

from typing import Any

import pytest

from portal_archive.crawler.extract import extract_article
from portal_archive.crawler.extract.roles import BOILER, SAPO, _classify

URL = "https://portal.example.gov.vn/tin-tuc/bai-1.html"
LONG = "Nội dung đoạn văn đủ dài để được tính là một đoạn của bài viết trên cổng thông tin. " * 2
SAPO_TEXT = "Sáng 2/7, UBND tỉnh tổ chức hội nghị tổng kết công tác nửa đầu năm."


def _article(body: str) -> dict[str, Any]:
    html = f"<html><head><meta charset='utf-8'></head><body>{body}</body></html>"
    return extract_article(html, URL)


@pytest.mark.parametrize("cls", ["brief", "brief-detail", "news_brief", "brief font-size-text",
                                 "moTaNgan", "mo-ta-ngan"])
def test_a_brief_class_is_the_lead(cls: str) -> None:
    """The sapo in its own block before the content block, marked "brief"."""
    a = _article(
        f"<article><h1>Tiêu đề bài viết thử nghiệm</h1><div class='{cls}'><p>{SAPO_TEXT}</p>"
        f"</div><div class='content-detail'><p>{LONG}</p><p>{LONG}</p></div></article>"
    )
    assert a["lead"] == SAPO_TEXT
    assert a["body"] == [LONG.strip(), LONG.strip()]


@pytest.mark.parametrize("token", ["briefcase", "debriefing"])
def test_brief_inside_another_word_is_no_lead(token: str) -> None:
    assert not _classify(token) & SAPO


@pytest.mark.parametrize(
    ("token", "boiler"),
    [("font-size", True), ("fontsize-btn", True), ("font-size-text", False),
     ("fontsize_content", False)],
)  # fmt: skip
def test_font_size_widget_is_boilerplate_its_text_is_not(token: str, boiler: bool) -> None:
    """The "A+ A-" widget goes; the text it resizes ("font-size-text") stays."""
    assert bool(_classify(token) & BOILER) is boiler
