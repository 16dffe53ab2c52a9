"""Replacing a file atomically: a reader sees the old file or the new one, never half.

Written to a temporary file in the same folder, fsynced, given the permissions a plain
``open()`` would have given it (mkstemp's 0600 would hide the file from pywb or a
reader running as another user), then renamed over the target.

A caller writing many small files (the article JSON) may leave the fsync out
(``sync=False``) and make a whole batch durable with `sync_files` before it records
them anywhere: one fsync per file costs 0.5 ms on ext4 (4 ms while other processes
write), one syncfs(2) for 100 files 10 ms (30-130 ms), whatever else is waiting.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import tempfile
from collections.abc import Iterable


def _file_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


FILE_MODE = _file_mode()


def write_text_atomic(path: str | os.PathLike[str], chunks: Iterable[str], *,
                      sync: bool = True) -> None:
    # Plain strings, not pathlib: pathlib interns every path component it parses, and a
    # crawl writes a file under a new name per article, which would grow that table.
    path = os.fspath(path)
    folder = os.path.dirname(path) or "."
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.writelines(chunks)
            out.flush()
            if sync:
                os.fsync(out.fileno())
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _libc_syncfs() -> ctypes._NamedFuncPointer | None:
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name, use_errno=True).syncfs if name else None
    except (OSError, AttributeError):  # not Linux (or no glibc): no syncfs(2)
        return None


_SYNCFS = _libc_syncfs()


# From this many files on, one sync of the whole file system costs less than a sync of
# each (measured on ext4, quiet and under other processes' writes). Below, a sync of
# the file system would wait for every other writer's data for a handful of files.
SYNC_FILESYSTEM_FROM = 16


def sync_files(paths: list[str], folder: str | os.PathLike[str]) -> None:
    """Make ``paths`` (files written with ``sync=False``, in the file system holding
    ``folder``) durable: one fsync each for a few, one `sync_filesystem` for many."""
    if len(paths) >= SYNC_FILESYSTEM_FROM:
        sync_filesystem(folder)
        return
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def sync_filesystem(path: str | os.PathLike[str]) -> None:
    """Make every write to the file system holding ``path`` durable, file contents and
    renames alike: Linux's syncfs(2), one call for a whole batch of files (os.sync()
    where there is no syncfs)."""
    if _SYNCFS is None:
        os.sync()
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        if _SYNCFS(fd) != 0:
            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err), os.fspath(path))
    finally:
        os.close(fd)
