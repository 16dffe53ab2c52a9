"""/events and /events.atom over the two-day archive: every event of the catalog, the
filters, each edit linked to the diff of the two versions it went between, and the Atom
of the same filters holding the same events."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree as ET

import pytest

from portal_archive.archive.catalog import open_catalog
from portal_archive.archive.datadir import DataDir

from .conftest import Archive, get

ATOM = "{http://www.w3.org/2005/Atom}"


def _catalog_events(data: Path, **filters: str) -> list[tuple[str, str]]:
    catalog = open_catalog(DataDir(data))
    try:
        return [(row["type"], row["url"]) for row in catalog.events(newest_first=True,
                                                                     **filters)]
    finally:
        catalog.close()


def test_the_table_holds_every_event_newest_first(web: str, archive: Archive) -> None:
    rows = get(web + "/events").tree.cssselect("table#events tr.event")
    shown = [(tr.get("data-type"), tr.cssselect("td .meta")[-1].text) for tr in rows]
    assert shown == _catalog_events(archive.data)
    assert {"new", "edited", "cosmetic", "removed"} <= {t for t, _ in shown}


@pytest.mark.parametrize("kind", ["edited", "cosmetic"])
def test_an_edit_links_to_the_diff_of_the_version_its_run_captured(
        web: str, archive: Archive, kind: str) -> None:
    (row,) = get(web + f"/events?type={kind}").tree.cssselect("tr.event")
    link = urlsplit(row.cssselect("a.diff-link")[0].get("href"))
    query = {k: int(v[0]) for k, v in parse_qs(link.query).items()}
    catalog = open_catalog(DataDir(archive.data))
    try:
        (event,) = catalog.events(type_=kind)
        versions = catalog.versions(event["url"])  # oldest first
    finally:
        catalog.close()
    after = next(v for v in versions if v["run_id"] == event["run_id"])
    before = versions[versions.index(after) - 1]
    assert (query["a"], query["b"]) == (before["id"], after["id"])
    assert link.path == f"/article/{after['site']}/{after['key']}/diff"


def test_new_and_removed_link_to_their_article(web: str) -> None:
    for kind in ("new", "removed"):
        rows = get(web + f"/events?type={kind}").tree.cssselect("tr.event")
        assert rows
        for row in rows:
            assert row.get("data-type") == kind and not row.cssselect("a.diff-link")
            assert row.cssselect("a.article-link")[0].get("href").startswith("/article/demo/")


def test_the_filters_are_the_catalogs(web: str, archive: Archive) -> None:
    page = get(web + "/events?type=new&site=demo").tree
    assert len(page.cssselect("tr.event")) == len(_catalog_events(archive.data, type_="new"))
    form = page.cssselect("form#event-filters")[0]
    assert form.cssselect("#type option[selected]")[0].get("value") == "new"
    assert form.cssselect("#site option[selected]")[0].get("value") == "demo"
    assert not get(web + "/events?site=elsewhere").tree.cssselect("tr.event")
    assert get(web + "/events?since=2000-01-01").tree.cssselect("tr.event")
    future = get(web + "/events?since=2999-01-01").tree
    assert not future.cssselect("tr.event") and future.cssselect("#no-events")


def test_a_bad_date_is_400(web: str) -> None:
    page = get(web + "/events?since=01/12/2026")
    assert page.status == 400
    assert "YYYY-MM-DD" in page.tree.cssselect("#error-message")[0].text


def test_the_atom_has_the_same_events_as_the_table(web: str, archive: Archive) -> None:
    page = get(web + "/events?type=edited&lang=en").tree
    atom = page.cssselect("a#atom")[0].get("href")
    assert urlsplit(atom).path == "/events.atom" and "type=edited" in atom
    answer = get(web + atom)
    assert answer.headers["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(answer.body)
    entries = feed.findall(f"{ATOM}entry")
    urls = [e.find(f"{ATOM}link[@rel='alternate']").get("href") for e in entries]
    assert urls == [url for _, url in _catalog_events(archive.data, type_="edited")]
    assert {e.find(f"{ATOM}category").get("term") for e in entries} == {"edited"}
    everything = ET.fromstring(get(web + "/events.atom").body).findall(f"{ATOM}entry")
    assert len(everything) == len(_catalog_events(archive.data))
