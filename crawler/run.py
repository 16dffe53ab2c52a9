"""The settings the CLI layers over crawler/settings.py for a crawl, and its one-line
logs; crawler/pool.py runs the crawls and takes each site's lock."""

from __future__ import annotations

import logging
import os

from scrapy.settings import Settings
from scrapy.statscollectors import StatsCollector
from scrapy.utils.project import get_project_settings

from portal_archive.archive.errors import PortalArchiveError
from portal_archive.crawler.spec import CrawlSpec


def project_settings() -> Settings:
    # The console script may run far from scrapy.cfg; point Scrapy at our module directly.
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "portal_archive.crawler.settings")
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


def spec_settings(spec: CrawlSpec, series: str | None = None) -> Settings:
    """The Scrapy settings of ``spec``'s crawl: the project's, then the program's
    defaults and the user's overrides. With ``series`` (crawler/sites.py), one site's
    own too (its profile id and listings); without, what every crawl of the job shares:
    the process's settings, beneath each crawler's (crawler/pool.py)."""
    settings = project_settings()
    settings.set("LOG_LEVEL", "INFO" if spec.verbose else "WARNING", priority="cmdline")
    settings.set("PORTAL_DATA_DIR", str(spec.data_dir), priority="cmdline")
    if series is not None:
        settings.set("PORTAL_SITE", spec.site, priority="cmdline")
        settings.set("PORTAL_LISTING_URLS", list(spec.listings), priority="cmdline")
    settings.set("PORTAL_BACKFILL", spec.backfill, priority="cmdline")
    if spec.notify:
        settings.set("PORTAL_NOTIFY", list(spec.notify), priority="cmdline")
    for name, value in spec.defaults:
        settings.set(name, value, priority="cmdline")
    for name, value in spec.overrides().items():
        settings.set(name, value, priority="cmdline")
    return settings


class _NoTraceback(logging.Filter):
    """Keep each log record to its one line: what failed and why, not where."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            reason = record.exc_info[1]
            first = (str(reason).splitlines() or [""])[0]
            if first not in message:
                message = f"{message} ({reason.__class__.__name__}: {first})"
        lines = message.splitlines() or [""]
        record.msg = lines[0] + (" […]" if len(lines) > 1 else "")
        record.args = ()
        record.exc_info = record.exc_text = record.stack_info = None
        return True


class _QuietAfterFatal(logging.Filter):
    """After a fatal stop (a full disk) every later write fails too: the first failure is
    the news, and the CLI says it as its last line; the rest would bury it."""

    def __init__(self, stats: StatsCollector) -> None:
        super().__init__()
        self.stats = stats

    def filter(self, record: logging.LogRecord) -> bool:
        return (record.name != "portal_archive.crawler.fatal"
                and not self.stats.get_value("portal/fatal"))


def _not_a_robots_fetch_error(record: logging.LogRecord) -> bool:
    """A robots.txt that cannot be fetched is said by Scrapy as an ERROR naming the page
    it guards; the page's own fetch fails next and is said in its own line."""
    return not (record.name == "scrapy.downloadermiddlewares.robotstxt"
                and record.levelno >= logging.ERROR)


def one_line_logs(stats: StatsCollector | None = None) -> None:
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, _NoTraceback) for f in handler.filters):
            if stats is not None:
                handler.addFilter(_QuietAfterFatal(stats))
            handler.addFilter(_not_a_robots_fetch_error)
            handler.addFilter(_NoTraceback())
