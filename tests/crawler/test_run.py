"""crawler/run.py's site_lock: the one place a crawl takes its site's lock, once."""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path

import pytest

from portal_archive.archive.errors import PortalArchiveError
from portal_archive.archive.lock import holds, lock_path
from portal_archive.crawler.run import site_lock


def test_an_inner_site_lock_takes_nothing_and_the_outer_one_releases(tmp_path: Path) -> None:
    with site_lock(tmp_path, "demo"):
        assert holds(tmp_path, "demo")
        with site_lock(tmp_path, "demo"):  # run_crawl inside the worker's hold
            assert holds(tmp_path, "demo")
        assert holds(tmp_path, "demo")  # the inner exit did not let it go
    assert not holds(tmp_path, "demo")


def _held_by_another_process(data: Path, site: str) -> int:
    """An flock on the site's lock file through a descriptor of our own: to flock, a
    holder other than this process's archive.lock."""
    path = lock_path(data, site)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return fd


def test_a_busy_site_fails_at_once_or_is_waited_for(tmp_path: Path) -> None:
    other = _held_by_another_process(tmp_path, "demo")
    with pytest.raises(PortalArchiveError, match="another crawl or repair of site 'demo'"):
        with site_lock(tmp_path, "demo"):
            pass
    said: list[str] = []

    def on_busy(busy: PortalArchiveError) -> None:
        said.append(str(busy))
        threading.Timer(0.2, os.close, (other,)).start()  # the other crawl ends

    with site_lock(tmp_path, "demo", on_busy=on_busy):
        assert holds(tmp_path, "demo")
    assert len(said) == 1 and "another crawl or repair of site 'demo'" in said[0]
    assert not holds(tmp_path, "demo")
