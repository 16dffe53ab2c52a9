"""``/search?q=&site=&category=&since=&until=&page=``: the search form, which keeps what
was asked, and its results, ranked, highlighted and paged (archive/search.py searches;
the form only reads and checks what the user typed)."""

from __future__ import annotations

from dataclasses import dataclass

from portal_archive.archive.browser.forms import is_day, page_number
from portal_archive.archive.browser.page import Archive, BadRequest, Request, Response
from portal_archive.archive.errors import PortalArchiveError

PER_PAGE = 20
MAX_PAGE = 500  # deeper than anyone reads; keeps OFFSET bounded


@dataclass(frozen=True)
class Asked:
    """The form's values as typed (kept in the form), and the page wanted."""
    q: str
    site: str
    category: str
    since: str
    until: str
    page: int


def search_page(req: Request, browser: Archive) -> Response:
    from portal_archive.archive.search import SearchQuery, search, search_facets

    sites, categories = search_facets(browser.catalog)
    try:
        asked = read_form(req)
    except BadRequest as exc:
        return render_search(req, browser, _blank(req), sites, categories, error=str(exc),
                             status=400)
    if not asked.q.strip():
        return render_search(req, browser, asked, sites, categories)
    query = SearchQuery(text=asked.q, site=asked.site or None,
                        category=asked.category or None, since=asked.since or None,
                        until=asked.until or None, limit=PER_PAGE,
                        offset=(asked.page - 1) * PER_PAGE)
    try:
        results = search(browser.catalog, query)
    except PortalArchiveError as exc:
        return render_search(req, browser, asked, sites, categories, error=str(exc), status=400)
    return render_search(req, browser, asked, sites, categories, results=results)


def read_form(req: Request) -> Asked:
    """The form's fields; a date or page that cannot be read is one line (BadRequest)."""
    vi = req.lang == "vi"
    p = req.params
    since, until = p.get("since", "").strip(), p.get("until", "").strip()
    for value in (since, until):
        if value and not is_day(value):
            raise BadRequest(f"Ngày “{value}” phải có dạng YYYY-MM-DD." if vi
                             else f"The date “{value}” must read YYYY-MM-DD.")
    if since and until and since > until:
        raise BadRequest("“Từ ngày” phải trước “đến ngày”." if vi
                         else "“Since” must come before “until”.")
    page = page_number(p.get("page", ""), MAX_PAGE)
    if page is None:
        raise BadRequest(f"Trang phải là số từ 1 đến {MAX_PAGE}." if vi
                         else f"The page must be a number from 1 to {MAX_PAGE}.")
    return Asked(q=p.get("q", ""), site=p.get("site", ""), category=p.get("category", ""),
                 since=since, until=until, page=page)


def _blank(req: Request) -> Asked:
    """What the form shows when what was typed could not be read: the text, nothing else."""
    return Asked(q=req.params.get("q", ""), site="", category="", since="", until="", page=1)


def render_search(req: Request, browser: Archive, asked: Asked, sites: list[str],
          categories: list[str], results: object = None, error: str = "",
          status: int = 200) -> Response:
    from portal_archive.archive.browser.render import marked

    page = browser.render(req, "search.html", active="search", asked=asked, sites=sites,
                          categories=categories, results=results, error=error,
                          per_page=PER_PAGE, marked=marked)
    page.status = status
    return page
