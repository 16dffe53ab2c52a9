"""Which body line is the lead when no element is marked as one: the first that reads as
prose. A legal text opens with its heading in capitals over several lines ("HIẾN PHÁP" /
"NƯỚC CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM NĂM 1992" / "______" / "LỜI NÓI ĐẦU"); its
lead is the preamble after them. Those lines stay body lines, in their place. A table's
rows (a record's label/value table: "Nguồn án lệ | Quyết định …") have no lead."""

from __future__ import annotations

from .tree import El

_MAX_HEADING_LINES = 6  # more opening lines in capitals: the text itself is in capitals


_TABLE_PARTS = frozenset({"table", "thead", "tbody", "tfoot", "tr"})


def lead_line(lines: list[str], container: El | None) -> tuple[str | None, str]:
    """The lead taken out of the content block's ``lines``, and its rule."""
    if not lines:
        return None, "not found"
    if container is not None and container.tag in _TABLE_PARTS:
        return None, f"none: the content block is a table's rows ({container.tag})"
    n = first_prose_line(lines)
    after = ", after its heading lines" if n else ""
    return lines.pop(n), f"first paragraph of the content block{after}"


def first_prose_line(lines: list[str]) -> int:
    """The index of the first line with a lower-case letter among the first few, else 0.

    >>> first_prose_line(["HIẾN PHÁP", "NĂM 1992", "____", "Trải qua mấy nghìn năm lịch sử"])
    3
    >>> first_prose_line(["Sáng 2/7, UBND tỉnh họp."]), first_prose_line(["THÔNG BÁO"])
    (0, 0)
    """
    for n, line in enumerate(lines[: _MAX_HEADING_LINES + 1]):
        if any(c.islower() for c in line):
            return n
    return 0
