"""``portal-archive serve``: the browser on 127.0.0.1:N and pywb on 127.0.0.1:N+1, run by
one parent and stopped together (Ctrl-C, SIGTERM: exit 0).

The browser is stdlib wsgiref with a thread per request: a page is a few catalog queries,
and the catalog's pool is thread-safe (archive/catalogdb.py)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from portal_archive.archive import catalogdb
from portal_archive.archive.browser.app import Browser
from portal_archive.archive.catalog import Catalog, open_catalog
from portal_archive.archive.datadir import DataDir
from portal_archive.archive.errors import PortalArchiveError
from portal_archive.archive.replay import (
    HOST,
    check_port,
    nothing_archived,
    replayed_sites,
    running_pywb,
    stopped_by_sigterm,
)

DEFAULT_PORT = 8000


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True  # a slow client never holds the stop up
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """No line per request on stderr: the banner is what the user reads."""


def open_archive(data: DataDir) -> Catalog:
    """The catalog of an archive with something in it, or one line saying why not."""
    if not replayed_sites(data):
        raise nothing_archived(data)
    # This process only reads: a page cache large enough for the FTS5 doclists a search
    # walks (archive/catalogdb.py).
    catalogdb.SQLITE_CACHE_KIB = catalogdb.SEARCH_CACHE_KIB
    return open_catalog(data)


@contextmanager
def browser_server(browser: Browser, port: int, host: str = HOST) -> Iterator[WSGIServer]:
    """The browser answering on ``host:port`` (in a thread) while the block runs."""
    server = make_server(host, port, browser, server_class=_ThreadingServer,
                         handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="browser", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def serve(data: DataDir, port: int = DEFAULT_PORT, replay_port: int | None = None,
          host: str = HOST, announce: Callable[[str], None] = print) -> int:
    """Serve the browser and pywb until Ctrl-C or SIGTERM (0), or until pywb dies."""
    replay_port = port + 1 if replay_port is None else replay_port
    if replay_port == port:
        raise PortalArchiveError(f"--replay-port {replay_port} is the browser's own --port")
    check_port(port, host, option="--port")
    check_port(replay_port, host, option="--replay-port")
    catalog = open_archive(data)
    replay_base = f"http://{host}:{replay_port}"
    try:
        # The browser binds first: its port, checked free a moment ago, is taken at once.
        with stopped_by_sigterm(), \
                browser_server(Browser(data, catalog, replay_base), port, host), \
                running_pywb(data, replay_port, host) as pywb:
            announce(banner(data, f"http://{host}:{port}", replay_base))
            code = pywb.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        catalog.close()
    raise PortalArchiveError(f"pywb stopped unexpectedly (exit status {code})")


def banner(data: DataDir, base: str, replay_base: str) -> str:
    return "\n".join([
        f"browsing {data.root} on {base}/ (Ctrl-C to stop)",
        f"  sites: {base}/   search: {base}/search?q=   events: {base}/events",
        f"  replay (pywb): {replay_base}/all/<timestamp>/<url>",
    ])
