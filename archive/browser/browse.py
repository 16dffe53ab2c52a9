"""``/site/SITE[?month=YYYY-MM]``: a site's archived articles by published day, a month at
a time, like a newspaper's archive (the newest month first). Read from ``search_docs``
(its latest version of each article), whose ``published_day`` is the portal's own date."""

from __future__ import annotations

import re
from dataclasses import dataclass

from portal_archive.archive.browser.page import Archive, BadRequest, NotFound, Request, Response
from portal_archive.archive.catalog import Catalog

UNDATED = "undated"  # the month of the articles whose page gives no date
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])\Z")


@dataclass(frozen=True)
class Listed:
    key: str
    url: str
    title: str
    published: str | None
    category: str | None
    removed: bool


@dataclass(frozen=True)
class Day:
    day: str  # YYYY-MM-DD, or "" for the undated
    articles: list[Listed]


def browse_page(req: Request, browser: Archive) -> Response:
    site = req.route["site"]
    months = site_months(browser.catalog, site)
    if not months:
        if not _known_site(browser.catalog, site):
            raise NotFound(f"Không có cổng {site} trong kho." if req.lang == "vi"
                           else f"There is no site {site} in the archive.")
    month = req.params.get("month") or (months[0][0] if months else "")
    if month and month != UNDATED and not _MONTH.match(month):
        raise BadRequest("Tháng phải có dạng YYYY-MM." if req.lang == "vi"
                         else "The month must read YYYY-MM.")
    days = month_days(browser.catalog, site, month) if month else []
    return browser.render(req, "browse.html", active="sites", site=site, month=month,
                          months=months, days=days, undated=UNDATED,
                          total=sum(n for _, n in months))


def site_months(catalog: Catalog, site: str) -> list[tuple[str, int]]:
    """(month, articles) newest first; the undated last."""
    rows = catalog.execute(
        "SELECT substr(published_day, 1, 7) AS month, count(*) AS n FROM search_docs"
        " WHERE site = :site AND latest = 1 GROUP BY substr(published_day, 1, 7)",
        {"site": site})
    dated = sorted(((r["month"], int(r["n"])) for r in rows if r["month"]), reverse=True)
    undated = [(UNDATED, int(r["n"])) for r in rows if not r["month"]]
    return dated + undated


def month_days(catalog: Catalog, site: str, month: str) -> list[Day]:
    """The articles of ``month`` grouped by day, the newest day (and article) first."""
    select = (
        "SELECT d.key, d.url, d.title, d.published, d.published_day, d.category,"
        " a.status FROM search_docs d LEFT JOIN articles a ON a.url = d.url"
        " WHERE d.site = :site AND d.latest = 1 AND ")
    if month == UNDATED:
        rows = catalog.execute(select + "d.published_day IS NULL ORDER BY d.title",
                               {"site": site})
    else:
        rows = catalog.execute(
            select + "d.published_day >= :first AND d.published_day <= :last"
            " ORDER BY d.published_day DESC, d.published DESC, d.title",
            {"site": site, "first": f"{month}-01", "last": f"{month}-31"})
    days: dict[str, list[Listed]] = {}
    for r in rows:
        days.setdefault(r["published_day"] or "", []).append(Listed(
            key=r["key"], url=r["url"], title=r["title"], published=r["published"],
            category=r["category"], removed=r["status"] == "removed"))
    return [Day(day, listed) for day, listed in days.items()]


def _known_site(catalog: Catalog, site: str) -> bool:
    return bool(catalog.execute("SELECT 1 FROM runs WHERE site = :site LIMIT 1",
                                {"site": site}))
