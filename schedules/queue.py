"""The queue of distributed crawls: procrastinate on PostgreSQL (README: Distributed).

One task, ``crawl_site``, one job per site per fire time, deferred by the scheduler
(``schedule run --queue``, ``run-now --queue``) and run by ``portal-archive worker``
(schedules/queue_worker.py). Each job is deferred with ``lock`` and ``queueing_lock`` set
to the site's series (crawler/sites.py series_of): procrastinate runs the jobs of one lock
one at a time, on whichever worker, and refuses a second job of a series while one
waits (``AlreadyEnqueued``: said in one line, not an error).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import psycopg
from procrastinate import App, JobContext, PsycopgConnector, RetryStrategy
from procrastinate.exceptions import AlreadyEnqueued, ProcrastinateException
from procrastinate.schema import SchemaManager
from procrastinate.types import JSONValue

from portal_archive.archive.catalog import reason_of
from portal_archive.archive.errors import PortalArchiveError
from portal_archive.crawler.sites import GENERIC, series_of

QUEUE_ENV = "PORTAL_QUEUE_URL"
TASK = "crawl_site"
# Any fixed 64-bit number: the key of the advisory lock two processes creating the
# schema at once take in turn.
_SCHEMA_LOCK = 0x70_6F_72_74_61_6C  # "portal"
# Seconds before a job given back or refused as busy runs again: a lease renews every
# third of its length, so a few tries see a killed worker's lease expire.
BUSY_WAIT_S = 5
# Each try waits BUSY_WAIT_S longer than the last (5, 10, 15 ... s): 30 tries span about
# 40 minutes, past any lease, then the job fails with the busy line.
BUSY_ATTEMPTS = 30


class CrawlGivenBack(Exception):
    """The worker stopped (SIGTERM) mid-crawl: the job goes back to the queue, and the
    site's next crawl, wherever it runs, pages through every listing."""


class CrawlBusy(Exception):
    """Another crawl holds the site (its lease: perhaps a killed worker's, not yet
    expired; or a hand-started crawl's lock): the job is tried again BUSY_WAIT_S later."""


class CrawlFailed(Exception):
    """The crawl ended with an error: the job fails, its reason in one line."""


async def crawl_site(context: JobContext, site: str, settings: dict[str, str],
                     backfill: bool, night: str, job: str) -> None:
    """One site's crawl: ``site`` a profile id, or the listing URLs of one host (several
    separated by spaces); ``settings`` the schedule job's; ``night`` its fire time."""
    crawl = context.additional_context["crawl"]  # the worker's (schedules/queue_worker.py)
    await crawl(site=site, settings=settings, backfill=backfill, night=night, job=job)


def queue_url(url: str | None) -> str:
    """``--queue URL``, else PORTAL_QUEUE_URL; neither: a one-line refusal."""
    url = url or os.environ.get(QUEUE_ENV, "")
    if not url:
        raise PortalArchiveError(f"no queue: give --queue URL or set {QUEUE_ENV}"
                                 " (the libpq URL of the PostgreSQL database)")
    return url


def open_queue(url: str) -> App:
    """The app on the queue at ``url`` (not yet opened), its ``crawl_site`` task, and
    procrastinate's schema in the database, created if it has none."""
    ensure_schema(url)
    # A few connections are plenty: jobs wait on crawls, not on the database.
    app = App(connector=PsycopgConnector(conninfo=url, min_size=1, max_size=4))
    app.task(name=TASK, pass_context=True,
             retry=RetryStrategy(wait=BUSY_WAIT_S, linear_wait=BUSY_WAIT_S,
                                 max_attempts=BUSY_ATTEMPTS,
                                 retry_exceptions=[CrawlGivenBack, CrawlBusy]))(crawl_site)
    return app


def ensure_schema(url: str) -> None:
    """Create procrastinate's schema if absent: idempotent, and under an advisory lock so
    that a scheduler and workers starting together create it once."""
    try:
        with psycopg.connect(url, connect_timeout=10) as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
            row = conn.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
            if row is None or row[0] is None:
                conn.execute(SchemaManager.get_schema())
    except psycopg.Error as exc:
        raise PortalArchiveError(f"cannot use the queue {_redacted(url)}: {reason_of(exc)}"
                                 ) from None


def task_series(site: str) -> str:
    """The series (lock name) of a task's ``site``.

    >>> task_series("demo"), task_series("http://127.2.0.1:8080/a http://127.2.0.1:8080/b")
    ('demo', 'generic-127.2.0.1_8080')
    """
    listings = site_listings(site)
    return series_of(GENERIC if listings else site, listings)


def site_listings(site: str) -> tuple[str, ...]:
    """A task's listing URLs; none for a profile id."""
    return tuple(site.split()) if "://" in site else ()


def enqueue(queue: App, *, site: str, settings: dict[str, str], backfill: bool, night: str,
            job: str) -> int | None:
    """Defer one site's crawl; its job id, or None when that site already waits."""
    series = task_series(site)
    try:
        job_id: int = queue.configure_task(TASK, lock=series, queueing_lock=series).defer(
            site=site, settings=dict[str, JSONValue](settings), backfill=backfill,
            night=night, job=job)
    except AlreadyEnqueued:
        return None
    return job_id


def job_status(queue: App, job_id: int) -> str:
    return str(queue.job_manager.get_job_status(job_id).value)


@contextmanager
def queue_failure(what: str) -> Iterator[None]:
    """The queue's database failing inside: one line, ``what: reason``."""
    try:
        yield
    except (psycopg.Error, ProcrastinateException) as exc:
        raise PortalArchiveError(f"{what}: {reason_of(exc)}") from None


def _redacted(url: str) -> str:
    """No password in a line: ``postgresql://user@host:port/db``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}@{host}" + (f":{parts.port}" if parts.port else "")
    return parts._replace(netloc=netloc).geturl()

