"""kill -9 in the middle of a crawl: what was captured stays readable."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from crawler.demo.content import DemoSite
from crawler.demo.portal import DemoPortal

from ..conftest import TEST_CRAWL_SETTINGS


def test_kill_9_mid_crawl_leaves_readable_warc_and_json(tmp_path: Path) -> None:
    with DemoPortal(DemoSite(articles=3000, faults=False)) as portal:
        settings = {**TEST_CRAWL_SETTINGS, "PORTAL_BASE_URL": portal.base_url}
        args = [sys.executable, "-m", "crawler.cli", "crawl", "demo", "--backfill",
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
