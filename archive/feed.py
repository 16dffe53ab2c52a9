"""Atom feeds of change events, one per site (``feeds/<site>.atom``), for monitors who
prefer a feed reader to alerts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree as ET

from portal_archive.archive.atomic import write_text_atomic

if TYPE_CHECKING:
    from portal_archive.archive.catalog import Catalog

ATOM = "http://www.w3.org/2005/Atom"
LABELS = {
    "new": "Bài mới", "edited": "Bài đã sửa", "cosmetic": "Sửa chính tả",
    "removed": "Bài đã gỡ", "site-down": "Cổng không truy cập được",
    "site-moved": "Cổng đã chuyển địa chỉ",
    "crawl-incomplete": "Lượt thu thập không hoàn tất",
}


def write_feed(path: Path, site: str, events: Iterable[Mapping[str, Any]],
               replay_url: str = "") -> None:
    """Replace ``path`` with an Atom feed of ``events`` (newest first)."""
    write_text_atomic(path, [feed_xml(site, f"portal-archive: changes on {site}", events,
                                      replay_url)])


def feed_xml(name: str, title: str, events: Iterable[Mapping[str, Any]],
             replay_url: str = "") -> str:
    """An Atom feed of ``events`` (newest first) as XML text: ``name`` makes its id (a
    site, or the browser's filters). The one builder of the feed files and the
    browser's ``/events.atom``."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    events = list(events)
    _text(feed, "id", f"urn:portal-archive:feed:{name}")
    _text(feed, "title", title)
    _text(feed, "updated", events[0]["at"] if events else "1970-01-01T00:00:00Z")
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", "portal-archive")
    for event in events:
        feed.append(_entry(event, replay_url))
    ET.indent(feed)
    xml = ET.tostring(feed, encoding="unicode", xml_declaration=False)
    return f'<?xml version="1.0" encoding="utf-8"?>\n{xml}\n'


def _entry(event: Mapping[str, Any], replay_url: str) -> ET.Element:
    entry = ET.Element(f"{{{ATOM}}}entry")
    label = LABELS.get(event["type"], event["type"])
    _text(entry, "id", f"urn:portal-archive:event:{event['run_id']}:{event['type']}:"
                       f"{event['url']}")
    _text(entry, "title", f"[{label}] {event.get('title') or event['url']}")
    _text(entry, "updated", event["at"])
    _text(entry, "category").set("term", event["type"])
    ET.SubElement(entry, f"{{{ATOM}}}link", href=event["url"], rel="alternate")
    if replay_url:
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="related",
                      href=replay_link(replay_url, event))
    summary = event["type"] + (f": {', '.join(event['fields'])}" if event["fields"] else "")
    _text(entry, "summary", summary)
    if event.get("diff"):
        _text(entry, "content", event["diff"]).set("type", "text")
    return entry


def replay_link(replay_url: str, event: Mapping[str, Any]) -> str:
    """pywb URL of the page as archived at the event (pywb picks the nearest capture)."""
    stamp = "".join(ch for ch in event["at"] if ch.isdigit())[:14]
    return f"{replay_url.rstrip('/')}/{event['site']}/{stamp}/{event['url']}"


def _text(parent: ET.Element, tag: str, text: str = "") -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}")
    element.text = text
    return element


def write_site_feed(catalog: Catalog, feeds: Path, site: str, size: int, replay_url: str) -> None:
    """``feeds/<site>.atom`` from the catalog's newest ``size`` events of ``site`` (none:
    no feed): written at the end of a crawl, or by the scheduler as it delivers."""
    from portal_archive.archive.events import event_from_row

    rows = catalog.events(site=site, newest_first=True, limit=size)
    events = [event_from_row(row) for row in rows]
    if events:
        write_feed(feeds / f"{site}.atom", site, events, replay_url)
