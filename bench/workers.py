"""The simulated night through the queue on 1, 2 and 3 worker processes (issue 12).

tests/portals.py serves N portals on loopback addresses (politeness on: DOWNLOAD_DELAY,
robots.txt obeyed). For each number of workers, a fresh PostgreSQL database (catalog and
queue) and a fresh shared folder; the workers are started, each with its own local
folder, ``--id`` and a bounded ``--concurrency`` (a worker stands for a machine of limited
size); once their heartbeats are in, the clock starts, ``schedule run-now --queue``
enqueues one job per portal, and the clock stops when the last job has ended. Printed:

* ``workers_wall_1``: seconds of the night on one worker;
* ``workers_speedup_2``, ``workers_speedup_3``: that wall over the wall on 2 and 3
  workers, in the same run (the ideal is 2 and 3: each worker adds ``--concurrency``
  sites at once, and a polite site's crawl takes its requests x the delay whoever runs it).

What bounds the speedup on this 2-core machine: not the CPU at this size (the default
night used about 20 s of CPU in 4 minutes), but the politeness delay: a site's crawl takes
its requests x the delay whichever worker runs it, so the wall is about
ceil(sites / (workers x concurrency)) waves of one site's crawl. Below the ideal: each
worker's warm-up (imports and its first crawler, 2-4 s of CPU, contended when three start
on two cores), the last wave's uneven sites, and job pickup. At --quick size a site takes
about 2 s, so the warm-up weighs most (1.4-1.7x on 2 workers, 1.4-2.0x on 3); with many
sites at once and a short delay the two cores, not the workers, become the bound.

Every article must be archived on shared storage, and no two requests may reach one
portal closer than the delay, whichever worker sent them; else the figures are
unavailable. PostgreSQL is ``$PORTAL_TEST_POSTGRES``, or a throwaway cluster from
Debian's binaries (tests/postgres.py).

    python bench/workers.py --figures           # 12 portals x 8 articles, delay 1 s
    python bench/workers.py --figures --quick   # CI size: 6 portals x 2 articles, 0.25 s
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(ROOT))
from figures import emit, unavailable  # noqa: E402
from night import JOB, articles_archived, host_gaps, write_job  # noqa: E402

from tests.portals import Portals  # noqa: E402
from tests.workers import (  # noqa: E402
    Worker,
    distributed_env,
    enqueue,
    wait_for_jobs,
    wait_for_workers,
)

WORKERS = (1, 2, 3)


class Unavailable(Exception):
    """A figure that cannot be measured here, with its one-line reason."""


@contextlib.contextmanager
def postgres() -> Iterator[str]:
    """The URL of a PostgreSQL server whose user may create databases."""
    from tests.postgres import ENV_VAR, bindir, throwaway_server

    if os.environ.get(ENV_VAR):
        yield os.environ[ENV_VAR]
        return
    if bindir() is None:
        raise Unavailable("no PostgreSQL: no initdb under /usr/lib/postgresql"
                          f" and no ${ENV_VAR}")
    with throwaway_server() as url:
        yield url


@dataclass
class Night:
    workers: int
    wall: float
    archived: int
    requests: list[tuple[str, str, float]]


def night_on(workers: int, portals: Portals, server: str, work: Path,
             args: argparse.Namespace) -> Night:
    """One night of every portal on ``workers`` fresh machines: its wall seconds."""
    from tests.postgres import new_database

    url = new_database(server)
    folder = work / f"{workers}-workers"
    shared = folder / "shared"
    env = distributed_env(url, shared)
    schedules = folder / "schedules"
    write_job(schedules, list(portals.listing_urls),
              {"DOWNLOAD_DELAY": args.delay, "ROBOTSTXT_OBEY": True})
    served_before = len(portals.requests())
    with contextlib.ExitStack() as stack:
        machines = [stack.enter_context(Worker(folder / f"machine-{k}", f"machine-{k}", url,
                                               env, concurrency=args.concurrency))
                    for k in range(1, workers + 1)]
        text = lambda: "\n".join(m.text()[-2000:] for m in machines)  # noqa: E731
        wait_for_workers(url, machines, 120)
        started = time.perf_counter()
        done = enqueue(JOB, schedules, url, env, data=folder / "scheduler")
        if done.returncode != 0:
            raise Unavailable(f"schedule run-now --queue exited {done.returncode}:"
                              f" {done.stderr.strip()[-300:]}")
        wait_for_jobs(url, portals.count, 3600, text, machines)
        wall = time.perf_counter() - started
        for machine in machines:
            machine.stop()
    return Night(workers, wall, articles_archived(shared), portals.requests()[served_before:])


def check(night: Night, portals: Portals, delay: float) -> None:
    """Every article archived; politeness kept across workers."""
    served = portals.count * portals.articles
    if night.archived != served:
        raise Unavailable(f"{night.workers} workers archived {night.archived} of {served}"
                          " articles")
    gaps = host_gaps(night.requests)
    if gaps and gaps[0] < 0.9 * delay:
        raise Unavailable(f"{night.workers} workers: two requests to one portal"
                          f" {gaps[0]:.2f} s apart, under the delay {delay:g} s")


def measure(args: argparse.Namespace, work: Path) -> list[Night]:
    nights = []
    with postgres() as server, Portals(args.count, args.articles, args.images) as portals:
        for workers in WORKERS:
            night = night_on(workers, portals, server, work, args)
            check(night, portals, args.delay)
            nights.append(night)
    return nights


def report(args: argparse.Namespace, nights: list[Night]) -> None:
    one = nights[0]
    size = (f"{args.count} portals x {args.articles} articles x {args.images} images,"
            f" delay {args.delay:g} s, --concurrency {args.concurrency} per worker")
    gaps = host_gaps([r for n in nights for r in n.requests])
    emit("workers_wall_1", one.wall,
         f"s (one worker; {size}; shortest gap between two requests to a portal"
         f" {gaps[0]:.2f} s)" if gaps else f"s (one worker; {size})")
    for night in nights[1:]:
        emit(f"workers_speedup_{night.workers}", one.wall / night.wall,
             f"(wall of 1 worker / wall of {night.workers}: {one.wall:.1f} s /"
             f" {night.wall:.1f} s; ideal {night.workers})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=12, help="portals (default 12)")
    parser.add_argument("--articles", type=int, default=8, help="articles per portal")
    parser.add_argument("--images", type=int, default=1, help="images per article")
    parser.add_argument("--delay", type=float, default=1.0, help="DOWNLOAD_DELAY (seconds)")
    parser.add_argument("--concurrency", type=int, default=2,
                        help="sites at once per worker (default 2)")
    parser.add_argument("--keep", type=Path, default=None, metavar="DIR",
                        help="work in DIR and keep it (folders, logs), not a temporary one")
    parser.add_argument("--figures", action="store_true", help="print bench/run.py's lines")
    parser.add_argument("--quick", action="store_true",
                        help="CI size: 6 portals x 2 articles, delay 0.25 s, concurrency 1")
    args = parser.parse_args()
    if args.quick:
        args.count, args.articles, args.delay, args.concurrency = 6, 2, 0.25, 1
    with tempfile.TemporaryDirectory() as scratch:
        work = args.keep or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        try:
            nights = measure(args, work)
        except (Unavailable, AssertionError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            for name in ("workers_wall_1", "workers_speedup_2", "workers_speedup_3"):
                print(unavailable(name, reason))
            return 1
    report(args, nights)
    return 0


if __name__ == "__main__":
    sys.exit(main())
