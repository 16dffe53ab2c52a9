"""Peak memory of a crawl against the size of the portal: it should stay flat.

Serves the demo portal in its own process (so its memory is not counted), then crawls it
with `/usr/bin/time -v portal-archive crawl demo --backfill` at each size and prints the
peak RSS of each crawl and its ratio to the smallest.

    python bench/crawl_memory.py --sizes 1000 20000
"""

from __future__ import annotations

import argparse
import re
import socket
import subprocess
import sys
import tempfile
import time

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 20000])
    parser.add_argument("--requisites", action="store_true", help="also fetch images and CSS")
    args = parser.parse_args()
    base = None
    print(f"{'articles':>9} {'extracted':>9} {'seconds':>8} {'peak RSS MB':>12} {'ratio':>6}")
    for size in args.sizes:
        elapsed, peak, items = crawl(size, args.requisites)
        base = base or peak
        print(f"{size:>9} {items:>9} {elapsed:>8.1f} {peak / 1024:>12.1f} {peak / base:>6.2f}")


if __name__ == "__main__":
    main()
