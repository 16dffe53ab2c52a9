"""`portal-archive worker`: one process that takes crawl jobs from the queue
(schedules/queue.py) and crawls them, at most ``--concurrency`` sites at once.

One asyncio loop for everything: Scrapy's reactor is Twisted's asyncio one, the
procrastinate worker runs on its loop, and each job awaits its own Scrapy Crawler in the
long-running pool (crawler/pool.py LivePool). A job is acknowledged when its crawl ends:
succeeded, or failed with the crawl's one-line reason. A worker killed with -9 stops
heartbeating (procrastinate_workers); every worker retries, every few seconds, the jobs of
workers silent for PORTAL_WORKER_STALLED_AFTER seconds, so another finishes the site.
SIGTERM or SIGINT: no new jobs; the running crawls stop cleanly, as `crawl` does, their jobs
go back to the queue (CrawlGivenBack); exit 0.

Its crawls write events to the catalog only (PORTAL_EVENT_DELIVERY "dispatcher"): the
scheduler sends them out once (schedules/delivery.py).
"""

from __future__ import annotations

import asyncio
import logging
import sys
from contextlib import suppress
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
from procrastinate import App
from procrastinate.exceptions import ProcrastinateException
from procrastinate.worker import Worker

from portal_archive.archive.catalog import reason_of
from portal_archive.archive.errors import PortalArchiveError
from portal_archive.archive.heal import heal_staging
from portal_archive.crawler.eventlog import DISPATCHER
from portal_archive.crawler.outcome import stop_signal
from portal_archive.crawler.pool import LivePool, SiteCrawl, hold_stop_signals
from portal_archive.crawler.run import project_settings
from portal_archive.crawler.sites import GENERIC
from portal_archive.crawler.spec import CrawlSpec
from portal_archive.crawler.summary import crawl_summary
from portal_archive.schedules.queue import (
    TASK,
    CrawlBusy,
    CrawlFailed,
    CrawlGivenBack,
    open_queue,
    site_listings,
)

PROG = "portal-archive worker"
log = logging.getLogger("portal_archive.worker")


def stalled_after() -> float:
    """PORTAL_WORKER_STALLED_AFTER (crawler/settings.py reads the environment)."""
    return project_settings().getfloat("PORTAL_WORKER_STALLED_AFTER")


def run_worker(data: Path, url: str, *, concurrency: int, name: str,
               verbose: bool = False) -> int:
    """Run until SIGTERM or SIGINT; 0 then. A queue that cannot be reached, or a data
    folder that cannot be written, is a PortalArchiveError before anything runs."""
    held = hold_stop_signals()
    data = data.resolve()
    folders = CrawlSpec(data).data().ensure_writable()  # and the shared storage, if any
    queue = open_queue(url)
    if folders.staged:  # what a run killed here left in the local folder: shipped first
        for line in heal_staging(folders):
            say(line)
    logging.getLogger("procrastinate.worker").addFilter(_not_said_already)
    defaults = (("PORTAL_SITES_PER_PROCESS", concurrency),
                ("PORTAL_EVENT_DELIVERY", DISPATCHER))
    pool = LivePool(CrawlSpec(data, defaults=defaults, verbose=verbose), held)
    jobs = _Jobs(pool, data, defaults, verbose)
    say(f"{name} taking crawls from the queue, {concurrency} at once, data in {data}")
    try:
        pool.serve(lambda: _work(queue, pool, jobs, concurrency, name))
    except (psycopg.Error, ProcrastinateException) as exc:  # the queue's server went away
        raise PortalArchiveError(f"the queue failed: {reason_of(exc)}") from None
    say(f"{name} stopped")
    return 0


async def _work(queue: App, pool: LivePool, jobs: _Jobs, concurrency: int, name: str
                ) -> None:
    stalled = stalled_after()
    async with queue.open_async():
        worker = Worker(
            queue, name=name, concurrency=concurrency, install_signal_handlers=False,
            update_heartbeat_interval=min(10.0, stalled / 4),
            stalled_worker_timeout=stalled, additional_context={"crawl": jobs.crawl},
            # A retried job (the stalled ones below) sends no notification: poll too.
            fetch_job_polling_interval=min(5.0, stalled / 2))
        running = asyncio.ensure_future(worker.run())
        await asyncio.sleep(0)  # run() has begun: it clears its stop event as it begins
        # Stopped, procrastinate's worker takes no more jobs and waits for the running ones.
        pool.on_stop = worker.stop
        if pool.stopping:  # the signal came before there was a worker to tell
            worker.stop()
        retrier = asyncio.ensure_future(_retry_stalled(queue, worker, stalled))
        try:
            await running
        finally:
            retrier.cancel()
            with suppress(asyncio.CancelledError):
                await retrier


async def _retry_stalled(queue: App, worker: Worker, stalled: float) -> None:
    """Give back the jobs of workers whose heartbeat is older than ``stalled`` seconds
    (killed, or cut off): their lock goes with them, and a worker takes them again.
    Never this worker's own: alive, its heartbeat only came late (a crawl starting holds
    the loop a moment)."""
    manager = queue.job_manager
    while True:
        await asyncio.sleep(max(0.5, stalled / 2))
        try:
            found = await manager.get_stalled_jobs(seconds_since_heartbeat=stalled,
                                                   task_name=TASK)
        except (psycopg.Error, ProcrastinateException) as exc:  # the database away a moment
            say(f"could not look for stalled jobs: {reason_of(exc)}; trying again")
            continue
        for job in found:
            if job.worker_id is not None and job.worker_id == worker.worker_id:
                continue
            try:
                await manager.retry_job(job)
            except (psycopg.Error, ProcrastinateException):
                continue  # another worker gave it back first
            say(f"job {job.id} ({job.task_kwargs.get('site')}) of a worker silent for"
                f" {stalled:g} s: back in the queue")


class _Jobs:
    """The crawl of each job, in the pool: its spec from the job's arguments."""

    def __init__(self, pool: LivePool, data: Path, defaults: tuple[tuple[str, Any], ...],
                 verbose: bool) -> None:
        self.pool, self.data, self.defaults, self.verbose = pool, data, defaults, verbose

    async def crawl(self, *, site: str, settings: dict[str, str], backfill: bool,
                    night: str, job: str) -> None:
        listings = site_listings(site)
        spec = CrawlSpec(self.data, site=GENERIC if listings else site, listings=listings,
                         backfill=backfill, settings=tuple(settings.items()),
                         defaults=self.defaults, verbose=self.verbose)
        label = urlsplit(listings[0]).netloc if listings else site  # as the schedule's
        say(f"crawl of {label} (job {job!r}, night {night}) started")
        ended = await self.pool.crawl(SiteCrawl(label, spec)).asFuture(
            asyncio.get_running_loop())
        if ended.error:
            say(f"error: {ended.error}")
            if stop_signal() is not None:
                raise CrawlGivenBack(ended.error)
            if ended.busy:
                say(f"crawl of {label} tried again later (its site is busy)")
                raise CrawlBusy(ended.error)
            raise CrawlFailed(ended.error)
        assert ended.stats is not None
        print(crawl_summary(ended.stats, spec.data().root), flush=True)


def _not_said_already(record: logging.LogRecord) -> bool:
    """procrastinate's line for a failed job repeats its arguments and the crawl's error,
    which the worker has just said in its own one line."""
    exc = record.exc_info[1] if record.exc_info else None
    return not (getattr(record, "action", "") in ("job_error", "job_error_retry")
                and isinstance(exc, (CrawlFailed, CrawlBusy)))


def say(line: str) -> None:
    print(f"{PROG}: {line}", file=sys.stderr, flush=True)
