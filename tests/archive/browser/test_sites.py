"""/: each site's counts, last crawl and status from the runs and events, and its two
charts, over the two-day archive (and copies of it given other last runs)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from portal_archive.archive.catalog import open_catalog
from portal_archive.archive.datadir import DataDir
from portal_archive.crawler.sites import site_ids

from .conftest import Archive, get, serving


def _demo_row(base: str):  # type: ignore[no-untyped-def]
    (row,) = get(base + "/").tree.cssselect('table#sites tr.site[data-site="demo"]')
    return row


def _latest_jsons(data: Path) -> list[dict[str, object]]:
    """The newest JSON of each article folder: what the archive holds, read from disk."""
    return [json.loads(sorted(folder.glob("*.json"))[-1].read_text(encoding="utf-8"))
            for folder in (data / "json" / "demo").iterdir()]


def test_counts_and_last_crawl_are_the_archives(web: str, archive: Archive) -> None:
    row = _demo_row(web)
    folders = list((archive.data / "json" / "demo").iterdir())
    versions = list((archive.data / "json" / "demo").glob("*/*.json"))
    assert row.cssselect("td.articles")[0].text.strip() == str(len(folders))
    assert row.cssselect("td.versions")[0].text.strip() == str(len(versions))
    assert len(versions) > len(folders)  # day 1 edited some
    catalog = open_catalog(DataDir(archive.data))
    try:
        last = catalog.runs("demo")[-1]
    finally:
        catalog.close()
    assert row.cssselect("td.last-crawl time")[0].get("datetime") == last["finished_at"]
    assert row.cssselect("span.status")[0].get("data-status") == "ok"
    assert row.cssselect("a.site-link")[0].get("href") == "/site/demo"


def test_every_profile_is_listed_and_the_uncrawled_as_never(web: str) -> None:
    rows = get(web + "/").tree.cssselect("table#sites tr.site")
    statuses = {tr.get("data-site"): tr.cssselect("span.status")[0].get("data-status")
                for tr in rows}
    assert set(site_ids()) <= set(statuses)
    assert {statuses[s] for s in site_ids() if s != "demo"} == {"never"}


def test_the_charts_count_articles_per_month_and_events_per_night(
        web: str, archive: Archive) -> None:
    row = _demo_row(web)
    months = row.cssselect("svg.chart-months")[0]
    nights = row.cssselect("svg.chart-nights")[0]
    for chart in (months, nights):
        assert chart.get("role") == "img" and chart.get("aria-label")
        assert chart.find("title").text == chart.get("aria-label")

    def bars(chart):  # type: ignore[no-untyped-def]
        return [t.text.rsplit(": ", 1) for t in chart.cssselect("rect > title")]

    per_month = {month: int(n) for month, n in bars(months)}
    published = [a["published"] for a in _latest_jsons(archive.data) if a["published"]]
    # At most the last 24 months, up to the newest article's, each counted.
    assert max(per_month) == max(str(p)[:7] for p in published) and len(per_month) <= 24
    assert sum(per_month.values()) == len([p for p in published if str(p)[:7] in per_month])
    assert sum(per_month.values()) > 0
    per_night = bars(nights)
    assert len(per_night) == 30
    catalog = open_catalog(DataDir(archive.data))
    try:
        events = len(catalog.events())
    finally:
        catalog.close()
    assert sum(int(n) for _, n in per_night) == events


def _last_run(data: Path, status: str | None, started: datetime,
              event: str | None = None) -> None:
    """Give the demo site a last run of ``status`` (None: still running)."""
    catalog = open_catalog(DataDir(data))
    try:
        # The archive's own runs, earlier still: the test's run is the last one.
        catalog.execute("UPDATE runs SET started_at = '2000-01-01T00:00:00Z'")
        run_id = f"demo-test-{status}-{event}"
        catalog.start_run(run_id, "demo", started.strftime("%Y-%m-%dT%H:%M:%SZ"))
        if status is not None:
            catalog.finish_run(run_id, started.strftime("%Y-%m-%dT%H:%M:%SZ"), status, {})
        if event is not None:
            catalog.add_event({"type": event, "site": "demo", "url": "http://x/", "at":
                               started.strftime("%Y-%m-%dT%H:%M:%SZ"), "run_id": run_id,
                               "fields": [], "diff": ""}, delivered_at="x")
    finally:
        catalog.close()


@pytest.mark.parametrize(("status", "event", "ago", "shown"), [
    ("finished", "site-down", 0, "down"),
    ("finished", "site-moved", 0, "moved"),
    ("stalled", "crawl-incomplete", 0, "stalled"),
    ("timeout", None, 0, "stalled"),
    (None, None, 3600, "stalled"),  # still `running` an hour on, no capture since
    (None, None, 0, "running"),
    ("interrupted", None, 0, "failed"),
    ("finished", None, 0, "ok"),
])
def test_the_status_is_the_last_runs(archive: Archive, tmp_path: Path, status: str | None,
                                     event: str | None, ago: int, shown: str) -> None:
    data = archive.copy(tmp_path)
    started = datetime.now(UTC) - timedelta(seconds=ago)
    _last_run(data, status, started, event)
    with serving(data) as base:
        assert _demo_row(base).cssselect("span.status")[0].get("data-status") == shown
