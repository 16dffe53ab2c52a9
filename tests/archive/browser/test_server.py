"""``portal-archive serve`` in a subprocess: the browser and pywb on two ports of
127.0.0.1, both stopped by SIGTERM (exit 0); a busy port, an empty data folder or a
broken catalog is one line and exit 1. And the browser over a PostgreSQL catalog."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from portal_archive.archive.catalog import open_catalog
from portal_archive.archive.datadir import DataDir
from portal_archive.archive.replay import check_port

from ...conftest import CLI, crawl_demo, run_cli
from .conftest import Archive, get, serving


def _two_free_ports() -> int:
    """A port N with N + 1 free too."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        try:
            check_port(port)
            check_port(port + 1)
        except Exception:
            continue
        return port
    raise AssertionError("no two free ports in a row")


def _wait_for_banner(proc: subprocess.Popen[str], timeout: float = 90) -> list[str]:
    assert proc.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and len(lines) < 3:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip("\n"))
    return lines


def test_serve_runs_both_servers_until_sigterm(archive: Archive, tmp_path: Path) -> None:
    port = _two_free_ports()
    proc = subprocess.Popen([*CLI, "serve", "--data", str(archive.data), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            stdin=subprocess.DEVNULL)
    try:
        banner = _wait_for_banner(proc)
        base, replay = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port + 1}"
        assert banner and f"{base}/" in banner[0], banner
        assert any(replay in line for line in banner), banner
        assert get(base + "/").status == 200
        # The mounted replay: a redirect to pywb, which replays the archived page.
        url = archive.url(1)
        moved = get(f"{base}/replay/all/20300101000000/{url}")
        assert moved.status == 302
        assert moved.headers["Location"] == f"{replay}/all/20300101000000/{url}"
        assert get(moved.headers["Location"]).status == 200
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    check_port(port)  # both free again: pywb stopped with its parent
    check_port(port + 1)


def test_a_busy_port_is_one_line(archive: Archive) -> None:
    port = _two_free_ports()
    for busy, option in ((port, "--port"), (port + 1, "--replay-port")):
        with socket.socket() as holder:
            holder.bind(("127.0.0.1", busy))
            holder.listen()
            result = run_cli("serve", "--data", str(archive.data), "--port", str(port))
        assert result.returncode == 1
        assert result.stderr.strip().splitlines() == [
            f"portal-archive: error: port {busy} on 127.0.0.1 is in use;"
            f" choose another with {option}"]


def test_nothing_archived_is_one_line(tmp_path: Path) -> None:
    result = run_cli("serve", "--data", str(tmp_path), "--port", str(_two_free_ports()))
    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert "nothing archived yet" in line and "portal-archive crawl" in line


def test_a_broken_catalog_is_one_line(archive: Archive, tmp_path: Path) -> None:
    data = archive.copy(tmp_path)
    (data / "catalog.sqlite").write_bytes(b"not a database at all" * 500)
    result = run_cli("serve", "--data", str(data), "--port", str(_two_free_ports()))
    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert "catalog" in line and "rebuild-catalog" in line, line


def test_the_browser_reads_a_postgresql_catalog(archive: Archive, tmp_path: Path,
                                                postgres_url: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    crawled = crawl_demo(archive.portal, data, env={"PORTAL_CATALOG_URL": postgres_url})
    assert crawled.returncode == 0, crawled.stderr[-2000:]
    assert not (data / "catalog.sqlite").exists()
    monkeypatch.setenv("PORTAL_CATALOG_URL", postgres_url)
    catalog = open_catalog(DataDir(data))
    try:
        articles = len(catalog.articles("demo"))
        events = len(catalog.events())
    finally:
        catalog.close()
    titles = [json.loads(p.read_text("utf-8"))["title"]
              for p in (data / "json" / "demo").glob("*/*.json")]
    with serving(data) as base:
        (row,) = get(base + "/").tree.cssselect('tr.site[data-site="demo"]')
        assert row.cssselect("td.articles")[0].text.strip() == str(articles)
        assert row.cssselect("span.status")[0].get("data-status") == "ok"
        month = get(base + "/site/demo").tree.cssselect("nav#months a[data-month]")
        assert month
        found = get(base + "/search?q=" + quote(titles[0])).tree
        assert titles[0] in [a.text_content() for a in found.cssselect("a.result-title")]
        assert len(get(base + "/events").tree.cssselect("tr.event")) == events
    assert os.environ["PORTAL_CATALOG_URL"] == postgres_url
