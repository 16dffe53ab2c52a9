"""Titles: the article's own headline wherever the CMS puts it, never the site's heading,
a breadcrumb, a menu's or section's label or a headline inside the body.

The real pages (``../shared/realpages``, read by hand in its SOURCES.md) are the pages
nobody here wrote; the small pages below show that each rule is not fitted to them.
"""

from typing import Any

import pytest

from portal_archive.crawler.extract import decode_html, extract_article
from tests.realpages import REALPAGES

URL = "https://portal.example.gov.vn/tin-tuc/bai-1.html"
LONG = "Nội dung đoạn văn đủ dài để được tính là một đoạn của bài viết trên cổng thông tin. " * 2
PARAGRAPHS = f"<p>{LONG}</p><p>{LONG}</p>"
CONTENT = f"<div class='content'>{PARAGRAPHS}</div>"

# The title as printed on each real article page (SOURCES.md).
REAL_TITLES = {
    "dn-dakrlap-baoviet-hocbong": "Bảo Việt Nhân thọ Đắk Nông tặng 10 suất học bổng cho học "
    "sinh khó khăn huyện Đắk R’lấp",
    "dn-dakrlap-lichsu-dangbo-kienduc": "Hội nghị nghiệm thu đề tài lịch sử Đảng bộ thị trấn "
    "Kiến Đức",
    "dn-dakrlap-thang-hanh-dong-tre-em": "Lễ phát động Tháng hành động vì trẻ em năm 2019",
    "dn-dakrlap-dien-tap-hoa-chat": "Diễn tập ứng phó sự cố hóa chất tại Nhà máy sản xuất "
    "Alumin Nhân Cơ",
    "dn-dakrlap-bao-cao-vien-t8": "Hội nghị trực tuyến báo cáo viên tháng 8.2019",
    "dn-stp-viet-da-olympic": "Giải Việt dã tỉnh Đắk Nông lần thứ XIV và Ngày chạy Olympic vì "
    "sức khỏe toàn dân năm 2019",
    "dn-stp-an-toan-thuc-pham": "Phát động Tháng hành động vì an toàn thực phẩm năm 2019",
    "dn-stp-pct-truong-thanh-tung": "Phó Chủ tịch UBND tỉnh Trương Thanh Tùng thăm một số mô "
    "hình trồng cây ăn trái tại huyện Đắk Glong",
    "dn-thanhtra-dieu-tra-dan-so": "Lễ ra quân tổng điều tra dân số và nhà ở năm 2019",
    "dn-thanhtra-cong-an-dak-song-tongket": "Công an huyện Đắk Song tổng kết công tác năm 2018 "
    "và triển khai nhiệm vụ năm 2019",
    "dn-thanhtra-ran-tro-su-thi": "răn trở sử thi",  # sic: the first letter is lost
    "dn-ldld-trung-thu": "Trung thu trọn vẹn, đầm ấm, yêu thương",
    "dn-ldld-bi-do-rot-gia": "Nông dân Đắk Song lao đao vì bí đỏ rớt giá: Bài học cũ trồng "
    "không theo quy hoạch",
}


def real_article(name: str, explain: dict[str, str] | None = None) -> dict[str, Any]:
    """A real page's article; the test is skipped when ../shared/realpages is not there."""
    path = REALPAGES / f"{name}.html"
    if not path.is_file():
        pytest.skip(f"the real pages are not here: {REALPAGES} (see its SOURCES.md)")
    url = f"https://{name.split('-')[1]}.daknong.gov.vn/{name}/"
    return extract_article(decode_html(path.read_bytes(), None), url, explain=explain)


def more_article(
    name: str, explain: dict[str, str] | None = None, truth: str = "realpages_more.json"
) -> dict[str, Any]:
    """A page of bench/realpages_more.json or ``truth`` (another CMS family, read from the
    git mirror of the repository keeping it); the test is skipped when the mirror is not
    here."""
    from tests.realpages import ROOT, default_loader, load_truth

    entry = load_truth(ROOT / "bench" / truth).pages[name]
    try:
        page = default_loader()(name, entry)
    except FileNotFoundError as missing:
        pytest.skip(f"the page is not here: {missing} (set PORTAL_ARCHIVE_MIRRORS)")
    return extract_article(decode_html(page, None), entry["url"], explain=explain)


@pytest.mark.parametrize("name", sorted(REAL_TITLES))
def test_real_page_title(name: str) -> None:
    """Every real page gave "Home" or "Root" before: now its printed headline."""
    rules: dict[str, str] = {}
    article = real_article(name, rules)
    assert article["title"] == REAL_TITLES[name]
    assert article["title"] not in article["body"]
    assert not rules["title"].startswith(("last h1", "first h1", "<title>"))


def _title(body: str, head: str = "") -> tuple[str, str]:
    rules: dict[str, str] = {}
    html = f"<html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>"
    return extract_article(html, URL, explain=rules)["title"], rules["title"]


@pytest.mark.parametrize(
    "site_heading",
    [
        "<h1><a href='http://portal.example.gov.vn/'>Home</a></h1>",
        "<h1><a href='/web/20170614025039/http_/portal.example.gov.vn/'>Sở Tư pháp</a></h1>",
        "<h1 class='portlet-title'><span>Root</span></h1>",
        "<h1>Trang chủ</h1>",
    ],
)
def test_a_site_heading_h1_gives_way_to_the_h2_headline(site_heading: str) -> None:
    title, rule = _title(
        f"<div class='top'>{site_heading}</div><div class='detail'>"
        f"<h2>Hội nghị tổng kết công tác năm 2025</h2>{CONTENT}</div>"
    )
    assert title == "Hội nghị tổng kết công tác năm 2025"
    assert rule == "heading h2 nearest the content block"


def test_a_title_class_paragraph_beats_a_category_label_farther_up() -> None:
    title, rule = _title(
        "<table><tr><td class='FolderTitle'>Người tốt việc tốt</td></tr></table>"
        f"<table><tr><td><p class='Title'>Trao 10 suất học bổng cho học sinh</p></td></tr>"
        f"<tr><td>{CONTENT}</td></tr></table>"
    )
    assert (title, rule) == ("Trao 10 suất học bổng cho học sinh", "title class p.Title")


def test_a_menu_heading_is_not_the_title() -> None:
    menu = "".join(f"<li><a href='/c{i}'>Chuyên mục số {i}</a></li>" for i in range(5))
    title, _ = _title(
        f"<div class='col'><h1>Chuyên mục tin</h1><ul>{menu}</ul></div>"
        f"<div class='detail'><div class='tieu-de'>Bí đỏ rớt giá, nông dân lao đao</div>{CONTENT}"
    )
    assert title == "Bí đỏ rớt giá, nông dân lao đao"


def test_a_breadcrumb_h1_is_not_the_title() -> None:
    title, _ = _title(
        "<div class='breadcrumb'><a href='/tin-tuc'>Tin tức</a> » <h1>Tin tức sự kiện</h1></div>"
        f"<div class='detail'><h2>Khai mạc giải việt dã năm 2019</h2>{CONTENT}</div>"
    )
    assert title == "Khai mạc giải việt dã năm 2019"


def test_the_site_name_heading_gives_way_to_the_title_the_title_tag_names() -> None:
    head = "<title>Khởi công đường tỉnh 342 - Cổng thông tin điện tử tỉnh B</title>"
    title, rule = _title(
        "<div class='head'><h1>Cổng thông tin điện tử tỉnh B</h1></div>"
        "<div class='detail'><div class='news-title'>Khởi công đường tỉnh 342</div>"
        f"{CONTENT}</div>",
        head,
    )
    assert title == "Khởi công đường tỉnh 342"
    assert rule == "title class div.news-title matching <title>"


def test_a_site_name_title_tag_does_not_vouch_for_the_site_heading() -> None:
    head = "<title>Trang thông tin điện tử huyện A - Tỉnh B</title>"
    title, _ = _title(
        "<div class='head'><h1>Trang thông tin điện tử huyện A</h1></div>"
        f"<div class='detail'><p class='title'>Lễ ra quân tổng điều tra dân số</p>{CONTENT}</div>",
        head,
    )
    assert title == "Lễ ra quân tổng điều tra dân số"


def test_an_og_title_naming_the_site_is_no_witness() -> None:
    head = (
        "<meta property='og:title' content='Cổng thông tin điện tử tỉnh B'>"
        "<title>Cổng thông tin điện tử tỉnh B</title>"
    )
    title, rule = _title(
        f"<div class='detail'><h3>Khai mạc hội chợ nông sản tỉnh B</h3>{CONTENT}</div>", head
    )
    assert title == "Khai mạc hội chợ nông sản tỉnh B"
    assert rule == "heading h3 nearest the content block"


def test_a_home_title_tag_is_not_cut_to_its_home_part() -> None:
    """With no witness but "Trang chủ - Website ...", "Trang chủ" is no headline: the
    <title> is kept whole, as printed."""
    title, rule = _title(CONTENT, "<title>Trang chủ - Website Sở Tư pháp tỉnh B</title>")
    assert (title, rule) == ("Trang chủ - Website Sở Tư pháp tỉnh B", "<title>")


def test_a_banner_heading_beside_the_logo_is_the_sites() -> None:
    """Oracle WebCenter's banner: a logo link, then the court's name and the site's h1."""
    title, _ = _title(
        "<header id='header'><div class='container'><a class='logo' href='home'><img src='/l.png'>"
        "</a><div class='slogan'><h3>Tòa án nhân dân tối cao</h3><h1>Án lệ và bình luận án lệ</h1>"
        "</div></div></header>"
        f"<div class='detail'><h2>Về xem xét quyết định hành chính</h2>{CONTENT}</div>"
    )
    assert title == "Về xem xét quyết định hành chính"


def test_a_logo_in_the_article_wrapper_does_not_disown_its_h1() -> None:
    title, rule = _title(
        "<div class='wrapper'><div class='logo'><img src='/l.png'></div>"
        f"<h1>Khai mạc hội chợ nông sản</h1>{CONTENT}</div>"
    )
    assert (title, rule) == ("Khai mạc hội chợ nông sản", "last h1 before the content block")


def test_an_unvouched_site_name_heading_is_not_the_title() -> None:
    title, _ = _title(
        "<div class='top'><h1>Trang tin điện tử về án lệ</h1></div>"
        f"<div class='detail'><p class='title'>Về thời hạn trả thưởng xổ số</p>{CONTENT}</div>"
    )
    assert title == "Về thời hạn trả thưởng xổ số"


def test_a_headline_inside_the_body_is_not_the_title() -> None:
    """A syndicated article pasted after the story's first paragraph keeps its h1/h2 in
    the body; the story's own headline comes before."""
    title, _ = _title(
        "<div class='detail'><div class='title-news'>Tin chính của trang</div>"
        f"<div class='content'><p>{LONG}</p><h1>Bài đăng lại từ báo khác</h1><p>{LONG}</p>"
        f"<h2>Một tiêu đề khác trong thân bài</h2><p>{LONG}</p></div></div>"
    )
    assert title == "Tin chính của trang"


def test_an_h1_after_the_article_heads_a_widget() -> None:
    title, _ = _title(
        f"<div class='detail'><p class='title'>Hội nghị báo cáo viên tháng 8</p>{CONTENT}</div>"
        "<div class='stats'><h1>Thống kê truy cập</h1><p>Đang online: 12</p></div>"
    )
    assert title == "Hội nghị báo cáo viên tháng 8"


def test_a_date_printed_in_the_heading_is_not_in_the_title() -> None:
    title, _ = _title(f"<div><h2>Trung thu đầm ấm, yêu thương <span>( )</span></h2>{CONTENT}</div>")
    assert title == "Trung thu đầm ấm, yêu thương"
    title, _ = _title(
        f"<div><h1>Hội nghị giao ban <span>(05.08.2019 16:32)</span></h1>{CONTENT}</div>"
    )
    assert title == "Hội nghị giao ban"


def test_a_menu_word_in_its_class_does_not_drop_the_title_opening_the_content_block() -> None:
    """SharePoint marks its headline ``p.Title allowMenuPost``: "menu" in a class token
    drops a block as boilerplate, but not the title-class line opening the content block."""
    title, rule = _title(
        f"<div id='part1'><table><tr><td><p class='Title allowMenuPost'>Lễ kết nạp Đảng viên"
        f" mới của chi bộ</p></td></tr></table>{PARAGRAPHS}</div>"
    )
    assert title == "Lễ kết nạp Đảng viên mới của chi bộ"
    assert rule == "title class p.Title.allowMenuPost"


_LINKS_WIDGET = (
    "<div class='linkweb'><div class='linkweb-title'>Liên kết Website</div><div>"
    "<select><option value='http://a.gov.vn/'>Cổng thông tin tỉnh</option></select></div></div>"
)


def test_a_title_line_opening_the_content_block_outranks_a_widget_label_nearer_it() -> None:
    """The sidebar's "Liên kết Website" (a box of a <select> of links) sits just before
    the content block, nearer to it than the headline inside it."""
    title, rule = _title(
        f"<div class='side'>{_LINKS_WIDGET}</div><div id='part1'><div><table><tr><td>"
        f"<p class='Title'>Đề xuất thêm một ngày nghỉ lễ tri ân</p></td></tr></table></div>"
        f"{PARAGRAPHS}</div>"
    )
    assert (title, rule) == ("Đề xuất thêm một ngày nghỉ lễ tri ân", "title class p.Title")


def test_a_title_line_before_the_content_block_still_beats_a_farther_widget_label() -> None:
    title, _ = _title(
        f"<div class='side'>{_LINKS_WIDGET}</div><p class='news-title'>Hội nghị tổng kết năm"
        f" 2025</p>{CONTENT}"
    )
    assert title == "Hội nghị tổng kết năm 2025"


def test_an_h1_labelling_the_box_around_the_article_gives_way_to_its_headline() -> None:
    """Liferay heads the portlet holding the article with its own name ("Thông báo"),
    the article's headline an h2 in a box nested inside."""
    title, rule = _title(
        "<section class='portlet'><header class='portlet-topper'><h1 class='portlet-title'>"
        "<span class='portlet-title-text'>Thông báo</span></h1></header><div class='body'>"
        f"<div class='detail'><h2>Triệt phá nhóm cho vay nặng lãi</h2>{CONTENT}</div></div>"
        "</section>"
    )
    assert title == "Triệt phá nhóm cho vay nặng lãi"
    assert rule == "heading h2 nearest the content block, under a box label h1"


@pytest.mark.parametrize(
    "below",
    [
        "<h2>Nhìn lại một năm công tác</h2>",  # in the h1's own box
        "<div class='wrap'><h3>Nhìn lại một năm công tác của tỉnh nhà</h3></div>",  # no label
        "<div class='wrap'><h2 class='sapo'>Sáng nay, tỉnh tổ chức hội nghị</h2></div>",
    ],
)
def test_an_h1_headline_keeps_the_title_over_a_heading_below_it(below: str) -> None:
    """Only a label-short h1 labels a box, and a lead-class line is no headline."""
    title, rule = _title(f"<div class='post'><h1>Hội nghị tổng kết năm 2025</h1>{below}"
                         f"{CONTENT}</div>")
    assert (title, rule) == ("Hội nghị tổng kết năm 2025", "last h1 before the content block")


def test_a_label_h1_keeps_the_title_over_a_lead_line_below_it() -> None:
    title, _ = _title(
        "<section><header><h1>Thông báo</h1></header><div class='wrap'><h2 class='sapo'>"
        f"Sáng nay, tỉnh tổ chức hội nghị tổng kết</h2>{CONTENT}</div></section>"
    )
    assert title != "Sáng nay, tỉnh tổ chức hội nghị tổng kết"


# The second round's pages (bench/realpages_more2.json): a sidebar's or a portlet's label
# was taken for these headlines.
MORE2_TITLES = {
    "lv-sldtbxh-ngay-nghi-le-27-7": "Bộ Lao động TBXH: Đề xuất thêm 1 ngày nghỉ lễ tri ân "
    "người có công",
    "lv-sldtbxh-ket-nap-dang-vien": "Chi bộ I tổ chức Lễ kết nạp Đảng viên",
    "ldld-cho-vay-nang-lai": "Công an huyện Đắk Song Triệt phá nhóm đối tượng cho vay nặng lãi",
}


@pytest.mark.parametrize("name", sorted(MORE2_TITLES))
def test_a_widget_or_portlet_label_is_not_the_real_pages_title(name: str) -> None:
    article = more_article(name, truth="realpages_more2.json")
    assert article["title"] == MORE2_TITLES[name]
    assert article["title"] not in article["body"]
    assert not {"Liên kết Website", "Thông báo"} & {article["title"], *article["body"]}


# Legal texts (vbpl.vn): the <title> is the site heading "Trung ương", the document's
# heading its opening centred bold lines.
MORE_TITLES = {
    "vbpl-hien-phap-1992": "HIẾN PHÁP NƯỚC CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM NĂM 1992",
    "vbpl-hien-phap-2013": "HIẾN PHÁP NƯỚC CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "vbpl-bo-luat-hinh-su-2015": "BỘ LUẬT HÌNH SỰ",
}


@pytest.mark.parametrize("name", sorted(MORE_TITLES))
def test_legal_text_title_is_its_printed_heading(name: str) -> None:
    rules: dict[str, str] = {}
    article = more_article(name, rules)
    assert article["title"] == MORE_TITLES[name]
    assert rules["title"] == "centred bold lines opening the content block"
    assert not {"HIẾN PHÁP", "BỘ LUẬT", "HÌNH SỰ"} & set(article["body"])


_LEGAL = (
    "<div class='doc'><p align='center'><strong>NGHỊ QUYẾT</strong></p>"
    "<p style='text-align:center'><b>VỀ KẾ HOẠCH PHÁT TRIỂN KINH TẾ - XÃ HỘI</b></p>"
    f"<p align='center'>&#160;</p><p align='center'><strong>Chương I</strong></p><p>{LONG}</p>"
    f"<p>{LONG}</p></div>"
)


def test_centred_bold_opening_lines_are_the_heading_when_nothing_else_is() -> None:
    html = f"<html><head><title>Trung ương</title></head><body>{_LEGAL}</body></html>"
    article = extract_article(html, URL)
    assert article["title"] == "NGHỊ QUYẾT VỀ KẾ HOẠCH PHÁT TRIỂN KINH TẾ - XÃ HỘI"
    assert "NGHỊ QUYẾT" not in article["body"] and "Chương I" in article["body"]
    assert article["lead"] == LONG.strip()


def test_an_h1_wins_over_centred_bold_opening_lines() -> None:
    html = f"<html><body><div><h1>Nghị quyết về kế hoạch năm 2025</h1>{_LEGAL}</div></body></html>"
    assert extract_article(html, URL)["title"] == "Nghị quyết về kế hoạch năm 2025"


def test_a_centred_line_partly_bold_is_no_heading() -> None:
    html = ("<html><head><title>Trung ương</title></head><body><div>"
            f"<p align='center'><b>Điều</b> 1 của văn bản này</p><p>{LONG}</p><p>{LONG}</p>"
            "</div></body></html>")
    assert extract_article(html, URL)["title"] == "Trung ương"


SCHOOL_LEADS = {
    "edu-anthanhnam-muc-dich-hoc-tap": "Bước vào một chặng đường học tập mới, các em học sinh",
    "edu-anthanhnam-day-con-ngoan": "Các bố mẹ thường rất ngạc nhiên khi nghe các chuyên gia",
}


@pytest.mark.parametrize("name", sorted(SCHOOL_LEADS))
def test_a_lead_marked_as_the_description_is_the_lead(name: str) -> None:
    """School portals: the sapo is a div.brief-detail with itemprop=description (its
    class says so too)."""
    rules: dict[str, str] = {}
    article = more_article(name, rules)
    assert article["lead"].startswith(SCHOOL_LEADS[name])
    assert rules["lead"].startswith("lead ") and rules["lead"].endswith(" div.brief-detail")


def test_itemprop_description_marks_the_lead_whatever_its_class() -> None:
    html = (
        "<html><head><meta itemprop='description' content='Không phải sapo'></head><body>"
        "<article><h1>Hội thi Hoa phượng đỏ cấp huyện</h1><div class='x1' itemprop='description'>"
        "Thầy và trò đạt giải nhất Hội thi cấp huyện năm 2019.</div>"
        f"<div class='body'><p>{LONG}</p><p>{LONG}</p></div></article></body></html>"
    )
    article = extract_article(html, URL)
    assert article["lead"] == "Thầy và trò đạt giải nhất Hội thi cấp huyện năm 2019."
    assert article["body"] == [LONG.strip(), LONG.strip()]
