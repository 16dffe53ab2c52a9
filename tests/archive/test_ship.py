"""Closed WARCs onto shared storage (archive/ship.py) and heal's part in it, in-process on
real folders: a staging folder, a shared one, real WARCs read back with warcio."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders

from portal_archive.archive.catalog import Catalog
from portal_archive.archive.cdxj import add_to_index, indexed_files, iter_index, site_of_file
from portal_archive.archive.datadir import DataDir
from portal_archive.archive.heal import heal_other_sites, heal_site, heal_staging
from portal_archive.archive.lock import acquire, release
from portal_archive.archive.segments import read_manifest
from portal_archive.archive.ship import ship, temporary_name
from portal_archive.archive.verify import verify
from portal_archive.archive.wacz import export
from portal_archive.archive.warcfile import OPEN_SUFFIX, RollingWarcWriter, warc_date

MOMENT = datetime(2025, 6, 27, 9, 22, 0, tzinfo=UTC)


def _folders(tmp_path: Path) -> DataDir:
    (tmp_path / "shared").mkdir()
    Catalog(tmp_path / "shared" / "catalog.sqlite").close()  # verify needs one
    return DataDir(tmp_path / "shared", staging=tmp_path / "local")


def _write(data: DataDir, site: str, urls: list[str], *, close: bool = True,
           worker: str = "w1") -> tuple[RollingWarcWriter, Path]:
    """A staging WARC of ``site`` holding one response per URL: closed, or left open."""
    writer = RollingWarcWriter(data.staging_warc, site, worker=worker)
    for url in urls:
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")],
                                   protocol="HTTP/1.1")
        body = f"<p>{url}</p>".encode()
        writer.write([writer.builder.create_warc_record(
            url, "response", payload=io.BytesIO(body), length=len(body), http_headers=headers,
            warc_headers_dict={"WARC-Date": warc_date(MOMENT)})], MOMENT)
    path = data.staging_warc / writer.current_file
    if close:
        writer.close()
        return writer, data.staging_warc / writer.closed_files[-1]
    return writer, path.with_name(path.name + OPEN_SUFFIX)


def _urls_in(path: Path) -> list[str]:
    with open(path, "rb") as stream:
        return [r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(stream)
                if r.rec_type == "response"]


def test_a_shipped_file_is_in_the_shared_folder_and_index_only(tmp_path: Path) -> None:
    data = _folders(tmp_path)
    _writer, local = _write(data, "demo", ["http://x.test/a", "http://x.test/b"])
    name = local.relative_to(data.staging_warc).as_posix()
    assert ship(data, local) == 2
    assert not local.exists()
    assert _urls_in(data.warc / name) == ["http://x.test/a", "http://x.test/b"]
    assert indexed_files(data.index) == {name}
    assert not (data.staging / "index").exists()
    assert verify(DataDir(data.root)).ok


def test_a_copy_killed_midway_never_shows_under_its_final_name_and_is_redone(
    tmp_path: Path
) -> None:
    data = _folders(tmp_path)
    _writer, local = _write(data, "demo", [f"http://x.test/{n}" for n in range(5)])
    final = data.warc / local.relative_to(data.staging_warc)
    # What a copy killed midway leaves: half the bytes under the temporary name.
    final.parent.mkdir(parents=True)
    temporary_name(final).write_bytes(local.read_bytes()[: local.stat().st_size // 2])
    assert not list(data.warc.rglob("*.warc.gz*")), "no reader may take it for a WARC"
    assert verify(DataDir(data.root)).ok
    whole = local.read_bytes()
    done = heal_site(data, None, "demo")
    assert done == [f"{local}: moved to {data.warc / 'demo'} and indexed (its crawl died first)"]
    assert final.read_bytes() == whole
    assert not temporary_name(final).exists() and not local.exists()
    assert len(list(iter_index(data.index))) == 5
    assert verify(DataDir(data.root)).ok


def test_killed_after_the_copy_or_after_the_index_heal_indexes_once(tmp_path: Path) -> None:
    data = _folders(tmp_path)
    _w1, copied = _write(data, "demo", ["http://x.test/a"], worker="w1")
    _w2, indexed = _write(data, "demo", ["http://x.test/b"], worker="w2")
    for local in (copied, indexed):  # both reached shared storage whole, then a kill
        final = data.warc / local.relative_to(data.staging_warc)
        final.parent.mkdir(parents=True, exist_ok=True)
        final.write_bytes(local.read_bytes())
    # The second was indexed too before the kill; its local copy is still there.
    shipped = data.warc / indexed.relative_to(data.staging_warc)
    add_to_index(data.index, "demo", data.warc, [shipped])
    heal_site(data, None, "demo")
    assert not copied.exists() and not indexed.exists()
    urls = [line.url for line in iter_index(data.index)]
    assert sorted(urls) == ["http://x.test/a", "http://x.test/b"]  # each once
    assert sum(s.lines for s in read_manifest(data.index)) == 2
    assert verify(DataDir(data.root)).ok


def test_a_file_left_open_in_staging_is_closed_then_shipped(tmp_path: Path) -> None:
    data = _folders(tmp_path)
    writer, open_path = _write(data, "demo", ["http://x.test/a", "http://x.test/b"],
                               close=False)
    writer._out.flush()  # type: ignore[union-attr]  # a kill -9 leaves what was written
    with open(open_path, "ab") as out:
        out.write(b"\x1f\x8b half a record")  # cut off mid-write
    done = heal_site(data, None, "demo")
    closed = open_path.name.removesuffix(OPEN_SUFFIX)
    assert done[0].startswith(f"{open_path.with_name(closed)}: closed after its last whole")
    assert _urls_in(data.warc / "demo" / closed) == ["http://x.test/a", "http://x.test/b"]
    assert not list(data.staging_warc.rglob("*.warc*"))
    assert verify(DataDir(data.root)).ok


def test_other_series_in_staging_are_shipped_unless_their_crawl_writes_there(
    tmp_path: Path
) -> None:
    data = _folders(tmp_path)
    _w1, left = _write(data, "quangninh", ["http://q.test/a"])
    _w2, busy = _write(data, "hue", ["http://h.test/a"])
    acquire(data.staging, "hue")  # the WARC middleware's lock while it writes there
    try:
        done = heal_other_sites(data, "demo")
    finally:
        release(data.staging, "hue")
    assert len(done) == 1 and not left.exists() and busy.exists()
    assert (data.warc / left.relative_to(data.staging_warc)).exists()


def test_a_worker_starting_ships_every_series_left_in_its_staging_folder(
    tmp_path: Path
) -> None:
    data = _folders(tmp_path)
    _w1, closed = _write(data, "quangninh", ["http://q.test/a"])
    writer, left_open = _write(data, "demo", ["http://d.test/a"], close=False)
    writer._out.flush()  # type: ignore[union-attr]  # what a kill -9 leaves
    done = heal_staging(data)
    assert len(done) == 3  # one closed, then each shipped
    assert not list(data.staging_warc.rglob("*.warc*"))
    assert sorted(line.url for line in iter_index(data.index)) == [
        "http://d.test/a", "http://q.test/a"]
    assert verify(DataDir(data.root)).ok
    assert closed.name in {p.name for p in data.warc.rglob("*.warc.gz")}
    assert not left_open.exists() and heal_staging(data) == []


def test_names_of_before_the_worker_id_still_read(tmp_path: Path) -> None:
    # Archives of before issue 12: <series>-<timestamp>-<serial>.warc.gz.
    data = DataDir(tmp_path)
    Catalog(data.catalog).close()
    _writer, new = _write(data, "demo", ["http://x.test/new"])
    _writer, old = _write(data, "demo", ["http://x.test/old"], worker="gone")
    old = old.rename(old.with_name("demo-20250627092200-00000.warc.gz"))
    heal_site(data, None, "demo")  # indexes both: closed, never indexed
    assert {site_of_file(name) for name in indexed_files(data.index)} == {"demo"}
    assert sorted(line.url for line in iter_index(data.index)) == [
        "http://x.test/new", "http://x.test/old"]
    report = verify(data)
    assert report.ok and report.files == 2, report.problems
    done = export(data, tmp_path / "out.wacz")
    with zipfile.ZipFile(tmp_path / "out.wacz") as wacz:
        assert {f"archive/{old.name}", f"archive/{new.name}"} <= set(wacz.namelist())
    assert len(done.warcs) == 2
