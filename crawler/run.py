"""Running one crawl in this process: the settings the CLI layers over crawler/settings.py."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings

from archive.datadir import DataDir
from archive.errors import PortalArchiveError
from crawler.sites import GENERIC, generic_profile, load_profile


def project_settings() -> Settings:
    # The console script may run far from scrapy.cfg; point Scrapy at our module directly.
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    return get_project_settings()


def parse_overrides(pairs: list[str]) -> dict[str, str]:
    """``-s NAME=VALUE`` pairs, as ``scrapy crawl`` takes them."""
    overrides = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise PortalArchiveError(f"-s takes NAME=VALUE, got {pair!r}")
        overrides[name] = value
    return overrides


def run_crawl(
    data_dir: Path,
    *,
    site: str = GENERIC,
    listings: list[str] | None = None,
    backfill: bool = False,
    defaults: Mapping[str, Any] | None = None,
    overrides: Mapping[str, str] | None = None,
    verbose: bool = False,
) -> dict[str, Any]:
    """Crawl one site (or ad-hoc listings) and return the crawl's stats.

    Raises PortalArchiveError for what a user can cause, before the reactor starts where
    possible: unknown site, bad URL, unwritable data folder; and after the crawl if no
    listing page could be fetched at all.
    """
    if site == GENERIC:
        profile = generic_profile(listings or [])
    else:
        profile = load_profile(site)
    DataDir(data_dir).ensure_writable()
    settings = project_settings()
    settings.set("LOG_LEVEL", "INFO" if verbose else "WARNING", priority="cmdline")
    settings.set("PORTAL_DATA_DIR", str(data_dir), priority="cmdline")
    settings.set("PORTAL_SITE", profile.id, priority="cmdline")
    settings.set("PORTAL_LISTING_URLS", list(listings or []), priority="cmdline")
    settings.set("PORTAL_BACKFILL", backfill, priority="cmdline")
    for name, value in (defaults or {}).items():
        settings.set(name, value, priority="cmdline")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler("portal")
    process.crawl(crawler)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    if not stats.get("listing/pages"):
        reason = stats.get("listing/last_error", "no listing page was fetched")
        raise PortalArchiveError(f"could not crawl {profile.id}: {reason}")
    return stats
