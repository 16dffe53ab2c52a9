"""A write-behind batch is stored whole: when full, when its time is up, when flushed."""

from __future__ import annotations

from twisted.internet.task import Clock

from portal_archive.crawler.writebehind import WriteBehind


def _batch(size: int, seconds: float) -> tuple[WriteBehind[int], list[list[int]], Clock]:
    stored: list[list[int]] = []
    clock = Clock()
    return WriteBehind(stored.append, size, seconds, clock=clock), stored, clock


def test_a_full_batch_is_stored_at_once_in_order() -> None:
    batch, stored, _ = _batch(3, 0)
    for n in range(7):
        batch.add(n)
    assert stored == [[0, 1, 2], [3, 4, 5]]
    batch.flush()
    assert stored == [[0, 1, 2], [3, 4, 5], [6]]
    batch.flush()  # nothing waits: nothing stored
    assert len(stored) == 3


def test_a_batch_waits_no_longer_than_its_seconds() -> None:
    batch, stored, clock = _batch(100, 1.0)
    batch.add(1)
    clock.advance(0.6)
    batch.add(2)  # the time counts from the first
    assert stored == []
    clock.advance(0.5)
    assert stored == [[1, 2]]
    batch.add(3)  # a new batch, a new timer
    clock.advance(1.0)
    assert stored == [[1, 2], [3]]


def test_a_flushed_or_full_batch_leaves_no_timer_behind() -> None:
    batch, stored, clock = _batch(2, 1.0)
    batch.add(1)
    batch.add(2)  # full: stored, its timer cancelled
    batch.add(3)
    batch.flush()
    assert clock.getDelayedCalls() == []
    clock.advance(5)
    assert stored == [[1, 2], [3]]


def test_size_one_stores_each_at_once() -> None:
    batch, stored, clock = _batch(0, 1.0)
    batch.add(1)
    assert stored == [[1]] and clock.getDelayedCalls() == []
