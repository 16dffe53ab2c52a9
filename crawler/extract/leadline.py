"""Which body line is the lead when no element is marked as one: the first that reads as
prose. A legal text opens with its heading in capitals over several lines ("HIẾN PHÁP" /
"NƯỚC CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM NĂM 1992" / "______" / "LỜI NÓI ĐẦU"); its
lead is the preamble after them. Those lines stay body lines, in their place."""

from __future__ import annotations

_MAX_HEADING_LINES = 6  # more opening lines in capitals: the text itself is in capitals


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
