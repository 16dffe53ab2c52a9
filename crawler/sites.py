"""Site profiles: one small TOML file per portal, so an archivist adds a portal without Python.

A profile names its listings and which links are articles, and may pin down where the
article's parts are with CSS selectors (a ``[selectors]`` table); the generic
extractor fills whatever the profile leaves out. Unknown keys are errors, with the
file named, because a misspelt key silently ignored is a portal silently not archived.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, fields
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from cssselect import SelectorError
from lxml.cssselect import CSSSelector

from portal_archive.archive.errors import PortalArchiveError
from portal_archive.archive.keys import GENERIC_SERIES, host_of

GENERIC = "generic"
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_KEYS = {"id", "name", "base_url", "listings", "article_pattern", "notes", "selectors"}


@dataclass(frozen=True)
class Selectors:
    """CSS selectors for an article page's parts; None (or empty) leaves a part to the
    generic rules. Each selects elements (no ``::text``): the first match is used,
    except for ``authors`` and ``captions`` (every match) and ``remove`` (every match of
    every selector is dropped before anything else is read)."""

    title: CSSSelector | None = None
    published: CSSSelector | None = None  # text, or the datetime/content attribute
    category: CSSSelector | None = None
    lead: CSSSelector | None = None
    content: CSSSelector | None = None  # the element holding the body paragraphs
    captions: CSSSelector | None = None
    authors: CSSSelector | None = None
    remove: tuple[CSSSelector, ...] = ()


_SELECTOR_KEYS = tuple(f.name for f in fields(Selectors))


@dataclass(frozen=True)
class SiteProfile:
    id: str
    name: str
    base_url: str
    listings: tuple[str, ...]
    article_pattern: re.Pattern[str] | None = None
    notes: str = ""
    source: str = field(default="", compare=False)
    # Compiled XPath objects do not compare by value; the profile's file does.
    selectors: Selectors = field(default_factory=Selectors, compare=False)

    def listing_urls(self, base_url: str | None = None) -> list[str]:
        """Absolute listing URLs, against ``base_url`` when the portal is served elsewhere."""
        base = base_url or self.base_url
        return [urljoin(base.rstrip("/") + "/", path.lstrip("/")) if not urlsplit(path).scheme
                else path for path in self.listings]


def generic_profile(listing_urls: list[str]) -> SiteProfile:
    if not listing_urls:
        raise PortalArchiveError("a generic crawl needs at least one --listing URL")
    for url in listing_urls:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise PortalArchiveError(f"not an http(s) URL: {url}")
    return SiteProfile(GENERIC, "Ad-hoc listing crawl", listing_urls[0], tuple(listing_urls))


def series_of(site: str, listing_urls: list[str] | tuple[str, ...] = ()) -> str:
    """The name of a crawl's own state: its lock, run rows, WARC file series, listing
    order (stop-at-known, removals) and site-down count. A profile's is its id; ad-hoc
    listings get one per host, so two generic portals never share a lock or a listing
    history (their articles' ``site`` stays ``generic``, their keys hold the host).

    >>> series_of("demo"), series_of("generic", ["http://127.2.0.1:8080/tin-tuc"])
    ('demo', 'generic-127.2.0.1_8080')
    """
    if site != GENERIC:
        return site
    hosts = sorted({_UNSAFE.sub("_", host_of(url)) for url in listing_urls} - {""})
    return GENERIC_SERIES + "-".join(hosts) if hosts else GENERIC


_UNSAFE = re.compile(r"[^a-z0-9.-]")


def _profile_files() -> dict[str, Path]:
    folder = resources.files("portal_archive.crawler") / "profiles"
    return {Path(str(f)).stem: Path(str(f)) for f in folder.iterdir() if f.name.endswith(".toml")}


def site_ids() -> list[str]:
    return sorted(_profile_files())


def load_profile(site_id: str) -> SiteProfile:
    files = _profile_files()
    if site_id not in files:
        known = ", ".join(sorted(files)) or "none"
        raise PortalArchiveError(f"unknown site {site_id!r} (known: {known})")
    return parse_profile(files[site_id])


def parse_profile(path: Path) -> SiteProfile:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise PortalArchiveError(f"{path}: {exc}") from exc
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise PortalArchiveError(f"{path}: unknown key(s) {', '.join(unknown)}")
    for key in ("id", "name", "base_url", "listings"):
        if key not in data:
            raise PortalArchiveError(f"{path}: missing key {key!r}")
    if not _ID.match(data["id"]) or data["id"] != path.stem:
        raise PortalArchiveError(f"{path}: id must be lowercase and equal the file name")
    if not isinstance(data["listings"], list) or not data["listings"]:
        raise PortalArchiveError(f"{path}: listings must be a non-empty list of URLs or paths")
    try:
        pattern = re.compile(data["article_pattern"]) if "article_pattern" in data else None
    except re.error as exc:
        raise PortalArchiveError(f"{path}: article_pattern: {exc}") from exc
    return SiteProfile(
        id=data["id"],
        name=data["name"],
        base_url=data["base_url"],
        listings=tuple(data["listings"]),
        article_pattern=pattern,
        notes=data.get("notes", ""),
        source=str(path),
        selectors=_selectors(path, data.get("selectors", {})),
    )


def _selectors(path: Path, table: Any) -> Selectors:
    if not isinstance(table, dict):
        raise PortalArchiveError(f"{path}: selectors must be a table ([selectors])")
    unknown = sorted(set(table) - set(_SELECTOR_KEYS))
    if unknown:
        known = ", ".join(_SELECTOR_KEYS)
        raise PortalArchiveError(
            f"{path}: unknown key(s) selectors.{', selectors.'.join(unknown)} (known: {known})"
        )
    compiled: dict[str, Any] = {}
    for key, value in table.items():
        if key == "remove":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise PortalArchiveError(f"{path}: selectors.remove must be a list of strings")
            compiled[key] = tuple(_compile(path, key, v) for v in value)
        elif isinstance(value, str):
            compiled[key] = _compile(path, key, value)
        else:
            raise PortalArchiveError(f"{path}: selectors.{key} must be a CSS selector string")
    return Selectors(**compiled)


def _compile(path: Path, key: str, css: str) -> CSSSelector:
    try:
        return CSSSelector(css, translator="html")
    except SelectorError as exc:
        # Scrapy users write ::text and ::attr(); here a selector picks elements.
        raise PortalArchiveError(
            f"{path}: selectors.{key}: invalid CSS selector {css!r}: {exc}"
        ) from exc
