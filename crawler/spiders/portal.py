"""The portal spider: polls a site's listings, follows articles and their requisites.

It only makes requests and items: what it reads of the catalog it reads through the
crawl's session (crawler/session.py), and what it learns that must be stored (a listing
page's order, an article gone, a URL skipped) it sends as a signal (crawler/signals.py)
to the components that own that storage.

Paging stops at the first listing page whose articles are all already in the catalog
(unless backfilling), and in any case within a page cap (crawler/paging.py). Articles
outrank listing pages and requisites outrank articles in the scheduler, so the frontier
holds about one listing page's worth of requests however large the portal is.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from parsel import Selector
from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from portal_archive.archive.catalog import Catalog
from portal_archive.archive.stamps import utc_iso
from portal_archive.crawler import paging
from portal_archive.crawler.extract import ExtractionError, decode_html, extract_article, listing
from portal_archive.crawler.session import session_of
from portal_archive.crawler.signals import article_gone, listing_read, request_skipped
from portal_archive.crawler.sites import (
    GENERIC,
    SiteProfile,
    generic_profile,
    load_profile,
    series_of,
)
from portal_archive.crawler.skips import log_skipped
from portal_archive.crawler.weburls import path_and_query, scheme_of, srcset_urls, web_url

logger = logging.getLogger(__name__)

LISTING_PRIORITY = 0
ARTICLE_PRIORITY = 10
REQUISITE_PRIORITY = 20

# Where a page names what replay needs besides the page itself (srcset apart: it holds
# several URLs). CSS url() references are not followed.
_REQUISITE_XPATH = (
    "//img/@src | //img/@data-src | //img/@data-original"
    " | //link[contains(concat(' ', @rel, ' '), ' stylesheet ')]/@href"
    " | //script/@src"
)
_SRCSET_XPATH = "//img/@srcset | //img/@data-srcset | //source/@srcset"


def new_run_id(site: str, moment: datetime | None = None) -> str:
    moment = moment or datetime.now(UTC)
    return f"{site}-{moment:%Y%m%dT%H%M%SZ}-{secrets.token_hex(2)}"


class PortalSpider(Spider):
    name = "portal"

    def __init__(
        self,
        site: str | None = None,
        listing: str | None = None,
        backfill: str | bool | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._site_arg = site
        self._listing_arg = listing
        self._backfill_arg = backfill

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> PortalSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider._configure(crawler)
        return spider

    def _configure(self, crawler: Crawler) -> None:
        settings = crawler.settings
        site = self._site_arg or settings.get("PORTAL_SITE") or ""
        listings = settings.getlist("PORTAL_LISTING_URLS")
        if self._listing_arg:
            listings = [u for u in self._listing_arg.split(",") if u]
        if site in ("", GENERIC):
            self.profile: SiteProfile = generic_profile(listings)
        else:
            self.profile = load_profile(site)
        self.site_id = self.profile.id
        self.listing_urls = (
            self.profile.listing_urls(settings.get("PORTAL_BASE_URL") or None)
            if self.site_id != GENERIC
            else list(self.profile.listings)
        )
        # Its lock, runs, WARC series and listing history (per host for ad-hoc listings).
        self.series = series_of(self.site_id, self.listing_urls)
        backfill = self._backfill_arg
        self.asked_backfill = (
            settings.getbool("PORTAL_BACKFILL")
            if backfill is None
            else str(backfill).lower() in ("1", "true", "yes", "on")
        )
        if self.site_id == GENERIC:
            # An ad-hoc crawl stays on its listings' hosts, redirects included (Scrapy's
            # OffsiteMiddleware); a site profile may follow its portal to a new host.
            self.allowed_domains = sorted({urlsplit(u).hostname or "" for u in self.listing_urls})
        self.requisites = settings.getbool("PORTAL_REQUISITES")
        self.refresh_requisites = settings.getbool("PORTAL_REFRESH_REQUISITES")
        self.max_links = settings.getint("PORTAL_MAX_LINKS_PER_PAGE")
        self.max_requisites = settings.getint("PORTAL_MAX_REQUISITES_PER_PAGE")
        self.max_parse_chars = settings.getint("PORTAL_MAX_PARSE_SIZE")
        self.run_id = settings.get("PORTAL_RUN_ID") or new_run_id(self.series)
        self.listing_progress: dict[str, paging.ListingProgress] = {}

    @property
    def catalog(self) -> Catalog:
        """The crawl's one catalog connection, for reading (stop-at-known, requisites)."""
        return session_of(self.crawler).catalog

    def _plan_paging(self) -> None:
        """How far to page, known once the session is open (it reads the last run)."""
        settings = self.crawler.settings
        self.backfill = self.asked_backfill or self._last_run_unfinished()
        # A backfill, asked for or after an unfinished run, must reach the bottom of the
        # listings; its far larger cap still ends a listing that never ends.
        self.paging_limits = paging.PagingLimits(
            max_pages=settings.getint("PORTAL_BACKFILL_MAX_LISTING_PAGES" if self.backfill
                                      else "PORTAL_MAX_LISTING_PAGES"),
            max_empty_pages=settings.getint("PORTAL_MAX_EMPTY_LISTING_PAGES"),
            backfill=self.backfill,
        )

    def _last_run_unfinished(self) -> bool:
        """Stop-at-known trusts that earlier runs reached the bottom of the listings; a
        run that was killed or cut short did not, so this one pages through them all."""
        last = self.catalog.last_run(self.series, before_run=self.run_id)
        if last is None or last["status"] == "finished":
            return False
        logger.warning("the last crawl of %s did not finish (%s): paging through every "
                       "listing page", self.series, last["status"])
        return True

    async def start(self) -> AsyncIterator[Request]:
        self._plan_paging()
        for url in self.listing_urls:
            yield self._listing_request(url)

    def _listing_request(self, url: str, listing: str = "", page: int = 0) -> Request:
        return Request(
            url,
            callback=self.parse_listing,
            errback=self.fetch_failed,
            priority=LISTING_PRIORITY,
            # The listing is named by its start page's path, so that it keeps its name
            # when the portal moves host.
            meta={"page_kind": "listing", "listing": listing or path_and_query(url), "page": page},
        )

    # -- listings ------------------------------------------------------------
    def parse_listing(self, response: Response) -> Iterator[Request]:
        self.crawler.stats.inc_value("listing/pages")
        if not isinstance(response, TextResponse):
            logger.warning("listing is not a web page: %s", response.url)
            return
        sel = self._parsed(response)
        items = listing.listing_items(sel, response.url, self.profile.article_pattern,
                                      limit=self.max_links + 1)
        links = self._capped([item.url for item in items], self.max_links, "article links",
                             response.url)
        known = self.catalog.known_urls(links, before_run=self.run_id)
        page = response.meta.get("page", 0)
        # Its order (for removals) and, on a first page, where it was redirected (a
        # moved portal) are recorded by crawler/monitor.py.
        self.crawler.signals.send_catch_log(
            listing_read, listing=response.meta["listing"], position=page * 10_000,
            links=links, response=response, listed=items)
        for url in links:
            yield Request(
                url,
                callback=self.parse_article,
                errback=self.fetch_failed,
                priority=ARTICLE_PRIORITY,
                meta={"page_kind": "article"},
            )
        yield from self._requisites(response, sel)
        next_url = listing.next_page(sel, response.url)
        if self._paging_stops(response, links, known, next_url) or next_url is None:
            return  # (stop_reason always stops paging at a page with no next link)
        yield self._listing_request(next_url, response.meta["listing"], page + 1)

    def _paging_stops(self, response: TextResponse, links: list[str], known: set[str],
                      next_url: str | None) -> bool:
        """Count this listing page in; say (one line, one stat) why paging ends here."""
        name = response.meta["listing"]
        progress = self.listing_progress.setdefault(name, paging.ListingProgress())
        progress.record_page(response.url, links, known, self.backfill)
        reason = paging.stop_reason(progress, self.paging_limits, next_url=next_url,
                                    links=links, known=known)
        if reason is None:
            return False
        self.crawler.stats.inc_value(f"listing/stopped/{reason}")
        level = logging.WARNING if reason in paging.UNUSUAL else logging.INFO
        logger.log(level, "%s", paging.explain(reason, name, response.url, progress.pages,
                                               self.paging_limits))
        return True

    # -- articles ------------------------------------------------------------
    def parse_article(self, response: Response) -> Iterator[Any]:
        if not isinstance(response, TextResponse):
            logger.warning("article is not a web page: %s", response.url)
            return
        sel = self._parsed(response)
        try:
            # decode_html, not response.text: portals misdeclare their charsets, and the
            # extractor's reading of windows-1258 and undeclared pages is the one rule.
            content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
            html = decode_html(response.body, content_type or None)[: self.max_parse_chars]
            article = extract_article(
                html, response.url,
                site=self.site_id, profile=self.profile if self.site_id != GENERIC else None,
            )
        except ExtractionError as exc:
            self.crawler.stats.inc_value("article/unparsed")
            logger.warning("no article extracted from %s: %s", response.url, exc)
        else:
            article["captured_at"] = response.meta.get("captured_at") or utc_iso()
            article["warc"] = response.meta.get("warc")
            yield article
        yield from self._requisites(response, sel)

    def _parsed(self, response: TextResponse) -> Selector:
        """The page's parse tree, of its first PORTAL_MAX_PARSE_SIZE characters: a tree
        costs some 12 bytes of memory per byte of dense HTML, and no news page is that
        long. The whole page is archived all the same."""
        text = response.text
        if len(text) <= self.max_parse_chars:
            return response.selector
        self.crawler.stats.inc_value("page/parse_cut")
        logger.warning("%s is %d characters long: reading only its first %d",
                       response.url, len(text), self.max_parse_chars)
        return Selector(text=text[: self.max_parse_chars])

    def _capped(self, urls: list[str], limit: int, what: str, page_url: str) -> list[str]:
        if len(urls) <= limit:
            return urls
        self.crawler.stats.inc_value("page/links_cut")
        logger.warning("%s has more than %d %s: following the first %d",
                       page_url, limit, what, limit)
        return urls[:limit]

    def _web_urls(self, base: str, hrefs: list[str]) -> list[str]:
        """`hrefs` made absolute, without repeats, dropping what is not http(s): a
        ``javascript:`` or ``mailto:`` value would make Request() raise and cost the
        rest of the page; a ``file:`` or ``ftp:`` one must never be fetched."""
        urls: dict[str, None] = {}
        for href in dict.fromkeys(h.strip() for h in hrefs if h.strip()):
            url = web_url(base, href)
            if url is None:
                scheme = scheme_of(href) or "none"
                self.crawler.stats.inc_value(f"urls/dropped/{scheme}")
                logger.debug("not fetching %r from %s: not an http(s) URL", href[:200], base)
                continue
            urls[url] = None
        return list(urls)

    def _requisites(self, response: TextResponse, sel: Selector) -> Iterator[Request]:
        if not self.requisites:
            return
        srcs = sel.xpath(_REQUISITE_XPATH).getall()
        srcs += [url for srcset in sel.xpath(_SRCSET_XPATH).getall()
                 for url in srcset_urls(srcset)]
        urls = self._capped(self._web_urls(response.url, srcs), self.max_requisites,
                            "requisites", response.url)
        archived = set() if self.refresh_requisites else self.catalog.captured_urls(urls)
        for url in urls:
            if url in archived:
                continue
            yield Request(
                url,
                callback=self.parse_requisite,
                errback=self.fetch_failed,
                priority=REQUISITE_PRIORITY,
                # Images often live on another host (a CDN): replay needs them anyway.
                meta={"page_kind": "requisite", "allow_offsite": True},
            )

    def parse_requisite(self, response: Response) -> None:
        # Archived by the WARC middleware on the way in; nothing to extract.
        self.crawler.stats.inc_value("requisite/fetched")

    # -- failures ------------------------------------------------------------
    def fetch_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        kind = request.meta.get("page_kind", "page")
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            # robots.txt or offsite: a decision, not an error. Remembered, so that a listing
            # page whose only unarchived link is forbidden still counts as known.
            reason = failure.getErrorMessage() or "ignored"
            log_skipped(request, reason)
            if kind == "listing":  # the CLI's last line says why no listing was read
                self.crawler.stats.set_value("listing/last_error", f"{request.url}: {reason}")
            self.crawler.signals.send_catch_log(request_skipped, url=request.url, reason=reason)
            return
        stats = self.crawler.stats
        stats.inc_value(f"{kind}/failed")
        stats.inc_value("portal/errors")
        error, error_type = failure.value, failure.type
        assert error_type is not None  # a Failure is never built without an exception
        if isinstance(error, HttpError):
            status = error.response.status
            reason = f"HTTP {status}"
            if kind == "article" and status in (404, 410):
                self.crawler.signals.send_catch_log(article_gone, url=request.url)
        else:
            reason = failure.getErrorMessage() or error_type.__name__
        short = reason if reason.startswith("HTTP") else error_type.__name__
        stats.inc_value(f"errors/{kind}/{short}")
        if kind == "listing":
            stats.set_value("listing/last_error", f"{request.url}: {reason}")
        logger.warning("%s failed: %s: %s", kind, request.url, reason)
