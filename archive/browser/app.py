"""The browser's WSGI app: one route table and the headers every page carries (what a
handler sees and gives is archive/browser/page.py).

Archived HTML is never served here: pages show the archive's cleaned text, escaped, and
link to pywb on the replay origin (another port, so another origin) for the page itself.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable, Iterable
from http import HTTPStatus
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

from sqlalchemy.exc import TimeoutError as PoolTimeout

from portal_archive.archive.browser import article, browse, events, searchpage, sites
from portal_archive.archive.browser.page import (
    DEFAULT_LANG,
    LANGS,
    Archive,
    BadRequest,
    NotFound,
    Request,
    Response,
)
from portal_archive.archive.catalog import CatalogError, reason_of

Handler = Callable[[Request, Archive], Response]

def security_headers(replay_base: str) -> list[tuple[str, str]]:
    """What every answer carries: nothing but our own CSS, images from the replay origin
    only, never framed, forms posted only here, and no Referer leaking to the replay."""
    csp = (f"default-src 'self'; img-src 'self' {replay_base} data:; "
           "frame-ancestors 'none'; form-action 'self'")
    return [
        ("Content-Security-Policy", csp),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
    ]


class Browser(Archive):
    """The WSGI app over an ``Archive``: routes each GET to its handler."""

    def respond(self, path: str, query: str, cookie: str = "") -> Response:
        """The answer to a GET of ``path?query``: the handler's, or a page saying why not."""
        params = dict(reversed(parse_qsl(query, keep_blank_values=True)))
        lang = _lang(params.get("lang"), cookie)
        for pattern, handler in _COMPILED:
            match = pattern.match(path)
            if match is None:
                continue
            # PATH_INFO is decoded already: the groups are the names as they are.
            req = Request(path, params, lang, match.groupdict())
            try:
                response = handler(req, self)
            except NotFound as exc:
                response = self.error_page(req, HTTPStatus.NOT_FOUND, str(exc))
            except BadRequest as exc:
                response = self.error_page(req, HTTPStatus.BAD_REQUEST, str(exc))
            break
        else:
            req = Request(path, params, lang, {})
            response = self.error_page(req, HTTPStatus.NOT_FOUND, _not_found(lang))
        if params.get("lang") in LANGS:
            response.headers.append(
                ("Set-Cookie", f"lang={lang}; Path=/; Max-Age=31536000; SameSite=Lax"))
        return response

    def error_page(self, req: Request, status: int, message: str) -> Response:
        page = self.render(req, "error.html", status=int(status), message=message)
        page.status = int(status)
        return page

    def __call__(self, environ: dict[str, Any],
                 start_response: Callable[..., Any]) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        if method not in ("GET", "HEAD"):
            response = _plain(405, "GET only")
            response.headers.append(("Allow", "GET, HEAD"))
        else:
            path = environ.get("PATH_INFO", "/").encode("latin-1").decode("utf-8", "replace")
            try:
                response = self.respond(path, environ.get("QUERY_STRING", ""),
                                        environ.get("HTTP_COOKIE", ""))
            except (CatalogError, PoolTimeout) as exc:
                # The catalog server gone away, a damaged page: said, and the next
                # request tries again.
                response = _plain(503, f"the catalog cannot be read: {reason_of(exc)}")
            except Exception:
                traceback.print_exc()  # a bug of ours: its trace for the log, one line out
                response = _plain(500, "internal error (the server's log has the trace)")
        headers = [("Content-Type", response.content_type),
                   ("Content-Length", str(len(response.body))),
                   *security_headers(self.replay_base), *response.headers]
        phrase = HTTPStatus(response.status).phrase
        start_response(f"{response.status} {phrase}", headers)
        return [b"" if method == "HEAD" else response.body]


def _plain(status: int, line: str) -> Response:
    return Response(status, (line + "\n").encode("utf-8"), "text/plain; charset=utf-8")


def _lang(asked: str | None, cookie: str) -> str:
    if asked in LANGS:
        return asked
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(cookie)
    except Exception:  # a malformed Cookie header is the client's business
        return DEFAULT_LANG
    morsel = jar.get("lang")
    return morsel.value if morsel is not None and morsel.value in LANGS else DEFAULT_LANG


def _not_found(lang: str) -> str:
    return "Không có trang này." if lang == "vi" else "There is no such page."


def replay_redirect(req: Request, browser: Archive) -> Response:
    """``/replay/<rest>``: pywb is mounted here by a redirect to its own origin."""
    query = urlencode(req.params)
    # PATH_INFO came decoded: a Vietnamese URL goes out %-encoded again, as Location must.
    rest = quote(req.route["rest"], safe="/:@!$&'()*+,;=~%")
    target = f"{browser.replay_base}/{rest}" + (f"?{query}" if query else "")
    return Response(302, b"", "text/plain; charset=utf-8", [("Location", target)])


def static_file(req: Request, browser: Archive) -> Response:
    from importlib.resources import files

    name = req.route["name"]
    resource = files("portal_archive.archive.browser").joinpath("static", name)
    if not name.endswith(".css") or not resource.is_file():
        raise NotFound(_not_found(req.lang))
    return Response(200, resource.read_bytes(), "text/css; charset=utf-8",
                    [("Cache-Control", "max-age=300")])


# The route table: a path pattern and its handler.
ROUTES: tuple[tuple[str, Handler], ...] = (
    (r"/", sites.sites_page),
    (r"/site/(?P<site>[^/]+)", browse.browse_page),
    (r"/search", searchpage.search_page),
    (r"/article/(?P<site>[^/]+)/(?P<key>[^/]+)", article.article_page),
    (r"/article/(?P<site>[^/]+)/(?P<key>[^/]+)/diff", article.diff_page),
    (r"/events", events.events_page),
    (r"/events\.atom", events.events_atom),
    (r"/replay/(?P<rest>.*)", replay_redirect),
    (r"/static/(?P<name>[A-Za-z0-9_.-]+)", static_file),
)
_COMPILED = [(re.compile(pattern + r"\Z"), handler) for pattern, handler in ROUTES]
