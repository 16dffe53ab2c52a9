import doctest
import logging
import unicodedata
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal_archive.crawler import vntime
from portal_archive.crawler.vntime import VN_TZ, event_date, parse_datetime


def test_doctests() -> None:
    result = doctest.testmod(vntime)
    assert result.attempted > 10
    assert result.failed == 0


def test_tz_is_plus_seven() -> None:
    assert VN_TZ.utcoffset(None) == timedelta(hours=7)


EXPECTED = datetime(2025, 6, 27, 16, 22, tzinfo=VN_TZ)


@pytest.mark.parametrize(
    "text",
    [
        "Cập nhật lúc : 27/06/2025 16:22",
        "Thứ Sáu, 27/06/2025 - 16:22",
        "Thứ sáu, 27/6/2025, 16:22 (GMT+7)",
        "16:22 27/06/2025",
        "16:22 | 27/06/2025",
        "27-06-2025 16:22",
        "27.06.2025 16h22",
        "Ngày đăng: 27/06/2025 04:22 CH",
        "27/06/2025 04:22 PM",
        "27/06/2025 16:22 GMT+7",
        "27/06/2025 09:22 GMT+0",
        "2025-06-27T16:22:00+07:00",
        "2025-06-27T09:22:00Z",
        "2025-06-27T11:22:00+02:00",
        "2025-06-27 16:22",
        unicodedata.normalize("NFD", "Cập nhật lúc : 27/06/2025 16:22"),
        "Cập\u00a0nhật\u00a0lúc:\u00a027/06/2025\u00a016:22",
    ],
)
def test_parse_datetime_formats(text: str) -> None:
    dt = parse_datetime(text)
    assert dt == EXPECTED
    assert dt is not None and dt.utcoffset() == timedelta(hours=7)
    assert dt.isoformat() == "2025-06-27T16:22:00+07:00"


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("Ngày đăng: 30/12/2025 04:30 CH", "2025-12-30T16:30:00+07:00"),
        ("30/12/2025 04:30 SA", "2025-12-30T04:30:00+07:00"),
        ("01/01/2025 12:05 SA", "2025-01-01T00:05:00+07:00"),
        ("01/01/2025 12:05 CH", "2025-01-01T12:05:00+07:00"),
        ("27/6/2025", "2025-06-27T00:00:00+07:00"),
        ("3/7/2025", "2025-07-03T00:00:00+07:00"),  # day first, always
        ("12/01/2025 08:15:30", "2025-01-12T08:15:30+07:00"),
        ("Thứ Hai, ngày 30 tháng 6 năm 2025", "2025-06-30T00:00:00+07:00"),
        ("2025-06-30", "2025-06-30T00:00:00+07:00"),
        # Printed on real portals (../shared/realpages): SharePoint's spaced news date,
        # a bracketed listing date, a bare date, Liferay's raw UTC instant.
        ("thứ năm, 08 08 2019 08:51", "2019-08-08T08:51:00+07:00"),
        ("thứ hai, 05 08 2019 10:58", "2019-08-05T10:58:00+07:00"),
        ("(05.08.2019 16:32)", "2019-08-05T16:32:00+07:00"),
        ("30/07/2019", "2019-07-30T00:00:00+07:00"),
        ("(2019-05-17T02:49:00.000Z)", "2019-05-17T09:49:00+07:00"),
        ("(2019-05-16T05:00:00.000Z)", "2019-05-16T12:00:00+07:00"),
    ],
)
def test_parse_datetime_values(text: str, iso: str) -> None:
    dt = parse_datetime(text)
    assert dt is not None and dt.isoformat() == iso


def test_time_far_from_the_date_is_not_used() -> None:
    text = "27/06/2025 — bài viết có " + "rất nhiều chữ ở giữa " * 3 + "lúc 16:22"
    assert parse_datetime(text) == datetime(2025, 6, 27, tzinfo=VN_TZ)


@pytest.mark.parametrize(
    "text", ["32/13/2025", "31/02/2025 10:00", "29/02/2025", "27/06/2025 25:61", "2025-13-45"]
)
def test_impossible_dates_warn_and_give_none(text: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="portal_archive.crawler.vntime"):
        assert parse_datetime(text) is None
    assert any("impossible" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("text", ["", "Lượt xem: 1234", "Số 12/KH-UBND", "16:22", "tháng 6"])
def test_no_date(text: str) -> None:
    assert parse_datetime(text) is None


@pytest.mark.parametrize(
    "text", ["( )", "()", "Mã số 12 34 5678", "Tel 0261 38 2019", "Lượt xem 120 08 2019"]
)
def test_spaced_numbers_are_no_date(text: str, caplog: pytest.LogCaptureFixture) -> None:
    """Day, month and year apart by spaces only when they can be a date: a run of
    numbers is neither a date nor an impossible one (no warning, no blocked date line)."""
    with caplog.at_level(logging.WARNING, logger="portal_archive.crawler.vntime"):
        assert parse_datetime(text) is None
    assert not vntime.looks_like_date(text) and not caplog.records


def test_a_later_valid_date_wins_over_an_impossible_one() -> None:
    assert parse_datetime("32/13/2025 hoặc 27/06/2025 16:22") == EXPECTED


@given(st.text(max_size=80))
def test_parse_datetime_never_raises(text: str) -> None:
    dt = parse_datetime(text)
    assert dt is None or dt.utcoffset() == timedelta(hours=7)


# --- round trip: every format reads back day-first ----------------------------------------


def _h12(dt: datetime, am: str, pm: str) -> str:
    return f"{(dt.hour % 12) or 12:02d}:{dt.minute:02d} {am if dt.hour < 12 else pm}"


WEEKDAYS = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"]

# (formatter, keeps seconds, keeps time)
FORMATS: list[tuple[Callable[[datetime], str], bool, bool]] = [
    (lambda d: f"Cập nhật lúc : {d:%d/%m/%Y %H:%M}", False, True),
    (lambda d: f"{WEEKDAYS[d.weekday()]}, {d:%d/%m/%Y - %H:%M}", False, True),
    (lambda d: f"{d:%H:%M %d/%m/%Y}", False, True),
    (lambda d: f"{d:%H:%M | %d/%m/%Y}", False, True),
    (lambda d: f"Ngày đăng: {d:%d/%m/%Y} {_h12(d, 'SA', 'CH')}", False, True),
    (lambda d: f"{d:%d/%m/%Y} {_h12(d, 'AM', 'PM')}", False, True),
    (lambda d: f"{d.day}/{d.month}/{d.year}", False, False),
    (lambda d: f"{d:%d-%m-%Y %H:%M:%S}", True, True),
    (lambda d: f"{d:%d.%m.%Y %H:%M:%S} GMT+7", True, True),
    (lambda d: f"{d.day}/{d.month}/{d.year} {d.hour}h{d.minute:02d}", False, True),
    (lambda d: f"{WEEKDAYS[d.weekday()]}, ngày {d.day} tháng {d.month} năm {d.year}", False, False),
    (lambda d: f"{WEEKDAYS[d.weekday()]}, {d:%d} Tháng {d.month} {d:%Y %H:%M}", False, True),
    (lambda d: d.replace(tzinfo=VN_TZ).isoformat(), True, True),
    (lambda d: d.replace(tzinfo=VN_TZ).astimezone(UTC).isoformat(), True, True),
    (
        lambda d: d.replace(tzinfo=VN_TZ).astimezone(timezone(timedelta(hours=-5))).isoformat(),
        True,
        True,
    ),
]

datetimes = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2099, 12, 31))


@given(datetimes, st.sampled_from(range(len(FORMATS))))
def test_every_format_round_trips_day_first(dt: datetime, which: int) -> None:
    fmt, seconds, with_time = FORMATS[which]
    expected = dt.replace(microsecond=0, tzinfo=VN_TZ)
    if not seconds:
        expected = expected.replace(second=0)
    if not with_time:
        expected = expected.replace(hour=0, minute=0, second=0)
    assert parse_datetime(fmt(dt.replace(microsecond=0))) == expected


# --- event_date ----------------------------------------------------------------------------

PUB = datetime(2025, 6, 27, 16, 22, tzinfo=VN_TZ)


@pytest.mark.parametrize(
    ("lead", "published", "expected"),
    [
        ("Ngày 26/6, Ban Thường vụ Huyện uỷ Phú Vang tổ chức …", PUB, date(2025, 6, 26)),
        ("Sáng 2/7, tại Huế …", datetime(2025, 7, 3, tzinfo=VN_TZ), date(2025, 7, 2)),
        ("Chiều 31/12, UBND tỉnh …", datetime(2026, 1, 2, tzinfo=VN_TZ), date(2025, 12, 31)),
        ("Tối 5/1, …", datetime(2025, 12, 30, tzinfo=VN_TZ), date(2026, 1, 5)),
        ("Trưa 26/6, …", PUB, date(2025, 6, 26)),
        ("Đêm 25/6, …", PUB, date(2025, 6, 25)),
        ("Sáng ngày 2/7, …", datetime(2025, 7, 2, tzinfo=VN_TZ), date(2025, 7, 2)),
        ("Ngày 26/6/2024, …", PUB, date(2024, 6, 26)),
        ("Ngày 26-6, …", PUB, date(2025, 6, 26)),
        ("CHIỀU 26/6, …", PUB, date(2025, 6, 26)),
        ("(TTXVN) - Sáng 26/6, …", PUB, date(2025, 6, 26)),
        ("TTĐT - Ngày 26/6, …", PUB, date(2025, 6, 26)),
        (unicodedata.normalize("NFD", "Chiều 26/6, …"), PUB, date(2025, 6, 26)),
        # A date from another zone is read as the portal's local day.
        ("Ngày 1/1, …", datetime(2025, 12, 31, 20, 0, tzinfo=UTC), date(2026, 1, 1)),
        ("Ngày 29/2, …", datetime(2024, 3, 1, tzinfo=VN_TZ), date(2024, 2, 29)),
        ("Ngày 26/6, …", None, None),
        ("Ngày 26/6/2025, …", None, date(2025, 6, 26)),
        ("Từ ngày 23/6 đến ngày 25/6/2025, …", PUB, None),
        ("UBND tỉnh vừa ban hành …", PUB, None),
        ("Ngày 32/13, …", PUB, None),
        ("Ngày 26/6/25, …", PUB, None),
        ("", PUB, None),
    ],
)
def test_event_date(lead: str, published: datetime | None, expected: date | None) -> None:
    assert event_date(lead, published) == expected


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)),
    st.integers(min_value=-300, max_value=40),
    st.sampled_from(["Ngày", "Sáng", "Chiều", "Tối", "Trưa", "Đêm", "Sáng ngày", "Chiều ngày"]),
)
def test_event_date_recovers_the_year(pub: date, offset: int, label: str) -> None:
    """An event up to ~10 months before (or a few weeks after) publication gets its year."""
    event = pub + timedelta(days=offset)
    lead = f"{label} {event.day}/{event.month}, UBND tỉnh tổ chức hội nghị."
    published = datetime(pub.year, pub.month, pub.day, 9, 0, tzinfo=VN_TZ)
    assert event_date(lead, published) == event
