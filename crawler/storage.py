"""A crawl's data folders from its settings: PORTAL_DATA_DIR, and PORTAL_SHARED_STORAGE
when the archive is shared (archive/datadir.py). Every component asks here, so that all
of a crawl agree on where the archive is."""

from __future__ import annotations

from scrapy.settings import BaseSettings

from portal_archive.archive.datadir import DataDir


def crawl_data(settings: BaseSettings) -> DataDir:
    return DataDir.for_crawl(settings.get("PORTAL_DATA_DIR"),
                             settings.get("PORTAL_SHARED_STORAGE") or None)
