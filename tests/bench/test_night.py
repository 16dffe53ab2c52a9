"""bench/night.py end to end at its smallest: two portals of tests/portals.py, one
scheduled job run by `schedule run-now`, the bare spider beside it. The figures must
say that every article was archived, robots.txt obeyed, and both runs measured; how fast
is the bench's business, never asserted here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.bench.test_run import figures_module

NIGHT = Path(__file__).resolve().parents[2] / "bench" / "night.py"


def test_a_small_night_archives_every_article_and_measures_both_runs(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(NIGHT), "--figures", "--count", "2", "--articles", "3",
         "--delay", "0", "--keep", str(tmp_path)],
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    figures = dict(figures_module().parse(done.stdout))
    number = {name: float(value.split()[0]) for name, value in figures.items()}
    assert number["night_articles_archived"] == 6
    assert "of 6 articles served" in figures["night_articles_archived"]
    assert number["night_disallowed_fetched"] == 0
    assert number["night_of_the_new_map"] > 0 and number["night_of_the_new_map_ratio"] > 0
    # Both runs fetched the same pages: robots.txt, listing, CSS, 3 articles, 3 images
    # (the listing shows the first image of each article too).
    assert "18 requests; bare spider 18 requests," in figures["night_pages_per_s"]
    # The crawl's tree (run-now and its crawl processes) was measured, each > 40 MB.
    assert 80 < number["night_peak_rss_mb"] < 2048
    jobs = (tmp_path / "schedules" / "night.toml").read_text()
    assert jobs.count("[job.") == 2 and "[job.night-of-the-new-map.settings]" in jobs
    assert jobs.count("http://127.2.0.") == 2
