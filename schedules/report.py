"""How a crawl process's failure reaches the scheduler's log, even when its own log can't.

A crawl writes its output to ``<data>/logs/<stamp>-<job>-<target>.log``, on the data disk.
When that disk is full the log stays empty and the scheduler would only know "exit
status 1". So the worker also copies its stderr into a pipe from the scheduler
(:class:`StderrCopy`), and the scheduler keeps the first line that says what went wrong
(:class:`FailureWatch`) to put in its own one line about the failed run.

The copy never holds the crawl up nor fails it: the pipe is non-blocking and a write it
refuses (scheduler busy, or killed: the crawl goes on without it) is dropped.
"""

from __future__ import annotations

import os
import re
import threading
from typing import Any, TextIO

# "portal-archive: error: ...", Scrapy's "[scrapy.core.scraper] ERROR: ...", "OSError: ...".
_FAILURE = re.compile(r"\berror\b|\bCRITICAL\b|Error: ", re.IGNORECASE)
_TRACEBACK = "Traceback (most recent call last):"
_MAX_LINE = 500  # one line in the scheduler's log, not a page of HTML
_MAX_FAILURES = 10_000  # failure lines kept per process: one per site, many sites


class StderrCopy:
    """``sys.stderr`` for the worker: writes go to the real stderr and to ``fd``; an error
    on either (ENOSPC on the log file, EPIPE on the pipe) is swallowed, not raised into
    Scrapy's logging, which would print it to the same failing stream."""

    def __init__(self, stderr: TextIO, fd: int) -> None:
        self._stderr = stderr
        self._fd: int | None = fd
        os.set_blocking(fd, False)

    def write(self, text: str) -> int:
        try:
            self._stderr.write(text)
            self._stderr.flush()
        except (OSError, ValueError):
            pass
        if self._fd is not None and text:
            try:
                os.write(self._fd, text.encode("utf-8", "replace"))
            except BlockingIOError:
                pass  # the scheduler is not reading fast enough: this line is lost to it
            except OSError:
                self._fd = None  # the scheduler is gone
        return len(text)

    def flush(self) -> None:
        try:
            self._stderr.flush()
        except (OSError, ValueError):
            pass

    def __getattr__(self, name: str) -> Any:  # fileno, isatty, encoding ...
        return getattr(self._stderr, name)


class FailureWatch:
    """Reads one crawl process's pipe in a thread; :meth:`line` is its first failure line
    (naming a given site, when the process crawled several), else its last line."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._first: str | None = None
        self._failures: list[str] = []  # the first few: one per failed site, at most
        self._last: str | None = None
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        in_traceback = False
        with open(self._fd, "rb") as pipe:
            for raw in pipe:
                line = raw.decode("utf-8", "replace").rstrip()
                text = line.strip()
                if text and self._first is not None and _FAILURE.search(text) \
                        and len(self._failures) < _MAX_FAILURES:
                    self._failures.append(text)
                if not text or self._first is not None:
                    self._last = text or self._last
                    continue
                self._last = text
                if text == _TRACEBACK:
                    in_traceback = True  # its last unindented line says what happened
                elif in_traceback:
                    if not line[0].isspace():
                        self._first = text
                elif _FAILURE.search(text):
                    self._first = text
                if self._first is not None:
                    self._failures.append(self._first)

    def line(self, about: str = "", timeout: float = 5.0) -> str:
        """Once the process has ended: what went wrong (with ``about``, the first failure
        line naming it, if any), in one line."""
        self._thread.join(timeout)
        named = [text for text in self._failures if about and about in text]
        text = (named or [self._first or self._last or "(it printed nothing)"])[0]
        return text if len(text) <= _MAX_LINE else text[:_MAX_LINE] + "…"
