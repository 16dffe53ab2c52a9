import doctest
import unicodedata

import pytest

from portal_archive.crawler.extract import authors
from portal_archive.crawler.extract.authors import (
    looks_like_author_line,
    split_authors,
    split_byline,
)


def test_doctests() -> None:
    assert doctest.testmod(authors).failed == 0


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Minh Đức – Thanh Hiền", ["Minh Đức", "Thanh Hiền"]),
        ("Minh Đức—Thanh Hiền", ["Minh Đức", "Thanh Hiền"]),
        ("Hoàng Anh - Ngọc Lan", ["Hoàng Anh", "Ngọc Lan"]),
        ("Thu Hà", ["Thu Hà"]),
        ("Thu Hà.", ["Thu Hà"]),
        ("PV", ["PV"]),
        ("Nhóm PV", ["Nhóm PV"]),
        ("Tin, ảnh: Thanh Tùng", ["Thanh Tùng"]),
        ("Tin và ảnh: Thanh Tùng", ["Thanh Tùng"]),
        ("Bài và ảnh: A, B", ["A", "B"]),
        ("Bài, ảnh: Hoàng Anh, Ngọc Lan", ["Hoàng Anh", "Ngọc Lan"]),
        ("Bài: Minh Đức; Ảnh: Thanh Hiền", ["Minh Đức", "Thanh Hiền"]),
        ("Bài: Minh Đức - Ảnh: Thanh Hiền", ["Minh Đức", "Thanh Hiền"]),
        ("Minh Đức và Thanh Hiền", ["Minh Đức", "Thanh Hiền"]),
        ("Viết bởi Phạm Hà", ["Phạm Hà"]),
        ("(Thu Hà)", ["Thu Hà"]),
        ("Tin, ảnh Ngô Tấm – Thanh Tiến", ["Ngô Tấm", "Thanh Tiến"]),
        ("Thu Hà (tổng hợp)", ["Thu Hà"]),
        ("Thanh Tùng/TTXVN", ["Thanh Tùng/TTXVN"]),
        ("Minh Đức – Minh Đức", ["Minh Đức"]),
        ("Minh\u00a0Đức\u200b – Thanh Hiền ", ["Minh Đức", "Thanh Hiền"]),
        (unicodedata.normalize("NFD", "Tin, ảnh: Thanh Tùng"), ["Thanh Tùng"]),
        ("", []),
    ],
)
def test_split_authors(line: str, expected: list[str]) -> None:
    assert split_authors(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "Minh Đức – Thanh Hiền",
        "Hoàng Anh - Ngọc Lan",
        "Thu Hà",
        "Thu Hà.",
        "PV",
        "Nhóm PV",
        "Nhóm phóng viên",
        "Tin, ảnh: Thanh Tùng",
        "Bài và ảnh: A, B",
        "Viết bởi Phạm Hà",
        "Thanh Tùng (TTXVN)",
        "Tin, ảnh Ngô Tấm – Thanh Tiến (Đài Truyền thanh huyện)",
        "Thu Hà (tổng hợp)",
        "Bài: Minh Đức; Ảnh: Thanh Hiền",
        unicodedata.normalize("NFD", "Tin, ảnh: Thanh Tùng"),
    ],
)
def test_author_lines(line: str) -> None:
    assert looks_like_author_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "",
        "Hội nghị kết thúc lúc 17 giờ.",
        "Theo kế hoạch, dự án sẽ hoàn thành trong năm 2027.",
        "Nguồn: TTXVN",
        "Tin liên quan",
        "Chia sẻ",
        "Cập nhật lúc : 27/06/2025 16:22",
        "Phú Vang tổ chức Hội nghị",
        "Minh Đức. Thanh Hiền phát biểu",
        "Tin, ảnh:",
        "Ảnh minh họa",
        "Tin, ảnh tư liệu",
        "A " * 60,
    ],
)
def test_not_author_lines(line: str) -> None:
    assert not looks_like_author_line(line)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Tin, ảnh Ngô Tấm – Thanh Tiến (Đài Truyền thanh huyện)",
         (["Ngô Tấm", "Thanh Tiến"], "Đài Truyền thanh huyện")),
        ("Thanh Tùng (TTXVN)", (["Thanh Tùng"], "TTXVN")),
        ("Bài, ảnh: Hoàng Anh (Báo Đắk Nông)", (["Hoàng Anh"], "Báo Đắk Nông")),
        ("Thu Hà (tổng hợp)", (["Thu Hà"], None)),
        ("Minh Đức – Thanh Hiền", (["Minh Đức", "Thanh Hiền"], None)),
        ("Tin, ảnh: Hoàng Hoài-Vũ Trang", (["Hoàng Hoài", "Vũ Trang"], None)),
        ("Người đưa tin: Nguyễn Văn Phú", (["Nguyễn Văn Phú"], None)),
        ("Thu Hà (Ban Tuyên giáo-Huyện ủy)", (["Thu Hà"], "Ban Tuyên giáo-Huyện ủy")),
    ],
)
def test_split_byline_names_and_agency(line: str, expected: tuple[list[str], str | None]) -> None:
    assert split_byline(line) == expected


@pytest.mark.parametrize(
    "line",
    ["BAN GIÁM HIỆU", "TM. BAN CHẤP HÀNH", "Hiệu trưởng", "PHÓ GIÁM ĐỐC", "ỦY BAN NHÂN DÂN XÃ",
     "Ban Tổ chức"],
)  # fmt: skip
def test_an_offices_signature_is_no_byline(line: str) -> None:
    """Who issues a notice, not who wrote an article."""
    assert not looks_like_author_line(line)


@pytest.mark.parametrize("line", ["Ban biên tập", "Trường Giang", "Ban Mai", "Chủ Tịnh"])
def test_names_beginning_like_an_office_stay_bylines(line: str) -> None:
    assert looks_like_author_line(line)
