"""schedules/worker.py: one crawl process, its CrawlSpec on stdin, run_crawl(spec) in it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from portal_archive.crawler.spec import CrawlSpec
from portal_archive.schedules import worker


def _run(spec_json: str) -> subprocess.CompletedProcess[str]:
    argv = worker.command("nightly", "demo")
    return subprocess.run(argv, input=spec_json, capture_output=True, text=True, timeout=120)


def test_the_spec_and_its_secrets_stay_off_the_command_line() -> None:
    """`ps` shows any user a command line: the spec (data folder, settings, apprise URLs)
    comes on stdin. That the worker runs it: test_scheduler.py's run-now and scheduled
    crawls, each through this worker."""
    argv = worker.command("nightly", "demo", scheduled="2026-12-01T02:30:00.000000Z",
                          wait=True)
    assert argv == [sys.executable, "-m", "portal_archive.schedules.worker",
                    "--job", "nightly", "--target", "demo",
                    "--scheduled", "2026-12-01T02:30:00.000000Z", "--wait"]


def test_a_spec_with_a_bad_setting_is_one_line_and_no_run(tmp_path: Path) -> None:
    text = json.dumps({**json.loads(CrawlSpec(tmp_path / "data").to_json()),
                       "site": "demo", "settings": {"DOWNLOD_DELAY": "1"}})
    done = _run(text)
    assert done.returncode == 1
    # The line `crawl -s DOWNLOD_DELAY=1` gets (tests/crawler/test_spec.py).
    assert done.stderr.strip() == ("portal-archive: error: unknown Scrapy setting"
                                   " 'DOWNLOD_DELAY' (did you mean DOWNLOAD_DELAY?)")
    assert not (tmp_path / "data").exists()  # no lock, no run record, no crawl
