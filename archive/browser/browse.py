"""``/site/SITE``: a site's archived articles by published day, a month at a time."""

from __future__ import annotations

from portal_archive.archive.browser.app import Browser, Request, Response


def browse_page(req: Request, browser: Browser) -> Response:
    return browser.render(req, "browse.html", site=req.route["site"], days=[], months=[])
