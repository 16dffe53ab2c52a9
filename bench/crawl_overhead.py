"""Crawl overhead: the portal spider (WARC, extraction, catalog, JSON, index) against a
bare Scrapy spider fetching the same pages from the same demo portal.

Both run as subprocesses with the same settings against a demo portal in its own
process; runs alternate and the best of each is kept. Prints wall and CPU seconds
and the ratio portal/bare (the goal: within 1.10–1.15).

    python bench/crawl_overhead.py --articles 2000 --rounds 3
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-requisites", action="store_true")
    args = parser.parse_args()
    requisites = str(not args.no_requisites)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    portal = subprocess.Popen(
        [sys.executable, "-m", "portal_archive.crawler.demo.portal", "--port", str(port),
         "--articles", str(args.articles), "--no-faults"],
        stdout=subprocess.PIPE, text=True, cwd=HERE.parent,
    )
    best: dict[str, tuple[float, float]] = {}
    try:
        portal.stdout.readline()
        for _ in range(args.rounds):
            bare = [sys.executable, "-m", "scrapy.cmdline", "runspider",
                    str(HERE / "bare_spider.py"), "-a", f"base={base}",
                    "-a", f"requisites={requisites}", *settings_args({})]
            with tempfile.TemporaryDirectory() as data:
                ours = [sys.executable, "-m", "scrapy.cmdline", "crawl", "portal",
                        "-a", "site=demo", "-a", "backfill=true",
                        *settings_args({"PORTAL_DATA_DIR": data, "PORTAL_BASE_URL": base,
                                        "PORTAL_REQUISITES": requisites})]
                runs = (("bare", bare, Path(data)), ("portal", ours, HERE.parent))
                for name, command, cwd in runs:
                    result = timed(command, cwd)
                    if name not in best or result[0] < best[name][0]:
                        best[name] = result
    finally:
        portal.terminate()
        portal.wait()
    (bw, bc), (pw, pc) = best["bare"], best["portal"]
    print(f"{args.articles} articles, requisites={requisites}, best of {args.rounds}")
    print(f"{'':8} {'wall s':>8} {'cpu s':>8}")
    print(f"{'bare':8} {bw:>8.2f} {bc:>8.2f}")
    print(f"{'portal':8} {pw:>8.2f} {pc:>8.2f}")
    print(f"ratio portal/bare: wall {pw / bw:.2f}, cpu {pc / bc:.2f}")


if __name__ == "__main__":
    main()
