"""The scheduler's delivery (schedules/delivery.py) over a real catalog and a real apprise
``json://`` target on loopback: each site's run one message, each event one line, once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from portal_archive.archive.catalog import Catalog
from portal_archive.schedules.config import parse_text
from portal_archive.schedules.delivery import deliver, notify_targets
from tests.webhook import Webhook


@pytest.fixture
def hook() -> Iterator[Webhook]:
    with Webhook() as webhook:
        yield webhook


def _event(site: str, url: str, run: str, type_: str = "new") -> dict[str, object]:
    return {"type": type_, "site": site, "url": url, "at": "2026-12-01T02:30:00Z",
            "run_id": run, "fields": [], "diff": "", "title": f"title of {url}"}


def test_each_site_and_run_one_message_and_each_event_one_line_once(
        tmp_path: Path, hook: Webhook) -> None:
    jobs = {job.name: job for job in parse_text(
        f'[job.a]\nsites = ["demo", "http://127.2.0.1/tin"]\ncron = "30 2 * * *"\n'
        f'notify = ["{hook.url}"]\n[job.b]\nsites = ["quangninh"]\ncron = "30 2 * * *"\n',
        "jobs.toml", check_env=False)}
    catalog = Catalog(tmp_path / "catalog.sqlite")
    catalog.add_event(_event("demo", "http://d/old", "r0"), delivered_at="2026-12-01T02:31:00Z")
    for event in (_event("demo", "http://d/1", "r1"), _event("demo", "http://d/2", "r1"),
                  _event("demo", "http://d/3", "r2", "removed"),
                  _event("generic", "http://127.2.0.1/tin/a.html", "g1"),
                  _event("quangninh", "http://o/1", "o1"),
                  _event("demo", "http://d/c", "r2", "cosmetic")):
        catalog.add_event(event)  # a worker's crawl's: for the scheduler to send
    catalog.close()

    assert deliver(tmp_path, jobs) == 6
    assert deliver(tmp_path, jobs) == 0  # nothing twice

    lines = [json.loads(line) for line in (tmp_path / "events.jsonl").read_text().splitlines()]
    # Oldest first, a site's run together.
    assert [line["url"] for line in lines] == [
        "http://d/1", "http://d/2", "http://d/3", "http://d/c", "http://127.2.0.1/tin/a.html",
        "http://o/1"]
    # demo's two runs and the generic host's run: job a's target; "quangninh" has none.
    titles = sorted(message["title"] for message in hook.received)
    assert titles == ["portal-archive demo: 1 removed", "portal-archive demo: 2 new",
                      "portal-archive generic: 1 new"]
    assert not any("http://d/c" in m["message"] for m in hook.received)  # cosmetic: kept
    assert "http://d/3" in (tmp_path / "feeds" / "demo.atom").read_text("utf-8")
    assert (tmp_path / "feeds" / "quangninh.atom").exists()  # a feed, though no alert
    catalog = Catalog(tmp_path / "catalog.sqlite")
    assert catalog.undelivered_events() == []
    catalog.close()


def test_a_site_gets_the_targets_of_every_job_that_names_it() -> None:
    jobs = parse_text('[job.a]\nsites = ["demo"]\ncron = "30 2 * * *"\nnotify = ["json://h/a"]\n'
                      '[job.b]\nsites = ["demo", "http://127.2.0.1/x"]\ncron = "0 3 * * *"\n'
                      'notify = ["json://h/b", "json://h/a"]\n', "jobs.toml", check_env=False)
    assert notify_targets(jobs) == {"demo": ["json://h/a", "json://h/b"],
                                    "generic-127.2.0.1": ["json://h/b", "json://h/a"]}


def test_a_running_runs_events_wait_until_it_has_ended(tmp_path: Path, hook: Webhook) -> None:
    jobs = {job.name: job for job in parse_text(
        f'[job.a]\nsites = ["demo"]\ncron = "30 2 * * *"\nnotify = ["{hook.url}"]\n',
        "jobs.toml", check_env=False)}
    catalog = Catalog(tmp_path / "catalog.sqlite")
    catalog.start_run("r1", "demo", "2026-12-01T02:30:00Z")
    catalog.add_event(_event("demo", "http://d/1", "r1"))
    assert deliver(tmp_path, jobs) == 0  # the crawl is still going: nothing yet
    catalog.add_event(_event("demo", "http://d/2", "r1"))
    catalog.finish_run("r1", "2026-12-01T02:40:00Z", "finished", {})
    catalog.close()
    assert deliver(tmp_path, jobs) == 2
    assert [m["title"] for m in hook.received] == ["portal-archive demo: 2 new"]
