"""Replay with real pywb over an archive the CLI crawled from the demo portal on two days.

pywb runs in child processes only (it monkey-patches with gevent on import): once set up
the pywb way (`wb-manager init/add` + `wayback`) and once through `portal-archive replay`.
"""

from __future__ import annotations

import gzip
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, timedelta
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from warcio.timeutils import timestamp_to_datetime

from portal_archive.archive.cdxj import CdxjLine, iter_index, site_of
from portal_archive.archive.warcfile import read_record
from portal_archive.crawler.demo import images
from portal_archive.crawler.demo.content import DemoSite
from portal_archive.crawler.demo.portal import DemoPortal
from portal_archive.crawler.extract import decode_html, extract_article

from ..conftest import CLI, TEST_CRAWL_SETTINGS, crawl_demo, crawl_two_days, run_cli

EDITED = 2  # DemoSite.edited_ids(1): its second paragraph changes on day 1
PLAIN = 13  # its page is byte-identical on day 1: the second capture is a revisit


# -- the archive: day 0, then day 1 ----------------------------------------------------
@dataclass
class TwoDays:
    portal: DemoPortal
    site: DemoSite
    data: Path

    def url(self, article_id: int, day: int = 0) -> str:
        article = self.site.article(article_id, day)
        assert article is not None
        return self.portal.base_url + article.path

    def captures(self, url: str) -> list[CdxjLine]:
        """Every capture of ``url`` in the index, oldest first (the file is sorted)."""
        return [line for line in iter_index(self.data / "index")
                if line.url == url]


def crawl_ok(portal: DemoPortal, data: Path, *extra: str) -> None:
    result = crawl_demo(portal, data, *extra)
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.fixture(scope="module")
def two_days(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TwoDays]:
    site = DemoSite(articles=18, faults=False)  # 13, 14, 16, 17 stay unchanged
    with DemoPortal(site) as portal:
        data = tmp_path_factory.mktemp("replay-data")
        crawl_two_days(portal, data)
        yield TwoDays(portal, site, data)


# -- HTTP without following redirects -----------------------------------------------------
@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


def get(base: str, path: str, **headers: str) -> Reply:
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return Reply(response.status, response.headers, response.read())
    finally:
        conn.close()


def follow(base: str, path: str, **headers: str) -> Reply:
    reply = get(base, path, **headers)
    for _ in range(5):
        if reply.status not in (301, 302, 307, 308):
            break
        target = urlsplit(reply.headers["Location"])
        reply = get(base, target.path + (f"?{target.query}" if target.query else ""), **headers)
    return reply


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_listening(proc: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text(errors="replace")[-3000:]
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on {port}")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        proc.wait(timeout=15)


# -- what a replayed page must show -------------------------------------------------------
def assert_article(reply: Reply, url: str, expected) -> None:  # noqa: ANN001
    assert reply.status == 200, reply.body[:500]
    doc = extract_article(decode_html(reply.body, reply.headers["Content-Type"]), url,
                          site="demo")
    assert doc["title"] == expected.title
    assert doc["body"] == expected.body


def assert_image(reply: Reply, article_id: int) -> None:
    assert reply.status == 200
    assert reply.headers["Content-Type"] == "image/jpeg"
    assert reply.body[:2] == b"\xff\xd8"
    assert reply.body == images.article_image(article_id, 1)


def http_date(ts: str, shift: int = 0) -> str:
    moment = timestamp_to_datetime(ts).replace(tzinfo=UTC) + timedelta(seconds=shift)
    return format_datetime(moment, usegmt=True)


# -- pywb set up the pywb way -------------------------------------------------------------
def test_wb_manager_and_wayback_replay_our_warcs(two_days: TwoDays, tmp_path: Path) -> None:
    warcs = sorted((two_days.data / "warc" / "demo").glob("*.warc.gz"))
    manager = [sys.executable, "-m", "pywb.manager.manager"]
    for args in (["init", "demo"], ["add", "demo", *map(str, warcs)]):
        proc = subprocess.run([*manager, *args], cwd=tmp_path, capture_output=True, text=True,
                              timeout=120)
        assert proc.returncode == 0, proc.stderr[-3000:]
    port, log = free_port(), tmp_path / "wayback.log"
    with open(log, "wb") as out:
        wayback = subprocess.Popen(
            [sys.executable, "-m", "pywb.apps.cli", "-p", str(port), "-b", "127.0.0.1"],
            cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env={k: v for k, v in os.environ.items() if k != "PYWB_CONFIG_FILE"},
        )
    try:
        wait_listening(wayback, port, log)
        base = f"http://127.0.0.1:{port}"
        url = two_days.url(PLAIN)
        first = two_days.captures(url)[0].timestamp
        assert_article(follow(base, f"/demo/{first}mp_/{url}"), url, two_days.site.article(PLAIN))
        image = two_days.portal.base_url + two_days.site.article(PLAIN).images[0].path
        assert_image(follow(base, f"/demo/{first}im_/{image}"), PLAIN)
    finally:
        stop(wayback)


# -- portal-archive replay ----------------------------------------------------------------
@contextmanager
def serving_replay(data: Path, log: Path) -> Iterator[str]:
    """``portal-archive replay`` (real pywb) over ``data``, until the block ends; yields
    its base URL. It must end as SIGTERM asks: status 0."""
    port = free_port()
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [*CLI, "replay", "--port", str(port), "--data", str(data)],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
    try:
        wait_listening(proc, port, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(proc)
    assert proc.returncode == 0, log.read_text(errors="replace")[-3000:]


@pytest.fixture(scope="module")
def replay(two_days: TwoDays, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving_replay(two_days.data, tmp_path_factory.mktemp("replay-log") / "r.log") as url:
        yield url


@pytest.mark.parametrize("coll", ["all", "demo"])
def test_replays_an_article_and_its_image(two_days: TwoDays, replay: str, coll: str) -> None:
    url = two_days.url(PLAIN)
    first = two_days.captures(url)[0].timestamp
    reply = get(replay, f"/{coll}/{first}mp_/{url}")
    assert_article(reply, url, two_days.site.article(PLAIN))
    assert reply.headers["Memento-Datetime"] == http_date(first)
    links = reply.headers["Link"]
    for rel in ("original", "timegate", "timemap"):
        assert f'rel="{rel}"' in links
    assert f"<{url}>; rel=\"original\"" in links
    # pywb's own CSP: the archived page may load nothing from the live web.
    assert "default-src" in reply.headers["Content-Security-Policy"]
    image = two_days.portal.base_url + two_days.site.article(PLAIN).images[0].path
    assert_image(follow(replay, f"/{coll}/{first}im_/{image}"), PLAIN)
    # The framed top page (pywb's banner) names the same memento.
    frame = get(replay, f"/{coll}/{first}/{url}")
    assert frame.status == 200 and frame.headers["Memento-Datetime"] == http_date(first)


@pytest.mark.parametrize("coll", ["all", "demo"])
def test_timemap_lists_both_captures_of_the_edited_article(
    two_days: TwoDays, replay: str, coll: str
) -> None:
    url = two_days.url(EDITED)
    stamps = [line.timestamp for line in two_days.captures(url)]
    assert len(stamps) == 2
    reply = get(replay, f"/{coll}/timemap/link/{url}")
    assert reply.status == 200
    assert reply.headers["Content-Type"] == "application/link-format"
    mementos = [line for line in reply.body.decode().split(",\n") if 'rel="memento"' in line]
    assert [re.search(r'datetime="([^"]+)"', m).group(1) for m in mementos] == [
        http_date(ts) for ts in stamps
    ]
    assert all(f"/{coll}/{ts}" in m for m, ts in zip(mementos, stamps, strict=True))


def test_the_two_captures_hold_the_two_versions(two_days: TwoDays, replay: str) -> None:
    url = two_days.url(EDITED)
    before, after = (line.timestamp for line in two_days.captures(url))
    assert_article(get(replay, f"/all/{before}mp_/{url}"), url, two_days.site.article(EDITED))
    assert_article(get(replay, f"/all/{after}mp_/{url}"), url,
                   two_days.site.article(EDITED, day=1))
    assert two_days.site.article(EDITED).body != two_days.site.article(EDITED, day=1).body


@pytest.mark.parametrize("side", ["before", "after"])
def test_timegate_redirects_to_the_nearer_capture(
    two_days: TwoDays, replay: str, side: str
) -> None:
    url = two_days.url(EDITED)
    before, after = (line.timestamp for line in two_days.captures(url))
    gap = (timestamp_to_datetime(after) - timestamp_to_datetime(before)).total_seconds()
    assert gap >= 3  # so one second past one capture is nearer to it than to the other
    wanted, asked = (before, http_date(before, 1)) if side == "before" else (
        after, http_date(after, -1))
    reply = get(replay, f"/all/{url}", **{"Accept-Datetime": asked})
    assert reply.status in (302, 307)
    assert urlsplit(reply.headers["Location"]).path == f"/all/{wanted}/{url}"
    assert "accept-datetime" in reply.headers["Vary"].lower()
    assert f'datetime="{http_date(wanted)}"' in reply.headers["Link"]


def revisit_with_profile(two_days: TwoDays, profile: str) -> CdxjLine:
    """A revisit capture of that WARC-Profile, an article page's if there is one."""
    lines = [line for line in iter_index(two_days.data / "index")
             if line.fields["mime"] == "warc/revisit"]
    for line in sorted(lines, key=lambda line: "/tin-tuc/" not in line.url):
        record, _ = read_record(two_days.data / "warc" / line.filename, line.offset)
        if record.rec_headers.get_header("WARC-Profile", "").endswith("/" + profile):
            return line
    raise AssertionError(f"no {profile} revisit in the archive")


@pytest.mark.parametrize("profile", ["identical-payload-digest", "server-not-modified"])
def test_a_revisit_replays_its_original(two_days: TwoDays, replay: str, profile: str) -> None:
    line = revisit_with_profile(two_days, profile)
    original = next(
        capture for capture in two_days.captures(line.url)
        if capture.fields["mime"] != "warc/revisit"
        and capture.fields["digest"] == line.fields["digest"]
    )
    record, payload = read_record(two_days.data / "warc" / original.filename, original.offset)
    if record.http_headers.get_header("Content-Encoding") == "gzip":
        payload = gzip.decompress(payload)  # pywb decodes for a client that sent no Accept-Encoding
    reply = get(replay, f"/demo/{line.timestamp}id_/{line.url}")
    # pywb answers with a revisit's own HTTP status line when it has one: a 304 there
    # would replay as an empty page, which is why 304 revisits carry no HTTP block.
    assert reply.status == 200, f"{line.url} at {line.timestamp}: {reply.status}"
    assert reply.body == payload
    assert reply.headers["Memento-Datetime"] == http_date(line.timestamp)
    if "/tin-tuc/" in line.url:
        article_id = two_days.site.id_for_path(urlsplit(line.url).path)
        assert_article(get(replay, f"/demo/{line.timestamp}mp_/{line.url}"), line.url,
                       two_days.site.article(article_id, day=1))


def test_unarchived_urls_are_404_and_never_fetched(two_days: TwoDays, replay: str) -> None:
    portal = two_days.portal
    missing = [portal.base_url + DemoSite.DISALLOWED_PATH,  # live on the portal, never crawled
               portal.base_url + "/tin-tuc/chua-luu-tru-99999.html"]
    before = portal.hits_snapshot()
    for url in missing:
        for path in (f"/all/2026/{url}", f"/all/2026mp_/{url}", f"/demo/id_/{url}",
                     f"/all/{url}", f"/all/timemap/link/{url}", f"/live/{url}",
                     f"/all/record/{url}"):
            assert get(replay, path).status == 404, path
    assert portal.hits_snapshot() == before
    assert not any(key.startswith(("/noi-bo/", "/tin-tuc/chua-luu-tru")) for key in before)


# -- one index, a collection per site ----------------------------------------------------
def memento_stamps(reply: Reply) -> list[str]:
    mementos = [line for line in reply.body.decode().split(",\n") if 'rel="memento"' in line]
    return [re.search(r'datetime="([^"]+)"', m).group(1) for m in mementos]


def test_a_site_collection_never_shows_another_sites_capture_of_the_same_url(
    tmp_path: Path,
) -> None:
    # Two sites fetch the same pages: demo's profile, then the generic listing crawl of
    # the same portal. Their captures share URLs in the one index.
    site = DemoSite(articles=6, faults=False)
    with DemoPortal(site) as portal:
        crawl_ok(portal, tmp_path / "data")
        listing = f"{portal.base_url}/chuyen-muc/hoat-dong-cap-uy"
        other = run_cli("crawl", "--listing", listing, "--data", str(tmp_path / "data"),
                        *[arg for name, value in TEST_CRAWL_SETTINGS.items()
                          for arg in ("-s", f"{name}={value}")])
        assert other.returncode == 0, other.stderr[-3000:]
        url = portal.base_url + site.article(1).path
    lines = [line for line in iter_index(tmp_path / "data" / "index") if line.url == url]
    by_site = {name: [line.timestamp for line in lines if site_of(line) == name]
               for name in ("demo", "generic")}
    assert by_site["demo"] and by_site["generic"], lines
    with serving_replay(tmp_path / "data", tmp_path / "replay.log") as base:
        for coll, stamps in [*by_site.items(), ("all", [line.timestamp for line in lines])]:
            reply = get(base, f"/{coll}/timemap/link/{url}")
            assert reply.status == 200, coll
            assert memento_stamps(reply) == [http_date(ts) for ts in stamps], coll
        # Each site's replay opens its own capture; generic's are revisits of demo's
        # records (same URL, same payload), whose payload pywb still finds.
        assert {line.fields["mime"] for line in lines if site_of(line) == "generic"} == {
            "warc/revisit"}
        for coll, stamps in by_site.items():
            reply = get(base, f"/{coll}/{stamps[0]}mp_/{url}")
            assert_article(reply, url, site.article(1))
            assert reply.headers["Memento-Datetime"] == http_date(stamps[0]), coll


# -- lifecycle and errors ----------------------------------------------------------------
def test_ctrl_c_stops_pywb_and_exits_0(two_days: TwoDays, tmp_path: Path) -> None:
    port, log = free_port(), tmp_path / "replay.log"
    with open(log, "wb") as out:
        # Its own process group, as on a terminal, where Ctrl-C signals the whole group.
        proc = subprocess.Popen(
            [*CLI, "replay", "--port", str(port),
             "--data", str(two_days.data)],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    banner = f"http://127.0.0.1:{port}/all/"
    try:
        wait_listening(proc, port, log)
        deadline = time.monotonic() + 10
        while banner not in log.read_text(errors="replace") and time.monotonic() < deadline:
            time.sleep(0.05)  # pywb listens a moment before we say so
        os.killpg(proc.pid, signal.SIGINT)
        assert proc.wait(timeout=15) == 0
    finally:
        stop(proc)
    text = log.read_text(errors="replace")
    assert banner in text
    assert "Traceback" not in text and "KeyboardInterrupt" not in text
    with socket.socket() as probe:  # pywb is gone too
        assert probe.connect_ex(("127.0.0.1", port)) != 0


def test_sigterm_exits_0(two_days: TwoDays, tmp_path: Path) -> None:
    port, log = free_port(), tmp_path / "replay.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [*CLI, "replay", "--port", str(port),
             "--data", str(two_days.data)],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
    try:
        wait_listening(proc, port, log)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
    finally:
        stop(proc)
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0


def test_nothing_archived_is_one_line(tmp_path: Path) -> None:
    result = run_cli("replay", "--port", str(free_port()), "--data", str(tmp_path), timeout=30)
    assert result.returncode == 1
    assert result.stderr == (
        f"portal-archive: error: nothing archived yet in {tmp_path};"
        " run portal-archive crawl first\n"
    )


def test_port_in_use_is_one_line(two_days: TwoDays) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_cli("replay", "--port", str(port), "--data", str(two_days.data), timeout=30)
    assert result.returncode == 1
    assert result.stderr == (
        f"portal-archive: error: port {port} on 127.0.0.1 is in use; choose another with --port\n"
    )


def test_generated_config_serves_every_site_and_nothing_else(two_days: TwoDays) -> None:
    from portal_archive.archive.datadir import DataDir
    from portal_archive.archive.replay import pywb_config

    config = pywb_config(DataDir(two_days.data))
    colls = config["collections"]
    assert set(colls) == {"all", "demo"}
    index = str((two_days.data / "index").resolve())
    assert colls["all"]["index"] == {"type": "portal-archive", "path": index}
    assert colls["demo"]["index"] == {"type": "portal-archive", "path": index, "site": "demo"}
    assert all(c["archive_paths"].endswith("/warc/") for c in colls.values())
    assert config["enable_auto_colls"] is False and config["enable_memento"] is True
    assert not {"recorder", "proxy", "autoindex"} & set(config)
    assert "pywb" not in sys.modules  # never in our process
