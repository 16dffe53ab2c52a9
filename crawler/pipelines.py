"""Item pipeline: one cleaned JSON file per distinct version of an article.

A capture whose content hash equals the article's latest version only moves
``last_seen``; anything else is a new version, written atomically beside the others
in ``json/<site>/<article-key>/<capture-time>.json``.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from scrapy import Spider
from scrapy.crawler import Crawler

from archive.catalog import Catalog
from archive.datadir import DataDir
from archive.jsonstore import write_json_atomic

_SLUG = re.compile(r"[^a-z0-9]+")


def article_key(url: str) -> str:
    """A stable, readable folder name for an article URL.

    >>> article_key("http://127.0.0.1:8089/tin-tuc/hoi-nghi-so-ket-60.html")
    'hoi-nghi-so-ket-60-a3dfe4e2'
    """
    parts = urlsplit(url)
    stem = unquote(parts.path.rstrip("/").rsplit("/", 1)[-1]).rsplit(".", 1)[0]
    slug = _SLUG.sub("-", (stem + " " + parts.query).lower()).strip("-")[:80].strip("-")
    # The host is left out of the hash, so a portal that only changed host keeps its keys.
    digest = hashlib.sha1(f"{parts.path}?{parts.query}".encode()).hexdigest()[:8]
    return f"{slug or 'article'}-{digest}"


def capture_stamp(captured_at: str) -> str:
    """'2025-06-27T09:22:00.123456Z' -> '20250627092200123456' (sortable, portable)."""
    moment = datetime.fromisoformat(captured_at.replace("Z", "+00:00"))
    return moment.strftime("%Y%m%d%H%M%S%f")


class ArticleVersionPipeline:
    def __init__(self, data: DataDir) -> None:
        self.data = data
        self.catalog: Catalog | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArticleVersionPipeline:
        pipeline = cls(DataDir(crawler.settings.get("PORTAL_DATA_DIR")))
        pipeline.crawler = crawler
        return pipeline

    # ``spider`` is optional: Scrapy 2.13 passes it, newer versions do not.
    def open_spider(self, spider: Spider | None = None) -> None:
        self.catalog = Catalog(self.data.catalog)

    def close_spider(self, spider: Spider | None = None) -> None:
        if self.catalog is not None:
            self.catalog.close()

    def process_item(self, item: dict[str, Any], spider: Spider | None = None) -> dict[str, Any]:
        assert self.catalog is not None
        stats = self.crawler.stats
        url, site, captured_at = item["url"], item["site"], item["captured_at"]
        key = article_key(url)
        latest = self.catalog.latest_version(url)
        self.catalog.record_article_seen(url, site, key, captured_at)
        if latest is not None and latest["content_hash"] == item["content_hash"]:
            stats.inc_value("article/unchanged")
            return item
        relative = Path(site) / key / f"{capture_stamp(captured_at)}.json"
        write_json_atomic(self.data.json / relative, item)
        warc = item.get("warc") or {}
        self.catalog.add_version(
            url,
            item["content_hash"],
            captured_at,
            getattr(self.crawler.spider, "run_id", ""),
            relative.as_posix(),
            warc.get("record_id"),
        )
        stats.inc_value("article/new" if latest is None else "article/changed")
        stats.inc_value("json/files")
        return item
