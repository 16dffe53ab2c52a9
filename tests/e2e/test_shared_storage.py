"""Shared storage (PORTAL_SHARED_STORAGE): crawls write their WARCs in their own local
folder and move each closed one, with its index segment, to one shared archive; JSON and
the catalog are the shared folder's. Real crawls of the demo portal in subprocesses,
WARCs read back with warcio, `verify` and real pywb replay on the shared folder."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import time
import zipfile
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from portal_archive.archive.cdxj import iter_index
from portal_archive.crawler.demo.content import DemoSite
from portal_archive.crawler.demo.portal import DemoPortal

from ..archive.test_replay import EDITED, assert_article, get, http_date, serving_replay
from ..clocks import ahead_by
from ..conftest import CLI, TEST_CRAWL_SETTINGS, crawl_demo, run_cli


def _env(shared: Path, worker: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PORTAL_WORKER_ID"}
    env["PORTAL_SHARED_STORAGE"] = str(shared)
    if worker:
        env["PORTAL_WORKER_ID"] = worker
    return env


def _responses(warc_dir: Path) -> dict[str, list[str]]:
    """Each WARC file's response URLs, read with warcio."""
    found = {}
    for path in sorted(warc_dir.glob("*/*.warc.gz")):
        with open(path, "rb") as stream:
            found[path.name] = [r.rec_headers.get_header("WARC-Target-URI")
                                for r in ArchiveIterator(stream) if r.rec_type == "response"]
    return found


def _files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_two_crawls_from_two_local_folders_fill_one_shared_archive(tmp_path: Path) -> None:
    shared, local_a, local_b = tmp_path / "shared", tmp_path / "a", tmp_path / "b"
    shared.mkdir()
    site = DemoSite(articles=18, faults=False)
    with DemoPortal(site) as portal:
        day_0 = crawl_demo(portal, local_a, env=_env(shared, "worker-a"))
        assert day_0.returncode == 0, day_0.stderr[-3000:]
        portal.set_state(day=1)
        settings, clock = ahead_by(4)  # day 1's captures whole seconds after day 0's
        day_1 = crawl_demo(portal, local_b, "--backfill", env={**_env(shared, None), **clock},
                           **settings)
        assert day_1.returncode == 0, day_1.stderr[-3000:]
        edited = portal.base_url + site.article(EDITED, 1).path

    # Nothing stays in the local folders but their locks; both crawls' WARCs are shared.
    for local in (local_a, local_b):
        left = [p.relative_to(local).as_posix() for p in _files_under(local)]
        assert all(name.startswith("locks/") for name in left), left
    files = _responses(shared / "warc")
    names = sorted(files)
    host = socket.gethostname()
    assert len(names) == 2 and names[0] != names[1]
    assert [n for n in names if n.endswith("-worker-a.warc.gz")]
    assert [n for n in names if re.search(rf"-00000-{re.escape(host)}-\d+\.warc\.gz$", n)]
    assert all(any(url == edited for url in urls) for urls in files.values())
    assert f"{shared / 'warc' / 'demo'}" in day_1.stdout  # the summary names where they are

    verified = run_cli("verify", "--data", str(shared))
    assert verified.returncode == 0, verified.stdout
    assert verified.stdout.splitlines()[-1].startswith("OK: 2 WARC file(s)")
    # The shared archive names no local folder: names are relative to its warc/ and json/.
    catalog = "\n".join(sqlite3.connect(shared / "catalog.sqlite").iterdump())
    index = "".join(line.filename for line in iter_index(shared / "index"))
    jsons = "".join(p.read_text("utf-8") for p in (shared / "json").rglob("*.json"))
    for text in (catalog, index, jsons):
        assert str(tmp_path) not in text

    stamps = [line.timestamp for line in iter_index(shared / "index") if line.url == edited]
    assert len(stamps) == 2
    with serving_replay(shared, tmp_path / "replay.log") as replay:
        timemap = get(replay, f"/all/timemap/link/{edited}")
        day_1_page = get(replay, f"/demo/{stamps[1]}mp_/{edited}")
    assert timemap.status == 200
    mementos = re.findall(r'datetime="([^"]+)"', timemap.body.decode())
    assert mementos == [http_date(ts) for ts in stamps]
    assert_article(day_1_page, edited, site.article(EDITED, day=1))  # the crawl from b/

    wacz = run_cli("export-wacz", str(tmp_path / "all.wacz"), "--data", str(shared))
    assert wacz.returncode == 0, wacz.stderr
    with zipfile.ZipFile(tmp_path / "all.wacz") as archive:
        assert {f"archive/{name}" for name in names} <= set(archive.namelist())


def test_kill_9_mid_crawl_the_next_crawl_ships_what_was_left(tmp_path: Path) -> None:
    shared, local = tmp_path / "shared", tmp_path / "local"
    shared.mkdir()
    env = _env(shared, "worker-k")
    with DemoPortal(DemoSite(articles=400, faults=False)) as portal:
        args = [*CLI, "crawl", "demo", "--backfill", "--data", str(local)]
        for name, value in {**TEST_CRAWL_SETTINGS, "PORTAL_BASE_URL": portal.base_url}.items():
            args += ["-s", f"{name}={value}"]
        proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while len(list((shared / "json").rglob("*.json"))) < 30:
                assert time.monotonic() < deadline, "the crawl never got going"
                time.sleep(0.05)
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        [left_open] = (local / "warc").rglob("*.warc.gz.open")
        assert not _files_under(shared / "warc"), "nothing reaches shared storage unclosed"

        healed = crawl_demo(portal, local, env=env, PORTAL_REQUISITES="False")
    assert healed.returncode == 0, healed.stderr[-3000:]
    closed = left_open.name.removesuffix(".open")
    assert f"moved to {shared / 'warc' / 'demo'} and indexed" in healed.stderr
    assert not list((local / "warc").rglob("*.warc*"))
    files = _responses(shared / "warc")
    assert closed in files and len(files) == 2
    urls = {json.loads(p.read_text("utf-8"))["url"] for p in (shared / "json").rglob("*.json")}
    assert len(urls) == 400
    verified = run_cli("verify", "--data", str(shared))
    assert verified.returncode == 0, verified.stdout


def test_a_missing_shared_folder_is_one_line_before_any_fetch(
    portal: DemoPortal, tmp_path: Path
) -> None:
    missing = tmp_path / "not-mounted"
    before = portal.hits_snapshot()
    result = crawl_demo(portal, tmp_path / "local", env=_env(missing, None))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"portal-archive: error: shared storage {missing} (PORTAL_SHARED_STORAGE) is missing"
        " (not a folder)"]
    # The same as a setting, as every PORTAL_ name is (crawler/settings.py).
    as_setting = crawl_demo(portal, tmp_path / "local", PORTAL_SHARED_STORAGE=str(missing))
    assert as_setting.returncode == 1 and as_setting.stderr == result.stderr
    assert portal.hits_snapshot() == before and not missing.exists()
