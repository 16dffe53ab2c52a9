"""Images and captions on the real portal pages of ``../shared/realpages`` (SOURCES.md
there says what each page shows; each caption here was read off the page by hand)."""

import json

import pytest

from portal_archive.crawler.extract import decode_html, extract_article
from portal_archive.crawler.text import fold
from tests.realpages import REALPAGES

from ...conftest import run_cli

pytestmark = pytest.mark.skipif(
    not REALPAGES.is_dir(), reason=f"the real pages are not at {REALPAGES}"
)

# page -> each image's caption as printed, its first words (None: no caption); an
# "inline:" prefix marks a data: image.
CAPTIONS = {
    "dn-dakrlap-baoviet-hocbong": ["Đại diện Công ty Bảo Việt Nhân thọ", "Những chiếc xe đạp"],
    "dn-dakrlap-lichsu-dangbo-kienduc": ["Kết quả bỏ phiếu đề tài"],
    "dn-dakrlap-thang-hanh-dong-tre-em": [
        "Phó Chủ tịch UBND tỉnh Tôn Thị Ngọc Hạnh tặng sách", "Đông đảo học sinh",
        "Các cháu thiếu nhi", "Phó Chủ tịch UBND tỉnh Tôn Thị Ngọc Hạnh trao học bổng",
    ],
    "dn-dakrlap-dien-tap-hoa-chat": [
        "Tình huống giả định", "Đưa người bị thương", "Lực lượng y tế",
        "Lực lượng Phòng cháy", "Lực lượng ứng cứu", "Cơ quan chuyên môn",
    ],
    "dn-dakrlap-bao-cao-vien-t8": ["Hội nghị thu hút đông đảo cán bộ tham gia"],
    "dn-stp-viet-da-olympic": [
        "Lãnh đạo các Sở, ngành", "Các đội tham gia Giải", "Đ/c Cao Huy",
        "Các vận động chạy Việt Dã", "Ban tổ chức trao giải",
    ],
    "dn-stp-an-toan-thuc-pham": ["Đ/c TônThị Ngọc Hạnh", "Đại diện Siêu thị", "Sau lễ phát động"],
    "dn-stp-pct-truong-thanh-tung": [
        "Đồng chí Trương Thanh Tùng đề nghị", "Đồng chí Trương Thanh Tùng trao đổi",
    ],
    "dn-thanhtra-dieu-tra-dan-so": ["Đ/c Nguyễn Văn Phò – phát biểu", None],
    # two captions run over two bold lines each
    "dn-thanhtra-cong-an-dak-song-tongket": [
        "Đồng chí Nguyễn Xuân Thanh – Chủ tịch UBND huyện Đắk Song, phát biểu tại hội nghị",
        "Đồng chí Đại tá Phạm Tiến Triệu, Phó Giám đốc Công an tỉnh phát biểu chỉ đạo hội nghị",
        "Đồng chí Nguyễn Xuân Thanh – Chủ tịch UBND huyện Đắk Song trao giấy khen",
    ],
    "dn-thanhtra-ran-tro-su-thi": ["inline:Nghệ nhân Thị Mai, ở bon Bu Prâng"],
    "dn-ldld-trung-thu": ["inline:Đoàn viên, thanh niên và sinh viên tình nguyện"],
    "dn-ldld-bi-do-rot-gia": ["inline:Nhiều gia đình đành đưa bí về nhà tạm trữ"],
}


def _article(name: str) -> dict:
    data = (REALPAGES / f"{name}.html").read_bytes()
    return extract_article(decode_html(data, None), f"http://portal.daknong.gov.vn/{name}/")


@pytest.mark.parametrize("name", sorted(CAPTIONS))
def test_each_image_and_its_printed_caption(name: str) -> None:
    a = _article(name)
    got = [("inline:" if i["src"] is None else "") + fold(i["caption"] or "") for i in a["images"]]
    want = [None if c is None else fold(c) for c in CAPTIONS[name]]
    assert len(got) == len(want), got
    for g, w in zip(got, want, strict=True):
        assert g == "" if w is None else g.startswith(w), (g, w)
    for image in a["images"]:  # no caption left in the body, none taken twice
        assert image["caption"] is None or image["caption"] not in a["body"]


def test_extract_prints_an_inline_photo_without_its_base64() -> None:
    """The real CLI on a page whose photo is pasted in as a 155 kB data: URI."""
    result = run_cli("extract", str(REALPAGES / "dn-ldld-bi-do-rot-gia.html"),
                     "--url", "http://ldld.daknong.gov.vn/nong-dan-dak-song/")
    assert result.returncode == 0, result.stderr
    assert "base64" not in result.stdout and len(result.stdout) < 20_000
    (image,) = json.loads(result.stdout)["images"]
    assert image["src"] is None and image["caption"].startswith("Nhiều gia đình")
    assert image["inline"] == {
        "mime": "image/jpeg", "bytes": 116286,
        "sha256": "sha256:30eb1173f3a47826c016e597cb826aa0d7abdfdb0fcba88fda30fde02aac8b79",
    }
