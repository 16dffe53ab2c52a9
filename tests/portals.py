"""Many small portals at once, each on its own loopback address: the world a night's job
of hundreds or thousands of portals crawls.

Every address in 127.0.0.0/8 reaches this machine, so portal ``i`` is served on its own
address (127.2.x.y), each bound on its own socket — never 0.0.0.0 — and all on one port.
Every portal has the same paths (one CMS, many communes): a crawl that keys articles
without their host mixes them up. The server runs in a child process (its CPU and memory
are not the crawl's) and logs every request it serves, so tests can check per-host
politeness and that robots.txt was obeyed.

    with Portals(count=30, articles=8) as portals:
        portals.listing_urls            # one listing per portal
        portals.requests()              # [(host, path, monotonic time), ...]

By hand: ``python -m tests.portals --count 300 --articles 8`` prints the listing URLs and
serves until Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from importlib.resources import files
from pathlib import Path
from types import TracebackType

LISTING = "/tin-tuc/hoat-dong-cap-uy"
DISALLOWED = "/quan-tri/"
ROBOTS = f"User-agent: *\nDisallow: {DISALLOWED}\n".encode()
# The demo portal's photos (160x120 JPEGs); each image gets its own bytes after the
# end-of-image marker, so every portal's every image has its own digest, as photos do.
_PHOTOS = [(files("portal_archive.crawler.demo") / "photos" / f"hall-{n:02d}.jpg").read_bytes()
           for n in range(4)]
_CSS = b"body{font-family:serif}.tin-noi-bat h3{font-weight:bold}\n"
_TOPICS = ("Hội nghị Ban Chấp hành Đảng bộ", "Ban Thường vụ Huyện uỷ làm việc với cấp ủy",
           "Tổng kết công tác xây dựng Đảng", "Triển khai Nghị quyết của Tỉnh ủy",
           "Kiểm tra công tác cấp ủy cơ sở", "Sơ kết 6 tháng đầu năm")


def host_of(index: int) -> str:
    """Portal ``index``'s loopback address: 127.2.0.1, 127.2.0.2, ... (skips .0 and .255)."""
    high, low = divmod(index, 254)
    return f"127.{2 + high // 256}.{high % 256}.{low + 1}"


def article_path(number: int) -> str:
    return f"/tin-tuc/hoat-dong-cap-uy/bai-viet-so-{number}.html"


def _title(portal: int, number: int) -> str:
    return f"{_TOPICS[(portal + number) % len(_TOPICS)]} xã số {portal + 1}, bài {number}"


def _stamp(number: int) -> tuple[str, str]:
    """The article's printed date and time: one a day back from 27/06/2025."""
    day = 27 - (number % 26)
    return f"{day:02d}/06/2025", f"{8 + number % 10:02d}:{(7 * number) % 60:02d}"


def _day_month(day: str) -> str:
    """``26/06/2025`` as a lead writes it: ``26/6``."""
    dd, mm, _ = day.split("/")
    return f"{int(dd)}/{int(mm)}"


def listing_page(portal: int, articles: int) -> bytes:
    items = []
    for number in range(articles, 0, -1):
        day, _ = _stamp(number)
        href = article_path(number)
        items.append(
            f'<div class="tin-item"><a href="{href}"><img src="/anh/{number}-1.jpg"></a>'
            f'<h3><a href="{href}">{_title(portal, number)}</a></h3>'
            f'<span class="ngay">{day}</span><p>Tóm tắt bài {number}.</p></div>')
    body = "\n".join(items)
    return _page(f"Hoạt động cấp ủy - Xã số {portal + 1}",
                 f'<h1>Hoạt động cấp ủy</h1><div class="danh-sach">{body}</div>'
                 f'<p><a href="{DISALLOWED}dang-nhap">Quản trị</a></p>')


def article_page(portal: int, number: int, images: int) -> bytes:
    day, clock = _stamp(number)
    figures = "".join(
        f'<figure><img src="/anh/{number}-{k}.jpg" alt=""><figcaption>Ảnh {k}: quang cảnh'
        f' hội nghị bài {number}</figcaption></figure>' for k in range(1, images + 1))
    title = _title(portal, number)
    main = (f'<div class="chi-tiet"><h1 class="tieu-de">{title}</h1>'
            f'<div class="ngay-dang">Cập nhật lúc : {day} {clock}</div>'
            f'<p class="sapo"><strong>Ngày {_day_month(day)}, Ban Thường vụ Đảng uỷ xã số'
            f' {portal + 1} tổ chức hội nghị về công tác xây dựng Đảng.</strong></p>'
            f'{figures}'
            f'<p>Tại hội nghị, các đại biểu đã thảo luận, đánh giá kết quả thực hiện nhiệm vụ'
            f' chính trị của địa phương trong bài số {number}.</p>'
            '<p>Hội nghị thống nhất các giải pháp trọng tâm cho thời gian tới.</p>'
            '<p style="text-align:right"><strong>Nguyễn Văn An</strong></p></div>')
    return _page(title, main)


def _page(title: str, main: str) -> bytes:
    return (
        '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">'
        f'<title>{title}</title><link rel="stylesheet" href="/giao-dien/site.css"></head>'
        '<body><div class="dau-trang"><a href="/">Trang chủ</a> | '
        f'<a href="{LISTING}">Hoạt động cấp ủy</a></div>'
        f'{main}<div class="chan-trang">Cổng thông tin điện tử</div></body></html>'
    ).encode()


def image_bytes(portal: int, name: str) -> bytes:
    return _PHOTOS[len(name) % len(_PHOTOS)] + f"{portal}/{name}".encode()


class _Portal(asyncio.Protocol):
    """HTTP/1.1 with keep-alive, GET and HEAD, for one portal's address."""

    def __init__(self, server: _Server, portal: int) -> None:
        self.server, self.portal, self.buffer = server, portal, b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            self._answer(head.decode("latin-1"))

    def _answer(self, head: str) -> None:
        assert self.transport is not None
        method, _, rest = head.partition(" ")
        path = rest.partition(" ")[0]
        self.server.log(self.portal, path)
        status, ctype, body = self.server.route(self.portal, path)
        lines = [f"HTTP/1.1 {status}", f"Content-Type: {ctype}",
                 f"Content-Length: {len(body)}", "Connection: keep-alive", "", ""]
        self.transport.write("\r\n".join(lines).encode("latin-1"))
        if method != "HEAD":
            self.transport.write(body)


class _Server:
    def __init__(self, count: int, articles: int, images: int, log: Path) -> None:
        self.count, self.articles, self.images = count, articles, images
        self.started = time.monotonic()
        self._log = open(log, "a", buffering=1, encoding="utf-8")  # noqa: SIM115 - process-long

    def log(self, portal: int, path: str) -> None:
        self._log.write(f"{host_of(portal)}\t{path}\t{time.monotonic():.6f}\n")

    def route(self, portal: int, path: str) -> tuple[str, str, bytes]:
        html = "text/html; charset=utf-8"
        if path == "/robots.txt":
            return "200 OK", "text/plain", ROBOTS
        if path == LISTING:
            return "200 OK", html, listing_page(portal, self.articles)
        if path == "/giao-dien/site.css":
            return "200 OK", "text/css", _CSS
        if path.startswith("/anh/") and path.endswith(".jpg"):
            return "200 OK", "image/jpeg", image_bytes(portal, path[5:])
        prefix, suffix = article_path(0).split("0", 1)
        if path.startswith(prefix) and path.endswith(suffix):
            number = path[len(prefix):-len(suffix)]
            if number.isdigit() and 1 <= int(number) <= self.articles:
                return "200 OK", html, article_page(portal, int(number), self.images)
        return "404 Not Found", html, _page("Không tìm thấy", "<p>Không tìm thấy trang.</p>")


async def _serve(count: int, articles: int, images: int, port: int, log: Path,
                 ready: Path) -> None:
    server = _Server(count, articles, images, log)
    loop = asyncio.get_running_loop()
    listeners = []
    for portal in range(count):
        listeners.append(await loop.create_server(
            lambda portal=portal: _Portal(server, portal), host_of(portal), port,
            reuse_address=True, backlog=64))
    ready.write_text("ready\n")
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    await stop.wait()
    for listener in listeners:
        listener.close()


def free_port(count: int) -> int:
    """A port free on every portal's address (tried on the first and last)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind((host_of(0), 0))
            port = probe.getsockname()[1]
        try:
            with socket.socket() as last:
                last.bind((host_of(count - 1), port))
        except OSError:
            continue
        return port
    raise OSError("no port free on every portal address")


class Portals:
    """``count`` portals served by a child process; see the module docstring."""

    def __init__(self, count: int, articles: int = 8, images: int = 1) -> None:
        self.count, self.articles, self.images = count, articles, images
        self.hosts = [host_of(i) for i in range(count)]
        self.port = 0
        self._dir = Path(tempfile.mkdtemp(prefix="portals-"))
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def listing_urls(self) -> list[str]:
        return [f"http://{host}:{self.port}{LISTING}" for host in self.hosts]

    def article_urls(self, host: str) -> list[str]:
        return [f"http://{host}:{self.port}{article_path(n)}"
                for n in range(1, self.articles + 1)]

    def requests(self) -> list[tuple[str, str, float]]:
        found = []
        log = self._dir / "requests.log"
        if log.exists():
            for line in log.read_text(encoding="utf-8").splitlines():
                host, path, moment = line.split("\t")
                found.append((host, path, float(moment)))
        return found

    def start(self) -> Portals:
        self.port = free_port(self.count)
        ready = self._dir / "ready"
        root = Path(__file__).resolve().parent.parent
        self._process = subprocess.Popen(
            [sys.executable, "-m", "tests.portals", "--count", str(self.count),
             "--articles", str(self.articles), "--images", str(self.images),
             "--port", str(self.port), "--log", str(self._dir / "requests.log"),
             "--ready", str(ready)], cwd=root, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while not ready.exists():
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the portal server did not start ({self.count} portals)")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    def __enter__(self) -> Portals:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.portals")
    parser.add_argument("--count", type=int, default=30)
    parser.add_argument("--articles", type=int, default=8)
    parser.add_argument("--images", type=int, default=1)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--log", type=Path)
    parser.add_argument("--ready", type=Path)
    args = parser.parse_args(argv)
    if args.port:  # started by Portals: it chose the port and reads the log
        asyncio.run(_serve(args.count, args.articles, args.images, args.port, args.log,
                           args.ready))
        return 0
    with Portals(args.count, args.articles, args.images) as portals:
        print("\n".join(portals.listing_urls), flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            signal.pause()
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
