"""The tests' Chromium is real, stays on loopback, and is never silently missing under CI."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import browser as harness
from tests.hostile import HostileServer, page

# A name that never resolves: the request is aborted in the browser before any lookup.
ELSEWHERE = "http://portal-archive.invalid/pixel.png"


def test_a_page_reaches_loopback_and_nothing_else() -> None:
    html = f'<!DOCTYPE html><title>t</title><p id="p">Huyện uỷ</p><img src="{ELSEWHERE}">'
    with HostileServer({"/": page(html)}) as server, harness.chromium() as driven:
        tab = driven.page()
        tab.goto(server.url("/"))
        assert tab.locator("#p").inner_text() == "Huyện uỷ"
        assert tab.evaluate("() => navigator.userAgent").find("HeadlessChrome") >= 0
        assert server.hits["/"] == 1
        assert driven.guard.attempted == [ELSEWHERE]
        with pytest.raises(AssertionError, match="beyond 127.0.0.1"):
            driven.close()
        driven.guard.attempted.clear()  # said once: the block's own close is clean


def test_a_missing_chromium_fails_under_ci_and_skips_elsewhere(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(harness, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="Chromium is needed under CI"):
        harness.require_chromium()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="no-chromium"):
        harness.require_chromium()
