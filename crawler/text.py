"""Text normalisation shared by extraction, hashing, search and change detection.

``clean`` is what the archive stores (source spelling kept, only white space and
Unicode form normalised); ``fold`` is the comparison form in which a moved tone
mark (``uỷ``/``ủy``) is not a change; ``content_hash`` hashes the folded text.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Any

__all__ = ["clean", "content_hash", "fold", "text_hash"]

# Zero-width characters are not white space to Python, but portals paste them
# between words: they count as spaces. Soft hyphens and direction marks never stand
# for a word break: they are removed. (str.split() covers NBSP and the other
# Unicode spaces.)
_ODD_TABLE = {
    **dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u180e"), " "),
    **dict.fromkeys(map(ord, "\u00ad\u200e\u200f"), None),
}
# The same as (character, replacement) pairs: str.replace of each one present is C-level
# work, where translate() with a table looks up every character of the text (a tenth of
# the extractor's time on pages that paste zero-width spaces).
_ODD_REPLACEMENTS = tuple((chr(c), r or "") for c, r in _ODD_TABLE.items())

# The five Vietnamese tone marks (grave, acute, tilde, hook above, dot below).
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
# A run of letters, including combining marks that may follow in NFD input.
_WORD_RE = re.compile(r"(?:[^\W\d_]|[\u0300-\u036f])+")
# Vowels that carry a tone in preference to plain ones (ă â ê ô ơ ư).
_MARKED_VOWELS = frozenset("ăâêôơư")
# onset + vowel cluster + final consonant of a Vietnamese syllable (tone removed,
# lower case). "gi"/"qu" count as onsets when another vowel follows (gìa -> già).
_SYLLABLE_RE = re.compile(
    r"(ngh|ng|gh|gi|kh|nh|ph|th|tr|ch|qu|[bcdđghklmnpqrstvx])?"
    r"([aăâeêioôơuưy]{1,3})"
    r"(ch|ng|nh|[cmnpt])?"
)


def clean(s: str) -> str:
    """NFC, every run of white space (NBSP, zero-width characters) as one space, trimmed.

    >>> clean("  Huyện\\u00a0uỷ \\u200b Phú  Vang\\n")
    'Huyện uỷ Phú Vang'
    """
    if s.isascii():  # no odd characters, nothing to compose
        return " ".join(s.split())
    # Odd characters go first, so that NFC sees the letters they separated; the
    # membership tests are much cheaper than a regex over the text.
    for odd, replacement in _ODD_REPLACEMENTS:
        if odd in s:
            s = s.replace(odd, replacement)
    return " ".join(unicodedata.normalize("NFC", s).split())


def fold(s: str) -> str:
    """clean() plus one canonical tone-mark position per syllable.

    The traditional placement (hòa, thủy, khỏe) is used; any fixed rule would do,
    this one matches most portals. Case is kept and words that are not a single
    Vietnamese syllable with one tone are left as they are, so different words
    are never merged.

    >>> fold("Huyện uỷ") == fold("Huyện ủy") == "Huyện ủy"
    True
    >>> fold("hoà") == fold("hòa"), fold("Hoá") == fold("Hóa")
    (True, True)
    """
    s = clean(s)
    if s.isascii():
        return s
    # clean() leaves single spaces: per-token work (cached) beats a regex callback.
    return " ".join([t if t.isascii() else _fold_token(t) for t in s.split(" ")])


@lru_cache(maxsize=32768)
def _fold_token(token: str) -> str:
    return _WORD_RE.sub(lambda m: _fold_word(m.group()), token)


def _fold_word(word: str) -> str:
    if word.isascii():
        return word
    nfd = unicodedata.normalize("NFD", word)
    tones = [c for c in nfd if c in _TONES]
    if len(tones) != 1:  # no tone: nothing to move; several: not one syllable
        return word
    bare = unicodedata.normalize("NFC", nfd.replace(tones[0], ""))
    m = _SYLLABLE_RE.fullmatch(bare.lower())
    if m is None:
        return word
    pos = m.start(2) + _tone_index(m.group(2), bool(m.group(3)))
    return unicodedata.normalize("NFC", bare[: pos + 1] + tones[0] + bare[pos + 1 :])


def _tone_index(vowels: str, has_final: bool) -> int:
    """Index in the vowel cluster that carries the tone (traditional rules)."""
    marked = [i for i, v in enumerate(vowels) if v in _MARKED_VOWELS]
    if marked:  # ươ -> ơ (người), uô -> ô, iê -> ê; otherwise the only marked vowel
        return marked[-1]
    if has_final:  # hoàng, huỳnh, toán
        return len(vowels) - 1
    if len(vowels) == 3:  # ngoài, khuỷu
        return 1
    return 0  # hòa, thủy, khỏe, mùa, mái


def content_hash(fields: Mapping[str, Any]) -> str:
    """``"sha256:<hex>"`` over the folded text fields of a cleaned article.

    JSON encoding of a fixed structure keeps the fields apart unambiguously; None
    and empty strings are the same (no text), empty paragraphs are ignored.
    """
    return _hash(fields, fold)


def text_hash(fields: Mapping[str, Any]) -> str:
    """Like content_hash, but over the text as stored (cleaned, not folded): it differs
    where content_hash does not when an edit only moved tone marks (a cosmetic edit)."""
    return _hash(fields, clean)


def _hash(fields: Mapping[str, Any], norm: Callable[[str], str]) -> str:
    images = fields.get("images") or []
    doc = [
        norm(fields.get("title") or ""),
        norm(fields.get("lead") or ""),
        _norm_all(fields.get("body") or [], norm),
        [[norm(i.get("caption") or ""), norm(i.get("credit") or "")] for i in images],
        _norm_all(fields.get("authors") or [], norm),
        norm(fields.get("category") or ""),
    ]
    # Appended only when there is one: the hashes of articles archived before the field
    # existed (and of every article without a source) stay what they were, so their
    # next capture is not reported as an edit.
    if fields.get("source"):
        doc.append(norm(fields["source"]))
    data = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(data.encode("utf-8")).hexdigest()


def _norm_all(texts: Iterable[str], norm: Callable[[str], str]) -> list[str]:
    return [f for f in (norm(t) for t in texts) if f]
