"""Issue 8, point 8: every user mistake is one line on stderr and exit 1 (2 for usage),
and what a rule keeps from the archive is said in one log line."""

from __future__ import annotations

import os
import re
import resource
import signal
import stat
import subprocess
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from portal_archive.archive.catalog import Catalog
from portal_archive.archive.errors import PortalArchiveError
from portal_archive.crawler import settings as project_settings_module
from portal_archive.crawler.demo.content import DemoSite
from portal_archive.crawler.demo.portal import DemoPortal
from portal_archive.crawler.settings_check import check_setting, setting_defaults
from portal_archive.schedules.config import parse_text

from ..conftest import CLI, TEST_CRAWL_SETTINGS, crawl_on_a_terminal, run_cli
from ..hostile import HostileServer, page, redirect, respond

PAGES = Path(__file__).parents[1] / "crawler" / "fixtures" / "pages"


def _one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("portal-archive: error: "), stderr
    return lines[0]


# -- settings: one check, types from the defaults -------------------------------
@pytest.mark.parametrize(
    ("setting", "said"),
    [
        ("DOWNLOD_DELAY=1",
         "unknown Scrapy setting 'DOWNLOD_DELAY' (did you mean DOWNLOAD_DELAY?)"),
        ("LOG_LEVEL=BOGUS", "setting LOG_LEVEL='BOGUS' is not a log level (one of CRITICAL,"),
        ("CLOSESPIDER_TIMEOUT=abc", "setting CLOSESPIDER_TIMEOUT='abc' is not a valid float"),
        ("DEPTH_LIMIT=x", "setting DEPTH_LIMIT='x' is not a valid int"),
    ],
)
def test_a_bad_setting_is_one_line_before_any_work(tmp_path: Path, setting: str, said: str) -> None:
    data = tmp_path / "data"
    result = run_cli("crawl", "demo", "--data", str(data), "-s", setting)
    assert result.returncode == 1
    assert said in _one_error_line(result.stderr)
    assert not data.exists()  # refused before the data folder is touched


@pytest.mark.parametrize(
    ("name", "text", "value"),
    [
        ("DOWNLOAD_TIMEOUT", "1.5", 1.5),  # an int default read as seconds
        ("RETRY_TIMES", "3", 3),
        ("ROBOTSTXT_OBEY", "false", False),
        ("LOG_LEVEL", "debug", "DEBUG"),
        ("RETRY_GIVE_UP_LOG_LEVEL", "info", "INFO"),
        ("DOWNLOADER_MIDDLEWARES", '{"a.B": 1}', {"a.B": 1}),
        ("PORTAL_BASE_URL", "http://127.0.0.1:1", "http://127.0.0.1:1"),
        ("ALERT_TYPES", "new,edited", "new,edited"),  # Scrapy's getlist splits it
    ],
)
def test_values_are_typed_as_their_defaults(name: str, text: str, value: object) -> None:
    assert check_setting(name, text) == value


@pytest.mark.parametrize(
    ("name", "text", "said"),
    [
        ("DEPTH_LIMIT", "nan", "is not a valid int"),
        ("DEPTH_LIMIT", "inf", "is not a valid int"),
        ("DOWNLOADER_MIDDLEWARES", "[1]", "is not a valid JSON object"),
        ("ROBOTSTXT_OBEY", "maybe", "is not a valid bool"),
        ("PROGRESS_INTERVAL", "soon", "is not a valid float"),  # one of ours
    ],
)
def test_values_scrapy_would_choke_on(name: str, text: str, said: str) -> None:
    with pytest.raises(PortalArchiveError, match=f"setting {name}='{re.escape(text)}' {said}"):
        check_setting(name, text)


def test_a_setting_added_to_the_project_is_checked_without_listing_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(project_settings_module, "SOME_NEW_LIMIT", 200, raising=False)
    setting_defaults.cache_clear()
    try:
        assert check_setting("SOME_NEW_LIMIT", "50") == 50
        with pytest.raises(PortalArchiveError, match="SOME_NEW_LIMIT='lots' is not a valid int"):
            check_setting("SOME_NEW_LIMIT", "lots")
    finally:
        monkeypatch.undo()
        setting_defaults.cache_clear()
    with pytest.raises(PortalArchiveError, match="unknown Scrapy setting 'SOME_NEW_LIMIT'"):
        check_setting("SOME_NEW_LIMIT", "50")


def test_a_settings_module_helper_is_not_a_setting() -> None:
    assert hasattr(project_settings_module, "_VERSION")
    with pytest.raises(PortalArchiveError, match="unknown Scrapy setting '_VERSION'"):
        check_setting("_VERSION", "1")


def test_schedule_files_use_the_same_check() -> None:
    text = ('[job.n]\nsites = ["demo"]\ncron = "30 2 * * *"\n'
            "[job.n.settings]\nDOWNLOD_DELAY = 1\n")
    with pytest.raises(PortalArchiveError) as caught:
        parse_text(text, "s.toml")
    assert str(caught.value) == (
        "s.toml:5: job 'n': unknown Scrapy setting 'DOWNLOD_DELAY' (did you mean DOWNLOAD_DELAY?)")


# -- the other commands -----------------------------------------------------------
def _catalog_with_one_event(data: Path) -> None:
    catalog = Catalog(data / "catalog.sqlite")
    catalog.add_event({"type": "new", "site": "demo", "url": "http://127.0.0.1:1/a.html",
                       "at": "2026-01-01T00:00:00Z", "run_id": "r1", "fields": [],
                       "diff": "", "title": "A"})
    catalog.close()


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["changes", "--since", "yesterday"], "--since: not an ISO 8601 date or time: 'yesterday'"),
        (["changes", "--site", "nope"], "unknown site 'nope' (known: demo,"),
        (["replay", "--port", "99999"], "--port 99999: a TCP port is 0 to 65535"),
        (["demo-portal", "--port", "99999"], "--port 99999: a TCP port is 0 to 65535"),
        (["export-wacz", "{tmp}"], "{tmp} is a folder; give the path of the .wacz file"),
        (["export-wacz", "/dev/full"], "/dev/full is not a regular file"),
        (["crawl", "demo", "--notify", "bogus://x/token"],
         "--notify bogus://x/…: not an apprise URL apprise understands"),
    ],
)
def test_mistakes_in_other_commands(tmp_path: Path, args: list[str], said: str) -> None:
    data = tmp_path / "data"
    _catalog_with_one_event(data)
    mode = os.stat("/dev/full").st_mode
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = run_cli(*args, "--data", str(data))
    assert result.returncode == 1
    assert said.replace("{tmp}", str(tmp_path)) in _one_error_line(result.stderr)
    assert "token" not in result.stderr  # apprise URLs carry secrets
    assert os.stat("/dev/full").st_mode == mode and stat.S_ISCHR(mode)  # never replaced
    assert not (data / "warc").exists()  # --notify is refused before the crawl


def test_changes_of_a_known_site_without_events_says_so(tmp_path: Path) -> None:
    _catalog_with_one_event(tmp_path)
    result = run_cli("changes", "--site", "quangninh", "--data", str(tmp_path))
    assert result.returncode == 0 and result.stdout == ""
    assert result.stderr.strip() == "portal-archive: no change events of site quangninh match"
    found = run_cli("changes", "--site", "demo", "--data", str(tmp_path))
    assert found.returncode == 0 and found.stderr == ""
    assert '"url": "http://127.0.0.1:1/a.html"' in found.stdout


@pytest.mark.parametrize("command", ["changes", "extract"])
def test_a_closed_pipe_ends_quietly_as_unix_tools_do(tmp_path: Path, command: str) -> None:
    # `portal-archive changes | head -1` with the reader already gone: deterministic.
    _catalog_with_one_event(tmp_path)
    args = (["changes", "--data", str(tmp_path)] if command == "changes"
            else ["extract", str(PAGES / "modern-figure.html")])
    proc = subprocess.Popen([*CLI, *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    proc.stdout.close()
    _, stderr = proc.communicate(timeout=60)
    assert stderr == ""
    assert proc.returncode == -signal.SIGPIPE


# -- crawls that end on one line -------------------------------------------------
def _full_disk() -> None:
    # As tests/e2e/test_crash.py: writes past 400 kB fail with EFBIG, like ENOSPC.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (400_000, 400_000))


def test_a_full_disk_is_one_line(tmp_path: Path) -> None:
    with DemoPortal(DemoSite(articles=60, faults=False)) as portal:
        args = [*CLI, "crawl", "demo", "--data", str(tmp_path)]
        for name, value in {**TEST_CRAWL_SETTINGS, "PORTAL_BASE_URL": portal.base_url}.items():
            args += ["-s", f"{name}={value}"]
        proc = subprocess.run(args, capture_output=True, text=True, timeout=120,
                              preexec_fn=_full_disk)
    assert proc.returncode == 1
    # The WARC, the catalog or an article's store meets the full disk first (timing).
    line = _one_error_line(proc.stderr)
    assert re.search(r"crawl of demo stopped: could not (write|store) ", line), line


def test_robots_txt_that_forbids_the_listing_is_named(tmp_path: Path) -> None:
    routes = {"/robots.txt": page(b"User-agent: *\nDisallow: /\n", content_type=b"text/plain"),
              "/tin-tuc": page("<a href='/a-1.html'>A</a>")}
    with HostileServer(routes) as server:
        result = run_cli("crawl", "--listing", server.url("/tin-tuc"), "--data", str(tmp_path))
        assert server.hits["/tin-tuc"] == 0
    assert result.returncode == 1
    line = _one_error_line(result.stderr)
    assert f"could not crawl generic: {server.url('/tin-tuc')}: Forbidden by robots.txt" in line


def _endless_redirects(handler: BaseHTTPRequestHandler) -> None:
    """/chain?id=N redirects to /chain?id=N+1: a loop the duplicate filter cannot see."""
    n = int(parse_qs(urlsplit(handler.path).query)["id"][0])
    respond(handler, 302, [(b"Location", b"/chain?id=%d" % (n + 1))])


def test_redirect_loops_off_site_redirects_and_long_urls_are_each_one_warning(
    tmp_path: Path,
) -> None:
    long_path = "/" + "x" * 300 + ".html"
    links = ["/loop-a.html", "/chain?id=0", "/away.html", long_path, "/ok-1.html"]
    listing = "".join(f"<p><a href='{u}'>Tin bài số một hai</a></p>" for u in links)
    routes = {
        "/tin-tuc": page(listing),
        "/loop-a.html": redirect(b"/loop-b.html"),
        "/loop-b.html": redirect(b"/loop-a.html"),
        "/chain": _endless_redirects,
        "/ok-1.html": page("<h1>Tin bài</h1><p>Nội dung của bài viết.</p>"),
    }
    with HostileServer(routes) as server:
        port = server.base_url.rsplit(":", 1)[1]
        server.routes["/away.html"] = redirect(f"http://localhost:{port}/x.html".encode())
        result = run_cli(
            "crawl", "--listing", server.url("/tin-tuc"), "--data", str(tmp_path),
            "-s", "REDIRECT_MAX_TIMES=3", "-s", "URLLENGTH_LIMIT=200", "-s", "DOWNLOAD_DELAY=0",
            "-s", "AUTOTHROTTLE_ENABLED=False")
        hits = dict(server.hits)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "WARNING" in line]
    base = server.base_url
    assert len(warnings) == 4, result.stderr
    assert any(f"redirect loop: article {base}/loop-a.html → {base}/loop-b.html → "
               f"{base}/loop-a.html" in line for line in warnings), warnings
    assert any(f"redirect loop: article {base}/chain?id=0 redirected 3 times (last to "
               f"{base}/chain?id=3), not followed" in line for line in warnings), warnings
    assert any(f"off-site redirect not followed: article {base}/away.html redirects to "
               f"http://localhost:{port}/x.html" in line for line in warnings), warnings
    assert any("over-long URL not followed (" in line and "URLLENGTH_LIMIT 200" in line
               and f"linked from {base}/tin-tuc" in line for line in warnings), warnings
    assert hits.get(long_path) is None and hits["/ok-1.html"] == 1


# -- a terminal ----------------------------------------------------------------
def _crawl_on_a_terminal(portal: DemoPortal, data: Path) -> str:
    return crawl_on_a_terminal(portal, data, "-v", interval=0.05)


def test_log_lines_never_collide_with_the_progress_line(portal: DemoPortal,
                                                          tmp_path: Path) -> None:
    text = _crawl_on_a_terminal(portal, tmp_path)
    # What the terminal shows: each line as left after its last "erase line".
    shown = [raw.rstrip("\r").rsplit("\r\x1b[K", 1)[-1] for raw in text.split("\n")]
    logs = [line for line in shown if re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \[", line)]
    progress = [line for line in shown if re.search(r"pages \d+ · articles \d+", line)]
    assert len(logs) > 5 and progress, text[-2000:]
    for line in progress:  # the progress line alone, no log line glued to either end
        assert re.fullmatch(r"pages \d+ · articles \d+ · [\d.]+ [KMG]?B archived · errors \d+",
                            line), line
    # ...and the progress line comes back below a log line, not only at the next tick.
    assert re.search(r"\[[\w.]+\] \w+: [^\n]*\n\r?pages \d+ · ", text), text[-2000:]


@pytest.mark.parametrize("command", [["sites"], ["extract", str(PAGES / "k2-joomla.html")]])
def test_output_to_a_full_disk_is_one_line(command: list[str]) -> None:
    with open("/dev/full", "w") as full:
        proc = subprocess.run([*CLI, *command], stdout=full, stderr=subprocess.PIPE,
                              text=True, stdin=subprocess.DEVNULL, timeout=60)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        "portal-archive: error: could not write: No space left on device"]
