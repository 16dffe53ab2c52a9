"""kill -9 in the middle of a crawl: what was captured stays readable."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from portal_archive.crawler.demo.content import DemoSite
from portal_archive.crawler.demo.portal import DemoPortal

from ..conftest import CLI, TEST_CRAWL_SETTINGS, crawl_demo, run_cli


def test_kill_9_mid_crawl_leaves_readable_warc_and_json(tmp_path: Path) -> None:
    site = DemoSite(articles=1200, faults=False)
    with DemoPortal(site) as portal:
        settings = {**TEST_CRAWL_SETTINGS, "PORTAL_BASE_URL": portal.base_url}
        args = [*CLI, "crawl", "demo", "--backfill",
                "--data", str(tmp_path)]
        for name, value in settings.items():
            args += ["-s", f"{name}={value}"]
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if len(list((tmp_path / "json").rglob("*.json"))) >= 40:
                    break
                time.sleep(0.05)
            else:
                raise AssertionError("the crawl never got going")
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        killed = _check_killed_crawl(tmp_path)

        # The next crawl closes the interrupted file and, since the killed run never
        # reached the bottom of the listings, pages through all of them (no hole).
        before = sum(n for p, n in portal.hits.items() if p.startswith("/chuyen-muc/"))
        result = crawl_demo(portal, tmp_path, PORTAL_REQUISITES="False")
        assert result.returncode == 0, result.stderr
        listing_hits = sum(n for p, n in portal.hits.items() if p.startswith("/chuyen-muc/"))
    assert listing_hits - before == sum(site.page_count(slug) for slug in site.CATEGORIES)
    assert not list((tmp_path / "warc").rglob("*.open"))
    assert killed.with_name(killed.name.removesuffix(".open")).exists()
    urls = {json.loads(p.read_text("utf-8"))["url"] for p in (tmp_path / "json").rglob("*.json")}
    assert len(urls) == 1200
    verified = run_cli("verify", "--data", str(tmp_path))
    assert verified.returncode == 0, verified.stdout


def _check_killed_crawl(tmp_path: Path) -> Path:
    open_files = list((tmp_path / "warc").rglob("*.warc.gz.open"))
    assert len(open_files) == 1, "a killed crawl's file keeps its .open suffix"
    with open(open_files[0], "rb") as stream:
        records = {
            r.rec_headers.get_header("WARC-Record-ID"): r.rec_type for r in ArchiveIterator(stream)
        }
    assert len(records) > 80
    documents = list((tmp_path / "json").rglob("*.json"))
    # A temporary file may be left mid-write, but it is hidden and never named *.json.
    for path in documents:
        doc = json.loads(path.read_text("utf-8"))  # every file is whole
        assert records[doc["warc"]["record_id"]] == "response"
    return open_files[0]


def _limit_file_size() -> None:
    import resource

    # A stand-in for a full disk: writes past 400 kB fail with EFBIG instead of a signal.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (400_000, 400_000))


def test_a_full_disk_stops_the_crawl_with_one_line_and_loses_nothing(tmp_path: Path) -> None:
    with DemoPortal(DemoSite(articles=60, faults=False)) as portal:
        settings = {**TEST_CRAWL_SETTINGS, "PORTAL_BASE_URL": portal.base_url}
        args = [*CLI, "crawl", "demo", "--data", str(tmp_path)]
        for name, value in settings.items():
            args += ["-s", f"{name}={value}"]
        proc = subprocess.run(args, capture_output=True, text=True, timeout=120,
                              preexec_fn=_limit_file_size)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    last = proc.stderr.splitlines()[-1]
    # The WARC, the catalog's journal or an article's store reaches the limit first (it
    # depends on timing); any of them stops the crawl with its one line.
    assert re.match(r"portal-archive: error: crawl of demo stopped: could not (write|store) ",
                    last), last
    # What was written before the failure is whole, closed, indexed and pointed at.
    verified = run_cli("verify", "--data", str(tmp_path))
    assert verified.returncode == 0, verified.stdout
    assert list((tmp_path / "warc" / "demo").glob("*.warc.gz"))
