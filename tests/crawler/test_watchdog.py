"""The watchdog's and the outcome's own logic, without a reactor."""

from __future__ import annotations

import doctest

import pytest

from portal_archive.archive.errors import PortalArchiveError
from portal_archive.crawler import outcome, watchdog
from portal_archive.crawler.outcome import check_ended, run_status
from portal_archive.crawler.watchdog import stall_reason


def test_doctests() -> None:
    for module in (outcome, watchdog):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0


def test_a_crawl_is_stalled_only_past_the_limit_and_never_with_no_limit() -> None:
    assert stall_reason(0, 600) is None
    assert stall_reason(599.99, 600) is None
    assert stall_reason(600, 600) == "no response for 600 s (WATCHDOG_STALL_TIMEOUT=600)"
    assert stall_reason(10**6, 0) is None


def test_statuses_and_last_lines() -> None:
    assert [run_status(r) for r in ("finished", "shutdown", "closespider_timeout", "stalled",
                                    "fatal")] == [
        "finished", "interrupted", "timeout", "stalled", "fatal"]
    check_ended("demo", {"finish_reason": "finished"})  # no error
    with pytest.raises(PortalArchiveError) as err:
        check_ended("demo", {"finish_reason": "shutdown", "portal/signal": "SIGTERM",
                             "response_received_count": 7})
    assert err.value.exit_code == 143
    assert str(err.value).startswith("crawl of demo interrupted by SIGTERM: 7 responses")
    with pytest.raises(PortalArchiveError) as err:
        check_ended("demo", {"finish_reason": "stalled", "watchdog/reason": "no response"})
    assert (err.value.exit_code, str(err.value).split(";")[0]) == (
        1, "crawl of demo stalled: no response")


def test_a_second_signal_leaves_no_close_reason_but_is_still_an_interruption() -> None:
    with pytest.raises(PortalArchiveError) as err:
        check_ended("demo", {"portal/signal": "SIGINT"})
    assert err.value.exit_code == 130
