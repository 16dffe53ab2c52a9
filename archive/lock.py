"""One crawl (or repair) of a site at a time in a data folder.

An ``flock`` on ``<data>/locks/<site>.lock``: the kernel drops it when the holder dies,
so a kill -9 never leaves a stale lock. Re-entrant within a process, because the CLI
takes it before Scrapy starts; the crawl's session (crawler/session.py) takes it only
for ``scrapy crawl``, which has no CLI in front of it (see ``holds``).
"""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path

from portal_archive.archive.errors import PortalArchiveError

_held: dict[Path, tuple[int, int]] = {}  # lock file -> (fd, holders in this process)
_guard = threading.Lock()


def lock_path(data_root: Path, site: str) -> Path:
    return Path(data_root) / "locks" / f"{site}.lock"


def acquire(data_root: Path, site: str, busy: str = "") -> None:
    """Take the lock named ``site``, or fail with ``busy`` (a one-line message)."""
    path = lock_path(data_root, site).resolve()
    with _guard:
        if path in _held:
            fd, count = _held[path]
            _held[path] = (fd, count + 1)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise PortalArchiveError(
                busy or f"another crawl or repair of site {site!r} is running in {data_root}"
            ) from None
        _held[path] = (fd, 1)


def holds(data_root: Path, site: str) -> bool:
    """Whether this process holds the lock named ``site``."""
    path = lock_path(data_root, site).resolve()
    with _guard:
        return path in _held


def busy(data_root: Path, site: str) -> bool:
    """Whether another process holds the lock named ``site`` now (a crawl under way).
    A look, not a claim: the lock is free again when this returns."""
    path = lock_path(data_root, site)
    if holds(data_root, site) or not path.exists():
        return False
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # an flock belongs to its descriptor: this one's goes, no other's
    return False


def release(data_root: Path, site: str) -> None:
    path = lock_path(data_root, site).resolve()
    with _guard:
        if path not in _held:
            return
        fd, count = _held[path]
        if count > 1:
            _held[path] = (fd, count - 1)
            return
        del _held[path]
        os.close(fd)  # closing the descriptor releases the flock
