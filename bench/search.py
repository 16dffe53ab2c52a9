"""Search latency (archive/search.py) over a million synthetic Vietnamese articles.

The articles are made of the demo portal's generated text (crawler/demo/content.py): a
pool of its articles is generated once, and each synthetic article takes the title of
one, the lead of another and paragraphs and captions of others, so the vocabulary and
word frequencies are the portal's (``uy ban``, ``huyen uy``, ``dang bo`` in a large share
of articles) while the build stays within minutes. Each article also names one of a few
thousand synthetic people in some of them (rare names: a few dozen articles each), and
belongs to one of 5 sites and 8 categories, published at a random minute of 5 years.
They are indexed through ``index_document`` in batches of one transaction, into a real
catalog (the catalog schema's own tables), cached under /tmp between runs.

Then ``search()`` runs a mix of ``--queries`` queries (common words, place names, rare
names, phrases, words typed with a ``*``; a third with a site, a date range or both)
and p50/p95/p99 of their wall time are printed: twice, the first pass reading the index
from disk (in the comment), the second with it in the page cache (the figure), as a
server that has run for a while has it. The baseline, in the same run, is what search
was before an index: a LIKE scan counting the matches in the text, for a sample of the
same queries; the ratio is its median over search's median on that sample.

What keeps common words fast, and what it trades, is said in archive/search.py: a query
is ranked over its newest matching versions (after the filters), never all of them, and
on SQLite by its fields (title first), not by bm25.

    python bench/search.py --figures                     # 1,000,000 articles
    python bench/search.py --figures --quick             # 100,000 articles
    python bench/search.py --articles 20000 --queries 200
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from portal_archive.archive import catalogdb
from portal_archive.archive.catalog import Catalog
from portal_archive.archive.search import (
    SearchDoc,
    SearchQuery,
    index_document,
    search,
    search_fold,
)
from portal_archive.crawler.demo.content import DemoArticle, DemoSite

sys.path.insert(0, str(Path(__file__).resolve().parent))
from figures import emit  # noqa: E402

SEED = 13
POOL = 5000  # demo articles the synthetic ones are made of
BATCH = 5000  # articles indexed per transaction
SITES = ("tinhuy-hue", "daknong", "phuvang", "huongtra", "quangdien")
CATEGORIES = ("Hoạt động cấp ủy", "Tin tức - Sự kiện", "Kinh tế", "Văn hóa - Xã hội",
              "Quốc phòng - An ninh", "Thông báo", "Chuyển đổi số", "Xây dựng Đảng")
START = datetime(2021, 1, 1, 7, 0)
YEARS = 5
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
            "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đoàn", "Đinh", "Lương", "Trương")
MIDDLES = ("Văn", "Thị", "Hữu", "Đức", "Minh", "Quang", "Ngọc", "Thanh", "Xuân", "Công")
GIVENS = ("Khải", "Thắng", "Hưng", "Lộc", "Phúc", "Tâm", "Trí", "Dũng", "Nhân", "Nghĩa",
          "Hiếu", "Thảo", "Hằng", "Yến", "Loan", "Quyên", "Tuyết", "Vỹ", "Khánh", "Tường",
          "Cường", "Đạt", "Định", "Điệp", "Giang", "Hậu", "Kiên", "Luân", "Mẫn", "Nhựt")
NAMES = [f"{s} {m} {g}" for s in SURNAMES for m in MIDDLES for g in GIVENS]  # 6,000
CACHE = Path(tempfile.gettempdir()) / "portal-archive-bench-search"


def pool(size: int = POOL) -> list[DemoArticle]:
    site = DemoSite(articles=size, seed=SEED, faults=False)
    return [a for a in (site.article(i) for i in range(1, size + 1)) if a is not None]


def synthetic(count: int) -> Iterator[tuple[int, SearchDoc]]:
    """``count`` articles as (version id, document), deterministic."""
    rng = random.Random(SEED)
    articles = pool(min(POOL, max(count // 4, 100)))
    paragraphs = [p for a in articles for p in a.body]
    captions = [i.caption for a in articles for i in a.images if i.caption]
    minutes = YEARS * 365 * 24 * 60
    for n in range(1, count + 1):
        site = SITES[n % len(SITES)]
        published = START + timedelta(minutes=rng.randrange(minutes))
        body = [paragraphs[rng.randrange(len(paragraphs))] for _ in range(rng.randint(2, 4))]
        if rng.random() < 0.3:
            body.append(f"Đồng chí {rng.choice(NAMES)} phát biểu tại buổi làm việc.")
        yield n, SearchDoc(
            url=f"https://{site}.gov.vn/tin/{n}.html", site=site, key=f"k{n}",
            category=CATEGORIES[rng.randrange(len(CATEGORIES))],
            published=published.strftime("%Y-%m-%dT%H:%M:00+07:00"),
            captured_at="2026-12-01T00:00:00Z",
            title=articles[rng.randrange(len(articles))].title,
            lead=articles[rng.randrange(len(articles))].lead,
            body="\n".join(body),
            captions="\n".join(captions[rng.randrange(len(captions))]
                               for _ in range(rng.randint(0, 2))),
        )


def build(path: Path, count: int) -> float:
    """The catalog of ``count`` articles at ``path`` (kept for the next run); seconds."""
    if path.exists():
        return 0.0
    started = time.perf_counter()
    building = path.with_name(path.name + ".building")
    for leftover in building.parent.glob(building.name + "*"):
        leftover.unlink()
    catalog = Catalog(building)
    try:
        docs = synthetic(count)
        while True:
            with catalog.transaction():
                batch = 0
                for version_id, doc in docs:
                    index_document(catalog, version_id, doc)
                    batch += 1
                    if batch == BATCH:
                        break
            if batch < BATCH:
                break
        catalog.execute("INSERT INTO search_fts (search_fts) VALUES ('optimize')")
    finally:
        catalog.close()
    building.rename(path)
    return time.perf_counter() - started


def queries(count: int) -> list[SearchQuery]:
    """A deterministic mix: common, medium and rare words, phrases, filters."""
    rng = random.Random(SEED + 1)
    common = ["uy ban", "huyện ủy", "UBND", "đảng bộ", "hội nghị", "nhân dân", "Thành uỷ",
              "chuyển đổi số", "cải cách hành chính", "phát biểu", "bí thư", "xã hội"]
    phrases = ['"ban thường vụ"', '"hội nghị tổng kết"', '"phó bí thư"', '"nông thôn mới"',
               '"xây dựng đảng"', '"kinh tế xã hội"']
    places = ["Phú Vang", "Hương Trà", "Phong Điền", "Quảng Điền", "Thuận An", "Tứ Hạ",
              "Phu Vinh", "Dak Nong", "Hue", "Vinh Thanh"]
    starred = ["chuyển*", "nghị*", "thường*", "phát*"]  # taken as the words
    kinds = [common, phrases, places, starred]
    made = []
    for n in range(count):
        if n % 4 == 3:
            name = rng.choice(NAMES)
            text = name if rng.random() < 0.5 else rng.choice([name.lower(), search_fold(name)])
        else:
            text = rng.choice(kinds[n % 3 if n % 7 else 3])
        site = rng.choice(SITES) if rng.random() < 0.3 else None
        since = until = None
        if rng.random() < 0.3:
            day = START + timedelta(days=rng.randrange(YEARS * 365 - 120))
            since = day.strftime("%Y-%m-%d")
            until = (day + timedelta(days=rng.choice([7, 31, 90]))).strftime("%Y-%m-%d")
        made.append(SearchQuery(text, site=site, since=since, until=until))
    return made


CPU_MS: list[float] = []  # each timed query's CPU time (this process's), in order


def timed(catalog: Catalog, wanted: list[SearchQuery]) -> list[float]:
    """Each query's wall time in ms; its CPU time goes to CPU_MS (on a shared machine
    the wall time is mostly waiting for a core)."""
    times = []
    for query in wanted:
        started, cpu = time.perf_counter(), time.process_time()
        search(catalog, query)
        times.append((time.perf_counter() - started) * 1000)
        CPU_MS.append((time.process_time() - cpu) * 1000)
    return times


def like_scan(path: Path, wanted: list[SearchQuery]) -> list[float]:
    """The baseline: each query's words as LIKE patterns over the stored text, its
    matches counted as search counts them (what a catalog without a full-text index
    can do; it cannot even fold)."""
    db = sqlite3.connect(path)
    times = []
    for query in wanted:
        words = query.text.replace('"', "").replace("*", "").split()
        where = " AND ".join("(title || ' ' || body) LIKE ?" for _ in words)
        started = time.perf_counter()
        db.execute(f"SELECT count(*) FROM search_docs WHERE {where}",
                   [f"%{w}%" for w in words]).fetchall()
        times.append((time.perf_counter() - started) * 1000)
    db.close()
    return times


def disk_read_bytes() -> int:
    """Bytes this process has had read from the disk itself (not the page cache), or 0
    where /proc does not say: a "page cache" pass that still reads the disk is not warm,
    and its wall time is then far above its CPU time."""
    try:
        fields = dict(line.split(": ") for line in
                      Path("/proc/self/io").read_text().splitlines())
        return int(fields["read_bytes"])
    except (OSError, KeyError, ValueError):
        return 0


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--figures", action="store_true", help="print bench/run.py's lines")
    parser.add_argument("--quick", action="store_true", help="100,000 articles")
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=240)
    parser.add_argument("--baseline", type=int, default=6, help="queries of the LIKE scan")
    parser.add_argument("--cache", type=Path, default=CACHE, help="where catalogs are kept")
    args = parser.parse_args()
    count = 100_000 if args.quick else args.articles
    args.cache.mkdir(parents=True, exist_ok=True)
    path = args.cache / f"search-{count}.sqlite"
    seconds = build(path, count)
    print(f"# {count} articles in {path}" + (f", built in {seconds:.0f} s" if seconds
                                              else " (cached)"), flush=True)
    # As serve reads it: with the page cache of a reader that searches.
    catalogdb.SQLITE_CACHE_KIB = catalogdb.SEARCH_CACHE_KIB
    catalog = Catalog(path)
    try:
        wanted = queries(args.queries)
        cold = timed(catalog, wanted)  # the first pass reads the index from disk
        CPU_MS.clear()
        disk_before = disk_read_bytes()
        times = timed(catalog, wanted)
        disk_mb = (disk_read_bytes() - disk_before) / 1e6
        cpu = list(CPU_MS)
        sample = wanted[:: max(1, len(wanted) // args.baseline)][: args.baseline]
        indexed = timed(catalog, sample)
    finally:
        catalog.close()
    scanned = like_scan(path, sample)
    size = f"{count // 1000}k" if count < 1_000_000 else f"{count // 1_000_000}M"
    note = (f"(p95 of {len(times)} queries, index in the page cache; p50"
            f" {percentile(times, 50):.1f}, p99 {percentile(times, 99):.1f}, max"
            f" {max(times):.1f} ms; CPU time p50 {percentile(cpu, 50):.1f}, p95"
            f" {percentile(cpu, 95):.1f} ms; {disk_mb:.0f} MB read from disk in it;"
            f" first pass, from disk: p50"
            f" {percentile(cold, 50):.1f}, p95 {percentile(cold, 95):.1f} ms;"
            f" load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    emit(f"search_p95_ms_{size}", percentile(times, 95), note)
    ratio = statistics.median(scanned) / statistics.median(indexed)
    emit(f"search_vs_like_scan_{size}", ratio,
         f"(LIKE scan median {statistics.median(scanned):.1f} ms over search's"
         f" {statistics.median(indexed):.2f} ms, {len(sample)} queries)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
