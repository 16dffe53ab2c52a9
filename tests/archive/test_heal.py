"""heal_site in-process: the leftovers a crash can leave, on a real data folder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from portal_archive.archive.catalog import Catalog
from portal_archive.archive.datadir import DataDir
from portal_archive.archive.heal import heal_other_sites, heal_site
from portal_archive.archive.lock import acquire, release

# What write_text_atomic leaves when killed mid-write: ".<name>.<random>.tmp" beside it.
LEFTOVERS = [
    "json/{site}/bai-1-abcdef12/.20250627092200123456.json.k3j4h5.tmp",
    "index/.{site}.cdxj.q1w2e3.tmp",
    "feeds/.{site}.atom.z9x8c7.tmp",
]


def _leave(root: Path, site: str) -> list[Path]:
    paths = [root / name.format(site=site) for name in LEFTOVERS]
    for path in paths:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text('{"half": ')
    return paths


def test_temporary_files_of_the_site_are_removed_and_others_kept(tmp_path: Path) -> None:
    data = DataDir(tmp_path)
    own = _leave(tmp_path, "demo")
    others = _leave(tmp_path, "quangninh")
    kept = tmp_path / "json" / "demo" / "bai-1-abcdef12" / "20250627092200123456.json"
    kept.write_text("{}")
    done = heal_site(data, None, "demo")
    assert sorted(done) == sorted(f"{p}: removed (left mid-write by a crash)" for p in own)
    assert not any(p.exists() for p in own)
    assert all(p.exists() for p in others) and kept.exists()


def test_runs_left_running_are_marked_killed_but_not_this_one(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path / "catalog.sqlite")
    try:
        catalog.start_run("demo-killed", "demo", "2025-06-27T09:00:00Z")
        catalog.start_run("demo-now", "demo", "2025-06-28T09:00:00Z")
        catalog.start_run("other-running", "quangninh", "2025-06-28T09:00:00Z")
        done = heal_site(DataDir(tmp_path), catalog, "demo", current_run="demo-now")
        statuses = {row["id"]: (row["status"], row["finished_at"]) for row in catalog.runs()}
    finally:
        catalog.close()
    assert done == ["run demo-killed: left running by a crawl that died, marked killed"]
    assert statuses == {
        "demo-killed": ("killed", "2025-06-27T09:00:00Z"),  # no capture: its start
        "demo-now": ("running", None),
        "other-running": ("running", None),
    }


def test_another_site_is_left_alone_while_its_crawl_holds_the_lock(tmp_path: Path) -> None:
    data = DataDir(tmp_path)
    open_file = tmp_path / "warc" / "quangninh" / "quangninh-20250627-00000.warc.gz.open"
    open_file.parent.mkdir(parents=True)
    open_file.write_bytes(b"")
    acquire(tmp_path, "quangninh")
    try:
        # The lock is re-entrant within a process: the healing crawl is a second one.
        code = ("from portal_archive.archive.heal import heal_other_sites;"
                " from portal_archive.archive.datadir import DataDir;"
                f" print(heal_other_sites(DataDir({str(tmp_path)!r}), 'demo'))")
        busy = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    finally:
        release(tmp_path, "quangninh")
    assert busy.stdout.strip() == "[]" and open_file.exists()
    done = heal_other_sites(data, "demo")
    assert done == [f"{open_file}: held no whole record, removed"]
    assert not open_file.exists()
