"""Publication dates: the article's own date line in every printed form, null when its
slot is empty, never a header clock widget or a sidebar item's date.

Reading a date is crawler/vntime.py's (tests/crawler/test_vntime.py); these tests are about
which line of the page is the article's.
"""

from typing import Any

import pytest

from portal_archive.crawler.extract import extract_article

from .test_titles import CONTENT, LONG, URL, more_article, real_article

# The date-time as printed on each real article page (SOURCES.md), at +07:00.
REAL_PUBLISHED = {
    "dn-dakrlap-baoviet-hocbong": "2019-08-08T08:51:00+07:00",
    "dn-dakrlap-lichsu-dangbo-kienduc": "2019-08-08T08:51:00+07:00",
    "dn-dakrlap-thang-hanh-dong-tre-em": "2019-05-22T16:09:00+07:00",
    "dn-dakrlap-dien-tap-hoa-chat": "2019-08-08T08:51:00+07:00",
    "dn-dakrlap-bao-cao-vien-t8": "2019-08-05T10:58:00+07:00",
    "dn-stp-viet-da-olympic": "2019-08-05T16:32:00+07:00",
    "dn-stp-an-toan-thuc-pham": "2019-08-05T16:32:00+07:00",
    "dn-stp-pct-truong-thanh-tung": "2019-08-05T16:32:00+07:00",
    "dn-thanhtra-dieu-tra-dan-so": "2019-07-26T14:14:00+07:00",
    "dn-thanhtra-cong-an-dak-song-tongket": "2019-07-26T14:14:00+07:00",
    "dn-thanhtra-ran-tro-su-thi": "2019-07-26T14:14:00+07:00",
    "dn-ldld-trung-thu": None,  # "( )" in the h2; the header clock says 09/05/2019
    "dn-ldld-bi-do-rot-gia": None,
}
CLOCK = "Thứ năm, 09/05/2019"


@pytest.mark.parametrize("name", sorted(REAL_PUBLISHED))
def test_real_page_published(name: str) -> None:
    article = real_article(name)
    assert article["published"] == REAL_PUBLISHED[name]
    assert CLOCK not in (article["published_raw"] or "")


def _dated(body: str) -> tuple[dict[str, Any], str]:
    rules: dict[str, str] = {}
    html = f"<html><head><meta charset='utf-8'></head><body>{body}</body></html>"
    return extract_article(html, URL, explain=rules), rules["published"]


def _header_clock(depth: int) -> str:
    """A header's clock widget, ``depth`` wrappers deep."""
    return "<div>" * depth + f"<span class='date'>{CLOCK}</span>" + "</div>" * depth


def _nested(html: str, depth: int) -> str:
    return "<div class='col'>" * depth + html + "</div>" * depth


@pytest.mark.parametrize(("depth", "wrapped"), [(0, False), (2, False), (6, False), (4, True)])
def test_a_header_clock_is_never_the_date(depth: int, wrapped: bool) -> None:
    """However deep the clock and the article sit, in <body> or in a page-wide wrapper,
    an undated article stays undated."""
    page = _header_clock(depth) + _nested(
        f"<div class='detail'><h2>Hội nghị giao ban báo chí</h2>{CONTENT}</div>", depth
    )
    article, rule = _dated(f"<div class='wrapper'>{page}</div>" if wrapped else page)
    assert article["published"] is None and rule == "not found"


def test_a_header_clock_gives_way_to_the_date_line() -> None:
    article, _ = _dated(
        _header_clock(3)
        + _nested(
            "<div class='detail'><h2>Hội nghị giao ban báo chí</h2>"
            f"<div class='info'>Cập nhật: 26/07/2019 14:14</div>{CONTENT}</div>",
            3,
        )
    )
    assert article["published"] == "2019-07-26T14:14:00+07:00"


def test_a_sidebar_items_date_is_not_the_articles() -> None:
    items = "".join(
        f"<li><a href='/b{i}'>Tin đã đưa số {i} của trang</a> <span>(0{i}/04/2019)</span></li>"
        for i in range(1, 4)
    )
    article, rule = _dated(
        _nested(f"<div class='detail'><p class='title'>Lễ ra quân điều tra dân số</p>{CONTENT}", 2)
        + f"</div><div class='box'><div><p>TIN ĐÃ ĐƯA</p><ul>{items}</ul></div></div>"
    )
    assert article["published"] is None and rule == "not found"


def test_an_empty_date_slot_is_null_not_another_date() -> None:
    """Liferay prints "( )" in the heading when the date is empty: null, not the clock's."""
    article, rule = _dated(
        f"<div><span class='date'>{CLOCK}</span></div>"
        f"<div class='detail'><h2>Trung thu trọn vẹn, đầm ấm <span>( )</span></h2>{CONTENT}</div>"
    )
    assert article["published"] is None and article["published_raw"] is None
    assert rule == "empty date slot span near the title: no valid date"
    assert "( )" not in article["body"] and article["title"] == "Trung thu trọn vẹn, đầm ấm"


def test_empty_brackets_in_the_body_are_no_date_slot() -> None:
    article, _ = _dated(
        "<div class='detail'><h2>Hội nghị giao ban báo chí</h2>"
        f"<div class='info'>Cập nhật: 26/07/2019 14:14</div><div class='content'><p>{LONG}</p>"
        f"<p><span>( )</span> {LONG}</p></div></div>"
    )
    assert article["published"] == "2019-07-26T14:14:00+07:00"


def test_sharepoint_news_part_date_row_above_the_title_table() -> None:
    """A meta row (category, spaced date) in its own table, the title in the next one."""
    article, rule = _dated(
        "<div class='part'><div class='top'><table><tr><td class='FolderTitle'>Tin nổi bật</td>"
        "<td class='Time'>thứ năm, 08 08 2019 08:51</td></tr></table></div>"
        "<div id='part1'><table><tr><td><p class='Title'>Diễn tập ứng phó sự cố hóa chất</p>"
        f"</td></tr><tr><td>{CONTENT}</td></tr></table></div></div>"
    )
    assert article["published"] == "2019-08-08T08:51:00+07:00"
    assert rule == "date class td.Time near the title"


@pytest.mark.parametrize(
    ("line", "iso"),
    [
        ("<span>(05.08.2019 16:32)</span>", "2019-08-05T16:32:00+07:00"),
        ("<div>(26.07.2019 14:14)</div>", "2019-07-26T14:14:00+07:00"),
        ("<div>30/07/2019</div>", "2019-07-30T00:00:00+07:00"),
        ("<span>(2019-05-17T02:49:00.000Z)</span>", "2019-05-17T09:49:00+07:00"),
        ("<div>Ngày công bố: 24/02/2023</div>", "2023-02-24T00:00:00+07:00"),
    ],
)
def test_bare_date_lines_by_the_title(line: str, iso: str) -> None:
    """A line that is only a date, bracketed or not, beside the title, with no class."""
    article, _ = _dated(f"<div class='detail'><h2>Hội nghị giao ban báo chí</h2>{line}{CONTENT}")
    assert article["published"] == iso and article["title"] == "Hội nghị giao ban báo chí"


def test_a_date_printed_in_the_heading() -> None:
    article, _ = _dated(
        f"<div class='detail'><h2>Hội nghị giao ban <span>(05.08.2019 16:32)</span></h2>{CONTENT}"
    )
    assert article["published"] == "2019-08-05T16:32:00+07:00"
    assert article["title"] == "Hội nghị giao ban"


# School portals (App/Corporate): printed "Ngày đăng: dd/mm/yyyy - hh:mm" (or "Thứ 3,
# 31/08/2021 | 10:18") by the headline, inside the share row; the meta datePublished is
# minutes to months off on every page (bench/realpages_more.json, "published_meta").
SCHOOL_PUBLISHED = {
    "edu-anthanhnam-muc-dich-hoc-tap": "2017-03-16T11:16:00+07:00",
    "edu-anthanhnam-hoa-phuong-do": "2020-08-26T21:56:00+07:00",
    "edu-anthanhnam-day-con-ngoan": "2018-03-06T16:07:00+07:00",
    "edu-anthanhnam-lich-thi-singapore": "2017-03-16T11:16:00+07:00",
    "edu-quangtrung-phong-benh": "2020-02-07T20:29:00+07:00",
    "edu-anthanhnam-lop6-ngoai-gio": "2017-03-16T11:16:00+07:00",
    "edu-tanthanh-danh-gia-hoc-sinh": "2021-08-31T10:18:00+07:00",
    "edu-tanthanh-sinh-hoat-ngu-van": "2019-01-11T22:32:00+07:00",
}


@pytest.mark.parametrize("name", sorted(SCHOOL_PUBLISHED))
def test_the_printed_date_wins_over_the_meta(name: str) -> None:
    rules: dict[str, str] = {}
    article = more_article(name, rules)
    assert article["published"] == SCHOOL_PUBLISHED[name]
    assert "near the title, over meta" in rules["published"]
    assert not any(line.startswith(("Ngày đăng", "Thứ ")) for line in article["body"])


@pytest.mark.parametrize(("name", "day"), [("vbpl-hien-phap-1992", "2001-12-25"),
                                           ("vbpl-hien-phap-2013", "2013-11-28"),
                                           ("vbpl-bo-luat-hinh-su-2015", "2015-11-27")])
def test_a_legal_text_is_dated_by_its_place_and_date_line(name: str, day: str) -> None:
    rules: dict[str, str] = {}
    article = more_article(name, rules)
    assert article["published"] == f"{day}T00:00:00+07:00"
    assert article["published_raw"].startswith("Hà Nội, ngày")
    assert rules["published"] == "place and date line in i near the title"


def _share_row(date: str) -> str:
    return (f"<div class='social'><div class='news-date'><span>Ngày đăng:</span>&nbsp;{date}"
            "</div><a href='/share'>Chia sẻ Facebook</a></div>")


def test_a_date_line_in_the_share_row_by_the_title_is_kept() -> None:
    """The share row is boilerplate, the date line in it is the article's."""
    article, rule = _dated(
        "<div class='page'><article><h1>Hội thi Hoa phượng đỏ cấp huyện</h1>"
        f"<div class='desc'>{_share_row('26/08/2020 - 21:56')}{CONTENT}</div></article></div>"
    )
    assert article["published"] == "2020-08-26T21:56:00+07:00"
    assert rule == "date class div.news-date near the title"
    assert not [line for line in article["body"] if "Facebook" in line or "Ngày đăng" in line]


def test_a_share_rows_date_far_from_the_title_is_not_the_articles() -> None:
    article, rule = _dated(
        _nested(f"<div class='box'>{_share_row('01/10/2021 - 10:05')}</div>", 3)
        + _nested(f"<div class='detail'><h1>Hội thi Hoa phượng đỏ cấp huyện</h1>{CONTENT}</div>", 3)
    )
    assert article["published"] is None and rule == "not found"


def test_a_place_and_date_line_above_a_legal_text() -> None:
    article, rule = _dated(
        "<div class='doc'><table><tr><td><div align='center'><i>\n  Hà Nội,\n  ngày\n  25 tháng"
        "\n  12 năm\n  2001</i></div></td></tr></table>"
        f"<div class='text'><p align='center'><b>NGHỊ QUYẾT SỐ 51</b></p><p>{LONG}</p>"
        f"<p>Quốc hội thông qua ngày 28 tháng 11 năm 2013, tại Hà Nội. {LONG}</p></div></div>"
    )
    assert article["published"] == "2001-12-25T00:00:00+07:00"
    assert rule == "place and date line in i near the title"


def test_a_date_label_cell_is_read_with_its_row() -> None:
    """A label/value table (court and legal-text portals): the label in one cell, the date
    in the next."""
    article, rule = _dated(
        "<div class='detail'><h2>Về xem xét quyết định hành chính bị khiếu kiện</h2>"
        "<table><tr><th>Ngày thông qua</th><td>01/02/2023</td></tr>"
        "<tr><th>Ngày công bố</th><td><span>24/02/2023</span></td></tr></table>"
        f"{CONTENT}</div>"
    )
    assert article["published"] == "2023-02-24T00:00:00+07:00"
    assert rule == "date label in th and its row near the title"
    assert "Ngày công bố 24/02/2023" not in article["body"]
