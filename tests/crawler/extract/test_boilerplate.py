"""Boilerplate that must never reach the article: what the page hides, admin menus,
web-archive toolbars, visitor counters, "Xem chi tiết", Word's leftovers; and the short
closing lines that are the article's own text, which stay."""

from typing import Any

import pytest

from portal_archive.crawler.extract import decode_html, extract_article
from tests.realpages import REALPAGES

P1 = "Sáng 27/7, Ủy ban nhân dân huyện tổ chức hội nghị tổng kết công tác năm với nhiều đơn vị."
P2 = "Tham dự hội nghị có lãnh đạo các phòng, ban, ngành và Ủy ban nhân dân các xã, thị trấn."
P3 = "Hội nghị đã thống nhất các nhiệm vụ trọng tâm cho năm tới, tập trung vào cải cách hành chính."


def _extract(content: str, around: str = "") -> dict[str, Any]:
    html = (
        "<html><head><meta charset='utf-8'></head><body>"
        f"{around}<div class='main'><h1>Tiêu đề bài viết thử nghiệm</h1>"
        f"<div class='content'><p>{P1}</p><p>{P2}</p>{content}<p>{P3}</p></div></div>"
        "</body></html>"
    )
    return extract_article(html, "http://portal.example.gov.vn/tin/a")


def _texts(article: dict[str, Any]) -> list[str]:
    texts = [article["title"], article["lead"] or "", *article["body"], *article["authors"]]
    texts += [t for i in article["images"] for t in (i["caption"], i["credit"]) if t]
    return texts + [article["category"] or "", article["source"] or ""]


def _leaks(article: dict[str, Any], *chrome: str) -> list[str]:
    return [t for t in _texts(article) for c in chrome if c in t]


HIDDEN = "Nội dung bị ẩn khỏi người đọc, một trình đơn thả xuống có nhiều mục liên kết khác nhau"


@pytest.mark.parametrize(
    "hidden",
    [
        f"<div style='display:none'><p>{HIDDEN}</p></div>",
        f"<div style='color:red; DISPLAY: none !important'>{HIDDEN}</div>",
        f"<p style='visibility:hidden'>{HIDDEN}</p>",
        f"<p hidden>{HIDDEN}</p>",
        f"<div aria-hidden='true'><p>{HIDDEN}</p></div>",
        f"<p><span style='mso-hide:all'>{HIDDEN}</span></p>",
    ],
)
def test_what_the_page_hides_is_not_read(hidden: str) -> None:
    article = _extract(hidden)
    assert article["body"] == [P2, P3] and not _leaks(article, "bị ẩn")


def test_an_aria_hidden_thumbnail_is_still_an_image() -> None:
    article = _extract("<a aria-hidden='true' tabindex='-1' href='/tin/a'><img src='/a.jpg'></a>")
    assert [i["src"] for i in article["images"]] == ["http://portal.example.gov.vn/a.jpg"]


def test_a_page_hidden_until_its_script_runs_is_read() -> None:
    html = (
        "<html><body><div id='page' style='display:none'><h1>Tiêu đề bài viết thử nghiệm</h1>"
        f"<div><p>{P1}</p><p>{P2}</p></div></div></body></html>"
    )
    article = extract_article(html, "http://portal.example.gov.vn/tin/a")
    assert article["title"] == "Tiêu đề bài viết thử nghiệm" and article["body"] == [P2]


def test_a_hidden_site_heading_is_no_title() -> None:
    """SharePoint pages carry a hidden <h1>Home</h1> above the article's own heading."""
    html = (
        "<html><body><div class='s4-title-inner' style='display:none'><h1>Home</h1></div>"
        "<div><p class='Title'>Lễ ra quân tổng điều tra dân số</p>"
        f"<p>{P1}</p><p>{P2}</p></div></body></html>"
    )
    article = extract_article(html, "http://portal.example.gov.vn/tin/a")
    assert article["title"] == "Lễ ra quân tổng điều tra dân số" and not _leaks(article, "Home")


@pytest.mark.parametrize(
    "chrome",
    [
        "<div id='wpadminbar'><p>Sửa bài viết này trong trang quản trị của cổng</p></div>",
        "<ul class='admin-menu'><li>Chỉnh sửa liên kết ảnh của bài viết trên cổng</li></ul>",
        "<div class='s4-ribbonrow'><p>Chỉnh sửa trang này bằng công cụ quản trị nội dung</p></div>",
        "<div id='wm-ipp-base'><p>The Internet Archive discovers and captures web pages</p></div>",
        "<div class='luot-xem'>Số lượt người xem : 1.234 lượt trong tháng này</div>",
    ],
)
def test_admin_menus_toolbars_and_counters_are_boilerplate(chrome: str) -> None:
    article = _extract(chrome)
    assert article["body"] == [P2, P3]


@pytest.mark.parametrize(
    "line",
    [
        "23 captures",
        "12 Dec 2016 - 27 Nov 2018",
        "Go",
        "Số lượt người xem : 1.234",
        "Số lượt người xem :",
        "Lượt xem: 56",
        "Lượt xem: 56 | Bản in",
        "Xem chi tiết tại đây",
        "xem chi tiết tại đây",
        "Xem thêm »",
        "Normal 0 false false false EN-US X-NONE X-NONE MicrosoftInternetExplorer4",
        '/* Style Definitions */ table.MsoNormalTable {mso-style-name:"Table Normal";}',
    ],
)
def test_widget_lines_are_dropped(line: str) -> None:
    assert _extract(f"<p>{line}</p>")["body"] == [P2, P3]


def test_word_leftovers() -> None:
    article = _extract(
        "<xml><w:WordDocument><w:View>Normal</w:View><w:Zoom>0</w:Zoom></w:WordDocument></xml>"
        f"<p class='MsoNormal'><span style='mso-bidi-font-size:12pt'>{P1}</span><o:p></o:p></p>"
        "<p class='MsoNormal'><o:p>&nbsp;</o:p></p><p class='MsoNormal'><o:p></o:p></p>"
    )
    assert article["body"] == [P2, P1, P3] and not _leaks(article, "Normal", "o:p")


@pytest.mark.parametrize(
    "closing",
    [
        "Thông báo này thay cho giấy mời.",
        "Xin trân trọng thông báo!",
        "Mọi chi tiết xin liên hệ Văn phòng UBND huyện.",
        "Xem chi tiết kế hoạch tại văn bản đính kèm.",
        "Hạn cuối nhận hồ sơ là ngày 30/8/2019.",
    ],
)
def test_a_short_closing_announcement_stays(closing: str) -> None:
    html = (
        "<html><body><h1>Thông báo tuyển dụng viên chức năm 2019</h1>"
        f"<div><p>{P1}</p><p>{P2}</p><p>{closing}</p></div></body></html>"
    )
    article = extract_article(html, "http://portal.example.gov.vn/tin/a")
    assert article["body"] == [P2, closing]
    assert article["authors"] == [] and article["source"] is None


# Chrome that SOURCES.md names on the real pages: the Wayback toolbar, the counter and the
# print link, "Xem chi tiết tại đây", the editors' right-click menu, SharePoint's leftovers.
REAL_CHROME = ("captures", "Internet Archive", "lượt người xem", "Bản in", "Xem chi tiết",
               "xem chi tiết", "Chỉnh sửa liên kết", "gioithieu", "Help")


@pytest.mark.skipif(not REALPAGES.is_dir(), reason=f"the real pages are not at {REALPAGES}")
def test_no_chrome_on_the_real_pages() -> None:
    pages = [p for p in sorted(REALPAGES.glob("dn-*.html")) if "listing" not in p.name]
    assert len(pages) >= 13
    for page in pages:
        article = extract_article(decode_html(page.read_bytes(), None), f"http://x.vn/{page.stem}/")
        assert not _leaks(article, *REAL_CHROME), page.name
