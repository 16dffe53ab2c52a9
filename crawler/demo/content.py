"""Deterministic content model and ground truth of the bundled demo portal.

Every article is generated on demand from ``random.Random`` streams seeded by the site seed
and the article id, so any article of a site of any size is O(1) to produce and nothing is
precomputed for all N. The string fields of :class:`DemoArticle` are the *clean* values an
extractor should output (NFC, white space folded, trimmed); :class:`Served` carries the
raw strings the portal puts into its HTML (NBSP, zero-width spaces, line breaks, extra
spaces, NFD, tone-mark variants).

Time moves on in "days": the state at day D applies the changes of days 1..D:

* day d adds articles ``N+new_per_day*(d-1)+1 .. N+new_per_day*d`` (published on
  27/06/2025 + d days);
* article ``6d-4`` is *edited* (its second body paragraph is replaced);
* article ``6d-2`` changes only *cosmetically* (old tone placement "uỷ"/"hoà" becomes
  "ủy"/"hòa", extra spaces in the HTML);
* article ``6d`` is *removed* (404, gone from the listings).

Edits, cosmetic changes and removals only touch the original articles (ids 1..N).
"""

from __future__ import annotations

import functools
import math
import random
import re
import unicodedata
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import TypeVar

from portal_archive.crawler.text import clean as text_clean

VN_TZ = timezone(timedelta(hours=7))
PAGE_SIZE = 10

CATEGORIES: dict[str, str] = {
    "hoat-dong-cap-uy": "Hoạt động cấp ủy",
    "tin-tuc-su-kien": "Tin tức - Sự kiện",
}
DISALLOWED_PATH = "/noi-bo/ke-hoach-noi-bo.html"

START = datetime(2020, 1, 1, 7, 0, tzinfo=VN_TZ)
LAST = datetime(2025, 6, 27, 16, 22, tzinfo=VN_TZ)  # published time of article N
_DAY_OPEN = 7 * 60  # publishing hours of the portal: 07:00 .. 21:00
_DAY_MINUTES = 14 * 60

FAULTS = {7: "500", 11: "slow", 13: "malformed"}


# --------------------------------------------------------------------------- text helpers

# The ground truth is text as the archive must store it: the archive's own rule.
clean = text_clean


_TONES = "\u0300\u0301\u0309\u0303\u0323"  # huyền, sắc, hỏi, ngã, nặng


def _tone_pairs() -> dict[str, str]:
    """new placement (tone on the first vowel) -> old placement (tone on the second)."""
    pairs = {}
    for first, seconds in (("o", "ae"), ("u", "y")):
        for tone in _TONES:
            for a in (first, first.upper()):
                for b in seconds + seconds.upper():
                    pairs[unicodedata.normalize("NFC", a + tone) + b] = (
                        a + unicodedata.normalize("NFC", b + tone))
    return pairs


_OLD = _tone_pairs()
_NEW = {old: new for new, old in _OLD.items()}
_TO_OLD = re.compile(
    "([" + "".join(sorted({k[0] for k in _OLD})) + r"](?<![qQ].)[aeyAEY])(?![^\W\d_])")
_TO_NEW = re.compile(
    "([oOuU](?<![qQ].)[" + "".join(sorted({k[1] for k in _NEW})) + r"])(?![^\W\d_])")


def old_tone(text: str) -> str:
    """"ủy" -> "uỷ", "hòa" -> "hoà", "khỏe" -> "khoẻ" (only in open syllables)."""
    return _TO_OLD.sub(lambda m: _OLD.get(m.group(1), m.group(1)), text)


# the pairs that occur in the generated vocabulary (tests check that the fast path agrees)
_VOCAB_OLD = tuple((new, _OLD[new]) for new in ("ủy", "Ủy", "úy", "òa", "óa", "ỏe"))


def _old_tone_fast(text: str) -> str:
    for new, old in _VOCAB_OLD:
        if new in text:
            text = text.replace(new, old)
    return text


def new_tone(text: str) -> str:
    """"uỷ" -> "ủy", "hoà" -> "hòa", "khoẻ" -> "khỏe"."""
    return _TO_NEW.sub(lambda m: _NEW.get(m.group(1), m.group(1)), text)


_SLUG_DROP = re.compile(r"[^a-z0-9]+")


def _ascii(ch: str) -> str:
    base = unicodedata.normalize("NFD", ch.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in base if not unicodedata.combining(c))


_ASCII: dict[int, str] = {
    code: _ascii(chr(code)) for code in [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]
}


def slugify(text: str, limit: int = 80) -> str:
    """ASCII URL slug of a Vietnamese title: "Phú Vang: Hội nghị" -> "phu-vang-hoi-nghi"."""
    text = unicodedata.normalize("NFC", text)
    slug = _SLUG_DROP.sub("-", text.translate(_ASCII).lower()).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0]
    return slug


def dmy(d: date | datetime) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


# --------------------------------------------------------------------------- vocabulary

# (name, unit, communes); unit decides the party committee (Huyện ủy, Thị ủy, ...)
_PLACES_ANY = [
    ("Phú Vang", "huyện", ["xã Phú Hồ", "xã Phú Vinh", "xã Phú Mỹ", "xã Vinh Thanh",
                           "phường Thuận An", "phường Mỹ Thượng", "xã Phú Diên"]),
    ("Hương Trà", "thị xã", ["phường Tứ Hạ", "phường Hương Văn", "xã Hương Toàn",
                             "xã Bình Tiến", "xã Hương Thọ"]),
    ("Phong Điền", "huyện", ["thị trấn Phong Điền", "xã Phong Hiền", "xã Phong An",
                             "xã Phong Thu", "xã Phong Xuân", "xã Điền Hương"]),
    ("Quảng Điền", "huyện", ["thị trấn Sịa", "xã Quảng Thành", "xã Quảng An",
                             "xã Quảng Phú", "xã Quảng Lợi"]),
    ("A Lưới", "huyện", ["thị trấn A Lưới", "xã Hồng Thượng", "xã A Ngo", "xã Hồng Kim",
                         "xã Trung Sơn"]),
    ("Phú Lộc", "huyện", ["thị trấn Phú Lộc", "thị trấn Lăng Cô", "xã Lộc Điền",
                          "xã Lộc An", "xã Vinh Hưng"]),
    ("Nam Đông", "huyện", ["thị trấn Khe Tre", "xã Hương Phú", "xã Thượng Quảng",
                           "xã Hương Lộc"]),
    ("Hương Thủy", "thị xã", ["phường Phú Bài", "phường Thủy Dương", "phường Thủy Phương",
                              "xã Thủy Thanh", "xã Dương Hòa"]),
]
_PLACES_BEFORE_2025 = _PLACES_ANY + [
    ("Huế", "thành phố", ["phường Vĩnh Ninh", "phường Phú Hội", "phường Kim Long",
                          "phường Tây Lộc", "phường Thuận Hòa", "phường Vỹ Dạ"]),
]
_PLACES_2025 = _PLACES_ANY + [
    ("Phú Xuân", "quận", ["phường Kim Long", "phường Tây Lộc", "phường Thuận Hòa",
                          "phường Hương Sơ", "phường Đông Ba"]),
    ("Thuận Hóa", "quận", ["phường Vĩnh Ninh", "phường Phú Hội", "phường An Cựu",
                           "phường Vỹ Dạ", "phường Xuân Phú"]),
]
_PARTY = {"huyện": "Huyện ủy", "thị xã": "Thị ủy", "quận": "Quận ủy", "thành phố": "Thành ủy"}

_SURNAMES = ["Trần", "Nguyễn", "Lê", "Phạm", "Hồ", "Hoàng", "Phan", "Võ", "Đặng", "Bùi",
             "Đỗ", "Ngô", "Dương", "Huỳnh", "Trương"]
_MIDDLE = ["Văn", "Thị", "Đức", "Gia", "Thanh", "Minh", "Quang", "Hữu", "Ngọc", "Xuân",
           "Đình", "Công", "Thế", "Anh"]
_GIVEN = ["Công", "Hùng", "Long", "Lộc", "Hải", "Sơn", "Tuấn", "Dũng", "Nam", "Phương",
          "Hà", "Lan", "Bình", "Cường", "Thắng", "Vinh", "Hiếu", "Trung", "Hòa", "Thủy",
          "Khoa", "Thúy", "Toàn", "Quý", "Tâm", "Nhân", "Phúc", "Linh"]
# writers and photographers: no syllable whose tone placement can vary
_WRITERS = ["Minh Đức", "Thanh Hiền", "Thu Hà", "Thanh Tùng", "Ngọc Lan", "Hoàng Anh",
            "Phước Trung", "Bảo Ngân", "Quang Sáng", "Mai Linh", "Hữu Phúc", "Văn Dinh",
            "Diệu Hương", "Minh Hiếu", "Anh Phong", "Trần Tâm", "Lê Thọ", "Hải Yến"]

_ROLES = {
    "bi_thu": "Bí thư {pb}",
    "pbt_tt": "Phó Bí thư Thường trực {pb}, Chủ tịch HĐND {unit}",
    "pbt_ct": "Phó Bí thư {pb}, Chủ tịch UBND {unit}",
    "pct": "Phó Chủ tịch UBND {unit}",
    "mttq": "Chủ tịch Ủy ban MTTQ Việt Nam {unit}",
    "tuyen_giao": "Trưởng Ban Tuyên giáo {pb}",
    "kiem_tra": "Chủ nhiệm Ủy ban Kiểm tra {pb}",
    "dan_van": "Trưởng Ban Dân vận {pb}",
}

_ROLE_KEYS = tuple(_ROLES)
_OTHER_ROLES = {key: tuple(k for k in _ROLES if k != key) for key in _ROLES}
_UNITS = {name: unit for name, unit, _ in _PLACES_BEFORE_2025 + _PLACES_2025}
_QUARTER = {1: "I", 2: "II", 3: "III", 4: "IV"}


@dataclass(frozen=True)
class _Event:
    text: str
    kind: str  # how the text refers to it afterwards: "Hội nghị", "buổi lễ", ...
    when: Callable[[datetime], bool]  # may this event be published then?


def _always(_p: datetime) -> bool:
    return True


_EVENTS = [
    _Event("Hội nghị sơ kết công tác 6 tháng đầu năm {year}, triển khai nhiệm vụ 6 tháng cuối "
           "năm", "Hội nghị", lambda p: p.month in (6, 7, 8)),
    _Event("Hội nghị tổng kết công tác xây dựng Đảng năm {prev}, triển khai nhiệm vụ năm {year}",
           "Hội nghị", lambda p: p.month in (1, 2)),
    _Event("Hội nghị học tập, quán triệt, triển khai thực hiện Nghị quyết Hội nghị Trung ương "
           "{n_tw} khóa {tw_term}", "Hội nghị", _always),
    _Event("Hội nghị Ban Chấp hành Đảng bộ {unit} lần thứ {n_bch}", "Hội nghị", _always),
    _Event("Hội nghị đối thoại giữa người đứng đầu cấp ủy, chính quyền với Nhân dân",
           "Hội nghị", _always),
    _Event("Lễ trao tặng Huy hiệu Đảng cho các đảng viên", "buổi lễ", _always),
    _Event("Hội nghị tiếp xúc cử tri trước Kỳ họp thứ {n_kh} HĐND {unit} khóa {hd_term}",
           "Hội nghị", _always),
    _Event("Hội nghị sơ kết 5 năm thực hiện Chỉ thị số {n_ct}-CT/TU của Ban Thường vụ {upper}",
           "Hội nghị", _always),
    _Event("Hội nghị triển khai công tác chuẩn bị Đại hội Đảng bộ các cấp nhiệm kỳ 2025 – 2030",
           "Hội nghị", lambda p: p.year >= 2024),
    _Event("Hội nghị đánh giá công tác vận hành thử nghiệm các xã, phường (mới) và triển khai "
           "các nhiệm vụ quan trọng chuẩn bị vận hành các xã, phường (mới) sau sáp nhập",
           "Hội nghị", lambda p: p.year == 2025 and p.month == 6),
    _Event("Hội nghị triển khai Đề án sắp xếp, sáp nhập đơn vị hành chính cấp xã", "Hội nghị",
           lambda p: p.year >= 2024),
    _Event("Hội nghị giao ban công tác dân vận quý {quarter}", "Hội nghị", _always),
    _Event("Hội nghị kiểm điểm, đánh giá, xếp loại chất lượng tổ chức đảng và đảng viên năm "
           "{review_year}", "Hội nghị", lambda p: p.month in (12, 1)),
    _Event("Lễ khánh thành nhà văn hóa thôn {village}", "buổi lễ", _always),
    _Event("Hội nghị tổng kết công tác hòa giải ở cơ sở năm {review_year}", "Hội nghị",
           lambda p: p.month in (11, 12, 1)),
    _Event("Hội nghị triển khai nhiệm vụ phòng, chống thiên tai và tìm kiếm cứu nạn năm {year}",
           "Hội nghị", lambda p: p.month in (3, 4, 5, 8, 9)),
    _Event("Chương trình giám sát việc thực hiện chính sách bảo hiểm y tế, bảo hiểm xã hội",
           "chương trình", _always),
    _Event("Hội nghị triển khai nhiệm vụ phát triển kinh tế – xã hội năm {year}", "Hội nghị",
           lambda p: p.month in (1, 2, 3)),
    _Event("Hội nghị chuyên đề về chuyển đổi số và cải cách hành chính", "Hội nghị", _always),
    _Event("Hội thi báo cáo viên giỏi cấp {unit} năm {year}", "Hội thi", _always),
    _Event("Kỳ họp thứ {n_kh} HĐND {unit} khóa {hd_term}", "Kỳ họp", _always),
    _Event("Lễ ra mắt Tổ công nghệ số cộng đồng tại {commune}", "buổi lễ",
           lambda p: p.year >= 2023),
]


@functools.lru_cache(maxsize=256)
def _events_for(year: int, month: int) -> tuple[_Event, ...]:
    when = datetime(year, month, 1, tzinfo=VN_TZ)
    return tuple(e for e in _EVENTS if e.when(when))


_VILLAGES = ["An Lưu", "Dương Nổ", "Thanh Lam", "Hà Thanh", "Lại Thế", "Mỹ Lợi", "Phước Yên",
             "Sơn Công", "Khe Su", "Bàu Sen", "Hòa Vang", "Thủy Tú"]

_PARTY_ORGS = ["Ban Thường vụ {pb} {place}", "Ban Chấp hành Đảng bộ {unit} {place}",
               "Thường trực {pb} {place}", "{pb} {place}", "Ban Tuyên giáo {pb} {place}",
               "Ủy ban Kiểm tra {pb} {place}", "Ban Dân vận {pb} {place}"]
_GOV_ORGS = ["UBND {unit} {place}", "Thường trực HĐND {unit} {place}",
             "Ủy ban MTTQ Việt Nam {unit} {place}", "Ban Thường vụ {pb} {place}",
             "Đảng ủy {commune}", "UBND {commune}"]

_P_CONTEXT = [
    "Từ ngày {d1}/{m1} đến ngày {d2}/{m2}/{y2}, {unit_place} đã tổ chức triển khai nhiều nội "
    "dung quan trọng, trong đó tập trung vào công tác xây dựng Đảng và hệ thống chính trị.",
    "Theo báo cáo, thời gian qua, {pb_place} đã tập trung lãnh đạo, chỉ đạo các cấp ủy, tổ "
    "chức đảng thực hiện nghiêm túc các chủ trương, nghị quyết của cấp trên.",
    "Công tác giáo dục chính trị, tư tưởng được quan tâm thực hiện; tình hình tư tưởng của cán "
    "bộ, đảng viên và Nhân dân trên địa bàn cơ bản ổn định.",
    "Các cơ quan, đơn vị, địa phương đã chủ động xây dựng kế hoạch, phân công nhiệm vụ cụ thể "
    "cho từng cán bộ, công chức.",
    "Việc triển khai được thực hiện đồng bộ tại {c1}, {c2} và {c3}, bảo đảm đúng tiến độ đề ra.",
    "Theo đánh giá, việc tổ chức thực hiện đạt kết quả tốt, đảm bảo yêu cầu về nội dung, quy "
    "trình và hiệu quả.",
    "Các tổ chức cơ sở đảng đã phối hợp chặt chẽ với Ủy ban MTTQ Việt Nam và các tổ chức chính "
    "trị - xã hội trong việc tuyên truyền, vận động Nhân dân.",
]
_P_RESULTS = [
    "Toàn {unit} hiện có {n_dv} đảng viên sinh hoạt tại {n_tcd} tổ chức cơ sở đảng; trong năm "
    "{year}, đã kết nạp được {n_new} đảng viên mới, đạt {pct}% kế hoạch.",
    "Tổng thu ngân sách trên địa bàn ước đạt {money} tỷ đồng, bằng {pct}% dự toán được giao.",
    "Công tác cải cách hành chính tiếp tục được đẩy mạnh; tỷ lệ hồ sơ thủ tục hành chính được "
    "giải quyết đúng hạn đạt {pct2}%.",
    "Có {n_hs} hồ sơ được tiếp nhận và giải quyết qua Trung tâm Hành chính công, không có hồ sơ "
    "trễ hạn.",
    "Công tác kiểm tra, giám sát được thực hiện thường xuyên; Ủy ban Kiểm tra {pb} đã tiến hành "
    "kiểm tra {n_kt} tổ chức đảng và {n_kt2} đảng viên.",
    "Các chương trình mục tiêu quốc gia được triển khai hiệu quả; đến nay, toàn {unit} có "
    "{n_ntm} xã đạt chuẩn nông thôn mới.",
    "Công tác an sinh xã hội được chú trọng, {unit} đã hỗ trợ xây dựng mới và sửa chữa {n_nha} "
    "nhà ở cho hộ nghèo, hộ có hoàn cảnh khó khăn.",
    "Phong trào toàn dân đoàn kết xây dựng đời sống văn hóa ở khu dân cư tiếp tục được duy trì, "
    "{pct2}% hộ gia đình đạt danh hiệu gia đình văn hóa.",
]
_P_ISSUES = [
    "Bên cạnh những kết quả đạt được, qua triển khai cũng nổi lên một số khó khăn, vướng mắc cần "
    "sớm được tháo gỡ.",
    "Một số cấp ủy cơ sở chưa thật sự chủ động trong công tác tham mưu; việc ứng dụng công nghệ "
    "thông tin ở một số đơn vị còn hạn chế.",
    "Cơ sở vật chất, trang thiết bị phục vụ công tác tại một số xã, thị trấn chưa đáp ứng được "
    "yêu cầu nhiệm vụ trong tình hình mới.",
    "Tại {kind}, các đại biểu đã tập trung thảo luận, phân tích nguyên nhân của những hạn chế và "
    "đề xuất nhiều giải pháp thiết thực.",
    "Nhiều ý kiến kiến nghị cấp trên sớm ban hành hướng dẫn cụ thể để các địa phương có cơ sở "
    "triển khai thực hiện.",
    "Công tác hòa giải ở cơ sở có lúc chưa kịp thời, một số vụ việc còn kéo dài.",
]
_P_SPEECH = [
    "Phát biểu chỉ đạo tại {kind}, đồng chí {name_a} – {role_a} ghi nhận, biểu dương những kết "
    "quả mà các cơ quan, đơn vị đã đạt được trong thời gian qua.",
    "Đồng chí {short_a} đề nghị các cấp ủy, chính quyền tiếp tục quán triệt sâu sắc quan điểm, "
    "mục tiêu của Đảng, tạo sự thống nhất cao trong nhận thức và hành động.",
    "Đồng chí nhấn mạnh, mỗi cán bộ, đảng viên phải nêu cao tinh thần trách nhiệm, gương mẫu đi "
    "đầu trong thực hiện nhiệm vụ được giao.",
    "Phát biểu tại {kind}, đồng chí {name_b} – {role_b} yêu cầu lãnh đạo các xã, thị trấn, các "
    "cơ quan, đơn vị hoàn thành các chỉ tiêu đã đề ra trước ngày {dd}/{mm}/{yyyy}.",
    "Đồng chí cũng lưu ý các địa phương quan tâm giữ gìn sức khỏe cho cán bộ, đảng viên cao "
    "tuổi và chăm lo tốt hơn đời sống của Nhân dân.",
]
_P_TASKS = [
    "Thời gian tới, {pb_place} yêu cầu các cấp ủy, tổ chức đảng tiếp tục đổi mới phương thức "
    "lãnh đạo, nâng cao năng lực lãnh đạo và sức chiến đấu của tổ chức đảng.",
    "Các cơ quan, đơn vị cần tập trung rà soát, hoàn thiện các điều kiện cần thiết, bảo đảm bộ "
    "máy hoạt động thông suốt, không bị gián đoạn.",
    "Đẩy mạnh công tác tuyên truyền để cán bộ, đảng viên và Nhân dân hiểu rõ, đồng thuận và tích "
    "cực tham gia thực hiện.",
    "Chú trọng công tác cải cách hành chính, chuyển đổi số; tăng cường kỷ luật, kỷ cương hành "
    "chính và trách nhiệm người đứng đầu.",
    "Quan tâm chăm lo đời sống vật chất, tinh thần cho Nhân dân, đặc biệt là các gia đình chính "
    "sách, hộ nghèo, đồng bào dân tộc thiểu số.",
    "Đồng chí {short_a} tin tưởng rằng, với sự vào cuộc quyết liệt của cả hệ thống chính trị, "
    "{unit_place} sẽ hoàn thành thắng lợi các mục tiêu, nhiệm vụ đã đề ra.",
]
_P_CLOSING = [
    "Dịp này, {award_org} đã trao Giấy khen cho {n_tt} tập thể và {n_cn} cá nhân có thành tích "
    "xuất sắc.",
    "{kind_cap} cũng đã thông qua chương trình công tác trọng tâm thời gian tới và quy chế phối "
    "hợp giữa các cơ quan, đơn vị.",
    "Kết thúc {kind}, các đại biểu đã biểu quyết thống nhất thông qua Nghị quyết với tỷ lệ 100%.",
    "Theo kế hoạch, văn bản có hiệu lực thi hành kể từ ngày {dd2}/{mm2}/{yyyy2}.",
]
_PARAGRAPHS = [_P_CONTEXT, _P_RESULTS, _P_ISSUES, _P_SPEECH, _P_TASKS, _P_CLOSING]

_EDITS = [
    "Theo số liệu cập nhật của Văn phòng {pb}, đến ngày {dd3}/{mm3}/{yyyy3}, toàn {unit} đã "
    "giải quyết {n_upd} hồ sơ trực tuyến, tăng {n_inc} hồ sơ so với báo cáo tại {kind}.",
    "Đính chính: số liệu về tỷ lệ hồ sơ giải quyết đúng hạn được điều chỉnh thành {pct3}% theo "
    "báo cáo bổ sung của UBND {unit}.",
    "Sau {kind}, {pb_place} đã ban hành Kết luận số {n_kl}-KL/HU chỉ đạo các địa phương khẩn "
    "trương khắc phục những hạn chế đã được chỉ ra.",
]

_CAPTIONS = [
    "{role} {name} phát biểu tại {kind}.",
    "{role} {name} phát biểu tại {kind}",
    "Quang cảnh {kind}.",
    "Các đại biểu tham dự {kind}.",
    "Đồng chí {name} – {role} phát biểu chỉ đạo.",
    "Các đại biểu biểu quyết thông qua Nghị quyết.",
    "{role} {name} trao Giấy khen cho các tập thể, cá nhân.",
]


# --------------------------------------------------------------------------- data classes


@dataclass(frozen=True)
class DemoImage:
    path: str
    caption: str | None
    credit: str | None


@dataclass(frozen=True)
class DemoArticle:
    id: int
    category_slug: str
    category: str
    path: str
    title: str
    published: datetime
    published_raw: str
    event_date: date
    lead: str
    body: list[str]
    images: list[DemoImage]
    authors: list[str]
    fault: str | None


@dataclass(frozen=True)
class Served:
    """What the portal puts into the HTML of one article (raw, before any cleaning)."""

    article: DemoArticle
    title: str  # raw title (for the h1)
    lead: str
    body: list[str]
    captions: list[str | None]  # raw caption line incl. the credit, per image
    image_after: list[int]  # 0 = after the lead, j = after body paragraph j (1-based)
    image_variant: str  # "p" | "figure" | "table"
    authors_line: str
    nfd_body: bool
    modified: datetime  # Last-Modified of the page


@dataclass(frozen=True)
class _Head:
    id: int
    published: datetime
    place: str
    unit: str
    communes: tuple[str, ...]
    event: str
    kind: str
    title: str  # canonical (new tone placement)
    style: str  # "old" | "new" | "mixed"
    path: str
    event_date: date
    lead: str  # canonical (new tone placement)
    chair: str
    chair_name: str
    chair_role: str


@dataclass(frozen=True)
class _Base:
    head: _Head
    event_date: date
    lead: str
    body: tuple[str, ...]
    captions: tuple[str | None, ...]
    credits: tuple[str | None, ...]
    credit_formats: tuple[str, ...]
    image_after: tuple[int, ...]
    image_variant: str
    authors: tuple[str, ...]
    authors_line: str
    old_flags: tuple[bool, ...]  # title, lead, body..., captions...
    ctx: dict


def _stable(*parts: object) -> int:
    return zlib.crc32("|".join(map(str, parts)).encode())


def _num(value: int) -> str:
    """Vietnamese thousands separator: 12.345"""
    return f"{value:,}".replace(",", ".")


_T = TypeVar("_T")


class _Rng:
    """Thin, fast helpers over ``random.Random`` (only ``random()`` is drawn)."""

    __slots__ = ("random",)

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed).random

    def between(self, lo: int, hi: int) -> int:
        return lo + int(self.random() * (hi - lo + 1))

    def pick(self, seq: Sequence[_T]) -> _T:
        return seq[int(self.random() * len(seq))]

    def sample_sorted(self, n: int, k: int) -> list[int]:
        """k distinct numbers of range(n), ascending."""
        k = min(k, n)
        chosen: set[int] = set()
        while len(chosen) < k:
            chosen.add(int(self.random() * n))
        return sorted(chosen)

    def shuffled(self, seq: list) -> list:
        out = list(seq)
        for i in range(len(out) - 1, 0, -1):
            j = int(self.random() * (i + 1))
            out[i], out[j] = out[j], out[i]
        return out


# --------------------------------------------------------------------------- the site


class DemoSite:
    CATEGORIES = CATEGORIES
    DISALLOWED_PATH = DISALLOWED_PATH
    PAGE_SIZE = PAGE_SIZE

    def __init__(self, articles: int = 60, seed: int = 2025, new_per_day: int = 3,
                 faults: bool = True, slow_seconds: float = 3.0) -> None:
        if articles < 1:
            raise ValueError("articles must be >= 1")
        self.articles = articles
        self.seed = seed
        self.new_per_day = max(0, new_per_day)
        self.faults = faults
        self.slow_seconds = slow_seconds
        days = (LAST.date() - START.date()).days
        self._total = days * _DAY_MINUTES + (LAST.hour * 60 + LAST.minute - _DAY_OPEN)
        self._step = self._total // (articles - 1) if articles > 1 else 0
        self._head = functools.lru_cache(maxsize=8192)(self._make_head)
        self._base = functools.lru_cache(maxsize=512)(self._make_base)
        self._build = functools.lru_cache(maxsize=2048)(self._make_build)
        self._official = functools.lru_cache(maxsize=1024)(self._make_official)

    def __repr__(self) -> str:
        return (f"DemoSite(articles={self.articles}, seed={self.seed}, "
                f"new_per_day={self.new_per_day}, faults={self.faults})")

    # ------------------------------------------------------------ days

    def max_id(self, day: int = 0) -> int:
        return self.articles + self.new_per_day * max(0, day)

    def _day_limit(self, day: int) -> int:
        """Number of days d <= day whose change ids 6d-4, 6d-2, 6d exist among 1..N."""
        return max(0, min(day, self.articles // 6 + 1))

    def is_removed(self, id: int, day: int) -> bool:
        return id % 6 == 0 and id <= self.articles and id // 6 <= day

    def is_edited(self, id: int, day: int) -> bool:
        return id % 6 == 2 and id <= self.articles and (id + 4) // 6 <= day

    def is_cosmetic(self, id: int, day: int) -> bool:
        return id % 6 == 4 and id <= self.articles and (id + 2) // 6 <= day

    def new_ids(self, day: int) -> frozenset[int]:
        return frozenset(range(self.articles + 1, self.max_id(day) + 1))

    def edited_ids(self, day: int) -> frozenset[int]:
        return frozenset(i for d in range(1, self._day_limit(day) + 1)
                         if (i := 6 * d - 4) <= self.articles)

    def cosmetic_ids(self, day: int) -> frozenset[int]:
        return frozenset(i for d in range(1, self._day_limit(day) + 1)
                         if (i := 6 * d - 2) <= self.articles)

    def removed_ids(self, day: int) -> frozenset[int]:
        return frozenset(i for d in range(1, self._day_limit(day) + 1)
                         if (i := 6 * d) <= self.articles)

    def change_day(self, id: int) -> int | None:
        """The day on which an original article is edited / made cosmetic / removed."""
        if id > self.articles or id % 2:
            return None
        return {2: (id + 4) // 6, 4: (id + 2) // 6, 0: id // 6}[id % 6]

    def exists(self, id: int, day: int = 0) -> bool:
        return 1 <= id <= self.max_id(day) and not self.is_removed(id, day)

    def fault(self, id: int) -> str | None:
        return FAULTS.get(id) if self.faults else None

    # ------------------------------------------------------------ public API

    def article(self, id: int, day: int = 0) -> DemoArticle | None:
        served = self.served(id, day)
        return served.article if served else None

    def served(self, id: int, day: int = 0) -> Served | None:
        if not self.exists(id, day):
            return None
        return self._build(id, self.is_edited(id, day), self.is_cosmetic(id, day))

    def summary(self, id: int, day: int = 0) -> tuple[str, str, datetime]:
        """(title, path, published) of an article, cheap (no body generated)."""
        head = self._head(id)
        title = head.title
        if head.style != "new" and not self.is_cosmetic(id, day):
            title = _old_tone_fast(title)
        return title, head.path, head.published

    def teaser(self, id: int, day: int = 0) -> tuple[str, str, datetime, str, str]:
        """(title, path, published, lead, thumbnail path) as a listing shows it, cheap."""
        head = self._head(id)
        title, lead = head.title, head.lead
        if head.style != "new" and not self.is_cosmetic(id, day):
            title, lead = _old_tone_fast(title), _old_tone_fast(lead)
        p = head.published
        thumb = f"/uploads/{p.year}/{p.month:02d}/anh-{id}-1.jpg"
        return title, head.path, p, lead, thumb

    def category_of(self, id: int) -> str:
        return "tin-tuc-su-kien" if id % 3 == 0 else "hoat-dong-cap-uy"

    def _count(self, slug: str, upto: int, day: int) -> int:
        """Live articles of a category among ids 1..upto."""
        if upto <= 0:
            return 0
        if slug == "tin-tuc-su-kien":
            removed = min(upto, self.articles) // 6
            return upto // 3 - min(removed, self._day_limit(day))
        return upto - upto // 3

    def listing_ids(self, category_slug: str, page: int, day: int = 0) -> list[int]:
        if category_slug not in CATEGORIES or page < 1:
            return []
        top = self.max_id(day)
        total = self._count(category_slug, top, day)
        skip = (page - 1) * PAGE_SIZE
        if skip >= total:
            return []
        # smallest id whose live-count reaches total - skip is the first item of the page
        target = total - skip
        lo, hi = 1, top
        while lo < hi:
            mid = (lo + hi) // 2
            if self._count(category_slug, mid, day) >= target:
                hi = mid
            else:
                lo = mid + 1
        ids: list[int] = []
        i = lo
        while i >= 1 and len(ids) < PAGE_SIZE:
            if self.category_of(i) == category_slug and not self.is_removed(i, day):
                ids.append(i)
            i -= 1
        return ids

    def listing(self, category_slug: str, page: int, day: int = 0) -> list[DemoArticle]:
        return [a for i in self.listing_ids(category_slug, page, day)
                if (a := self.article(i, day)) is not None]

    def page_count(self, category_slug: str, day: int = 0) -> int:
        if category_slug not in CATEGORIES:
            return 0
        total = self._count(category_slug, self.max_id(day), day)
        return max(1, math.ceil(total / PAGE_SIZE))

    def article_ids(self, day: int = 0) -> Iterator[int]:
        for i in range(1, self.max_id(day) + 1):
            if not self.is_removed(i, day):
                yield i

    def latest_ids(self, count: int, day: int = 0) -> list[int]:
        ids: list[int] = []
        i = self.max_id(day)
        while i >= 1 and len(ids) < count:
            if not self.is_removed(i, day):
                ids.append(i)
            i -= 1
        return ids

    def related_ids(self, id: int, day: int = 0, count: int = 5) -> list[int]:
        """Older live articles of the same category (newer ones when too few)."""
        slug = self.category_of(id)
        out: list[int] = []
        for direction in (-1, 1):
            i = id + direction
            while 1 <= i <= self.max_id(day) and len(out) < count:
                if self.category_of(i) == slug and not self.is_removed(i, day):
                    out.append(i)
                i += direction
        return out

    def id_for_path(self, path: str) -> int | None:
        m = _ARTICLE_PATH.match(path)
        return int(m.group(1)) if m else None

    # ------------------------------------------------------------ generation

    def _published(self, id: int, rng: _Rng) -> datetime:
        n = self.articles
        if id > n:
            day, k = divmod(id - n - 1, self.new_per_day)
            step = max(1, 720 // self.new_per_day)
            minute = 450 + k * step + rng.between(0, min(30, step - 1))
            return LAST.replace(hour=0, minute=0) + timedelta(days=day + 1, minutes=minute)
        offset = (id - 1) * self._total // (n - 1) if n > 1 else self._total
        jitter_max = max(0, (self._step - 1) // 2) if 1 < id < n else 0
        offset += rng.between(-jitter_max, jitter_max)
        days, minute = divmod(offset, _DAY_MINUTES)
        return START + timedelta(days=days, minutes=minute)

    def _make_official(self, place: str, role: str, term: int) -> tuple[str, str]:
        """(name, role) of the holder of a post in a place for a term (stable)."""
        rng = random.Random(_stable(self.seed, place, role, term))
        name = f"{rng.choice(_SURNAMES)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}"
        unit = _UNITS[place]
        return name, _ROLES[role].format(pb=_PARTY[unit], unit=unit)

    def _path(self, id: int, title: str) -> str:
        return f"/tin-tuc/{slugify(title)}-{id}.html"

    def is_cosmetic_candidate(self, id: int) -> bool:
        return id % 6 == 4 and id <= self.articles

    def _make_head(self, id: int) -> _Head:
        """Everything a listing shows: title, dates, lead (canonical tone placement)."""
        rng = _Rng(self.seed * 1_000_003 + id)
        p = self._published(id, rng)
        year = p.year
        place, unit, communes = rng.pick(_PLACES_2025 if year >= 2025 else _PLACES_BEFORE_2025)
        event = rng.pick(_events_for(year, p.month))
        pb = _PARTY[unit]
        upper = "Tỉnh ủy" if year < 2025 else "Thành ủy"
        communes = rng.shuffled(communes)
        fields = {
            "year": year, "prev": year - 1, "review_year": year - 1 if p.month == 1 else year,
            "unit": unit, "upper": upper,
            "n_tw": rng.between(4, 11), "tw_term": "XII" if year < 2021 else "XIII",
            "n_bch": rng.between(5, 40), "n_kh": rng.between(3, 19),
            "hd_term": "XI" if year < 2021 else "XII",
            "n_ct": rng.between(10, 60), "quarter": _QUARTER[(p.month - 1) // 3 + 1],
            "village": rng.pick(_VILLAGES), "commune": communes[-1],
        }
        text = event.text.format_map(fields)
        form = rng.random()
        if form < 0.65:
            title = f"{place}: {text}"
        elif form < 0.85:
            title = f"{pb} {place} tổ chức {text}"
        else:
            title = f"{text} tại {unit} {place}"
        if self.is_cosmetic_candidate(id):
            style = "old"
        else:
            r = rng.random()
            style = "old" if r < 0.55 else "new" if r < 0.8 else "mixed"

        # event date and the lead
        offset = rng.pick((0, 0, 1, 1, 2))
        event_date = p.date() - timedelta(days=offset)
        if offset == 0 and p.hour < 12:
            prefix = rng.pick(("Ngày", "Sáng"))
        elif offset == 0 and p.hour < 18:
            prefix = rng.pick(("Ngày", "Sáng", "Chiều"))
        else:
            prefix = rng.pick(("Ngày", "Sáng", "Chiều", "Tối"))
        orgs = _PARTY_ORGS if self.category_of(id) == "hoat-dong-cap-uy" else _GOV_ORGS
        org = rng.pick(orgs).format(pb=pb, place=place, unit=unit, commune=communes[0])
        chair = rng.pick(("bi_thu", "bi_thu", "pbt_tt", "pbt_ct"))
        term = 0 if year <= 2020 else 1
        chair_name, chair_role = self._official(place, chair, term)
        if chair == "bi_thu":
            chair_role = f"{upper} viên, {chair_role}"
        kind = event.kind
        second = rng.pick((
            "Đồng chí {n} – {r} chủ trì {k}.", "Dự {k} có đồng chí {n} – {r}.",
            "Đồng chí {n} – {r} dự và chỉ đạo {k}.",
        )).format(n=chair_name, r=chair_role, k=kind)
        lead = f"{prefix} {event_date.day}/{event_date.month}, {org} tổ chức {text}. {second}"
        title = clean(title)
        return _Head(id, p, place, unit, tuple(communes), text, kind, title, style,
                     self._path(id, title), event_date, clean(lead), chair, chair_name,
                     chair_role)

    def _make_base(self, id: int) -> _Base:
        head = self._head(id)
        rng = _Rng(self.seed * 1_000_003 + id + (1 << 40))
        ri = rng.between
        p = head.published
        year = p.year
        unit = head.unit
        pb = _PARTY[unit]
        term = 0 if year <= 2020 else 1
        place_unit = f"{unit} {head.place}"
        communes = head.communes
        kind = head.kind
        chair = head.chair
        other_name, other_role = self._official(head.place, rng.pick(_OTHER_ROLES[chair]), term)
        # "Bí thư Huyện ủy", "Phó Bí thư Thường trực Huyện ủy", "Phó Bí thư Huyện ủy"
        short_a = head.chair_role.split(", ")[-1 if chair == "bi_thu" else 0]
        ed = head.event_date
        d1 = ed - timedelta(days=ri(5, 30))
        d2 = ed - timedelta(days=ri(1, 3))
        due = p + timedelta(days=ri(5, 40))
        valid = p + timedelta(days=ri(3, 20))
        ctx = {
            "unit": unit, "unit_place": place_unit, "pb": pb, "pb_place": f"{pb} {head.place}",
            "c1": communes[0], "c2": communes[1 % len(communes)],
            "c3": communes[2 % len(communes)], "kind": kind, "kind_cap": kind[0].upper() + kind[1:],
            "name_a": head.chair_name, "role_a": head.chair_role, "short_a": short_a,
            "name_b": other_name, "role_b": other_role, "year": year,
            "d1": d1.day, "m1": d1.month, "d2": d2.day, "m2": d2.month, "y2": d2.year,
            "dd": f"{due.day:02d}", "mm": f"{due.month:02d}", "yyyy": due.year,
            "dd2": f"{valid.day:02d}", "mm2": f"{valid.month:02d}", "yyyy2": valid.year,
            "n_dv": _num(ri(2500, 9800)), "n_tcd": ri(28, 95), "n_new": ri(40, 260),
            "pct": f"{ri(85, 128)},{ri(1, 9)}", "pct2": f"{ri(90, 99)},{ri(1, 9)}",
            "money": _num(ri(120, 980)), "n_hs": _num(ri(1200, 48000)), "n_kt": ri(5, 40),
            "n_kt2": ri(8, 90), "n_ntm": ri(3, 14), "n_nha": ri(12, 160), "n_tt": ri(3, 25),
            "n_cn": ri(5, 45),
            "award_org": rng.pick((f"UBND {place_unit}", f"Ban Thường vụ {pb}",
                                   f"Chủ tịch UBND {unit}")),
        }
        kinds = rng.sample_sorted(len(_PARAGRAPHS), ri(3, 6))
        kinds[0] = 0  # the opening paragraph always comes first
        body = []
        for k in kinds:
            pool = _PARAGRAPHS[k]
            picks = rng.sample_sorted(len(pool), ri(2, min(4, len(pool))))
            body.append(" ".join([pool[j] for j in picks]).format_map(ctx))

        # images
        n_img = ri(1, 3)
        image_after = [0] + [j + 1 for j in rng.sample_sorted(len(body), n_img - 1)]
        captions: list[str | None] = []
        credits: list[str | None] = []
        formats: list[str] = []
        for _ in range(n_img):
            if rng.random() < 0.15:
                captions.append(None)
                credits.append(None)
                formats.append("")
                continue
            name, role = self._official(head.place, rng.pick(_ROLE_KEYS), term)
            caption = rng.pick(_CAPTIONS).format(role=role, name=name, kind=kind)
            caption = caption[0].upper() + caption[1:]
            r = rng.random()
            if r < 0.25:
                credits.append(rng.pick(_WRITERS))
                formats.append(" (Ảnh: {})" if r < 0.15 else " Ảnh: {}")
                if not caption.endswith("."):
                    caption += "."
            else:
                credits.append(None)
                formats.append("")
            captions.append(caption)
        variant = rng.pick(("p", "p", "figure", "table"))

        # authors
        w1, w2 = (_WRITERS[i] for i in rng.sample_sorted(len(_WRITERS), 2))
        r = rng.random()
        authors: tuple[str, ...]
        if r < 0.35:
            authors, line = (w1, w2), f"{w1} – {w2}"
        elif r < 0.6:
            authors, line = (w2,), w2
        elif r < 0.7:
            authors, line = ("PV",), "PV"
        elif r < 0.85:
            authors, line = (w1,), f"Tin, ảnh: {w1}"
        else:
            authors, line = (w2, w1), f"{w2} - {w1}"

        # tone placement as published
        n_flags = 2 + len(body) + n_img
        if head.style == "old":
            flags = (True,) * n_flags
        elif head.style == "new":
            flags = (False,) * n_flags
        else:
            flags = (True, True) + tuple(rng.random() < 0.5 for _ in range(n_flags - 2))

        ctx.update({
            "n_upd": _num(ri(1500, 9000)), "n_inc": ri(12, 300),
            "pct3": f"{ri(91, 99)},{ri(1, 9)}", "n_kl": ri(100, 999),
            "edit": rng.between(0, len(_EDITS) - 1),
        })
        return _Base(head, head.event_date, head.lead, tuple(body),
                     tuple(captions), tuple(credits), tuple(formats), tuple(image_after),
                     variant, authors, line, flags, ctx)

    def _edit_time(self, id: int) -> datetime:
        d = self.change_day(id) or 0
        return LAST.replace(hour=8, minute=0) + timedelta(days=d)

    def _make_build(self, id: int, edited: bool, cosmetic: bool) -> Served:
        base = self._base(id)
        head = base.head
        flags = base.old_flags if not cosmetic else (False,) * len(base.old_flags)

        def tone(text: str, i: int) -> str:
            return _old_tone_fast(text) if flags[i] else text

        title = tone(head.title, 0)
        lead = tone(base.lead, 1)
        body = list(base.body)
        if edited and len(body) >= 2:
            ctx = dict(base.ctx)
            when = self._edit_time(id)
            ctx.update(dd3=f"{when.day:02d}", mm3=f"{when.month:02d}", yyyy3=when.year)
            body[1] = clean(_EDITS[ctx["edit"]].format(**ctx))
        body = [tone(b, 2 + i) for i, b in enumerate(body)]
        nb = 2 + len(body)
        captions = [tone(c, nb + i) if c else None for i, c in enumerate(base.captions)]
        images = []
        p = head.published
        for k, (caption, credit) in enumerate(zip(captions, base.credits, strict=True), 1):
            path = f"/uploads/{p.year}/{p.month:02d}/anh-{id}-{k}.jpg"
            images.append(DemoImage(path, caption, credit))
        slug = self.category_of(id)
        article = DemoArticle(
            id=id, category_slug=slug, category=CATEGORIES[slug],
            path=head.path, title=title, published=p,
            published_raw=f"Cập nhật lúc : {dmy(p)} {p:%H:%M}", event_date=base.event_date,
            lead=lead, body=body, images=images, authors=list(base.authors),
            fault=self.fault(id),
        )
        # the raw text with its white-space traps
        trng = random.Random(self.seed * 1_000_003 + id + (2 << 40) + (1 if cosmetic else 0))
        extra = 0.12 if cosmetic else 0.0

        def trap(text: str, rate: float = 0.015) -> str:
            return _trap(text, trng, rate, extra)

        raw_captions = [
            trap(c + (fmt.format(cr) if cr else ""), 0.02) if c else None
            for c, cr, fmt in zip(captions, base.credits, base.credit_formats, strict=True)
        ]
        modified = self._edit_time(id) if (edited or cosmetic) else p
        return Served(
            article=article, title=trap(title, 0.02), lead=trap(lead),
            body=[trap(b) for b in body], captions=raw_captions,
            image_after=list(base.image_after), image_variant=base.image_variant,
            authors_line=base.authors_line, nfd_body=id % 5 == 0, modified=modified,
        )


_ARTICLE_PATH = re.compile(r"^/tin-tuc/[a-z0-9-]+-(\d+)\.html$")


def _trap(text: str, rng: random.Random, rate: float, extra: float) -> str:
    """Replace a few single spaces by NBSP, space+ZWSP, a source line break or extra spaces.

    Only existing spaces are replaced (by other white space), so ``clean`` undoes it all.
    """
    total = rate * 3 + extra
    count = int(text.count(" ") * total + rng.random())
    size = len(text)
    for _ in range(count):
        pos = text.find(" ", int(rng.random() * size))
        if pos < 0:
            continue
        r = rng.random() * total
        if r < rate:
            sep = "\u00a0"
        elif r < rate * 2:
            sep = " \u200b" if r < rate * 1.5 else "\u200b "
        elif r < rate * 3:
            sep = "\n" + " " * (4 * (1 + pos % 3))
        else:
            sep = ("  ", "   ", " \u00a0")[pos % 3]
        text = text[:pos] + sep + text[pos + 1:]
        size = len(text)
    return text
