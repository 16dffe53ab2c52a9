"""crawler/pool.py through `portal-archive crawl SITE [SITE ...]`: several sites in one
command, each ending with its own line, the exit status saying that one failed."""

from __future__ import annotations

from pathlib import Path

from portal_archive.crawler.demo.content import DemoSite
from portal_archive.crawler.demo.portal import DemoPortal

from ..conftest import TEST_CRAWL_SETTINGS, run_cli


def test_crawl_of_several_sites_keeps_going_past_one_refused(tmp_path: Path) -> None:
    with DemoPortal(DemoSite(articles=4, faults=False)) as portal:
        settings = {**TEST_CRAWL_SETTINGS, "PORTAL_BASE_URL": portal.base_url,
                    "PORTAL_CRAWL_PROCESSES": "1"}
        args = [arg for name, value in settings.items() for arg in ("-s", f"{name}={value}")]
        done = run_cli("crawl", "nosuch", "demo", "--data", str(tmp_path), *args)
    assert done.returncode == 1, done.stderr
    [error] = [line for line in done.stderr.splitlines() if "error:" in line]
    assert error.startswith("portal-archive: error: unknown site 'nosuch' (known: ")
    assert "articles       4 extracted: 4 new" in done.stdout  # demo crawled all the same
    assert len(list((tmp_path / "json" / "demo").iterdir())) == 4
    assert not (tmp_path / "scheduler.sqlite").exists()  # a hand crawl: no run record
