"""Files written without their own fsync are made durable together, before anything
names them."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal_archive.archive.atomic import SYNC_FILESYSTEM_FROM, sync_files, write_text_atomic


def test_unsynced_writes_are_whole_files_with_a_plain_files_mode(tmp_path: Path) -> None:
    path = tmp_path / "site" / "key" / "v.json"
    write_text_atomic(path, ["{", "}\n"], sync=False)
    assert path.read_text("utf-8") == "{}\n"
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]
    plain = tmp_path / "plain"
    plain.write_text("x")
    assert path.stat().st_mode == plain.stat().st_mode


def test_a_few_files_are_synced_each_and_many_by_one_sync_of_the_file_system(
        tmp_path: Path) -> None:
    few = [str(tmp_path / f"{n}.json") for n in range(SYNC_FILESYSTEM_FROM - 1)]
    for path in few:
        write_text_atomic(path, ["{}"], sync=False)
    sync_files(few, tmp_path)
    # Each of a few is opened to be synced: one that is not there is an error.
    with pytest.raises(FileNotFoundError):
        sync_files([*few[:-1], str(tmp_path / "gone.json")], tmp_path)
    # Many are synced as a whole file system, none opened by itself.
    sync_files([*few, str(tmp_path / "gone.json")], tmp_path)
