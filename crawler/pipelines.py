"""Item pipeline: one cleaned JSON file per distinct version of an article.

A capture whose content hash equals the article's latest version only moves
``last_seen``; anything else is a new version, written atomically beside the others
in ``json/<site>/<article-key>/<capture-time>.json``.

Articles are stored in batches (PORTAL_STORE_BATCH_SIZE, or PORTAL_STORE_BATCH_SECONDS
after the first, and at the end): each file is written and renamed at once, then the
batch's files are made durable (by one sync of the file system when there are many:
archive/atomic.py), and only then are they recorded, with their events and their search
documents (archive/search.py), in one catalog transaction. What the catalog names is
thus always on disk; a kill mid-batch leaves files no version names (``verify`` notes
them) and the next crawl writes and reports those articles again.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NoReturn

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from portal_archive.archive.atomic import sync_files
from portal_archive.archive.catalog import Catalog, CatalogError, reason_of
from portal_archive.archive.datadir import DataDir
from portal_archive.archive.jsonstore import write_json_atomic
from portal_archive.archive.keys import article_key
from portal_archive.archive.search import SearchDoc, index_document, search_doc_of
from portal_archive.crawler.changes import classify
from portal_archive.crawler.eventlog import EventLog
from portal_archive.crawler.fatal import stop_crawl
from portal_archive.crawler.session import session_of
from portal_archive.crawler.storage import crawl_data
from portal_archive.crawler.text import text_hash
from portal_archive.crawler.writebehind import WriteBehind

__all__ = ["ArticleVersionPipeline", "article_key", "capture_stamp"]


def capture_stamp(captured_at: str) -> str:
    """'2025-06-27T09:22:00.123456Z' -> '20250627092200123456' (sortable, portable)."""
    moment = datetime.fromisoformat(captured_at.replace("Z", "+00:00"))
    return moment.strftime("%Y%m%d%H%M%S%f")


@dataclass(frozen=True)
class Version:
    """A new version whose file is written, waiting to be recorded with its event."""

    hashes: tuple[str, str]  # (content_hash, text_hash)
    json_path: str  # relative to json/
    record_id: str | None
    kind: str | None  # the event: new, edited, cosmetic (None: no event)
    fields: list[str]
    diff: str
    title: str | None
    doc: SearchDoc  # what the search index holds of it


@dataclass(frozen=True)
class Seen:
    """An article read in this crawl, and its new version if it has one."""

    url: str
    site: str
    key: str
    captured_at: str
    version: Version | None = None


class ArticleVersionPipeline:
    """Writes each distinct version and reports it: new, edited or cosmetic."""

    crawler: Crawler  # set by from_crawler, before Scrapy calls anything else

    def __init__(self, data: DataDir, batch_size: int = 1, batch_seconds: float = 0.0) -> None:
        self.data = data
        self.json_root = str(data.json)
        self.catalog: Catalog | None = None
        self.events: EventLog | None = None
        self.batch = WriteBehind(self._store, batch_size, batch_seconds)
        # The newest version of each article in the batch, by (site, key): what the
        # catalog will say once the batch is stored.
        self.unstored: dict[tuple[str, str], dict[str, Any]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArticleVersionPipeline:
        settings = crawler.settings
        pipeline = cls(crawl_data(settings),
                       settings.getint("PORTAL_STORE_BATCH_SIZE"),
                       settings.getfloat("PORTAL_STORE_BATCH_SECONDS"))
        pipeline.crawler = crawler
        return pipeline

    # ``spider`` is optional: Scrapy 2.13 passes it, newer versions do not.
    def open_spider(self, spider: Spider | None = None) -> None:
        # The crawl's session owns the catalog connection and the event log.
        session = session_of(self.crawler)
        self.catalog = session.catalog
        self.events = session.events

    def close_spider(self, spider: Spider | None = None) -> None:
        self.batch.flush()

    def process_item(self, item: dict[str, Any], spider: Spider | None = None) -> dict[str, Any]:
        try:
            seen = self._process(item)
        except (OSError, CatalogError) as exc:
            self._failed(f"could not store the article {item.get('url')}: {reason_of(exc)}", exc)
        self.batch.add(seen)
        return item

    def _failed(self, message: str, exc: Exception) -> NoReturn:
        # A full disk or a broken catalog: every later item would fail the same way.
        stop_crawl(self.crawler, message)
        raise DropItem(reason_of(exc)) from exc

    def _process(self, item: dict[str, Any]) -> Seen:
        assert self.catalog is not None
        stats = self.crawler.stats
        url, site, captured_at = item["url"], item["site"], item["captured_at"]
        key = session_of(self.crawler).key_of(url)
        latest = self.unstored.get((site, key)) or self.catalog.latest_version_of(site, key)
        hashes = (item["content_hash"], text_hash(item))
        if latest is not None and (latest["content_hash"], latest["text_hash"]) == hashes:
            stats.inc_value("article/unchanged")
            return Seen(url, site, key, captured_at)
        old = self._read_version(latest) if latest is not None else None
        old_text_hash = latest["text_hash"] if latest is not None else None
        kind, fields, diff = classify(old, item, old_text_hash, hashes[1])
        relative = f"{site}/{key}/{capture_stamp(captured_at)}.json"  # str: see atomic.py
        write_json_atomic(os.path.join(self.json_root, relative), item, sync=False)
        self.unstored[(site, key)] = {"url": url, "content_hash": hashes[0],
                                      "text_hash": hashes[1], "json_path": relative}
        stats.inc_value(f"article/{kind or 'changed'}")
        stats.inc_value("json/files")
        warc = item.get("warc") or {}
        return Seen(url, site, key, captured_at, Version(
            hashes, relative, warc.get("record_id"), kind, fields, diff, item.get("title"),
            search_doc_of(item, key)))

    def _store(self, batch: list[Seen]) -> None:
        """The batch's files made durable, then recorded with their events."""
        assert self.catalog is not None and self.events is not None
        self.unstored.clear()
        run_id = getattr(self.crawler.spider, "run_id", "")
        try:
            sync_files([os.path.join(self.json_root, seen.version.json_path)
                        for seen in batch if seen.version], self.json_root)
            # The captures the versions name go first.
            self.catalog.write_queued()
            # Each version and its event in one transaction: a kill between the two
            # would leave a version never reported (the next crawl finds it unchanged).
            with self.catalog.transaction():
                for seen in batch:
                    self._record(seen, run_id)
        except (OSError, CatalogError) as exc:
            stop_crawl(self.crawler, f"could not store the articles {batch[0].url} and"
                                     f" {len(batch) - 1} more: {reason_of(exc)}")
            return
        self.crawler.stats.inc_value("json/batches")

    def _record(self, seen: Seen, run_id: str) -> None:
        assert self.catalog is not None and self.events is not None
        self.catalog.record_article_seen(seen.url, seen.site, seen.key, seen.captured_at)
        version = seen.version
        if version is None:
            return
        version_id = self.catalog.add_version(seen.url, seen.site, seen.key, version.hashes,
                                              seen.captured_at, run_id, version.json_path,
                                              version.record_id)
        # Searchable with the version, in its transaction (a new version only: an
        # unchanged capture costs nothing more).
        index_document(self.catalog, version_id, version.doc)
        if version.kind is not None:
            self.events.emit(version.kind, seen.site, seen.url, run_id, fields=version.fields,
                             diff=version.diff, title=version.title)

    def _read_version(self, row: Any) -> dict[str, Any] | None:
        try:
            return json.loads((self.data.json / row["json_path"]).read_text("utf-8"))
        except (OSError, ValueError):
            # The earlier file is gone: still a change, reported without a diff.
            return {"content_hash": row["content_hash"], "url": row["url"]}
