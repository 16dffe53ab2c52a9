"""The scheduler for real: `portal-archive schedule run` in a subprocess, crawling a small
demo portal over HTTP, each crawl in its own process."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from portal_archive.crawler.demo.content import DemoSite
from portal_archive.crawler.demo.portal import DemoPortal
from portal_archive.schedules import runlog

from ..conftest import CLI, TEST_CRAWL_SETTINGS

T = TypeVar("T")


@pytest.fixture(scope="module")
def small_portal() -> Iterator[DemoPortal]:
    """Six articles, no faults: a crawl takes about a second."""
    with DemoPortal(DemoSite(articles=6, faults=False)) as served:
        yield served


def job_toml(name: str, portal: DemoPortal, *, cron: str = "* * * * *",
             seconds: str | None = "*", sites: str = '["demo"]') -> str:
    settings = {**TEST_CRAWL_SETTINGS, "PORTAL_BASE_URL": portal.base_url,
                "PORTAL_REQUISITES": "False"}
    lines = [f"[job.{name}]", f"sites = {sites}", f'cron = "{cron}"']
    if seconds is not None:
        lines.append(f'seconds = "{seconds}"')
    lines.append(f"[job.{name}.settings]")
    lines += [f'{key} = "{value}"' for key, value in settings.items()]
    return "\n".join(lines) + "\n"


class Scheduler:
    """`portal-archive schedule run` in the background; its log lines in a file."""

    def __init__(self, folder: Path, data: Path, log: Path) -> None:
        self.log = log
        self.out = open(log, "ab")  # noqa: SIM115 - closed in stop()
        self.started = time.time()
        self.process = subprocess.Popen(
            [*CLI, "schedule", "run", "--schedules", str(folder),
             "--data", str(data), "--poll", "0.3", "--grace", "20"],
            stdin=subprocess.DEVNULL, stdout=self.out, stderr=self.out,
        )

    def text(self) -> str:
        return self.log.read_text("utf-8", errors="replace")

    def wait_for(self, fragment: str, timeout: float = 20) -> str:
        return wait_until(lambda: next(
            (line for line in self.text().splitlines() if fragment in line), None
        ), timeout, f"{fragment!r} in the scheduler's log:\n{self.text()}")

    def terminate(self, timeout: float = 30) -> int:
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        finally:
            self.out.close()

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.out.close()

    def cleanup(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.out.close()


def wait_until(probe: Callable[[], T | None], timeout: float, what: str) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def finished_runs(data: Path, job: str | None = None) -> list[runlog.Run]:
    return [run for run in runlog.runs(data, job) if run.ended is not None]
