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


def sequence(*routes: Route) -> Route:
    """A route answering its n-th request with the n-th of `routes`, then the last one
    for ever: a page that fails once, say."""
    served = iter(routes)
    last = [routes[-1]]
    lock = threading.Lock()

    def route(handler: BaseHTTPRequestHandler) -> None:
        with lock:
            last[0] = next(served, last[0])
            current = last[0]
        current(handler)

    return route


# -- listings that never end (issue 8, point 2) ---------------------------------
def _query_int(handler: BaseHTTPRequestHandler, name: str, default: int = 0) -> int:
    from urllib.parse import parse_qs

    values = parse_qs(urlsplit(handler.path).query).get(name) or [str(default)]
    return int(values[0]) if values[0].isdigit() else default


def endless_listing(per_page: int = 3, repeat: bool = False) -> Route:
    """A listing whose page n links page n+1, for ever: ``?page=N``. Each page lists
    ``per_page`` articles ``/article.html?id=K``: new ones on every page, or with
    ``repeat`` the same ones on every page."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        n = _query_int(handler, "page", 1)
        first = 1 if repeat else (n - 1) * per_page + 1
        items = "".join(
            f"<li><a href='/article.html?id={k}'>Tin tức số {k} của cổng thử nghiệm</a></li>"
            for k in range(first, first + per_page))
        body = (f"<html><body><h1>Trang {n}</h1><ul>{items}</ul>"
                f"<a rel='next' href='?page={n + 1}'>Trang sau</a></body></html>")
        respond(handler, 200, [(b"Content-Type", b"text/html; charset=utf-8")], body.encode())

    return route


def not_modified_if(etag: bytes, otherwise: Route) -> Route:
    """A route answering 304 to a request whose If-None-Match is `etag`."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        if handler.headers.get("If-None-Match", "").encode() == etag:
            respond(handler, 304, [(b"ETag", etag), (b"Content-Length", b"0")])
        else:
            otherwise(handler)

    return route


def calendar_listing(first_day: str = "2026-12-01", articles_on_first_day: int = 2) -> Route:
    """A news calendar: ``?ngay=YYYY-MM-DD`` links the next day, through 2033 and on;
    only the first day has articles."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        from datetime import date, timedelta
        from urllib.parse import parse_qs

        day = date.fromisoformat(
            (parse_qs(urlsplit(handler.path).query).get("ngay") or [first_day])[0])
        count = articles_on_first_day if day.isoformat() == first_day else 0
        items = "".join(
            f"<li><a href='/article.html?id={k}'>Tin tức số {k} của ngày {day}</a></li>"
            for k in range(1, count + 1))
        body = (f"<html><body><h1>Tin ngày {day}</h1><ul>{items}</ul>"
                f"<a href='?ngay={day + timedelta(days=1)}'>Trang sau</a></body></html>")
        respond(handler, 200, [(b"Content-Type", b"text/html; charset=utf-8")], body.encode())

    return route


def numbered_article() -> Route:
    """``/article.html?id=K``: a small article the generic extractor reads."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        k = _query_int(handler, "id")
        title = f"Tin tức số {k} của cổng thử nghiệm"
        body = (f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>"
                f"<h1>{title}</h1><p>Ngày 26/6, nội dung của bài số {k}, đủ dài để đọc.</p>"
                "<p>Đoạn thứ hai của bài viết thử nghiệm.</p></body></html>")
        respond(handler, 200, [(b"Content-Type", b"text/html; charset=utf-8")], body.encode())

    return route


def never_answers(for_at_most: float = 30.0) -> Route:
    """A route that accepts the request and says nothing (for a bounded time, so that
    the server's thread ends)."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        time.sleep(for_at_most)
        handler.close_connection = True

    return route


def trickling_page(delay: float = 0.2) -> Route:
    """A 200 whose body comes one byte every ``delay`` seconds, for ever."""
    import itertools

    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body>"
    return lambda handler: trickle(itertools.chain([head], itertools.repeat(b"x")), delay)(handler)


def redirect(location: bytes, status: int = 302) -> Route:
    """A route answering every request with a redirect to `location` (raw bytes)."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        respond(handler, status, [(b"Location", location)])

    return route


# -- helpers for the "only the web is fetched" and memory cases ----------------------
class SilentListener:
    """A TCP port on 127.0.0.1 that accepts connections and never says a word (an FTP
    server that hangs, or a proxy that records who tried to use it). `connections`
    counts the clients it accepted; `first_bytes` holds what each sent first."""

    def __init__(self) -> None:
        import socket

        self._socket = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]
        self.connections = 0
        self.first_bytes: list[bytes] = []
        self._held: list[object] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._socket.accept()
            except OSError:
                return  # closed
            self.connections += 1
            self._held.append(conn)  # never answered, never closed until the end
            conn.settimeout(2)
            try:
                self.first_bytes.append(conn.recv(200))
            except OSError:
                self.first_bytes.append(b"")

    def __enter__(self) -> SilentListener:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._socket.close()
        for conn in self._held:
            conn.close()  # type: ignore[attr-defined]


def endless_chunked(chunk: bytes = b"x" * 65536,
                    content_type: bytes = b"text/html; charset=utf-8") -> Route:
    """A chunked response whose body never ends, until the client hangs up."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        head = (b"HTTP/1.1 200 OK\r\nContent-Type: " + content_type
                + b"\r\nTransfer-Encoding: chunked\r\n\r\n")
        piece = b"%x\r\n%s\r\n" % (len(chunk), chunk)
        try:
            handler.wfile.write(head)
            while True:
                handler.wfile.write(piece)
        except OSError:
            pass
        handler.close_connection = True

    return route


def gzip_bomb(compressed_size: int = 10 * 1024 * 1024,
              content_type: bytes = b"text/html; charset=utf-8") -> Route:
    """A `Content-Encoding: gzip` body of about `compressed_size` bytes that inflates
    about 1000-fold (zeros): gzip members of 8 MiB of zeros, concatenated (still one
    valid gzip stream, and built in milliseconds)."""
    import gzip

    member = gzip.compress(b"\0" * (8 * 1024 * 1024), compresslevel=9)
    body = member * max(1, compressed_size // len(member))
    return page(body, content_type=content_type, headers=[(b"Content-Encoding", b"gzip")])
