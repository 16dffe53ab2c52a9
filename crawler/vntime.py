"""The one place that reads Vietnamese dates and times (day-first, +07:00).

Portals print dates as ``27/06/2025 16:22``, ``Thứ Sáu, 27/06/2025 - 16:22``,
``16:22 | 27/06/2025``, ``30/12/2025 04:30 CH``, ``(05.08.2019 16:32)``,
``thứ năm, 08 08 2019 08:51`` or ISO 8601 in meta tags and templates; every
one is read day-first and returned as an aware datetime at +07:00.

>>> parse_datetime("Cập nhật lúc : 27/06/2025 16:22").isoformat()
'2025-06-27T16:22:00+07:00'
>>> parse_datetime("Thứ Sáu, 27/06/2025 - 16:22").isoformat()
'2025-06-27T16:22:00+07:00'
>>> parse_datetime("16:22 | 27/06/2025").isoformat()
'2025-06-27T16:22:00+07:00'
>>> parse_datetime("Ngày đăng: 30/12/2025 04:30 CH").isoformat()
'2025-12-30T16:30:00+07:00'
>>> parse_datetime("12:05 SA 01/02/2025").isoformat()
'2025-02-01T00:05:00+07:00'
>>> parse_datetime("3/7/2025").isoformat()
'2025-07-03T00:00:00+07:00'
>>> parse_datetime("27-06-2025 16:22:05 GMT+7").isoformat()
'2025-06-27T16:22:05+07:00'
>>> parse_datetime("2025-06-27T09:22:00Z").isoformat()
'2025-06-27T16:22:00+07:00'
>>> parse_datetime("Thứ sáu, ngày 27 tháng 6 năm 2025").isoformat()
'2025-06-27T00:00:00+07:00'
>>> parse_datetime("Thứ hai, 07 Tháng 7 2025 10:30").isoformat()  # Joomla/K2
'2025-07-07T10:30:00+07:00'
>>> parse_datetime("thứ năm, 08 08 2019 08:51").isoformat()  # SharePoint news part
'2019-08-08T08:51:00+07:00'
>>> parse_datetime("(2019-05-17T02:49:00.000Z)").isoformat()  # Liferay, UTC: same instant
'2019-05-17T09:49:00+07:00'
>>> parse_datetime("32/13/2025") is None
True
>>> parse_datetime("Lượt xem: 1234") is None
True
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime, timedelta, timezone

from portal_archive.crawler.text import clean

__all__ = [
    "VN_TZ", "event_date", "has_time", "is_place_date", "looks_like_date", "parse_datetime",
]

logger = logging.getLogger(__name__)

VN_TZ = timezone(timedelta(hours=7))

# Year-first numeric dates are never ambiguous: ISO 8601 and 2025/06/27.
_ISO_RE = re.compile(
    r"(?<!\d)(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?!\d)"
    r"(?:[T ]\s*(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?"
)
# Day-first numeric dates; the same separator both times.
_DMY_RE = re.compile(r"(?<!\d)(\d{1,2})\s*([/.-])\s*(\d{1,2})\s*\2\s*(\d{4})(?!\d)")
# SharePoint news parts print "thứ năm, 08 08 2019 08:51": day, month and year apart by
# spaces only. Only a plausible two-digit day and month and a 19xx/20xx year: a run of
# numbers ("12 34 5678") is no date, not an impossible one.
_SPACED_DMY_RE = re.compile(
    r"(?<![\d/.:-])(0[1-9]|[12]\d|3[01])\s(0[1-9]|1[0-2])\s((?:19|20)\d{2})(?![\d/.:-])"
)
# "ngày 27 tháng 6 năm 2025", and Joomla/K2's "27 Tháng 6 2025" / "27 Tháng 6, 2025".
_WORDY_RE = re.compile(
    r"(?<!\d)(\d{1,2})\s+tháng\s+(\d{1,2})\s*(?:,\s*|\s+)(?:năm\s+)?(\d{4})(?!\d)", re.I
)
_TIME_RE = re.compile(
    r"(?<![\d:])(\d{1,2})\s*(?::|h|giờ)\s*(\d{2})(?:\s*:\s*(\d{2}))?(?!\d)"
    r"(?:\s*(SA|CH|AM|PM|A\.M\.|P\.M\.)(?!\w))?",
    re.I,
)
_GMT_RE = re.compile(r"\b(?:GMT|UTC)(?:\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?)?", re.I)
# Characters allowed between a date and the time that belongs to it.
_MAX_GAP = 25

# A legal document dates itself with the place it was signed: "Hà Nội, ngày 25 tháng 12
# năm 2001", "TP. Hồ Chí Minh, ngày 3 tháng 7 năm 2025" (a place of up to six words).
_PLACE_DATE_RE = re.compile(
    r"^[^\W\d_][\w.'’-]*(?:\s+[\w.'’-]+){0,5}\s*,\s*ngày\s+\d{1,2}\s+tháng\s+\d{1,2}"
    r"\s+năm\s+\d{4}\s*\.?$",
    re.I,
)
# "Ngày 26/6, ...", "Sáng ngày 2/7/2025, ...", optionally after a source tag such
# as "(TTXVN) - " or "TTĐT - ".
_EVENT_RE = re.compile(
    r"^\W{0,3}(?:(?:\([^()]{1,60}\)|[A-ZĐ][A-ZĐ0-9.]{1,20})\s*[-–—:]\s*)?"
    r"(?:(?:rạng\s+)?(?:sáng|chiều|tối|trưa|đêm|khuya)(?:\s+(?:ngày|hôm))?|ngày|hôm)\s+"
    r"(\d{1,2})\s*([/.-])\s*(\d{1,2})(?:\s*\2\s*(\d{4}))?(?![\d/.-]\d)",
    re.I,
)
# An undated event may be announced a little ahead of publication, never a year.
_MAX_LEAD_DAYS = 45


def parse_datetime(text: str) -> datetime | None:
    """The first valid date(-time) in ``text``, day-first, as an aware +07:00 datetime.

    A date with no time is midnight. Impossible dates are logged and skipped; None
    when there is no valid date at all.
    """
    first = _first_date(text)
    return first[0] if first is not None else None


def has_time(text: str) -> bool:
    """Does the first valid date in ``text`` come with a printed time? (A day alone is
    read as midnight: another witness of the same day may know the hour.)

    >>> has_time("Ngày đăng: 16/03/2017 - 11:16"), has_time("Hà Nội, ngày 25 tháng 12 năm 2001")
    (True, False)
    """
    first = _first_date(text)
    return first is not None and first[1]


def _first_date(text: str) -> tuple[datetime, bool] | None:
    """The first valid date(-time) in ``text`` and whether a time was printed with it."""
    if not text:
        return None
    s = clean(text)
    for m in _ISO_RE.finditer(s):
        dt = _from_iso(m)
        if dt is not None:
            return dt, m[5] is not None
    for m, day, month, year in _day_first_dates(s):
        dt = _combine(s, m, day, month, year)
        if dt is not None:
            return dt, _nearest_time(s, m) is not None
    return None


def looks_like_date(text: str) -> bool:
    """Is there a date in ``text``, possible or not? (An impossible date near the
    title means the page's date is broken, not that a farther date is the right one.)

    >>> looks_like_date("Cập nhật lúc : 32/13/2025 16:22"), looks_like_date("Lượt xem: 12")
    (True, False)
    """
    s = clean(text)
    return any(rx.search(s) for rx in (_ISO_RE, _DMY_RE, _WORDY_RE, _SPACED_DMY_RE))


def is_place_date(text: str) -> bool:
    """Is ``text`` a legal document's place-and-date line, and nothing more?

    >>> is_place_date("Hà Nội, ngày 25 tháng 12 năm 2001")
    True
    >>> is_place_date("Quốc hội thông qua ngày 28 tháng 11 năm 2013, tại Hà Nội")
    False
    """
    return _PLACE_DATE_RE.match(clean(text)) is not None


def _day_first_dates(s: str) -> list[tuple[re.Match[str], int, int, int]]:
    found = [(m, int(m[1]), int(m[3]), int(m[4])) for m in _DMY_RE.finditer(s)]
    found += [(m, int(m[1]), int(m[2]), int(m[3])) for m in _WORDY_RE.finditer(s)]
    found += [(m, int(m[1]), int(m[2]), int(m[3])) for m in _SPACED_DMY_RE.finditer(s)]
    return sorted(found, key=lambda f: f[0].start())


def _from_iso(m: re.Match[str]) -> datetime | None:
    try:
        d = date(int(m[1]), int(m[3]), int(m[4]))
        hour, minute, second = int(m[5] or 0), int(m[6] or 0), int(m[7] or 0)
        naive = datetime(d.year, d.month, d.day, hour, minute, second)
    except ValueError:
        logger.warning("impossible date/time %r", m.group())
        return None
    if not m[8]:
        return naive.replace(tzinfo=VN_TZ)
    if m[8] == "Z":
        return naive.replace(tzinfo=UTC).astimezone(VN_TZ)
    off = m[8].replace(":", "")
    delta = timedelta(hours=int(off[1:3]), minutes=int(off[3:5]))
    tz = timezone(-delta if off[0] == "-" else delta)
    return naive.replace(tzinfo=tz).astimezone(VN_TZ)


def _combine(s: str, dm: re.Match[str], day: int, month: int, year: int) -> datetime | None:
    tm = _nearest_time(s, dm)
    hour = minute = second = 0
    if tm is not None:
        hour, minute, second = _clock(tm)
    try:
        naive = datetime(year, month, day, hour, minute, second)
    except ValueError:
        logger.warning("impossible date/time %r", s)
        return None
    return naive.replace(tzinfo=_offset(s)).astimezone(VN_TZ)


def _nearest_time(s: str, dm: re.Match[str]) -> re.Match[str] | None:
    """The time printed right before or after the date (within a few characters)."""
    best: tuple[int, re.Match[str]] | None = None
    for tm in _TIME_RE.finditer(s):
        if tm.end() <= dm.start():
            gap = dm.start() - tm.end()
        elif tm.start() >= dm.end():
            gap = tm.start() - dm.end()
        else:
            continue
        if gap <= _MAX_GAP and (best is None or gap < best[0]):
            best = (gap, tm)
    return best[1] if best else None


def _clock(tm: re.Match[str]) -> tuple[int, int, int]:
    hour, minute, second = int(tm[1]), int(tm[2]), int(tm[3] or 0)
    suffix = (tm[4] or "").upper().replace(".", "")
    if suffix in ("CH", "PM") and hour < 12:  # CH = chiều (afternoon)
        hour += 12
    elif suffix in ("SA", "AM") and hour == 12:  # SA = sáng (morning)
        hour = 0
    return hour, minute, second


def _offset(s: str) -> timezone:
    m = _GMT_RE.search(s)
    if m is None:
        return VN_TZ
    if not m[1]:
        return UTC
    delta = timedelta(hours=int(m[2]), minutes=int(m[3] or 0))
    try:
        return timezone(-delta if m[1] == "-" else delta)
    except ValueError:  # an offset of a day or more: not a real zone
        return VN_TZ


def event_date(lead: str, published: datetime | None) -> date | None:
    """The date of the event a lead opens with ("Ngày 26/6, ...", "Sáng 2/7, ...").

    The year is the lead's own if given, else the one that puts the event closest
    before publication (up to 45 days after it, for announcements).

    >>> pub = datetime(2025, 6, 27, 16, 22, tzinfo=VN_TZ)
    >>> event_date("Ngày 26/6, Ban Thường vụ Huyện uỷ Phú Vang tổ chức ...", pub)
    datetime.date(2025, 6, 26)
    >>> event_date("Sáng ngày 2/7/2024, tại Huế ...", pub)
    datetime.date(2024, 7, 2)
    >>> event_date("Chiều 31/12, ...", datetime(2026, 1, 2, tzinfo=VN_TZ))
    datetime.date(2025, 12, 31)
    >>> event_date("Tối 2/1, ...", datetime(2025, 12, 30, tzinfo=VN_TZ))
    datetime.date(2026, 1, 2)
    >>> event_date("Từ ngày 23/6 đến ngày 25/6/2025, ...", pub) is None
    True
    >>> event_date("Ngày 26/6, ...", None) is None
    True
    """
    m = _EVENT_RE.match(clean(lead or ""))
    if m is None:
        return None
    day, month = int(m[1]), int(m[3])
    if m[4]:
        return _valid_date(int(m[4]), month, day)
    if published is None:
        return None
    if published.tzinfo is not None:
        published = published.astimezone(VN_TZ)
    pub = published.date()
    limit = pub + timedelta(days=_MAX_LEAD_DAYS)
    dates = [_valid_date(y, month, day, warn=False) for y in (pub.year - 1, pub.year, pub.year + 1)]
    fitting = [d for d in dates if d is not None and d <= limit]
    if not fitting:
        logger.warning("impossible event date %r", m.group())
        return None
    return max(fitting)


def _valid_date(year: int, month: int, day: int, *, warn: bool = True) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        if warn:
            logger.warning("impossible event date %02d/%02d/%04d", day, month, year)
        return None
