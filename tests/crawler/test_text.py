import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal_archive.crawler.text import clean, content_hash, fold

TONES = "\u0300\u0301\u0303\u0309\u0323"

# Letters, combining marks and every kind of space a portal's HTML produces.
messy_text = st.text(
    alphabet=st.sampled_from(
        list("aăâeêioôơuưyđAĐ bcdghkmnqrtx.,;:-–()")
        + list(TONES)
        + list("\u0302\u0306\u031b")
        + ["\u00a0", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u2003"]
        + ["\n", "\t", "\r", "\u3000", "\u202f"]
        + list("uỷủyhoàhòaHoáHóa")
    ),
    max_size=60,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Huyện\u00a0uỷ  Phú Vang \n", "Huyện uỷ Phú Vang"),
        ("Huyện \u200b uỷ", "Huyện uỷ"),
        ("Huyện\u200buỷ", "Huyện uỷ"),
        ("\ufeffTin tức\u2060", "Tin tức"),
        ("Thừa\u2003Thiên\u3000Huế", "Thừa Thiên Huế"),
        (unicodedata.normalize("NFD", "Thừa Thiên Huế"), "Thừa Thiên Huế"),
        ("cải\u00adcách", "cảicách"),
        ("", ""),
        (" \u00a0\u200b ", ""),
    ],
)
def test_clean(raw: str, expected: str) -> None:
    assert clean(raw) == expected


def test_clean_keeps_tone_placement() -> None:
    # The archive keeps the source's spelling: only fold() moves tone marks.
    assert clean("Huyện uỷ") == "Huyện uỷ"
    assert clean("hoà") == "hoà"


@given(messy_text)
def test_clean_is_idempotent(s: str) -> None:
    once = clean(s)
    assert clean(once) == once
    assert unicodedata.is_normalized("NFC", once)
    assert once == once.strip() and "  " not in once


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("uỷ", "ủy"),
        ("hoà", "hòa"),
        ("thuỷ", "thủy"),
        ("khoẻ", "khỏe"),
        ("Hoá", "Hóa"),
        ("Huyện uỷ Phú Vang", "Huyện ủy Phú Vang"),
        ("Thừa Thiên Huế, hoà bình", "Thừa Thiên Huế, hòa bình"),
        ("ỦY BAN", "UỶ BAN"),
        ("xoá", "xóa"),
        ("tuỳ", "tùy"),
        ("loà", "lòa"),
        ("qúa", "quá"),  # a tone typed on the u of "qu"
        ("cuả", "của"),
    ],
)
def test_fold_equates_tone_placements(a: str, b: str) -> None:
    assert fold(a) == fold(b)
    assert fold(unicodedata.normalize("NFD", a)) == fold(b)


@pytest.mark.parametrize(
    "words",
    [
        ["hòa", "hóa", "hỏa", "họa", "hoa"],
        ["thủy", "thùy", "thúy", "thụy", "thuy"],
        ["mua", "mùa", "múa", "mũa"],
        ["Hòa", "hòa"],  # case is kept
        ["quý", "quỳ", "quỹ"],
        ["gìn", "gin"],
        ["người", "ngươi", "ngưởi"],
        ["Huế", "Huệ", "Hue"],
    ],
)
def test_fold_keeps_different_words_apart(words: list[str]) -> None:
    assert len({fold(w) for w in words}) == len(words)


def test_fold_canonical_form() -> None:
    assert fold("Huyện uỷ") == "Huyện ủy"
    assert fold("hoà thuận, khoẻ mạnh") == "hòa thuận, khỏe mạnh"
    assert fold("người") == "người" and fold("ngoài") == "ngoài" and fold("khuỷu") == "khuỷu"
    # Not Vietnamese syllables: left alone.
    assert fold("Café Zürich") == "Café Zürich"


ONSETS = ["", "h", "th", "kh", "ng", "l", "t", "x", "qu", "gi", "nh"]
CLUSTERS = ["oa", "oe", "uy", "ua", "ai", "ao", "oai", "uyê", "ươ", "iê", "a", "u", "ưa", "uô"]
FINALS = ["", "n", "ng", "t", "c", "nh", "m"]


def _strip_tones(s: str) -> str:
    d = unicodedata.normalize("NFD", s)
    return unicodedata.normalize("NFC", "".join(c for c in d if c not in TONES))


def _tones(s: str) -> list[str]:
    return [c for c in unicodedata.normalize("NFD", s) if c in TONES]


@given(
    st.sampled_from(ONSETS),
    st.sampled_from(CLUSTERS),
    st.sampled_from(FINALS),
    st.sampled_from(list(TONES)),
    st.data(),
    st.booleans(),
)
def test_fold_equates_every_tone_position(onset, cluster, final, tone, data, upper) -> None:
    """A tone on any vowel of the syllable folds to the same word, with the same tone."""
    positions = [i for i, c in enumerate(cluster)]
    i, j = data.draw(st.sampled_from(positions)), data.draw(st.sampled_from(positions))

    def syllable(pos: int) -> str:
        v = cluster[: pos + 1] + tone + cluster[pos + 1 :]
        word = unicodedata.normalize("NFC", onset + v + final)
        return word.upper() if upper else word

    a, b = syllable(i), syllable(j)
    assert fold(a) == fold(b)
    # Only the position moved: same letters, same single tone.
    assert _strip_tones(fold(a)) == _strip_tones(a)
    assert _tones(fold(a)) == [tone]


@given(messy_text)
def test_fold_is_idempotent(s: str) -> None:
    once = fold(s)
    assert fold(once) == once
    assert fold(s) == fold(clean(s))


ARTICLE = {
    "title": "Phú Vang: Hội nghị Huyện uỷ",
    "lead": "Ngày 26/6, Ban Thường vụ Huyện uỷ Phú Vang tổ chức Hội nghị.",
    "body": ["Đoạn một, hoà bình.", "Đoạn hai."],
    "images": [{"src": "http://x/a.jpg", "caption": "Phát biểu.", "credit": "Thanh Tùng"}],
    "authors": ["Minh Đức", "Thanh Hiền"],
    "category": "Hoạt động cấp ủy",
}


def _edit(**changes: object) -> dict:
    return {**ARTICLE, **changes}


def test_content_hash_format() -> None:
    h = content_hash(ARTICLE)
    assert h.startswith("sha256:") and len(h) == len("sha256:") + 64
    assert int(h[7:], 16) >= 0


@pytest.mark.parametrize(
    "cosmetic",
    [
        _edit(title="Phú Vang: Hội nghị Huyện ủy"),
        _edit(lead=unicodedata.normalize("NFD", ARTICLE["lead"])),
        _edit(body=["Đoạn một,\u00a0 hòa bình.", " Đoạn\u200bhai. "][:1] + ["Đoạn hai."]),
        _edit(body=["Đoạn một, hòa bình.", "", "Đoạn hai."]),
        _edit(authors=["Minh Đức ", "Thanh\u00a0Hiền"]),
        _edit(category="Hoạt động cấp uỷ"),
        _edit(
            images=[{"src": "http://other/a.jpg", "caption": "Phát biểu.", "credit": "Thanh Tùng"}]
        ),
    ],
)
def test_content_hash_ignores_cosmetic_edits(cosmetic: dict) -> None:
    assert content_hash(cosmetic) == content_hash(ARTICLE)


@pytest.mark.parametrize(
    "edited",
    [
        _edit(title="Phú Vang: Hội nghị Huyện uỷ mở rộng"),
        _edit(lead="Ngày 27/6, Ban Thường vụ Huyện uỷ Phú Vang tổ chức Hội nghị."),
        _edit(body=["Đoạn một, hóa bình.", "Đoạn hai."]),  # a different tone is a different word
        _edit(body=["Đoạn một, hoà bình. Đoạn hai."]),  # paragraphs merged
        _edit(body=["Đoạn hai.", "Đoạn một, hoà bình."]),  # reordered
        _edit(body=ARTICLE["body"] + ["Đoạn ba."]),
        _edit(images=[{"src": "x", "caption": "Phát biểu.", "credit": None}]),
        _edit(images=[{"src": "x", "caption": "Phát biểu. Thanh Tùng", "credit": None}]),
        _edit(images=[]),
        _edit(authors=["Minh Đức"]),
        _edit(category=None),
        _edit(lead=None, body=[ARTICLE["lead"], *ARTICLE["body"]]),  # text moved between fields
    ],
)
def test_content_hash_sees_real_changes(edited: dict) -> None:
    assert content_hash(edited) != content_hash(ARTICLE)


def test_content_hash_tolerates_missing_fields() -> None:
    assert content_hash({}) == content_hash({"title": "", "body": [], "lead": None})


# ARTICLE's hash before the source field existed: an archive's stored hashes must hold.
HASH_BEFORE_SOURCE = "sha256:918c24b3c2c64658c3596c135e4d005883316bee70cf0eadb09aaa922c1bdd43"


def test_content_hash_of_an_article_without_a_source_is_unchanged() -> None:
    assert content_hash(ARTICLE) == HASH_BEFORE_SOURCE
    assert content_hash(_edit(source=None)) == content_hash(_edit(source="")) == HASH_BEFORE_SOURCE


def test_content_hash_counts_a_source() -> None:
    with_source = content_hash(_edit(source="Báo Đắk Nông"))
    assert with_source != HASH_BEFORE_SOURCE
    assert content_hash(_edit(source="Báo Đắk Nông")) != content_hash(_edit(source="TTXVN"))
    assert content_hash(_edit(source=" Báo Đắk\u00a0Nông")) == with_source  # cosmetic
