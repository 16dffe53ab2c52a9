"""The series' lease in a server catalog: one crawl of a site at a time across machines.

With the embedded SQLite catalog the data folder's file lock (archive/lock.py) keeps
one crawl of a site at a time, as it always has. A server catalog (PostgreSQL) is
shared by workers whose data folders are on different machines, so there the crawl
takes its series' lease in the catalog (archive/catalog.py ``take_lease``), renews it
every third of its length while it runs, and gives it back at the end. A worker killed
with -9 renews nothing: its lease expires on its own, and another may take the site.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from scrapy.settings import BaseSettings
from twisted.internet.task import LoopingCall

from portal_archive.archive.catalog import Catalog, CatalogError, reason_of
from portal_archive.archive.errors import PortalArchiveError

logger = logging.getLogger(__name__)

DEFAULT_SECONDS = 120.0


def lease_seconds(settings: BaseSettings) -> float:
    raw = settings.get("PORTAL_LEASE_SECONDS") or DEFAULT_SECONDS
    try:
        seconds = float(raw)
    except (TypeError, ValueError):
        seconds = 0.0
    if seconds <= 0:
        raise PortalArchiveError(f"PORTAL_LEASE_SECONDS must be a number of seconds above 0,"
                                 f" not {raw!r}")
    return seconds


class LeaseHeld(PortalArchiveError):
    """Another crawl holds the series' lease: a worker's job tries again later (its holder
    may be a killed worker whose lease has not yet expired)."""


class SeriesLease:
    """``lost``: called with a one-line message if the lease is found taken by another
    while the crawl runs (it expired: this process stood still longer than its length).
    ``clock``: what has twisted's ``callLater`` (the reactor, or a test's Clock)."""

    def __init__(self, catalog: Catalog, series: str, holder: str, seconds: float,
                 lost: Callable[[str], None], clock: Any = None) -> None:
        self.catalog = catalog
        self.series = series
        self.holder = holder
        self.seconds = seconds
        self.lost = lost
        self.held = False
        self.clock = clock
        self._renewing: LoopingCall | None = None

    def take(self) -> str:
        """Take it and start renewing it: "" when held, else the one-line refusal."""
        held_by = self.catalog.take_lease(self.series, self.holder, self.seconds)
        if held_by is not None:
            return f"another crawl of site {self.series!r} is running: {held_by}"
        self.held = True
        self._renewing = LoopingCall(self._renew)
        if self.clock is not None:
            self._renewing.clock = self.clock
        self._renewing.start(self.seconds / 3, now=False)
        return ""

    def _renew(self) -> None:
        try:
            still = self.catalog.renew_lease(self.series, self.holder, self.seconds)
        except CatalogError as exc:
            # A server that is away for a moment: tried again at the next turn, and the
            # lease lasts three of them.
            logger.warning("could not renew the lease of %s: %s", self.series, reason_of(exc))
            return
        if not still:
            self._stop_renewing()
            self.held = False
            self.lost(f"the lease of site {self.series!r} expired and another crawl took it")

    def _stop_renewing(self) -> None:
        if self._renewing is not None and self._renewing.running:
            self._renewing.stop()
        self._renewing = None

    def release(self) -> None:
        self._stop_renewing()
        if self.held:
            self.held = False
            try:
                self.catalog.release_lease(self.series, self.holder)
            except CatalogError as exc:  # it expires on its own
                logger.warning("could not release the lease of %s: %s", self.series,
                               reason_of(exc))
