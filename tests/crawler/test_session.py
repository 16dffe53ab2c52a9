"""The crawl's session: one catalog connection per crawl, and a run row that holds every
figure of the run (crawler/session.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from portal_archive.crawler.demo.portal import DemoPortal

from ..conftest import TEST_CRAWL_SETTINGS

# `portal-archive crawl demo` run in one process (the CLI's own main, as the scheduler's
# worker runs a crawl in-process too), counting the connections opened to the catalog
# and printing them with the crawl's final stats.
_CRAWL = """
import json, sqlite3, sqlite3.dbapi2, sys
import scrapy.crawler

opened = []
connect = sqlite3.connect
def counting(path, *args, **kwargs):
    if str(path).endswith("catalog.sqlite"):
        opened.append(str(path))
    return connect(path, *args, **kwargs)
sqlite3.connect = sqlite3.dbapi2.connect = counting

crawlers = []
create = scrapy.crawler.CrawlerProcess.create_crawler
def keep(self, *args, **kwargs):
    crawlers.append(create(self, *args, **kwargs))
    return crawlers[-1]
scrapy.crawler.CrawlerProcess.create_crawler = keep

from portal_archive.crawler.cli import main
code = main(sys.argv[1:])
stats = crawlers[0].stats.get_stats()
print(json.dumps({"code": code, "opened": len(opened),
                  "stats": json.loads(json.dumps(stats, default=str, sort_keys=True))}))
"""


def _crawl_in_process(portal: DemoPortal, data: Path) -> dict:
    args = ["crawl", "demo", "--data", str(data)]
    for name, value in {**TEST_CRAWL_SETTINGS, "PORTAL_BASE_URL": portal.base_url}.items():
        args += ["-s", f"{name}={value}"]
    proc = subprocess.run([sys.executable, "-c", _CRAWL, *args],
                          capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-3000:]
    crawl = json.loads(proc.stdout.strip().splitlines()[-1])
    assert crawl["code"] == 0, proc.stderr[-3000:]
    return crawl


def test_one_catalog_connection_and_the_run_row_holds_the_final_stats(
    portal: DemoPortal, tmp_path: Path
) -> None:
    crawl = _crawl_in_process(portal, tmp_path)
    # The session's connection, which every component of the crawl shares.
    assert crawl["opened"] == 1
    from portal_archive.archive.catalog import Catalog

    catalog = Catalog(tmp_path / "catalog.sqlite")
    (run,) = catalog.runs()
    catalog.close()
    recorded = json.loads(run["stats"])
    assert recorded == crawl["stats"]
    # Figures that used to be written after the run row, by handlers connected later.
    for name in ("warc/files", "index/lines_added", "events/new", "json/files",
                 "finish_reason"):
        assert recorded.get(name), name
    assert run["status"] == "finished"


def test_scrapy_crawl_of_a_busy_site_stops_and_records_its_run(tmp_path: Path) -> None:
    """`scrapy crawl` has no CLI in front: the session takes the lock, and a crawl that
    closes while it opens (another holds the site) still ends its run row."""
    from portal_archive.archive.catalog import Catalog
    from portal_archive.archive.lock import acquire, release

    acquire(tmp_path, "demo")  # this process holds the site: the crawl below cannot
    try:
        args = [sys.executable, "-m", "scrapy.cmdline", "crawl", "portal", "-a", "site=demo",
                "-s", f"PORTAL_DATA_DIR={tmp_path}", "-s", "PORTAL_BASE_URL=http://127.0.0.1:9"]
        root = Path(__file__).resolve().parents[2]  # where scrapy.cfg is
        proc = subprocess.run(args, cwd=root, capture_output=True, text=True, timeout=120)
    finally:
        release(tmp_path, "demo")
    assert "another crawl or repair of site 'demo' is running" in proc.stderr
    catalog = Catalog(tmp_path / "catalog.sqlite")
    (run,) = catalog.runs()
    catalog.close()
    assert run["status"] == "fatal"
    assert json.loads(run["stats"])["portal/fatal"].startswith("another crawl")
