"""`portal-archive schedule run` / `run-now`: real APScheduler, real demo portal, real
crawl processes, kill -9 and SIGTERM."""

from __future__ import annotations

import itertools
import json
import socket
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from portal_archive.archive.lock import acquire, release
from portal_archive.crawler.demo.portal import DemoPortal
from portal_archive.schedules import runlog
from tests.portals import Portals

from ..conftest import TEST_CRAWL_SETTINGS, run_cli
from .conftest import Scheduler, finished_runs, job_toml, wait_until

# Two jobs due every second on the same site: they take turns, never crawl it together.
JOBS = ("every-second", "also-every-second")


def _moment(text: str | None) -> datetime:
    assert text is not None
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def _stored_next_run(data: Path, job: str) -> datetime:
    """The job's next run time as APScheduler's SQLAlchemyJobStore keeps it."""
    with sqlite3.connect(data / "scheduler.sqlite") as db:
        (value,) = db.execute("SELECT next_run_time FROM apscheduler_jobs WHERE id = ?",
                              (job,)).fetchone()
    return datetime.fromtimestamp(value, UTC)


def test_kill_9_and_restart_loses_no_run_duplicates_none_and_never_overlaps(
    tmp_path: Path, small_portal: DemoPortal
) -> None:
    folder, data = tmp_path / "schedules", tmp_path / "data"
    folder.mkdir()
    (folder / "fast.toml").write_text("".join(job_toml(j, small_portal) for j in JOBS), "utf-8")

    first = Scheduler(folder, data, tmp_path / "first.log")
    try:
        # A few runs done and one crawling: kill -9 in the middle of it.
        # Both jobs must have had a turn: on a loaded machine one job can win the
        # first few fire times.
        wait_until(lambda: len(finished_runs(data)) >= 3
                   and {r.job for r in finished_runs(data)} == set(JOBS)
                   and any(r.ended is None for r in runlog.runs(data)),
                   60, "finished runs of both jobs and one in flight")
        first.kill()
    finally:
        first.cleanup()
    killed_at = datetime.now(UTC)
    in_flight = [r.id for r in runlog.runs(data) if r.ended is None]
    # The first fire time of each job that the dead scheduler never saw.
    due = {job: _stored_next_run(data, job) for job in JOBS}
    time.sleep(4)  # fire times pass while no scheduler runs

    restarted_at = datetime.now(UTC)
    second = Scheduler(folder, data, tmp_path / "second.log")
    try:
        wait_until(lambda: all(any(r.due_since == runlog.iso(due[job]) and r.ended
                                   for r in runlog.runs(data, job)) for job in JOBS),
                   40, "each job's missed runs to run")
        wait_until(lambda: second.text().count("were missed while the scheduler was not") == 2,
                   10, "the scheduler to say what it missed")
        assert second.terminate() == 0  # SIGTERM, with a crawl likely in flight
    finally:
        second.cleanup()
    log = first.text() + second.text()
    assert "scheduler stopped" in second.text()
    assert "Traceback" not in log
    runs = runlog.runs(data)

    # Every run recorded its end, those in flight at kill -9 too (their crawls went on),
    # and the one SIGTERM stopped.
    assert in_flight and all(run.ended is not None for run in runs), runs
    assert all(run.status == 0 for run in runs if run.id in in_flight), runs

    # No overlap: one crawl of the site at a time, across jobs and both schedulers.
    ordered = sorted(runs, key=lambda r: r.started)
    for before, after in itertools.pairwise(ordered):
        assert before.ended is not None and before.ended <= after.started, (before, after)

    for job in JOBS:
        mine = [run for run in runs if run.job == job]
        # No duplicated run: no fire time served twice.
        scheduled = [run.scheduled for run in mine]
        assert len(set(scheduled)) == len(scheduled), scheduled

        # No lost run: the fire times missed while down ran, once, when it came back.
        [catch_up] = [run for run in mine if run.due_since == runlog.iso(due[job])]
        assert _moment(catch_up.scheduled) >= killed_at + timedelta(seconds=3)
        assert timedelta(0) < _moment(catch_up.started) - restarted_at < timedelta(seconds=15)
        assert not [run for run in mine if due[job] <= _moment(run.scheduled)
                    < _moment(catch_up.scheduled)], "a missed fire time ran on its own"
        # Every other run served one fire time of its own.
        assert all(run.due_since == run.scheduled for run in mine if run is not catch_up)
        [missed] = [line for line in second.text().splitlines()
                    if f"job {job!r}: " in line and "were missed" in line]
        assert int(missed.split(" run(s) due since")[0].rsplit(" ", 1)[1]) >= 3, missed
    assert {run.job for run in runs if _moment(run.started) < killed_at} == set(JOBS)


def test_hot_reload_add_change_invalid_remove(tmp_path: Path, small_portal: DemoPortal) -> None:
    folder, data = tmp_path / "schedules", tmp_path / "data"
    folder.mkdir()
    nightly = folder / "nightly.toml"
    nightly.write_text(job_toml("nightly", small_portal, cron="30 2 * * *", seconds=None),
                       "utf-8")
    scheduler = Scheduler(folder, data, tmp_path / "scheduler.log")
    try:
        scheduler.wait_for("scheduler running: 1 job(s)")
        assert "02:30 +07 (Asia/Ho_Chi_Minh)" in scheduler.wait_for("job 'nightly' added")

        # A second scheduler on the same data folder would run every job twice.
        again = run_cli("schedule", "run", "--schedules", str(folder), "--data", str(data),
                        timeout=30)
        assert again.returncode == 1
        assert again.stderr.strip().endswith(f"another scheduler is running for {data}")

        # A new file: its job is scheduled and runs, without a restart.
        fast = folder / "fast.toml"
        fast.write_text(job_toml("fast", small_portal), "utf-8")
        scheduler.wait_for("job 'fast' added")
        wait_until(lambda: finished_runs(data, "fast"), 20, "a run of the new job")

        # An edit: the new time is used.
        nightly.write_text(job_toml("nightly", small_portal, cron="45 3 * * *", seconds=None),
                           "utf-8")
        assert "03:45 +07" in scheduler.wait_for("job 'nightly' rescheduled")

        # An invalid edit is one line in the log, and the jobs stay as they were.
        fast.write_text(job_toml("fast", small_portal).replace("cron =", "cronn = 1\ncron ="),
                        "utf-8")
        line = scheduler.wait_for("the jobs stay as they were")
        assert f"{fast}:3: job 'fast':" in line and "unknown key 'cronn'" in line
        invalid_at = runlog.now()
        wait_until(lambda: [r for r in finished_runs(data, "fast") if r.started > invalid_at],
                   20, "the old job running on after an invalid edit")

        # A removed job runs no more.
        fast.unlink()
        scheduler.wait_for("job 'fast' removed")
        # A crawl started just before the removal records its run from its own process,
        # a moment later on a loaded machine: wait for every started one to end.
        def started() -> int:
            return sum("job 'fast'" in line and "started, pid" in line
                       for line in scheduler.text().splitlines())

        wait_until(lambda: len(runlog.runs(data, "fast")) == started()
                   and all(r.ended for r in runlog.runs(data, "fast")), 20,
                   "the last run of the removed job to end")
        count, launched = len(runlog.runs(data, "fast")), started()
        time.sleep(2.5)
        assert len(runlog.runs(data, "fast")) == count
        assert started() == launched
        assert scheduler.terminate() == 0
    finally:
        scheduler.cleanup()
    assert "Traceback" not in scheduler.text()
    assert not runlog.runs(data, "nightly")


def test_run_now_runs_the_job_in_the_foreground(tmp_path: Path,
                                                small_portal: DemoPortal) -> None:
    folder, data = tmp_path / "schedules", tmp_path / "data"
    folder.mkdir()
    (folder / "nightly.toml").write_text(
        job_toml("nightly", small_portal, cron="30 2 * * *", seconds=None), "utf-8")
    args = ("--schedules", str(folder), "--data", str(data))

    result = run_cli("schedule", "run-now", "nightly", *args)
    assert result.returncode == 0, result.stderr
    assert "articles       6 extracted: 6 new" in result.stdout  # the crawl's own summary
    [run] = runlog.runs(data)
    assert (run.job, run.target, run.scheduled, run.status) == ("nightly", "demo", None, 0)

    # Its exit status is the crawl's: here the site is being crawled already.
    acquire(data, "demo")
    try:
        busy = run_cli("schedule", "run-now", "nightly", *args)
    finally:
        release(data, "demo")
    assert busy.returncode == 1
    assert "another crawl or repair of site 'demo' is running" in busy.stderr

    unknown = run_cli("schedule", "run-now", "nosuch", *args)
    assert unknown.returncode == 1
    assert unknown.stderr.strip() == (f"portal-archive: error: no job 'nosuch' in {folder}"
                                      " (jobs: nightly)")


def test_a_scheduled_job_of_several_sites_in_one_process_says_each(tmp_path: Path) -> None:
    """`schedule run`: a job's three portals dealt to one crawl process (a pool), a fourth
    listing that cannot be fetched among them: each site its own run record and its own
    line in the scheduler's log, the failed one quoting its own error."""
    folder, data = tmp_path / "schedules", tmp_path / "data"
    folder.mkdir()
    with Portals(count=3, articles=2, images=0) as portals:
        with socket.socket() as probe:  # a port nothing listens on, once closed
            probe.bind(("127.0.0.1", 0))
            dead = f"http://127.0.0.1:{probe.getsockname()[1]}/tin-tuc"
        sites = [*portals.listing_urls, dead]
        settings = {**TEST_CRAWL_SETTINGS, "PORTAL_CRAWL_PROCESSES": "1"}
        lines = ["[job.communes]", f"sites = {json.dumps(sites)}", 'cron = "* * * * *"',
                 'seconds = "*/30"', "[job.communes.settings]",
                 *(f'{name} = "{value}"' for name, value in settings.items())]
        (folder / "communes.toml").write_text("\n".join(lines) + "\n", "utf-8")
        scheduler = Scheduler(folder, data, tmp_path / "scheduler.log")
        try:
            wait_until(lambda: len(finished_runs(data, "communes")) >= 4, 60, "four runs")
            wait_until(lambda: scheduler.text().count("job 'communes': crawl of ") >= 4,
                       10, "a line for each site")
            assert scheduler.terminate() == 0
        finally:
            scheduler.cleanup()
    runs = finished_runs(data, "communes")[:4]
    assert len({run.pid for run in runs}) == 1  # one process crawled them all
    assert len({run.scheduled for run in runs}) == 1
    assert sorted(run.status for run in runs) == [0, 0, 0, 1]
    log = scheduler.text()
    for host in portals.hosts:
        assert f"crawl of {host}:{portals.port} ended with exit status 0" in log
    [failed] = [line for line in log.splitlines() if "failed with exit status 1" in line]
    assert f"could not crawl 127.0.0.1:{dead.split(':')[2].split('/')[0]}" in failed, failed
    assert "Traceback" not in log
