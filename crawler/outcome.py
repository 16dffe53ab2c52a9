"""How a crawl ended, said once: the run row's status and the CLI's last line.

Scrapy closes a spider with a reason: ``finished``, ``shutdown`` after SIGTERM or SIGINT
(it stops gracefully, closing files), ``closespider_timeout`` at CLOSESPIDER_TIMEOUT;
the watchdog (crawler/watchdog.py) adds ``stalled`` and crawler/fatal.py ``fatal``. Any
status but ``finished`` makes the site's next crawl page through every listing.
"""

from __future__ import annotations

import signal
import weakref
from collections.abc import Mapping
from types import FrameType
from typing import Any

from scrapy.crawler import Crawler

from portal_archive.archive.errors import PortalArchiveError

# Scrapy's close reasons, as a run's status says them; any other reason is kept as is.
RUN_STATUS = {"shutdown": "interrupted", "closespider_timeout": "timeout"}
# The statuses of a crawl that was cut short by its watchdog: an event says so.
INCOMPLETE = ("stalled", "timeout")


def run_status(reason: str) -> str:
    """The run row's status for Scrapy's close reason.

    >>> run_status("shutdown"), run_status("finished")
    ('interrupted', 'finished')
    """
    return RUN_STATUS.get(reason, reason)


# The crawls of this process that a stop signal is noted for, and the first such signal:
# one handler per process, however many crawls it runs (crawler/pool.py).
_watched: weakref.WeakSet[Crawler] = weakref.WeakSet()
_stopped_by: list[str] = []


def note_signals(crawler: Crawler | None) -> None:
    """Remember in the stats (``portal/signal``) which signal stopped the crawl.

    Scrapy's handlers stop the crawl without saying which signal it was; chain them,
    once per process. Call once they are installed (from the running reactor): Scrapy
    replaces them, with its second-signal handlers, on the first signal."""
    if crawler is not None:
        _watched.add(crawler)
    for signum in (signal.SIGTERM, signal.SIGINT):
        previous = signal.getsignal(signum)
        if not callable(previous) or getattr(previous, "notes_stop", False):
            continue

        def handler(num: int, frame: FrameType | None, previous: Any = previous) -> None:
            name = signal.Signals(num).name
            if not _stopped_by:
                _stopped_by.append(name)
            for watched in list(_watched):
                stats = watched.stats
                if stats is not None and not stats.get_value("portal/signal"):
                    stats.set_value("portal/signal", name)
            previous(num, frame)

        handler.notes_stop = True  # type: ignore[attr-defined]
        signal.signal(signum, handler)


def interrupt(signum: int, frame: FrameType | None) -> None:
    """A signal handler for before Scrapy's: noted as theirs are, then Ctrl-C's way."""
    if not _stopped_by:
        _stopped_by.append(signal.Signals(signum).name)
    raise KeyboardInterrupt


def stop_signal() -> str | None:
    """The signal that stopped this process's crawls (SIGTERM, SIGINT), if one came."""
    return _stopped_by[0] if _stopped_by else None


class CrawlCutShort(PortalArchiveError):
    """The crawl did not end by itself; what it fetched is archived all the same."""


def check_ended(site: str, stats: Mapping[str, Any]) -> None:
    """Raise CrawlCutShort unless the crawl ran until it was done (or stopped fatally,
    which the caller says)."""
    # A second signal stops the reactor before the spider closes: no reason recorded.
    reason = stats.get("finish_reason") or ("shutdown" if stats.get("portal/signal")
                                            else "finished")
    status = run_status(str(reason))
    kept = (f"{stats.get('response_received_count', 0)} responses archived; the next crawl"
            " pages through every listing")
    if status == "interrupted":
        name = stats.get("portal/signal") or "a signal"
        error = CrawlCutShort(f"crawl of {site} interrupted by {name}: {kept}")
        if name in signal.Signals.__members__:
            error.exit_code = 128 + signal.Signals[name].value  # as a shell says it: 143
        raise error
    if status in INCOMPLETE:
        detail = stats.get("watchdog/reason") or status
        raise CrawlCutShort(f"crawl of {site} {status}: {detail}; {kept}")
