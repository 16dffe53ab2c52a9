import doctest

import lxml.html
import pytest

from portal_archive.crawler.extract import captions
from portal_archive.crawler.extract.captions import (
    block_align,
    is_caption_class,
    is_italic_style,
    looks_like_caption,
    split_credit,
)


def test_doctests() -> None:
    assert doctest.testmod(captions).failed == 0


@pytest.mark.parametrize(
    ("caption", "expected"),
    [
        ("X phát biểu. (Ảnh: Thanh Tùng)", ("X phát biểu.", "Thanh Tùng")),
        ("X phát biểu (Ảnh: Thanh Tùng).", ("X phát biểu", "Thanh Tùng")),
        ("Quang cảnh hội nghị. Ảnh: Thanh Tùng", ("Quang cảnh hội nghị.", "Thanh Tùng")),
        ("Caption three Ảnh: Hoàng Anh", ("Caption three", "Hoàng Anh")),
        ("Quang cảnh hội nghị - Ảnh: TTXVN", ("Quang cảnh hội nghị", "TTXVN")),
        ("Quang cảnh hội nghị (ảnh: BTC)", ("Quang cảnh hội nghị", "BTC")),
        ("Đại biểu dự hội nghị. Ảnh - Minh Đức", ("Đại biểu dự hội nghị.", "Minh Đức")),
        ("Đại biểu dự hội nghị (Ảnh minh họa: Internet)", ("Đại biểu dự hội nghị", "Internet")),
        ("Toàn cảnh (Nguồn: baochinhphu.vn)", ("Toàn cảnh", "baochinhphu.vn")),
        ("Ảnh: Thanh Tùng", (None, "Thanh Tùng")),
        ("Ảnh - X", (None, "X")),
        ("(Ảnh: X)", (None, "X")),
        ("  Ảnh:\u00a0Thanh Tùng. ", (None, "Thanh Tùng")),
        ("Quang cảnh hội nghị", ("Quang cảnh hội nghị", None)),
        (
            "Ảnh: Toàn cảnh hội nghị. Các đại biểu biểu quyết thông qua nghị quyết.",
            (
                "Ảnh: Toàn cảnh hội nghị. Các đại biểu biểu quyết thông qua nghị quyết.",
                None,
            ),
        ),
        (
            "Hội thi chụp ảnh: giải nhất thuộc về tác giả trẻ",
            (
                "Hội thi chụp ảnh: giải nhất thuộc về tác giả trẻ",
                None,
            ),
        ),
        ("", (None, None)),
    ],
)
def test_split_credit(caption: str, expected: tuple[str | None, str | None]) -> None:
    assert split_credit(caption) == expected


def test_split_credit_normalises_text() -> None:
    import unicodedata

    nfd = unicodedata.normalize("NFD", "Phát biểu.\u00a0(Ảnh:\u200b Thanh Tùng)")
    assert split_credit(nfd) == ("Phát biểu.", "Thanh Tùng")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("image_caption", True),
        ("img-caption", True),
        ("caption", True),
        ("wp-caption-text", True),
        ("PBoxCaption", True),
        ("chu-thich", True),
        ("content", False),
        ("", False),
        (None, False),
    ],
)
def test_is_caption_class(value: str | None, expected: bool) -> None:
    assert is_caption_class(value) is expected


def test_looks_like_caption() -> None:
    assert looks_like_caption("Phó Chủ tịch UBND huyện phát biểu tại Hội nghị.")
    assert not looks_like_caption("")
    assert not looks_like_caption("chữ " * 200)


def _el(html: str, xpath: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(html).xpath(xpath)[0]


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<div><p style="text-align:center"><em>x</em></p></div>', "center"),
        ('<div><p style="TEXT-ALIGN: right;">x</p></div>', "right"),
        ('<div><p align="right"><b>x</b></p></div>', "right"),
        ("<div><center><p>x</p></center></div>", "center"),
        ('<div><p class="text-center">x</p></div>', "center"),
        ('<div align="center"><p>x</p></div>', "center"),
        ("<div><p>x</p></div>", None),
    ],
)
def test_block_align(html: str, expected: str | None) -> None:
    assert block_align(_el(html, "//p")) == expected


def test_block_align_stops_at_the_container() -> None:
    root = lxml.html.fromstring('<div align="center"><div id="c"><p>x</p></div></div>')
    p, container = root.xpath("//p")[0], root.xpath("//*[@id='c']")[0]
    assert block_align(p, container) is None


def test_is_italic_style() -> None:
    assert is_italic_style("font-style: italic")
    assert is_italic_style("color:red;FONT-STYLE:oblique")
    assert not is_italic_style("font-weight:bold")
    assert not is_italic_style(None)
