"""The baseline for bench/crawl_overhead.py: a bare Scrapy spider that fetches the same
demo-portal pages as the portal spider (listings, articles, images, CSS) and keeps
nothing. Run by the benchmark with `scrapy runspider`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import scrapy


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, base: str = "", requisites: str = "True", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base = base
        self.requisites = requisites == "True"

    async def start(self) -> Any:
        for slug in ("hoat-dong-cap-uy", "tin-tuc-su-kien"):
            yield scrapy.Request(f"{self.base}/chuyen-muc/{slug}", callback=self.parse_listing)

    def parse_listing(self, response: scrapy.http.Response) -> Iterator[scrapy.Request]:
        for href in response.css("div.news-item h3 a::attr(href)").getall():
            yield response.follow(href, callback=self.parse_article, priority=10)
        yield from self._requisites(response)
        for link in response.css("div.pagination a"):
            if link.css("::text").get("").strip() == "Trang sau":
                yield response.follow(link, callback=self.parse_listing)

    def parse_article(self, response: scrapy.http.Response) -> Iterator[Any]:
        yield {"url": response.url, "title": response.css("h1::text").get()}
        yield from self._requisites(response)

    def _requisites(self, response: scrapy.http.Response) -> Iterator[scrapy.Request]:
        if not self.requisites:
            return
        for src in response.css("img::attr(src), link[rel=stylesheet]::attr(href)").getall():
            yield response.follow(src, callback=self.parse_requisite, priority=20)

    def parse_requisite(self, response: scrapy.http.Response) -> None:
        return None
