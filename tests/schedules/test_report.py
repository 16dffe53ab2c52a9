"""The failure line a crawl process sends the scheduler, through a real pipe."""

from __future__ import annotations

import io
import os

import pytest

from portal_archive.schedules.report import FailureWatch, StderrCopy


def _line(output: str) -> str:
    read, write = os.pipe()
    watch = FailureWatch(read)
    os.write(write, output.encode("utf-8"))
    os.close(write)
    return watch.line()


@pytest.mark.parametrize(("output", "line"), [
    ("INFO started\nportal-archive: error: data folder /d is not writable: No space left"
     " on device\nsecond error\n",
     "portal-archive: error: data folder /d is not writable: No space left on device"),
    ("2026-12-01 [scrapy.core.scraper] ERROR: Error processing {'url': 'x'}\n",
     "2026-12-01 [scrapy.core.scraper] ERROR: Error processing {'url': 'x'}"),
    ('Traceback (most recent call last):\n  File "w.py", line 1, in <module>\n    crawl()\n'
     "sqlite3.OperationalError: database or disk is full\n",
     "sqlite3.OperationalError: database or disk is full"),
    ("nothing wrong said\nthe last line\n", "the last line"),
    ("", "(it printed nothing)"),
])
def test_the_first_failure_line_else_the_last(output: str, line: str) -> None:
    assert _line(output) == line


def test_copy_survives_a_gone_reader_and_a_failing_log() -> None:
    class Full(io.StringIO):
        def write(self, text: str) -> int:
            raise OSError(28, "No space left on device")

    read, write = os.pipe()
    copy = StderrCopy(Full(), write)
    copy.write("portal-archive: error: first\n")  # the log file fails: not raised
    assert os.read(read, 100) == b"portal-archive: error: first\n"
    os.close(read)  # the scheduler is gone
    copy.write("more\n")  # EPIPE: not raised either
    copy.flush()
    os.close(write)
