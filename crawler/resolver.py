"""DNS_RESOLVER: a host name that resolves to a private address is refused like one.

WebOnlyMiddleware refuses ``http://127.0.0.1/`` on a public site, but a page could name
the same address as ``127.0.0.1.nip.io`` or any name its owner points at 10.0.0.1. This
resolver (Scrapy's caching one, with a check after it) fails such a look-up with a
DNSLookupError, so the request fails in one log line and nothing is connected to.

Scrapy builds the resolver before any spider exists, so it starts permissive; the
middleware hands it the crawl's decision at spider_opened (`guard`). Names of the site's
own listings are always allowed: they are the site. Requests through a proxy resolve
their target at the proxy and are not checked here.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from typing import Any

from scrapy.resolver import CachingThreadedResolver
from scrapy.statscollectors import StatsCollector
from twisted.internet.defer import Deferred
from twisted.internet.error import DNSLookupError

from portal_archive.crawler.weburls import is_private_host

logger = logging.getLogger(__name__)


class PublicOnlyResolver(CachingThreadedResolver):
    _guarded = False
    _site_hosts: frozenset[str] = frozenset()
    _stats: StatsCollector | None = None

    def guard(self, site_hosts: Collection[str], stats: StatsCollector | None) -> None:
        """From now on, refuse names outside `site_hosts` that resolve to a private
        address. `refused` names them, so that the middleware drops their next requests
        (a retry included) without a look-up."""
        self._guarded = True
        self.refused: set[str] = set()
        self._site_hosts = frozenset(host.lower() for host in site_hosts)
        self._stats = stats

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Deferred[str]:  # noqa: N802
        resolved = super().getHostByName(name, timeout)
        if self._guarded:
            resolved.addCallback(self._refuse_private, name)
        return resolved

    def _refuse_private(self, address: Any, name: str) -> Any:
        host = name.decode("idna") if isinstance(name, bytes) else name
        if not is_private_host(str(address)) or host.lower() in self._site_hosts:
            return address
        self.refused.add(host.lower())
        if self._stats is not None:
            self._stats.inc_value("urls/dropped/private")
        logger.debug("not connecting to %s: it resolves to the private address %s",
                     host, address)
        raise DNSLookupError(f"{host} resolves to a private address ({address})")
