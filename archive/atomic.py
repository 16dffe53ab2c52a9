"""Replacing a file atomically: a reader sees the old file or the new one, never half.

Written to a temporary file in the same folder, fsynced, given the permissions a plain
``open()`` would have given it (mkstemp's 0600 would hide the file from pywb or a
reader running as another user), then renamed over the target.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable


def _file_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


FILE_MODE = _file_mode()


def write_text_atomic(path: str | os.PathLike[str], chunks: Iterable[str]) -> None:
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
            os.fsync(out.fileno())
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
