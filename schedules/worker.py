"""One scheduled crawl, in its own process:
``python -m portal_archive.schedules.worker ... -- crawl SITE ...``.

Twisted's reactor runs once per process, so the scheduler starts one of these per crawl.
It takes the site's lock (waiting for it with ``--wait``: two jobs naming one site, or a
hand-started crawl, run one after the other instead of one failing), records the run in
``scheduler.sqlite``, and runs ``portal-archive crawl`` in this same process. The apprise
URLs come in ``$PORTAL_ARCHIVE_NOTIFY`` (JSON), not on the command line, which any local
user can read with ``ps``.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from portal_archive.archive.datadir import DataDir
from portal_archive.archive.errors import PortalArchiveError
from portal_archive.archive.lock import acquire, release
from portal_archive.schedules import runlog
from portal_archive.schedules.report import StderrCopy

NOTIFY_ENV = "PORTAL_ARCHIVE_NOTIFY"
PROG = "portal-archive schedule"


def command(data: Path, job: str, site: str, target: str, crawl_args: Sequence[str], *,
            scheduled: str | None = None, due_since: str | None = None,
            log: Path | None = None, wait: bool = False,
            report_fd: int | None = None) -> list[str]:
    """The command line that runs one crawl of a job through this module."""
    argv = [sys.executable, "-m", "portal_archive.schedules.worker", "--data", str(data),
            "--job", job,
            "--site", site, "--target", target]
    if scheduled:
        argv += ["--scheduled", scheduled]
    if due_since:
        argv += ["--due-since", due_since]
    if log:
        argv += ["--log", str(log)]
    if wait:
        argv.append("--wait")
    if report_fd is not None:
        argv += ["--report-fd", str(report_fd)]
    return [*argv, "--", *crawl_args]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m portal_archive.schedules.worker")
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--job", required=True)
    parser.add_argument("--site", required=True, help="the lock's name")
    parser.add_argument("--target", required=True)
    parser.add_argument("--scheduled")
    parser.add_argument("--due-since")
    parser.add_argument("--log")
    parser.add_argument("--wait", action="store_true")
    parser.add_argument("--report-fd", type=int, help="a pipe to the scheduler for stderr")
    parser.add_argument("crawl", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    crawl = args.crawl[1:] if args.crawl[:1] == ["--"] else args.crawl
    if args.report_fd is not None:
        sys.stderr = StderrCopy(sys.stderr, args.report_fd)  # type: ignore[assignment]

    # SIGTERM before the crawl starts (while waiting for the lock) ends this process
    # as Ctrl-C would; once Scrapy runs, its own handler makes it a clean stop.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        DataDir(args.data).ensure_writable()
        _take_lock(args.data, args.site, wait=args.wait)
    except PortalArchiveError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr, flush=True)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"{PROG}: stopped before the crawl of {args.target} began", file=sys.stderr)
        return 130
    try:
        try:
            run_id = runlog.start(args.data, args.job, args.target, args.scheduled,
                                  args.due_since, args.log)
        except KeyboardInterrupt:
            print(f"{PROG}: stopped before the crawl of {args.target} began", file=sys.stderr)
            return 130
        except (sqlite3.Error, OSError) as exc:  # e.g. a full disk: no run record, no crawl
            print(f"{PROG}: error: cannot record the run in {runlog.path(args.data)}: {exc}",
                  file=sys.stderr, flush=True)
            return 1
        if run_id is None:
            print(f"{PROG}: job {args.job!r} already crawled {args.target} for its run due"
                  f" {args.scheduled}; not crawling it twice", file=sys.stderr)
            return 0
        status = 1
        try:
            status = _crawl(crawl)
        finally:
            # Done: a SIGTERM now would only lose the record of what was done.
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            try:
                runlog.finish(args.data, run_id, status)  # before the lock goes: no overlap
            except (sqlite3.Error, OSError) as exc:
                print(f"{PROG}: error: cannot record the end of the run in"
                      f" {runlog.path(args.data)}: {exc}", file=sys.stderr, flush=True)
                status = status or 1
    finally:
        release(args.data, args.site)
    return status


def _take_lock(data: Path, site: str, *, wait: bool) -> None:
    said = False
    while True:
        try:
            acquire(data, site)
            return
        except PortalArchiveError as exc:
            if not wait:
                raise
            if not said:
                print(f"{PROG}: {exc}; waiting for it to finish", file=sys.stderr, flush=True)
                said = True
            time.sleep(0.5)


def _crawl(args: list[str]) -> int:
    from portal_archive.crawler.cli import main as cli_main

    notify = json.loads(os.environ.pop(NOTIFY_ENV, "[]") or "[]")
    argv = [*args, *(arg for url in notify for arg in ("--notify", url))]
    try:
        return cli_main(argv)
    except SystemExit as exc:  # argparse: bad usage
        return exc.code if isinstance(exc.code, int) else 2


if __name__ == "__main__":
    sys.exit(main())
