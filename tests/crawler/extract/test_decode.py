"""Decoding response bodies: windows-1258, misdeclared and undeclared charsets."""

import re
import unicodedata

import pytest

from portal_archive.crawler.extract import decode_html


def test_decode_html() -> None:
    text = "<meta charset='windows-1258'><p>Hu\u00ea\u0301</p>"  # cp1258: combining tones
    assert "Huế" in unicodedata.normalize("NFC", decode_html(text.encode("cp1258")))
    assert decode_html("<p>Huế</p>".encode()) == "<p>Huế</p>"
    assert decode_html("\ufeff<p>Huế</p>".encode()) == "<p>Huế</p>"
    latin = "<p>café</p>".encode("latin-1")
    assert decode_html(latin, "text/html; charset=ISO-8859-1") == "<p>café</p>"
    assert "Hu" in decode_html("<meta charset='no-such-codec'><p>Huế</p>".encode())
    assert decode_html(b"\xff\xfe\xfa garbage") is not None


def _cp1258(text: str) -> bytes:
    """windows-1258 as legacy editors wrote it: ê, ơ, ư, ă, đ... precomposed, tones combining."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = []
    for cluster in re.findall(r".[\u0300-\u036f]*", unicodedata.normalize("NFD", text), re.S):
        marks = cluster[1:]
        base = cluster[0] + "".join(m for m in marks if m not in tones)
        out.append(unicodedata.normalize("NFC", base) + "".join(m for m in marks if m in tones))
    return "".join(out).encode("cp1258")


HUE_NFC = "<p>Huyện uỷ Phú Vang tổ chức hội nghị đánh giá công tác Đảng</p>"
HUE_CP1258 = _cp1258(HUE_NFC)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"<meta charset='windows-1258'>" + HUE_NFC.encode(), None),  # UTF-8 declared cp1258
        (HUE_NFC.encode(), "text/html; charset=iso-8859-1"),  # UTF-8 served as Latin-1
        (HUE_CP1258, None),  # windows-1258 declared nowhere
        (HUE_CP1258, "text/html; charset=utf-8"),  # windows-1258 served as UTF-8
        (b"<meta charset='windows-1258'>" + HUE_CP1258, None),
    ],
)
def test_decode_what_the_page_really_is(body: bytes, content_type: str | None) -> None:
    assert HUE_NFC in unicodedata.normalize("NFC", decode_html(body, content_type))


def test_a_stray_bad_byte_does_not_make_utf8_legacy() -> None:
    assert decode_html(HUE_NFC.encode() + b"\xff").startswith(HUE_NFC)


WORD_QUOTES = "<p>Hội nghị “Dân vận khéo” – Huyện uỷ</p>"


@pytest.mark.parametrize("content_type", [None, "text/html; charset=utf-8",
                                          "text/html; charset=windows-1258"])
def test_word_quotes_pasted_into_a_utf8_page_are_quotes(content_type: str | None) -> None:
    # Word's windows-1252 “ ” – bytes inside otherwise UTF-8 text: UnicodeDammit.detwingle.
    body = WORD_QUOTES.encode()
    for char in "“”–":
        body = body.replace(char.encode(), char.encode("cp1252"))
    assert decode_html(body, content_type) == WORD_QUOTES
