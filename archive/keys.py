"""Article keys: the folder name ``json/<site>/<key>/`` and the catalog's ``key`` column.

A key includes the article's host, so two portals on one CMS with identical paths keep
separate articles. A portal that moves host carries its articles' history explicitly:
each ``site-moved`` event recorded for the site maps the new host to the one the
articles were first archived under (``HostMoves``), and the key is made with that host.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit

_SLUG = re.compile(r"[^a-z0-9]+")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def host_of(url: str) -> str:
    """The host a key is made with: lower case, port only when not the scheme's default
    (so an http -> https move of one host is no move of its articles).

    >>> host_of("https://Example.gov.vn:443/a"), host_of("http://127.0.0.1:8089/a")
    ('example.gov.vn', '127.0.0.1:8089')
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is not None and port != _DEFAULT_PORTS.get(parts.scheme.lower()):
        host = f"{host}:{port}"
    return host


def article_key(url: str, host: str | None = None) -> str:
    """A stable, readable folder name for an article URL; ``host`` (default: the URL's)
    is the one the key is made with, for a portal that moved.

    >>> article_key("http://127.0.0.1:8089/tin-tuc/hoi-nghi-so-ket-60.html")
    'hoi-nghi-so-ket-60-35341035'
    >>> article_key("http://127.0.0.1:8090/tin-tuc/hoi-nghi-so-ket-60.html")
    'hoi-nghi-so-ket-60-4bf2cf0f'
    """
    parts = urlsplit(url)
    home = host if host is not None else host_of(url)
    return _key(parts.path, parts.query, f"{home}{parts.path}?{parts.query}")


def legacy_article_key(url: str) -> str:
    """The key of catalog schema 3 and before (no host): only to migrate old folders."""
    parts = urlsplit(url)
    return _key(parts.path, parts.query, f"{parts.path}?{parts.query}")


def _key(path: str, query: str, hashed: str) -> str:
    """The readable slug of the path's last part and query, and 8 hex of ``hashed``."""
    stem = unquote(path.rstrip("/").rsplit("/", 1)[-1]).rsplit(".", 1)[0]
    slug = _SLUG.sub("-", (stem + " " + query).lower()).strip("-")[:80].strip("-")
    return f"{slug or 'article'}-{hashlib.sha1(hashed.encode()).hexdigest()[:8]}"


def move_of(diff: str) -> tuple[str, str] | None:
    """(old host, new host) of a site-moved event's diff ('- old URL\\n+ new URL').

    >>> move_of("- http://a.vn/tin\\n+ https://b.vn/tin")
    ('a.vn', 'b.vn')
    """
    lines = dict(line.split(" ", 1) for line in diff.splitlines() if line[:2] in ("- ", "+ "))
    if "-" not in lines or "+" not in lines:
        return None
    return host_of(lines["-"].strip()), host_of(lines["+"].strip())


class HostMoves:
    """Which host each host of a site stands for, from its site-moved events (oldest
    first): the host its articles were first archived under.

    >>> moves = HostMoves([("a", "b"), ("b", "c")])
    >>> moves.home("c"), moves.home("b"), moves.home("x")
    ('a', 'a', 'x')
    >>> HostMoves([("a", "b"), ("b", "a")]).home("a")  # moved back home
    'a'
    """

    def __init__(self, moves: Iterable[tuple[str, str]] = ()) -> None:
        self._home: dict[str, str] = {}
        for old, new in moves:
            self.add(old, new)

    def add(self, old: str, new: str) -> None:
        target = self.home(old)
        if target == new:
            self._home.pop(new, None)  # back where its articles began
        elif new not in self._home:
            # A host already mapped keeps its first home: its articles began there.
            self._home[new] = target

    def home(self, host: str) -> str:
        seen = {host}
        while host in self._home and self._home[host] not in seen:
            host = self._home[host]
            seen.add(host)
        return host

    def key(self, url: str) -> str:
        return article_key(url, self.home(host_of(url)))


GENERIC_SERIES = "generic-"  # crawler/sites.py series_of: one series per generic host


def site_of_series(series: str) -> str:
    """The site whose crawls a WARC series (a folder of warc/, a run's site) holds: a
    generic host's series is the generic site's (crawler/sites.py series_of).

    >>> site_of_series("demo"), site_of_series("generic-127.2.0.1_8080")
    ('demo', 'generic')
    """
    return "generic" if series.startswith(GENERIC_SERIES) else series
