"""The baseline of bench/crawl_overhead.py and bench/night.py: a bare Scrapy spider that
fetches the same pages as the portal spider (listings, articles, images, CSS) and keeps
nothing. Run by the benchmarks with `scrapy runspider`.

Two modes: ``-a base=URL`` crawls the demo portal's two listings; ``-a listings=FILE -a
articles=REGEX`` starts from every listing URL in FILE (one a line: many hosts in one
process) and follows the links whose path and query match REGEX.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, base: str = "", requisites: str = "True", listings: str = "",
                 articles: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base = base
        self.requisites = requisites == "True"
        self.listings = Path(listings).read_text().split() if listings else []
        self.articles = re.compile(articles) if articles else None

    async def start(self) -> Any:
        if self.listings:
            for url in self.listings:
                yield scrapy.Request(url, callback=self.parse_listing)
            return
        for slug in ("hoat-dong-cap-uy", "tin-tuc-su-kien"):
            yield scrapy.Request(f"{self.base}/chuyen-muc/{slug}", callback=self.parse_listing)

    def parse_listing(self, response: scrapy.http.Response) -> Iterator[scrapy.Request]:
        for href in self._article_links(response):
            yield response.follow(href, callback=self.parse_article, priority=10)
        yield from self._requisites(response)
        for link in response.css("div.pagination a"):
            if link.css("::text").get("").strip() == "Trang sau":
                yield response.follow(link, callback=self.parse_listing)

    def parse_article(self, response: scrapy.http.Response) -> Iterator[Any]:
        yield {"url": response.url, "title": response.css("h1::text").get()}
        yield from self._requisites(response)

    def _article_links(self, response: scrapy.http.Response) -> list[str]:
        if self.articles is None:
            return response.css("div.news-item h3 a::attr(href)").getall()
        links = []
        for href in response.css("a::attr(href)").getall():
            parts = urlsplit(response.urljoin(href))
            if self.articles.match(parts.path + (f"?{parts.query}" if parts.query else "")):
                links.append(href)
        return links

    def _requisites(self, response: scrapy.http.Response) -> Iterator[scrapy.Request]:
        if not self.requisites:
            return
        for src in response.css("img::attr(src), link[rel=stylesheet]::attr(href)").getall():
            yield response.follow(src, callback=self.parse_requisite, priority=20)

    def parse_requisite(self, response: scrapy.http.Response) -> None:
        return None
