"""CrawlSpec: what `portal-archive crawl` and the scheduler's worker pass to run_crawl."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from portal_archive.archive.errors import PortalArchiveError
from portal_archive.crawler.spec import CrawlSpec

from ..conftest import run_cli


def test_a_spec_round_trips_through_its_json() -> None:
    spec = CrawlSpec(
        Path("/srv/lưu trữ"), "generic",
        listings=("https://x.gov.vn/tin-tuc", "https://x.gov.vn/su-kien"),
        backfill=True,
        settings=(("DOWNLOAD_DELAY", "1.5"), ("PORTAL_REQUISITES", "False")),
        defaults=(("AUTOTHROTTLE_TARGET_CONCURRENCY", 8), ("PORTAL_BASE_URL", "http://h/")),
        notify=("json://127.0.0.1:9/hook",),
        verbose=True,
    )
    again = CrawlSpec.from_json(spec.to_json())
    assert again == spec
    assert again.overrides() == {"DOWNLOAD_DELAY": 1.5, "PORTAL_REQUISITES": False}
    assert CrawlSpec.from_json(CrawlSpec(Path("/d")).to_json()) == CrawlSpec(Path("/d"))


@pytest.mark.parametrize("setting", ["DOWNLOD_DELAY=1", "DEPTH_LIMIT=x"])
def test_a_bad_setting_in_a_spec_is_refused_as_s_refuses_it(tmp_path: Path,
                                                             setting: str) -> None:
    name, _, value = setting.partition("=")
    text = json.dumps({**json.loads(CrawlSpec(tmp_path).to_json()), "settings": {name: value}})
    with pytest.raises(PortalArchiveError) as refused:
        CrawlSpec.from_json(text)
    with pytest.raises(PortalArchiveError) as made:
        CrawlSpec(tmp_path, "demo", settings=((name, value),))
    cli = run_cli("crawl", "demo", "--data", str(tmp_path / "data"), "-s", setting)
    assert cli.returncode == 1
    assert cli.stderr.strip() == f"portal-archive: error: {refused.value}"
    assert str(made.value) == str(refused.value)
