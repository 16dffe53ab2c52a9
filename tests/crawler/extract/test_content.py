"""The content block: a block the page declares its article body wins over density."""

from typing import Any

from portal_archive.crawler.extract import extract_article

URL = "https://truong.example.edu.vn/tin-tuc/bai-1.html"
SAPO = "Thầy và trò nhà trường đạt giải nhất Hội thi cấp huyện năm 2019"
FOOTER = (
    "<div class='site-bottom'><div class='address'>"
    "<p>Địa chỉ: Võ Thành Văn, An Thạnh Nam, Cù Lao Dung, Sóc Trăng</p>"
    "<p>Điện thoại: 0299 123 456 - Email: truong@example.edu.vn</p></div></div>"
)


def _photo_article(body_attrs: str) -> dict[str, Any]:
    photos = "".join(f"<p><span><img src='/upload/{n}.jpg'></span></p>" for n in range(4))
    html = (
        "<html><head><meta charset='utf-8'></head><body><article>"
        f"<h1>Học sinh nhà trường với Hội thi</h1><div class='brief'><p>{SAPO}</p></div>"
        f"<div class='detail' {body_attrs}>{photos}</div></article>{FOOTER}</body></html>"
    )
    explain: dict[str, str] = {}
    article = extract_article(html, URL, explain=explain)
    article["explain"] = explain
    return article


def test_a_declared_article_body_of_photos_beats_the_footers_text() -> None:
    a = _photo_article("itemprop='articleBody'")
    assert [i["src"] for i in a["images"]] == [
        f"https://truong.example.edu.vn/upload/{n}.jpg" for n in range(4)
    ]
    assert a["lead"] == SAPO and a["body"] == []
    assert a["explain"]["body"] == "div.detail (itemprop articleBody)"
    assert "Địa chỉ" not in str(a)


def test_without_the_declaration_density_decides() -> None:
    """What the rule is for: the footer's two lines outweigh a sapo and four photos."""
    a = _photo_article("")
    assert a["images"] == [] and "densest text block" in a["explain"]["body"]


def test_an_empty_declared_body_is_ignored() -> None:
    long = "Nội dung đoạn văn đủ dài để được tính là một đoạn của bài viết. " * 2
    html = (
        "<html><head><meta charset='utf-8'></head><body><h1>Tiêu đề bài viết thử nghiệm</h1>"
        f"<div itemprop='articleBody'> </div><div class='content'><p>{long}</p></div>"
        "</body></html>"
    )
    assert extract_article(html, URL)["lead"] == long.strip()


def _related(n: int) -> str:
    rows = "".join(
        f"<tr><td>{k}/2023/AL</td><td>Về việc giải quyết tranh chấp số {k} giữa các đương sự"
        " trong vụ án dân sự</td></tr>" for k in range(n)
    )
    table = f"<div><table><tbody>{rows}</tbody></table></div>"
    return f"<div class='tab-pane' id='vblienquan'>{table}</div>"


def test_a_related_list_denser_than_the_article_is_not_the_content_block() -> None:
    record = (
        "<div class='info'><table><tbody><tr><th>Nguồn án lệ</th><td>Quyết định giám đốc thẩm"
        " số 04/2018/HC-GĐT ngày 23/10/2018 của Uỷ ban Thẩm phán</td></tr>"
        "<tr><th>Lĩnh vực</th><td>Hành chính</td></tr></tbody></table></div>"
    )
    html = (
        "<html><head><meta charset='utf-8'></head><body><h1>Về xem xét quyết định hành chính"
        f" bị khiếu kiện</h1>{record}{_related(12)}</body></html>"
    )
    explain: dict[str, str] = {}
    a = extract_article(html, URL, explain=explain)
    assert any("Quyết định giám đốc thẩm số 04/2018/HC-GĐT" in line for line in a["body"])
    assert "tranh chấp số" not in str(a)
    assert a["lead"] is None
    assert explain["lead"].startswith("none: the content block is a table's rows")


def test_when_all_text_is_in_boilerplate_the_densest_block_still_wins() -> None:
    html = (
        "<html><head><meta charset='utf-8'></head><body><h1>Các án lệ liên quan</h1>"
        f"{_related(3)}</body></html>"
    )
    assert "tranh chấp số 0" in str(extract_article(html, URL)["body"])
