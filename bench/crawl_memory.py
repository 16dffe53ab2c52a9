"""Peak memory of a crawl against the size of the portal: it should stay flat.

Serves the demo portal in its own process (so its memory is not counted), then crawls it
with `/usr/bin/time -v portal-archive crawl demo --backfill` at each size and prints the
peak RSS of each crawl and its ratio to the smallest.

    python bench/crawl_memory.py --sizes 1000 20000
    python bench/crawl_memory.py --figures [--quick]   # bench/run.py's lines

The figure is the ratio of the largest size's peak to the smallest's (goal: at most 1.3,
memory flat in the size of the portal).
"""

from __future__ import annotations

import argparse
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from figures import emit  # noqa: E402

SETTINGS = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "CONCURRENT_REQUESTS": "16",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "PORTAL_REQUISITES": "False",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def crawl(articles: int, requisites: bool) -> tuple[float, int, str]:
    port = free_port()
    portal = subprocess.Popen(
        [sys.executable, "-m", "portal_archive.crawler.demo.portal", "--port", str(port),
         "--articles", str(articles), "--no-faults"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        portal.stdout.readline()  # "demo portal on …": it is listening
        with tempfile.TemporaryDirectory() as data:
            settings = {**SETTINGS, "PORTAL_REQUISITES": str(requisites),
                        "PORTAL_BASE_URL": f"http://127.0.0.1:{port}"}
            args = ["/usr/bin/time", "-v", sys.executable, "-m", "portal_archive.crawler.cli",
                    "crawl", "demo",
                    "--backfill", "--data", data]
            for name, value in settings.items():
                args += ["-s", f"{name}={value}"]
            started = time.perf_counter()
            proc = subprocess.run(args, capture_output=True, text=True)
            elapsed = time.perf_counter() - started
            if proc.returncode != 0:
                raise SystemExit(proc.stderr[-2000:])
            peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)",
                                 proc.stderr).group(1))
            items = re.search(r"articles\s+(\d+) extracted", proc.stdout).group(1)
            return elapsed, peak, items
    finally:
        portal.terminate()
        portal.wait()


def figures(sizes: list[int], requisites: bool) -> None:
    """peak_rss_mb_<size> for each size, then the largest's ratio to the smallest."""
    peaks = {}
    for size in sizes:
        elapsed, peak, items = crawl(size, requisites)
        peaks[size] = peak / 1024
        emit(f"peak_rss_mb_{size}", peaks[size],
             f"MB ({items} articles extracted in {elapsed:.0f} s)")
    small, large = min(peaks), max(peaks)
    emit("peak_rss_ratio", peaks[large] / peaks[small],
         f"({large} / {small} articles; goal <= 1.3)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 20000])
    parser.add_argument("--requisites", action="store_true", help="also fetch images and CSS")
    parser.add_argument("--figures", action="store_true", help="print bench/run.py's lines")
    parser.add_argument("--quick", action="store_true", help="CI size: 100 and 1,000 articles")
    args = parser.parse_args()
    sizes = [100, 1000] if args.quick else args.sizes
    if args.figures:
        figures(sizes, args.requisites)
        return
    base = None
    print(f"{'articles':>9} {'extracted':>9} {'seconds':>8} {'peak RSS MB':>12} {'ratio':>6}")
    for size in sizes:
        elapsed, peak, items = crawl(size, args.requisites)
        base = base or peak
        print(f"{size:>9} {items:>9} {elapsed:>8.1f} {peak / 1024:>12.1f} {peak / base:>6.2f}")


if __name__ == "__main__":
    main()
