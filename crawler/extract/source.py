"""Where an article's text comes from, when its closing lines say so: "Theo Báo Đắk Nông",
"Nguồn: TTXVN", "(Nguồn: Báo Dân trí)", a closing "(Theo TTXVN)" after the last sentence,
and the agency in brackets after a byline: "Theo QV (TTXVN)", "Minh Đức (TTXVN)"."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from portal_archive.crawler.text import clean

from .lines import Item, Line
from .tree import El, contains, describe, text_of

__all__ = ["Source", "read_source_line", "source_element", "split_agency", "take_source"]

# "Theo X" / "Theo: X" / "Nguồn: X" / "Nguồn tin: X" opening a source.
_LABEL = r"(?:(?P<theo>theo)\s*:?\s+|nguồn(?:\s+tin)?\s*:\s*)"
# The whole line, maybe in brackets.
_SOURCE_LINE_RE = re.compile(
    rf"^\(?\s*{_LABEL}(?P<rest>[^()]+(?:\([^()]*\))?)\s*\)?\s*\.?$", re.I
)
# "… the last sentence. (Theo TTXVN)" / "(Nguồn: Báo Dân trí)" closing a paragraph, after
# its last sentence: "… là 120 ca (nguồn: Sở Y tế)." cites a figure, not the article's source.
_TRAILING_RE = re.compile(rf"(?<=[.!?…\"”»])\s*\({_LABEL}(?P<source>[^()]+)\)\.?$", re.I)
_LABEL_RE = re.compile(rf"^{_LABEL}", re.I)
# A paper, station or portal: "Báo Đắk Nông (Đắk Nông)" names no writer.
_MEDIA_RE = re.compile(r"^(?:báo|tạp chí|đài|cổng|trang|thông tấn|truyền hình|kênh)\b", re.I)
# "Theo Hướng dẫn số 05/HD-BTC": a document the text follows, not where it comes from.
_DOCUMENT_RE = re.compile(r"\bsố\s*\d|\d+/[^\W\d_]", re.I)
# "Names (Agency)": a bracketed group closing a byline.
# "Nguồn: Thông tư 22/2021/TT-BGDĐT": the legal text an article sums up; where it comes
# from when nothing else says so, not when the page's own source field does.
_LEGAL_TEXT_RE = re.compile(
    r"^(?:thông tư|nghị định|nghị quyết|quyết định|bộ luật|luật|công văn|chỉ thị|kế hoạch"
    r"|hướng dẫn|thông báo|văn bản)(?:\s+liên tịch)?\s+(?:số\s*)?\d",
    re.I,
)
_AGENCY_RE = re.compile(r"^(?P<names>.*?\S)\s*\((?P<agency>[^()]+)\)\s*\.?$")
# A lower-case word followed by a sentence end: prose, not a source ("baochinhphu.vn" is not).
_SENTENCE_RE = re.compile(r"[^\W\d_]{2,}[.!?…]\s")
# "Theo: http://molisa.gov.vn": a portal names where it copied from by its address.
_WEB_ADDRESS_RE = re.compile(r"^https?://[^\s/]+\.[^\s]+$", re.I)
_MAX_LINE = 80  # a source line is short; a longer "Theo …" line is a sentence
_MAX_THEO_WORDS = 10


@dataclass(frozen=True, slots=True)
class Source:
    """The article's source, the byline its line holds ("QV" in "Theo QV (TTXVN)"), the
    rule that found it."""

    name: str | None
    byline: str | None = None
    rule: str = "not found"


def split_agency(text: str) -> tuple[str, str | None]:
    """A byline without the bracketed group that closes it, and that group when it names
    an agency; in lower case it is the writer's role ("tổng hợp", "lược dịch").

    >>> split_agency("Ngô Tấm – Thanh Tiến (Đài Truyền thanh huyện)")
    ('Ngô Tấm – Thanh Tiến', 'Đài Truyền thanh huyện')
    >>> split_agency("Thu Hà (tổng hợp)"), split_agency("(Thu Hà)")
    (('Thu Hà', None), ('(Thu Hà)', None))
    """
    m = _AGENCY_RE.match(text)
    if m is None:
        return text, None
    agency = _LABEL_RE.sub("", m["agency"].strip())  # "Minh Đức (Theo TTXVN)"
    return m["names"], (agency if agency[:1].isupper() else None)


def read_source_line(text: str, documents: bool = True) -> tuple[str, str | None] | None:
    """(source, the names before a bracketed agency) of a source line, else None; one
    naming a legal text ("Nguồn: Thông tư 22/2021/TT-BGDĐT") only if ``documents``.

    >>> read_source_line("Theo Báo Đăk Nông điện tư")
    ('Báo Đăk Nông điện tư', None)
    >>> read_source_line("(Nguồn: Báo Dân trí)"), read_source_line("Theo QV (TTXVN)")
    (('Báo Dân trí', None), ('TTXVN', 'QV'))
    >>> read_source_line("Theo: http://molisa.gov.vn")
    ('http://molisa.gov.vn', None)
    >>> read_source_line("Theo thống kê, toàn huyện có 800 ha bí đỏ.") is None
    True
    >>> read_source_line("Nguồn: Thông tư 22/2021/TT-BGDĐT", documents=False) is None
    True
    """
    m = _SOURCE_LINE_RE.match(text)
    if m is None or len(text) > _MAX_LINE:
        return None
    rest = m["rest"].strip(" .")
    if not documents and _LEGAL_TEXT_RE.match(rest):
        return None
    if m["theo"] and not _is_theo_source(rest):
        return None  # "Theo kế hoạch, …", "Theo ông A, …": a sentence
    names, agency = split_agency(rest)
    if not names:
        return None
    if agency is None:
        return names, None  # "Báo Đắk Nông (tổng hợp)": the role goes
    if _MEDIA_RE.match(names):
        return rest, None  # "Báo Đắk Nông (Đắk Nông)": one name, no writer
    return agency, names


def _is_theo_source(rest: str) -> bool:
    """What follows "Theo" names a paper or agency (capitalised or a domain, no clause),
    or is a web address."""
    if _WEB_ADDRESS_RE.match(rest):
        return True
    if not (rest[:1].isupper() or re.match(r"[\w-]+\.[a-z]{2,}", rest)):
        return False
    # "Theo Báo Nhân Dân, TTXVN" lists sources; "Theo Quyết định …, các xã …" is a clause.
    if any(not part.strip()[:1].isupper() for part in rest.split(",")[1:]):
        return False
    if any(c in rest for c in ";:") or _SENTENCE_RE.search(rest + " ") or _DOCUMENT_RE.search(rest):
        return False
    return len(rest.split()) <= _MAX_THEO_WORDS


def take_source(
    items: list[Item], is_byline: Callable[[str], bool], documents: bool = True
) -> Source:
    """Remove and return the closing source line, or a closing "(Theo …)" of the last line.

    The source line is the last line, or the one before a closing byline
    (``is_byline``: a predicate over a line's text); one naming a legal text only if
    ``documents`` (else it stays a body line).
    """
    lines = [(i, it) for i, it in enumerate(items) if isinstance(it, Line)]
    if not lines:
        return Source(None)
    candidates = lines[-1:]
    if len(lines) >= 2 and is_byline(lines[-1][1].text):
        candidates.append(lines[-2])
    for rank, (i, it) in enumerate(candidates):
        found = read_source_line(it.text, documents)
        if found is not None:
            del items[i]
            where = "closing line" if rank == 0 else "line before the closing byline"
            return Source(found[0], found[1], f"source line ({where})")
    return _take_trailing(items, *lines[-1])


def _take_trailing(items: list[Item], i: int, last: Line) -> Source:
    m = _TRAILING_RE.search(last.text)
    if m is None:
        return Source(None)
    items[i] = replace(last, text=last.text[: m.start()].rstrip())
    return Source(m["source"].strip(" ."), None, "bracketed source closing the last paragraph")


def source_element(scope: El | None, container: El | None) -> Source:
    """A source line beside the content block, in the article's foot ("Nguồn: moet.gov.vn"
    next to "Tác giả: …"): the smallest element of ``scope`` outside ``container`` that
    reads as one. The content block's own lines are the closing lines' business: a
    credit under a photo there ("Nguồn: Internet") is no article's source."""
    if scope is None:
        return Source(None)
    best: tuple[int, El, str] | None = None
    for el in scope.iter():
        if not isinstance(el.tag, str) or el is container:
            continue
        if container is not None and (contains(el, container) or contains(container, el)):
            continue
        text = clean(text_of(el))
        found = read_source_line(text) if 0 < len(text) <= _MAX_LINE else None
        if found is not None and (best is None or len(text) < best[0]):
            best = (len(text), el, found[0])
    if best is None:
        return Source(None)
    return Source(best[2], None, f"source element {describe(best[1])} beside the content block")
