"""The page's head (meta tags, <title>, canonical link, <base>) and the URLs it gives."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from portal_archive.crawler.text import clean

from .tree import El, text_of


@dataclass
class Head:
    meta: dict[str, str] = field(default_factory=dict)
    title: str = ""
    canonical: str | None = None
    base: str | None = None


def read_head(root: El) -> Head:
    """The first value of each meta tag, the <title>, the canonical link and <base>."""
    head = Head()
    for el in root.iter("meta", "link", "title", "base"):
        if el.tag == "meta":
            key = (el.get("property") or el.get("name") or el.get("itemprop") or "").lower()
            content = el.get("content")
            if key and content and key not in head.meta:
                head.meta[key] = content
        elif el.tag == "link":
            if head.canonical is None and "canonical" in (el.get("rel") or "").lower().split():
                head.canonical = el.get("href")
        elif el.tag == "title":
            head.title = head.title or clean(text_of(el))
        elif head.base is None:
            head.base = el.get("href")
    return head


def safe_join(base: str, href: str | None) -> str | None:
    href = (href or "").strip()
    if not href:
        return None
    try:
        return urljoin(base, href)
    except ValueError:  # e.g. a malformed IPv6 host
        return None


def canonical_url(url: str, head: Head) -> str:
    """The page's canonical link when it is on the fetched URL's host, else ``url``."""
    canonical = safe_join(url, head.canonical)
    if canonical is None or not canonical.startswith(("http://", "https://")):
        return url
    try:
        return _drop_default_port(canonical) if _host(canonical) == _host(url) else url
    except ValueError:
        return url


def _drop_default_port(url: str) -> str:
    """SharePoint writes https://host:443/... in its canonical links: the same URL."""
    parts = urlsplit(url)
    if (parts.scheme, parts.port) in (("http", 80), ("https", 443)):
        host = parts.netloc.rsplit(":", 1)[0]
        return parts._replace(netloc=host).geturl()
    return url


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().removeprefix("www.")
