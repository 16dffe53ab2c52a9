"""What the pages' forms accept, checked in one place: a day, a page number."""

from __future__ import annotations

import re
from datetime import date

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


def is_day(text: str) -> bool:
    """Whether ``text`` is a real ``YYYY-MM-DD`` (what a date input sends).

    >>> is_day("2025-06-30"), is_day("2025-06-31"), is_day("30/06/2025")
    (True, False, False)
    """
    if not _DAY.match(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def page_number(text: str, last: int) -> int | None:
    """``text`` as a page from 1 to ``last``, or None.

    >>> page_number("", 9), page_number("3", 9), page_number("0", 9), page_number("x", 9)
    (1, 3, None, None)
    """
    text = text.strip() or "1"
    return int(text) if text.isdigit() and 1 <= int(text) <= last else None
