"""`portal-archive schedule list | run | run-now JOB` (wired into crawler/cli.py)."""

from __future__ import annotations

import argparse
import os
from datetime import UTC, datetime
from pathlib import Path

from portal_archive.archive.datadir import default_data_dir


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser],
               common: argparse.ArgumentParser) -> None:
    """Add the ``schedule`` command group; ``common`` carries --data and -v."""
    where = argparse.ArgumentParser(add_help=False, parents=[common])
    where.add_argument(
        "--schedules", type=Path, default=None, metavar="DIR",
        help="folder of *.toml schedule files (default: ./schedules if it exists,"
             " else the example schedules/demo.toml shipped in the package)",
    )
    schedule = sub.add_parser("schedule", help="the nightly scheduler over *.toml schedule files")
    commands = schedule.add_subparsers(dest="schedule_command", required=True,
                                       metavar="SUBCOMMAND")

    listing = commands.add_parser("list", parents=[where],
                                  help="each job, its sites, cron and next run (local time)")
    listing.set_defaults(func=cmd_list)

    run = commands.add_parser("run", parents=[where], help="run the scheduler until SIGTERM")
    run.add_argument("--grace", type=float, default=60.0, metavar="SECONDS",
                     help="on SIGTERM, how long running crawls get to stop cleanly"
                          " before they are killed (default 60)")
    run.add_argument("--poll", type=float, default=2.0, metavar="SECONDS",
                     help="how often to look for edited schedule files (default 2)")
    _add_queue_option(run, "defer the crawls to the workers taking them from this queue,"
                           " and deliver their events")
    run.set_defaults(func=cmd_run)

    now = commands.add_parser("run-now", parents=[where],
                              help="run one job's crawls now, in the foreground")
    now.add_argument("job", metavar="JOB")
    _add_queue_option(now, "defer the job's crawls to this queue and exit")
    now.set_defaults(func=cmd_run_now)


def _add_queue_option(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--queue", default=None, metavar="URL",
                        help=f"{what} (libpq URL; default: $PORTAL_QUEUE_URL, else none:"
                             " crawl here)")


def _queue(args: argparse.Namespace) -> str | None:
    from portal_archive.schedules.queue import QUEUE_ENV

    return args.queue or os.environ.get(QUEUE_ENV) or None


def _folder(args: argparse.Namespace) -> Path:
    from portal_archive.schedules.config import default_schedules_dir

    return args.schedules if args.schedules is not None else default_schedules_dir()


def _data(args: argparse.Namespace) -> Path:
    return args.data if args.data is not None else default_data_dir()


def cmd_list(args: argparse.Namespace) -> int:
    from portal_archive.schedules.config import format_local, load_jobs

    folder = _folder(args)
    jobs = load_jobs(folder)
    if not jobs:
        print(f"no jobs in {folder} (no *.toml files with [job.NAME] tables)")
        return 0
    now = datetime.now(UTC)
    rows = [("JOB", "SITES", "CRON", "NEXT RUN", "FILE")]
    for job in jobs.values():
        moment = job.next_run(now)
        cron = job.cron if job.seconds is None else f"{job.cron} (seconds {job.seconds})"
        when = ("never" if moment is None
                else format_local(moment, job.timezone, seconds=job.seconds is not None))
        rows.append((job.name, ", ".join(job.sites), cron, when, job.where))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False))
              + "  " + row[-1])
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from portal_archive.schedules.runner import serve

    return serve(_data(args), _folder(args), poll=args.poll, grace=args.grace,
                 verbose=args.verbose, queue_url=_queue(args))


def cmd_run_now(args: argparse.Namespace) -> int:
    from portal_archive.schedules.runner import run_now

    return run_now(_data(args), _folder(args), args.job, verbose=args.verbose,
                   queue_url=_queue(args))
