"""bench/workers.py end to end at CI size (--quick): the simulated night through the queue
on 1, 2 and 3 real worker processes and a real PostgreSQL. The script itself refuses to
give figures unless every article reached shared storage and politeness held across the
workers; how fast is the bench's business, never asserted here."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest

from tests.bench.test_run import figures_module

WORKERS = Path(__file__).resolve().parents[2] / "bench" / "workers.py"


@pytest.mark.distributed
def test_a_quick_night_on_one_two_and_three_workers_gives_its_figures(
        postgres_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The session's PostgreSQL, not a second throwaway cluster.
    monkeypatch.setenv("PORTAL_TEST_POSTGRES", postgres_server)
    done = subprocess.run([sys.executable, str(WORKERS), "--figures", "--quick",
                           "--keep", str(tmp_path)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    figures = dict(figures_module().parse(done.stdout))
    assert list(figures) == ["workers_wall_1", "workers_speedup_2", "workers_speedup_3"]
    for value in figures.values():
        number = float(value.split()[0])
        assert math.isfinite(number) and number > 0
    assert "6 portals x 2 articles" in figures["workers_wall_1"]
    # Each night on its own machines: local folders and ids of their own.
    for workers in (1, 2, 3):
        machines = sorted(p.name for p in (tmp_path / f"{workers}-workers").glob("machine-*")
                          if p.is_dir())
        assert machines == [f"machine-{k}" for k in range(1, workers + 1)]
