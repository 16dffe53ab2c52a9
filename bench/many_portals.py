"""Many polite portals as one job (issue 11, point 1): `schedule run-now` of N portals
(tests/portals.py, one loopback address each), 8 articles each, DOWNLOAD_DELAY 1 s,
robots.txt on. Prints the wall time, the peak RSS of the whole process tree (the
command and its crawl processes, polled), the articles archived, and the wall time
against its floor: the time one portal alone must take at that delay (its requests,
one per delay), the most any number of portals side by side could hope for.

    python bench/many_portals.py                 # 300 portals (goal: < 180 s, < 2 GB)
    python bench/many_portals.py --figures --quick   # 30 portals, `name: value` lines
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.portals import Portals  # noqa: E402 (after the checkout is on the path)


def tree_rss_mb(root: int) -> float:
    """RSS of ``root`` and every descendant, in MB (from ps: one look)."""
    out = subprocess.run(["ps", "-e", "-o", "pid=,ppid=,rss="], capture_output=True,
                         text=True, check=True).stdout
    rows = [tuple(int(x) for x in line.split()) for line in out.splitlines() if line.strip()]
    children: dict[int, list[int]] = {}
    rss = {}
    for pid, ppid, kb in rows:
        children.setdefault(ppid, []).append(pid)
        rss[pid] = kb
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo += children.get(pid, [])
    return total / 1024


def run_job(count: int, articles: int, delay: float, settings: dict[str, str]) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="many-portals-") as tmp, \
            Portals(count=count, articles=articles) as portals:
        folder, data = Path(tmp, "schedules"), Path(tmp, "data")
        folder.mkdir()
        lines = ["[job.many]", f"sites = {json.dumps(portals.listing_urls)}",
                 'cron = "30 2 * * *"', "[job.many.settings]",
                 f'DOWNLOAD_DELAY = "{delay}"',
                 *(f'{name} = "{value}"' for name, value in settings.items())]
        (folder / "many.toml").write_text("\n".join(lines) + "\n", "utf-8")
        errors = Path(tmp, "stderr.txt")
        started = time.monotonic()
        with errors.open("wb") as err:  # a file, not a pipe: nobody reads a pipe meanwhile
            job = subprocess.Popen(
                [sys.executable, "-m", "portal_archive.crawler.cli", "schedule", "run-now",
                 "many", "--schedules", str(folder), "--data", str(data)],
                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err)
            peak = 0.0
            while job.poll() is None:
                peak = max(peak, tree_rss_mb(job.pid))
                time.sleep(0.25)
        wall = time.monotonic() - started
        stderr = errors.read_text("utf-8", "replace")
        with sqlite3.connect(data / "catalog.sqlite") as db:
            (archived,) = db.execute("SELECT count(DISTINCT url) FROM versions").fetchone()
        per_host = Counter(host for host, _path, _t in portals.requests())
    floor = (max(per_host.values()) - 1) * delay if per_host else 0.0
    if job.returncode:
        print(f"run-now ended with exit status {job.returncode}: {stderr[-500:]}",
              file=sys.stderr)
    return {"wall": wall, "peak": peak, "archived": archived, "expected": count * articles,
            "floor": floor}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python bench/many_portals.py")
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--articles", type=int, default=8)
    parser.add_argument("--delay", type=float, default=1.0)
    parser.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                        help="a job setting, e.g. PORTAL_SITES_PER_PROCESS=50")
    parser.add_argument("--figures", action="store_true", help="`name: value` lines only")
    parser.add_argument("--quick", action="store_true", help="30 portals (CI size)")
    args = parser.parse_args(argv)
    count = 30 if args.quick else args.count
    settings = dict(pair.split("=", 1) for pair in args.set)
    got = run_job(count, args.articles, args.delay, settings)
    name = f"many_portals_{count}"
    lines = [
        f"{name}_wall_s: {got['wall']:.1f} (floor {got['floor']:.0f} s: one portal alone;"
        f" ratio {got['wall'] / max(got['floor'], 1e-9):.2f})",
        f"{name}_peak_rss_mb: {got['peak']:.0f} (whole process tree)",
        f"{name}_articles: {got['archived']} (of {got['expected']})",
    ]
    if not args.figures:
        print(f"{count} portals x {args.articles} articles, DOWNLOAD_DELAY {args.delay:g} s,"
              f" settings {settings or 'default'}")
    print("\n".join(lines))
    return 0 if got["archived"] == got["expected"] else 1


if __name__ == "__main__":
    sys.exit(main())
