"""``/``: every site, its articles and versions, its last crawl and how that crawl ended,
with a chart of articles per published month and one of events per night."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from portal_archive.archive.browser.charts import bar_chart
from portal_archive.archive.browser.page import Archive, Request, Response
from portal_archive.archive.catalog import Catalog
from portal_archive.archive.catalogdb import CatalogRow
from portal_archive.archive.stamps import parse_utc_iso

# A run still `running` whose last capture is older than this has made no progress: its
# watchdog closes a crawl after as long without a response (WATCHDOG_STALL_TIMEOUT), so
# one still open past it has lost its process.
STALLED_AFTER = timedelta(seconds=600)
# Nights are the portals' own (Vietnam, UTC+7): a crawl at 01:00 there is that night's.
PORTAL_OFFSET = timedelta(hours=7)
NIGHTS = 30
MONTHS = 24  # the months chart shows at most the last two years of publishing
FINISHED = ("finished", "rebuilt")  # rebuilt: a run known only from its WARCs
INCOMPLETE = ("stalled", "timeout")


@dataclass(frozen=True)
class SiteRow:
    site: str
    name: str | None  # the site profile's name, if there is one
    articles: int
    removed: int
    versions: int
    last_crawl: str | None  # ISO UTC: when the last run finished (or began, if running)
    status: str  # ok | down | moved | stalled | running | failed | never
    months: list[tuple[str, int]]
    nights: list[tuple[str, int]]


def sites_page(req: Request, browser: Archive) -> Response:
    rows = site_rows(browser.catalog, datetime.now(UTC))
    vi = req.lang == "vi"
    charts = {row.site: (
        bar_chart(row.months, "chart-months", _span_label(
            row.months, f"Số bài theo tháng đăng của {row.site}" if vi
            else f"Articles per published month on {row.site}", vi)),
        bar_chart(row.nights, "chart-nights", _span_label(
            row.nights, f"Số sự kiện mỗi đêm của {row.site}" if vi
            else f"Events per night on {row.site}", vi)),
    ) for row in rows}
    return browser.render(req, "sites.html", active="sites", sites=rows, charts=charts)


def _span_label(bars: list[tuple[str, int]], what: str, vi: bool) -> str:
    """``what``, then the span and the highest bar: what the chart says to one who
    cannot see it."""
    if not bars:
        return what + (": chưa có dữ liệu" if vi else ": no data yet")
    top = max(value for _, value in bars)
    span = f"{bars[0][0]} – {bars[-1][0]}"
    return what + (f", {span}, cao nhất {top}" if vi else f", {span}, highest {top}")


def site_rows(catalog: Catalog, now: datetime) -> list[SiteRow]:
    """One row per site the catalog or the site profiles know, by name."""
    articles = {r["site"]: (int(r["n"]), int(r["removed"] or 0)) for r in catalog.execute(
        "SELECT site, count(*) AS n, sum(CASE WHEN status = 'removed' THEN 1 ELSE 0 END)"
        " AS removed FROM articles GROUP BY site")}
    versions = {r["site"]: int(r["n"]) for r in catalog.execute(
        "SELECT site, count(*) AS n FROM versions GROUP BY site")}
    runs = {r["site"]: r for r in catalog.execute(
        "SELECT * FROM runs r WHERE r.started_at = (SELECT max(started_at) FROM runs r2"
        " WHERE r2.site = r.site)")}
    months = _months(catalog)
    nights = _nights(catalog, now)
    names = profile_names()
    rows = []
    for site in sorted({*articles, *versions, *runs, *names}):
        run = runs.get(site)
        count, removed = articles.get(site, (0, 0))
        rows.append(SiteRow(
            site=site, name=names.get(site), articles=count, removed=removed,
            versions=versions.get(site, 0),
            last_crawl=(run["finished_at"] or run["started_at"]) if run else None,
            status=run_status(catalog, run, now),
            months=months.get(site, []), nights=nights.get(site, _empty_nights(now)),
        ))
    return rows


def run_status(catalog: Catalog, run: CatalogRow | None, now: datetime) -> str:
    """What a site's last run says of it: ok, down, moved, stalled, running, failed or
    never (no run at all)."""
    if run is None:
        return "never"
    if run["status"] == "running":
        progress = catalog.execute(
            "SELECT max(captured_at) AS at FROM captures WHERE run_id = :id",
            {"id": run["id"]})[0]["at"] or run["started_at"]
        return "stalled" if now - parse_utc_iso(progress) > STALLED_AFTER else "running"
    types = {r["type"] for r in catalog.execute(
        "SELECT DISTINCT type FROM events WHERE run_id = :id"
        " AND type IN ('site-down', 'site-moved', 'crawl-incomplete')", {"id": run["id"]})}
    if "site-down" in types:
        return "down"
    if "site-moved" in types:
        return "moved"
    if run["status"] in INCOMPLETE or "crawl-incomplete" in types:
        return "stalled"
    return "ok" if run["status"] in FINISHED else "failed"


def _months(catalog: Catalog) -> dict[str, list[tuple[str, int]]]:
    """Each site's articles (their latest version) per published month, every month from
    the first to the last (at most MONTHS), empty ones included."""
    counts: dict[str, dict[str, int]] = {}
    for r in catalog.execute(
            "SELECT site, substr(published_day, 1, 7) AS month, count(*) AS n"
            " FROM search_docs WHERE latest = 1 AND published_day IS NOT NULL"
            " GROUP BY site, substr(published_day, 1, 7)"):
        counts.setdefault(r["site"], {})[r["month"]] = int(r["n"])
    return {site: [(m, by_month.get(m, 0)) for m in month_span(by_month)[-MONTHS:]]
            for site, by_month in counts.items()}


def month_span(months: Iterable[str]) -> list[str]:
    """Every ``YYYY-MM`` from the first of ``months`` to the last.

    >>> month_span(["2025-11", "2026-02"])
    ['2025-11', '2025-12', '2026-01', '2026-02']
    """
    present = sorted(months)
    if not present:
        return []
    year, month = map(int, present[0].split("-"))
    span = []
    while f"{year:04d}-{month:02d}" <= present[-1]:
        span.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return span


def _nights(catalog: Catalog, now: datetime) -> dict[str, list[tuple[str, int]]]:
    """Each site's events per night over the last NIGHTS nights, oldest first. Counted
    per UTC hour in SQL, then moved to the portals' own dates here."""
    first = _night_of(now) - timedelta(days=NIGHTS - 1)
    since = (datetime.combine(first, datetime.min.time(), UTC) - PORTAL_OFFSET)
    counts: dict[str, Counter[date]] = {}
    for r in catalog.execute(
            "SELECT site, substr(at, 1, 13) AS hour, count(*) AS n FROM events"
            " WHERE at >= :since GROUP BY site, substr(at, 1, 13)",
            {"since": since.strftime("%Y-%m-%dT%H:%M:%S")}):
        night = _night_of(datetime.strptime(r["hour"], "%Y-%m-%dT%H").replace(tzinfo=UTC))
        counts.setdefault(r["site"], Counter())[night] += int(r["n"])
    return {site: _night_bars(by_night, now) for site, by_night in counts.items()}


def _night_bars(by_night: Mapping[date, int], now: datetime) -> list[tuple[str, int]]:
    last = _night_of(now)
    days = [last - timedelta(days=back) for back in range(NIGHTS - 1, -1, -1)]
    return [(day.isoformat(), by_night.get(day, 0)) for day in days]


def _empty_nights(now: datetime) -> list[tuple[str, int]]:
    return _night_bars({}, now)


def _night_of(moment: datetime) -> date:
    return (moment.astimezone(UTC) + PORTAL_OFFSET).date()


@lru_cache(maxsize=1)
def profile_names() -> dict[str, str]:
    """The configured site profiles (``portal-archive sites``): a site never crawled is
    listed too, as ``never``."""
    from portal_archive.crawler.sites import load_profile, site_ids

    return {site: load_profile(site).name for site in site_ids()}


