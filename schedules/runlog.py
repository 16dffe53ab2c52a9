"""The record of every scheduled crawl: table ``schedule_runs`` in ``<data>/scheduler.sqlite``
(beside APScheduler's own job table).

The crawl's process writes its own row (schedules/worker.py): started once it holds the
site's lock, ended before it lets the lock go. So the record stays true when the
scheduler itself is killed, and two rows of one site never overlap in time.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from portal_archive.archive.stamps import utc_iso

FILE = "scheduler.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS schedule_runs (
    id        INTEGER PRIMARY KEY,
    job       TEXT NOT NULL,
    target    TEXT NOT NULL,   -- site profile id, or the host of ad-hoc listings
    scheduled TEXT,            -- the fire time served (UTC); NULL for `schedule run-now`
    due_since TEXT,            -- the earliest fire time it stands for: earlier than
                               -- scheduled when missed runs were coalesced into it
    started   TEXT NOT NULL,   -- UTC, once the site's lock was taken
    ended     TEXT,            -- UTC; NULL while running, or if the crawl was killed
    status    INTEGER,         -- the crawl's exit status
    pid       INTEGER NOT NULL,
    log       TEXT             -- the run's log file, NULL when run in the foreground
)
"""


@dataclass(frozen=True)
class Run:
    id: int
    job: str
    target: str
    scheduled: str | None
    due_since: str | None
    started: str
    ended: str | None
    status: int | None
    pid: int
    log: str | None


def path(data: Path) -> Path:
    return Path(data) / FILE


def now() -> str:
    """UTC with microseconds: rows sort and compare as text."""
    return utc_iso(timespec="microseconds")


def iso(moment: datetime) -> str:
    return utc_iso(moment, timespec="microseconds")


def _connect(data: Path) -> sqlite3.Connection:
    # The scheduler's job store writes the same file; wait for it rather than fail.
    db = sqlite3.connect(path(data), timeout=60, isolation_level=None)
    db.execute(_SCHEMA)
    return db


def start(data: Path, job: str, target: str, scheduled: str | None, due_since: str | None,
          log: str | None) -> int | None:
    """Record a run as started, or return None if this fire time of this job and target
    already ran (a fire time started again after the scheduler was killed as it fired).
    Called holding the site's lock, which makes the check and the insert one step."""
    db = _connect(data)
    try:
        if scheduled is not None and db.execute(
            "SELECT 1 FROM schedule_runs WHERE job = ? AND target = ? AND scheduled = ?",
            (job, target, scheduled),
        ).fetchone():
            return None
        cursor = db.execute(
            "INSERT INTO schedule_runs (job, target, scheduled, due_since, started, pid, log)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (job, target, scheduled, due_since, now(), os.getpid(), log),
        )
        return int(cursor.lastrowid or 0)
    finally:
        db.close()


def finish(data: Path, run_id: int, status: int) -> None:
    db = _connect(data)
    try:
        db.execute("UPDATE schedule_runs SET ended = ?, status = ? WHERE id = ?",
                   (now(), status, run_id))
    finally:
        db.close()


def runs(data: Path, job: str | None = None) -> list[Run]:
    if not path(data).exists():
        return []
    db = _connect(data)
    try:
        query = "SELECT * FROM schedule_runs"
        rows = (db.execute(query + " WHERE job = ? ORDER BY id", (job,)) if job
                else db.execute(query + " ORDER BY id"))
        return [Run(*row) for row in rows]
    finally:
        db.close()
