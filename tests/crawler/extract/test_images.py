"""The article's images on small synthetic pages: inline data: images, lead thumbnails,
and captions as printed (over two lines, in table rows, bold, centred, italic)."""

import base64
import hashlib
import json
from typing import Any

from portal_archive.crawler.extract import extract_article

URL = "https://portal.example.gov.vn/tin-tuc/bai-1.html"
LONG = "Nội dung đoạn văn đủ dài để được tính là một đoạn của bài viết trên cổng thông tin. " * 2
PHOTO = bytes(range(256)) * 64  # 16 kB standing for a pasted JPEG
PHOTO_URI = "data:image/jpeg;base64," + base64.b64encode(PHOTO).decode()
SPACER = "data:image/gif;base64,R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw=="


def _article(content: str, before: str = "", explain: dict[str, str] | None = None
             ) -> dict[str, Any]:
    html = (
        "<html><head><meta charset='utf-8'></head><body><div class='main'>"
        f"<h1>Tiêu đề bài viết thử nghiệm</h1>{before}"
        f"<div class='content'><p>{LONG}</p>{content}<p>{LONG}</p></div></div></body></html>"
    )
    return extract_article(html, URL, explain=explain)


def _captions(a: dict[str, Any]) -> list[str | None]:
    return [i["caption"] for i in a["images"]]


# -- inline data: images ---------------------------------------------------------------

def test_an_inline_photo_is_an_image_without_its_blob() -> None:
    rules: dict[str, str] = {}
    a = _article(
        f"<div style='text-align:center'><img src='{PHOTO_URI}' style='width:924px'></div>"
        "<div style='text-align:center'><span style='color:#0000ff'>Nghệ nhân hát kể sử thi"
        "</span></div>",
        explain=rules,
    )
    assert a["images"] == [{
        "src": None,
        "caption": "Nghệ nhân hát kể sử thi",
        "credit": None,
        "inline": {"mime": "image/jpeg", "bytes": len(PHOTO),
                   "sha256": "sha256:" + hashlib.sha256(PHOTO).hexdigest()},
    }]
    assert "base64" not in json.dumps(a)
    assert rules["images[0].src"] == "img src image/jpeg data: URI"
    assert a["body"] == [LONG.strip()]


def test_url_images_keep_their_three_keys_and_spacers_stay_out() -> None:
    a = _article(
        f"<p><img src='{SPACER}'></p><p><img src='{PHOTO_URI}' width='1' height='1'></p>"
        f"<p><img src='{SPACER}' data-src='/anh/that.jpg'></p>"
        f"<p><img src='{PHOTO_URI}'></p>"
    )
    assert a["images"][0] == {"src": "https://portal.example.gov.vn/anh/that.jpg",
                              "caption": None, "credit": None}
    assert [i["src"] for i in a["images"]] == [a["images"][0]["src"], None]
    assert a["images"][1]["inline"]["bytes"] == len(PHOTO)


def test_a_photo_over_ten_megabytes_keeps_the_text_after_it() -> None:
    """libxml2 alone stops at a 10 MB attribute and drops the rest of the page."""
    big = bytes(range(256)) * (4096 * 11)  # 11 MB
    a = _article(
        "<p><img src='data:image/jpeg;base64," + base64.b64encode(big).decode() + "'></p>"
        "<p><em>Ảnh chụp toàn cảnh buổi lễ</em></p><p>Đoạn văn sau tấm ảnh lớn.</p>"
    )
    assert a["images"][0]["inline"]["bytes"] == len(big)
    assert a["images"][0]["caption"] == "Ảnh chụp toàn cảnh buổi lễ"
    assert "Đoạn văn sau tấm ảnh lớn." in a["body"]


def test_a_malformed_inline_photo_neither_raises_nor_invents_a_digest() -> None:
    a = _article("<p><img src='data:image/png;base64," + "iVBORw0K!" * 300 + "'></p>")
    assert a["images"] == [{"src": None, "caption": None, "credit": None,
                            "inline": {"mime": "image/png", "bytes": None, "sha256": None}}]


def test_a_pasted_advert_linking_to_another_site_is_no_article_image() -> None:
    a = _article(
        "<p><a href='http://tracking.adnet.vn/Click.ashx?itemId=1&nextUrl=https://goo.gl/x'>"
        "<img src='http://ad.adnet.vn/images/2018/banner.jpg'></a></p>"
        "<p><a href='https://cdn.other.vn/full/anh-1.jpg'><img src='/anh-1-nho.jpg'></a></p>"
        "<p><a href='https://tinhuy.example.gov.vn/tin/1.html'><img src='/anh-2.jpg'></a></p>"
        "<p><a href='/tin-tuc/bai-2.html'><img src='/anh-3.jpg'></a></p>"
    )
    assert [i["src"].rsplit("/", 1)[1] for i in a["images"]] == [
        "anh-1-nho.jpg", "anh-2.jpg", "anh-3.jpg",
    ]
    html = f"<html><body><h1>Tiêu đề</h1><div><p>{LONG}</p><p><a href='http://b.vn/x.html'>" \
           f"<img src='http://b.vn/x.jpg'></a></p><p>{LONG}x</p></div></body></html>"
    saved = extract_article(html, "file:///tmp/bai.html")  # no host: nothing to compare
    assert [i["src"] for i in saved["images"]] == ["http://b.vn/x.jpg"]


# -- captions as printed -----------------------------------------------------------------

def test_a_caption_over_two_bold_lines_is_one_caption() -> None:
    a = _article(
        "<p><img src='/a.jpg'></p><p><strong>Đồng chí Nguyễn Xuân Thanh –</strong></p>"
        "<p><strong>Chủ tịch UBND huyện phát biểu tại hội nghị</strong></p>"
        "<p><strong>Tiểu mục đầu tiên của bài</strong></p>"
    )
    assert _captions(a) == [
        "Đồng chí Nguyễn Xuân Thanh – Chủ tịch UBND huyện phát biểu tại hội nghị"
    ]
    assert a["body"] == ["Tiểu mục đầu tiên của bài", LONG.strip()]


def test_an_italic_caption_cut_before_a_capitalised_word_is_one_caption() -> None:
    # "… của người" / "Đảng viên …": the first line ends no sentence, the second goes on.
    a = _article(
        "<p style='text-align:center'><img src='/a.jpg'></p>"
        "<p style='text-align:center'><em>Đồng chí Bí thư nêu rõ nghĩa vụ của người</em></p>"
        "<p style='text-align:center'><em>Đảng viên cho đồng chí Giang</em></p>"
        "<p style='text-align:center'><img src='/b.jpg'></p>"
        "<p style='text-align:center'><em>Toàn cảnh lễ kết nạp.</em></p>"
        "<p style='text-align:center'><em>Buổi lễ diễn ra trang trọng</em></p>"
    )
    assert _captions(a) == [
        "Đồng chí Bí thư nêu rõ nghĩa vụ của người Đảng viên cho đồng chí Giang",
        "Toàn cảnh lễ kết nạp.",
    ]
    assert "Buổi lễ diễn ra trang trọng" in a["body"]


def test_a_bold_line_under_a_photo_opening_the_article_is_its_lead() -> None:
    html = (
        "<html><head><meta charset='utf-8'></head><body><h1>Tiêu đề bài viết thử nghiệm</h1>"
        "<div class='content'><p><img src='/a.jpg'></p>"
        f"<p><strong>Sáng 24/7, Ban Chỉ đạo tổ chức diễn tập ứng phó sự cố.</strong></p>"
        f"<p>{LONG}</p><p>{LONG}x</p></div></body></html>"
    )
    a = extract_article(html, URL)
    assert a["images"][0]["caption"] is None
    assert a["lead"] == "Sáng 24/7, Ban Chỉ đạo tổ chức diễn tập ứng phó sự cố."


def test_a_centred_caption_cut_by_a_br_and_its_credit() -> None:
    a = _article(
        "<p><img src='/a.jpg'></p>"
        "<p align='center'><em>Các đại biểu tham quan gian trưng bày<br>sản phẩm OCOP"
        "<br>Ảnh: Thanh Tùng</em></p><p align='center'><em>Một đoạn nghiêng khác</em></p>"
    )
    assert a["images"][0] | {"src": ""} == {
        "src": "", "caption": "Các đại biểu tham quan gian trưng bày sản phẩm OCOP",
        "credit": "Thanh Tùng",
    }
    assert "Một đoạn nghiêng khác" in a["body"]


def test_a_finished_caption_takes_no_next_line() -> None:
    a = _article(
        "<p><img src='/a.jpg'></p><p style='text-align:center'>Toàn cảnh hội nghị.</p>"
        "<p style='text-align:center'>Đoạn văn căn giữa tiếp theo</p>"
    )
    assert _captions(a) == ["Toàn cảnh hội nghị."]
    assert "Đoạn văn căn giữa tiếp theo" in a["body"]


def test_no_printed_caption_is_null_whatever_follows() -> None:
    a = _article(
        "<p><img src='/a.jpg' title='Ảnh hội nghị' alt='anh'></p><p>Đoạn văn thường.</p>"
        "<p><img src='/b.jpg'></p><h3>Tiểu mục in đậm</h3>"
        "<p><img src='/c.jpg'></p><p style='text-align:right'><strong>Minh Đức</strong></p>"
        "<p><img src='/d.jpg'></p><p><strong>Sự chung tay của xã hội</strong></p>"
    )
    assert _captions(a) == [None, None, None, None]
    assert {"Đoạn văn thường.", "Tiểu mục in đậm", "Minh Đức", "Sự chung tay của xã hội"} <= set(
        a["body"]
    )


def test_table_rows_pair_each_image_with_the_row_under_it() -> None:
    a = _article(
        "<table><tr><td><img src='/1.jpg'></td></tr><tr><td>Chú thích ảnh một</td></tr>"
        "<tr><td><img src='/2.jpg'></td></tr><tr><td><em>Chú thích ảnh hai</em></td></tr>"
        "</table>"
        "<table><tr><td><img src='/3.jpg'></td><td><img src='/4.jpg'></td></tr>"
        "<tr><td>Ảnh ba bên trái</td><td>Ảnh bốn bên phải. Ảnh: Minh Đức</td></tr></table>"
        "<table><tr><td align='center'><img src='/5.jpg'><br>Chú thích trong ô ảnh</td></tr>"
        "<tr><td><img src='/6.jpg'></td></tr></table>"
    )
    assert [(i["caption"], i["credit"]) for i in a["images"]] == [
        ("Chú thích ảnh một", None), ("Chú thích ảnh hai", None),
        ("Ảnh ba bên trái", None), ("Ảnh bốn bên phải.", "Minh Đức"),
        ("Chú thích trong ô ảnh", None), (None, None),
    ]
    assert a["body"] == [LONG.strip()]


# -- the lead thumbnail ------------------------------------------------------------------

SAPO = "Sáng 27/7, tại thị trấn Kiến Đức, Ban Chỉ đạo tổ chức lễ phát động tháng hành động."


def test_a_photo_inside_the_sapo_is_the_first_image() -> None:
    rules: dict[str, str] = {}
    a = _article(
        "<p><img src='/body.jpg'></p>",
        before=f"<div class='sapo'><img src='/anh/dai-dien.jpg' width='300'>{SAPO}</div>",
        explain=rules,
    )
    assert a["lead"] == SAPO
    assert [i["src"].rsplit("/", 1)[1] for i in a["images"]] == ["dai-dien.jpg", "body.jpg"]
    assert rules["images[0].src"] == "img src, lead thumbnail"


def test_a_photo_on_its_own_beside_the_sapo_is_an_image_share_buttons_are_not() -> None:
    a = _article(
        "",
        before=(
            "<div class='share'><a href='https://facebook.com/sharer?u=x'>"
            "<img src='/img/fb-share.png' width='60'></a></div>"
            f"<div class='thumb'><a href='/anh/lon.jpg'><img src='/anh/nho.jpg'></a></div>"
            f"<p class='sapo'>{SAPO}</p>"
            "<div class='tool'><img src='/img/clock.png'> Cập nhật 27/07/2019</div>"
        ),
    )
    assert [i["src"].rsplit("/", 1)[1] for i in a["images"]] == ["nho.jpg"]
    assert a["images"][0]["caption"] is None and a["lead"] == SAPO


def test_no_title_element_no_thumbnail_from_around_it() -> None:
    html = (
        "<html><head><meta charset='utf-8'><meta property='og:title' content='Tiêu đề bài'>"
        "</head><body><div><div class='logo'><img src='/banner.jpg'></div>"
        f"<div class='content'><p>{LONG}</p><p>{LONG}x</p></div></div></body></html>"
    )
    assert extract_article(html, URL)["images"] == []
