"""The bundled demo portal: a threaded HTTP server on 127.0.0.1 that looks and behaves
like the news section of a Vietnamese provincial portal.

Run it alone with ``python -m portal_archive.crawler.demo.portal --port 8089``.
"""

from __future__ import annotations

import argparse
import collections
import gzip
import hashlib
import html
import json
import signal
import socket
import sys
import threading
import time
import unicodedata
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .content import CATEGORIES, DISALLOWED_PATH, DemoSite, Served, dmy
from .images import article_image, no_image

PORTAL_NAME = "Cổng thông tin điện tử tỉnh Thừa Thiên Huế"
CSS_MODIFIED = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)
_GZIP_LEVEL = 1  # nginx's default gzip_comp_level

ROBOTS = b"User-agent: *\nDisallow: /noi-bo/\nDisallow: /__admin/\n"

CSS = b"""/* Cong thong tin dien tu - giao dien tin tuc */
body { margin: 0; font-family: Arial, Helvetica, sans-serif; font-size: 14px; color: #222;
  background: #f3f3f3; }
a { color: #0b4f8a; text-decoration: none; }
a:hover { color: #c00; text-decoration: underline; }
#wrapper { width: 1100px; margin: 0 auto; background: #fff; }
.header { height: 110px; background: linear-gradient(#b71c1c, #8e0000); color: #fff;
  padding: 0 20px; position: relative; }
.header .logo { color: #fde68a; display: block; padding-top: 22px; }
.logo-text { font-size: 30px; font-weight: bold; letter-spacing: 2px; display: block; }
.logo-sub { font-size: 15px; text-transform: uppercase; }
.search { position: absolute; right: 20px; top: 40px; }
.search input { width: 200px; padding: 4px 6px; border: 1px solid #ddd; }
ul.menu { list-style: none; margin: 0; padding: 0 10px; background: #0b4f8a; height: 38px; }
ul.menu li { float: left; }
ul.menu li a { display: block; color: #fff; line-height: 38px; padding: 0 14px;
  font-weight: bold; text-transform: uppercase; font-size: 13px; }
ul.menu li a:hover { background: #083a66; text-decoration: none; }
.breadcrumb { padding: 10px 20px; color: #777; border-bottom: 1px solid #eee; }
.main { float: left; width: 760px; padding: 10px 20px; }
.sidebar { float: right; width: 280px; padding: 10px 20px 10px 0; }
.footer { clear: both; background: #8e0000; color: #fde68a; padding: 16px 20px;
  font-size: 13px; line-height: 1.6; }
.article .font-size { float: right; }
.article .font-size a { padding: 0 4px; border: 1px solid #ccc; margin-left: 2px; }
.article .category { color: #c00; font-weight: bold; text-transform: uppercase; }
.article .date { color: #888; font-style: italic; margin: 6px 0; }
.article h1.title { font-size: 24px; color: #0b4f8a; line-height: 1.3; }
.article .content { font-size: 15px; line-height: 1.6; text-align: justify; }
.article .content img { max-width: 100%; }
figure.image { margin: 10px auto; text-align: center; }
figure.image figcaption, td.image_caption { font-style: italic; color: #555; }
table.image { margin: 10px auto; }
.share { border-top: 1px dotted #ccc; padding: 8px 0; color: #555; }
.tin-lien-quan h4 { color: #c00; text-transform: uppercase; border-bottom: 2px solid #c00; }
.tin-lien-quan li { padding: 3px 0; }
.tin-lien-quan .date, .news-item .date { color: #999; font-size: 12px; }
.news-item { overflow: hidden; padding: 10px 0; border-bottom: 1px solid #eee; }
.news-item img.thumb { float: left; width: 160px; height: 120px; margin-right: 12px; }
.news-item h3.title { margin: 0 0 4px; font-size: 16px; }
.news-item p.sapo { margin: 4px 0; color: #444; }
.pagination { padding: 14px 0; text-align: center; }
.pagination a, .pagination span { display: inline-block; padding: 3px 9px; margin: 0 2px;
  border: 1px solid #ccc; }
.pagination span.current { background: #0b4f8a; color: #fff; }
.counter { font-weight: bold; }
"""

_SCRIPT = """<script type="text/javascript">
  (function () {
    var t = document.querySelectorAll('.font-size a');
    var size = 15;
    for (var i = 0; i < t.length; i++) {
      t[i].onclick = function (e) { e.preventDefault(); size += this.textContent === '+' ? 1 : -1;
        document.querySelector('.content').style.fontSize = size + 'px'; };
    }
    window.portalStats = { page: location.pathname, ts: Date.now() };
  })();
</script>"""


_MENU = "".join(f'<li><a href="/chuyen-muc/{slug}">{name}</a></li>'
                for slug, name in CATEGORIES.items())
_TOP = (
    '<body>\n<div id="wrapper">\n<div class="header">\n'
    '<a href="/" class="logo"><span class="logo-text">THỪA THIÊN HUẾ</span>'
    '<span class="logo-sub">Cổng thông tin điện tử</span></a>\n'
    '<div class="search"><form action="/tim-kiem" method="get">'
    '<input type="text" name="q" placeholder="Tìm kiếm..."> '
    '<button type="submit">Tìm</button></form></div>\n</div>\n'
    f'<ul class="menu"><li><a href="/">Trang chủ</a></li>{_MENU}</ul>\n'
)


def _esc(text: str) -> str:
    return html.escape(text, quote=False).replace("\u00a0", "&nbsp;")


def _attr(text: str) -> str:
    return html.escape(text, quote=True)


def _http_date(when: datetime) -> str:
    return format_datetime(when.astimezone(UTC).replace(microsecond=0), usegmt=True)


# --------------------------------------------------------------------------- page builders


class Pages:
    """Renders the HTML of the portal's pages from a :class:`DemoSite` (pure functions)."""

    def __init__(self, site: DemoSite) -> None:
        self.site = site

    def _head(self, title: str, extra: str = "") -> str:
        return (
            '<!DOCTYPE html>\n<html lang="vi">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{_esc(title)}</title>\n"
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"{extra}"
            '<link rel="stylesheet" href="/static/portal.css">\n</head>\n'
        )

    def _top(self) -> str:
        return _TOP

    def _bottom(self, counter: int) -> str:
        return (
            '<div class="footer">\n'
            f"<p><strong>{PORTAL_NAME.upper()}</strong></p>\n"
            "<p>Cơ quan chủ quản: Ủy ban nhân dân tỉnh Thừa Thiên Huế</p>\n"
            "<p>Địa chỉ: 16 Lê Lợi, thành phố Huế - Điện thoại: 0234.3822.538 - "
            "Email: banbientap@thuathienhue.gov.vn</p>\n"
            "<p>Ghi rõ nguồn khi phát hành lại thông tin từ cổng thông tin này.</p>\n"
            f'<p class="counter">Lượt truy cập: {counter}</p>\n</div>\n</div>\n'
            f"{_SCRIPT}\n</body>\n</html>\n"
        )

    def _item(self, id: int, day: int) -> str:
        title, path, published, lead, thumb = self.site.teaser(id, day)
        return (
            f'<div class="news-item"><a href="{path}"><img src="{thumb}" class="thumb"></a>'
            f'<h3 class="title"><a href="{path}">{_esc(title)}</a></h3>'
            f'<span class="date">{dmy(published)}</span>'
            f'<p class="sapo">{_esc(lead)}</p></div>\n'
        )

    def home(self, day: int) -> str:
        latest = "".join(self._item(i, day) for i in self.site.latest_ids(5, day))
        boxes = "".join(
            f'<h2 class="cat-title"><a href="/chuyen-muc/{slug}">{_esc(name)}</a></h2>\n'
            for slug, name in CATEGORIES.items()
        )
        return (
            self._head(PORTAL_NAME) + self._top()
            + '<div class="main">\n<h2 class="cat-title">Tin mới nhất</h2>\n'
            + latest + boxes + "</div>\n" + self._bottom(1_234_567)
        )

    def listing(self, slug: str, page: int, day: int) -> str | None:
        site = self.site
        last = site.page_count(slug, day)
        if page < 1 or page > last:
            return None
        name = CATEGORIES[slug]
        items = "".join(self._item(i, day) for i in site.listing_ids(slug, page, day))
        if slug == "hoat-dong-cap-uy" and page == 1:
            items += (
                f'<div class="news-item"><a href="{DISALLOWED_PATH}">'
                '<img src="/static/no-image.jpg" class="thumb"></a>'
                f'<h3 class="title"><a href="{DISALLOWED_PATH}">Kế hoạch công tác nội bộ '
                'của Văn phòng (chỉ dành cho cán bộ)</a></h3>'
                '<span class="date">01/06/2025</span>'
                '<p class="sapo">Tài liệu nội bộ.</p></div>\n'
            )
        base = f"/chuyen-muc/{slug}"

        def href(n: int) -> str:
            return base if n == 1 else f"{base}?trang={n}"

        links = []
        if page > 1:
            links.append(f'<a href="{href(page - 1)}">Trang trước</a>')
        window = range(max(1, page - 2), min(last, page + 2) + 1)
        if window[0] > 1:
            links.append(f'<a href="{href(1)}">1</a>')
            if window[0] > 2:
                links.append("<span>...</span>")
        for n in window:
            links.append(f'<span class="current">{n}</span>' if n == page
                         else f'<a href="{href(n)}">{n}</a>')
        if window[-1] < last:
            if window[-1] < last - 1:
                links.append("<span>...</span>")
            links.append(f'<a href="{href(last)}">{last}</a>')
        if page < last:
            links.append(f'<a href="{href(page + 1)}">Trang sau</a>')
        title = name if page == 1 else f"{name} - Trang {page}"
        return (
            self._head(f"{title} - {PORTAL_NAME}") + self._top()
            + f'<div class="breadcrumb"><a href="/">Trang chủ</a> » {_esc(name)}</div>\n'
            + f'<div class="main">\n<h2 class="cat-title">{_esc(name)}</h2>\n'
            + f'<div class="list-news">\n{items}</div>\n'
            + f'<div class="pagination">{" ".join(links)}</div>\n</div>\n'
            + self._bottom(1_234_567 + page)
        )

    def _image(self, served: Served, k: int) -> str:
        img = served.article.images[k]
        caption = served.captions[k]
        cap = _esc(caption) if caption is not None else None
        variant = served.image_variant
        if variant == "figure":
            inner = f'<img src="{img.path}">'
            if cap is not None:
                inner += f"<figcaption>{cap}</figcaption>"
            return f'<figure class="image">{inner}</figure>\n'
        if variant == "table":
            rows = f'<tr><td><img src="{img.path}"></td></tr>'
            if cap is not None:
                rows += f'<tr><td class="image_caption">{cap}</td></tr>'
            return f'<table class="image">{rows}</table>\n'
        out = f'<p style="text-align:center"><img src="{img.path}" alt=""></p>\n'
        if cap is not None:
            out += f'<p style="text-align:center"><em>{cap}</em></p>\n'
        return out

    def article(self, served: Served, day: int) -> str:
        a = served.article
        site = self.site
        parts = [f"<p><strong>{_esc(served.lead)}</strong></p>\n"]
        after = served.image_after
        for k, pos in enumerate(after):
            if pos == 0:
                parts.append(self._image(served, k))
        for j, para in enumerate(served.body, 1):
            text = _esc(para)
            if served.nfd_body:
                text = unicodedata.normalize("NFD", text)
            parts.append(f"<p>{text}</p>\n")
            for k, pos in enumerate(after):
                if pos == j:
                    parts.append(self._image(served, k))
        parts.append(f'<p style="text-align:right"><strong>{_esc(served.authors_line)}'
                     "</strong></p>\n")
        related = []
        for rid in site.related_ids(a.id, day):
            title, path, published = site.summary(rid, day)
            related.append(f'<li><a href="{path}">{_esc(title)}</a> '
                           f'<span class="date">({dmy(published)})</span></li>')
        og = (f'<meta property="og:title" content="{_attr(a.title)}">\n'
              '<meta property="og:type" content="article">\n'
              f'<meta property="og:image" content="{a.images[0].path}">\n'
              f'<meta name="description" content="{_attr(a.lead)}">\n')
        return (
            self._head(f"{a.title} - {PORTAL_NAME}", og) + self._top()
            + f'<div class="breadcrumb"><a href="/">Trang chủ</a> » '
            f'<a href="/chuyen-muc/{a.category_slug}">{_esc(a.category)}</a></div>\n'
            '<div class="main">\n<div class="article">\n'
            '<div class="font-size"><a href="#">+</a> <a href="#">aa</a> <a href="#">-</a></div>\n'
            f'<div class="category">{_esc(a.category)}</div>\n'
            f'<div class="date">{_esc(a.published_raw)}</div>\n'
            f'<h1 class="title">{_esc(served.title)}</h1>\n'
            '<div class="content">\n' + "".join(parts) + "</div>\n</div>\n"
            '<div class="share">Chia sẻ | In bài | Gửi email</div>\n'
            '<div class="tin-lien-quan"><h4>Tin liên quan</h4><ul>'
            + "".join(related) + "</ul></div>\n</div>\n"
            + self._bottom(1_234_567 + a.id)
        )

    def message(self, title: str, text: str) -> str:
        return (self._head(f"{title} - {PORTAL_NAME}") + self._top()
                + f'<div class="main"><h1>{_esc(title)}</h1><p>{_esc(text)}</p></div>\n'
                + self._bottom(1_234_567))

    def internal(self) -> str:
        return self.message("Kế hoạch công tác nội bộ",
                            "Tài liệu nội bộ của Văn phòng, không công bố trên cổng thông tin.")


def malformed(page: bytes) -> bytes:
    """Spoil a few bytes of the first body paragraph and cut the page inside the <p> tag of
    the third one (every article has at least three body paragraphs)."""
    start = page.find(b'<div class="content">')
    marks: list[int] = []
    pos = start
    while len(marks) < 4:
        pos = page.find(b"<p>", pos + 1)
        if pos < 0:
            break
        marks.append(pos)
    cut = marks[3] + 2 if len(marks) == 4 else page.find(b'<p style="text-align:right">') + 8
    if len(marks) >= 2:
        space = page.find(b" ", marks[1] + 3)
        if 0 < space < cut:
            page = page[:space] + b" \xc3\x28\xff\xfe" + page[space:]
            cut += 5
    return page[:cut]


# --------------------------------------------------------------------------- HTTP


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
    portal: DemoPortal

    def handle_error(
        self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any
    ) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError, OSError)):
            return
        super().handle_error(request, client_address)


class _Headers(dict):
    """Request headers, names lower-cased; ``get`` is case-insensitive."""

    def get(self, name: str, default: str | None = None) -> str | None:  # type: ignore[override]
        return super().get(name.lower(), default)


_REASONS = {200: "OK", 301: "Moved Permanently", 304: "Not Modified", 400: "Bad Request",
            404: "Not Found", 405: "Method Not Allowed", 500: "Internal Server Error"}
_date_cache: tuple[int, str] = (0, "")


def _now_header() -> str:
    global _date_cache
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache = (now, format_datetime(datetime.fromtimestamp(now, UTC), usegmt=True))
    return _date_cache[1]


class _Handler(BaseHTTPRequestHandler):
    """HTTP/1.1 with keep-alive. Request parsing and response writing are done here
    (not by ``BaseHTTPRequestHandler``) because they dominate the cost of a request."""

    protocol_version = "HTTP/1.1"
    server_version = "PortalDemo/1.0"
    sys_version = ""
    disable_nagle_algorithm = True
    timeout = 60
    server: _Server

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        return

    def setup(self) -> None:
        super().setup()
        self.server.portal._track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.portal._track(self.connection, False)

    def handle_one_request(self) -> None:
        self.close_connection = True
        try:
            line = self.rfile.readline(65537)
        except (TimeoutError, OSError):
            return
        if not line:
            return
        self.raw_requestline = line
        parts = line.decode("latin-1").split()
        if len(parts) != 3 or len(line) > 65536 or not parts[2].startswith("HTTP/"):
            self._send(400, b"bad request\n", "text/plain", compress=False)
            self.close_connection = True
            return
        self.command, self.path, self.request_version = parts
        self.requestline = line.decode("latin-1").rstrip("\r\n")
        headers = _Headers()
        for _ in range(200):
            raw = self.rfile.readline(65537)
            if raw in (b"\r\n", b"\n", b""):
                break
            name, _, value = raw.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        self.headers = headers  # type: ignore[assignment]
        conn = (headers.get("connection") or "").lower()
        if self.request_version == "HTTP/1.0":
            self.close_connection = "keep-alive" not in conn
        else:
            self.close_connection = "close" in conn
        length = headers.get("content-length")
        if length and length.isdigit() and int(length):
            self.rfile.read(int(length))
        if self.command == "GET":
            self._serve(head=False)
        elif self.command == "HEAD":
            self._serve(head=True)
        else:
            self._send(405, b"method not allowed\n", "text/plain", compress=False,
                       headers={"Allow": "GET, HEAD"})

    # ---------------------------------------------------------------- responses

    def _send(self, status: int, body: bytes, ctype: str, *, head: bool = False,
              etag: bool = False, last_modified: datetime | None = None,
              compress: bool = True, headers: dict[str, str] | None = None) -> None:
        out = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Unknown')}",
               f"Server: {self.server_version}", f"Date: {_now_header()}"]
        if headers:
            out.extend(f"{name}: {value}" for name, value in headers.items())
        tag = None
        if etag:
            tag = hashlib.blake2b(body, digest_size=12).hexdigest()
            if status == 200 and self._not_modified(tag, last_modified):
                out[0] = "HTTP/1.1 304 Not Modified"
                out.append(f'ETag: "{tag}"')
                if last_modified:
                    out.append(f"Last-Modified: {_http_date(last_modified)}")
                if compress:
                    out.append("Vary: Accept-Encoding")
                self._write(out, b"", head=True)
                return
        if compress:
            out.append("Vary: Accept-Encoding")
            if self._accepts_gzip():
                body = gzip.compress(body, compresslevel=_GZIP_LEVEL, mtime=0)
                out.append("Content-Encoding: gzip")
                if tag:
                    tag += "-gzip"
        out.append(f"Content-Type: {ctype}")
        out.append(f"Content-Length: {len(body)}")
        if tag:
            out.append(f'ETag: "{tag}"')
        if last_modified:
            out.append(f"Last-Modified: {_http_date(last_modified)}")
        if self.close_connection:
            out.append("Connection: close")
        self._write(out, body, head=head)

    def _write(self, lines: list[str], body: bytes, head: bool) -> None:
        # headers and body in one write: no Nagle / delayed-ACK stall on keep-alive
        lines.append("\r\n")
        data = "\r\n".join(lines).encode("latin-1")
        try:
            self.wfile.write(data if head else data + body)
        except OSError:
            self.close_connection = True

    def _accepts_gzip(self) -> bool:
        for part in self.headers.get("Accept-Encoding", "").split(","):
            name, _, params = part.partition(";")
            if name.strip().lower() not in ("gzip", "x-gzip", "*"):
                continue
            q = 1.0
            for param in params.split(";"):
                key, _, value = param.partition("=")
                if key.strip().lower() == "q":
                    try:
                        q = float(value)
                    except ValueError:
                        q = 0.0
            return q > 0
        return False

    def _not_modified(self, tag: str, last_modified: datetime | None) -> bool:
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            for candidate in inm.split(","):
                candidate = candidate.strip()
                if candidate == "*":
                    return True
                candidate = candidate.removeprefix("W/").strip('"').removesuffix("-gzip")
                if candidate == tag:
                    return True
            return False
        ims = self.headers.get("If-Modified-Since")
        if ims and last_modified is not None:
            try:
                since = parsedate_to_datetime(ims)
            except (TypeError, ValueError):
                return False
            if since.tzinfo is None:
                since = since.replace(tzinfo=UTC)
            return last_modified.replace(second=0, microsecond=0) <= since
        return False

    def _html(self, status: int, page: str, head: bool, **kw: object) -> None:
        self._send(status, page.encode("utf-8"), "text/html; charset=utf-8", head=head,
                   **kw)  # type: ignore[arg-type]

    def _json(self, data: object) -> None:
        body = json.dumps(data, ensure_ascii=False, sort_keys=True).encode()
        self._send(200, body, "application/json", compress=False,
                   headers={"Cache-Control": "no-store"})

    def _not_found(self, head: bool) -> None:
        self._html(404, self.server.portal.pages.message(
            "Không tìm thấy trang", "Trang bạn yêu cầu không tồn tại hoặc đã bị gỡ bỏ."), head)

    # ---------------------------------------------------------------- routing

    def _serve(self, head: bool) -> None:
        portal = self.server.portal
        split = urlsplit(self.path)
        path = split.path
        query = parse_qs(split.query)
        if path.startswith("/__admin/"):
            self._admin(path, query)
            return
        if not head:
            portal._hit(self.path)
        day, moved = portal.day, portal.moved
        if moved:
            host = (self.headers.get("Host") or "").rsplit(":", 1)[0].strip("[]").lower()
            if host != "localhost":
                target = f"http://localhost:{portal.port}{self.path}"
                self._html(301, portal.pages.message("Trang đã chuyển", target), head,
                           compress=False, headers={"Location": target})
                return
        if "day" in query:
            try:
                day = max(0, int(query["day"][0]))
            except ValueError:
                self._not_found(head)
                return
        pages = portal.pages
        if path.startswith("/tin-tuc/"):
            self._article(path, day, head)
        elif path.startswith("/uploads/"):
            self._upload(path, day, head)
        elif path.startswith("/chuyen-muc/"):
            slug = path[len("/chuyen-muc/"):].rstrip("/")
            page_no = 1
            if "trang" in query:
                try:
                    page_no = int(query["trang"][0])
                except ValueError:
                    page_no = 0
            page = pages.listing(slug, page_no, day) if slug in CATEGORIES else None
            if page is None:
                self._not_found(head)
            else:
                self._html(200, page, head, etag=True)
        elif path in ("/", "/index.html"):
            self._html(200, pages.home(day), head, etag=True)
        elif path == "/robots.txt":
            self._send(200, ROBOTS, "text/plain; charset=utf-8", head=head, compress=False)
        elif path == "/static/portal.css":
            self._send(200, CSS, "text/css; charset=utf-8", head=head, etag=True,
                       last_modified=CSS_MODIFIED)
        elif path == "/static/no-image.jpg":
            self._send(200, no_image(), "image/jpeg", head=head, etag=True,
                       last_modified=CSS_MODIFIED, compress=False)
        elif path == DISALLOWED_PATH:
            self._html(200, pages.internal(), head)
        else:
            self._not_found(head)

    def _article(self, path: str, day: int, head: bool) -> None:
        portal = self.server.portal
        site = portal.site
        id = site.id_for_path(path)
        served = site.served(id, day) if id is not None else None
        if served is None or served.article.path != path:
            self._not_found(head)
            return
        fault = served.article.fault
        if fault == "500":
            self._html(500, portal.pages.message("Lỗi máy chủ", "Internal Server Error"), head)
            return
        if fault == "slow":
            time.sleep(site.slow_seconds)
        body = portal.pages.article(served, day).encode("utf-8")
        if fault == "malformed":
            body = malformed(body)
        self._send(200, body, "text/html; charset=utf-8", head=head, etag=True,
                   last_modified=served.modified)

    def _upload(self, path: str, day: int, head: bool) -> None:
        site = self.server.portal.site
        name = path.rsplit("/", 1)[-1]
        if not (name.startswith("anh-") and name.endswith(".jpg")):
            self._not_found(head)
            return
        try:
            id_s, k_s = name[4:-4].split("-")
            id, k = int(id_s), int(k_s)
        except ValueError:
            self._not_found(head)
            return
        article = site.article(id, day)
        if article is None or not 1 <= k <= len(article.images) or \
                article.images[k - 1].path != path:
            self._not_found(head)
            return
        self._send(200, article_image(id, k), "image/jpeg", head=head, etag=True,
                   last_modified=article.published, compress=False,
                   headers={"Cache-Control": "max-age=86400"})

    def _admin(self, path: str, query: dict[str, list[str]]) -> None:
        portal = self.server.portal
        if path == "/__admin/state":
            day = moved = None
            try:
                if "day" in query:
                    day = max(0, int(query["day"][0]))
                if "moved" in query:
                    moved = query["moved"][0].lower() in ("1", "true", "yes", "on")
            except ValueError:
                self._send(400, b'{"error": "bad day"}', "application/json", compress=False)
                return
            portal.set_state(day=day, moved=moved)
            self._json({"day": portal.day, "moved": portal.moved})
        elif path == "/__admin/hits":
            self._json(portal.hits_snapshot())
        elif path == "/__admin/reset":
            portal.reset_hits()
            self._json({"ok": True})
        else:
            self._send(404, b'{"error": "not found"}', "application/json", compress=False)


class DemoPortal:
    """The demo portal server. ``with DemoPortal() as portal: portal.base_url``."""

    def __init__(self, site: DemoSite | None = None, host: str = "127.0.0.1",
                 port: int = 0) -> None:
        self.site = site if site is not None else DemoSite()
        self.pages = Pages(self.site)
        self.host = host
        self.port = port
        self.base_url = ""
        self.day = 0
        self.moved = False
        self.hits: collections.Counter[str] = collections.Counter()
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()

    # ------------------------------------------------------------ lifecycle

    def start(self) -> str:
        if self._server is not None:
            return self.base_url
        server = _Server((self.host, self.port), _Handler)
        server.portal = self
        self._server = server
        self.port = server.server_address[1]
        self.base_url = f"http://{self.host}:{self.port}"
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name=f"demo-portal-{self.port}", daemon=True)
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> DemoPortal:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def serve_forever(self) -> None:
        """Block until interrupted (the server itself runs in its thread)."""
        if self._server is None:
            self.start()
        while self._thread is not None and self._thread.is_alive():
            self._thread.join(timeout=0.5)

    # ------------------------------------------------------------ state

    def set_state(self, day: int | None = None, moved: bool | None = None) -> None:
        with self._lock:
            if day is not None:
                self.day = max(0, int(day))
            if moved is not None:
                self.moved = bool(moved)

    def _hit(self, key: str) -> None:
        with self._lock:
            self.hits[key] += 1

    def hits_snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self.hits)

    def reset_hits(self) -> None:
        with self._lock:
            self.hits.clear()

    def _track(self, conn: socket.socket, alive: bool) -> None:
        with self._lock:
            if alive:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m portal_archive.crawler.demo.portal",
                                     description="Serve the bundled demo portal until Ctrl-C.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8089, help="0 picks a free port")
    parser.add_argument("--articles", type=int, default=60)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--day", type=int, default=0)
    parser.add_argument("--new-per-day", type=int, default=3)
    parser.add_argument("--slow-seconds", type=float, default=3.0)
    parser.add_argument("--no-faults", action="store_true")
    parser.add_argument("--moved", action="store_true")
    args = parser.parse_args(argv)
    if args.articles < 1:
        parser.error("--articles must be at least 1")
    site = DemoSite(articles=args.articles, seed=args.seed, new_per_day=args.new_per_day,
                    faults=not args.no_faults, slow_seconds=args.slow_seconds)
    portal = DemoPortal(site, host=args.host, port=args.port)
    try:
        portal.start()
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}",
              file=sys.stderr)
        return 1
    portal.set_state(day=args.day, moved=args.moved)
    print(f"demo portal on {portal.base_url}", flush=True)
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        portal.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        portal.stop()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return 0


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
