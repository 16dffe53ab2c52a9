"""Host names that resolve to private addresses: PublicOnlyResolver with a real reactor
(in a subprocess, as Twisted's reactor runs once per process), and a real crawl of a
site named by a public-looking host name."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TEST_CRAWL_SETTINGS, run_cli
from tests.hostile import HostileServer, page

_RESOLVE = """
import json, sys
from scrapy.utils.reactor import install_reactor
install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
from twisted.internet import reactor
from portal_archive.crawler.resolver import PublicOnlyResolver

resolver = PublicOnlyResolver(reactor, 100, 5.0)
resolver.install_on_reactor()
site_hosts, names = json.loads(sys.argv[1])
if site_hosts is not None:
    resolver.guard(site_hosts, None)
out = {}

async def main():
    for name in names:
        try:
            out[name] = await resolver.getHostByName(name).asFuture(asyncio.get_event_loop())
        except Exception as exc:
            out[name] = type(exc).__name__ + ": " + str(exc)
    reactor.stop()

import asyncio
from twisted.internet.defer import Deferred
reactor.callWhenRunning(lambda: Deferred.fromFuture(asyncio.ensure_future(main())))
reactor.run()
print(json.dumps(out))
"""


def _resolve(site_hosts: list[str] | None, names: list[str]) -> dict[str, str]:
    proc = subprocess.run([sys.executable, "-c", _RESOLVE, json.dumps([site_hosts, names])],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.splitlines()[-1])


def test_a_name_resolving_to_a_private_address_is_refused_once_guarded() -> None:
    results = _resolve(["portal.gov.vn"], ["localhost", "127.0.0.1"])
    for name in ("localhost", "127.0.0.1"):
        assert results[name].startswith("DNSLookupError"), results
        assert "resolves to a private address (127.0.0.1)" in results[name]


def test_the_sites_own_names_and_an_unguarded_resolver_resolve_as_usual() -> None:
    assert _resolve(["localhost"], ["localhost"]) == {"localhost": "127.0.0.1"}
    assert _resolve(None, ["localhost"]) == {"localhost": "127.0.0.1"}


def _loopback_name() -> str:
    """This machine's name if it resolves to loopback (a stand-in for a public portal's
    host name that the test can serve), else skip."""
    name = socket.gethostname()
    try:
        address = socket.gethostbyname(name)
    except OSError:
        pytest.skip(f"{name} does not resolve")
    if not address.startswith("127.") or name == "localhost":
        pytest.skip(f"{name} resolves to {address}, not to loopback")
    return name


def test_a_public_site_cannot_make_the_crawler_fetch_a_private_address(tmp_path: Path) -> None:
    name = _loopback_name()
    with HostileServer({}, host="127.0.0.1") as private:
        routes = {
            "/list": page("<html><body><a href='/tin/1.html'>Hội nghị Ban Chấp hành Đảng bộ"
                          " tỉnh lần thứ nhất</a></body></html>"),
            "/tin/1.html": page(
                "<html><body><h1>Hội nghị Ban Chấp hành Đảng bộ tỉnh lần thứ nhất</h1>"
                "<p>Ngày 26/6, Ban Thường vụ Tỉnh ủy tổ chức hội nghị để bàn về công tác.</p>"
                f"<img src='{private.url('/noi-bo.jpg')}'>"
                f"<img src='http://localhost:{private.url('/').split(':')[2]}'>"
                "<img src='/anh/1.jpg'></body></html>"),
            "/anh/1.jpg": page(b"\xff\xd8\xff jpeg", content_type=b"image/jpeg"),
        }
        with HostileServer(routes) as site:
            listing = site.url("/list").replace("127.0.0.1", name)
            args = ["crawl", "--listing", listing, "--data", str(tmp_path), "-v"]
            for key, value in TEST_CRAWL_SETTINGS.items():
                args += ["-s", f"{key}={value}"]
            result = run_cli(*args, timeout=60)
            site_hits, private_hits = dict(site.hits), dict(private.hits)
    assert result.returncode == 0, result.stderr[-2000:]
    assert site_hits.get("/tin/1.html") == 1 and site_hits.get("/anh/1.jpg") == 1, site_hits
    assert private_hits == {}
    match = re.search(r"'urls/dropped/private': (\d+)", result.stderr)
    assert match and int(match.group(1)) == 2, result.stderr[-2000:]
