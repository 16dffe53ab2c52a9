"""A crawl talks only to the sites it archives: a response with Set-Cookie makes Scrapy's
cookie code ask tldextract about public suffixes, which must use the list shipped in
the package rather than download one. Any attempt goes to a recording proxy here."""

from __future__ import annotations

import os
from pathlib import Path

from tests.conftest import TEST_CRAWL_SETTINGS, run_cli
from tests.hostile import HostileServer, SilentListener, page

ARTICLE = ("<html><body><h1>Hội nghị Ban Chấp hành Đảng bộ tỉnh lần thứ nhất</h1><p>Ngày 26/6,"
           " Ban Thường vụ Tỉnh ủy tổ chức hội nghị để bàn về công tác xây dựng Đảng.</p>"
           "</body></html>")
COOKIES = [(b"Set-Cookie", b"ASP.NET_SessionId=abc123; path=/; HttpOnly"),
           (b"Set-Cookie", b"portal=1; Domain=portal.gov.vn; Path=/")]


def test_cookies_cause_no_connection_beyond_the_site(tmp_path: Path) -> None:
    routes = {
        "/list": page("<html><body><a href='/tin/1.html'>Hội nghị Ban Chấp hành Đảng bộ"
                      " tỉnh lần thứ nhất</a></body></html>", headers=COOKIES),
        "/tin/1.html": page(ARTICLE, headers=COOKIES),
    }
    cache = tmp_path / "tldextract-cache"  # empty: nothing cached to fall back on
    env = {name: value for name, value in os.environ.items()
           if name != "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"}
    with SilentListener() as proxy, HostileServer(routes) as server:
        proxy_url = f"http://127.0.0.1:{proxy.port}"
        env.update({"HTTP_PROXY": proxy_url, "HTTPS_PROXY": proxy_url, "http_proxy": proxy_url,
                    "https_proxy": proxy_url, "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1",
                    "TLDEXTRACT_CACHE": str(cache),
                    # Without the fix the fetch would block the reactor for ever on the
                    # silent proxy: time out, so that the test fails on the assert.
                    "TLDEXTRACT_CACHE_TIMEOUT": "2"})
        args = ["crawl", "--listing", server.url("/list"), "--data", str(tmp_path / "data")]
        for name, value in TEST_CRAWL_SETTINGS.items():
            args += ["-s", f"{name}={value}"]
        result = run_cli(*args, env=env, timeout=60)
        connections, first_bytes = proxy.connections, list(proxy.first_bytes)
        sent = [headers for target, headers in server.requests if target == "/tin/1.html"]
    assert result.returncode == 0, result.stderr
    assert connections == 0, first_bytes  # e.g. b"CONNECT publicsuffix.org:443 ..."
    # The cookie code did run: the session cookie went back to the site.
    assert any("ASP.NET_SessionId=abc123" in h.get("Cookie", "") for h in sent), sent
