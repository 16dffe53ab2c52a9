"""bench/search.py end to end at a small size: it builds its synthetic catalog through
the indexing code, every query of its mix runs, and it prints both figures. How fast is
the bench's business, never asserted here."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.bench.test_run import figures_module

SEARCH = Path(__file__).resolve().parents[2] / "bench" / "search.py"


def test_a_small_search_bench_builds_its_catalog_and_prints_its_figures(
        tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(SEARCH), "--figures", "--articles", "5000", "--queries", "200",
         "--baseline", "4", "--cache", str(tmp_path)],
        capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    figures = dict(figures_module().parse(done.stdout))
    assert float(figures["search_p95_ms_5k"].split()[0]) > 0
    assert "p95 of 200 queries" in figures["search_p95_ms_5k"]
    assert float(figures["search_vs_like_scan_5k"].split()[0]) > 0
    with sqlite3.connect(tmp_path / "search-5000.sqlite") as db:
        (indexed,) = db.execute("SELECT count(*) FROM search_docs").fetchone()
        (found,) = db.execute("SELECT count(*) FROM search_fts WHERE search_fts MATCH"
                              " 'uy AND ban'").fetchone()
    db.close()
    assert indexed == 5000 and 0 < found < 5000
