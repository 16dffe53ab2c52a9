"""Crawl overhead: the portal spider (WARC, extraction, catalog, JSON, index) against a
bare Scrapy spider fetching the same pages from the same demo portal.

Both run as subprocesses with the same settings against a demo portal in its own
process; runs alternate and the best of each is kept. Prints wall and CPU seconds
and the ratio portal/bare (the goal: within 1.10–1.15).

Each ``--set NAME=VALUE[,NAME=VALUE…]`` adds a lever: one more portal crawl, run in the
same rounds with those `-s` overrides, so that each lever's ratio is measured side by
side with the plain crawl and the bare spider:

    python bench/crawl_overhead.py --articles 2000 --rounds 3
    python bench/crawl_overhead.py --articles 500 --set CONCURRENT_ITEMS=16 \
        --set WARC_GZIP_LEVEL=6

Each portal crawl's WARCs are then indexed again by cdxj-indexer and timed: the
``index s`` column sizes what re-reading its WARCs costs, which the crawl no longer
pays (its writer keeps each record's index line, archive/cdxjline.py) unless run with
``--set WARC_INDEX_FROM_WRITER=False``; ``-index x`` is the wall ratio less that step.

``--figures`` prints only ``crawl_overhead_ratio: X`` (wall) and
``crawl_overhead_cpu_ratio: Y`` on stdout (the table goes to stderr), measured side
by side in this run at 1000 articles, best of 3 (``--quick``: 200 articles, 1 round),
for bench/run.py. To profile the portal crawl itself:

    python -m portal_archive.crawler.demo.portal --port 8765 --articles 1000 --no-faults &
    python -m cProfile -o crawl.prof -m scrapy.cmdline crawl portal -a site=demo \
        -a backfill=true -s PORTAL_DATA_DIR=/tmp/prof -s PORTAL_BASE_URL=http://127.0.0.1:8765 \
        -s DOWNLOAD_DELAY=0 -s AUTOTHROTTLE_ENABLED=False -s CONCURRENT_REQUESTS_PER_DOMAIN=16
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TextIO

HERE = Path(__file__).resolve().parent
SETTINGS = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "CONCURRENT_REQUESTS": "16",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "ROBOTSTXT_OBEY": "True",
    "LOG_LEVEL": "WARNING",
    "TELNETCONSOLE_ENABLED": "False",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def timed(args: list[str], cwd: Path) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    # The bare spider runs outside the project (no scrapy.cfg, no SCRAPY_SETTINGS_MODULE):
    # inside it, Scrapy would load crawler/settings.py and archive the baseline too.
    env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
    proc = subprocess.run(args, capture_output=True, text=True, cwd=cwd, env=env)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-3000:])
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def settings_args(extra: dict[str, str]) -> list[str]:
    args = []
    for name, value in {**SETTINGS, **extra}.items():
        args += ["-s", f"{name}={value}"]
    return args


Result = tuple[float, float, float]  # wall s, CPU s, seconds to index its WARCs again


def keep_best(best: dict[str, Result], name: str, result: Result) -> None:
    """The least of each measure over the rounds, apart: on a shared machine the other
    processes only ever add to a run's wall and CPU time."""
    if name not in best:
        best[name] = result
    else:
        best[name] = tuple(map(min, best[name], result))  # type: ignore[assignment]


def index_seconds(data: Path) -> float:
    """What indexing the crawl's closed WARCs costs (cdxj-indexer reads each again)."""
    from portal_archive.archive.cdxj import index_warcs

    started = time.perf_counter()
    index_warcs(data / "warc", sorted((data / "warc").glob("*/*.warc.gz")))
    return time.perf_counter() - started


def report(best: dict[str, Result], heading: str, out: TextIO = sys.stdout) -> None:
    """One line per run: its wall and CPU seconds and their ratios to the bare spider."""
    bw, bc, _ = best["bare"]
    width = max(len(name) for name in best)
    print(heading, file=out)
    print(f"{'':{width}} {'wall s':>8} {'cpu s':>8} {'wall x':>7} {'cpu x':>7}"
          f" {'index s':>8} {'-index x':>8}", file=out)
    for name, (wall, cpu, index) in best.items():
        print(f"{name:{width}} {wall:>8.2f} {cpu:>8.2f} {wall / bw:>7.2f} {cpu / bc:>7.2f}"
              f" {index:>8.2f} {(wall - index) / bw:>8.2f}", file=out)


def figures(best: dict[str, Result]) -> None:
    (bw, bc, _), (pw, pc, _) = best["bare"], best["portal"]
    print(f"crawl_overhead_ratio: {pw / bw:.2f} (wall; portal {pw:.1f} s, bare {bw:.1f} s)")
    print(f"crawl_overhead_cpu_ratio: {pc / bc:.2f} (CPU; portal {pc:.1f} s, bare {bc:.1f} s)")


def lever(text: str) -> dict[str, str]:
    """'A=1,B=2' -> {'A': '1', 'B': '2'}: one lever's `-s` overrides."""
    overrides = {}
    for pair in text.split(","):
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise argparse.ArgumentTypeError(f"not NAME=VALUE: {pair!r}")
        overrides[name.strip()] = value.strip()
    return overrides


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int)
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--figures", action="store_true",
                        help="print the name: value lines for bench/run.py")
    parser.add_argument("--quick", action="store_true", help="CI size: 200 articles, 1 round")
    parser.add_argument("--no-requisites", action="store_true")
    parser.add_argument("--set", type=lever, action="append", default=[], metavar="NAME=VALUE",
                        help="a lever: one more portal crawl with these -s overrides")
    args = parser.parse_args()
    args.articles = args.articles or (200 if args.quick else 1000)
    args.rounds = args.rounds or (1 if args.quick else 3)
    requisites = str(not args.no_requisites)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    portal = subprocess.Popen(
        [sys.executable, "-m", "portal_archive.crawler.demo.portal", "--port", str(port),
         "--articles", str(args.articles), "--no-faults"],
        stdout=subprocess.PIPE, text=True, cwd=HERE.parent,
    )
    best: dict[str, Result] = {}
    variants = {"portal": {}} | {
        "portal " + ",".join(f"{k}={v}" for k, v in o.items()): o for o in args.set
    }
    try:
        portal.stdout.readline()
        for _ in range(args.rounds):
            bare = [sys.executable, "-m", "scrapy.cmdline", "runspider",
                    str(HERE / "bare_spider.py"), "-a", f"base={base}",
                    "-a", f"requisites={requisites}", *settings_args({})]
            with tempfile.TemporaryDirectory() as empty:
                keep_best(best, "bare", (*timed(bare, Path(empty)), 0.0))
            for name, overrides in variants.items():
                with tempfile.TemporaryDirectory() as data:
                    ours = [sys.executable, "-m", "scrapy.cmdline", "crawl", "portal",
                            "-a", "site=demo", "-a", "backfill=true",
                            *settings_args({"PORTAL_DATA_DIR": data, "PORTAL_BASE_URL": base,
                                            "PORTAL_REQUISITES": requisites, **overrides})]
                    keep_best(best, name, (*timed(ours, HERE.parent), index_seconds(Path(data))))
    finally:
        portal.terminate()
        portal.wait()
    heading = f"{args.articles} articles, requisites={requisites}, best of {args.rounds}"
    report(best, heading, sys.stderr if args.figures else sys.stdout)
    if args.figures:
        figures(best)


if __name__ == "__main__":
    main()
