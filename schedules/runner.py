"""`portal-archive schedule run`: APScheduler 3 over the schedule files.

* Jobs live in a persistent SQLAlchemyJobStore (``<data>/scheduler.sqlite``), so a job
  whose time passed while the scheduler was down is seen as due when it comes back;
  ``coalesce=True`` and no misfire limit run it once, however many times it was missed.
* ``max_instances=1``: a job still crawling when it is due again is not started twice.
  Across jobs, each crawl takes its site's lock (archive/lock.py) and waits for it,
  so no two crawls of one site ever run at once.
* A job's sites are dealt among at most PORTAL_CRAWL_PROCESSES crawl processes
  (schedules/processes.py, schedules/worker.py, handed the crawls' CrawlSpecs), each
  crawling its share side by side (crawler/pool.py), started before APScheduler marks
  the fire time as done; the worker, holding each site's lock, skips a fire time it
  finds already run for that site. So a kill -9 at any moment loses no run and runs
  none twice.
* The schedule folder is polled; an edit is reconciled into the job store (added,
  changed, removed jobs) without a restart, and an invalid edit keeps the old jobs.
* A full data disk stops nothing for good: a job-store write that fails waits in memory
  (schedules/jobstore.py), and each failed crawl is one line in this log quoting the
  crawl's first error, which its own log file may not have room for (schedules/report.py).
* SIGTERM or SIGINT: no new crawls; running crawls get SIGTERM (Scrapy stops cleanly,
  closing its WARC files; the cut-short run makes the site's next crawl page through
  every listing, so nothing is missed) and are killed after the grace period; exit 0.
"""

from __future__ import annotations

import concurrent.futures
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from types import FrameType, MappingProxyType
from typing import TYPE_CHECKING, Any

from apscheduler.events import EVENT_JOB_MAX_INSTANCES, JobSubmissionEvent
from apscheduler.executors.base import BaseExecutor
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.job import Job as SchedulerJob
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy.exc import OperationalError

from portal_archive.archive.datadir import DataDir
from portal_archive.archive.errors import PortalArchiveError
from portal_archive.archive.lock import acquire, release
from portal_archive.archive.stamps import utc_compact
from portal_archive.crawler.run import project_settings
from portal_archive.crawler.spec import CrawlSpec
from portal_archive.schedules import runlog, worker
from portal_archive.schedules.config import (
    Job,
    format_local,
    load_jobs,
    schedule_files,
)
from portal_archive.schedules.jobstore import DiskFullTolerantJobStore, db_error_reason
from portal_archive.schedules.processes import deal, process_count, run_in_processes
from portal_archive.schedules.report import FailureWatch

if TYPE_CHECKING:
    from procrastinate import App

log = logging.getLogger("schedules")

# Read-only: the same defaults for every job, whoever reads them.
JOB_DEFAULTS: Mapping[str, Any] = MappingProxyType({
    "coalesce": True,  # N missed fire times run once
    "max_instances": 1,  # a job still running when due again is not started twice
    "misfire_grace_time": None,  # however late (a machine off for a week): run it once
})


class Crawls:
    """The crawl processes one scheduler has started and not yet seen end, so that a stop
    reaches each of them; once stopping, no new one starts."""

    def __init__(self, *, verbose: bool = False) -> None:
        self.verbose = verbose  # `schedule run -v`: Scrapy's INFO lines in the crawls' logs
        self.stopping = threading.Event()
        self._guard = threading.Lock()
        self._running: dict[int, subprocess.Popen[bytes]] = {}

    def start(self, begin: Callable[[], subprocess.Popen[bytes]]
              ) -> subprocess.Popen[bytes] | None:
        """``begin()`` a crawl process, kept here; None once stopping (nothing begun)."""
        with self._guard:  # a stop waits for a crawl being started, then sees it
            if self.stopping.is_set():
                return None
            process = begin()
            self._running[process.pid] = process
            return process

    def ended(self, process: subprocess.Popen[bytes]) -> None:
        with self._guard:
            self._running.pop(process.pid, None)

    def stop(self) -> list[subprocess.Popen[bytes]]:
        """No new crawls from now; the ones still running, for the caller to stop."""
        with self._guard:
            self.stopping.set()
            return list(self._running.values())


# -- one run of a job ----------------------------------------------------------
@dataclass
class Hand:
    """One crawl process of a launch: the targets dealt to it, its log and its pipe."""

    targets: list[str]
    logfile: Path
    process: subprocess.Popen[bytes]
    watch: FailureWatch


@dataclass
class Launch:
    """The crawl processes of one fire time of a job, started together, its sites dealt
    among them (schedules/processes.py); each site waits for its own lock."""

    job: Job
    scheduled: datetime
    crawls: Crawls
    data: Path
    hands: list[Hand] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    def wait(self) -> dict[str, int]:
        statuses = {}
        for hand in self.hands:
            status = hand.process.wait()
            self.crawls.ended(hand.process)
            took = time.monotonic() - self.started
            recorded = self._recorded()
            for target in hand.targets:
                # A process of one site ends as its crawl; of several, each has its record.
                mine = status if len(hand.targets) == 1 else recorded.get(target, status)
                statuses[target] = mine
                self._say(target, mine, took, hand)
        return statuses

    def _recorded(self) -> dict[str, int]:
        """Each target's exit status as its run record says (scheduler.sqlite)."""
        try:
            runs = runlog.runs(self.data, self.job.name)
        except (sqlite3.Error, OSError):
            return {}
        scheduled = runlog.iso(self.scheduled)
        return {run.target: run.status for run in runs
                if run.scheduled == scheduled and run.status is not None}

    def _say(self, target: str, status: int, took: float, hand: Hand) -> None:
        if status == 0:
            log.info("job %r: crawl of %s ended with exit status 0 after %.1f s (log %s)",
                     self.job.name, target, took, hand.logfile)
        else:  # one line, with the crawl's own first word on it: its log may be empty
            log.error("job %r: crawl of %s failed with exit status %s after %.1f s: %s"
                      " (log %s)", self.job.name, target, status, took,
                      hand.watch.line(target), hand.logfile)


def start_run(job: dict[str, Any], data: str, scheduled: datetime | None = None,
              due_since: datetime | None = None, crawls: Crawls | None = None,
              queue: App | None = None) -> Launch:
    """Start the crawls of one fire time of ``job`` (the job store keeps this function's
    name and arguments; CrawlExecutor passes ``scheduled``, ``due_since``, the earliest
    fire time coalesced into it, its ``crawls``, and with ``--queue`` the ``queue`` where
    one job per site is deferred instead). Returns at once; :meth:`Launch.wait` waits."""
    scheduled = scheduled or datetime.now(UTC)
    due_since = due_since or scheduled
    crawls = crawls or Crawls()
    planned = Job.from_kwargs(job)
    root = Path(data)
    if queue is not None:  # the workers crawl: only the jobs are deferred here
        try:
            enqueue_job(queue, planned, scheduled)
        except PortalArchiveError as exc:  # the queue's server away: the next fire time
            log.error("job %r: %s", planned.name, exc)
        return Launch(planned, scheduled, crawls, root)
    # Every target's spec first: a bad one (a secret gone from the environment) starts none.
    targets = [(target.label, planned.crawl_spec(target, root, verbose=crawls.verbose))
               for target in planned.targets()]
    logs = root / "logs"
    try:
        logs.mkdir(parents=True, exist_ok=True)
    except OSError:
        pass  # a full disk: the crawl still runs, and says so through its report pipe
    launch = Launch(planned, scheduled, crawls, root)
    hands = deal(targets, process_count(targets[0][1])) if targets else []
    for hand in hands:
        labels = [label for label, _spec in hand]
        logfile = logs / _log_name(scheduled, planned.name, labels)
        read, write = os.pipe()
        argv = worker.command(planned.name, labels, scheduled=runlog.iso(scheduled),
                              due_since=runlog.iso(due_since), log=logfile, wait=True,
                              report_fd=write)
        specs = [spec for _label, spec in hand]
        try:
            process = crawls.start(partial(_start_worker, specs, argv, logfile, write))
        except OSError as exc:  # the job's other sites still get their crawl
            os.close(read)
            log.error("job %r: could not start the crawl of %s: %s", planned.name,
                      ", ".join(labels), exc)
            continue
        finally:
            os.close(write)  # the child's copy is the only one: EOF when it ends
        if process is None:  # the scheduler is stopping
            os.close(read)
            break
        launch.hands.append(Hand(labels, logfile, process, FailureWatch(read)))
        due = format_local(scheduled, planned.timezone, seconds=planned.seconds is not None)
        for label in labels:
            log.info("job %r (due %s): crawl of %s started, pid %d, log %s", planned.name,
                     due, label, process.pid, logfile)
    return launch


def enqueue_job(queue: App, job: Job, night: datetime) -> list[int]:
    """Defer one crawl per site of ``job`` for its fire time ``night``, each said in one
    line (a site already waiting is not deferred again); the new jobs' ids."""
    from portal_archive.schedules.queue import enqueue, queue_failure

    ids = []
    with queue_failure("could not queue the crawls"), queue.open():
        for target in job.targets():
            site = " ".join(target.listings) if target.listings else target.site
            job_id = enqueue(queue, site=site, settings=dict(job.settings),
                             backfill=job.backfill, night=runlog.iso(night), job=job.name)
            if job_id is None:
                log.info("job %r: crawl of %s is already waiting in the queue; not queued"
                         " again", job.name, target.label)
                continue
            ids.append(job_id)
            log.info("job %r: crawl of %s queued (queue job %d)", job.name, target.label,
                     job_id)
    return ids


def _log_name(scheduled: datetime, job: str, labels: list[str]) -> str:
    """``<stamp>-<job>-<first target>[-and-N-more].log``: one log per crawl process."""
    name = labels[0].replace(":", "_").replace("/", "_")
    more = f"-and-{len(labels) - 1}-more" if len(labels) > 1 else ""
    return f"{utc_compact(scheduled)}-{job}-{name}{more}.log"


def _start_worker(specs: list[CrawlSpec], argv: list[str], logfile: Path,
                  report_fd: int) -> subprocess.Popen[bytes]:
    """One worker process, its output in ``logfile``, its stderr copied to ``report_fd``."""
    try:
        out: Any = open(logfile, "ab")  # noqa: SIM115 - closed below, the child has it
    except OSError:  # a full disk may refuse even an empty file: the pipe still tells
        out = subprocess.DEVNULL
    try:
        # A session of its own: Ctrl-C at the scheduler's terminal reaches the
        # scheduler alone, which then stops each crawl once, cleanly.
        return worker.spawn(specs, argv, stdout=out, stderr=subprocess.STDOUT,
                            start_new_session=True, pass_fds=(report_fd,))
    finally:
        if out is not subprocess.DEVNULL:
            out.close()


class CrawlExecutor(BaseExecutor):
    """An APScheduler executor (its public ``BaseExecutor`` hook) whose crawls start
    *during* submission, then wait in a thread of its pool.

    APScheduler records a fire time as done (the job's next run time, in the store) right
    after submitting it. Starting the crawl processes before that, here, leaves no moment
    where a kill -9 would lose the run; the thread then only waits for them. The job
    function is also told which fire time it serves, which the run record keeps, and the
    scheduler's :class:`Crawls`, which a stop reaches.
    """

    def __init__(self, crawls: Crawls, max_workers: int = 64, queue: App | None = None
                 ) -> None:
        super().__init__()
        self.crawls = crawls
        self.queue = queue  # `--queue`: defer the crawls instead
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers)

    def _do_submit_job(self, job: SchedulerJob, run_times: list[datetime]) -> None:
        # With coalesce=True the list holds one fire time: the latest one due. The job's
        # next run time, not yet moved on, is the earliest one due: they differ when runs
        # were missed (the scheduler was down), and the run record says so.
        scheduled = run_times[-1]
        due_since = job.next_run_time or scheduled
        future: concurrent.futures.Future[Any]
        try:
            queued = {"queue": self.queue} if self.queue is not None else {}
            launch = job.func(*job.args, scheduled=scheduled, due_since=due_since,
                              crawls=self.crawls, **queued, **job.kwargs)
        except Exception as exc:  # reported as the job's error; the scheduler goes on
            log.error("job %r: could not start its crawls: %s", job.id, exc)
            future = self._pool.submit(_reraise, exc)
        else:
            future = self._pool.submit(launch.wait)

        def done(future: concurrent.futures.Future[Any]) -> None:
            exc = future.exception()
            if exc is not None:
                self._run_job_error(job.id, exc, exc.__traceback__)
            else:
                self._run_job_success(job.id, [])

        future.add_done_callback(done)

    def shutdown(self, wait: bool = True) -> None:
        self._pool.shutdown(wait)


def _reraise(exc: BaseException) -> None:
    raise exc


# -- the scheduler ---------------------------------------------------------------
def serve(data: Path, folder: Path, *, poll: float = 2.0, grace: float = 60.0,
          verbose: bool = False, queue_url: str | None = None) -> int:
    """Run the scheduler until SIGTERM or SIGINT; 0 then. Errors before it starts (bad
    schedule files, another scheduler on ``data``, a queue it cannot reach) raise
    PortalArchiveError. With ``queue_url`` it defers the crawls to the workers and
    delivers their events (schedules/delivery.py)."""
    _log_to_stderr()
    crawls = Crawls(verbose=verbose)
    data = data.resolve()
    DataDir(data).ensure_writable()
    jobs = load_jobs(folder)  # an invalid file at start is an error, before anything runs
    queue = None
    if queue_url is not None:
        from portal_archive.schedules.queue import open_queue

        queue = open_queue(queue_url)
    # One scheduler per data folder: two would run every job twice.
    acquire(data, SCHEDULER_LOCK, busy=f"another scheduler is running for {data}")
    scheduler = BackgroundScheduler(
        jobstores={"default": DiskFullTolerantJobStore(url=f"sqlite:///{runlog.path(data)}"),
                   DELIVERY_STORE: MemoryJobStore()},
        executors={"default": CrawlExecutor(crawls, queue=queue),
                   DELIVERY_STORE: ThreadPoolExecutor(1)},
        job_defaults=JOB_DEFAULTS,
        timezone=UTC,
    )
    stop = threading.Event()
    hurry = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        (hurry if stop.is_set() else stop).set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    def on_busy(event: JobSubmissionEvent) -> None:
        job = jobs.get(event.job_id)
        due = event.scheduled_run_times[-1]
        log.info("job %r (due %s): its previous run is still going, so not started again",
                 event.job_id, format_local(due, job.timezone, seconds=job.seconds is not None)
                 if job else due.isoformat())

    scheduler.add_listener(on_busy, EVENT_JOB_MAX_INSTANCES)
    try:
        scheduler.start(paused=True)  # reconcile the store with the files before anything runs
    except OperationalError as exc:  # e.g. a full disk, and no job store yet
        release(data, SCHEDULER_LOCK)
        raise PortalArchiveError(f"cannot open the job store {runlog.path(data)}:"
                                 f" {db_error_reason(exc)}") from None
    try:
        _report_missed(scheduler, jobs)
        pending = not _apply(scheduler, jobs, data, quiet=False)
        if queue is not None:
            every = project_settings().getfloat("PORTAL_DELIVERY_SECONDS")
            scheduler.add_job(_deliver, "interval", seconds=every, args=(data, lambda: jobs),
                              id="deliver-events", jobstore=DELIVERY_STORE,
                              executor=DELIVERY_STORE, next_run_time=datetime.now(UTC),
                              **JOB_DEFAULTS)
        scheduler.resume()
        log.info("scheduler running: %d job(s) from %s, data in %s (pid %d)",
                 len(jobs), folder, data, os.getpid())
        seen = _stamp(folder)
        while not stop.wait(poll):
            now = _stamp(folder)
            if now == seen and not pending:
                continue
            if now != seen:
                seen = now
                try:
                    jobs = load_jobs(folder)
                except PortalArchiveError as exc:
                    log.error("%s; the jobs stay as they were", exc)
                    continue
                log.info("schedule files changed: reloading %s", folder)
            pending = not _apply(scheduler, jobs, data, quiet=pending)
    finally:
        _shutdown(scheduler, crawls, grace, hurry)
        if queue is not None:
            _deliver(data, lambda: jobs)  # what the workers wrote last
        release(data, SCHEDULER_LOCK)
    return 0


DELIVERY_STORE = "delivery"  # the delivery job's store and executor: in memory, its own


def _deliver(data: Path, jobs: Callable[[], dict[str, Job]]) -> None:
    """The delivery job: the workers' events out, once; a failure is one line, and the
    events wait for the next time."""
    from portal_archive.schedules.delivery import archive_root, deliver

    try:
        sent = deliver(data, jobs())
    except Exception as exc:  # e.g. the catalog locked too long, a full disk
        log.error("could not deliver the events: %s: %s; trying again next time",
                  exc.__class__.__name__, exc)
        return
    if sent:
        log.info("%d event(s) delivered to %s", sent, DataDir(archive_root(data)).events)


def _apply(scheduler: BackgroundScheduler, jobs: dict[str, Job], data: Path, *,
           quiet: bool) -> bool:
    """reconcile(), or False if the job store refused (said once: retried every poll)."""
    try:
        reconcile(scheduler, jobs, data)
    except Exception as exc:  # e.g. the job store's file locked too long, or a full disk
        if not quiet:
            log.error("could not apply the schedule files to the job store: %s;"
                      " trying again at every poll", exc)
        return False
    if quiet:
        log.info("the schedule files are applied to the job store")
    return True


def reconcile(scheduler: BackgroundScheduler, jobs: dict[str, Job], data: Path) -> None:
    """Make the job store hold exactly ``jobs``: add, change or remove. A job whose times
    are unchanged keeps its next run time (and so its missed runs)."""
    stored = {job.id: job for job in scheduler.get_jobs(jobstore="default")}
    for name in sorted(stored.keys() - jobs.keys()):
        scheduler.remove_job(name)
        log.info("job %r removed", name)
    for name, job in jobs.items():
        kwargs = {"job": job.to_kwargs(), "data": str(data)}
        old = stored.get(name)
        try:
            before = Job.from_kwargs(old.kwargs["job"]) if old is not None else None
        except (KeyError, TypeError, AttributeError):  # stored by an older version
            scheduler.remove_job(name)
            old = before = None
        if old is None or before is None:
            added = scheduler.add_job(start_run, trigger=job.trigger(), id=name, name=name,
                                      kwargs=kwargs, **JOB_DEFAULTS)
            log.info("job %r added (%s): next run %s", name, job.where, _next(added, job))
            continue
        if before.when() != job.when():
            scheduler.modify_job(name, kwargs=kwargs)
            moved = scheduler.reschedule_job(name, trigger=job.trigger())
            log.info("job %r rescheduled (%s): next run %s", name, job.where, _next(moved, job))
        elif old.kwargs != kwargs:
            changed = scheduler.modify_job(name, kwargs=kwargs)
            log.info("job %r changed (%s): next run %s", name, job.where, _next(changed, job))


def _next(stored: SchedulerJob, job: Job) -> str:
    moment = stored.next_run_time
    if moment is None:
        return "never"
    return format_local(moment, job.timezone, seconds=job.seconds is not None)


def _report_missed(scheduler: BackgroundScheduler, jobs: dict[str, Job]) -> None:
    now = datetime.now(UTC)
    for stored in scheduler.get_jobs(jobstore="default"):
        job = jobs.get(stored.id)
        due = stored.next_run_time
        if job is None or due is None or due > now:
            continue
        try:
            if Job.from_kwargs(stored.kwargs["job"]).when() != job.when():
                continue  # rescheduled: the new times start from now
        except (KeyError, TypeError, AttributeError):
            continue
        missed, moment = 0, due
        while moment is not None and moment <= now and missed < 10_000:
            missed += 1
            moment = stored.trigger.get_next_fire_time(moment, moment)
        log.warning("job %r: %s run(s) due since %s were missed while the scheduler was not"
                    " running; it runs once now", stored.id,
                    f"{missed}+" if missed >= 10_000 else missed,
                    format_local(due, job.timezone, seconds=job.seconds is not None))


def _shutdown(scheduler: BackgroundScheduler, crawls: Crawls, grace: float,
              hurry: threading.Event) -> None:
    running = crawls.stop()
    log.info("stopping: no new crawls; %d running crawl(s) get SIGTERM and up to %g s to end",
             len(running), grace)
    if scheduler.running:
        scheduler.shutdown(wait=False)
    for process in running:
        _signal(process, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while any(p.poll() is None for p in running) and time.monotonic() < deadline:
        if hurry.wait(0.1):
            break
    for process in running:
        if process.poll() is None:
            log.warning("crawl pid %d did not stop in time: killed", process.pid)
            _signal(process, signal.SIGKILL)
            process.wait()
    log.info("scheduler stopped")


def _signal(process: subprocess.Popen[bytes], signum: int) -> None:
    try:
        process.send_signal(signum)
    except ProcessLookupError:
        pass


SCHEDULER_LOCK = ".scheduler"


def _stamp(folder: Path) -> tuple[tuple[str, int, int], ...] | None:
    try:
        files = schedule_files(folder)
        return tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in files)
    except (OSError, PortalArchiveError):
        return None


# -- run-now ---------------------------------------------------------------------
def run_now(data: Path, folder: Path, name: str, *, verbose: bool = False,
            queue_url: str | None = None) -> int:
    """Run one job's crawls now, in the foreground, dealt among its crawl processes
    (schedules/processes.py); the first non-zero exit status of its crawls is the
    command's. With ``queue_url``: defer them to the workers, and return 0."""
    jobs = load_jobs(folder)
    if name not in jobs:
        known = ", ".join(sorted(jobs)) or "none"
        raise PortalArchiveError(f"no job {name!r} in {folder} (jobs: {known})")
    job = jobs[name]
    if queue_url is not None:
        from portal_archive.schedules.queue import open_queue

        _log_to_stderr()
        enqueue_job(open_queue(queue_url), job, datetime.now(UTC))
        return 0
    data = data.resolve()
    DataDir(data).ensure_writable()
    targets = [(target.label, job.crawl_spec(target, data, verbose=verbose))
               for target in job.targets()]
    return run_in_processes(job.name, targets)


# -- logging ---------------------------------------------------------------------
class _OneLine(logging.Formatter):
    """One line per event, tracebacks cut to the exception's first line."""

    def format(self, record: logging.LogRecord) -> str:
        record.message = record.getMessage()
        record.asctime = self.formatTime(record, self.datefmt)
        line = (self.formatMessage(record).splitlines() or [""])[0]
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            first = (str(exc).splitlines() or [""])[0]
            line += f" ({exc.__class__.__name__}: {first})"
        return line


def _not_busy(record: logging.LogRecord) -> bool:
    # APScheduler's "skipped: maximum number of running instances reached" is said more
    # briefly by serve()'s listener.
    return "maximum number of running instances" not in str(record.msg)


def _log_to_stderr() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_OneLine("%(asctime)s %(levelname)s %(message)s"))
    handler.addFilter(_not_busy)
    for name, level in (("schedules", logging.INFO), ("apscheduler", logging.WARNING)):
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(level)
        logger.propagate = False

