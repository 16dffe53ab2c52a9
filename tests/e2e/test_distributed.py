"""Beyond one machine (issue 12): a scheduler and three `portal-archive worker` processes,
each a "machine" with its own local folder, one real PostgreSQL database as catalog and
queue, one shared folder, over three demo portals for two nights; and a machine killed
with -9 mid-crawl, whose site another finishes and whose leftovers it ships on restart.

Run alone with ``pytest -m distributed``.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path
from xml.etree import ElementTree

import psycopg
import pytest

from portal_archive.crawler.demo.content import DemoSite
from portal_archive.crawler.demo.portal import DemoPortal
from portal_archive.crawler.sites import series_of
from tests.workers import (
    Background,
    Scheduler,
    Worker,
    assert_none_failed,
    distributed_env,
    enqueue,
    wait_for_jobs,
    wait_for_workers,
    wait_until,
)

from ..conftest import TEST_CRAWL_SETTINGS, run_cli

pytestmark = pytest.mark.distributed

JOB = "nightly"
SITE = DemoSite(articles=12, faults=False)  # every article on each listing's first page
BIG = DemoSite(articles=200, faults=False)  # long enough a crawl to be killed in the middle
MACHINES = ("machine-a", "machine-b", "machine-c")
# Small enough for a test: a dead machine's jobs are retried after 10 s without its
# heartbeat, and its lease on the site has lapsed by then. Not much less: on two busy
# cores a live worker starting a crawl can miss its heartbeat for 3 s.
DELIVERY_SECONDS = 1
QUICK_RECOVERY = {"PORTAL_WORKER_STALLED_AFTER": "10", "PORTAL_LEASE_SECONDS": "6",
                  "PORTAL_DELIVERY_SECONDS": str(DELIVERY_SECONDS)}


# -- the world: portals, a schedule, machines -------------------------------------------
def site_of(portal: DemoPortal, index: int) -> str | list[str]:
    """Portal 0 is the demo profile at its base URL; the others are listing URLs (both
    categories of one host: one generic target)."""
    if index == 0:
        return "demo"
    return [f"{portal.base_url}/chuyen-muc/{slug}" for slug in SITE.CATEGORIES]


def series(portal: DemoPortal, index: int) -> str:
    site = site_of(portal, index)
    return series_of(site) if isinstance(site, str) else series_of("generic", site)


def write_schedule(folder: Path, sites: list[str], **settings: str) -> None:
    merged = {**TEST_CRAWL_SETTINGS, **settings}
    lines = [f"[job.{JOB}]", f"sites = {json.dumps(sites)}",
             'cron = "0 3 1 1 *"  # never due in a test: run-now enqueues it',
             "backfill = true  # every listing page: removals seen wherever they are",
             f"[job.{JOB}.settings]", *(f"{k} = {json.dumps(v)}" for k, v in merged.items())]
    folder.mkdir(exist_ok=True)
    (folder / "nightly.toml").write_text("\n".join(lines) + "\n", "utf-8")


@contextlib.contextmanager
def machines(tmp: Path, queue: str, env: dict[str, str], names: tuple[str, ...] = MACHINES,
             ) -> Iterator[dict[str, Worker]]:
    with contextlib.ExitStack() as stack:
        started = {name: stack.enter_context(Worker(tmp / name, name, queue, env))
                   for name in names}
        wait_for_workers(queue, list(started.values()))
        yield started


def logs(workers: Mapping[str, Background]) -> str:
    return "\n".join(f"--- {name}\n{w.text()[-3000:]}" for name, w in workers.items())


def night(schedules: Path, queue: str, env: dict[str, str], tmp: Path, jobs: int,
          workers: Mapping[str, Background]) -> None:
    """One night: the job's sites enqueued, then every crawl job ended."""
    done = enqueue(JOB, schedules, queue, env, data=tmp / "scheduler")
    assert done.returncode == 0, done.stderr
    wait_for_jobs(queue, jobs, 60, lambda: logs(workers), workers.values())


# -- what the archive holds -------------------------------------------------------------
def catalog(url: str, sql: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return list(conn.execute(sql))


def shared_events(shared: Path) -> list[dict]:
    path = shared / "events.jsonl"
    return [json.loads(t) for t in path.read_text("utf-8").splitlines()] if path.exists() else []


def article_url(portal: DemoPortal, id: int, day: int) -> str:
    article = SITE.article(id, day) or SITE.article(id)  # a removed one keeps its old URL
    assert article is not None
    return portal.base_url + article.path


def expected_events(portals: list[DemoPortal], day: int) -> Counter[tuple[str, str]]:
    """The demo's changes on ``day`` as (type, url), over every portal: day 0 is the
    first crawl, every article new."""
    found: Counter[tuple[str, str]] = Counter()
    for portal in portals:
        if day == 0:
            found.update(("new", article_url(portal, i, 0)) for i in SITE.article_ids(0))
            continue
        found.update(("new", article_url(portal, i, day)) for i in SITE.new_ids(day))
        found.update(("edited", article_url(portal, i, day)) for i in SITE.edited_ids(day))
        found.update(("cosmetic", article_url(portal, i, day)) for i in SITE.cosmetic_ids(day))
        found.update(("removed", article_url(portal, i, 0)) for i in SITE.removed_ids(day))
    return found


def expected_versions(portals: list[DemoPortal], day: int) -> Counter[str]:
    """Distinct contents each article URL had over days 0..day: one, or two if edited
    (a cosmetic change is a distinct content too)."""
    versions: Counter[str] = Counter()
    for portal in portals:
        for i in range(1, SITE.max_id(day) + 1):
            changed = i in SITE.edited_ids(day) or i in SITE.cosmetic_ids(day)
            versions[article_url(portal, i, day)] = 2 if changed else 1
    return versions


def verify_union(shared: Path, env: dict[str, str]) -> list[str]:
    """`verify --data SHARED` on the union: must be clean; returns its notes."""
    verified = run_cli("verify", "--data", str(shared), env=env)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    return [t for t in verified.stdout.splitlines() if t.startswith("note: ")]


def warc_files(folder: Path) -> list[Path]:
    return sorted(p for p in (folder / "warc").rglob("*") if p.is_file()) \
        if (folder / "warc").is_dir() else []


# -- the tests ----------------------------------------------------------------------------
def test_two_nights_on_three_machines_archive_every_article_once(
        postgres_url: str, tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    env = distributed_env(postgres_url, shared, **QUICK_RECOVERY)
    schedules = tmp_path / "schedules"
    with contextlib.ExitStack() as stack:
        portals = [stack.enter_context(DemoPortal(SITE)) for _ in range(3)]
        sites = [site_of(p, i) for i, p in enumerate(portals)]
        write_schedule(schedules, [s for site in sites for s in
                                   ([site] if isinstance(site, str) else site)],
                       PORTAL_BASE_URL=portals[0].base_url)
        # The one place events leave from: `schedule run --queue` delivers them.
        scheduler = stack.enter_context(Scheduler(tmp_path / "scheduler", schedules,
                                                         postgres_url, env))
        workers = stack.enter_context(machines(tmp_path, postgres_url, env))
        everyone = {**workers, "scheduler": scheduler}

        night(schedules, postgres_url, env, tmp_path, 3, everyone)
        first = expected_events(portals, 0)
        wait_until(lambda: len(shared_events(shared)) >= sum(first.values()), 30,
                   lambda: f"the first night's events in {shared}/events.jsonl\n"
                           + logs(everyone))

        for portal in portals:
            portal.set_state(day=1)
        night(schedules, postgres_url, env, tmp_path, 6, everyone)
        second = expected_events(portals, 1)
        wait_until(lambda: len(shared_events(shared)) >= sum((first + second).values()), 30,
                   lambda: "the second night's events\n" + logs(everyone))
        wait_until(lambda: not catalog(postgres_url, "SELECT id FROM events"
                                                     " WHERE delivered_at IS NULL"),
                   10, "every event marked delivered")
        time.sleep(2 * DELIVERY_SECONDS)  # two more delivery rounds: none sends again
        statuses = {name: w.stop() for name, w in everyone.items()}
    assert statuses == dict.fromkeys(everyone, 0), logs(everyone)
    assert not any("Traceback" in w.text() for w in everyone.values()), logs(everyone)

    # Each night's events are the demo's changes, each exactly once, in SHARED/events.jsonl.
    lines = shared_events(shared)
    assert Counter((e["type"], e["url"]) for e in lines) == first + second
    assert {e["site"] for e in lines} == {"demo", "generic"}
    for site in ("demo", "generic"):  # and each in its site's Atom feed, once
        feed = ElementTree.parse(shared / "feeds" / f"{site}.atom").getroot()
        entries = feed.findall("{http://www.w3.org/2005/Atom}entry")
        assert len(entries) == sum(e["site"] == site for e in lines), site

    # Every article exactly once: one version per distinct content, the portals' truth.
    versions = Counter(url for (url,) in catalog(postgres_url, "SELECT url FROM versions"))
    assert versions == expected_versions(portals, 1)
    json_files = list((shared / "json").rglob("*.json"))
    assert len(json_files) == sum(versions.values())
    # One crawl per site per night, each finished, none done twice.
    runs = Counter((site, status) for site, status in
                   catalog(postgres_url, "SELECT site, status FROM runs"))
    assert runs == {(series(p, i), "finished"): 2 for i, p in enumerate(portals)}

    # The machines shared the work; their WARCs are on shared storage under names that
    # carry their ids, nothing left in their local folders.
    shipped = warc_files(shared)
    assert shipped and all(p.name.endswith(".warc.gz") for p in shipped)
    writers = {m for p in shipped for m in MACHINES if p.name.endswith(f"-{m}.warc.gz")}
    assert len(writers) >= 2, [p.name for p in shipped]
    assert len({p.name for p in shipped}) == len(shipped)
    for name in MACHINES:
        assert not [p for p in warc_files(tmp_path / name) if ".warc" in p.name], name
    assert verify_union(shared, env) == []


def _article_hits(portal: DemoPortal) -> int:
    return sum(n for path, n in portal.hits_snapshot().items() if path.startswith("/tin-tuc/"))


def _crawling(workers: dict[str, Worker], site_series: str) -> str | None:
    """The machine whose local folder holds the site's open WARC file."""
    for name, worker in workers.items():
        if list((worker.data / "warc" / site_series).glob("*.open")):
            return name
    return None


def test_a_machine_killed_mid_crawl_gives_its_site_to_another_and_heals_on_restart(
        postgres_url: str, tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    env = distributed_env(postgres_url, shared, **QUICK_RECOVERY)
    schedules = tmp_path / "schedules"
    names = MACHINES[:2]
    with DemoPortal(BIG) as portal, contextlib.ExitStack() as stack:
        write_schedule(schedules, ["demo"], PORTAL_BASE_URL=portal.base_url,
                       PORTAL_REQUISITES="False")
        workers = stack.enter_context(machines(tmp_path, postgres_url, env, names))
        done = enqueue(JOB, schedules, postgres_url, env, data=tmp_path / "scheduler")
        assert done.returncode == 0, done.stderr

        # kill -9 the machine crawling the site once it has fetched some of it.
        def crawling() -> str | None:
            assert_none_failed(postgres_url, lambda: logs(workers))
            return _crawling(workers, "demo") if _article_hits(portal) >= 30 else None

        victim = wait_until(crawling, 60, lambda: "a machine crawling the site\n" + logs(workers))
        workers[victim].kill()
        fetched_before = _article_hits(portal)
        assert fetched_before < BIG.articles, "the crawl ended before the kill"
        leftovers = [p.name for p in (workers[victim].data / "warc" / "demo").glob("*.open")]
        assert leftovers

        # Another machine finishes the site (the dead one's heartbeat stops, its job is
        # retried, its lease lapses).
        (survivor,) = [n for n in names if n != victim]
        wait_for_jobs(postgres_url, 1, 60, lambda: logs(workers), [workers[survivor]])
        assert any(p.name.endswith(f"-{survivor}.warc.gz") for p in warc_files(shared))
        runs = [s for (s,) in catalog(postgres_url, "SELECT status FROM runs")]
        assert runs.count("finished") == 1, runs  # the survivor's; the dead one's is not

        # The dead machine comes back: it closes and ships what it left behind.
        back = stack.enter_context(Worker(tmp_path / victim, victim, postgres_url, env))
        workers = {**workers, victim: back}
        wait_until(lambda: not [p for p in warc_files(back.data) if ".warc" in p.name], 30,
                   lambda: "the restarted machine's local WARCs shipped\n" + logs(workers))
        # Up again (the dead one's last heartbeat is over 10 s old): then stopped, as
        # an operator would, both machines exit 0.
        wait_for_workers(postgres_url, list(workers.values()), within=5)
        statuses = {name: workers[name].stop() for name in names}
    assert statuses == dict.fromkeys(names, 0), logs(workers)
    for leftover in leftovers:
        closed = leftover.removesuffix(".open")
        assert (shared / "warc" / "demo" / closed).is_file(), closed

    # Nothing lost, nothing twice: every article of the portal once in the catalog, one
    # "new" event each; JSON files beyond the catalog's only those a kill mid-batch left,
    # which verify notes.
    truth = {portal.base_url + a.path for i in BIG.article_ids(0)
             if (a := BIG.article(i)) is not None}
    versions = Counter(url for (url,) in catalog(postgres_url, "SELECT url FROM versions"))
    assert versions == dict.fromkeys(truth, 1)
    news = Counter(url for (url,) in catalog(postgres_url,
                                             "SELECT url FROM events WHERE type = 'new'"))
    assert news == dict.fromkeys(truth, 1)
    notes = verify_union(shared, env)
    named = {p for (p,) in catalog(postgres_url, "SELECT json_path FROM versions")}
    unnamed = {p.relative_to(shared / "json").as_posix()
               for p in (shared / "json").rglob("*.json")} - named
    assert all(any(name in note for note in notes) for name in unnamed), (unnamed, notes)
