"""Author lines at the foot of an article: "Minh Đức – Thanh Hiền", "Tin, ảnh: Thanh Tùng",
"Tin, ảnh Ngô Tấm – Thanh Tiến (Đài Truyền thanh huyện)"; which line or element of the
page is the byline, and the source it or the line beside it names (``source``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from portal_archive.crawler.text import clean

from .lines import Item, Line
from .pinned import Pinned, value
from .roles import AUTHOR, roles
from .source import source_element, split_agency, take_source
from .tree import El, describe, text_of

__all__ = ["Byline", "find_authors", "looks_like_author_line", "split_authors", "split_byline"]

_ROLE = r"(?:tin|bài|ảnh|video|clip|đồ họa|đồ hoạ)"
_ROLES = rf"{_ROLE}(?:\s*(?:,|và|&|\+|/|-)\s*{_ROLE})*"
# "Tin, ảnh:", "Bài và ảnh:", "Thực hiện:", "Viết bởi ..." before the names.
_PREFIX_RE = re.compile(
    rf"^(?:{_ROLES}|thực hiện|nhóm thực hiện|tác giả"
    r"|người viết|người đưa tin|phóng viên)\s*:\s*"
    r"|^(?:viết bởi|written by|by)\s+",
    re.I,
)
# "Tin, ảnh Ngô Tấm": the roles without their colon, when a capitalised name follows.
_BARE_PREFIX_RE = re.compile(rf"^{_ROLES}\s+", re.I)
# Between names: dashes (spaced, or en/em dashes), commas, semicolons, "và", "&".
_SEPARATOR_RE = re.compile(r"\s+-\s+|\s*[–—,;&+]\s*|\s+và\s+", re.I)
# "Hoàng Hoài-Vũ Trang": two names joined by a bare hyphen (Vietnamese names have none).
_JOINED_RE = re.compile(r"(?<=[^\W\d_])-(?=[^\W\d_])")
# A lower-case word followed by a sentence end: prose, not a byline.
_SENTENCE_RE = re.compile(r"[^\W\d_]{2,}[.!?…]\s")
# Generic bylines written in lower case.
_GENERIC = frozenset({"nhóm phóng viên", "phóng viên", "cộng tác viên", "ban biên tập"})
# An office's signature closing a notice ("BAN GIÁM HIỆU", "TM. Ủy ban nhân dân", "Hiệu
# trưởng"): who issues it, not who wrote the article.
_OFFICE_RE = re.compile(
    r"^(?:tm|t/m|kt|q)\.?\s|^(?:ban (?:giám hiệu|giám đốc|tổ chức|chỉ đạo|chấp hành"
    r"|thường vụ|quản lý|đại diện)|(?:phó )?(?:hiệu trưởng|giám đốc|chủ tịch)|hội đồng"
    r"|[uủ]y ban|văn phòng|ubnd)\b",
    re.I,
)
_MAX_CHARS = 100
_MAX_NAMES = 6
_MAX_WORDS_PER_NAME = 6
_MAX_SOURCE_LINE = 80  # "Nguồn: TTXVN" after the byline
_MAX_PLAIN_BYLINE = 40  # the names of a byline with no styling must be this short


@dataclass(frozen=True, slots=True)
class Byline:
    """The article's authors and source, each with the rule that found it."""

    authors: list[str]
    authors_rule: str
    source: str | None
    source_rule: str


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
    return split_byline(line)[0]


def split_byline(line: str) -> tuple[list[str], str | None]:
    """The names in an author line and the agency in brackets closing it, if any.

    >>> split_byline("Tin, ảnh Ngô Tấm – Thanh Tiến (Đài Truyền thanh huyện)")
    (['Ngô Tấm', 'Thanh Tiến'], 'Đài Truyền thanh huyện')
    >>> split_byline("Tin, ảnh: Hoàng Hoài-Vũ Trang")
    (['Hoàng Hoài', 'Vũ Trang'], None)
    """
    # The line's prefix goes before splitting: "Tin, ảnh:" holds a comma.
    body, agency = split_agency(_strip_prefix(clean(line)))
    names: list[str] = []
    for part in (p for joined in _SEPARATOR_RE.split(body) for p in _unjoin(joined)):
        name = _strip_prefix(part).strip(" .")
        if name.startswith("(") and name.endswith(")"):
            name = name[1:-1].strip()
        if name and name not in names:
            names.append(name)
    return names, agency


def _unjoin(part: str) -> list[str]:
    """Names joined by a bare hyphen, when each side is a capitalised name."""
    pieces = _JOINED_RE.split(part)
    if len(pieces) > 1 and all(p.strip()[:1].isupper() for p in pieces):
        return pieces
    return [part]


def _strip_prefix(text: str) -> str:
    stripped = _PREFIX_RE.sub("", text, count=1).strip()
    if stripped != text.strip():
        return stripped
    bare = _BARE_PREFIX_RE.match(text)
    if bare is not None and text[bare.end() : bare.end() + 1].isupper():
        return text[bare.end() :].strip()
    return stripped


def looks_like_author_line(text: str) -> bool:
    """Short line of capitalised names (optionally after "Tin, ảnh:"), not a sentence.

    >>> looks_like_author_line("Minh Đức – Thanh Hiền"), looks_like_author_line("PV")
    (True, True)
    >>> looks_like_author_line("Hội nghị kết thúc lúc 17 giờ.")
    False
    """
    line = clean(text)
    body = split_agency(_strip_prefix(line))[0]
    if not body or len(line) > _MAX_CHARS or any(c.isdigit() for c in body):
        return False
    # A closing period is fine ("Thu Hà."); one inside the line ends a sentence.
    if _SENTENCE_RE.search(body.rstrip(". ") + " "):
        return False
    names = split_byline(body)[0]
    return 0 < len(names) <= _MAX_NAMES and all(_is_name(n) for n in names)


def _is_name(name: str) -> bool:
    if ":" in name:  # "Nguồn: TTXVN" and other labels that are not roles
        return False
    if name.lower() in _GENERIC:
        return True
    if _OFFICE_RE.match(name):
        return False
    words = name.split()
    if not 0 < len(words) <= _MAX_WORDS_PER_NAME:
        return False
    return all(w.strip("()[]/.'\"")[:1].isupper() for w in words)


def find_authors(
    items: list[Item], scope: El | None, pinned: Pinned, container: El | None = None
) -> Byline:
    """The article's authors and source, with the rules that found them.

    The closing source line ("Theo Báo Đắk Nông", "Nguồn: TTXVN") goes first, so the
    byline it followed is the closing line. Authors are the profile's elements, else
    the names of the source line ("Theo QV (TTXVN)"), else the closing byline, else a
    byline element; the source is the source line's, else the agency in brackets
    after the byline, else a source line beside the content block (``container``):
    the page's own source field, which a closing line naming a legal text ("Nguồn:
    Thông tư 22/2021/TT-BGDĐT", what the article sums up) does not outrank.
    What they were read from is removed from ``items``.
    """
    beside = source_element(scope, container)
    source = take_source(items, looks_like_author_line, documents=beside.name is None)
    authors, agency, rule = _authors(items, scope, pinned, source.byline)
    if source.name is None and agency is not None:
        return Byline(authors, rule, agency, f"agency in brackets after the byline ({rule})")
    if source.name is None:
        source = beside
    return Byline(authors, rule, source.name, source.rule)


def _authors(items: list[Item], scope: El | None, pinned: Pinned,
             source_byline: str | None) -> tuple[list[str], str | None, str]:
    """(names, agency in brackets, rule) of the first byline the rules find."""
    authors: list[str] = []
    agency = None
    for el in pinned.authors:
        names, its_agency = split_byline(value(el))
        authors += [a for a in names if a not in authors]
        agency = agency or its_agency
    if authors:
        return authors, agency, pinned.rule("authors")
    if source_byline and looks_like_author_line(source_byline):
        return split_authors(source_byline), None, "names on the source line"
    authors, agency, rule = _take_byline(items)
    if authors:
        return authors, agency, rule
    return _author_elements(scope)


def _take_byline(items: list[Item]) -> tuple[list[str], str | None, str]:
    """Remove and return the closing byline, its agency and the rule that recognised it.

    It is the last line, or the one before a short closing line; a byline with no
    styling (not right-aligned, not bold) must be the last line and its names short,
    unless a role prefix ("Tin, ảnh") says what it is.
    """
    lines = [(i, it) for i, it in enumerate(items) if isinstance(it, Line)]
    candidates = lines[-1:]
    if len(lines) >= 2 and len(lines[-1][1].text) <= _MAX_SOURCE_LINE:
        candidates.append(lines[-2])
    for rank, (i, it) in enumerate(candidates):
        styled = it.align == "right" or it.bold
        plain_ok = rank == 0 and _plain_byline(it.text)
        if (styled or plain_ok) and looks_like_author_line(it.text):
            del items[i]
            where = "closing line" if rank == 0 else "line before the closing line"
            how = "right-aligned" if it.align == "right" else "bold" if it.bold else "short"
            return (*split_byline(it.text), f"{where}, {how}")
    return [], None, "not found"


def _plain_byline(text: str) -> bool:
    """Short names, or names after a role prefix: "Lệ Sương", "Tin, ảnh Ngô Tấm – …"."""
    line = clean(text)
    names = _strip_prefix(line)
    return names != line or len(split_agency(names)[0]) <= _MAX_PLAIN_BYLINE


def _author_elements(scope: El | None) -> tuple[list[str], str | None, str]:
    """Authors from a byline element (K2's itemAuthor...) when there is no closing line."""
    if scope is None:
        return [], None, "not found"
    for el in scope.iter():
        if roles(el) & AUTHOR:
            text = clean(text_of(el))
            if text and looks_like_author_line(text):
                return (*split_byline(text), f"byline element {describe(el)}")
    return [], None, "not found"
