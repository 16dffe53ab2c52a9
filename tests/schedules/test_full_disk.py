"""`portal-archive schedule run` on a data disk that fills up and then gets space back:
a real tmpfs of a few MB, kept full by a filler file while the scheduler runs."""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from portal_archive.crawler.demo.portal import DemoPortal
from portal_archive.schedules import runlog

from ..conftest import run_cli
from .conftest import Scheduler, finished_runs, job_toml, wait_until


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MB tmpfs: a real filesystem that really runs out of space. Needs mount rights:
    root, or password-less sudo (as on CI runners); skipped without either."""
    disk = tmp_path / "disk"
    disk.mkdir()
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    options = f"size=4m,uid={os.getuid()},gid={os.getgid()},mode=0700"
    try:
        mounted = subprocess.run([*sudo, "mount", "-t", "tmpfs", "-o", options, "tmpfs",
                                  str(disk)], capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"cannot mount a tmpfs here: {exc}")
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield disk
    finally:
        subprocess.run([*sudo, "umount", "-l", str(disk)], check=False, timeout=10)


class Filler:
    """Keeps ``disk`` full: what a failed crawl frees is taken again at once, as other
    writers on a busy disk would."""

    def __init__(self, disk: Path) -> None:
        self.path = disk / "filler"
        self.full = threading.Event()
        self._filled_once = threading.Event()
        self._thread = threading.Thread(target=self._fill, daemon=True)

    def __enter__(self) -> Filler:
        self.full.set()
        self._thread.start()
        assert self._filled_once.wait(10), "the disk did not fill up"
        return self

    def _fill(self) -> None:
        with open(self.path, "wb", buffering=0) as out:
            while self.full.is_set():
                try:
                    out.write(b"\0" * 4096)
                except OSError:
                    self._filled_once.set()
                    self.full.wait(0.01)

    def __exit__(self, *exc: object) -> None:
        self.full.clear()
        self._thread.join(10)
        self.path.unlink()


def test_full_disk_fails_runs_one_line_each_keeps_scheduling_and_recovers(
    tmp_path: Path, small_disk: Path, small_portal: DemoPortal
) -> None:
    folder, data = tmp_path / "schedules", small_disk / "data"
    folder.mkdir()
    (folder / "fast.toml").write_text(job_toml("fast", small_portal), "utf-8")
    scheduler = Scheduler(folder, data, tmp_path / "scheduler.log")  # its log: another disk
    try:
        wait_until(lambda: [r for r in finished_runs(data) if r.status == 0], 30,
                   "a first good run")
        with Filler(small_disk):
            wait_until(lambda: _failures(scheduler.text()).__len__() >= 3, 30,
                       f"three failed runs on the full disk:\n{scheduler.text()}")
            assert scheduler.process.poll() is None
            # A job added meanwhile cannot be stored yet: said once, applied later.
            (folder / "late.toml").write_text(
                job_toml("late", small_portal, cron="30 2 * * *", seconds=None), "utf-8")
            scheduler.wait_for("could not apply the schedule files to the job store")
        freed = runlog.now()
        # Space is back: the next fire time crawls, and records its run, as before.
        wait_until(lambda: [r for r in finished_runs(data) if r.started > freed
                            and r.status == 0], 30, f"a good run after:\n{scheduler.text()}")
        scheduler.wait_for("job 'late' added")
        assert scheduler.terminate() == 0
    finally:
        scheduler.cleanup()
    log = scheduler.text()
    assert log.count("could not apply the schedule files") == 1
    assert "Traceback" not in log and "--- Logging error ---" not in log, log
    # Each failed run is one line, saying why in the crawl's own words, though the crawl's
    # log file on the full disk could hold none of them.
    failures = _failures(log)
    assert all("disk is full" in line or "No space left on device" in line
               for line in failures), failures
    # The job store could not be written while full, and said so once, not per run.
    assert log.count("cannot write the job store") <= 1
    if "cannot write the job store" in log:
        assert "can be written again" in log


def _failures(log: str) -> list[str]:
    return [line for line in log.splitlines()
            if "job 'fast': crawl of demo failed with exit status" in line]


def test_job_store_keeps_unwritable_times_in_memory_and_writes_them_later(
    small_disk: Path,
) -> None:
    from datetime import UTC, datetime, timedelta

    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.interval import IntervalTrigger

    from portal_archive.schedules.jobstore import DiskFullTolerantJobStore

    url = f"sqlite:///{small_disk / 'scheduler.sqlite'}"
    store = DiskFullTolerantJobStore(url=url)
    scheduler = BackgroundScheduler(jobstores={"default": store}, timezone=UTC)
    scheduler.start(paused=True)
    try:
        job = scheduler.add_job(print, IntervalTrigger(hours=1), id="nightly")
        soon = datetime.now(UTC) + timedelta(minutes=5)
        with Filler(small_disk):
            job._modify(next_run_time=soon)
            store.update_job(job)  # the disk is full: no exception
            assert store.lookup_job("nightly").next_run_time == soon
            assert store.get_next_run_time() == soon
            assert store.get_due_jobs(soon - timedelta(seconds=1)) == []
            assert [j.id for j in store.get_due_jobs(soon)] == ["nightly"]
        store.get_due_jobs(datetime.now(UTC))  # space again: written now
        on_disk = DiskFullTolerantJobStore(url=url)
        on_disk.start(scheduler, "other")
        assert on_disk.lookup_job("nightly").next_run_time == soon
        on_disk.shutdown()
    finally:
        scheduler.shutdown(wait=False)


def test_a_scheduler_started_on_a_full_disk_says_so_in_one_line(
    tmp_path: Path, small_disk: Path, small_portal: DemoPortal
) -> None:
    folder, data = tmp_path / "schedules", small_disk / "data"
    folder.mkdir()
    (folder / "fast.toml").write_text(job_toml("fast", small_portal), "utf-8")
    data.mkdir()
    with Filler(small_disk):
        result = run_cli("schedule", "run", "--schedules", str(folder), "--data", str(data),
                         timeout=30)
    assert result.returncode == 1
    assert result.stderr.strip() == (f"portal-archive: error: cannot open the job store"
                                     f" {data / 'scheduler.sqlite'}: database or disk is full")
