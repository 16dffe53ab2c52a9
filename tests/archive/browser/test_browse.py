"""/site/SITE: every archived article of a site, by published day, a month at a time."""

from __future__ import annotations

import json
from pathlib import Path

from portal_archive.archive.catalog import open_catalog
from portal_archive.archive.datadir import DataDir

from .conftest import Archive, get


def _latest(data: Path) -> dict[str, dict[str, object]]:
    """Each article key's newest JSON, read from disk."""
    return {folder.name: json.loads(sorted(folder.glob("*.json"))[-1].read_text("utf-8"))
            for folder in (data / "json" / "demo").iterdir()}


def test_every_article_is_reached_month_by_month_on_its_day(web: str, archive: Archive) -> None:
    latest = _latest(archive.data)
    first = get(web + "/site/demo").tree
    months = [a.get("data-month") for a in first.cssselect("nav#months a[data-month]")]
    assert months[0] == max(str(a["published"])[:7] for a in latest.values() if a["published"])
    seen: dict[str, str] = {}
    for month in months:
        page = get(web + f"/site/demo?month={month}").tree
        current = page.cssselect('nav#months a[aria-current="page"]')[0]
        assert current.get("data-month") == month
        for section in page.cssselect("section.day"):
            day = section.cssselect("h2 time")[0].get("datetime")
            assert day.startswith(month)
            for link in section.cssselect("ul.articles li a.article-link"):
                key = link.get("href").rsplit("/", 1)[1]
                seen[key] = day
                assert link.text_content() == latest[key]["title"]
    assert seen == {key: str(a["published"])[:10] for key, a in latest.items()}


def test_the_newest_day_comes_first(web: str) -> None:
    days = [t.get("datetime") for t in get(web + "/site/demo").tree.cssselect(
        "section.day h2 time")]
    assert days == sorted(days, reverse=True) and days


def test_a_removed_article_says_so(web: str, archive: Archive) -> None:
    catalog = open_catalog(DataDir(archive.data))
    try:
        removed = {r["key"]: r["url"] for r in catalog.articles("demo")
                   if r["status"] == "removed"}
    finally:
        catalog.close()
    assert removed
    (key,) = removed
    month = str(_latest(archive.data)[key]["published"])[:7]
    for item in get(web + f"/site/demo?month={month}").tree.cssselect("ul.articles li"):
        link = item.cssselect("a.article-link")[0].get("href")
        assert bool(item.cssselect("span.removed")) == link.endswith("/" + key)


def test_an_unknown_site_is_404_and_a_bad_month_400(web: str) -> None:
    assert get(web + "/site/nowhere").status == 404
    page = get(web + "/site/demo?month=2025-13&lang=en")
    assert page.status == 400
    assert page.tree.cssselect("#error-message")[0].text == "The month must read YYYY-MM."
