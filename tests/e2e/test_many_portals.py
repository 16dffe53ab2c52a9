"""One job of many polite portals (issue 11, point 1): `schedule run-now` crawls them
side by side in a few processes (crawler/pool.py, schedules/processes.py), each portal
its own Scrapy crawler with its own politeness, lock, run and WARC series; a portal that
never answers holds none of the others back."""

from __future__ import annotations

import contextlib
import itertools
import json
import signal
import sqlite3
import subprocess
import time
from collections import defaultdict
from pathlib import Path

from portal_archive.schedules import runlog
from tests.hostile import HostileServer, endless_listing, never_answers, numbered_article
from tests.portals import DISALLOWED, LISTING, Portals

from ..conftest import CLI, run_cli, warc_response_urls

DELAY = 1.0
PROCESSES, PER_PROCESS = 2, 12  # 31 sites: a second wave in each process


def _job(folder: Path, sites: list[str]) -> None:
    settings = {
        "DOWNLOAD_DELAY": DELAY,  # and AutoThrottle, robots.txt: the project's, on
        "PORTAL_CRAWL_PROCESSES": PROCESSES,
        "PORTAL_SITES_PER_PROCESS": PER_PROCESS,
        "DOWNLOAD_TIMEOUT": 2,  # the silent portal gives up soon
        "RETRY_TIMES": 1,
    }
    lines = ["[job.communes]", f"sites = {json.dumps(sites)}", 'cron = "30 2 * * *"',
             "[job.communes.settings]", *(f'{k} = "{v}"' for k, v in settings.items())]
    folder.mkdir()
    (folder / "communes.toml").write_text("\n".join(lines) + "\n", "utf-8")


def test_thirty_polite_portals_in_one_job_and_one_that_hangs(tmp_path: Path) -> None:
    folder, data = tmp_path / "schedules", tmp_path / "data"
    silent = {LISTING: never_answers(for_at_most=20)}
    with Portals(count=30, articles=8, images=0) as portals, HostileServer(silent) as hung:
        _job(folder, [*portals.listing_urls, hung.url(LISTING)])
        done = run_cli("schedule", "run-now", "communes", "--schedules", str(folder),
                       "--data", str(data), timeout=120)
        requests = portals.requests()

    # The silent portal failed, in its own line, and the exit status says so.
    assert done.returncode == 1, done.stderr
    [failed] = [line for line in done.stderr.splitlines() if "error:" in line]
    assert f"could not crawl {hung.base_url.split('//')[1]}: " in failed, failed
    assert "Traceback" not in done.stderr

    # Every article of every portal: its JSON version and its WARC response.
    db = sqlite3.connect(data / "catalog.sqlite")
    versions = {url for (url,) in db.execute("SELECT url FROM versions")}
    archived = warc_response_urls(data)
    for host in portals.hosts:
        articles = set(portals.article_urls(host))
        assert articles <= versions, host
        assert articles <= archived, host

    # Each portal its own run row, WARC series and run record; the job's sites in at
    # most PROCESSES processes, at most PER_PROCESS at once in each.
    series = {site for (site,) in db.execute("SELECT site FROM runs")}
    assert len(series) == 31
    assert len({p.name for p in (data / "warc").iterdir()}) == 31
    runs = runlog.runs(data, "communes")
    assert len(runs) == 31 and sum(run.status != 0 for run in runs) == 1
    by_pid = defaultdict(list)
    for run in runs:
        by_pid[run.pid].append(run)
    assert len(by_pid) <= PROCESSES
    for mine in by_pid.values():
        assert _most_at_once(mine) <= PER_PROCESS

    # Politeness per host: never two requests closer than the delay; robots.txt obeyed.
    times = defaultdict(list)
    for host, path, moment in requests:
        assert not path.startswith(DISALLOWED), (host, path)
        times[host].append(moment)
    for host, moments in times.items():
        gaps = [b - a for a, b in itertools.pairwise(sorted(moments))]
        # As the server saw them arrive: the delay counts from each response's arrival,
        # one request at a time (crawler/politeness.py), so no reactor's lateness in
        # sending can bring two requests closer. The server's own stamp may be read a
        # few milliseconds late, hence the 2 %.
        assert min(gaps) >= DELAY * 0.98, (host, gaps)


def _article_hits(server: HostileServer) -> int:
    return sum(n for target, n in server.hits.items() if target.startswith("/article.html"))


def _most_at_once(runs: list[runlog.Run]) -> int:
    edges = sorted([(run.started, 1) for run in runs]
                   + [(run.ended or run.started, -1) for run in runs])
    most = current = 0
    for _moment, step in edges:
        current += step
        most = max(most, current)
    return most


def test_sigterm_stops_every_site_of_a_run_now_cleanly(tmp_path: Path) -> None:
    """Three endless portals in one crawl process, and one more waiting for a place:
    SIGTERM to `schedule run-now` stops the three cleanly, starts the fourth never."""
    folder, data = tmp_path / "schedules", tmp_path / "data"
    routes = {"/tin-tuc": endless_listing(per_page=5), "/article.html": numbered_article()}
    hosts = [f"127.0.0.{n}" for n in range(2, 6)]
    with contextlib.ExitStack() as stack:
        servers = [stack.enter_context(HostileServer(routes, host=host)) for host in hosts]
        sites = [server.url("/tin-tuc") for server in servers]
        lines = ["[job.endless]", f"sites = {json.dumps(sites)}", 'cron = "30 2 * * *"',
                 "[job.endless.settings]", 'PORTAL_CRAWL_PROCESSES = "1"',
                 'PORTAL_SITES_PER_PROCESS = "3"', 'PORTAL_MAX_LISTING_PAGES = "0"',
                 'PORTAL_REQUISITES = "False"', 'DOWNLOAD_DELAY = "0.02"']
        folder.mkdir()
        (folder / "endless.toml").write_text("\n".join(lines) + "\n", "utf-8")
        proc = subprocess.Popen([*CLI, "schedule", "run-now", "endless", "--schedules",
                                 str(folder), "--data", str(data)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while not all(_article_hits(server) >= 3 for server in servers[:3]):
                assert time.monotonic() < deadline, "three sites crawling"
                time.sleep(0.1)
            proc.send_signal(signal.SIGTERM)
            _, stderr = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 143, stderr
    assert "Traceback" not in stderr
    errors = [line for line in stderr.splitlines() if "error:" in line]
    assert len([e for e in errors if "interrupted by SIGTERM" in e]) == 3, errors
    assert len([e for e in errors if "not started: stopped by SIGTERM" in e]) == 1, errors
    db = sqlite3.connect(data / "catalog.sqlite")
    assert sorted(s for (s,) in db.execute("SELECT status FROM runs")) == ["interrupted"] * 3
    assert len(runlog.runs(data, "endless")) == 3  # the fourth never began: no record
    assert not list((data / "warc").rglob("*.open"))
    verified = run_cli("verify", "--data", str(data))
    assert verified.returncode == 0, verified.stdout
