import re
from urllib.parse import urljoin

import pytest
from parsel import Selector

from portal_archive.crawler.demo.content import CATEGORIES, DemoSite
from portal_archive.crawler.demo.portal import Pages
from portal_archive.crawler.extract.listing import article_links, listing_items, next_page
from portal_archive.crawler.text import clean
from tests.realpages import REALPAGES

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


# -- articles by the structure of the list (issue 10, point 6) -------------------------
# A portal of plain slugs: a top menu and a sidebar built like the list, category links,
# a pager; none of it is an article of this listing.
SLUG_PAGE = """
<div id="top"><ul>
  <li><a href="/">Trang chủ</a></li>
  <li><a href="/gioi-thieu-chung">Giới thiệu chung</a><ul>
    <li><a href="/lich-su-hinh-thanh-va-phat-trien">Lịch sử hình thành và phát triển</a></li>
    <li><a href="/chuc-nang-nhiem-vu-quyen-han">Chức năng nhiệm vụ quyền hạn</a></li>
  </ul></li>
  <li><a href="/chuyen-muc/hoat-dong-cap-uy">Hoạt động cấp ủy</a></li>
  <li><a href="/van-ban-chi-dao-dieu-hanh">Văn bản chỉ đạo điều hành</a></li>
</ul></div>
<div class="col-main"><h2>Hoạt động cấp ủy</h2><div class="items">
  <div class="item"><a href="/mua-lon-gay-ngap-lut-cuc-bo-tren-dia-ban-xa"><img src="/a.jpg"></a>
    <h3><a href="/mua-lon-gay-ngap-lut-cuc-bo-tren-dia-ban-xa">Mưa lớn gây ngập lụt cục bộ
    trên địa bàn xã Quảng Tín</a></h3><span class="date">(07.08.2019 15:43)</span>
    <a class="cat" href="/chuyen-muc/thoi-su">Thời sự</a></div>
  <div class="item"><h3><a href="/bai-bo-nghi-quyet-so-11-2006">Bãi bỏ Nghị quyết số 11/2006/NQ-HĐND
    ngày 17/8/2006 của HĐND huyện</a></h3><span>(2019-05-17T02:49:00.000Z)</span></div>
  <div class="item"><h3><a href="/thong-bao">Thông báo</a></h3><span>()</span>
    <p>Thông báo về việc tổ chức tiếp công dân định kỳ tháng 8 năm 2019.</p></div>
  <div class="item"><h3><a href="http://other.test/tin-khac-cung-ten-mien-khac">Một tin của
    cổng thông tin khác không cùng máy chủ</a></h3></div>
  <div class="item"><h3><a href="/mua-lon-gay-ngap-lut-cuc-bo-tren-dia-ban-xa">Mưa lớn gây
    ngập lụt cục bộ trên địa bàn xã Quảng Tín</a></h3></div>
</div>
<div class="pages"><a href="/chuyen-muc/hoat-dong-cap-uy/page/2">2</a>
  <a href="/chuyen-muc/hoat-dong-cap-uy/page/3">3</a></div></div>
<div class="col-right"><p>TIN ĐÃ ĐƯA</p><ul>
  <li><a href="/tin-cu-mot-so-nam-truoc-tren-cong">Một tin cũ đã đưa từ mấy năm trước</a></li>
  <li><a href="/tin-cu-hai-so-nam-truoc-tren-cong">Một tin cũ khác đã đưa năm trước</a></li>
</ul><ul>
  <li><a href="/chuyen-muc/thoi-su">Thời sự</a></li>
  <li><a href="/chuyen-muc/kinh-te">Kinh tế</a></li>
</ul></div>
"""


def test_articles_are_the_main_list_of_plain_slugs_in_order_without_repeats() -> None:
    links = article_links(_sel(SLUG_PAGE), BASE)
    assert links == ["http://portal.test/mua-lon-gay-ngap-lut-cuc-bo-tren-dia-ban-xa",
                     "http://portal.test/bai-bo-nghi-quyet-so-11-2006",
                     "http://portal.test/thong-bao"]


def test_the_menu_sidebar_categories_and_pager_are_not_taken() -> None:
    links = set(article_links(_sel(SLUG_PAGE), BASE))
    for path in ("/", "/gioi-thieu-chung", "/lich-su-hinh-thanh-va-phat-trien",
                 "/van-ban-chi-dao-dieu-hanh", "/chuyen-muc/thoi-su",
                 "/tin-cu-mot-so-nam-truoc-tren-cong", "/chuyen-muc/hoat-dong-cap-uy/page/2"):
        assert "http://portal.test" + path not in links


def test_a_menu_of_long_slugs_alone_is_no_list_of_articles() -> None:
    menu = SLUG_PAGE.split('<div class="col-main">')[0]
    assert article_links(_sel(menu), BASE) == []


def test_each_item_keeps_its_printed_date_and_an_empty_one_is_none() -> None:
    items = listing_items(_sel(SLUG_PAGE), BASE)
    assert [(i.date.isoformat() if i.date else None, i.date_raw) for i in items] == [
        ("2019-08-07T15:43:00+07:00", "(07.08.2019 15:43)"),
        ("2019-05-17T09:49:00+07:00", "(2019-05-17T02:49:00.000Z)"),  # not the title's 17/8/2006
        (None, None),
    ]
    assert items[0].title == "Mưa lớn gây ngập lụt cục bộ trên địa bàn xã Quảng Tín"


def test_a_date_inside_the_title_link_is_the_items_date_not_its_title() -> None:
    rows = "".join(
        f'<tr><td><a href="/tin-so-{n}">Hội nghị triển khai nhiệm vụ số {n} của huyện'
        f'<span> ({n:02d}.08.2019 10:5{n})</span></a></td></tr>' for n in (1, 2, 3))
    items = listing_items(_sel(f"<table>{rows}</table>"), BASE)
    assert [i.title for i in items][0] == "Hội nghị triển khai nhiệm vụ số 1 của huyện"
    assert [i.date.isoformat() for i in items if i.date] == [
        "2019-08-01T10:51:00+07:00", "2019-08-02T10:52:00+07:00", "2019-08-03T10:53:00+07:00"]


def test_limit_keeps_the_first_items() -> None:
    assert article_links(_sel(SLUG_PAGE), BASE, limit=2) == [
        "http://portal.test/mua-lon-gay-ngap-lut-cuc-bo-tren-dia-ban-xa",
        "http://portal.test/bai-bo-nghi-quyet-so-11-2006"]


def test_a_profile_pattern_wins_over_the_structure() -> None:
    links = article_links(_sel(SLUG_PAGE), BASE, re.compile(r"^/tin-cu-"))
    assert links == ["http://portal.test/tin-cu-mot-so-nam-truoc-tren-cong",
                     "http://portal.test/tin-cu-hai-so-nam-truoc-tren-cong"]
    (item,) = listing_items(_sel(SLUG_PAGE), BASE, re.compile(r"^/mua-lon-"))
    assert item.date_raw == "(07.08.2019 15:43)"  # its listing date all the same


def test_a_list_inside_a_block_its_theme_calls_header_is_still_the_list() -> None:
    items = "".join(f'<div class="nd"><h2><a href="/bai-viet-so-{n}">Bài viết số {n} về hoạt'
                    f" động công đoàn cơ sở</a></h2><p>{'Tóm tắt bài viết. ' * 20}</p></div>"
                    for n in range(4))
    page = (f'<div class="header"><div class="header_left">{items}</div></div>'
            '<div class="menu"><a href="/bai-viet-menu">Bài viết nằm trong trình đơn</a></div>')
    assert article_links(_sel(page), BASE) == [f"http://portal.test/bai-viet-so-{n}"
                                              for n in range(4)]


# -- next pages -----------------------------------------------------------------------
def test_a_trang_sau_back_to_the_site_root_or_the_listing_is_no_next_page() -> None:
    assert next_page(_sel('<a href="/">Trang sau</a>'), BASE) is None
    assert next_page(_sel(f'<a href="{BASE}/">Trang sau</a>'), BASE) is None
    sel = _sel('<a href="/">Trang sau</a> <a href="?trang=2">»</a>')
    assert next_page(sel, BASE) == BASE + "?trang=2"


def test_page_n_paths() -> None:
    sel = _sel(SLUG_PAGE)
    assert next_page(sel, BASE) == BASE + "/page/2"
    assert next_page(sel, BASE + "/page/2/") == BASE + "/page/3"
    assert next_page(sel, BASE + "/page/3") is None


# -- the real listings of ../shared/realpages ----------------------------------------------
# What each list is, read by hand in the page (SOURCES.md): its items' title links.
REAL_LISTINGS = {
    "dn-dakrlap-listing-tin-tuc-su-kien.html": (
        "https://dakrlap.daknong.gov.vn/tin-tuc-su-kien/", "//td[@class='TitleFront']/a",
        20, "https://dakrlap.daknong.gov.vn/tin-tuc-su-kien/page/2"),
    "dn-stp-listing-tin-tuc-su-kien.html": (
        "https://stp.daknong.gov.vn/tin-tuc-su-kien/", "//td[@class='TitleFront']/a", 10, None),
    "dn-ldld-listing-tin-tuc-su-kien.html": (
        "https://ldld.daknong.gov.vn/tin-tuc-su-kien/", "//div[@class='nd_detail']/h2/a", 10,
        None),
}


@pytest.mark.parametrize("name", sorted(REAL_LISTINGS))
def test_real_listing_articles_dates_and_next_page(name: str) -> None:
    path = REALPAGES / name
    if not path.exists():
        pytest.skip(f"the real pages are not here: {REALPAGES} (see tests/crawler/extract)")
    url, truth_xpath, count, next_url = REAL_LISTINGS[name]
    sel = Selector(text=path.read_text(encoding="utf-8"))
    truth = [urljoin(url, a.attrib["href"]) for a in sel.xpath(truth_xpath)]
    items = listing_items(sel, url)
    assert len(truth) == count
    assert [i.url for i in items] == truth
    assert next_page(sel, url) == next_url
    printed = [clean(" ".join(a.xpath("..//span/text()").getall())) for a in sel.xpath(truth_xpath)]
    assert [i.date_raw for i in items] == [p if p not in ("()", "( )") else None for p in printed]


def test_the_demo_portals_listings_read_by_structure_as_by_its_profile() -> None:
    """The synthetic corpus: every demo listing page, and the home page whose category
    headings sit between the news items, give the same articles as the profile's pattern."""
    site = DemoSite()
    pages = Pages(site)
    pattern = re.compile(r"^/(tin-tuc|noi-bo)/[^/]+\.html$")  # crawler/profiles/demo.toml
    read = [(pages.home(0), "http://127.0.0.1:8089/")]
    for slug in CATEGORIES:
        for n in range(1, site.page_count(slug, 0) + 1):
            url = f"http://127.0.0.1:8089/chuyen-muc/{slug}" + (f"?trang={n}" if n > 1 else "")
            read.append((pages.listing(slug, n, 0) or "", url))
    for html, url in read:
        sel = Selector(text=html)
        assert article_links(sel, url) == article_links(sel, url, pattern) != [], url
