"""The crawls of a job's sites in one process: ``python -m portal_archive.schedules.worker
--job JOB --target LABEL [--target LABEL ...] ...``, one :class:`CrawlSpec` per target as
JSON lines on stdin, in the targets' order.

Twisted's reactor runs once per process, so the sites of a process crawl side by side in
one pool (crawler/pool.py, at most PORTAL_SITES_PER_PROCESS at once); the scheduler deals
a job's sites among a few such processes (schedules/processes.py). For each site this
takes its lock, once (waiting for it with ``--wait``: two jobs naming one site, or a
hand-started crawl, run one after the other instead of one failing), records its run in
``scheduler.sqlite`` (with ``--job``; a hand crawl has none), crawls it, and says how it
ended: its summary on stdout or one error line on stderr. The exit status is the first
failed site's, else 0. The specs, apprise URLs and their secrets included, come on a
pipe, not on the command line, which any local user can read with ``ps``.
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

from portal_archive.archive.errors import PortalArchiveError
from portal_archive.crawler.outcome import interrupt, stop_signal
from portal_archive.crawler.pool import Hooks, SiteCrawl, crawl_sites
from portal_archive.crawler.spec import CrawlSpec
from portal_archive.crawler.summary import crawl_summary
from portal_archive.schedules import runlog
from portal_archive.schedules.report import StderrCopy

PROG = "portal-archive schedule"
CRAWL_PROG = "portal-archive"  # the crawl's own lines read as `portal-archive crawl`'s


def command(job: str | None, targets: str | list[str], *, scheduled: str | None = None,
            due_since: str | None = None, log: Path | None = None, wait: bool = False,
            report_fd: int | None = None) -> list[str]:
    """The command line of the crawls of ``targets`` through this module (their specs:
    :func:`spawn`); ``job`` None: a hand crawl, no run record."""
    argv = [sys.executable, "-m", "portal_archive.schedules.worker"]
    if job is not None:
        argv += ["--job", job]
    for target in [targets] if isinstance(targets, str) else targets:
        argv += ["--target", target]
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


def spawn(specs: CrawlSpec | list[CrawlSpec], argv: list[str],
          **popen: Any) -> subprocess.Popen[bytes]:
    """Start the worker ``argv`` (from :func:`command`) and hand it ``specs`` on its stdin."""
    specs = [specs] if isinstance(specs, CrawlSpec) else specs
    process = subprocess.Popen(argv, stdin=subprocess.PIPE, **popen)
    assert process.stdin is not None
    try:
        for spec in specs:  # written as the worker reads: a pipe's buffer holds a few
            process.stdin.write(spec.to_json().encode("utf-8") + b"\n")
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
        specs = [CrawlSpec.from_json(line) for line in sys.stdin if line.strip()]
    except PortalArchiveError as exc:  # a setting no longer known: the line `-s` gets
        print(f"{CRAWL_PROG}: error: {exc}", file=sys.stderr, flush=True)
        return exc.exit_code
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        print(f"{PROG}: error: no crawl spec on stdin ({exc!r})", file=sys.stderr, flush=True)
        return 2
    if len(specs) != len(args.target):
        print(f"{PROG}: error: {len(specs)} crawl spec(s) on stdin for"
              f" {len(args.target)} target(s)", file=sys.stderr, flush=True)
        return 2

    # SIGTERM before the crawls start (while waiting for a lock) ends this process as
    # Ctrl-C would; once Scrapy runs, its own handler makes it a clean stop of each.
    signal.signal(signal.SIGTERM, interrupt)
    sites = [SiteCrawl(label, spec) for label, spec in zip(args.target, specs, strict=True)]
    runs = _Runs(args)
    hooks = Hooks(begin=runs.begin, end=runs.end, busy=_say_waiting if args.wait else None)
    try:
        crawl_sites(sites, hooks)
    except KeyboardInterrupt:
        print(f"{PROG}: stopped before the crawls of {', '.join(args.target)} began",
              file=sys.stderr)
        return 128 + signal.Signals[stop_signal() or "SIGINT"].value
    finally:
        # Done: a SIGTERM now would only lose the record of what was done.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    return next((site.status for site in sites if site.status), 0)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m portal_archive.schedules.worker")
    parser.add_argument("--job", help="the job whose run records these crawls (none: by hand)")
    parser.add_argument("--target", action="append", required=True,
                        help="a crawl's label in logs and records, one per spec on stdin")
    parser.add_argument("--scheduled")
    parser.add_argument("--due-since")
    parser.add_argument("--log")
    parser.add_argument("--wait", action="store_true", help="wait for a busy site's lock")
    parser.add_argument("--report-fd", type=int, help="a pipe to the scheduler for stderr")
    return parser


def _say_waiting(site: SiteCrawl, busy: PortalArchiveError) -> None:
    print(f"{PROG}: {busy}; waiting for it to finish", file=sys.stderr, flush=True)


class _Runs:
    """Each site's run in scheduler.sqlite, recorded around its crawl with its lock held:
    a fire time found already run (by a worker of a scheduler killed since) is not run
    again. Then how the site ended, as `portal-archive crawl` says it."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.ids: dict[int, int] = {}  # id(site) -> its run record

    def begin(self, site: SiteCrawl) -> bool:
        args = self.args
        if args.job is None:
            return True
        try:
            run_id = runlog.start(site.spec.data_dir, args.job, site.label, args.scheduled,
                                  args.due_since, args.log)
        except (sqlite3.Error, OSError) as exc:  # e.g. a full disk: no run record, no crawl
            raise PortalArchiveError(f"cannot record the run in"
                                     f" {runlog.path(site.spec.data_dir)}: {exc}") from None
        if run_id is None:
            print(f"{PROG}: job {args.job!r} already crawled {site.label} for its run due"
                  f" {args.scheduled}; not crawling it twice", file=sys.stderr)
            return False
        self.ids[id(site)] = run_id
        return True

    def end(self, site: SiteCrawl) -> None:
        if site.skipped:
            return
        if site.error:
            prog = PROG if site.error.startswith("cannot record") else CRAWL_PROG
            print(f"{prog}: error: {site.error}", file=sys.stderr, flush=True)
        elif site.stats is not None:
            print(crawl_summary(site.stats, site.spec.data().root), flush=True)
        if self.args.job is None:
            return
        run_id = self.ids.pop(id(site), None)
        if site.refused:
            # Refused for what it asks (an unknown site): its run says so all the same.
            # (Not one stopped or busy before its crawl: another may hold its lock.)
            with suppress(sqlite3.Error, OSError, PortalArchiveError):
                run_id = self.begin(site) and self.ids.pop(id(site), None)
        if not run_id:
            return
        try:
            runlog.finish(site.spec.data_dir, run_id, site.status)  # before the lock goes
        except (sqlite3.Error, OSError) as exc:
            print(f"{PROG}: error: cannot record the end of the run in"
                  f" {runlog.path(site.spec.data_dir)}: {exc}", file=sys.stderr, flush=True)
            site.fail(str(exc))


if __name__ == "__main__":
    sys.exit(main())
