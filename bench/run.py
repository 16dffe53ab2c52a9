"""Every bench figure of portal-archive, each measured against its baseline in the same run.

Runs each bench script in its own process with ``--figures`` (and ``--quick``), one after
the other so that they do not compete for the CPU, and relays the ``name: value`` lines
they print (bench/figures.py). A script that is missing, fails, times out or leaves out a
figure gives ``name: unavailable (<reason>)`` for it, and this command then exits 1.
The machine and the versions measured are printed first, as ``#`` comment lines.

    python bench/run.py --quick                # CI size, a few minutes
    python bench/run.py                        # the full run recorded in bench/RESULTS.md
    python bench/run.py --only warc_write --only crawl_memory
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from figures import UNAVAILABLE, parse, unavailable  # noqa: E402


@dataclass(frozen=True)
class Bench:
    """One bench script and the figures it owes: each a name, or the start of names
    (``peak_rss_mb`` is met by ``peak_rss_mb_1000``), since sizes differ with --quick."""

    script: str
    figures: tuple[str, ...]

    @property
    def name(self) -> str:
        return Path(self.script).stem

    def owes(self, figure: str, printed: str) -> bool:
        return printed == figure or printed.startswith(figure + "_")


BENCHES = (
    Bench("crawl_overhead.py", ("crawl_overhead_ratio",)),
    Bench("crawl_memory.py", ("peak_rss_mb", "peak_rss_ratio")),
    Bench("extract_vs_trafilatura.py", ("extract_vs_trafilatura", "extract_real_accuracy")),
    Bench("index_lookup.py", ("index_lookup_ms", "replay_p95_ms")),
    Bench("warc_write.py", ("warc_write_vs_warcio",)),
    Bench("night.py", ("night_of_the_new_map",)),
    Bench("workers.py", ("workers_wall_1", "workers_speedup_2", "workers_speedup_3")),
    Bench("search.py", ("search_p95_ms", "search_vs_like_scan")),
)
VERSIONED = ("scrapy", "warcio", "pywb", "cdxj-indexer", "trafilatura", "twisted")


def machine() -> list[str]:
    """What the figures were measured on, as comment lines."""
    versions = []
    for package in VERSIONED:
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{package} absent")
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    commit = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=HERE,
                            capture_output=True, text=True).stdout.strip() or "unknown"
    return [
        f"# machine: {os.cpu_count()} cores (nproc {len(os.sched_getaffinity(0))}),"
        f" {ram:.1f} GiB RAM, {platform.system()} {platform.release()}",
        f"# python {platform.python_version()}; {', '.join(versions)}",
        f"# commit {commit}",
    ]


def run_bench(bench: Bench, folder: Path, quick: bool, timeout: float | None) -> bool:
    """Run one bench script, relaying its figure lines as they come; then say
    unavailable for each figure it owes and did not give. True if all were given."""
    path = folder / bench.script
    if not path.is_file():
        return _missing(bench, bench.figures, f"no bench/{bench.script}")
    args = [sys.executable, str(path), "--figures", *(["--quick"] if quick else [])]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    printed: list[str] = []
    ok = True
    with tempfile.TemporaryFile("w+") as errors:
        # Its own session: a timeout stops the script and every process it started.
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=errors, text=True,
                                cwd=HERE.parent, env=env, start_new_session=True)
        timer = threading.Timer(timeout, _kill_group, [proc]) if timeout else None
        if timer:
            timer.start()
        assert proc.stdout is not None
        for text in proc.stdout:
            for name, value in parse(text):
                print(f"{name}: {value}", flush=True)
                printed.append(name)
                ok = ok and not value.startswith(UNAVAILABLE)
        status = proc.wait()
        if timer:
            timer.cancel()
        errors.seek(0)
        last = [t for t in errors.read().splitlines() if t.strip()][-1:]
    if status != 0:
        why = "timed out" if status == -signal.SIGKILL and timeout else f"exit {status}"
        reason = f"bench/{bench.script} {why}" + (f": {last[0].strip()}" if last else "")
    else:
        reason = f"bench/{bench.script} did not print it"
    owed = [f for f in bench.figures if not any(bench.owes(f, p) for p in printed)]
    return _missing(bench, owed, reason) and ok and status == 0


def _missing(bench: Bench, figures: tuple[str, ...] | list[str], reason: str) -> bool:
    for figure in figures:
        print(unavailable(figure, reason), flush=True)
    return not figures


def _kill_group(proc: subprocess.Popen[str]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="CI size for every script")
    parser.add_argument("--only", action="append", metavar="NAME",
                        choices=[b.name for b in BENCHES],
                        help="run only this script (repeatable): "
                             + ", ".join(b.name for b in BENCHES))
    parser.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                        help="stop a script after this long (default: none)")
    parser.add_argument("--scripts", type=Path, default=HERE, metavar="DIR",
                        help="where the bench scripts are (default: this folder)")
    args = parser.parse_args(argv)
    for text in machine():
        print(text, flush=True)
    chosen = [b for b in BENCHES if not args.only or b.name in args.only]
    results = [run_bench(b, args.scripts, args.quick, args.timeout) for b in chosen]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
