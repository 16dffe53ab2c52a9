"""Site profiles: strict TOML, CSS selectors that win over the generic rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal_archive.archive.errors import PortalArchiveError
from portal_archive.crawler.extract import extract_article
from portal_archive.crawler.sites import load_profile, parse_profile, site_ids

HEAD = """id = "x"
name = "X"
base_url = "https://x.example.gov.vn"
listings = ["/tin-tuc"]
"""
LONG = "Nội dung đoạn văn đủ dài để được tính là một đoạn của bài viết trên cổng thông tin. " * 2


def _profile(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "x.toml"
    path.write_text(HEAD + text, encoding="utf-8")
    return path


def test_shipped_profiles_load() -> None:
    assert {"demo", "hue-snnptnt", "tuyenquang-dcs", "quangninh"} <= set(site_ids())
    for site_id in site_ids():
        profile = load_profile(site_id)
        assert profile.id == site_id and profile.listings


def test_selectors_are_optional_and_compiled(tmp_path: Path) -> None:
    bare = parse_profile(_profile(tmp_path, ""))
    assert bare.selectors.title is None and bare.selectors.remove == ()
    full = parse_profile(
        _profile(tmp_path, '[selectors]\ntitle = "h2.tieude"\nremove = ["div.menu", "#footer"]\n')
    )
    assert full.selectors.title is not None and full.selectors.title.css == "h2.tieude"
    assert [s.css for s in full.selectors.remove] == ["div.menu", "#footer"]


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('[selectors]\ntitel = "h1"\n', "unknown key(s) selectors.titel"),
        ('[selectors]\ntitle = "h1::text"\n', "selectors.title: invalid CSS selector 'h1::text'"),
        ('[selectors]\ncontent = "div["\n', "selectors.content: invalid CSS selector"),
        ('[selectors]\nlead = ""\n', "selectors.lead: invalid CSS selector"),
        ('[selectors]\nremove = "div.menu"\n', "selectors.remove must be a list of strings"),
        ("[selectors]\nauthors = 3\n", "selectors.authors must be a CSS selector string"),
        ('selectors = "h1"\n', "selectors must be a table"),
        ('titel = "h1"\n', "unknown key(s) titel"),
    ],
)
def test_bad_profiles_name_file_and_key(tmp_path: Path, table: str, message: str) -> None:
    path = _profile(tmp_path, table)
    with pytest.raises(PortalArchiveError) as info:
        parse_profile(path)
    assert str(info.value).startswith(f"{path}: ")
    assert message in str(info.value)


def _page() -> str:
    return (
        "<html><head><meta charset='utf-8'>"
        "<meta property='article:published_time' content='2025-06-27T09:22:00Z'></head><body>"
        "<h1>Tên đơn vị chủ quản của cổng</h1>"
        "<div class='tin'><div class='cm'>Hoạt động cấp ủy</div>"
        "<h3 class='td'>Tiêu đề thật của bài viết</h3><div class='tg'>Ngày 28/06/2025</div>"
        f"<div class='nd'><p>{LONG}</p><div class='xemthem'><p>Xem thêm: {LONG}</p></div>"
        f"<p><img src='/a.jpg'></p><p class='cap'>Chú thích ảnh</p><p>{LONG}</p>"
        "<p class='tacgia'>Bài: Thu Hà</p></div></div></body></html>"
    )


def test_profile_selectors_win_and_generic_rules_fill_the_gaps(tmp_path: Path) -> None:
    profile = parse_profile(
        _profile(
            tmp_path,
            '[selectors]\ntitle = "h3.td"\ncategory = ".cm"\ncontent = "div.nd"\n'
            'captions = "p.cap"\nauthors = "p.tacgia"\nremove = ["div.xemthem"]\n',
        )
    )
    rules: dict[str, str] = {}
    a = extract_article(_page(), "https://x.example.gov.vn/a", profile=profile, explain=rules)
    assert a["site"] == "x"
    assert a["title"] == "Tiêu đề thật của bài viết"
    assert a["category"] == "Hoạt động cấp ủy"
    assert a["published"] == "2025-06-27T16:22:00+07:00"  # no selector: the meta tag
    assert a["images"][0]["caption"] == "Chú thích ảnh"
    assert a["authors"] == ["Thu Hà"]
    assert a["lead"] == LONG.strip() and a["body"] == [LONG.strip()]  # no "Xem thêm"
    assert rules["images[0].caption"] == "profile selector p.cap"
    assert rules["authors"] == "profile selector p.tacgia"
    assert rules["published"] == "meta article:published_time"
    generic = extract_article(_page(), "https://x.example.gov.vn/a")
    assert generic["site"] == "generic" and generic["title"] == "Tên đơn vị chủ quản của cổng"


def test_a_selector_that_finds_nothing_leaves_the_field_to_the_generic_rules(
    tmp_path: Path,
) -> None:
    profile = parse_profile(_profile(tmp_path, '[selectors]\ntitle = "h4.none"\n'))
    rules: dict[str, str] = {}
    a = extract_article(_page(), "https://x.example.gov.vn/a", profile=profile, explain=rules)
    assert a["title"] == "Tên đơn vị chủ quản của cổng" and not rules["title"].startswith("prof")


def test_a_removed_block_holding_a_pinned_element_stays(tmp_path: Path) -> None:
    profile = parse_profile(
        _profile(tmp_path, '[selectors]\ntitle = "h3.td"\nremove = ["div.tin"]\n')
    )
    a = extract_article(_page(), "https://x.example.gov.vn/a", profile=profile)
    assert a["title"] == "Tiêu đề thật của bài viết" and a["lead"] == LONG.strip()


def test_a_selected_impossible_date_is_null_not_another_date(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    profile = parse_profile(_profile(tmp_path, '[selectors]\npublished = "div.tg"\n'))
    page = _page().replace("28/06/2025", "32/13/2025").replace("article:published_time", "x")
    page = page.replace("<h1>", "<div class='date'>Thứ Hai, 30/06/2025</div><h1>")
    a = extract_article(page, "https://x.example.gov.vn/a", profile=profile)
    assert a["published"] is None and a["published_raw"] is None
    assert "impossible date" in caplog.text


def test_site_can_be_given_apart_from_the_profile(tmp_path: Path) -> None:
    profile = parse_profile(_profile(tmp_path, ""))
    a = extract_article(_page(), "https://x.example.gov.vn/a", site="other", profile=profile)
    assert a["site"] == "other"
