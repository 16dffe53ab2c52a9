"""The crawl's lease on its series in a server catalog (crawler/lease.py), on both
engines: renewed every third of its length while the crawl runs, given back at the end,
and a crawl whose lease another took is told so."""

from __future__ import annotations

import time

from twisted.internet.task import Clock

from portal_archive.archive.catalog import Catalog
from portal_archive.crawler.lease import SeriesLease


def _expiry(catalog: Catalog, name: str) -> float:
    (row,) = catalog.execute("SELECT expires FROM leases WHERE name = :n", {"n": name})
    return float(row[0])


def test_the_lease_is_renewed_while_the_crawl_runs_and_given_back(catalog_url: str) -> None:
    catalog = Catalog(catalog_url)
    clock, lost = Clock(), []
    lease = SeriesLease(catalog, "demo", "worker-a", 3.0, lost.append, clock=clock)
    try:
        assert lease.take() == ""
        other = SeriesLease(catalog, "demo", "worker-b", 3.0, lost.append, clock=clock)
        assert other.take().startswith("another crawl of site 'demo' is running: worker-a")
        first = _expiry(catalog, "demo")
        time.sleep(0.05)
        clock.advance(1.0)  # a third of its length: renewed
        assert _expiry(catalog, "demo") > first
        lease.release()
        assert catalog.execute("SELECT * FROM leases") == []
        assert lost == []
    finally:
        catalog.close()


def test_a_crawl_whose_lease_was_taken_is_stopped(catalog_url: str) -> None:
    catalog = Catalog(catalog_url)
    clock, lost = Clock(), []
    lease = SeriesLease(catalog, "demo", "worker-a", 0.3, lost.append, clock=clock)
    try:
        assert lease.take() == ""
        time.sleep(0.4)  # the process stood still past its lease
        assert catalog.take_lease("demo", "worker-b", 60) is None
        clock.advance(0.1)
        assert lost == ["the lease of site 'demo' expired and another crawl took it"]
        lease.release()  # nothing of worker-b's is given back
        assert catalog.take_lease("demo", "worker-c", 60) is not None
    finally:
        catalog.close()
