"""The night of the new map: every portal of the new administrative map archived by one
scheduled job on this machine, against a bare Scrapy spider fetching the same pages.

tests/portals.py serves N portals (default 3,400, each ~20 new articles with images) on
distinct loopback addresses, in a process of its own (its CPU is shared, its memory is not
counted). A schedule folder holds ONE job listing every portal's listing URL (a generic
target per host) with DOWNLOAD_DELAY 1 and robots.txt obeyed, run by
``portal-archive schedule run-now JOB``. Printed:

* ``night_of_the_new_map``: its wall seconds (goal: under an hour for 3,400 portals), and
  ``night_of_the_new_map_ratio``: that wall over the bare spider's on the same portals;
* ``night_pages_per_s``: requests the portals served per second, both runs;
* ``night_peak_rss_mb``: the peak of the summed RSS of the crawl's whole process tree
  (``run-now`` and every descendant, polled in /proc; goal: under 2 GB);
* ``night_articles_archived``: article JSON files under ``json/`` against articles served;
* ``night_disallowed_fetched``: requests for robots.txt-disallowed paths (must be 0);
* ``night_min_host_gap_s``: the shortest time between two requests to one portal, with
  how many gaps were under the delay (as the portals saw the requests arrive).

The baseline is bench/bare_spider.py in one process, with the same politeness settings
(the job's, over crawler/settings.py's defaults) and no archiving.

    python bench/night.py --count 300 --articles 8  # issue 11's done-when: < 180 s, < 2 GB
    python bench/night.py --figures [--quick]       # --quick: 30 portals x 8 articles
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from statistics import median
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(ROOT))
from figures import emit, unavailable  # noqa: E402

from tests.portals import DISALLOWED, Portals  # noqa: E402 (robots.txt: Disallow: DISALLOWED)

JOB = "night-of-the-new-map"
# The politeness of a crawl: the job's settings over these defaults of crawler/settings.py,
# given to the bare spider too so that both runs wait for the same hosts alike.
POLITENESS = ("ROBOTSTXT_OBEY", "USER_AGENT", "CONCURRENT_REQUESTS",
              "CONCURRENT_REQUESTS_PER_DOMAIN", "DOWNLOAD_DELAY", "RANDOMIZE_DOWNLOAD_DELAY",
              "AUTOTHROTTLE_ENABLED", "AUTOTHROTTLE_START_DELAY", "AUTOTHROTTLE_MAX_DELAY",
              "AUTOTHROTTLE_TARGET_CONCURRENCY", "DOWNLOAD_TIMEOUT", "RETRY_TIMES")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


# -- the process tree's memory ---------------------------------------------------------
def _children() -> dict[int, list[int]]:
    """Every process's children, from /proc/<pid>/stat."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as stat:
                # The command name may hold spaces and parentheses: fields follow the last ')'.
                fields = stat.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone meanwhile
        children[int(fields[1])].append(int(entry.name))
    return children


def tree_rss(root: int) -> int:
    """Bytes resident in ``root`` and all its descendants (RSS summed, shared pages
    counted in each process, as `ps` would)."""
    children, total, todo = _children(), 0, [root]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            with open(f"/proc/{pid}/statm", "rb") as statm:
                total += int(statm.read().split()[1]) * PAGE_SIZE
        except (OSError, IndexError):
            continue
    return total


@dataclass
class Run:
    wall: float
    peak_rss: int
    status: int
    requests: int


def measure(args: list[str], portals: Any, *, cwd: Path, log: Path,
            env: dict[str, str] | None = None, poll: float = 0.25) -> Run:
    """Run ``args``, polling its process tree's RSS; its output goes to ``log``."""
    before = len(portals.requests())
    peak = 0
    with open(log, "wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(args, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
        while proc.poll() is None:
            peak = max(peak, tree_rss(proc.pid))
            time.sleep(poll)
        wall = time.perf_counter() - started
    served = len(portals.requests()) - before
    return Run(wall, peak, proc.returncode, served)


# -- the two runs -----------------------------------------------------------------------
def politeness(job_settings: dict[str, object]) -> dict[str, object]:
    from portal_archive.crawler import settings as defaults

    found = {name: getattr(defaults, name) for name in POLITENESS if hasattr(defaults, name)}
    return {**found, **job_settings}


def write_job(folder: Path, listing_urls: list[str], settings: dict[str, object]) -> None:
    """One schedule file, one job, every portal's listing (a generic target per host)."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = [f"[job.{JOB}]", f"sites = {json.dumps(listing_urls)}",
             'cron = "0 3 1 1 *"  # never due during a bench: run-now runs it', "",
             f"[job.{JOB}.settings]"]
    lines += [f"{name} = {json.dumps(value)}" for name, value in settings.items()]
    (folder / "night.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def run_archiver(portals: Any, work: Path, settings: dict[str, object]) -> tuple[Run, Path]:
    schedules, data = work / "schedules", work / "data"
    write_job(schedules, list(portals.listing_urls), settings)
    args = [sys.executable, "-m", "portal_archive.crawler.cli", "schedule", "run-now", JOB,
            "--schedules", str(schedules), "--data", str(data)]
    return measure(args, portals, cwd=work, log=work / "run-now.log"), data


def article_pattern(portals: Any) -> str:
    """The articles' paths (the same on every portal), for the bare spider to follow."""
    host = portals.hosts[0]
    paths = sorted({_path(u) for u in portals.article_urls(host)})
    return "^(?:" + "|".join(re.escape(p) for p in paths) + ")$"


def run_bare(portals: Any, work: Path, settings: dict[str, object]) -> Run:
    listings = work / "bare-listings.txt"
    listings.write_text("\n".join(portals.listing_urls) + "\n")
    args = [sys.executable, "-m", "scrapy.cmdline", "runspider", str(HERE / "bare_spider.py"),
            "-a", f"listings={listings}", "-a", f"articles={article_pattern(portals)}",
            "-s", "LOG_LEVEL=INFO", "-s", "TELNETCONSOLE_ENABLED=False"]
    for name, value in politeness(settings).items():
        args += ["-s", f"{name}={value}"]
    # Outside the project (no scrapy.cfg, no SCRAPY_SETTINGS_MODULE): inside it Scrapy
    # would load crawler/settings.py and archive the baseline too.
    env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
    bare = work / "bare"
    bare.mkdir()
    return measure(args, portals, cwd=bare, log=work / "bare.log", env=env)


def _path(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


# -- what was served ----------------------------------------------------------------------
def disallowed_fetched(requests: list[tuple[str, str, float]]) -> int:
    return sum(path.startswith(DISALLOWED) for _, path, _ in requests)


def host_gaps(requests: list[tuple[str, str, float]]) -> list[float]:
    """Every time between two consecutive requests to one host (robots.txt included), as
    the portals saw them arrive: a busy crawler's late first request can arrive closer
    to the next than the delay it kept between sending them."""
    times: dict[str, list[float]] = defaultdict(list)
    for host, _, moment in requests:
        times[host].append(moment)
    return sorted(b - a for ts in times.values() for a, b in pairwise(sorted(ts)))


def articles_archived(data: Path) -> int:
    return sum(1 for _ in (data / "json").rglob("*.json")) if (data / "json").is_dir() else 0


@contextmanager
def served_portals(count: int, articles: int, images: int) -> Iterator[Any]:
    with Portals(count=count, articles=articles, images=images) as portals:
        yield portals


def last_line(log: Path) -> str:
    lines = [t for t in log.read_text(errors="replace").splitlines() if t.strip()]
    return lines[-1].strip() if lines else "no output"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=3400, help="portals (default 3,400)")
    parser.add_argument("--articles", type=int, default=20, help="articles per portal")
    parser.add_argument("--images", type=int, default=1, help="images per article")
    parser.add_argument("--delay", type=float, default=1.0, help="DOWNLOAD_DELAY (seconds)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the bare spider")
    parser.add_argument("--keep", type=Path, default=None, metavar="DIR",
                        help="work in DIR and keep it (data folder, logs), not a temporary one")
    parser.add_argument("--figures", action="store_true", help="print bench/run.py's lines")
    parser.add_argument("--quick", action="store_true", help="CI size: 30 portals x 8 articles")
    args = parser.parse_args()
    if args.quick:
        args.count, args.articles = 30, 8
    settings: dict[str, object] = {"DOWNLOAD_DELAY": args.delay, "ROBOTSTXT_OBEY": True}
    with tempfile.TemporaryDirectory() as scratch:
        work = args.keep or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        with served_portals(args.count, args.articles, args.images) as portals:
            bare = None if args.no_baseline else run_bare(portals, work, settings)
            if bare is not None and bare.status != 0:
                print(unavailable("night_of_the_new_map", f"the bare spider exited"
                                  f" {bare.status}: {last_line(work / 'bare.log')}"))
                return 1
            ours, data = run_archiver(portals, work, settings)
            # Only what the archiver's run asked for: the bare spider's come first.
            requests = portals.requests()[-ours.requests:] if ours.requests else []
        if ours.status != 0:
            print(unavailable("night_of_the_new_map", f"schedule run-now exited {ours.status}:"
                              f" {last_line(work / 'run-now.log')}"))
            return 1
        archived = articles_archived(data)
    report(args, ours, bare, archived, requests)
    served = args.count * args.articles
    return 0 if archived == served and not disallowed_fetched(requests) else 1


def against(mine: float, bare: float | None, shown: str) -> str:
    """'; bare spider <shown>, ratio <mine/bare>', or nothing without a baseline."""
    return f"; bare spider {shown}, ratio {mine / bare:.2f}" if bare else ""


def report(args: argparse.Namespace, ours: Run, bare: Run | None, archived: int,
           requests: list[tuple[str, str, float]]) -> None:
    size = f"{args.count} portals x {args.articles} articles x {args.images} images"
    rate = ours.requests / ours.wall
    bare_rate = bare.requests / bare.wall if bare else None
    emit("night_of_the_new_map", ours.wall,
         f"s (wall of schedule run-now, {size}, delay {args.delay:g} s"
         f"{against(ours.wall, bare and bare.wall, f'{bare.wall:.1f} s' if bare else '')};"
         " goal < 3600 s at 3,400 portals)")
    if bare is not None:
        emit("night_of_the_new_map_ratio", ours.wall / bare.wall,
             "(wall / bare Scrapy spider's wall, same pages and politeness)")
    bare_shown = f"{bare.requests} requests, {bare_rate:.1f}/s" if bare and bare_rate else ""
    emit("night_pages_per_s", rate,
         f"(requests served per second: {ours.requests} requests"
         f"{against(rate, bare_rate, bare_shown)})")
    mb, bare_mb = ours.peak_rss / 2**20, bare.peak_rss / 2**20 if bare else None
    emit("night_peak_rss_mb", mb,
         f"MB (summed over the crawl's process tree"
         f"{against(mb, bare_mb, f'{bare_mb:.0f} MB' if bare_mb else '')}; goal < 2048)")
    emit("night_articles_archived", archived,
         f"(JSON files under json/, of {args.count * args.articles} articles served)")
    emit("night_disallowed_fetched", disallowed_fetched(requests),
         f"(requests for {DISALLOWED}, which robots.txt disallows)")
    gaps = host_gaps(requests)
    # Arrival jitters around the delay both ways: count the gaps clearly below it.
    under = sum(g < 0.9 * args.delay for g in gaps)
    p1 = gaps[len(gaps) // 100] if gaps else 0.0
    emit("night_min_host_gap_s", gaps[0] if gaps else float("nan"),
         f"s (shortest time between two requests to one portal; {under} of {len(gaps)} gaps"
         f" under 0.9 x the delay {args.delay:g} s, p1 {p1:.2f} s,"
         f" median {median(gaps) if gaps else 0:.2f} s)")

if __name__ == "__main__":
    sys.exit(main())
