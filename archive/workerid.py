"""This worker's id: in every WARC file's name (archive/warcfile.py) and in leases.

``PORTAL_WORKER_ID`` when set, else ``<hostname>-<pid>``: two processes never share one,
even on one machine, so two writers of one series never pick the same file name, even
in the same second.
"""

from __future__ import annotations

import os
import re
import socket

ENV_VAR = "PORTAL_WORKER_ID"
MAX_LENGTH = 64  # a WARC name stays far below a file system's 255 bytes
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def sanitise(worker: str) -> str:
    """``worker`` as a file name part: runs of other characters become one ``_``.

    >>> sanitise("crawl box/1 (Hà Nội)")
    'crawl_box_1_H_N_i_'
    >>> sanitise("..")
    '_'
    """
    safe = _UNSAFE.sub("_", worker)[:MAX_LENGTH]
    # Only dots would be no name of its own ("." and ".." are folders).
    return "_" if safe.strip(".") == "" and safe else safe


def worker_id(configured: str = "") -> str:
    """``configured`` (a setting), else ``$PORTAL_WORKER_ID``, else ``<hostname>-<pid>``;
    sanitised."""
    chosen = configured or os.environ.get(ENV_VAR) or f"{socket.gethostname()}-{os.getpid()}"
    return sanitise(chosen) or sanitise(f"{socket.gethostname()}-{os.getpid()}")
