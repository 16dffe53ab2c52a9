"""``/events`` and ``/events.atom``: the change events, newest first, filtered by type,
site and day; the table links each edit to its word diff, each new or removed article
to its page. The Atom is archive/feed.py's, the builder of the feed files."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from portal_archive.archive.browser.forms import is_day, page_number
from portal_archive.archive.browser.page import Archive, BadRequest, Request, Response
from portal_archive.archive.catalog import Catalog
from portal_archive.archive.catalogdb import CatalogRow
from portal_archive.archive.events import TYPES, event_from_row
from portal_archive.archive.feed import feed_xml

PER_PAGE = 100
MAX_PAGE = 10_000
FEED_SIZE = 200
EDITS = ("edited", "cosmetic")
ARTICLE_EVENTS = ("new", "removed")

# What each type is called in the table (archive/feed.py has the feed's own, Vietnamese).
TYPE_LABELS = {
    "new": ("Bài mới", "New article"),
    "edited": ("Bài đã sửa", "Edited"),
    "cosmetic": ("Sửa chính tả", "Cosmetic edit"),
    "removed": ("Bài đã gỡ", "Removed"),
    "site-down": ("Cổng không truy cập được", "Site down"),
    "site-moved": ("Cổng đã chuyển địa chỉ", "Site moved"),
    "crawl-incomplete": ("Lượt thu thập không hoàn tất", "Crawl incomplete"),
}


@dataclass(frozen=True)
class Filters:
    type: str
    site: str
    since: str  # YYYY-MM-DD (UTC): events at or after its start
    page: int

    def since_iso(self) -> str | None:
        return f"{self.since}T00:00:00" if self.since else None


@dataclass(frozen=True)
class EventRow:
    id: int
    type: str
    site: str
    url: str
    at: str
    title: str | None
    fields: list[str]
    key: str | None  # the article's key, if the event is an article's
    diff: tuple[int, int] | None  # (a, b): the versions an edit went from and to


def events_page(req: Request, browser: Archive) -> Response:
    filters = read_filters(req)
    rows = event_rows(browser.catalog, filters, PER_PAGE + 1, (filters.page - 1) * PER_PAGE)
    sites = [r["site"] for r in browser.catalog.execute(
        "SELECT DISTINCT site FROM events ORDER BY site")]
    return browser.render(req, "events.html", active="events", filters=filters,
                          events=rows[:PER_PAGE], more=len(rows) > PER_PAGE, types=TYPES,
                          labels=TYPE_LABELS, sites=sites)


def events_atom(req: Request, browser: Archive) -> Response:
    filters = read_filters(req)
    rows = _select(browser.catalog, filters, FEED_SIZE, 0)
    name = ":".join(f"{k}={v}" for k, v in (("type", filters.type), ("site", filters.site),
                                            ("since", filters.since)) if v) or "all"
    title = "portal-archive: changes" + (f" on {filters.site}" if filters.site else "")
    xml = feed_xml(name, title, [event_from_row(r) for r in rows], browser.replay_base)
    return Response(200, xml.encode("utf-8"), "application/atom+xml; charset=utf-8")


def read_filters(req: Request) -> Filters:
    vi = req.lang == "vi"
    type_ = req.params.get("type", "")
    if type_ and type_ not in TYPES:
        raise BadRequest(f"Không có loại sự kiện “{type_}”." if vi
                         else f"There is no event type “{type_}”.")
    since = req.params.get("since", "").strip()
    if since and not is_day(since):
        raise BadRequest(f"Ngày “{since}” phải có dạng YYYY-MM-DD." if vi
                         else f"The date “{since}” must read YYYY-MM-DD.")
    page = page_number(req.params.get("page", ""), MAX_PAGE)
    if page is None:
        raise BadRequest(f"Trang phải là số từ 1 đến {MAX_PAGE}." if vi
                         else f"The page must be a number from 1 to {MAX_PAGE}.")
    return Filters(type_, req.params.get("site", ""), since, page)


def event_rows(catalog: Catalog, filters: Filters, limit: int, offset: int) -> list[EventRow]:
    rows = _select(catalog, filters, limit, offset)
    previous = _previous_versions(catalog, [r["version_id"] for r in rows
                                            if r["type"] in EDITS and r["version_id"]])
    shown = []
    for r in rows:
        version = r["version_id"]
        diff = ((previous[version], version)
                if r["type"] in EDITS and version in previous else None)
        shown.append(EventRow(
            id=int(r["id"]), type=r["type"], site=r["site"], url=r["url"], at=r["at"],
            title=r["title"], fields=json.loads(r["fields"]), key=r["key"], diff=diff))
    return shown


def _select(catalog: Catalog, filters: Filters, limit: int, offset: int) -> list[CatalogRow]:
    """The events matching ``filters``, newest first, each with its article's key and the
    version its run captured of the article (the version an edit made)."""
    where, args = [], {}
    for clause, name, value in (("e.type = :type", "type", filters.type),
                                ("e.site = :site", "site", filters.site),
                                ("e.at >= :since", "since", filters.since_iso())):
        if value:
            where.append(clause)
            args[name] = value
    return catalog.execute(
        "SELECT e.*, a.key AS key, (SELECT v.id FROM versions v WHERE v.url = e.url"
        " AND v.run_id = e.run_id ORDER BY v.captured_at DESC, v.id DESC LIMIT 1)"
        " AS version_id FROM events e LEFT JOIN articles a ON a.url = e.url"
        + (" WHERE " + " AND ".join(where) if where else "")
        + f" ORDER BY e.at DESC, e.id DESC LIMIT {int(limit)} OFFSET {int(offset)}", args)


def _previous_versions(catalog: Catalog, ids: list[int]) -> dict[int, int]:
    """Each version's predecessor of the same article (the version before it)."""
    if not ids:
        return {}
    params: dict[str, Any] = {f"v{i}": v for i, v in enumerate(dict.fromkeys(ids))}
    rows = catalog.execute(
        "SELECT v.id, (SELECT p.id FROM versions p WHERE p.url = v.url AND"
        " (p.captured_at < v.captured_at OR (p.captured_at = v.captured_at AND p.id < v.id))"
        " ORDER BY p.captured_at DESC, p.id DESC LIMIT 1) AS prev FROM versions v"
        f" WHERE v.id IN ({', '.join(':' + name for name in params)})", params)
    return {int(r["id"]): int(r["prev"]) for r in rows if r["prev"] is not None}
