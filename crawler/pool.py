"""Many sites in one crawl process: Scrapy's own "run multiple spiders in the same process"
(one CrawlerProcess, one Crawler per site), opened through a bounded pool.

Each site is a Crawler of its own: its engine, per-host download slots, AutoThrottle and
robots.txt middleware, its CrawlSession (catalog connection, run row), WARC series,
stop-at-known and change detection. At most PORTAL_SITES_PER_PROCESS sites crawl at once;
the next one starts as one ends. A site that fails, is refused (unknown, busy lock) or
hangs (the watchdog closes it) holds only its own slot, and ends with its own one line.
A stop signal stops every running crawl cleanly (Scrapy's handlers) and starts no other.

``LivePool`` is the same pool kept running until it is closed, taking sites as they come
(`portal-archive worker`: one site per queued job, schedules/queue.py); each site's crawl
is a Deferred the caller awaits on the reactor's asyncio loop.

The sites of one pool share the process's settings (a job's ``[settings]``): the caller
never mixes jobs in one process (schedules/runner.py starts one per job and share).
"""

from __future__ import annotations

import signal
from asyncio import Future, ensure_future
from collections import deque
from collections.abc import Callable, Coroutine
from contextlib import suppress
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.utils.reactor import install_reactor, is_reactor_installed
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from portal_archive.archive.catalog import CatalogError, failure_of
from portal_archive.archive.errors import PortalArchiveError
from portal_archive.archive.lock import acquire, holds, release
from portal_archive.crawler.alerts import check_apprise_urls
from portal_archive.crawler.lease import LeaseHeld
from portal_archive.crawler.outcome import check_ended, note_signals, stop_signal
from portal_archive.crawler.run import one_line_logs, spec_settings
from portal_archive.crawler.sites import GENERIC, generic_profile, load_profile, series_of
from portal_archive.crawler.spec import CrawlSpec

# Above the user's settings (cmdline, 40): what a pool of several sites must have.
_POOL_PRIORITY = 50
# How often a site whose lock another process holds is tried again, when waiting for it.
BUSY_RETRY_S = 0.5


@dataclass
class SiteCrawl:
    """One site of a pool: what it is asked to do, and how it ended."""

    label: str  # for lines and records: the profile id, or the listings' host
    spec: CrawlSpec
    series: str = ""  # its lock's name (crawler/sites.py series_of)
    stats: dict[str, Any] | None = None
    error: str = ""  # what went wrong, in one line
    status: int = 0  # the exit status a crawl of this site alone would have had
    refused: bool = False  # for what it asks, before any lock: unknown site, bad URL
    begun: bool = False  # Hooks.begin ran for it (its lock held)
    skipped: bool = False  # not crawled, and rightly so (its fire time already ran)
    busy: bool = False  # not crawled: another crawl holds its lock or lease, try later

    def fail(self, message: str, status: int = 1) -> None:
        if not self.error:
            self.error, self.status = message, status or 1


@dataclass
class Hooks:
    """What the caller does around each site's crawl: ``begin``, its lock held (False:
    skip it, e.g. a fire time already run); ``end``, once for every site, crawled or not
    (record it, say how it ended); ``busy``, a lock held elsewhere (None fails the site
    at once; else it is said once and waited for)."""

    begin: Callable[[SiteCrawl], bool] = lambda site: True
    end: Callable[[SiteCrawl], None] = lambda site: None
    busy: Callable[[SiteCrawl, PortalArchiveError], None] | None = None


def run_crawl(spec: CrawlSpec) -> dict[str, Any]:
    """Crawl one site (or ad-hoc listings) and return the crawl's stats.

    Raises PortalArchiveError for what a user can cause, before the reactor starts where
    possible: unknown site, bad URL, unwritable data folder, busy site; and after the
    crawl if no listing page could be fetched at all.
    """
    [site] = crawl_sites([SiteCrawl(spec.site, spec)])
    if site.error:
        error = PortalArchiveError(site.error)
        error.exit_code = site.status
        raise error
    assert site.stats is not None
    return site.stats


def crawl_sites(sites: list[SiteCrawl], hooks: Hooks | None = None) -> list[SiteCrawl]:
    """Crawl ``sites`` in this process, at most PORTAL_SITES_PER_PROCESS at once; each
    ends with its stats or its one-line error. Runs the reactor: once per process."""
    hooks = hooks or Hooks()
    ready = []
    for site in sites:
        if _prepare(site):
            ready.append(site)
        else:
            _end_hook(hooks, site)
    if ready:
        _Pool(ready, hooks).run()
    return sites


def _prepare(site: SiteCrawl) -> bool:
    """What can be refused before the reactor starts: unknown site, bad listing URL,
    bad apprise URL, unwritable data folder."""
    spec = site.spec
    try:
        check_apprise_urls(list(spec.notify))
        if spec.site == GENERIC:
            generic_profile(list(spec.listings))
        else:
            load_profile(spec.site)
        spec.data().ensure_writable()  # and the shared storage, if any
    except PortalArchiveError as exc:
        site.fail(str(exc), exc.exit_code)
        site.refused = True
        return False
    site.series = series_of(spec.site, spec.listings)
    return True


@dataclass
class _Pool:
    sites: list[SiteCrawl]
    hooks: Hooks
    queue: deque[SiteCrawl] = field(default_factory=deque)
    running: dict[int, tuple[SiteCrawl, Crawler]] = field(default_factory=dict)
    waiting: list[SiteCrawl] = field(default_factory=list)  # for a lock held elsewhere
    said_busy: set[int] = field(default_factory=set)
    limit: int = 1
    closing: bool = False  # the reactor has stopped: nothing more starts
    interrupted: bool = False  # a site was stopped by a signal: nothing more starts
    live: bool = False  # LivePool's: an empty pool waits for more sites

    def open(self, spec: CrawlSpec) -> None:
        """The process's crawler process and reactor, from ``spec``'s (the job's) settings."""
        settings = spec_settings(spec)
        self.limit = max(1, settings.getint("PORTAL_SITES_PER_PROCESS"))
        self.process = CrawlerProcess(settings)
        self.spider = self.process.spider_loader.load("portal")
        if not is_reactor_installed():  # before any crawler: the pool schedules on it
            install_reactor(settings["TWISTED_REACTOR"], settings["ASYNCIO_EVENT_LOOP"])
        from twisted.internet import reactor

        self.reactor: Any = reactor

    def run(self) -> None:
        self.open(self.sites[0].spec)  # the process's: the job's settings
        self.queue.extend(self.sites)
        self.reactor.callWhenRunning(self.reactor.callLater, 0, note_signals, None)
        self._fill()
        if self.running or self.queue or self.waiting:
            self.process.start(stop_after_crawl=False)
        self.close_all()

    def close_all(self) -> None:
        # A second signal stops the reactor under running crawls: each still says how.
        self.closing = True
        for site, crawler in list(self.running.values()):
            self._ended(site, crawler, _CUT_SHORT)
        for site in [*self.queue, *self.waiting]:
            self._not_started(site)

    def _fill(self) -> None:
        if self.closing:
            return
        if any(site.status in _SIGNALLED for site in self.sites):
            self.interrupted = True  # a signal came before Scrapy's handlers: stop all
            self.process.stop()
        while self.queue and len(self.running) < self.limit:
            site = self.queue.popleft()
            if stop_signal() or self.interrupted:
                self._not_started(site)
                continue
            self._start(site)
        if not (self.live or self.running or self.queue or self.waiting):
            self.reactor.callLater(0, self._stop_reactor)

    def _stop_reactor(self) -> None:
        with suppress(RuntimeError):  # stopped already (a signal)
            self.reactor.stop()

    def _start(self, site: SiteCrawl) -> None:
        data = site.spec.data().root  # the archive's: shared storage's, if any
        try:
            if not holds(data, site.series):
                acquire(data, site.series)
        except PortalArchiveError as exc:
            if self.hooks.busy is None:
                site.fail(str(exc), exc.exit_code)
                site.busy = True
                _end_hook(self.hooks, site)
                return
            if id(site) not in self.said_busy:
                self.said_busy.add(id(site))
                self.hooks.busy(site, exc)
            self.waiting.append(site)
            self.reactor.callLater(BUSY_RETRY_S, self._retry_busy, site)
            return
        try:
            site.skipped = not self.hooks.begin(site)
        except Exception as exc:  # e.g. its run record cannot be written: no crawl
            site.fail(str(exc))
        if site.skipped or site.error:
            release(data, site.series)
            _end_hook(self.hooks, site)
            return
        site.begun = True
        settings = spec_settings(site.spec, site.series)
        if self.live or len(self.sites) > 1:  # terminal lines would overwrite each other
            settings.set("PROGRESS_ENABLED", False, priority=_POOL_PRIORITY)
        crawler = Crawler(self.spider, settings)
        if not site.spec.verbose:
            # Scrapy (re)installs its root log handler as each crawler starts: filter it.
            alone = not self.live and len(self.sites) == 1
            crawler.signals.connect(_filter_logs(crawler, alone=alone),
                                    signal=signals.engine_started, weak=False)
        self.running[id(site)] = (site, crawler)
        done = self.process.crawl(crawler)
        done.addBoth(lambda result: self._ended(site, crawler, result))

    def _retry_busy(self, site: SiteCrawl) -> None:
        if site not in self.waiting:
            return
        self.waiting.remove(site)
        self.queue.append(site)
        self._fill()

    def _ended(self, site: SiteCrawl, crawler: Crawler, result: Any) -> None:
        if self.running.pop(id(site), None) is None:
            return
        try:
            _outcome(site, crawler, result)
            _end_hook(self.hooks, site)
        finally:
            release(site.spec.data().root, site.series)
        self._fill()

    def _not_started(self, site: SiteCrawl) -> None:
        name = stop_signal() or "a signal"
        site.fail(f"crawl of {site.label} not started: stopped by {name}", _exit_status(name))
        _end_hook(self.hooks, site)


class LivePool:
    """A pool that runs until it is closed and takes sites while it runs: one reactor,
    one CrawlerProcess, at most PORTAL_SITES_PER_PROCESS (of ``base``'s settings) crawling
    at once. ``serve(main)`` runs the reactor (Twisted's asyncio one, as the settings say)
    and ``main()`` on its asyncio loop; the reactor stops when ``main`` returns.
    A stop signal calls ``on_stop`` and stops every running crawl cleanly; a second one
    stops the reactor at once."""

    def __init__(self, base: CrawlSpec, held: list[int] | None = None) -> None:
        self.held = held if held is not None else []  # hold_stop_signals()'s, if called
        self.hooks = Hooks(end=self._site_ended)
        self.pool = _Pool([], self.hooks, live=True)
        self.base = base
        self.ends: dict[int, Deferred[SiteCrawl]] = {}
        self.on_stop: Callable[[], object] = lambda: None
        self.error: BaseException | None = None  # what ended ``main``, if it raised

    def serve(self, main: Callable[[], Coroutine[Any, Any, Any]]) -> None:
        pool = self.pool
        pool.open(self.base)
        pool.reactor.callWhenRunning(self._begin, main)
        pool.process.start(stop_after_crawl=False, install_signal_handlers=False)
        pool.close_all()
        if self.error is not None:
            raise self.error

    def crawl(self, site: SiteCrawl) -> Deferred[SiteCrawl]:
        """Crawl ``site`` as soon as a slot is free; fires with it when it has ended (its
        stats, or its one-line error), never with a failure."""
        done: Deferred[SiteCrawl] = Deferred()
        self.ends[id(site)] = done
        pool = self.pool
        if pool.interrupted or pool.closing:
            pool._not_started(site)
        elif not _prepare(site):
            _end_hook(self.hooks, site)
        else:
            pool.sites.append(site)
            pool.queue.append(site)
            pool._fill()
        return done

    def _site_ended(self, site: SiteCrawl) -> None:
        if site in self.pool.sites:  # kept only while it crawls: a worker runs for weeks
            self.pool.sites.remove(site)
        done = self.ends.pop(id(site), None)
        if done is not None:
            done.callback(site)

    def _begin(self, main: Callable[[], Coroutine[Any, Any, Any]]) -> None:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._on_signal)
        note_signals(None)  # remembers which signal came, for each crawl's last line
        task = ensure_future(main())
        task.add_done_callback(self._main_ended)
        for held in self.held:  # asked to stop while it started: now it can, cleanly
            signal.raise_signal(held)

    @property
    def stopping(self) -> bool:
        """A stop signal has come: ``main`` should take no more work."""
        return self.pool.interrupted

    def _main_ended(self, task: Future[Any]) -> None:
        try:
            if not task.cancelled() and task.exception() is not None:
                self.error = task.exception()
        finally:
            self.pool._stop_reactor()

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        reactor = self.pool.reactor
        if self.pool.interrupted:  # the second one: now
            reactor.callFromThread(self.pool._stop_reactor)
            return
        self.pool.interrupted = True
        reactor.callFromThread(self._stop_crawls)

    def _stop_crawls(self) -> None:
        self.on_stop()
        self.pool.process.stop()


def hold_stop_signals() -> list[int]:
    """Until a LivePool serves, SIGTERM and SIGINT are kept (in the list returned) rather
    than fatal: a worker stopped as it starts stops cleanly once it runs, exit 0."""
    held: list[int] = []
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda num, _frame: held.append(num))
    return held


def _end_hook(hooks: Hooks, site: SiteCrawl) -> None:
    try:
        hooks.end(site)
    except Exception as exc:  # e.g. its record cannot be written: the site failed
        site.fail(str(exc))


def _filter_logs(crawler: Crawler, *, alone: bool) -> Callable[[], None]:
    # After a fatal stop (a full disk) every later line of a crawl alone says the same.
    return lambda: one_line_logs(crawler.stats if alone else None)


def _exit_status(signal_name: str) -> int:
    """A shell's exit status for a process ended by ``signal_name`` (1 if it is none)."""
    members = signal.Signals.__members__
    return 128 + members[signal_name].value if signal_name in members else 1


# A crawl still running when the reactor stopped (a second signal, or a first one before
# Scrapy's handlers were in place).
_CUT_SHORT = object()
_SIGNALLED = (128 + signal.SIGTERM, 128 + signal.SIGINT)


def _outcome(site: SiteCrawl, crawler: Crawler, result: Any) -> None:
    """The site's stats, or its one-line error: what `portal-archive crawl SITE` says."""
    collector = crawler.stats if result is _CUT_SHORT else None
    if collector is not None and not (collector.get_value("finish_reason")
                                      or collector.get_value("portal/signal")):
        collector.set_value("portal/signal", stop_signal() or "SIGTERM")
    if isinstance(result, Failure):
        exc = result.value
        if isinstance(exc, KeyboardInterrupt):  # SIGTERM or Ctrl-C as it opened
            name = stop_signal() or "SIGINT"
            site.fail(f"crawl of {site.label} interrupted by {name} as it began",
                      _exit_status(name))
        elif isinstance(exc, PortalArchiveError):
            site.fail(str(exc), exc.exit_code)
            site.busy = isinstance(exc, LeaseHeld)
        elif isinstance(exc, CatalogError):  # a catalog whose pages are not whole
            site.fail(str(failure_of(site.spec.data(), exc)))
        else:
            site.fail(f"crawl of {site.label} failed: {exc.__class__.__name__}: {exc}")
        return
    stats = crawler.stats.get_stats() if crawler.stats else {}
    site.stats = stats
    try:
        if stats.get("portal/fatal"):
            raise PortalArchiveError(f"crawl of {site.label} stopped: {stats['portal/fatal']}")
        check_ended(site.label, stats)
        if not stats.get("listing/pages"):
            reason = stats.get("listing/last_error", "no listing page was fetched")
            raise PortalArchiveError(f"could not crawl {site.label}: {reason}")
    except PortalArchiveError as exc:
        site.fail(str(exc), exc.exit_code)
