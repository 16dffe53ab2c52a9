"""APScheduler's SQLite job store, made to ride out a full disk.

APScheduler writes a job's next run time right after submitting it
(``BaseScheduler._process_jobs``). When that write fails (``database or disk is full``)
the exception ends the scheduler's thread: the process stays up and never starts another
crawl. Here a failed write keeps the job's new state in memory, is said once in the log,
and is written again at every look for due jobs until it goes through; meanwhile every
read sees the in-memory state, so the job keeps its times instead of firing again at once.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from typing import Any

from apscheduler.job import Job
from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from sqlalchemy.exc import OperationalError

log = logging.getLogger("schedules")


class DiskFullTolerantJobStore(SQLAlchemyJobStore):
    """A SQLAlchemyJobStore whose updates wait in memory while the database can't be written."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._unsaved: dict[str, Job] = {}
        self._unsaved_lock = threading.Lock()

    # -- writes ----------------------------------------------------------------
    def update_job(self, job: Job) -> None:
        with self._unsaved_lock:
            try:
                super().update_job(job)
            except OperationalError as exc:  # disk full, I/O error, locked too long
                if not self._unsaved:
                    log.error("cannot write the job store %s (%s); next run times are kept"
                              " in memory until it can be written", self.engine.url,
                              db_error_reason(exc))
                self._unsaved[job.id] = job
            else:
                self._unsaved.pop(job.id, None)

    def remove_job(self, job_id: str) -> None:
        with self._unsaved_lock:
            self._unsaved.pop(job_id, None)
        super().remove_job(job_id)

    def _flush(self) -> None:
        """Write what could not be written before; stop at the first failure."""
        with self._unsaved_lock:
            if not self._unsaved:
                return
            for job in list(self._unsaved.values()):
                try:
                    super().update_job(job)
                except OperationalError:
                    return
                except JobLookupError:  # removed meanwhile
                    pass
                del self._unsaved[job.id]
            log.info("the job store %s can be written again", self.engine.url)

    def shutdown(self) -> None:
        self._flush()
        super().shutdown()

    # -- reads: the in-memory state wins --------------------------------------
    def _current(self, jobs: list[Job]) -> list[Job]:
        with self._unsaved_lock:
            return [self._unsaved.get(job.id, job) for job in jobs]

    def get_due_jobs(self, now: datetime) -> list[Job]:
        self._flush()
        with self._unsaved_lock:
            unsaved = dict(self._unsaved)
        due = [job for job in super().get_due_jobs(now) if job.id not in unsaved]
        due += [job for job in unsaved.values()
                if job.next_run_time is not None and job.next_run_time <= now]
        return sorted(due, key=lambda job: job.next_run_time)

    def get_next_run_time(self) -> datetime | None:
        if not self._unsaved:
            moment: datetime | None = super().get_next_run_time()
            return moment
        times = [job.next_run_time for job in self.get_all_jobs() if job.next_run_time]
        return min(times, default=None)

    def get_all_jobs(self) -> list[Job]:
        jobs = self._current(super().get_all_jobs())
        # As the store sorts them: by next run time, paused jobs (None) last.
        jobs.sort(key=lambda job: (job.next_run_time is None, job.next_run_time or 0))
        return jobs

    def lookup_job(self, job_id: str) -> Job | None:
        with self._unsaved_lock:
            if job_id in self._unsaved:
                return self._unsaved[job_id]
        found: Job | None = super().lookup_job(job_id)
        return found


def db_error_reason(exc: OperationalError) -> str:
    """``database or disk is full`` rather than SQLAlchemy's three-line message."""
    return str(exc.orig) if exc.orig is not None else str(exc).splitlines()[0]
