"""``/``: every site, its articles, its last crawl and how that crawl ended."""

from __future__ import annotations

from portal_archive.archive.browser.app import Browser, Request, Response


def sites_page(req: Request, browser: Browser) -> Response:
    return browser.render(req, "sites.html", active="sites", sites=[])
