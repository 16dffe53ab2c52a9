"""The command line's promises: one clear line and exit 1 for user errors, 2 for bad usage."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest

from ..conftest import run_cli


def _one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def test_unknown_site(tmp_path: Path) -> None:
    result = run_cli("crawl", "nosuch", "--data", str(tmp_path))
    assert result.returncode == 1
    assert "unknown site 'nosuch'" in _one_error_line(result.stderr)
    assert "demo" in result.stderr  # says which sites exist


def test_bad_usage_exits_2(tmp_path: Path) -> None:
    assert run_cli("crawl", "--no-such-flag").returncode == 2
    assert run_cli("frobnicate").returncode == 2


def test_unreachable_listing(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port that nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = run_cli(
        "crawl", "--listing", f"http://127.0.0.1:{port}/chuyen-muc/x", "--data", str(tmp_path),
        "-s", "RETRY_TIMES=0", "-s", "ROBOTSTXT_OBEY=False",
    )
    assert result.returncode == 1
    # The crawl logs each failed fetch in one line; the command ends on one that says why.
    assert "Traceback" not in result.stderr
    assert not any(line.startswith((" ", "\t")) for line in result.stderr.splitlines())
    line = result.stderr.splitlines()[-1]
    assert line.startswith("portal-archive: error: ")
    assert "could not crawl generic" in line and f"127.0.0.1:{port}" in line


def test_not_a_url(tmp_path: Path) -> None:
    result = run_cli("crawl", "--listing", "ftp://x/y", "--data", str(tmp_path))
    assert result.returncode == 1
    assert "not an http(s) URL" in _one_error_line(result.stderr)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_data_folder_as_user(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    result = run_cli("crawl", "demo", "--data", str(locked / "data"))
    assert result.returncode == 1
    assert "not writable" in _one_error_line(result.stderr)


def test_data_folder_that_is_a_file(tmp_path: Path) -> None:
    # Works as root too: no permission bit stops root, but a file is not a folder.
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run_cli("crawl", "demo", "--data", str(blocker / "data"))
    assert result.returncode == 1
    assert "is not writable" in _one_error_line(result.stderr)


def test_sites_lists_the_demo() -> None:
    result = run_cli("sites")
    assert result.returncode == 0
    assert result.stdout.startswith("demo\t")


def test_extract_a_missing_file() -> None:
    result = run_cli("extract", "/nonexistent/page.html")
    assert result.returncode == 1
    assert "cannot read /nonexistent/page.html" in _one_error_line(result.stderr)


def test_a_setting_of_the_wrong_type(tmp_path: Path) -> None:
    result = run_cli("crawl", "demo", "--data", str(tmp_path), "-s", "WARC_MAX_SIZE=abc")
    assert result.returncode == 1
    assert "setting WARC_MAX_SIZE='abc' is not a valid int" in _one_error_line(result.stderr)


def test_one_crawl_of_a_site_at_a_time(tmp_path: Path) -> None:
    from portal_archive.archive.lock import acquire, release

    acquire(tmp_path, "demo")  # as a running crawl of demo would hold it
    try:
        result = run_cli("crawl", "demo", "--data", str(tmp_path))
    finally:
        release(tmp_path, "demo")
    assert result.returncode == 1
    assert "another crawl or repair of site 'demo' is running" in _one_error_line(result.stderr)


PAGES = Path(__file__).parent / "fixtures" / "pages"


def test_extract_with_a_site_profile_and_explain() -> None:
    page = PAGES / "hue-dang-uy-so-ket.html"
    url = "https://snnptnt.thuathienhue.gov.vn/?gd=1&cn=131&tc=22380"
    result = run_cli("extract", str(page), "--url", url, "--site", "hue-snnptnt", "--explain")
    assert result.returncode == 0, result.stderr
    article = json.loads(result.stdout)
    assert article["site"] == "hue-snnptnt" and article["url"] == url
    assert article["title"].startswith("Đảng ủy Sở tổ chức Hội nghị sơ kết")
    assert article["published"] == "2025-06-27T16:22:00+07:00"
    explained = dict(line.split(": ", 1) for line in result.stderr.splitlines())
    assert explained["title"] == "profile selector div.ChiTietTin .TieuDeTin"
    assert explained["images[0].caption"] == "centred italic line after the image"
    assert explained["authors"] == "closing line, right-aligned"
    assert article["source"] is None and explained["source"] == "not found"
    assert list(explained)[-2:] == ["authors", "source"]


def test_extract_without_explain_is_quiet_and_generic() -> None:
    result = run_cli("extract", str(PAGES / "modern-figure.html"))
    assert result.returncode == 0 and result.stderr == ""
    assert json.loads(result.stdout)["site"] == "generic"


def test_extract_with_an_unknown_site() -> None:
    result = run_cli("extract", str(PAGES / "modern-figure.html"), "--site", "nosuch")
    assert result.returncode == 1
    assert "unknown site 'nosuch'" in _one_error_line(result.stderr)


def test_an_unreachable_robots_txt_is_not_an_error_line_of_its_own(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = run_cli("crawl", "--listing", f"http://127.0.0.1:{port}/l/", "--data",
                     str(tmp_path), "-s", "RETRY_TIMES=0")
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert not [line for line in lines if "robotstxt" in line], lines
    assert len(lines) == 2 and "listing failed" in lines[0], lines
