"""Index look-ups through pywb's own index reading code, and replay through
``portal-archive replay``.

Synthetic captures are written in the merged index's layout (archive/segments.py) in
its worst shape for a look-up: FANOUT - 1 small segments and one at every level, each
capture in a random one of them, so a look-up searches every segment. Look-ups of random archived
URLs go through the pywb index source that replay uses (MergedIndexSource, pywb's
``iter_range`` and CDXObject, pywb's aggregator and ``closest`` sort) in this process.
The baseline, in the same run: the old layout, one CDXJ file per site read by pywb's
DirectoryIndexSource (what collection ``all`` was), at a tenth of the size.

``replay_p95_ms``: the demo portal crawled by the CLI, its index joined by the
synthetic segments, served by ``portal-archive replay``; each round fetches an article
page and every resource the replayed page loads from the archive.

    python bench/index_lookup.py --figures            # 1M and 10M captures
    python bench/index_lookup.py --figures --quick    # 100k captures
    python bench/index_lookup.py --captures 2000000 --lookups 500
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from portal_archive.archive import segments

SITE = "synthetic"  # every synthetic WARC is under warc/synthetic/
HOSTS = 3400  # portals on the new map
SEED = 11


# -- synthetic captures ------------------------------------------------------------------

def capture_line(i: int) -> bytes:
    """Capture ``i`` of ``HOSTS`` hosts; lines sort by ``i`` (fixed-width numbers)."""
    host, page = i % HOSTS, i // HOSTS
    url = f"http://p{host:04d}.gov.vn/tin-tuc/bai-{page:07d}.html"
    fields = (f'{{"url": "{url}", "mime": "text/html", "status": "200", "digest": '
              f'"sha256:{i:064x}", "length": "{8000 + i % 5000}", "offset": "{i % 997 * 9000}",'
              f' "filename": "{SITE}/p{host:04d}-{page // 50:05d}.warc.gz"}}')
    second = i % 86400
    stamp = f"20251201{second // 3600:02d}{second // 60 % 60:02d}{second % 60:02d}"
    return f"vn,gov,p{host:04d})/tin-tuc/bai-{page:07d}.html {stamp} {fields}\n".encode()


def sorted_ids(captures: int) -> Iterator[int]:
    """Capture ids in the order of their lines (host first, then page)."""
    for host in range(HOSTS):
        yield from range(host, captures, HOSTS)


def worst_shape(captures: int) -> list[tuple[int, int]]:
    """(level, lines) of the most segments the merge policy keeps: FANOUT - 1 at level 0
    and one at every level above, up to the level of all the captures."""
    fanout, base = segments.FANOUT, segments.BASE
    top = segments.level_of(captures)
    shape = [(0, base * fanout // 2)] * (fanout - 1)
    shape += [(level, 2 * base * fanout ** level) for level in range(1, top)]
    return [*shape, (top, captures - sum(n for _, n in shape))]


def write_merged(index: Path, captures: int) -> int:
    """The merged layout of ``captures`` lines; returns the number of segments."""
    shape = worst_shape(captures)
    rng = random.Random(SEED)
    choice = rng.choices(range(len(shape)), weights=[n for _, n in shape], k=captures)
    index.mkdir(parents=True)
    names = [segments.segment_name(level) for level, _ in shape]
    outs = [open(index / name, "wb", buffering=1 << 20) for name in names]
    counts = [0] * len(shape)
    warcs: list[set[str]] = [set() for _ in shape]
    for n, i in enumerate(sorted_ids(captures)):
        line = capture_line(i)
        k = choice[n]
        outs[k].write(line)
        counts[k] += 1
        if i // HOSTS % 50 == 0:
            warcs[k].add(line.rsplit(b'"filename": "', 1)[1].split(b'"')[0].decode())
    for out in outs:
        out.close()
    for name, files in zip(names, warcs, strict=True):
        (index / name).with_suffix(segments.WARCS_SUFFIX).write_text(
            "".join(f"{f}\n" for f in sorted(files)))
    live = [segments.Segment(name, level, count)
            for name, (level, _), count in zip(names, shape, counts, strict=True)]
    segments._write_manifest(index, live)
    return len(live)


def write_per_site(index: Path, captures: int) -> int:
    """The old layout: one sorted file per host (site)."""
    index.mkdir(parents=True)
    outs: dict[int, list[bytes]] = {}
    for i in range(captures):
        outs.setdefault(i % HOSTS, []).append(capture_line(i))
    for host, lines in outs.items():
        (index / f"p{host:04d}.cdxj").write_bytes(b"".join(lines))  # already sorted
    return len(outs)


# -- look-ups through pywb ------------------------------------------------------------------

def pywb_lookup(source: object) -> Callable[[str, str], int]:
    """A look-up as pywb's replay makes one: the captures of a URL, closest first."""
    from pywb.warcserver.index.aggregator import SimpleAggregator

    agg = SimpleAggregator({"all": source})

    def lookup(url: str, closest: str) -> int:
        cdx_iter, _errs = agg({"url": url, "closest": closest, "sort": "closest",
                               "matchType": "exact"})
        found = list(cdx_iter)
        if not found:
            raise SystemExit(f"look-up found nothing for {url}")
        return len(found)

    return lookup


@dataclass
class Timings:
    """Per look-up milliseconds: wall, and this process's CPU (what the look-up costs
    without the other processes of a loaded machine), and each round's wall p95."""
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    round_p95: list[float] = field(default_factory=list)

    def add_round(self, lookup: Callable[[str, str], int], captures: int, count: int,
                  seed: int) -> None:
        rng = random.Random(seed)
        wanted = [capture_line(rng.randrange(captures)).split(b'"url": "', 1)[1]
                  .split(b'"')[0].decode() for _ in range(count)]
        wall = []
        for url in wanted:
            started, cpu = time.perf_counter(), time.process_time()
            lookup(url, "20251201120000")
            self.cpu.append((time.process_time() - cpu) * 1000)
            wall.append((time.perf_counter() - started) * 1000)
        self.wall += wall
        self.round_p95.append(p95(wall))

    def summary(self) -> str:
        return (f"{statistics.median(self.round_p95):.2f} (p95 ms, median of "
                f"{len(self.round_p95)} rounds' p95; median {statistics.median(self.wall):.2f};"
                f" CPU p95 {p95(self.cpu):.2f}; {len(self.wall)} look-ups")


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1]


def merged_index(work: Path, captures: int) -> tuple[Path, str]:
    index = work / f"merged-{captures}" / "index"
    started = time.perf_counter()
    count = write_merged(index, captures)
    built = time.perf_counter() - started
    size = sum(p.stat().st_size for p in index.iterdir()) / 1e9
    return index, (f"{count} segments, fan-out {segments.FANOUT}; {size:.2f} GB written in "
                   f"{built:.0f} s")


def per_site_index(work: Path, captures: int) -> tuple[Path, str]:
    index = work / f"per-site-{captures}"
    files = write_per_site(index, captures)
    return index, f"{captures} captures in {files} per-site files, pywb DirectoryIndexSource"


def compare(merged: Path, captures: int, old: Path, old_captures: int, lookups: int,
            rounds: int) -> tuple[Timings, Timings]:
    """Rounds of look-ups in the merged index and in the old layout, alternating."""
    from pywb.warcserver.index.aggregator import DirectoryIndexSource

    from portal_archive.archive.pywbindex import source_class

    new_lookup = pywb_lookup(source_class()(str(merged)))
    old_lookup = pywb_lookup(DirectoryIndexSource(str(old) + os.sep))
    new, base = Timings(), Timings()
    for n in range(rounds):
        base.add_round(old_lookup, old_captures, max(5, 50 // rounds), SEED + n)
        new.add_round(new_lookup, captures, lookups // rounds, SEED + 100 + n)
    return new, base


# -- replay -------------------------------------------------------------------------------

CLI = [sys.executable, "-m", "portal_archive.crawler.cli"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_listening(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("portal-archive replay exited before serving")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("portal-archive replay did not start")


def replay_figure(work: Path, synthetic: Path | None, rounds: int) -> str:
    data = work / "replay-data"
    demo = subprocess.run([*CLI, "demo", "--articles", "20", "--port", str(free_port()),
                           "--data", str(data)], capture_output=True, text=True)
    if demo.returncode != 0:
        raise SystemExit(demo.stderr[-2000:])
    if synthetic is not None:
        _join_index(data / "index", synthetic)
    articles = sorted({json.loads(p.read_text("utf-8"))["url"]
                       for p in (data / "json").rglob("*.json")})
    port = free_port()
    proc = subprocess.Popen([*CLI, "replay", "--port", str(port), "--data", str(data)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_listening(port, proc)
        base = f"http://127.0.0.1:{port}"
        each, whole = [], []
        for n in range(rounds):
            started = time.perf_counter()
            each += _fetch_article(base, articles[n % len(articles)])
            whole.append((time.perf_counter() - started) * 1000)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    lines = sum(s.lines for s in segments.read_manifest(data / "index"))
    return (f"{p95(each):.1f} (p95 ms of {len(each)} requests; median "
            f"{statistics.median(each):.1f}; an article with its resources: p95 "
            f"{p95(whole):.0f} ms; index of {lines} lines)")


def _join_index(index: Path, synthetic: Path) -> None:
    """Hard-link the synthetic segments into the demo's index and register them."""
    live = segments.read_manifest(index)
    for segment in segments.read_manifest(synthetic):
        for suffix in (".cdxj", segments.WARCS_SUFFIX):
            name = segment.name.replace(".cdxj", suffix)
            os.link(synthetic / name, index / name)
        live.append(segment)
    segments._write_manifest(index, live)


_RESOURCE = re.compile(r'(?:src|href)="(/all/\d+(?:im|cs|js)_/[^"]+)"')


def _fetch_article(base: str, url: str) -> list[float]:
    """Fetch the replayed page and every resource it loads; each request's ms."""
    times = []
    page, ms = _get(f"{base}/all/20991231000000mp_/{url}")
    times.append(ms)
    for path in sorted(set(_RESOURCE.findall(page.decode("utf-8", "replace")))):
        _, ms = _get(base + path)
        times.append(ms)
    return times


def _get(url: str) -> tuple[bytes, float]:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as reply:
        body = reply.read()
    return body, (time.perf_counter() - started) * 1000


# -- main -----------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--figures", action="store_true", help="print bench/run.py's figures")
    parser.add_argument("--quick", action="store_true", help="100,000 captures (CI)")
    parser.add_argument("--captures", type=int, action="append",
                        help="captures in the merged layout (repeatable)")
    parser.add_argument("--fanout", type=int, default=segments.FANOUT)
    parser.add_argument("--lookups", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5, help="rounds of look-ups")
    parser.add_argument("--articles", type=int, default=40, help="replayed articles")
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (a temp one)")
    args = parser.parse_args()
    segments.FANOUT = args.fanout  # the merge policy's, to compare (its module docstring)
    sizes = args.captures or ([100_000] if args.quick else [1_000_000, 10_000_000])
    work = Path(tempfile.mkdtemp(prefix="index-lookup-", dir=args.work))
    try:
        old_captures = max(sizes[0] // 10, HOSTS * 3)
        old, old_about = per_site_index(work, old_captures)
        smallest = None
        for size in sizes:
            index, about = merged_index(work, size)
            new, base = compare(index, size, old, old_captures, args.lookups, args.rounds)
            ratio = statistics.median(base.wall) / statistics.median(new.wall)
            print(f"index_lookup_ms_{_label(size)}: {new.summary()}; {about}; the old "
                  f"layout's median / this median, same rounds: {ratio:.0f}x; load "
                  f"{os.getloadavg()[0]:.1f})", flush=True)
            print(f"index_lookup_ms_per_site_baseline_{_label(size)}: {base.summary()}; "
                  f"{old_about})", flush=True)
            if smallest is None:
                smallest = index
            else:
                shutil.rmtree(index.parent)
        print(f"replay_p95_ms: {replay_figure(work, smallest, args.articles)}", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _label(size: int) -> str:
    if size % 1_000_000 == 0:
        return f"{size // 1_000_000}M"
    return f"{size // 1000}k" if size % 1000 == 0 else str(size)


if __name__ == "__main__":
    main()
