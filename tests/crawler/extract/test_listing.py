import re

from parsel import Selector

from portal_archive.crawler.extract.listing import article_links, next_page

BASE = "http://portal.test/chuyen-muc/hoat-dong-cap-uy"


def _sel(body: str) -> Selector:
    return Selector(text=f"<html><body>{body}</body></html>")


def test_rel_next_wins() -> None:
    sel = _sel('<a href="?trang=9">Trang sau</a><a rel="next" href="?trang=2">»</a>')
    assert next_page(sel, BASE) == BASE + "?trang=2"


def test_trang_sau_link() -> None:
    sel = _sel('<div class="pagination"><a href="?trang=1">1</a> <span>2</span> '
               '<a href="?trang=3">3</a> <a href="?trang=3">Trang sau</a></div>')
    assert next_page(sel, BASE + "?trang=2") == BASE + "?trang=3"


def test_numbered_pages_only() -> None:
    sel = _sel('<div class="paging"><a href="?p=1">1</a> <span class="active">2</span> '
               '<a href="?p=3">3</a> <a href="?p=4">4</a></div>')
    assert next_page(sel, BASE + "?p=2") == BASE + "?p=3"


def test_numbered_pages_on_first_page_where_1_is_not_a_link() -> None:
    sel = _sel('<div class="paging"><b>1</b> <a href="?p=2">2</a> <a href="?p=3">3</a></div>')
    assert next_page(sel, BASE) == BASE + "?p=2"


def test_last_page_has_no_next() -> None:
    sel = _sel('<div class="paging"><a href="?p=1">1</a> <a href="?p=2">2</a> <b>3</b></div>')
    assert next_page(sel, BASE + "?p=3") is None


def test_article_links_by_pattern_stay_on_host_in_order_without_repeats() -> None:
    sel = _sel(
        '<a href="/tin-tuc/b-2.html"><img src="t.jpg"></a><a href="/tin-tuc/b-2.html">B</a>'
        '<a href="/tin-tuc/a-1.html#top">A</a><a href="http://other.test/tin-tuc/c-3.html">C</a>'
        '<a href="/gioi-thieu.html">About</a>'
    )
    links = article_links(sel, BASE, re.compile(r"^/tin-tuc/"))
    assert links == ["http://portal.test/tin-tuc/b-2.html", "http://portal.test/tin-tuc/a-1.html"]


def test_generic_article_links_skip_menus_and_short_texts() -> None:
    sel = _sel(
        '<ul class="menu"><li><a href="/tin-tuc/gioi-thieu-chung-ve-tinh-99.html">'
        "Giới thiệu chung về tỉnh nhà</a></li></ul>"
        '<div class="list"><a href="/Pages/default.aspx?gd=1&amp;cn=28&amp;tc=15234">'
        "Ban Thường vụ Huyện uỷ Phú Vang tổ chức Hội nghị</a>"
        '<a href="/lien-he.html">Liên hệ</a></div>'
    )
    assert article_links(sel, BASE) == [
        "http://portal.test/Pages/default.aspx?gd=1&cn=28&tc=15234"
    ]
