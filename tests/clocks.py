"""Clocks a test hands a crawl process (``-s PORTAL_CAPTURE_CLOCK=tests.clocks.ahead``):
two crawls can then be seconds apart in the archive without the test waiting for it."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

# Seconds that ``ahead`` runs ahead of the system clock, read in the crawl's process.
AHEAD = "PORTAL_ARCHIVE_TEST_CLOCK_AHEAD"


def ahead() -> datetime:
    return datetime.now(UTC) + timedelta(seconds=float(os.environ.get(AHEAD, "0")))


def ahead_by(seconds: float) -> tuple[dict[str, str], dict[str, str]]:
    """The crawl's settings and environment for a clock ``seconds`` ahead."""
    return {"PORTAL_CAPTURE_CLOCK": "tests.clocks.ahead"}, {AHEAD: str(seconds)}
