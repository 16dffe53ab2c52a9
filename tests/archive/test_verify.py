"""verify passes a clean archive and catches what would make it untrustworthy."""

from __future__ import annotations

import gzip
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from portal_archive.archive.segments import iter_lines, live_files, read_manifest
from portal_archive.crawler.demo.content import DemoSite
from portal_archive.crawler.demo.portal import DemoPortal

from ..conftest import crawl_demo, run_cli


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    data = tmp_path_factory.mktemp("pristine")
    with DemoPortal(DemoSite(articles=30, faults=False)) as portal:
        result = crawl_demo(portal, data)
    assert result.returncode == 0, result.stderr
    yield data


@pytest.fixture
def data(pristine: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(pristine, copy)
    return copy


def _warc(data: Path) -> Path:
    (path,) = (data / "warc" / "demo").glob("*.warc.gz")
    return path


def _offsets(path: Path) -> list[tuple[int, str]]:
    with open(path, "rb") as stream:
        it = ArchiveIterator(stream)
        return [(it.get_record_offset(), r.rec_type) for r in it]


def _verify(data: Path, *extra: str):
    return run_cli("verify", "--data", str(data), *extra)


def test_clean_archive_passes(data: Path) -> None:
    result = _verify(data)
    assert result.returncode == 0, result.stdout
    assert result.stdout.startswith("OK: 1 WARC file(s)")


def test_a_single_flipped_byte_fails(data: Path) -> None:
    path = _warc(data)
    offset = [o for o, kind in _offsets(path) if kind == "response"][5]
    blob = bytearray(path.read_bytes())
    blob[offset + 40] ^= 0x01
    path.write_bytes(bytes(blob))
    result = _verify(data)
    assert result.returncode == 1
    assert f"offset {offset}: damaged gzip member" in result.stdout
    # The damaged record alone is lost: reading resumes at the next record.
    assert "FAILED" in result.stdout.splitlines()[-1]


def test_a_payload_changed_under_a_valid_gzip_fails_its_digest(data: Path) -> None:
    path = _warc(data)
    offsets = [o for o, _ in _offsets(path)] + [path.stat().st_size]
    kinds = dict(_offsets(path))
    start = next(o for o in offsets if kinds.get(o) == "response")
    end = offsets[offsets.index(start) + 1]
    record = bytearray(gzip.decompress(path.read_bytes()[start:end]))
    record[-10] ^= 0x20  # inside the payload, before the closing CRLFs
    with open(path, "ab") as out:
        out.write(gzip.compress(bytes(record)))
    result = _verify(data)
    assert result.returncode == 1
    assert "payload digest failed" in result.stdout or "block digest failed" in result.stdout


def test_a_missing_warc_fails(data: Path) -> None:
    _warc(data).unlink()
    result = _verify(data)
    assert result.returncode == 1
    assert "points at no record" in result.stdout


def test_an_index_line_that_points_nowhere_fails(data: Path) -> None:
    index = live_files(data / "index")[0]
    key, stamp, blob = index.read_text().splitlines()[0].split(" ", 2)
    fields = {**json.loads(blob), "offset": "999999999", "filename": "demo/nowhere.warc.gz"}
    with open(index, "a") as out:
        out.write(f"{key} {stamp} {json.dumps(fields)}\nnot a cdxj line\n")
    result = _verify(data)
    assert result.returncode == 1
    assert "points at no record (demo/nowhere.warc.gz offset 999999999)" in result.stdout
    assert "is not a CDXJ line" in result.stdout


def test_repair_recovers_a_file_cut_mid_record(data: Path) -> None:
    path = _warc(data)
    offsets = _offsets(path)
    last_start, last_kind = offsets[-1]
    assert last_kind == "request"  # a response's pair: no index line or JSON points here
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.truncate(last_start + (size - last_start) // 2)
    crashed = path.with_name(path.name + ".open")
    path.rename(crashed)

    before = _verify(data)
    assert before.returncode == 1
    assert "left open by an interrupted crawl" in before.stdout
    assert "cut off mid-record" in before.stdout

    repaired = _verify(data, "--repair")
    assert repaired.returncode == 0, repaired.stdout
    assert f"repaired {path}: closed after its last whole record ({last_start} bytes)" \
        in repaired.stdout
    assert path.exists() and not crashed.exists()
    assert path.stat().st_size == last_start
    assert [o for o, _ in _offsets(path)] == [o for o, _ in offsets[:-1]]


def test_nothing_archived_is_a_user_error(tmp_path: Path) -> None:
    result = _verify(tmp_path)
    assert result.returncode == 1
    assert "nothing archived" in result.stderr


def test_the_open_file_of_a_running_crawl_is_no_leftover(data: Path) -> None:
    import subprocess
    import sys

    warc = _warc(data)
    shutil.copy(warc, warc.with_name("demo-99990101000000-00000.warc.gz.open"))
    left = run_cli("verify", "--data", str(data))
    assert left.returncode == 1 and "left open by an interrupted crawl" in left.stdout
    # The same file while a crawl holds the site's lock, in another process.
    hold = ("import sys, time; from portal_archive.archive.lock import acquire;"
            " acquire(sys.argv[1], 'demo'); print('held', flush=True); time.sleep(60)")
    holder = subprocess.Popen([sys.executable, "-c", hold, str(data)], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        running = run_cli("verify", "--data", str(data))
    finally:
        holder.kill()
        holder.wait()
    assert "left open by an interrupted crawl" not in running.stdout
    assert "being written by the crawl running now" in running.stdout + running.stderr


def _to_old_layout(data: Path) -> list[str]:
    """Rewrite the index as an earlier build wrote it: one file per site, no segments."""
    index = data / "index"
    lines = [line.decode() for line in iter_lines(index)]
    shutil.rmtree(index)
    index.mkdir()
    (index / "demo.cdxj").write_text("".join(lines))
    return lines


def test_an_old_one_file_per_site_index_is_read_then_migrated_by_repair(data: Path) -> None:
    lines = _to_old_layout(data)
    result = _verify(data)
    assert result.returncode == 0, result.stdout  # read as it is
    repaired = _verify(data, "--repair")
    assert repaired.returncode == 0, repaired.stdout
    assert f"{data / 'index' / 'demo.cdxj'}: moved into the merged index" in repaired.stdout
    assert not (data / "index" / "demo.cdxj").exists()
    assert [line.decode() for line in iter_lines(data / "index")] == lines
    assert len(read_manifest(data / "index")) == 1


def test_a_damaged_index_manifest_is_one_line_and_repair_rebuilds_the_index(data: Path) -> None:
    lines = list(iter_lines(data / "index"))
    (data / "index" / "segments.json").write_text('{"segments": [')
    result = _verify(data)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().endswith("move index/ aside and run verify --repair")
    (data / "index").rename(data / "index.damaged")
    repaired = _verify(data, "--repair")
    assert repaired.returncode == 0, repaired.stdout
    assert list(iter_lines(data / "index")) == lines
