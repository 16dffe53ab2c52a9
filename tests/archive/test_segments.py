"""The merged index (archive/segments.py) on real files: merges, readers during merges
in another process, leftovers of a kill, and the migration of a one-file-per-site index."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from portal_archive.archive import segments
from portal_archive.archive.cdxj import CdxjLine, indexed_files, iter_index


def cdxj(site: str, n: int, stamp: int = 20250101000000) -> bytes:
    """One CDXJ line of capture ``n`` of ``site``, in cdxj-indexer's form."""
    fields = {"url": f"http://{site}.vn/tin/{n}.html", "mime": "text/html", "status": "200",
              "digest": f"sha256:{n:064x}", "length": "100", "offset": str(n * 100),
              "filename": f"{site}/{site}-{n // 10:04d}.warc.gz"}
    return f"vn,{site})/tin/{n}.html {stamp} {json.dumps(fields)}\n".encode()


def add(index: Path, site: str, numbers: range) -> None:
    lines = sorted(cdxj(site, n) for n in numbers)
    segments.add_segment(index, lines, {CdxjLine.parse(li.decode()).filename for li in lines})


def test_full_levels_merge_and_every_line_stays_once_sorted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(segments, "BASE", 10)  # level L: 10 * 4**L lines and up
    index = tmp_path / "index"
    for start in range(0, 1000, 10):  # 100 WARCs' worth
        add(index, "a" if start % 20 else "b", range(start, start + 10))
    live = segments.read_manifest(index)
    levels = [segments.level_of(s.lines) for s in live]
    # What a look-up searches: under FANOUT small segments, then one per level.
    assert levels.count(0) < segments.FANOUT
    assert all(levels.count(level) == 1 for level in set(levels) - {0})
    assert max(levels) == segments.level_of(1000) - 1 or max(levels) == segments.level_of(1000)
    assert sum(s.lines for s in live) == 1000 and len(live) <= 3 + max(levels)
    lines = list(segments.iter_lines(index))
    assert lines == sorted(set(lines)) and len(lines) == 1000
    assert len(indexed_files(index)) == 100
    # No input of a merge is left behind: only live segments, their sidecars, the manifest.
    names = {p.name for p in index.iterdir() if not p.name.startswith(".")}
    assert names == {segments.MANIFEST} | {s.name for s in live} | {
        s.name.replace(".cdxj", segments.WARCS_SUFFIX) for s in live}


WRITER = """
import sys
from pathlib import Path
from tests.archive.test_segments import add
index = Path(sys.argv[1])
for start in range(10_000, 10_000 + 10 * int(sys.argv[2]), 10):
    add(index, "w", range(start, start + 10))
"""


def test_a_reader_never_misses_a_capture_while_another_process_merges(tmp_path: Path) -> None:
    index = tmp_path / "index"
    for start in range(0, 70, 10):  # seven level-0 segments: the writer's first add merges
        add(index, "r", range(start, start + 10))
    before = set(segments.iter_lines(index))
    root = Path(__file__).resolve().parents[2]
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(index), "80"], cwd=root,
                              env={**os.environ, "PYTHONPATH": str(root)})
    reads = 0
    try:
        while writer.poll() is None or reads == 0:
            seen = list(segments.iter_lines(index))
            assert before <= set(seen), "a capture vanished during a merge"
            assert seen == sorted(set(seen))
            reads += 1
    finally:
        writer.wait(timeout=60)
    assert writer.returncode == 0
    assert len(set(segments.iter_lines(index))) == 70 + 800
    assert reads > 5  # the reader really ran beside the merges


SITE_WRITER = """
import sys
from pathlib import Path
from tests.archive.test_segments import add
for start in range(0, 400, 10):
    add(Path(sys.argv[1]), sys.argv[2], range(start, start + 10))
"""


def test_writers_in_several_processes_at_once_lose_nothing(tmp_path: Path) -> None:
    index = tmp_path / "index"
    root = Path(__file__).resolve().parents[2]
    writers = [subprocess.Popen([sys.executable, "-c", SITE_WRITER, str(index), site],
                                cwd=root, env={**os.environ, "PYTHONPATH": str(root)})
               for site in ("s1", "s2", "s3")]
    assert [w.wait(timeout=120) for w in writers] == [0, 0, 0]
    segments.compact(index)  # what a merger busy elsewhere may have left to the next one
    lines = list(segments.iter_lines(index))
    assert len(lines) == 3 * 400 and lines == sorted(set(lines))
    assert len(indexed_files(index)) == 3 * 40
    assert segments.due_merge(segments.read_manifest(index)) is None


KILLED_WRITER = """
import sys
from pathlib import Path
from portal_archive.archive import segments
from tests.archive.test_segments import add
segments.BASE = 20  # many levels, so that merges are under way most of the time
index = Path(sys.argv[1])
for start in range(0, 100_000, 10):
    add(index, "x", range(start, start + 10))
    print(start + 10, flush=True)
"""


def test_a_writer_killed_at_any_moment_loses_no_registered_capture(tmp_path: Path) -> None:
    index = tmp_path / "index"
    root = Path(__file__).resolve().parents[2]
    for delay in (0.2, 0.5, 0.9):
        writer = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(index)], cwd=root,
                                  env={**os.environ, "PYTHONPATH": str(root)},
                                  stdout=subprocess.PIPE, text=True)
        assert writer.stdout is not None
        first = writer.stdout.readline()  # started (however loaded the machine is)
        time.sleep(delay)
        writer.kill()
        said = [first, *writer.communicate()[0].split()]
        done = int(said[-1])  # every add up to here had returned
        seen = {CdxjLine.parse(line.decode()).url for line in segments.iter_lines(index)}
        assert {f"http://x.vn/tin/{n}.html" for n in range(done)} <= seen
        segments.compact(index)  # the next writer: leftovers of the kill go
        live = {s.name for s in segments.read_manifest(index)}
        on_disk = {p.name for p in index.glob("L*.cdxj")}
        assert on_disk == live and not list(index.glob(".merge.*.tmp"))
        shutil.rmtree(index)


def test_what_a_killed_merge_leaves_is_removed_and_nothing_lost(tmp_path: Path) -> None:
    index = tmp_path / "index"
    for start in range(0, 50, 10):
        add(index, "k", range(start, start + 10))
    # A kill mid-merge: a half-written output; after its rename, before registering;
    # a manifest's temporary file.
    half = index / f".merge.{segments.segment_name(1)}.tmp"
    half.write_bytes(cdxj("k", 1)[:20])
    orphan = index / segments.segment_name(1)
    orphan.write_bytes(cdxj("k", 999))
    orphan.with_suffix(segments.WARCS_SUFFIX).write_text("k/k-0099.warc.gz\n")
    stale = index / f".{segments.MANIFEST}.x1y2z3.tmp"
    stale.write_text("{")
    assert [c.url for c in iter_index(index)].count("http://k.vn/tin/999.html") == 0
    for start in range(50, 80, 10):  # the next writer merges, and cleans up first
        add(index, "k", range(start, start + 10))
    assert not half.exists() and not orphan.exists() and not stale.exists()
    assert not orphan.with_suffix(segments.WARCS_SUFFIX).exists()
    assert len(list(segments.iter_lines(index))) == 80
    assert "k/k-0099.warc.gz" not in indexed_files(index)


def test_an_index_of_one_file_per_site_is_read_then_migrated(tmp_path: Path) -> None:
    index = tmp_path / "index"
    index.mkdir()
    for site in ("a", "b", "c"):
        (index / f"{site}.cdxj").write_bytes(b"".join(sorted(cdxj(site, n) for n in range(30))))
    add(index, "a", range(100, 110))  # a crawl of the new build before any migration
    assert len(list(iter_index(index))) == 100  # the old files are read as they are
    assert "b/b-0002.warc.gz" in indexed_files(index)
    done = segments.migrate(index)
    assert len(done) == 3 and all("moved into the merged index (30 lines)" in d for d in done)
    assert segments.legacy_files(index) == []
    assert len(list(iter_index(index))) == 100
    assert segments.migrate(index) == []  # done once


def test_a_migration_killed_after_registering_a_file_loses_and_doubles_nothing(
    tmp_path: Path,
) -> None:
    index = tmp_path / "index"
    index.mkdir()
    old = index / "a.cdxj"
    old.write_bytes(b"".join(sorted(cdxj("a", n) for n in range(30))))
    segments.migrate(index)
    os.link(index / segments.read_manifest(index)[0].name, old)  # as if never unlinked
    assert len(list(segments.iter_lines(index))) == 30  # readers drop the duplicates
    segments.migrate(index)
    assert len(list(segments.iter_lines(index))) == 30


def test_the_lowest_full_level_merges_its_oldest_first() -> None:
    def seg(i: int, lines: int) -> segments.Segment:
        return segments.Segment(f"L0.{i:x}.0.cdxj", 0, lines)

    small, big = 10, segments.BASE * segments.FANOUT  # level 0 and level 1
    live = [seg(0, big), seg(1, small), seg(2, small), seg(3, big), seg(4, small)]
    assert segments.due_merge(live) == [live[0], live[3]]  # two at level 1
    live = [seg(i, small) for i in range(segments.FANOUT + 1)]
    assert segments.due_merge(live) == live  # every small one, oldest first
    assert segments.due_merge(live[: segments.FANOUT - 1]) is None
