"""A portal nobody here would write: a raw HTTP server on 127.0.0.1 for hostile cases.

Each route is a function that writes the whole response itself, bytes as they go on the
wire, so a test can send what http.server would refuse to: raw UTF-8 header values,
bodies that never end, a response that trickles one byte at a time, a gzip bomb.

    with HostileServer({"/": page(b"<a href='/a.html'>...</a>")}) as server:
        run_cli("crawl", "--listing", server.url("/"), ...)
        assert server.hits["/a.html"] == 1
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

Route = Callable[[BaseHTTPRequestHandler], None]

ALLOW_ALL_ROBOTS = b"User-agent: *\nDisallow:\n"


def respond(
    handler: BaseHTTPRequestHandler,
    status: int = 200,
    headers: Iterable[tuple[bytes, bytes]] = (),
    body: bytes = b"",
    reason: bytes = b"",
) -> None:
    """Write one whole response with exactly these header bytes (Content-Length added
    unless given)."""
    headers = list(headers)
    reason = reason or (b"OK" if status < 400 else b"Error")
    out = [b"HTTP/1.1 %d %s\r\n" % (status, reason)]
    if not any(name.lower() in (b"content-length", b"transfer-encoding") for name, _ in headers):
        headers.append((b"Content-Length", str(len(body)).encode()))
    out += [name + b": " + value + b"\r\n" for name, value in headers]
    out.append(b"Connection: close\r\n\r\n")
    handler.wfile.write(b"".join(out) + body)
    handler.wfile.flush()
    handler.close_connection = True


def page(body: bytes | str, status: int = 200, content_type: bytes = b"text/html; charset=utf-8",
         headers: Iterable[tuple[bytes, bytes]] = ()) -> Route:
    """A route answering every request with the same page."""
    data = body.encode() if isinstance(body, str) else body

    def route(handler: BaseHTTPRequestHandler) -> None:
        respond(handler, status, [(b"Content-Type", content_type), *headers], data)

    return route


def trickle(chunks: Iterable[bytes], delay: float) -> Route:
    """A route that sends its response (status line included) in pieces, `delay` apart,
    ending when `chunks` ends or the client goes away."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        try:
            for chunk in chunks:
                handler.wfile.write(chunk)
                handler.wfile.flush()
                time.sleep(delay)
        except OSError:
            pass  # the crawler gave up on us: that is the point
        handler.close_connection = True

    return route


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.server.owner.serve(self)

    do_HEAD = do_GET  # noqa: N815

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # quiet: the tests read `hits`, not a log


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: HostileServer


class HostileServer:
    """Serves `routes` (path, or path?query, to Route) on 127.0.0.1 on a free port.

    `/robots.txt` allows everything unless a route replaces it; an unknown path is a 404.
    `hits` counts requests per path (query included), for "was it ever fetched?"."""

    def __init__(self, routes: Mapping[str, Route], host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Route] = {
            "/robots.txt": page(ALLOW_ALL_ROBOTS, content_type=b"text/plain"), **routes}
        self.hits: collections.Counter[str] = collections.Counter()
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._lock = threading.Lock()
        self._server = _Server((host, 0), _Handler)
        self._server.owner = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def serve(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        with self._lock:
            self.hits[target] += 1
            self.requests.append((target, dict(handler.headers.items())))
        route = self.routes.get(target) or self.routes.get(parts.path)
        if route is None:
            respond(handler, 404, [(b"Content-Type", b"text/plain")], b"not found")
        else:
            route(handler)

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def redirect(location: bytes, status: int = 302) -> Route:
    """A route answering every request with a redirect to `location` (raw bytes)."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        respond(handler, status, [(b"Location", location)])

    return route
