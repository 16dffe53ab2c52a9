"""A real listing crawl (issue 10): `crawl --listing` of the three real listing pages of
../shared/realpages, each served at its real path by its own portal on 127.0.0.1, with
one of that portal's real article pages behind every article path. It follows every
article link of each list and dakrlap's real next page, and the WARC holds them."""

from __future__ import annotations

import itertools
import sqlite3
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from parsel import Selector

from portal_archive.crawler.pipelines import article_key
from tests.conftest import TEST_CRAWL_SETTINGS, run_cli, warc_response_urls
from tests.hostile import HostileServer, Route, page
from tests.realpages import REALPAGES

LISTING_PATH = "/tin-tuc-su-kien/"
# Per portal: its listing, what its list's items are (read by hand, SOURCES.md), its
# real article pages, and the date its listing prints for the first item.
PORTALS = {
    "dakrlap": ("dn-dakrlap-listing-tin-tuc-su-kien.html", "//td[@class='TitleFront']/a",
                "2019-08-07T15:43:00+07:00"),
    "stp": ("dn-stp-listing-tin-tuc-su-kien.html", "//td[@class='TitleFront']/a",
            "2019-08-05T16:32:00+07:00"),
    "ldld": ("dn-ldld-listing-tin-tuc-su-kien.html", "//div[@class='nd_detail']/h2/a",
             "2019-05-17T09:49:00+07:00"),
}
NEXT_PAGE = "/tin-tuc-su-kien/page/2"  # dakrlap's "Trang sau"
FOLLOWED_AT_LEAST = 0.95


def _article_paths(portal: str) -> list[str]:
    listing, items, _ = PORTALS[portal]
    sel = Selector(text=(REALPAGES / listing).read_text(encoding="utf-8"))
    return [urlsplit(urljoin("http://x" + LISTING_PATH, a.attrib["href"])).path
            for a in sel.xpath(items)]


def _routes(portal: str) -> dict[str, Route]:
    listing = (REALPAGES / PORTALS[portal][0]).read_bytes()
    articles = sorted(REALPAGES.glob(f"dn-{portal}-*.html"))
    articles = [p for p in articles if "listing" not in p.name]
    routes: dict[str, Route] = {LISTING_PATH: page(listing), NEXT_PAGE: page(listing)}
    for path, article in zip(_article_paths(portal), itertools.cycle(articles)):
        routes[path] = page(article.read_bytes())
    return routes


@pytest.mark.skipif(not REALPAGES.is_dir(), reason=f"the real pages are not here: {REALPAGES}")
def test_a_crawl_of_the_real_listings_follows_their_articles_and_next_page(
        tmp_path: Path) -> None:
    servers = {portal: HostileServer(_routes(portal)) for portal in PORTALS}
    data = tmp_path / "data"
    args = ["crawl", "--data", str(data)]
    for server in servers.values():
        args += ["--listing", server.url(LISTING_PATH)]
    # The pages' hundreds of images and scripts are not what this test is about.
    for name, value in {**TEST_CRAWL_SETTINGS, "PORTAL_REQUISITES": "False"}.items():
        args += ["-s", f"{name}={value}"]
    with servers["dakrlap"], servers["stp"], servers["ldld"]:
        result = run_cli(*args, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]

    archived = warc_response_urls(data)
    catalog = sqlite3.connect(data / "catalog.sqlite")
    for portal, server in servers.items():
        paths = _article_paths(portal)
        followed = [p for p in paths if server.hits[p] >= 1]
        assert len(followed) >= FOLLOWED_AT_LEAST * len(paths), (portal, len(followed))
        assert {server.url(p) for p in followed} <= archived  # read back from the WARC
        # The date the listing printed, kept in the catalog beside the article's own.
        (listed,) = catalog.execute(
            "SELECT listed_date FROM listing_items WHERE key = ? AND url LIKE ?",
            (article_key(server.url(paths[0])), server.base_url + "%")).fetchone()
        assert listed == PORTALS[portal][2]
    assert servers["dakrlap"].hits[NEXT_PAGE] == 1
    assert servers["stp"].hits[NEXT_PAGE] == 0 and servers["ldld"].hits[NEXT_PAGE] == 0


