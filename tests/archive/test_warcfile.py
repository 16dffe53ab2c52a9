import gzip
import io
import os
import random
import socket
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders

from portal_archive.archive.warcfile import OPEN_SUFFIX, RollingWarcWriter, warc_date

MOMENT = datetime(2025, 6, 27, 9, 22, 0, 123456, tzinfo=UTC)


def _response(writer: RollingWarcWriter, url: str, body: bytes):
    headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
    return writer.builder.create_warc_record(
        url, "response", payload=io.BytesIO(body), length=len(body), http_headers=headers,
        warc_headers_dict={"WARC-Date": warc_date(MOMENT)},
    )


def test_open_suffix_until_closed_then_renamed(tmp_path: Path) -> None:
    writer = RollingWarcWriter(tmp_path, "demo", worker="w1")
    writer.write([_response(writer, "http://x.test/a", b"hello")], MOMENT)
    files = sorted(p.name for p in (tmp_path / "demo").iterdir())
    assert files == ["demo-20250627092200-00000-w1.warc.gz" + OPEN_SUFFIX]
    writer.close()
    assert sorted(p.name for p in (tmp_path / "demo").iterdir()) == [
        "demo-20250627092200-00000-w1.warc.gz"
    ]
    assert writer.closed_files == ["demo/demo-20250627092200-00000-w1.warc.gz"]


def test_each_record_is_its_own_gzip_member_at_the_returned_offset(tmp_path: Path) -> None:
    writer = RollingWarcWriter(tmp_path, "demo")
    bodies = [b"first body", b"second body" * 50]
    locations = [
        writer.write([_response(writer, f"http://x.test/{i}", body)], MOMENT)[0]
        for i, body in enumerate(bodies)
    ]
    writer.close()
    data = (tmp_path / locations[0].file).read_bytes()
    for location, body in zip(locations, bodies, strict=True):
        member = data[location.offset : location.offset + location.length]
        # A member decompresses on its own: what pywb and cdxj-indexer rely on.
        text = gzip.decompress(member)
        assert text.startswith(b"WARC/1.1\r\n")
        assert text.endswith(body + b"\r\n\r\n")
        record = next(ArchiveIterator(io.BytesIO(member)))
        assert record.rec_headers.get_header("WARC-Date") == "2025-06-27T09:22:00.123456Z"
        assert record.rec_headers.get_header("WARC-Payload-Digest").startswith("sha1:")
        assert record.rec_headers.get_header("WARC-Block-Digest").startswith("sha1:")


def test_file_starts_with_warcinfo_and_rolls_over_at_max_size(tmp_path: Path) -> None:
    writer = RollingWarcWriter(tmp_path, "demo", max_size=2000, info={"isPartOf": "demo"})
    for i in range(6):
        body = random.Random(i).randbytes(1500)
        writer.write([_response(writer, f"http://x.test/{i}", body)], MOMENT)
    writer.close()
    # Incompressible 1.5 KB bodies: every file passes 2,000 bytes after its first record.
    assert len(writer.closed_files) == 6
    urls = []
    for name in writer.closed_files:
        with open(tmp_path / name, "rb") as stream:
            records = list(ArchiveIterator(stream))
        assert records[0].rec_type == "warcinfo"
        assert records[0].rec_headers.get_header("WARC-Filename") == Path(name).name
        urls += [r.rec_headers.get_header("WARC-Target-URI") for r in records[1:]]
    assert urls == [f"http://x.test/{i}" for i in range(6)]


def test_an_existing_name_is_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / "demo").mkdir()
    taken = tmp_path / "demo" / "demo-20250627092200-00000-w1.warc.gz"
    taken.write_bytes(b"earlier run")
    writer = RollingWarcWriter(tmp_path, "demo", worker="w1")
    writer.write([_response(writer, "http://x.test/a", b"x")], MOMENT)
    writer.close()
    assert taken.read_bytes() == b"earlier run"
    assert writer.closed_files == ["demo/demo-20250627092200-00001-w1.warc.gz"]


def test_a_name_already_shipped_to_shared_storage_is_taken(tmp_path: Path) -> None:
    # A crawl whose file was moved to shared storage (archive/ship.py) is gone from the
    # staging folder; the next crawl in the same second must not reuse its name.
    shared = tmp_path / "shared"
    (shared / "demo").mkdir(parents=True)
    (shared / "demo" / "demo-20250627092200-00000-w1.warc.gz").write_bytes(b"shipped")
    writer = RollingWarcWriter(tmp_path / "staging", "demo", worker="w1", shipped_root=shared)
    writer.write([_response(writer, "http://x.test/a", b"x")], MOMENT)
    writer.close()
    assert writer.closed_files == ["demo/demo-20250627092200-00001-w1.warc.gz"]


_WRITE_ONE = """
import io, sys
from datetime import UTC, datetime
from warcio.statusandheaders import StatusAndHeaders
from portal_archive.archive.warcfile import RollingWarcWriter
writer = RollingWarcWriter(sys.argv[1], "demo")
headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
record = writer.builder.create_warc_record(
    "http://x.test/a", "response", payload=io.BytesIO(b"x"), length=1, http_headers=headers)
writer.write([record], datetime(2025, 6, 27, 9, 22, 0, tzinfo=UTC))
sys.stdin.read()  # both hold their file open at once
writer.close()
print(writer.closed_files[0])
"""


def test_two_processes_writing_one_series_in_one_second_never_collide(tmp_path: Path) -> None:
    # Each stands for a worker of its own (PORTAL_WORKER_ID unset: <hostname>-<pid>).
    env = {k: v for k, v in os.environ.items() if k != "PORTAL_WORKER_ID"}
    procs = [subprocess.Popen([sys.executable, "-c", _WRITE_ONE, str(tmp_path)], env=env,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
             for _ in range(2)]
    names = [proc.communicate("", timeout=60)[0].strip() for proc in procs]
    assert all(proc.returncode == 0 for proc in procs)
    host = socket.gethostname()
    assert names[0] != names[1]
    for proc, name in zip(procs, names, strict=True):
        assert name.endswith(f"-00000-{host}-{proc.pid}.warc.gz")
        with open(tmp_path / name, "rb") as stream:
            assert [r.rec_type for r in ArchiveIterator(stream)] == ["warcinfo", "response"]


def test_the_worker_id_is_taken_from_the_environment_and_sanitised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORTAL_WORKER_ID", "máy 2/ca đêm")
    writer = RollingWarcWriter(tmp_path, "demo")
    writer.write([_response(writer, "http://x.test/a", b"x")], MOMENT)
    writer.close()
    assert writer.closed_files == ["demo/demo-20250627092200-00000-m_y_2_ca_m.warc.gz"]


def _warc_at_level(root: Path, level: int) -> Path:
    writer = RollingWarcWriter(root, "demo", gzip_level=level)
    page = b"<p>Th\xc3\xb4ng b\xc3\xa1o c\xe1\xbb\xa7a UBND t\xe1\xbb\x89nh</p>\n" * 400
    for i in range(3):
        writer.write([_response(writer, f"http://x.test/{i}", page + bytes([i]))], MOMENT)
    writer.close()
    return root / writer.closed_files[0]


def test_gzip_level_is_applied_and_the_file_stays_a_valid_warc(tmp_path: Path) -> None:
    fast = _warc_at_level(tmp_path / "fast", 1)
    best = _warc_at_level(tmp_path / "best", 9)
    # The level reaches zlib: level 1 gives a bigger file than warcio's level 9 ...
    assert fast.stat().st_size > best.stat().st_size
    # ... whose records are the same, digests and all, and that warcio checks whole.
    with open(fast, "rb") as a, open(best, "rb") as b:
        fast_records = [(r.rec_headers.get_header("WARC-Payload-Digest"), r.content_stream().read())
                        for r in ArchiveIterator(a)]
        best_records = [(r.rec_headers.get_header("WARC-Payload-Digest"), r.content_stream().read())
                        for r in ArchiveIterator(b)]
    assert fast_records == best_records and len(fast_records) == 4
    check = subprocess.run([sys.executable, "-m", "warcio.cli", "check", "-v", str(fast)],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "digest pass" in check.stdout and "fail" not in check.stdout
