"""The demo portal through its states: each change gives exactly its event, and an
unchanged portal gives none. Alerts reach a real local webhook through apprise."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from portal_archive.crawler.demo.content import DemoSite
from portal_archive.crawler.demo.portal import DemoPortal
from tests.webhook import Webhook

from ..conftest import crawl_demo, run_cli

FAST = {"PORTAL_REQUISITES": "False"}


def events(data: Path, *args: str) -> list[dict]:
    result = run_cli("changes", "--data", str(data), *args)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def last_run(data: Path) -> list[dict]:
    everything = events(data)
    run = everything[-1]["run_id"] if everything else None
    return [e for e in everything if e["run_id"] == run]


def crawl(portal: DemoPortal, data: Path, *extra: str, **settings: str):
    result = crawl_demo(portal, data, *extra, **{**FAST, **settings})
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def site() -> DemoSite:
    return DemoSite(articles=30, faults=False)


@pytest.fixture(scope="module")
def history(site: DemoSite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    """Day 0, then day 1 (with --backfill, so removals deep in the listings are seen)."""
    data = tmp_path_factory.mktemp("history")
    with DemoPortal(site) as portal:
        crawl(portal, data)
        first = events(data)
        portal.set_state(day=1)
        crawl(portal, data, "--backfill")
        yield portal, data, first


def test_first_crawl_reports_every_article_new(history, site: DemoSite) -> None:
    _, _, first = history
    assert {e["type"] for e in first} == {"new"}
    assert len(first) == 30


def test_day_one_gives_exactly_its_events(history, site: DemoSite) -> None:
    portal, data, _ = history
    got = sorted((e["type"], e["url"]) for e in last_run(data))
    url = lambda i, day=1: portal.base_url + (site.article(i, day) or site.article(i)).path  # noqa: E731
    expected = sorted(
        [("new", url(i)) for i in sorted(site.new_ids(1))]
        + [("edited", url(i)) for i in site.edited_ids(1)]
        + [("cosmetic", url(i)) for i in site.cosmetic_ids(1)]
        + [("removed", url(i, 0)) for i in site.removed_ids(1)]
    )
    assert got == expected


def test_an_edit_carries_its_fields_and_diff(history, site: DemoSite) -> None:
    _, data, _ = history
    (edited,) = [e for e in last_run(data) if e["type"] == "edited"]
    assert edited["fields"] == ["body"]
    assert edited["diff"].startswith("--- ")
    assert any(line.startswith("+") and not line.startswith("+++")
               for line in edited["diff"].splitlines())
    (cosmetic,) = [e for e in last_run(data) if e["type"] == "cosmetic"]
    assert cosmetic["fields"] and cosmetic["diff"]


def test_events_go_to_events_jsonl_and_the_feed(history) -> None:
    _, data, _ = history
    lines = [json.loads(line) for line in (data / "events.jsonl").read_text().splitlines()]
    assert [(e["type"], e["url"]) for e in lines] == [(e["type"], e["url"]) for e in events(data)]
    assert set(lines[0]) >= {"type", "site", "url", "at", "run_id", "fields", "diff"}
    feed = ET.parse(data / "feeds" / "demo.atom").getroot()
    entries = feed.findall("{http://www.w3.org/2005/Atom}entry")
    assert len(entries) == len(lines)
    terms = {e.find("{http://www.w3.org/2005/Atom}category").get("term") for e in entries}
    assert terms == {"new", "edited", "cosmetic", "removed"}


def test_filters_of_the_changes_command(history) -> None:
    _, data, _ = history
    assert {e["type"] for e in events(data, "--type", "removed")} == {"removed"}
    assert events(data, "--since", "2999-01-01") == []


def test_five_unchanged_runs_give_no_event(history) -> None:
    portal, data, _ = history
    before = len(events(data))
    for _ in range(5):
        crawl(portal, data)
    assert len(events(data)) == before


def test_a_moved_portal_gives_site_moved_once_and_nothing_else(history, site) -> None:
    portal, data, _ = history
    before = len(events(data))
    portal.set_state(moved=True)
    try:
        crawl(portal, data)
        moved = events(data)[before:]
        assert sorted(e["url"] for e in moved) == sorted(
            f"{portal.base_url}/chuyen-muc/{slug}" for slug in site.CATEGORIES)
        assert {e["type"] for e in moved} == {"site-moved"}
        assert all("+ http://localhost:" in e["diff"] for e in moved)
        crawl(portal, data)
        assert len(events(data)) == before + len(moved)  # said once, not every night
    finally:
        portal.set_state(moved=False)


def _dead_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_site_down_after_two_runs_without_a_listing(tmp_path: Path, site: DemoSite) -> None:
    with DemoPortal(site) as portal:
        crawl(portal, tmp_path)
    dead = f"http://127.0.0.1:{_dead_port()}"
    kinds = []
    for _ in range(3):
        result = run_cli("crawl", "demo", "--data", str(tmp_path), "-s", f"PORTAL_BASE_URL={dead}",
                         "-s", "RETRY_TIMES=0")
        assert result.returncode == 1  # could not crawl: one line, exit 1
        kinds.append(len(events(tmp_path, "--type", "site-down")))
    assert kinds == [0, 1, 1]  # on the second failing run, and only then


def test_alerts_reach_a_webhook_through_apprise(tmp_path: Path, site: DemoSite) -> None:
    with Webhook() as hook, DemoPortal(site) as portal:
        crawl(portal, tmp_path)
        portal.set_state(day=1)
        crawl(portal, tmp_path, "--backfill", "--notify", hook.url)
    (message,) = hook.received  # one message for the run
    edited = site.article(min(site.edited_ids(1)), day=1)
    assert "1 edited" in message["title"] and "3 new" in message["title"]
    assert "cosmetic" not in message["title"]  # recorded, not alerted by default
    assert edited.title in message["message"]
    assert f"live: {portal.base_url}{edited.path}" in message["message"]
    assert "replay: http://127.0.0.1:8080/demo/" in message["message"]
    assert "+++ " in message["message"]  # the edit's diff


def test_a_failing_alert_target_never_fails_the_crawl(tmp_path: Path, site: DemoSite) -> None:
    with DemoPortal(site) as portal:
        result = crawl_demo(portal, tmp_path, "--notify", f"json://127.0.0.1:{_dead_port()}/x",
                            ALERT_RETRY_DELAY="0.05", **FAST)
    assert result.returncode == 0, result.stderr
    assert "alert to json://127.0.0.1" in result.stderr and "failed after 3 tries" in result.stderr
    assert len(events(tmp_path)) == 30  # the events are kept
