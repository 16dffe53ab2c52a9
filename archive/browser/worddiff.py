"""Side-by-side word diff of two versions of a cleaned article (the diff page).

Fields are aligned one by one (title, lead, body paragraphs, captions, authors, ...);
lists of paragraphs are aligned with difflib over whole paragraphs first, then words
within each changed pair. Words are compared in their *folded* form (crawler/text.py
``fold``): a word whose only change is the place of its tone mark (``uỷ`` -> ``ủy``) is
marked ``cosmetic``, not deleted and inserted, just as change detection calls such an
edit cosmetic.

Every cell keeps its side's text exactly: joining a cell's segments gives back the
field as stored, so nothing shown is re-spelt or lost (tests/archive/browser/test_worddiff.py).
Pure functions: the page only renders what ``diff_articles`` returns.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from portal_archive.crawler.text import fold

__all__ = ["Cell", "Fold", "Row", "Segment", "collapse", "diff_articles", "diff_paragraphs",
           "diff_words"]

# What a piece of a cell is: unchanged, only in the old version, only in the new one, or
# the same word with its tone mark moved.
Kind = Literal["same", "del", "ins", "cosmetic"]
Segment = tuple[str, Kind]
Cell = list[Segment]
# What happened to a row as a whole.
Change = Literal["same", "cosmetic", "changed", "replaced", "added", "removed"]

# A word (letters and digits, with any combining marks of NFD text) or one punctuation
# mark, each with the white space after it; white space at the very start on its own.
# Punctuation stands alone so that "Đức," and "Đức" are the same word with a comma gone.
_TOKEN_RE = re.compile(r"(?:\w|[\u0300-\u036f])+\s*|[^\w\s]\s*|\s+")
# Below this share of common words, a changed paragraph is shown as replaced (all of it
# deleted, all of the other inserted): a word diff of two unrelated paragraphs only
# scatters the few words they share ("của", "và") as if they had been kept.
REPLACED_BELOW = 0.3
# Words (and punctuation) of a text up to which it is compared exactly (see _long).
EXACT_WORDS = 2000
# Most pairs of paragraphs the best pairing weighs in one changed block: beyond it (a long
# article rewritten whole) paragraphs are paired in order, which stays fast.
MAX_PAIRING = 400
# The single-text fields, in the order the page shows them; list fields follow.
_TEXT_FIELDS = ("title", "category", "lead")
_TAIL_FIELDS = ("source",)
# The list fields whose long unchanged runs the page may fold.
FOLDABLE = ("body", "caption")


@dataclass(frozen=True)
class Row:
    """One line of the side-by-side table. ``old``/``new`` is None where that version
    has no such text (a paragraph added or removed); ``old_no``/``new_no`` number the
    paragraph or image on each side (1-based), None for single fields."""

    field: str
    change: Change
    old: Cell | None
    new: Cell | None
    old_no: int | None = None
    new_no: int | None = None


@dataclass(frozen=True)
class Fold:
    """A run of unchanged rows the page shows as one line with their count."""

    rows: tuple[Row, ...]

    @property
    def field(self) -> str:
        return self.rows[0].field

    @property
    def count(self) -> int:
        return len(self.rows)


def _tokens(text: str) -> list[str]:
    return _TOKEN_RE.findall(text)


def _key(token: str) -> str:
    return fold(token)


def _append(cell: Cell, text: str, kind: Kind) -> None:
    """Adds a segment, merged into the last one when of the same kind. The white space
    after marked words is left unmarked: a struck-out or underlined space reads as one
    more changed character."""
    core = text.rstrip() if kind != "same" else text
    for piece, piece_kind in ((core, kind), (text[len(core):], "same")):
        if not piece:
            continue
        if cell and cell[-1][1] == piece_kind:
            cell[-1] = (cell[-1][0] + piece, piece_kind)
        else:
            cell.append((piece, piece_kind))


def diff_words(old: str, new: str) -> tuple[Cell, Cell]:
    """The old and the new cell of one changed text, word by word.

    >>> diff_words("Huyện uỷ Phú Vang họp", "Huyện ủy Phú Vang đã họp")
    ([('Huyện ', 'same'), ('uỷ', 'cosmetic'), (' Phú Vang họp', 'same')], \
[('Huyện ', 'same'), ('ủy', 'cosmetic'), (' Phú Vang ', 'same'), ('đã', 'ins'), \
(' họp', 'same')])
    """
    a, b = _tokens(old), _tokens(new)
    matcher = difflib.SequenceMatcher(None, [_key(t) for t in a], [_key(t) for t in b],
                                      autojunk=_long(b))
    old_cell: Cell = []
    new_cell: Cell = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for x, y in zip(a[i1:i2], b[j1:j2], strict=True):
                kind: Kind = "same" if x.rstrip() == y.rstrip() else "cosmetic"
                _append(old_cell, x, kind)
                _append(new_cell, y, kind)
            continue
        _append(old_cell, "".join(a[i1:i2]), "del")
        _append(new_cell, "".join(b[j1:j2]), "ins")
    return old_cell, new_cell


def _long(words: Sequence[object]) -> bool:
    """Whether the text compared against is too long to compare exactly: difflib is
    quadratic in words without its junk heuristic (a rewritten 20,000-word paragraph took
    36 s, a request holding a core). With it, the words in more than 1% of a long text
    are matched only beside others: the diff may mark a little more than what changed,
    and never loses a word (both texts are still rebuilt from the cells)."""
    return len(words) > EXACT_WORDS


def _pair(field: str, old: str | None, new: str | None,
          old_no: int | None = None, new_no: int | None = None) -> Row:
    """The row of one old text beside one new text (either may be missing)."""
    if old is None and new is None:
        raise ValueError("a row needs a text on at least one side")
    if new is None:
        return Row(field, "removed", [(old, "del")] if old else [], None, old_no, new_no)
    if old is None:
        return Row(field, "added", None, [(new, "ins")] if new else [], old_no, new_no)
    if old == new:
        cell: Cell = [(old, "same")] if old else []
        return Row(field, "same", cell, list(cell), old_no, new_no)
    if fold(old) == fold(new):
        old_cell, new_cell = diff_words(old, new)
        return Row(field, "cosmetic", old_cell, new_cell, old_no, new_no)
    if _similarity(old, new) < REPLACED_BELOW:
        return Row(field, "replaced", [(old, "del")] if old else [],
                   [(new, "ins")] if new else [], old_no, new_no)
    old_cell, new_cell = diff_words(old, new)
    return Row(field, "changed", old_cell, new_cell, old_no, new_no)


def _similarity(old: str, new: str) -> float:
    """Share of words the two texts have in common, in order (0..1)."""
    a = [_key(t) for t in _tokens(old)]
    b = [_key(t) for t in _tokens(new)]
    return difflib.SequenceMatcher(None, a, b, autojunk=_long(b)).ratio()


def diff_paragraphs(field: str, old: Sequence[str], new: Sequence[str]) -> list[Row]:
    """Rows for a list of texts (body paragraphs, captions): whole paragraphs aligned
    first (by their folded text), so an inserted paragraph does not shift every later
    one into a "change"; then each changed pair word by word."""
    matcher = difflib.SequenceMatcher(None, [fold(p) for p in old], [fold(p) for p in new],
                                      autojunk=False)
    rows: list[Row] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            rows += [_pair(field, old[i], new[j], i + 1, j + 1)
                     for i, j in zip(range(i1, i2), range(j1, j2), strict=True)]
        else:
            rows += _changed_block(field, old, new, (i1, i2), (j1, j2))
    return rows


def _changed_block(field: str, old: Sequence[str], new: Sequence[str],
                   olds: tuple[int, int], news: tuple[int, int]) -> list[Row]:
    """A block of paragraphs that differ: similar ones paired in order (each pair one
    word-diffed row), the rest side by side where both sides have some left between
    two pairs, else shown as removed or added."""
    rows: list[Row] = []
    i, j = olds[0], news[0]
    for pi, pj in [*_best_pairs(old, new, olds, news), (olds[1], news[1])]:
        rows += _unpaired(field, old, new, range(i, pi), range(j, pj))
        if pi < olds[1]:
            rows.append(_pair(field, old[pi], new[pj], pi + 1, pj + 1))
        i, j = pi + 1, pj + 1
    return rows


def _unpaired(field: str, old: Sequence[str], new: Sequence[str],
              olds: range, news: range) -> list[Row]:
    rows = []
    for k in range(max(len(olds), len(news))):
        i = olds[k] if k < len(olds) else None
        j = news[k] if k < len(news) else None
        rows.append(_pair(field, None if i is None else old[i], None if j is None else new[j],
                          None if i is None else i + 1, None if j is None else j + 1))
    return rows


def _best_pairs(old: Sequence[str], new: Sequence[str], olds: tuple[int, int],
                news: tuple[int, int]) -> list[tuple[int, int]]:
    """The in-order pairing of similar paragraphs with the greatest total similarity (a
    small dynamic programme over the block); a block too large for it (a whole long
    article rewritten) is paired in order instead, each pair kept if similar enough."""
    n, m = olds[1] - olds[0], news[1] - news[0]
    if n * m > MAX_PAIRING:
        return [(olds[0] + k, news[0] + k) for k in range(min(n, m))
                if _similarity(old[olds[0] + k], new[news[0] + k]) >= REPLACED_BELOW]
    sim = _similarities([old[i] for i in range(*olds)], [new[j] for j in range(*news)])
    score = [[0.0] * (m + 1) for _ in range(n + 1)]
    for a in range(n - 1, -1, -1):
        for b in range(m - 1, -1, -1):
            paired = sim[a][b] + score[a + 1][b + 1] if sim[a][b] >= REPLACED_BELOW else -1.0
            score[a][b] = max(paired, score[a + 1][b], score[a][b + 1])
    pairs, a, b = [], 0, 0
    while a < n and b < m:
        if sim[a][b] >= REPLACED_BELOW and score[a][b] == sim[a][b] + score[a + 1][b + 1]:
            pairs.append((olds[0] + a, news[0] + b))
            a, b = a + 1, b + 1
        elif score[a][b] == score[a + 1][b]:
            a += 1
        else:
            b += 1
    return pairs


def _similarities(old: Sequence[str], new: Sequence[str]) -> list[list[float]]:
    """Every old paragraph's similarity to every new one (0 where even difflib's cheap
    upper bound says they are too far apart to pair)."""
    old_keys = [[_key(t) for t in _tokens(p)] for p in old]
    sim = [[0.0] * len(new) for _ in old]
    for b, paragraph in enumerate(new):
        keys_b = [_key(t) for t in _tokens(paragraph)]
        # seq2 is analysed once per new paragraph, for every old one.
        matcher = difflib.SequenceMatcher(None, autojunk=_long(keys_b))
        matcher.set_seq2(keys_b)
        for a, keys in enumerate(old_keys):
            matcher.set_seq1(keys)
            if matcher.real_quick_ratio() >= REPLACED_BELOW and \
                    matcher.quick_ratio() >= REPLACED_BELOW:
                sim[a][b] = matcher.ratio()
    return sim


def _text_row(field: str, old: Any, new: Any) -> list[Row]:
    old_text = old if isinstance(old, str) else None
    new_text = new if isinstance(new, str) else None
    if old_text is None and new_text is None:
        return []
    return [_pair(field, old_text, new_text)]


def _captions(article: Mapping[str, Any]) -> list[str]:
    """Each image's caption and credit as one text, as the page shows them."""
    texts = []
    for image in article.get("images") or []:
        parts = [image.get("caption") or "", image.get("credit") or ""]
        texts.append(" — ".join(p for p in parts if p))
    return texts


def diff_articles(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Row]:
    """Every row of the diff of two cleaned articles (JSON ``portal-archive.article/1``)."""
    rows: list[Row] = []
    for name in _TEXT_FIELDS:
        rows += _text_row(name, old.get(name), new.get(name))
    rows += diff_paragraphs("body", old.get("body") or [], new.get("body") or [])
    rows += diff_paragraphs("caption", _captions(old), _captions(new))
    rows += _text_row("authors", ", ".join(old.get("authors") or []) or None,
                      ", ".join(new.get("authors") or []) or None)
    for name in _TAIL_FIELDS:
        rows += _text_row(name, old.get(name), new.get(name))
    return rows


def collapse(rows: Sequence[Row], context: int = 1, least: int = 3) -> list[Row | Fold]:
    """Runs of at least ``least`` unchanged paragraphs (or captions) folded into one,
    keeping ``context`` rows beside each change; single fields (title, lead ...) are always
    shown, and the folded rows stay inside the Fold (nothing is lost)."""
    out: list[Row | Fold] = []
    start = 0
    while start < len(rows):
        end = start
        while (end < len(rows) and rows[end].change == "same" and rows[end].field in FOLDABLE
               and rows[end].field == rows[start].field):
            end += 1
        if end == start:
            out.append(rows[start])
            start += 1
            continue
        before = context if start > 0 and rows[start - 1].field == rows[start].field else 0
        after = context if end < len(rows) and rows[end].field == rows[start].field else 0
        hidden = (start + before, end - after)
        if hidden[1] - hidden[0] >= least:
            out += rows[start:hidden[0]]
            out.append(Fold(tuple(rows[hidden[0]:hidden[1]])))
            out += rows[hidden[1]:end]
        else:
            out += rows[start:end]
        start = end
    return out
