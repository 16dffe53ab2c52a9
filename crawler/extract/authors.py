"""Author lines at the foot of an article: "Minh Đức – Thanh Hiền", "Tin, ảnh: Thanh Tùng";
which line or element of the page is the byline."""

from __future__ import annotations

import re

from portal_archive.crawler.text import clean

from .lines import Item, Line
from .pinned import Pinned, value
from .roles import AUTHOR, roles
from .tree import El, describe, text_of

__all__ = ["find_authors", "looks_like_author_line", "split_authors"]

_ROLE = r"(?:tin|bài|ảnh|video|clip|đồ họa|đồ hoạ)"
# "Tin, ảnh:", "Bài và ảnh:", "Thực hiện:", "Viết bởi ..." before the names.
_PREFIX_RE = re.compile(
    rf"^(?:{_ROLE}(?:\s*(?:,|và|&|\+|/|-)\s*{_ROLE})*|thực hiện|nhóm thực hiện|tác giả"
    r"|người viết|phóng viên)\s*:\s*"
    r"|^(?:viết bởi|written by|by)\s+",
    re.I,
)
# Between names: dashes (spaced, or en/em dashes), commas, semicolons, "và", "&".
_SEPARATOR_RE = re.compile(r"\s+-\s+|\s*[–—,;&+]\s*|\s+và\s+", re.I)
# A lower-case word followed by a sentence end: prose, not a byline.
_SENTENCE_RE = re.compile(r"[^\W\d_]{2,}[.!?…]\s")
# Generic bylines written in lower case.
_GENERIC = frozenset({"nhóm phóng viên", "phóng viên", "cộng tác viên", "ban biên tập"})
_MAX_CHARS = 100
_MAX_NAMES = 6
_MAX_WORDS_PER_NAME = 6
_MAX_SOURCE_LINE = 80  # "Nguồn: TTXVN" after the byline
_MAX_PLAIN_BYLINE = 40  # a byline with no styling must be this short


def split_authors(line: str) -> list[str]:
    """Names in an author line, in order, without role prefixes.

    >>> split_authors("Minh Đức – Thanh Hiền")
    ['Minh Đức', 'Thanh Hiền']
    >>> split_authors("Tin, ảnh: Thanh Tùng")
    ['Thanh Tùng']
    >>> split_authors("Bài và ảnh: Hoàng Anh, Ngọc Lan.")
    ['Hoàng Anh', 'Ngọc Lan']
    >>> split_authors("Bài: Minh Đức; ảnh: Thanh Hiền")
    ['Minh Đức', 'Thanh Hiền']
    """
    # The line's prefix goes before splitting: "Tin, ảnh:" holds a comma.
    body = _strip_prefix(clean(line))
    names: list[str] = []
    for part in _SEPARATOR_RE.split(body):
        name = _strip_prefix(part).strip(" .")
        if name.startswith("(") and name.endswith(")"):
            name = name[1:-1].strip()
        if name and name not in names:
            names.append(name)
    return names


def _strip_prefix(text: str) -> str:
    return _PREFIX_RE.sub("", text, count=1).strip()


def looks_like_author_line(text: str) -> bool:
    """Short line of capitalised names (optionally after "Tin, ảnh:"), not a sentence.

    >>> looks_like_author_line("Minh Đức – Thanh Hiền"), looks_like_author_line("PV")
    (True, True)
    >>> looks_like_author_line("Hội nghị kết thúc lúc 17 giờ.")
    False
    """
    line = clean(text)
    body = _strip_prefix(line)
    if not body or len(line) > _MAX_CHARS or any(c.isdigit() for c in body):
        return False
    # A closing period is fine ("Thu Hà."); one inside the line ends a sentence.
    if _SENTENCE_RE.search(body.rstrip(". ") + " "):
        return False
    names = split_authors(body)
    return 0 < len(names) <= _MAX_NAMES and all(_is_name(n) for n in names)


def _is_name(name: str) -> bool:
    if ":" in name:  # "Nguồn: TTXVN" and other labels that are not roles
        return False
    if name.lower() in _GENERIC:
        return True
    words = name.split()
    if not 0 < len(words) <= _MAX_WORDS_PER_NAME:
        return False
    return all(w.strip("()[]/.'\"")[:1].isupper() for w in words)


def find_authors(items: list[Item], scope: El | None, pinned: Pinned) -> tuple[list[str], str]:
    """The article's authors and the rule that found them: the profile's elements, else
    the closing byline (removed from ``items``), else a byline element."""
    authors: list[str] = []
    for el in pinned.authors:
        authors += [a for a in split_authors(value(el)) if a not in authors]
    if authors:
        return authors, pinned.rule("authors")
    authors, rule = _take_byline(items)
    if authors:
        return authors, rule
    return _author_elements(scope)


def _take_byline(items: list[Item]) -> tuple[list[str], str]:
    """Remove and return the closing byline, with the rule that recognised it.

    It is the last line, or the one before a short closing source line
    ("Nguồn: TTXVN"); a byline with no styling (not right-aligned, not bold)
    must be short.
    """
    lines = [(i, it) for i, it in enumerate(items) if isinstance(it, Line)]
    candidates = lines[-1:]
    if len(lines) >= 2 and len(lines[-1][1].text) <= _MAX_SOURCE_LINE:
        candidates.append(lines[-2])
    for rank, (i, it) in enumerate(candidates):
        styled = it.align == "right" or it.bold
        plain_ok = rank == 0 and len(it.text) <= _MAX_PLAIN_BYLINE
        if (styled or plain_ok) and looks_like_author_line(it.text):
            del items[i]
            where = "closing line" if rank == 0 else "line before the closing source line"
            how = "right-aligned" if it.align == "right" else "bold" if it.bold else "short"
            return split_authors(it.text), f"{where}, {how}"
    return [], "not found"


def _author_elements(scope: El | None) -> tuple[list[str], str]:
    """Authors from a byline element (K2's itemAuthor...) when there is no closing line."""
    if scope is None:
        return [], "not found"
    for el in scope.iter():
        if roles(el) & AUTHOR:
            text = clean(text_of(el))
            if text and looks_like_author_line(text):
                return split_authors(text), f"byline element {describe(el)}"
    return [], "not found"
