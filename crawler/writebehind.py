"""Things to store, stored together: once ``size`` have gathered, ``seconds`` after the
first of them, or when flushed (at the end of the crawl).

Storing is one synchronous call with the whole batch, so whatever it opens (a catalog
transaction) it also closes before the reactor turns: another crawl in the process,
with its own connection to the same catalog, is never kept waiting for our lock.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class WriteBehind(Generic[T]):
    """``clock``: what has twisted's ``callLater`` (the reactor, or a test's
    ``twisted.internet.task.Clock``)."""

    def __init__(self, store: Callable[[list[T]], None], size: int, seconds: float,
                 clock: Any = None) -> None:
        self.store = store
        self.size = max(1, size)
        self.seconds = seconds
        self.clock = clock
        self.items: list[T] = []
        self._timer: Any = None  # twisted's IDelayedCall, while a batch waits

    def add(self, item: T) -> None:
        self.items.append(item)
        if len(self.items) >= self.size:
            self.flush()
        elif self._timer is None and self.seconds > 0:
            if self.clock is None:
                from twisted.internet import reactor  # the one Scrapy installed

                self.clock = reactor
            self._timer = self.clock.callLater(self.seconds, self._due)

    def _due(self) -> None:
        self._timer = None
        self.flush()

    def flush(self) -> None:
        self.close()
        items, self.items = self.items, []
        if items:
            self.store(items)

    def close(self) -> None:
        """Cancel the pending timer (what waits stays until the next flush)."""
        if self._timer is not None and self._timer.active():
            self._timer.cancel()
        self._timer = None
