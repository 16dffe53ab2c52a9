"""Crawl workers and their queue, for real: `portal-archive worker` processes standing in
for machines, and what procrastinate's tables in PostgreSQL say about their jobs.

A "machine" is a worker process with its own local ``--data`` folder and ``--id``; every
machine shares one PostgreSQL database (catalog and queue) and one shared folder
(``PORTAL_SHARED_STORAGE``), as design12 lays out. The distributed e2e test and
bench/workers.py both start them from here.

    env = distributed_env(url, shared)
    with Worker(tmp / "machine-a", "machine-a", url, env) as worker:
        enqueue("nightly", schedules, url, env, data=tmp / "scheduler")
        wait_for_jobs(url, 3)
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import TypeVar

T = TypeVar("T")

# The command line, from this checkout's interpreter (tests/conftest.py's CLI).
CLI = [sys.executable, "-m", "portal_archive.crawler.cli"]
# A crawl job's arguments hold its site (design12: site, settings, backfill, night, job);
# other tasks (the scheduler's delivery, if it is one) are not counted as crawls.
CRAWL_JOBS = "args ? 'site'"
UNFINISHED = ("todo", "doing")


def distributed_env(url: str, shared: Path, **extra: str) -> dict[str, str]:
    """The environment of every process of a distributed archive (design12's table):
    one PostgreSQL database as catalog and queue, one shared folder."""
    shared.mkdir(parents=True, exist_ok=True)  # mounted before any machine starts
    return {**os.environ, "PORTAL_CATALOG_URL": url, "PORTAL_QUEUE_URL": url,
            "PORTAL_SHARED_STORAGE": str(shared), **extra}


class Background:
    """A long-running `portal-archive` command, its output in ``log``."""

    def __init__(self, name: str, args: list[str], log: Path, env: Mapping[str, str]) -> None:
        self.name, self.log = name, log
        log.parent.mkdir(parents=True, exist_ok=True)
        self._out = open(log, "ab")  # noqa: SIM115 - closed in stop()/kill()/__exit__
        self.process = subprocess.Popen([*CLI, *args], stdin=subprocess.DEVNULL,
                                        stdout=self._out, stderr=subprocess.STDOUT, env=dict(env))

    def text(self) -> str:
        return self.log.read_text("utf-8", errors="replace")

    def assert_running(self) -> None:
        """Fail at once, with its output, if it has exited (a wrong option, a crash)."""
        if self.process.poll() is not None:
            text = self.text()
            last = ([t for t in text.splitlines() if t.strip()] or ["no output"])[-1]
            raise AssertionError(f"portal-archive {self.name} exited {self.process.returncode}:"
                                 f" {last.strip()}\n{text[-3000:]}")

    def stop(self, timeout: float = 60) -> int:
        """SIGTERM, as an operator stops it: its exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        finally:
            self._out.close()

    def kill(self) -> None:
        """kill -9: the machine is gone, mid-crawl."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self._out.close()

    def __enter__(self) -> Background:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._out.close()


class Worker(Background):
    """`portal-archive worker`: one machine, its local folder ``data``, log ``<data>.log``."""

    def __init__(self, data: Path, worker_id: str, queue: str, env: Mapping[str, str],
                 concurrency: int = 1, log: Path | None = None) -> None:
        self.data, self.id = data, worker_id
        args = ["worker", "--data", str(data), "--queue", queue, "--id", worker_id,
                "--concurrency", str(concurrency)]
        super().__init__(f"worker {worker_id}", args,
                         log or data.with_name(f"{data.name}.log"), env)


class Scheduler(Background):
    """`portal-archive schedule run --queue URL`: enqueues at fire times and is the one
    place events and alerts leave from (its delivery job)."""

    def __init__(self, data: Path, schedules: Path, queue: str, env: Mapping[str, str]) -> None:
        args = ["schedule", "run", "--queue", queue, "--schedules", str(schedules),
                "--data", str(data), "--poll", "0.5", "--grace", "20"]
        super().__init__("schedule run", args, data.with_name(f"{data.name}.log"), env)


def enqueue(job: str, schedules: Path, queue: str, env: Mapping[str, str], data: Path,
            timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """`schedule run-now JOB --queue URL`: one task per site of the job, then exit."""
    return subprocess.run(
        [*CLI, "schedule", "run-now", job, "--queue", queue, "--schedules", str(schedules),
         "--data", str(data)],
        capture_output=True, text=True, timeout=timeout, env=dict(env), stdin=subprocess.DEVNULL)


def _query(url: str, sql: str) -> list[tuple]:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        try:
            return list(conn.execute(sql))
        except psycopg.errors.UndefinedTable:  # no worker has made the schema yet
            return []


def job_statuses(url: str) -> Counter[str]:
    """How many crawl jobs are in each state (todo, doing, succeeded, failed ...)."""
    rows = _query(url, f"SELECT status::text, count(*) FROM procrastinate_jobs"
                       f" WHERE {CRAWL_JOBS} GROUP BY status")
    return Counter({status: int(n) for status, n in rows})


def live_workers(url: str, within: float = 30) -> int:
    """Workers whose heartbeat is recent: how a test knows its machines are up."""
    rows = _query(url, "SELECT count(*) FROM procrastinate_workers WHERE last_heartbeat"
                       f" > now() - interval '{within:g} seconds'")
    return int(rows[0][0]) if rows else 0


def wait_for_workers(url: str, workers: Sequence[Worker], timeout: float = 60,
                     within: float = 30) -> None:
    """Until the heartbeats of as many workers as ``workers``, each ``within`` seconds old
    at most, are in: the machines are up, their signal handlers set, and take jobs."""
    def up() -> bool:
        for worker in workers:
            worker.assert_running()
        return live_workers(url, within) >= len(workers)

    wait_until(up, timeout, lambda: "every worker's heartbeat\n"
               + "\n".join(f"--- {w.id}\n{w.text()[-2000:]}" for w in workers))


def assert_none_failed(url: str, logs: Callable[[], str] = lambda: "") -> Counter[str]:
    """The crawl jobs' states, failing at once if any job failed."""
    statuses = job_statuses(url)
    if statuses["failed"]:
        raise AssertionError(f"a crawl job failed: {dict(statuses)}\n{logs()}")
    return statuses


def wait_for_jobs(url: str, done: int, timeout: float = 120,
                  logs: Callable[[], str] = lambda: "",
                  running: Iterable[Background] = ()) -> Counter[str]:
    """Until ``done`` crawl jobs have ended and none waits or runs; a failed one, or a
    process of ``running`` that exited, fails at once."""
    def ended() -> Counter[str] | None:
        for process in running:
            process.assert_running()
        statuses = assert_none_failed(url, logs)
        finished = sum(n for s, n in statuses.items() if s not in UNFINISHED)
        busy = any(statuses[s] for s in UNFINISHED)
        return statuses if finished >= done and not busy else None

    return wait_until(ended, timeout, lambda: f"{done} crawl jobs to end:"
                      f" {dict(job_statuses(url))}\n{logs()}")


def wait_until(probe: Callable[[], T | None], timeout: float,
               what: str | Callable[[], str], every: float = 0.1) -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what() if callable(what) else what}")
        time.sleep(every)
