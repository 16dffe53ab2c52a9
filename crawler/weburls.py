"""Which URLs a crawl may fetch: the web's, and only the web's.

A portal page is written by people we do not know. Its ``<img src="file:///…">`` must not
read this machine's files into the archive, an ``ftp://`` image must not hold the crawl,
and one ``JavaScript:`` or ``mailto:`` link (which Scrapy refuses to make a Request of)
must not cost the rest of the page. The spider keeps only what `web_url` accepts; the
`WebOnlyMiddleware` (crawler/middlewares/webonly.py) refuses anything else that reaches
the downloader, and crawler/settings.py disables Scrapy's non-web download handlers.

    >>> web_url("http://a.vn/tin/", "../anh/1.jpg")
    'http://a.vn/anh/1.jpg'
    >>> web_url("http://a.vn/", "JavaScript:void(0)") is None
    True
    >>> scheme_of("MAILTO:a@b.vn"), scheme_of("/relative"), scheme_of("http://[::1")
    ('mailto', '', 'invalid')
    >>> srcset_urls("a.jpg 1x, b.jpg 2x,c.jpg, data:image/png;base64,AAA= 3x")
    ['a.jpg', 'b.jpg', 'c.jpg', 'data:image/png;base64,AAA=']
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urljoin, urlsplit

WEB_SCHEMES = frozenset({"http", "https"})


def scheme_of(url: str) -> str:
    """The URL's scheme, lower-cased; '' for a relative URL, 'invalid' if unparsable."""
    try:
        return urlsplit(url.strip()).scheme.lower()
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return "invalid"


def web_url(base: str, href: str) -> str | None:
    """`href` made absolute against `base` if it is an http(s) URL with a host, else None."""
    try:
        url = urljoin(base, href.strip())
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in WEB_SCHEMES or not parts.hostname:
        return None
    return url


def path_and_query(url: str) -> str:
    """What of a URL a site's patterns match and its log lines name: path and query.

    >>> path_and_query("http://a.vn/tin/1.html?trang=2#top"), path_and_query("http://a.vn")
    ('/tin/1.html?trang=2', '')
    """
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def srcset_urls(srcset: str) -> list[str]:
    """The image URLs of a ``srcset`` attribute, read the way the HTML standard does:
    a URL runs to white space, a descriptor to the next comma (data: URLs hold commas)."""
    urls = []
    pos, end = 0, len(srcset)
    while pos < end:
        while pos < end and (srcset[pos].isspace() or srcset[pos] == ","):
            pos += 1
        start = pos
        while pos < end and not srcset[pos].isspace():
            pos += 1
        url = srcset[start:pos]
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            while pos < end and srcset[pos] != ",":
                pos += 1  # the descriptor ("2x", "640w")
        if url:
            urls.append(url)
    return urls


def is_private_host(host: str) -> bool:
    """True for ``localhost`` and literal addresses that are not on the public Internet
    (loopback, private, link-local, unspecified ...), in any spelling the resolver would
    accept: ``127.1`` and ``2130706433`` are 127.0.0.1 to inet_aton.

    >>> [is_private_host(h) for h in ("127.0.0.1", "[::1]", "10.1.2.3", "169.254.169.254")]
    [True, True, True, True]
    >>> [is_private_host(h) for h in ("LOCALHOST", "x.localhost", "2130706433", "0x7f.1")]
    [True, True, True, True]
    >>> [is_private_host(h) for h in ("example.gov.vn", "8.8.8.8", "[2001:4860::8888]")]
    [False, False, False]
    """
    host = host.strip().strip("[]").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(host)
    except ValueError:
        try:
            address = ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return False  # a host name: only its resolver knows (see the README)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not address.is_global
