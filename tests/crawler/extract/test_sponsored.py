"""Sponsored blocks: an ad unit labelled "Tin tài trợ" / "Quảng cáo" leaves no text and no
image in the article, whether pasted between the body's paragraphs or boxed."""

from typing import Any

import pytest

from portal_archive.crawler.extract import extract_article

URL = "https://truong.example.edu.vn/tin-tuc/bai-1.html"
P1 = "Trẻ em luôn học hỏi từ chính cuộc sống hàng ngày và cách hiệu quả nhất để dạy con."
P2 = "Điều đó không có nghĩa rằng bạn không đưa ra những quy tắc hành xử cho con mình."
AD = "Chữa tiểu đêm nhiều lần không khó nếu bạn biết đến dược liệu dễ kiếm này"


def _article(middle: str) -> dict[str, Any]:
    html = (
        "<html><head><meta charset='utf-8'></head><body><h1>9 cách dạy con ngoan</h1>"
        f"<div class='content'><p>{P1}</p>{middle}<p>{P2}</p></div></body></html>"
    )
    return extract_article(html, URL)


def _inline_unit(href: str, label: str) -> str:
    """A syndicated article's ad as its source pasted it: the body's own tags."""
    return (
        f"<p><a href='{href}'><img src='https://ad.example.vn/{len(href)}.jpg'></a></p>"
        f"<h3><a href='{href}'>{AD}</a></h3><h5><a href='{href}'>{label}</a></h5>"
    )


@pytest.mark.parametrize("label", ["Tin tài trợ", "Quảng cáo", "TÀI TRỢ", "Sponsored"])
def test_an_ad_unit_pasted_between_paragraphs_goes(label: str) -> None:
    a = _article(_inline_unit("http://track.example.vn/c?id=1", label))
    assert a["body"] == [P2] and a["lead"] == P1
    assert a["images"] == [] and label not in str(a) and AD not in str(a)


def test_two_units_in_a_row_go_and_the_next_paragraph_stays() -> None:
    units = _inline_unit("http://t.example.vn/c?id=1", "Tin tài trợ")
    units += _inline_unit("http://t.example.vn/c?id=22", "Tin tài trợ")
    assert _article(units + "<p>Ví dụ: cúi xuống và nhìn ngang tầm mắt con khi nói.</p>")[
        "body"
    ] == ["Ví dụ: cúi xuống và nhìn ngang tầm mắt con khi nói.", P2]


def test_a_boxed_ad_with_an_unlinked_label_goes() -> None:
    box = f"<div><span>Quảng cáo</span><a href='/ad'><img src='/ad.jpg'></a> {AD}</div>"
    a = _article(box)
    assert a["body"] == [P2] and a["images"] == []


def test_a_link_beside_the_label_to_elsewhere_stays() -> None:
    """Only the links of the label's own unit go: the article's photo link stays."""
    photo = "<p><a href='/anh/1.jpg'><img src='/anh/1.jpg'></a></p>"
    a = _article(photo + "<h5><a href='http://t.example.vn/c?id=1'>Tin tài trợ</a></h5>")
    assert [i["src"] for i in a["images"]] == ["https://truong.example.edu.vn/anh/1.jpg"]


def test_a_paragraph_about_sponsorship_stays() -> None:
    line = "Quảng cáo là một ngành công nghiệp lớn, nhà trường tài trợ học bổng cho học sinh."
    assert _article(f"<p>{line}</p>")["body"] == [line, P2]
