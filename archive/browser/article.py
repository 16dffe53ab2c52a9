"""Placeholder of the article page and the diff page (part ``article`` replaces this
file): a simple page naming the article, so routes and links work end to end."""

from __future__ import annotations

from portal_archive.archive.browser.app import Browser, NotFound, Request, Response


def article_page(req: Request, browser: Browser) -> Response:
    rows = browser.catalog.execute(
        "SELECT url, title FROM search_docs WHERE site = :site AND key = :key"
        " ORDER BY latest DESC, captured_at DESC LIMIT 1",
        {"site": req.route["site"], "key": req.route["key"]},
    ) if _has_search_docs(browser) else []
    if not rows:
        raise NotFound("Không có bài này." if req.lang == "vi" else "There is no such article.")
    return browser.render(req, "placeholder.html", heading=rows[0]["title"],
                          detail=rows[0]["url"])


def diff_page(req: Request, browser: Browser) -> Response:
    return browser.render(req, "placeholder.html", heading=req.route["key"],
                          detail=f"{req.params.get('a', '')} … {req.params.get('b', '')}")


def _has_search_docs(browser: Browser) -> bool:
    try:
        browser.catalog.execute("SELECT 1 FROM search_docs LIMIT 1")
    except Exception:
        return False
    return True
