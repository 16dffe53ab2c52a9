"""One scheduled crawl, in its own process: ``python -m portal_archive.schedules.worker
--job JOB --target LABEL ...``, the crawl's :class:`CrawlSpec` as JSON on stdin.

Twisted's reactor runs once per process, so the scheduler starts one of these per crawl.
It takes the site's lock, once (waiting for it with ``--wait``: two jobs naming one site,
or a hand-started crawl, run one after the other instead of one failing), records the run
in ``scheduler.sqlite``, and calls ``run_crawl(spec)`` in this same process. The spec,
apprise URLs and their secrets included, comes on a pipe, not on the command line, which
any local user can read with ``ps``.
"""

from __future__ import annotations

import argparse
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path
from typing import Any

from portal_archive.archive.catalog import damaged
from portal_archive.archive.datadir import DataDir
from portal_archive.archive.errors import PortalArchiveError
from portal_archive.crawler.run import run_crawl, site_lock
from portal_archive.crawler.spec import CrawlSpec
from portal_archive.crawler.summary import crawl_summary
from portal_archive.schedules import runlog
from portal_archive.schedules.report import StderrCopy

PROG = "portal-archive schedule"
CRAWL_PROG = "portal-archive"  # the crawl's own lines read as `portal-archive crawl`'s


def command(job: str, target: str, *, scheduled: str | None = None,
            due_since: str | None = None, log: Path | None = None, wait: bool = False,
            report_fd: int | None = None) -> list[str]:
    """The command line of one crawl of a job through this module (its spec: :func:`spawn`)."""
    argv = [sys.executable, "-m", "portal_archive.schedules.worker", "--job", job,
            "--target", target]
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
    return argv


def spawn(spec: CrawlSpec, argv: list[str], **popen: Any) -> subprocess.Popen[bytes]:
    """Start the worker ``argv`` (from :func:`command`) and hand it ``spec`` on its stdin."""
    process = subprocess.Popen(argv, stdin=subprocess.PIPE, **popen)
    assert process.stdin is not None
    try:
        process.stdin.write(spec.to_json().encode("utf-8"))  # far below a pipe's buffer
        process.stdin.flush()
    except BrokenPipeError:  # the worker died at once; its exit status says so
        pass
    finally:
        with suppress(BrokenPipeError):
            process.stdin.close()
        process.stdin = None  # handed over: communicate() has nothing left to send
    return process


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.report_fd is not None:
        sys.stderr = StderrCopy(sys.stderr, args.report_fd)
    try:
        spec = CrawlSpec.from_json(sys.stdin.read())
    except PortalArchiveError as exc:  # a setting no longer known: the line `-s` gets
        print(f"{CRAWL_PROG}: error: {exc}", file=sys.stderr, flush=True)
        return exc.exit_code
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        print(f"{PROG}: error: no crawl spec on stdin ({exc!r})", file=sys.stderr, flush=True)
        return 2

    # SIGTERM before the crawl starts (while waiting for the lock) ends this process
    # as Ctrl-C would; once Scrapy runs, its own handler makes it a clean stop.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    on_busy = _say_waiting if args.wait else None
    try:
        DataDir(spec.data_dir).ensure_writable()
        with site_lock(spec.data_dir, spec.site, on_busy=on_busy):  # the crawl's one lock
            return _record_and_crawl(args, spec)
    except PortalArchiveError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr, flush=True)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"{PROG}: stopped before the crawl of {args.target} began", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m portal_archive.schedules.worker")
    parser.add_argument("--job", required=True)
    parser.add_argument("--target", required=True, help="the crawl's label in logs")
    parser.add_argument("--scheduled")
    parser.add_argument("--due-since")
    parser.add_argument("--log")
    parser.add_argument("--wait", action="store_true", help="wait for a busy site's lock")
    parser.add_argument("--report-fd", type=int, help="a pipe to the scheduler for stderr")
    return parser


def _say_waiting(busy: PortalArchiveError) -> None:
    print(f"{PROG}: {busy}; waiting for it to finish", file=sys.stderr, flush=True)


def _record_and_crawl(args: argparse.Namespace, spec: CrawlSpec) -> int:
    """The run's record in scheduler.sqlite around the crawl, the site's lock held: a fire
    time found already run (by a worker of a scheduler killed since) is not run again."""
    data = spec.data_dir
    try:
        run_id = runlog.start(data, args.job, args.target, args.scheduled, args.due_since,
                              args.log)
    except (sqlite3.Error, OSError) as exc:  # e.g. a full disk: no run record, no crawl
        print(f"{PROG}: error: cannot record the run in {runlog.path(data)}: {exc}",
              file=sys.stderr, flush=True)
        return 1
    if run_id is None:
        print(f"{PROG}: job {args.job!r} already crawled {args.target} for its run due"
              f" {args.scheduled}; not crawling it twice", file=sys.stderr)
        return 0
    status = 1
    try:
        status = _crawl(spec)
    finally:
        # Done: a SIGTERM now would only lose the record of what was done.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        try:
            runlog.finish(data, run_id, status)  # before the lock goes: no overlap
        except (sqlite3.Error, OSError) as exc:
            print(f"{PROG}: error: cannot record the end of the run in"
                  f" {runlog.path(data)}: {exc}", file=sys.stderr, flush=True)
            status = status or 1
    return status


def _crawl(spec: CrawlSpec) -> int:
    """``run_crawl(spec)``, ending as ``portal-archive crawl`` does: its summary on stdout,
    or one error line on stderr, and its exit status."""
    try:
        stats = run_crawl(spec)
    except PortalArchiveError as exc:
        print(f"{CRAWL_PROG}: error: {exc}", file=sys.stderr, flush=True)
        return exc.exit_code
    except sqlite3.DatabaseError as exc:  # a catalog whose pages are not whole
        print(f"{CRAWL_PROG}: error: {damaged(DataDir(spec.data_dir).catalog, exc)}",
              file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        return 130
    print(crawl_summary(stats, spec.data_dir), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
