"""A moment written as text, always in UTC: the three spellings the archive uses.

    >>> from datetime import timedelta, timezone
    >>> moment = datetime(2025, 6, 27, 16, 22, 5, 123456, tzinfo=timezone(timedelta(hours=7)))
    >>> utc_iso(moment), utc_iso(moment, timespec="seconds")
    ('2025-06-27T09:22:05.123456Z', '2025-06-27T09:22:05Z')
    >>> utc_iso(moment.replace(microsecond=0))  # isoformat's own rule: no zero fraction
    '2025-06-27T09:22:05Z'
    >>> utc_stamp14(moment), utc_compact(moment)
    ('20250627092205', '20250627T092205Z')

Each takes the moment rather than reading the clock, so that one reading can feed several
fields; ``utc_iso()`` alone defaults to now.
"""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    """The system clock: the default ``PORTAL_CAPTURE_CLOCK`` (crawler/settings.py)."""
    return datetime.now(UTC)


def utc_iso(moment: datetime | None = None, timespec: str = "auto") -> str:
    """ISO 8601 in UTC ending in ``Z`` (JSON, the catalog, events); now if no ``moment``."""
    moment = (moment or datetime.now(UTC)).astimezone(UTC)
    return moment.isoformat(timespec=timespec).replace("+00:00", "Z")


def parse_utc_iso(text: str) -> datetime:
    """The moment of an ISO 8601 time as the catalog and the JSON write it (``Z`` or an
    offset; a time without one is taken as UTC). ValueError if it is none.

    >>> utc_stamp14(parse_utc_iso("2026-12-01T18:31:02.5Z"))
    '20261201183102'
    """
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def utc_stamp14(moment: datetime) -> str:
    """The 14-digit UTC second of pywb's URLs and CDXJ lines, and of WARC file names."""
    return moment.astimezone(UTC).strftime("%Y%m%d%H%M%S")


def utc_compact(moment: datetime) -> str:
    """ISO 8601's basic form, for file names that people read (``...broken-<stamp>``)."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
