"""Which body line is the lead when no element is marked as one: the first that reads as
prose. A legal text opens with its heading in capitals over several lines ("HIẾN PHÁP" /
"NƯỚC CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM NĂM 1992" / "______" / "LỜI NÓI ĐẦU"); its
lead is the preamble after them; an article opening with a subhead ("**Vui Trung thu
sớm**") has its lead after it. Those lines stay body lines, in their place. A table's
rows (a record's label/value table: "Nguồn án lệ | Quyết định …") have no lead."""

from __future__ import annotations

from .tree import El

_MAX_HEADING_LINES = 6  # more opening lines in capitals: the text itself is in capitals
_MAX_SUBHEAD = 60  # characters: a bold opening line longer than this is a bold sapo
_SENTENCE_ENDS = (".", "!", "?", "…", ":", ";")


_TABLE_PARTS = frozenset({"table", "thead", "tbody", "tfoot", "tr"})


def lead_line(
    lines: list[str], marked: list[bool], container: El | None
) -> tuple[str | None, str]:
    """The lead taken out of the content block's ``lines``, and its rule; ``marked``
    says which lines are set in bold or as a heading."""
    if not lines:
        return None, "not found"
    if container is not None and container.tag in _TABLE_PARTS:
        return None, f"none: the content block is a table's rows ({container.tag})"
    n = first_prose_line(lines, marked)
    after = ", after its heading lines" if n else ""
    return lines.pop(n), f"first paragraph of the content block{after}"


def first_prose_line(lines: list[str], marked: list[bool] | None = None) -> int:
    """The index of the first line among the first few that is no heading: not in
    capitals only, not a short bold or heading line without a sentence's end; else 0.

    >>> first_prose_line(["HIẾN PHÁP", "NĂM 1992", "____", "Trải qua mấy nghìn năm lịch sử"])
    3
    >>> first_prose_line(["Vui Trung thu sớm", "Mới đây, Đoàn xã đã tổ chức."], [True, False])
    1
    >>> first_prose_line(["Sáng 2/7, UBND tỉnh họp."]), first_prose_line(["THÔNG BÁO"])
    (0, 0)
    """
    marked = marked or [False] * len(lines)
    for n, line in enumerate(lines[: _MAX_HEADING_LINES + 1]):
        if any(c.islower() for c in line) and not (marked[n] and _subhead(line)):
            return n
    return 0


def _subhead(line: str) -> bool:
    return len(line) <= _MAX_SUBHEAD and not line.rstrip().endswith(_SENTENCE_ENDS)
