"""The many-host test portal server (tests/portals.py) itself: one address per portal."""

from __future__ import annotations

import urllib.request

from tests.portals import DISALLOWED, Portals, host_of


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


def test_each_portal_answers_on_its_own_address_with_the_same_paths() -> None:
    with Portals(count=260, articles=3) as portals:
        assert len(set(portals.hosts)) == 260 and "127.0.0.1" not in portals.hosts
        first, last = portals.hosts[0], portals.hosts[-1]
        assert last == host_of(259) == "127.2.1.6"
        pages = {host: _get(portals.article_urls(host)[0]) for host in (first, last)}
        assert pages[first] != pages[last]  # each portal its own article on one path
        assert f"Disallow: {DISALLOWED}".encode() in _get(f"http://{last}:{portals.port}/robots.txt")
        served = portals.requests()
    assert [(host, path) for host, path, _ in served] == [
        (first, "/tin-tuc/hoat-dong-cap-uy/bai-viet-so-1.html"),
        (last, "/tin-tuc/hoat-dong-cap-uy/bai-viet-so-1.html"),
        (last, "/robots.txt")]
