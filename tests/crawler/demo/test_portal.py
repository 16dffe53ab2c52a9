"""The demo portal: real HTTP over loopback against the ground truth of its content model."""

from __future__ import annotations

import gzip
import http.client
import json
import re
import signal
import subprocess
import sys
import threading
import time
import unicodedata
import urllib.error
import urllib.request
from datetime import date, datetime, timedelta
from pathlib import Path

import lxml.html
import pytest

from portal_archive.crawler.demo.content import (
    CATEGORIES,
    DISALLOWED_PATH,
    PAGE_SIZE,
    VN_TZ,
    DemoArticle,
    DemoSite,
    _old_tone_fast,
    clean,
    new_tone,
    old_tone,
)
from portal_archive.crawler.demo.portal import DemoPortal, Pages

ROOT = Path(__file__).resolve().parents[3]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with _opener.open(req, timeout=10) as resp:
            return resp.status, dict(resp.headers.items()), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers.items()), err.read()


@pytest.fixture(scope="module")
def portal():
    with DemoPortal(DemoSite(articles=60, slow_seconds=1.0)) as p:
        yield p


@pytest.fixture()
def fresh(portal):
    portal.set_state(day=0, moved=False)
    yield portal
    portal.set_state(day=0, moved=False)


@pytest.fixture(scope="module")
def clean_site():
    return DemoSite(articles=60, faults=False)


# --------------------------------------------------------------------------- ground truth


def parse_article(page: str) -> dict:
    """A tiny extractor that knows the portal's markup, to compare with the ground truth."""
    doc = lxml.html.fromstring(page)
    content = doc.cssselect("div.article div.content")[0]
    out: dict = {"lead": None, "body": [], "images": [], "authors_line": None}
    for el in content:
        text = clean(el.text_content())
        if el.tag == "figure":
            cap = el.cssselect("figcaption")
            out["images"].append([el.cssselect("img")[0].get("src"),
                                  clean(cap[0].text_content()) if cap else None])
        elif el.tag == "table":
            cap = el.cssselect("td.image_caption")
            out["images"].append([el.cssselect("img")[0].get("src"),
                                  clean(cap[0].text_content()) if cap else None])
        elif el.tag == "p" and el.get("style") == "text-align:center":
            img = el.cssselect("img")
            if img:
                out["images"].append([img[0].get("src"), None])
            else:
                out["images"][-1][1] = text
        elif el.tag == "p" and el.get("style") == "text-align:right":
            out["authors_line"] = text
        elif out["lead"] is None:
            assert el.cssselect("strong")
            out["lead"] = text
        else:
            out["body"].append(text)
    out["title"] = clean(doc.cssselect("h1.title")[0].text_content())
    out["date"] = clean(doc.cssselect("div.article div.date")[0].text_content())
    out["category"] = clean(doc.cssselect("div.article div.category")[0].text_content())
    return out


def split_caption(line: str | None) -> tuple[str | None, str | None]:
    if line is None:
        return None, None
    m = re.match(r"^(.*?)\s*\(?Ảnh:\s*([^)]+)\)?$", line)
    return (m.group(1), m.group(2)) if m else (line, None)


def split_authors(line: str) -> list[str]:
    line = re.sub(r"^Tin, ảnh:\s*", "", line)
    return [part.strip() for part in re.split(r"\s[–-]\s", line)]


def check_matches(parsed: dict, a: DemoArticle) -> None:
    assert parsed["title"] == a.title
    assert parsed["date"] == a.published_raw
    assert parsed["category"] == a.category
    assert parsed["lead"] == a.lead
    assert parsed["body"] == a.body
    assert [src for src, _ in parsed["images"]] == [im.path for im in a.images]
    assert [split_caption(c) for _, c in parsed["images"]] == [
        (im.caption, im.credit) for im in a.images]
    assert split_authors(parsed["authors_line"]) == a.authors


def test_served_html_cleans_to_ground_truth(clean_site):
    pages = Pages(clean_site)
    for day in (0, 3):
        for id in clean_site.article_ids(day):
            served = clean_site.served(id, day)
            check_matches(parse_article(pages.article(served, day)), served.article)


def test_ground_truth_fields_are_clean_and_well_formed(clean_site):
    lead_re = re.compile(r"^(Ngày|Sáng|Chiều|Tối) (\d{1,2})/(\d{1,2}), ")
    seen_credit = seen_uncaptioned = 0
    author_lines = set()
    for id in clean_site.article_ids():
        a = clean_site.article(id)
        for text in [a.title, a.lead, *a.body, *(im.caption or "" for im in a.images)]:
            assert text == clean(text) and unicodedata.is_normalized("NFC", text)
            assert _old_tone_fast(text) == old_tone(text)  # the fast path is exact here
        assert a.category_slug == ("tin-tuc-su-kien" if id % 3 == 0 else "hoat-dong-cap-uy")
        assert a.category == CATEGORIES[a.category_slug]
        assert re.fullmatch(rf"/tin-tuc/[a-z0-9-]+-{id}\.html", a.path)
        assert a.published.tzinfo == VN_TZ and a.published.second == 0
        assert a.published_raw == "Cập nhật lúc : " + a.published.strftime("%d/%m/%Y %H:%M")
        m = lead_re.match(a.lead)
        assert m, a.lead
        assert (int(m.group(2)), int(m.group(3))) == (a.event_date.day, a.event_date.month)
        assert 0 <= (a.published.date() - a.event_date).days <= 2
        assert 3 <= len(a.body) <= 6 and 1 <= len(a.images) <= 3
        assert all(2 <= len(re.findall(r"\.(?: |$)", p)) <= 4 for p in a.body), a.body
        seen_credit += sum(im.credit is not None for im in a.images)
        seen_uncaptioned += sum(im.caption is None for im in a.images)
        author_lines.add(clean_site.served(id).authors_line)
    assert seen_credit and seen_uncaptioned
    assert any("–" in line for line in author_lines) and "PV" in author_lines
    assert any(line.startswith("Tin, ảnh: ") for line in author_lines)
    assert any(" - " in line for line in author_lines)


def test_published_spread_and_day_first_ambiguity():
    site = DemoSite(articles=600)
    dates = [site.summary(i)[2] for i in range(1, 601)]
    assert dates == sorted(dates) and len(set(dates)) == 600
    assert dates[0] >= datetime(2020, 1, 1, tzinfo=VN_TZ)
    assert dates[-1] == datetime(2025, 6, 27, 16, 22, tzinfo=VN_TZ)
    assert sum(d.day <= 12 for d in dates) > 150
    assert site.article(601, day=1).published > dates[-1]


# --------------------------------------------------------------------------- HTTP


def test_home_page(fresh):
    status, _, body = get(fresh.base_url + "/")
    page = body.decode()
    assert status == 200
    for slug in CATEGORIES:
        assert f'href="/chuyen-muc/{slug}"' in page
    assert fresh.site.article(60).path in page and fresh.site.article(56).path in page
    assert get(fresh.base_url + "/?day=x")[0] == 404


def test_robots_and_static(portal):
    status, headers, body = get(portal.base_url + "/robots.txt")
    assert status == 200
    assert body.decode().splitlines() == ["User-agent: *", "Disallow: /noi-bo/",
                                          "Disallow: /__admin/"]
    status, headers, css = get(portal.base_url + "/static/portal.css")
    assert status == 200 and headers["Content-Type"].startswith("text/css")
    assert b"url(" not in css and b".article" in css
    assert get(portal.base_url + "/favicon.ico")[0] == 404
    assert get(portal.base_url + "/khong-co-trang-nay")[0] == 404
    status, _, body = get(portal.base_url + DISALLOWED_PATH)
    assert status == 200


def test_listing_pagination_via_trang_sau(fresh):
    site = fresh.site
    for slug in CATEGORIES:
        url = f"{fresh.base_url}/chuyen-muc/{slug}"
        seen: list[int] = []
        pages = 0
        while url:
            status, headers, body = get(url)
            assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
            page = body.decode()
            assert 'rel="next"' not in page
            items = re.findall(r'<div class="news-item"><a href="([^"]+)">', page)
            ids = [int(re.search(r"-(\d+)\.html$", href).group(1)) for href in items
                   if href != DISALLOWED_PATH]
            pages += 1
            assert ids == [a.id for a in site.listing(slug, pages)]
            if slug == "hoat-dong-cap-uy" and pages == 1:
                assert DISALLOWED_PATH in items
            else:
                assert DISALLOWED_PATH not in items
            seen += ids
            nxt = re.search(r'<a href="([^"]+)">Trang sau</a>', page)
            url = fresh.base_url + nxt.group(1) if nxt else None
        assert pages == site.page_count(slug) >= 2
        expected = sorted((i for i in site.article_ids() if site.category_of(i) == slug),
                          reverse=True)
        assert seen == expected and len(seen) > PAGE_SIZE
        last = site.page_count(slug)
        assert get(f"{fresh.base_url}/chuyen-muc/{slug}?trang={last + 1}")[0] == 404
        assert get(f"{fresh.base_url}/chuyen-muc/{slug}?trang=0")[0] == 404
        # numbered links and a way back
        page = get(f"{fresh.base_url}/chuyen-muc/{slug}?trang=2")[2].decode()
        assert f'<a href="/chuyen-muc/{slug}">1</a>' in page
        assert '<span class="current">2</span>' in page and "Trang trước" in page


def test_article_page(fresh):
    a = fresh.site.article(60)
    status, headers, body = get(fresh.base_url + a.path)
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Content-Length"] == str(len(body))
    page = body.decode("utf-8")
    assert a.published_raw == "Cập nhật lúc : 27/06/2025 16:22"
    assert f"<div class=\"date\">{a.published_raw}</div>" in page
    assert f"<title>{a.title} - Cổng thông tin điện tử tỉnh Thừa Thiên Huế</title>" in page
    assert f'<meta property="og:title" content="{a.title}">' in page
    assert '<div class="font-size"><a href="#">+</a> <a href="#">aa</a>' in page
    assert "Tin liên quan" in page and "Lượt truy cập: " in page and "<script" in page
    assert len(re.findall(r'<div class="tin-lien-quan">.*?</ul>', page, re.S)[0]
               .split("<li>")) == 6
    check_matches(parse_article(page), a)
    # an id with the wrong slug, and a HEAD request
    assert get(fresh.base_url + "/tin-tuc/sai-duong-dan-60.html")[0] == 404
    conn = http.client.HTTPConnection("127.0.0.1", fresh.port, timeout=5)
    conn.request("HEAD", a.path)
    resp = conn.getresponse()
    assert resp.status == 200 and resp.read() == b""
    assert int(resp.headers["Content-Length"]) == len(body)
    conn.close()


def test_traps_in_served_html(portal):
    raw = b""
    for id in range(1, 31):
        if id in (7, 13):
            continue
        raw += get(portal.base_url + portal.site.article(id).path)[2]
    text = raw.decode("utf-8")
    assert "&nbsp;" in text and "\u200b" in text
    assert "uỷ" in text and "ủy" in text
    # zero-width spaces always touch a space, never split a word
    assert not re.search(r"\w\u200b\w", text)
    assert re.search(r"\d\d/\d\d/\d{4}", text)


def test_nfd_every_fifth_article(portal):
    site = portal.site
    for id in (5, 10, 15, 20):
        a = site.article(id)
        raw = get(portal.base_url + a.path)[2]
        served_par = site.served(id).body[0].replace("\xa0", "&nbsp;")
        assert unicodedata.normalize("NFD", served_par).encode() in raw
        assert unicodedata.normalize("NFC", served_par).encode() not in raw
        assert all(unicodedata.is_normalized("NFC", p) for p in a.body)
    raw = get(portal.base_url + site.article(6).path)[2]
    assert site.served(6).body[0].replace("\xa0", "&nbsp;").encode() in raw


def test_gzip_only_when_asked(portal):
    path = portal.site.article(60).path
    s1, h1, plain = get(portal.base_url + path)
    assert "Content-Encoding" not in h1 and h1["Vary"] == "Accept-Encoding"
    s2, h2, packed = get(portal.base_url + path, {"Accept-Encoding": "gzip, deflate"})
    assert s1 == s2 == 200 and h2["Content-Encoding"] == "gzip"
    assert packed[:2] == b"\x1f\x8b" and gzip.decompress(packed) == plain
    assert "Content-Encoding" not in get(portal.base_url + path, {"Accept-Encoding": "gzip;q=0"})[1]
    s3, h3, css = get(portal.base_url + "/static/portal.css", {"Accept-Encoding": "gzip"})
    assert h3["Content-Encoding"] == "gzip"
    img = portal.site.article(60).images[0].path
    s4, h4, jpg = get(portal.base_url + img, {"Accept-Encoding": "gzip"})
    assert s4 == 200 and "Content-Encoding" not in h4 and jpg[:2] == b"\xff\xd8"


def test_images_are_distinct_jpegs(portal):
    seen = set()
    for id in (1, 2, 3, 60):
        for im in portal.site.article(id).images:
            status, headers, body = get(portal.base_url + im.path)
            assert status == 200 and headers["Content-Type"] == "image/jpeg"
            assert body[:2] == b"\xff\xd8" and body[-2:] == b"\xff\xd9"
            assert f"demo image {id}-".encode() in body
            seen.add(body)
    assert len(seen) == sum(len(portal.site.article(i).images) for i in (1, 2, 3, 60))
    a = portal.site.article(1)
    assert get(portal.base_url + a.images[0].path.replace("-1.jpg", "-9.jpg"))[0] == 404
    status, headers, body = get(portal.base_url + "/static/no-image.jpg")
    assert status == 200 and body[:2] == b"\xff\xd8" and body[-2:] == b"\xff\xd9"


def test_conditional_requests(portal):
    a = portal.site.article(60)
    for path in (a.path, a.images[0].path, "/static/portal.css"):
        url = portal.base_url + path
        status, headers, body = get(url)
        etag, modified = headers["ETag"], headers["Last-Modified"]
        assert etag.startswith('"') and etag.endswith('"')
        status, headers, body = get(url, {"If-None-Match": etag})
        assert status == 304 and body == b""
        assert get(url, {"If-None-Match": '"nope"'})[0] == 200
        assert get(url, {"If-Modified-Since": modified})[0] == 304
        assert get(url, {"If-Modified-Since": "Mon, 01 Jan 2018 00:00:00 GMT"})[0] == 200
    # the gzip variant has its own tag, and either tag revalidates
    _, h, _ = get(portal.base_url + a.path, {"Accept-Encoding": "gzip"})
    assert h["ETag"] != get(portal.base_url + a.path)[1]["ETag"]
    assert get(portal.base_url + a.path, {"If-None-Match": h["ETag"]})[0] == 304
    assert h["Last-Modified"] == "Fri, 27 Jun 2025 09:22:00 GMT"


def test_days_add_edit_cosmetic_remove(fresh):
    site = fresh.site
    base = fresh.base_url
    assert site.edited_ids(2) == {2, 8} and site.cosmetic_ids(2) == {4, 10}
    assert site.removed_ids(2) == {6, 12} and site.new_ids(2) == {61, 62, 63, 64, 65, 66}
    assert set(site.article_ids(2)) == set(range(1, 67)) - {6, 12}
    # new articles
    assert site.article(61) is None and site.article(61, day=1) is not None
    assert get(base + site.article(61, 1).path)[0] == 404
    assert get(base + site.article(61, 1).path + "?day=1")[0] == 200
    top = site.listing("hoat-dong-cap-uy", 1, day=1)
    assert top[0].id == 62 and 61 in [a.id for a in top]
    # edited: only the second body paragraph differs
    old, new = site.article(2), site.article(2, day=1)
    assert new.body[1] != old.body[1] and new.body[1] not in old.body
    assert (new.title, new.lead, new.body[:1], new.body[2:], new.images, new.authors) == (
        old.title, old.lead, old.body[:1], old.body[2:], old.images, old.authors)
    page = get(base + new.path + "?day=1")[2].decode()
    check_matches(parse_article(page), new)
    # cosmetic: only the tone placement changes
    old, new = site.article(4), site.article(4, day=1)
    assert old != new and old.lead != new.lead
    assert new_tone(old.lead) == new.lead and "uỷ" in old.lead and "uỷ" not in new.lead
    assert [new_tone(p) for p in old.body] == new.body
    page = get(base + new.path + "?day=1")[2].decode()
    check_matches(parse_article(page), new)
    # removed
    gone = site.article(6)
    assert site.article(6, day=1) is None
    assert get(base + gone.path)[0] == 200
    assert get(base + gone.path + "?day=1")[0] == 404
    listed = [a.id for p in range(1, site.page_count("tin-tuc-su-kien", 1) + 1)
              for a in site.listing("tin-tuc-su-kien", p, day=1)]
    assert 6 not in listed and 63 in listed
    # the portal's own clock
    fresh.set_state(day=1)
    assert get(base + gone.path)[0] == 404
    assert get(base + site.article(2).path)[1]["Last-Modified"] == "Sat, 28 Jun 2025 01:00:00 GMT"
    page = get(f"{base}/chuyen-muc/hoat-dong-cap-uy")[2].decode()
    assert site.article(62, 1).path in page


def test_admin_state_and_hits(fresh):
    base = fresh.base_url
    fresh.reset_hits()
    assert json.loads(get(base + "/__admin/state")[2]) == {"day": 0, "moved": False}
    assert json.loads(get(base + "/__admin/state?day=2&moved=1")[2]) == {"day": 2, "moved": True}
    assert (fresh.day, fresh.moved) == (2, True)
    get(base + "/__admin/state?day=0&moved=0")
    get(base + "/robots.txt")
    get(base + "/chuyen-muc/tin-tuc-su-kien?trang=2")
    get(base + "/chuyen-muc/tin-tuc-su-kien?trang=2")
    hits = json.loads(get(base + "/__admin/hits")[2])
    assert hits == {"/robots.txt": 1, "/chuyen-muc/tin-tuc-su-kien?trang=2": 2}
    assert fresh.hits["/chuyen-muc/tin-tuc-su-kien?trang=2"] == 2
    get(base + "/__admin/reset")
    assert json.loads(get(base + "/__admin/hits")[2]) == {}


def test_moved_redirects_to_localhost(fresh):
    path = fresh.site.article(60).path
    fresh.set_state(moved=True)
    status, headers, _ = get(fresh.base_url + path + "?x=1")
    assert status == 301
    assert headers["Location"] == f"http://localhost:{fresh.port}{path}?x=1"
    conn = http.client.HTTPConnection("127.0.0.1", fresh.port, timeout=5)
    conn.request("GET", path, headers={"Host": f"localhost:{fresh.port}"})
    resp = conn.getresponse()
    assert resp.status == 200 and fresh.site.article(60).title in resp.read().decode()
    conn.close()
    fresh.set_state(moved=False)
    assert get(fresh.base_url + path)[0] == 200


def test_slow_article_does_not_block_others(portal):
    slow = portal.site.article(11)
    assert slow.fault == "slow"
    done = {}

    def fetch_slow() -> None:
        start = time.monotonic()
        done["status"] = get(portal.base_url + slow.path)[0]
        done["took"] = time.monotonic() - start

    thread = threading.Thread(target=fetch_slow)
    thread.start()
    time.sleep(0.1)
    start = time.monotonic()
    assert get(portal.base_url + portal.site.article(12).path)[0] == 200
    assert time.monotonic() - start < 0.5
    thread.join(5)
    assert done["status"] == 200 and done["took"] >= 0.9


def test_faults_500_and_malformed(portal):
    site = portal.site
    assert site.article(7).fault == "500" and site.article(13).fault == "malformed"
    assert get(portal.base_url + site.article(7).path)[0] == 500
    status, headers, body = get(portal.base_url + site.article(13).path)
    assert status == 200 and int(headers["Content-Length"]) == len(body)
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert not body.rstrip().endswith(b"</html>") and body.endswith(b"<p")
    assert site.article(13).title.encode() in body
    # faults appear normally in listings; without faults they are plain articles
    listed = {a.id for p in (1, 2, 3, 4) for a in site.listing("hoat-dong-cap-uy", p)}
    assert {7, 11, 13} <= listed
    assert DemoSite(faults=False).article(7).fault is None


def test_determinism(portal):
    one, two = DemoSite(), DemoSite()
    assert [one.article(i) for i in range(1, 61)] == [two.article(i) for i in range(1, 61)]
    assert one.article(5, day=3) == two.article(5, day=3)
    assert DemoSite(seed=1).article(5) != one.article(5)
    with DemoPortal(DemoSite(articles=60, slow_seconds=1.0)) as other:
        for path in ("/", "/chuyen-muc/hoat-dong-cap-uy?trang=2", one.article(60).path,
                     one.article(60).images[0].path):
            assert get(other.base_url + path)[2] == get(portal.base_url + path)[2]


def test_large_site_is_constant_time():
    start = time.perf_counter()
    site = DemoSite(articles=100_000)
    a = site.article(99_999)
    last = site.article(100_000)
    deep = site.listing("tin-tuc-su-kien", 3000)
    count = site.page_count("hoat-dong-cap-uy", day=5)
    assert time.perf_counter() - start < 0.5
    assert a is not None and a.id == 99_999 and a.published < last.published
    assert last.published == datetime(2025, 6, 27, 16, 22, tzinfo=VN_TZ)
    assert len(deep) == PAGE_SIZE and deep[0].id > deep[-1].id
    assert count == -(-sum(1 for i in range(1, 100_016) if i % 3) // PAGE_SIZE)
    sample = [site.summary(i)[2] for i in range(1, 100_001, 997)]
    assert sample == sorted(sample)
    assert isinstance(a.event_date, date) and a.published.date() - a.event_date <= timedelta(2)


def test_main_serves_until_interrupted():
    proc = subprocess.Popen(
        [sys.executable, "-m", "portal_archive.crawler.demo.portal", "--port", "0",
         "--articles", "20",
         "--no-faults", "--day", "1"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline().strip()
        m = re.fullmatch(r"demo portal on (http://127\.0\.0\.1:(\d+))", line)
        assert m, line
        status, _, body = get(m.group(1) + "/__admin/state")
        assert status == 200 and json.loads(body) == {"day": 1, "moved": False}
        site = DemoSite(articles=20, faults=False)
        assert get(m.group(1) + site.article(7).path)[0] == 200
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
        assert "Traceback" not in proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize("articles", [1, 7, 60, 100])
def test_listing_arithmetic_matches_naive(articles):
    site = DemoSite(articles=articles, new_per_day=2)
    for day in (0, 1, 5, 11, 20):
        live = list(site.article_ids(day))
        assert len(live) == len(set(live))
        for slug in CATEGORIES:
            naive = sorted((i for i in live if site.category_of(i) == slug), reverse=True)
            pages = site.page_count(slug, day)
            got = [i for p in range(1, pages + 1) for i in site.listing_ids(slug, p, day)]
            assert got == naive, (articles, day, slug)
            assert pages == max(1, -(-len(naive) // PAGE_SIZE))
            assert site.listing_ids(slug, pages + 1, day) == []
        for i in live:
            assert site.article(i, day) is not None
        for i in site.removed_ids(day):
            assert site.article(i, day) is None and i not in live
