"""What a page handler sees and gives: the request, the response, the errors it may
raise (each shown as one line in the page's layout), and ``Archive``, the archive it
reads — the data folder, its catalog, where pywb answers — and how a page is rendered.

Handlers import this module only; archive/browser/app.py routes to them (so neither
imports the other back).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from portal_archive.archive.browser.render import render_page
from portal_archive.archive.catalog import Catalog
from portal_archive.archive.datadir import DataDir
from portal_archive.archive.stamps import parse_utc_iso, utc_stamp14

LANGS = ("vi", "en")
DEFAULT_LANG = "vi"


@dataclass(frozen=True)
class Request:
    path: str
    params: Mapping[str, str]  # query string, first value of each
    lang: str  # "vi" | "en"
    route: Mapping[str, str]  # path parameters: {"site": ..., "key": ...}


@dataclass
class Response:
    status: int
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)


class NotFound(Exception):
    """Answered 404; the message is the one line shown."""


class BadRequest(Exception):
    """Answered 400; the message is the one line shown."""


class Archive:
    """What handlers read and how they answer: the data folder, its catalog and where
    pywb answers (app.Browser, the WSGI app, is one)."""

    def __init__(self, data: DataDir, catalog: Catalog, replay_base: str) -> None:
        self.data = data
        self.catalog = catalog
        self.replay_base = replay_base.rstrip("/")

    def replay_url(self, url: str, captured_at: str, modifier: str = "") -> str:
        """pywb's URL of the capture of ``url`` at ``captured_at`` (ISO, UTC), in
        collection ``all``; ``modifier`` e.g. ``im_`` for an image."""
        stamp = utc_stamp14(parse_utc_iso(captured_at))
        return f"{self.replay_base}/all/{stamp}{modifier}/{url}"

    def render(self, req: Request, template: str, **context: Any) -> Response:
        page = render_page(req.lang, req.path, req.params, template,
                           req=req, replay_base=self.replay_base, **context)
        return Response(200, page.encode("utf-8"))
