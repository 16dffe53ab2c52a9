"""Progress on a terminal (the run record is the crawl session's: crawler/session.py)."""

from __future__ import annotations

import logging
import sys
from typing import TextIO

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

# Carriage return, then erase to the end of the line (ANSI "EL"): the line is redrawn.
CLEAR_LINE = "\r\x1b[K"


class TerminalProgress:
    """One self-overwriting status line on stderr, only when stderr is a terminal."""

    def __init__(self, crawler: Crawler, stream: TextIO, interval: float) -> None:
        self.stats = crawler.stats
        self.stream = stream
        self.interval = interval
        self.task: task.LoopingCall | None = None
        self.line = ""  # what is drawn now, to draw again below a log line
        self.handlers: list[logging.StreamHandler[TextIO]] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> TerminalProgress:
        settings = crawler.settings
        if not settings.getbool("PROGRESS_ENABLED") or not sys.stderr.isatty():
            raise NotConfigured
        ext = cls(crawler, sys.stderr, settings.getfloat("PROGRESS_INTERVAL"))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        # Scrapy's log handler writes to the same terminal: route it through the line.
        for handler in logging.getLogger().handlers:
            if isinstance(handler, logging.StreamHandler) and handler.stream is self.stream:
                handler.setStream(_BelowProgress(self))
                self.handlers.append(handler)
        self.task = task.LoopingCall(self.draw)
        self.task.start(self.interval, now=False)

    def spider_closed(self, spider: Spider) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
        self.draw()
        self.stream.write("\n")
        self.stream.flush()
        self.line = ""
        for handler in self.handlers:
            handler.setStream(self.stream)

    def draw(self) -> None:
        get = self.stats.get_value
        line = (
            f"pages {get('response_received_count', 0)}"
            f" · articles {get('item_scraped_count', 0)}"
            f" · {_size(get('warc/bytes', 0))} archived"
            f" · errors {get('portal/errors', 0)}"
        )
        self.line = line
        self.stream.write(CLEAR_LINE + line)
        self.stream.flush()


class _BelowProgress:
    """The log handler's stream while a progress line is drawn: a log line first clears
    the progress line (else it would be appended to it), which is drawn again below."""

    def __init__(self, progress: TerminalProgress) -> None:
        self.progress = progress
        self.stream = progress.stream

    def write(self, text: str) -> int:
        drawn = self.progress.line
        self.stream.write((CLEAR_LINE if drawn else "") + text)
        if drawn and text.endswith("\n"):
            self.stream.write(drawn)
        return len(text)

    def flush(self) -> None:
        self.stream.flush()


def _size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"
