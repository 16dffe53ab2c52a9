"""bench/run.py end to end: it relays a real bench script's figure lines, and says
`unavailable` with the reason for a script that is missing, fails or leaves a figure out.

Only the fastest script (warc_write, ~3 s) is run for real; the timings themselves are
the bench's business, never asserted here.
"""

from __future__ import annotations

import doctest
import importlib.util
import math
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parents[2] / "bench"


def run_bench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(BENCH / "run.py"), *args],
                          capture_output=True, text=True, timeout=120)


def figures_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_figures", BENCH / "figures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_figure_format_doctests() -> None:
    assert doctest.testmod(figures_module()).failed == 0


def test_run_relays_a_real_scripts_figure_and_the_machine() -> None:
    done = run_bench("--quick", "--only", "warc_write")
    assert done.returncode == 0, done.stdout + done.stderr
    figures = dict(figures_module().parse(done.stdout))
    assert list(figures) == ["warc_write_vs_warcio"]
    ratio = float(figures["warc_write_vs_warcio"].split()[0])
    assert math.isfinite(ratio) and ratio > 0
    assert "1000 captures" in figures["warc_write_vs_warcio"]
    header = [t for t in done.stdout.splitlines() if t.startswith("# ")]
    assert any("scrapy " in t and "warcio " in t and "pywb " in t for t in header)
    assert any(t.startswith("# machine: ") and "RAM" in t for t in header)


def test_missing_failing_and_silent_scripts_are_unavailable(tmp_path: Path) -> None:
    # A copy of the bench folder where one script fails, one prints only part of its
    # figures and the rest are missing.
    shutil.copy(BENCH / "figures.py", tmp_path)
    (tmp_path / "warc_write.py").write_text(
        "import sys\nprint('half-way', flush=True)\n"
        "sys.exit('the disk is full\\n')\n")
    (tmp_path / "crawl_memory.py").write_text(
        "print('peak_rss_mb_100: 97.1 MB')\n")
    done = run_bench("--quick", "--scripts", str(tmp_path),
                     "--only", "warc_write", "--only", "crawl_memory", "--only", "night")
    assert done.returncode == 1
    figures = dict(figures_module().parse(done.stdout))
    assert figures == {
        "peak_rss_mb_100": "97.1 MB",
        "peak_rss_ratio": "unavailable (bench/crawl_memory.py did not print it)",
        "warc_write_vs_warcio": "unavailable (bench/warc_write.py exit 1: the disk is full)",
        "night_of_the_new_map": "unavailable (no bench/night.py)",
    }


def test_a_script_past_its_timeout_is_stopped(tmp_path: Path) -> None:
    (tmp_path / "figures.py").write_text((BENCH / "figures.py").read_text())
    (tmp_path / "warc_write.py").write_text("import time\ntime.sleep(60)\n")
    done = run_bench("--scripts", str(tmp_path), "--only", "warc_write", "--timeout", "1")
    assert done.returncode == 1
    assert "warc_write_vs_warcio: unavailable (bench/warc_write.py timed out)" in done.stdout
