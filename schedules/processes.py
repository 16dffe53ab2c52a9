"""A job's sites dealt among a few crawl processes (schedules/worker.py), each crawling
its share side by side (crawler/pool.py): at most PORTAL_CRAWL_PROCESSES processes (one
per core by default), so a night of thousands of portals costs a few processes, not one
per portal. One job's crawls only: a process shares its job's settings.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Sequence
from types import FrameType
from typing import TypeVar

from portal_archive.crawler.run import spec_settings
from portal_archive.crawler.spec import CrawlSpec
from portal_archive.schedules import worker

T = TypeVar("T")


def process_count(spec: CrawlSpec) -> int:
    """How many crawl processes a job (whose settings ``spec`` has) may use at once."""
    count = spec_settings(spec).getint("PORTAL_CRAWL_PROCESSES")
    return count if count > 0 else (os.cpu_count() or 1)


def deal(items: Sequence[T], count: int) -> list[list[T]]:
    """``items`` dealt round-robin into at most ``count`` non-empty hands, in order: a
    job's big and small sites spread evenly.

    >>> deal("abcde", 2), deal("ab", 4)
    ([['a', 'c', 'e'], ['b', 'd']], [['a'], ['b']])
    """
    hands = max(1, min(count, len(items)))
    return [list(items[start::hands]) for start in range(hands)]


def run_in_processes(job: str | None, targets: Sequence[tuple[str, CrawlSpec]]) -> int:
    """Crawl ``targets`` (label, spec) in the foreground, dealt among the job's crawl
    processes, their output on this terminal; the first failed target's exit status is
    the command's. ``job`` None: a hand crawl, with no run record. SIGTERM is passed on to
    every crawl process; Ctrl-C reaches them itself (one process group)."""
    if not targets:
        return 0
    hands = deal(list(targets), process_count(targets[0][1]))
    stopped_by = 0
    running: list[subprocess.Popen[bytes]] = []

    def on_signal(signum: int, frame: FrameType | None) -> None:
        nonlocal stopped_by
        stopped_by = signum
        if signum == signal.SIGTERM:
            for process in running:
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)

    previous = {signum: signal.signal(signum, on_signal)
                for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        for hand in hands:
            if stopped_by:
                break
            argv = worker.command(job, [label for label, _spec in hand])
            running.append(worker.spawn([spec for _label, spec in hand], argv))
        statuses = [process.wait() for process in running]
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if stopped_by:
        return 128 + stopped_by
    return next((status for status in statuses if status), 0)
