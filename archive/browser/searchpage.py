"""``/search``: the full-text search form and its results (archive/search.py does the
searching)."""

from __future__ import annotations

from portal_archive.archive.browser.app import Browser, Request, Response


def search_page(req: Request, browser: Browser) -> Response:
    return browser.render(req, "search.html", active="search", results=None)
