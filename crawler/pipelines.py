"""Item pipeline: one cleaned JSON file per distinct version of an article.

A capture whose content hash equals the article's latest version only moves
``last_seen``; anything else is a new version, written atomically beside the others
in ``json/<site>/<article-key>/<capture-time>.json``.
"""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import datetime
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from portal_archive.archive.catalog import Catalog
from portal_archive.archive.datadir import DataDir
from portal_archive.archive.jsonstore import write_json_atomic
from portal_archive.archive.keys import article_key
from portal_archive.crawler.changes import classify
from portal_archive.crawler.eventlog import EventLog
from portal_archive.crawler.fatal import stop_crawl
from portal_archive.crawler.session import session_of
from portal_archive.crawler.text import text_hash

__all__ = ["ArticleVersionPipeline", "article_key", "capture_stamp"]


def capture_stamp(captured_at: str) -> str:
    """'2025-06-27T09:22:00.123456Z' -> '20250627092200123456' (sortable, portable)."""
    moment = datetime.fromisoformat(captured_at.replace("Z", "+00:00"))
    return moment.strftime("%Y%m%d%H%M%S%f")


class ArticleVersionPipeline:
    """Writes each distinct version and reports it: new, edited or cosmetic."""

    crawler: Crawler  # set by from_crawler, before Scrapy calls anything else

    def __init__(self, data: DataDir) -> None:
        self.data = data
        self.json_root = str(data.json)
        self.catalog: Catalog | None = None
        self.events: EventLog | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArticleVersionPipeline:
        pipeline = cls(DataDir(crawler.settings.get("PORTAL_DATA_DIR")))
        pipeline.crawler = crawler
        return pipeline

    # ``spider`` is optional: Scrapy 2.13 passes it, newer versions do not.
    def open_spider(self, spider: Spider | None = None) -> None:
        # The crawl's session owns the catalog connection and the event log.
        session = session_of(self.crawler)
        self.catalog = session.catalog
        self.events = session.events

    def process_item(self, item: dict[str, Any], spider: Spider | None = None) -> dict[str, Any]:
        try:
            return self._process(item)
        except (OSError, sqlite3.Error) as exc:
            # A full disk or a broken catalog: every later item would fail the same way.
            stop_crawl(self.crawler, f"could not store the article {item.get('url')}: {exc}")
            raise DropItem(str(exc)) from exc

    def _process(self, item: dict[str, Any]) -> dict[str, Any]:
        assert self.catalog is not None and self.events is not None
        stats = self.crawler.stats
        url, site, captured_at = item["url"], item["site"], item["captured_at"]
        key = session_of(self.crawler).key_of(url)
        latest = self.catalog.latest_version_of(site, key)
        self.catalog.record_article_seen(url, site, key, captured_at)
        hashes = (item["content_hash"], text_hash(item))
        if latest is not None and (latest["content_hash"], latest["text_hash"]) == hashes:
            stats.inc_value("article/unchanged")
            return item
        old = self._read_version(latest) if latest is not None else None
        old_text_hash = latest["text_hash"] if latest is not None else None
        kind, fields, diff = classify(old, item, old_text_hash, hashes[1])
        relative = f"{site}/{key}/{capture_stamp(captured_at)}.json"  # str: see atomic.py
        write_json_atomic(os.path.join(self.json_root, relative), item)
        warc = item.get("warc") or {}
        run_id = getattr(self.crawler.spider, "run_id", "")
        # The version and its event in one transaction: a kill between the two would
        # leave a version that is never reported (the next crawl finds it unchanged).
        with self.catalog.transaction():
            self.catalog.add_version(url, site, key, hashes, captured_at, run_id,
                                     relative, warc.get("record_id"))
            if kind is not None:
                self.events.emit(kind, site, url, run_id, fields=fields, diff=diff,
                                  title=item.get("title"))
        stats.inc_value(f"article/{kind or 'changed'}")
        stats.inc_value("json/files")
        return item

    def _read_version(self, row: Any) -> dict[str, Any] | None:
        try:
            return json.loads((self.data.json / row["json_path"]).read_text("utf-8"))
        except (OSError, ValueError):
            # The earlier file is gone: still a change, reported without a diff.
            return {"content_hash": row["content_hash"], "url": row["url"]}
