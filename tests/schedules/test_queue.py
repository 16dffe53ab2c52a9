"""The distributed crawl on one machine (issue 12, part "queue"): `schedule run-now
--queue` defers one job per site to a real PostgreSQL (procrastinate), `portal-archive
worker` processes crawl them over loopback portals (tests/portals.py), and
`schedule run --queue` delivers the workers' events once."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from portal_archive.crawler.sites import GENERIC, series_of
from tests import workers as machines
from tests.portals import Portals
from tests.webhook import Webhook
from tests.workers import wait_until

from ..conftest import CLI, run_cli, warc_response_urls

# Small, so that a killed worker's job comes back within seconds.
STALLED_AFTER = "2"


def _job(folder: Path, sites: list[str], *, delay: float = 0, notify: str = "") -> None:
    settings = {"DOWNLOAD_DELAY": delay, "AUTOTHROTTLE_START_DELAY": delay,
                "DOWNLOAD_TIMEOUT": 5, "RETRY_TIMES": 1, "PORTAL_REQUISITES": "False"}
    lines = ["[job.communes]", f"sites = {json.dumps(sites)}", 'cron = "30 2 * * *"']
    if notify:
        lines.append(f"notify = [{json.dumps(notify)}]")
    lines += ["[job.communes.settings]", *(f'{k} = "{v}"' for k, v in settings.items())]
    folder.mkdir(exist_ok=True)
    (folder / "communes.toml").write_text("\n".join(lines) + "\n", "utf-8")


def Worker(data: Path, queue: str, log: Path, *, concurrency: int = 4,  # noqa: N802
           name: str = "w1", env: dict[str, str] | None = None) -> machines.Worker:
    """`portal-archive worker` in the background (tests/workers.py), its lines in ``log``,
    a killed worker's jobs back within seconds."""
    return machines.Worker(
        data, name, queue, {**os.environ, "PORTAL_WORKER_STALLED_AFTER": STALLED_AFTER,
                            **(env or {})}, concurrency, log=log)


@pytest.fixture
def workers() -> Iterator[list[machines.Worker]]:
    started: list[machines.Worker] = []
    yield started
    for worker in started:
        worker.__exit__(None, None, None)


def _jobs(queue: str) -> list[tuple[int, str, str, str | None]]:
    try:
        with psycopg.connect(queue) as conn:
            return conn.execute(
                "SELECT id, status::text, args->>'site', lock FROM procrastinate_jobs"
                " ORDER BY id").fetchall()
    except psycopg.errors.UndefinedTable:
        return []


def _statuses(queue: str) -> list[str]:
    return [status for _id, status, _site, _lock in _jobs(queue)]


def _dead_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _enqueue(folder: Path, data: Path, queue: str) -> str:
    done = run_cli("schedule", "run-now", "communes", "--schedules", str(folder),
                   "--data", str(data), "--queue", queue, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stderr


def test_a_worker_crawls_every_queued_site_a_few_at_a_time(
        tmp_path: Path, postgres_url: str, workers: list[machines.Worker]) -> None:
    folder, data = tmp_path / "schedules", tmp_path / "data"
    dead = f"http://127.0.0.1:{_dead_port()}/tin-tuc"
    with Portals(count=4, articles=4, images=0) as portals:
        _job(folder, [*portals.listing_urls, dead], delay=0.2)
        said = _enqueue(folder, data, postgres_url)
        assert said.count("queued (queue job") == 5, said
        # Again while they wait: none is queued twice, each said in one line.
        again = _enqueue(folder, data, postgres_url)
        assert again.count("already waiting in the queue") == 5, again
        assert len(_jobs(postgres_url)) == 5
        assert {lock for *_rest, lock in _jobs(postgres_url)} == {
            series_of(GENERIC, [url]) for url in [*portals.listing_urls, dead]}

        worker = Worker(data, postgres_url, tmp_path / "w1.log", concurrency=2)
        workers.append(worker)
        wait_until(lambda: _statuses(postgres_url) == ["succeeded"] * 4 + ["failed"], 60,
                   lambda: f"{_jobs(postgres_url)}\n{worker.text()}")
        requests = portals.requests()
        assert worker.stop() == 0, worker.text()

    # Every article archived, once per portal, by the one worker.
    archived = warc_response_urls(data)
    for host in portals.hosts:
        assert set(portals.article_urls(host)) <= archived, host
    # At most two portals at once: their first and last requests overlap at most pairwise.
    spans = {}
    for host, _path, at in requests:
        first, last = spans.get(host, (at, at))
        spans[host] = (min(first, at), max(last, at))
    most = max(sum(1 for first, last in spans.values() if first <= at <= last)
               for at, _ in spans.values())
    assert most <= 2, spans
    # Its crawls' events are in the catalog only, waiting for the scheduler.
    assert not (data / "events.jsonl").exists()
    assert not list(data.glob("feeds/*.atom"))
    db = sqlite3.connect(data / "catalog.sqlite")
    assert db.execute("SELECT count(*) FROM events WHERE delivered_at IS NULL").fetchone()[0] \
        == 4 * 4
    # The dead site's job failed, with the crawl's own one line; no traceback.
    assert f"error: could not crawl {dead.split('/')[2]}: " in worker.text()
    assert "Traceback" not in worker.text()
    assert "crawl_site[" not in worker.text()  # procrastinate's repeat of it: not said
    assert "stopped" in worker.text().splitlines()[-1]


def test_a_worker_stopped_or_killed_mid_crawl_gives_its_site_back(
        tmp_path: Path, postgres_url: str, workers: list[machines.Worker]) -> None:
    # Shared storage: what the killed worker left in its local folder is shipped by the
    # next worker to start there.
    folder, local, data = tmp_path / "schedules", tmp_path / "local", tmp_path / "shared"
    data.mkdir()
    shared = {"PORTAL_SHARED_STORAGE": str(data)}
    with Portals(count=1, articles=6, images=0) as portals:
        _job(folder, portals.listing_urls, delay=0.4)  # ~3 s: long enough to be cut
        _enqueue(folder, data, postgres_url)
        # SIGTERM mid-crawl: the crawl stops cleanly, its job goes back to the queue.
        stopped = Worker(local, postgres_url, tmp_path / "w0.log", name="w0",
                            env=shared)
        workers.append(stopped)
        wait_until(lambda: len(portals.requests()) >= 3, 30,
                   lambda: f"{_jobs(postgres_url)}\n{stopped.text()}")
        assert stopped.stop() == 0, stopped.text()
        assert "interrupted by SIGTERM" in stopped.text()
        [(job_id, status, _site, _lock)] = _jobs(postgres_url)
        assert status == "todo"

        first = Worker(local, postgres_url, tmp_path / "w1.log", name="w1",
                            env=shared)
        workers.append(first)
        seen = len(portals.requests())
        wait_until(lambda: len(portals.requests()) >= seen + 3, 30,
                   lambda: f"{_jobs(postgres_url)}\n{first.text()}")
        first.process.kill()  # -9: no clean stop, its job stays "doing"
        first.process.wait()
        assert _statuses(postgres_url) == ["doing"]

        second = Worker(local, postgres_url, tmp_path / "w2.log", name="w2",
                            env=shared)
        workers.append(second)
        wait_until(lambda: _statuses(postgres_url) == ["succeeded"], 60,
                   lambda: f"{_jobs(postgres_url)}\n{second.text()}")
        assert second.stop() == 0, second.text()

    # The same job, retried once its worker was silent, finished by the second worker.
    assert [job for job, *_rest in _jobs(postgres_url)] == [job_id]
    assert f"job {job_id} ({portals.listing_urls[0]}) of a worker silent for" in second.text()
    assert set(portals.article_urls(portals.hosts[0])) <= warc_response_urls(data)
    assert "indexed (its crawl died first)" in second.text()  # the killed one's WARC
    assert not list(local.glob("warc/*/*")), "every WARC shipped from the local folder"
    db = sqlite3.connect(data / "catalog.sqlite")
    # The killed crawl's run is healed as such by the next; that one pages through all.
    assert [status for (status,) in db.execute("SELECT status FROM runs ORDER BY started_at")
            ] == ["interrupted", "killed", "finished"]
    # Each article's version once, though two crawls read it.
    versions = db.execute("SELECT url, count(*) FROM versions GROUP BY url").fetchall()
    assert versions and all(count == 1 for _url, count in versions)


def test_a_site_whose_lease_another_holds_is_tried_again_until_it_expires(
        tmp_path: Path, postgres_url: str, workers: list[machines.Worker]) -> None:
    # The lease of a "killed machine" that has not expired yet: the job is not failed but
    # tried again, and crawled once the lease has run out.
    from portal_archive.archive.catalog import Catalog
    from tests.postgres import sqlalchemy_url

    folder, data = tmp_path / "schedules", tmp_path / "data"
    catalog_env = {"PORTAL_CATALOG_URL": sqlalchemy_url(postgres_url)}
    with Portals(count=1, articles=2, images=0) as portals:
        series = series_of(GENERIC, portals.listing_urls)
        catalog = Catalog(sqlalchemy_url(postgres_url))
        try:
            assert catalog.take_lease(series, "killed-machine", 6) is None
        finally:
            catalog.close()
        _job(folder, portals.listing_urls)
        _enqueue(folder, data, postgres_url)
        started = time.monotonic()
        worker = Worker(data, postgres_url, tmp_path / "w1.log", env=catalog_env)
        workers.append(worker)
        wait_until(lambda: _statuses(postgres_url) == ["succeeded"], 60,
                   lambda: f"{_jobs(postgres_url)}\n{worker.text()}")
        waited = time.monotonic() - started
        assert worker.stop() == 0, worker.text()
    text = worker.text()
    assert "killed-machine holds its lease" in text, text
    assert "tried again later" in text
    assert "Traceback" not in text
    assert waited >= 4, waited  # not before the lease ran out
    assert set(portals.article_urls(portals.hosts[0])) <= warc_response_urls(data)


def test_the_scheduler_delivers_the_workers_events_once(
        tmp_path: Path, postgres_url: str, workers: list[machines.Worker]) -> None:
    # The worker writes in its local folder and ships to the shared one, where the
    # scheduler, in a folder of its own, delivers (design12's layout on one machine).
    folder, local, data = tmp_path / "schedules", tmp_path / "local", tmp_path / "shared"
    data.mkdir()
    shared = {"PORTAL_SHARED_STORAGE": str(data)}
    log = tmp_path / "scheduler.log"
    with Portals(count=2, articles=3, images=0) as portals, open(log, "ab") as out, \
            Webhook() as hook:
        _job(folder, portals.listing_urls, notify=hook.url)
        scheduler = subprocess.Popen(
            [*CLI, "schedule", "run", "--schedules", str(folder),
             "--data", str(tmp_path / "scheduler"),
             "--queue", postgres_url, "--poll", "0.3"],
            stdin=subprocess.DEVNULL, stdout=out, stderr=out,
            env={**os.environ, **shared, "PORTAL_DELIVERY_SECONDS": "0.5"})
        try:
            _enqueue(folder, data, postgres_url)
            worker = Worker(local, postgres_url, tmp_path / "w1.log", env=shared)
            workers.append(worker)
            wait_until(lambda: _statuses(postgres_url) == ["succeeded"] * 2, 60,
                       lambda: f"{_jobs(postgres_url)}\n{worker.text()}")
            wait_until(lambda: len(hook.received) >= 2, 20,
                       lambda: log.read_text("utf-8"))
            time.sleep(1.5)  # three more deliveries: nothing is sent again
            scheduler.send_signal(signal.SIGTERM)
            assert scheduler.wait(30) == 0, log.read_text("utf-8")
        finally:
            if scheduler.poll() is None:
                scheduler.kill()
        assert worker.stop() == 0

    assert not (local / "events.jsonl").exists() and not (local / "catalog.sqlite").exists()
    archived = warc_response_urls(data)  # shipped to the shared folder as they closed
    assert all(set(portals.article_urls(host)) <= archived for host in portals.hosts)
    db = sqlite3.connect(data / "catalog.sqlite")
    events = db.execute("SELECT type, url, run_id, delivered_at FROM events").fetchall()
    assert len(events) == 2 * 3 and all(at for *_event, at in events)
    lines = [json.loads(line) for line in (data / "events.jsonl").read_text().splitlines()]
    assert sorted((e["type"], e["url"], e["run_id"]) for e in lines) == sorted(
        (kind, url, run) for kind, url, run, _at in events)  # each event once
    # One message per site and run, to the job's target, as a crawl alone sends it.
    assert len(hook.received) == 2
    for message in hook.received:
        assert "3 new" in message["title"], message
        # One portal's run each: its articles, none of the other's.
        assert sum(any(url in message["message"] for url in portals.article_urls(host))
                   for host in portals.hosts) == 1, message
    for url in (u for host in portals.hosts for u in portals.article_urls(host)):
        assert sum(url in message["message"] for message in hook.received) == 1, url
    feed = (data / "feeds" / "generic.atom").read_text("utf-8")
    assert all(url in feed for url, in db.execute("SELECT url FROM events"))


def test_the_scheduler_queues_each_fire_time_and_a_waiting_site_once(
        tmp_path: Path, postgres_url: str) -> None:
    folder, data = tmp_path / "schedules", tmp_path / "data"
    _job(folder, ["demo"])
    toml = (folder / "communes.toml").read_text()
    (folder / "communes.toml").write_text(  # every second, and no worker to take it
        toml.replace('cron = "30 2 * * *"', 'cron = "* * * * *"\nseconds = "*"'))
    log = tmp_path / "scheduler.log"
    with open(log, "ab") as out:
        scheduler = subprocess.Popen(
            [*CLI, "schedule", "run", "--schedules", str(folder), "--data", str(data),
             "--queue", postgres_url, "--poll", "0.3"],
            stdin=subprocess.DEVNULL, stdout=out, stderr=out)
        try:
            wait_until(lambda: "already waiting in the queue" in log.read_text(), 30,
                       lambda: log.read_text("utf-8"))
            scheduler.send_signal(signal.SIGTERM)
            assert scheduler.wait(30) == 0, log.read_text("utf-8")
        finally:
            if scheduler.poll() is None:
                scheduler.kill()
    text = log.read_text("utf-8")
    assert text.count("crawl of demo queued (queue job 1)") == 1, text
    assert [(status, site) for _id, status, site, _lock in _jobs(postgres_url)] == [
        ("todo", "demo")]
    assert not (data / "warc").exists()  # nothing crawled here: the workers crawl


def test_no_queue_or_a_queue_that_is_down_is_one_line(tmp_path: Path) -> None:
    env = {"PORTAL_QUEUE_URL": ""}
    none = run_cli("worker", "--data", str(tmp_path), env=env, timeout=60)
    assert none.returncode == 1
    assert none.stderr.strip() == ("portal-archive: error: no queue: give --queue URL or set"
                                   " PORTAL_QUEUE_URL (the libpq URL of the PostgreSQL"
                                   " database)")
    down = f"postgresql://portal:secret@127.0.0.1:{_dead_port()}/q"
    for args in (["worker", "--data", str(tmp_path), "--queue", down],
                 ["schedule", "run-now", "demo-nightly", "--data", str(tmp_path),
                  "--queue", down]):
        result = run_cli(*args, env=env, timeout=60)
        assert result.returncode == 1, result.stderr
        [line] = result.stderr.splitlines()
        assert line.startswith("portal-archive: error: cannot use the queue"
                               " postgresql://portal@127.0.0.1:"), line
        assert "secret" not in line


def test_a_worker_stopped_as_it_starts_stops_cleanly(
        tmp_path: Path, postgres_url: str, workers: list[machines.Worker]) -> None:
    # SIGTERM while it opens the queue and heals its folder, before its reactor runs.
    worker = Worker(tmp_path / "data", postgres_url, tmp_path / "w.log")
    workers.append(worker)
    wait_until(lambda: "taking crawls from the queue" in worker.text(), 60, worker.text)
    assert worker.stop() == 0, worker.text()
    assert worker.text().splitlines()[-1].endswith("w1 stopped"), worker.text()
