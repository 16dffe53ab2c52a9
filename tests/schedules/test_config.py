"""Schedule files: strict validation, errors that name file and line, `schedule list`."""

from __future__ import annotations

import doctest
import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from portal_archive.archive.errors import PortalArchiveError
from portal_archive.crawler.spec import CrawlSpec
from portal_archive.schedules import config
from portal_archive.schedules.config import (
    Job,
    build_trigger,
    default_schedules_dir,
    load_jobs,
    parse_text,
)

from ..conftest import run_cli

GOOD = """\
# a comment
[job.nightly]
sites = ["demo"]
cron = "30 2 * * *"
"""


def _error(text: str) -> str:
    with pytest.raises(PortalArchiveError) as caught:
        parse_text(text, "s.toml")
    return str(caught.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (GOOD + 'timezon = "UTC"\n', "s.toml:5: job 'nightly': unknown key 'timezon' (known: "),
        (GOOD + 'timezone = "Asia/Saigon_"\n', "s.toml:5: job 'nightly': unknown time zone"),
        (GOOD.replace("30 2", "61 2"), "s.toml:4: job 'nightly': bad cron expression '61 2 * * *'"),
        (GOOD.replace("30 2 * * *", "30 2 * *"), "s.toml:4: job 'nightly': bad cron expression"),
        (GOOD.replace("* * *", "* * 8"), "s.toml:4: job 'nightly': bad cron expression"),
        (GOOD + 'seconds = "75"\n', "s.toml:5: job 'nightly': bad seconds field '75'"),
        (GOOD.replace('"demo"', '"demo", "nosuch"'), "s.toml:3: job 'nightly': unknown site"
                                                     " 'nosuch' (known: demo,"),
        (GOOD.replace('"demo"', '"ftp://x/y"'), "s.toml:3: job 'nightly': not an http(s)"),
        (GOOD.replace('["demo"]', "[]"), "s.toml:3: job 'nightly': sites must be a non-empty"),
        (GOOD.replace('cron = "30 2 * * *"\n', ""), "s.toml:2: job 'nightly': missing key 'cron'"),
        (GOOD + "backfill = 1\n", "s.toml:5: job 'nightly': backfill must be true or false"),
        (GOOD + "\n[job.nightly.settings]\nDOWNLOAD_DELAI = 1\n",
         "s.toml:7: job 'nightly': unknown Scrapy setting 'DOWNLOAD_DELAI'"),
        (GOOD + "\n[job.nightly.settings]\nDOWNLOAD_DELAY = 'soon'\n",
         "s.toml:7: job 'nightly': setting DOWNLOAD_DELAY='soon' is not a valid float"),
        (GOOD + "settings = { RETRY_TIMES = [1] }\n",
         "s.toml:5: job 'nightly': setting RETRY_TIMES must be a string, number or boolean"),
        (GOOD + 'notify = ["json://${PA_TEST_UNSET}/x"]\n',
         "s.toml:5: job 'nightly': environment variable PA_TEST_UNSET is not set"),
        (GOOD + "cron = 'again'\n", "s.toml:5: Cannot overwrite a value (TOML syntax)"),
        (GOOD + "[jobs.other]\n", "s.toml:5: unknown key 'jobs': jobs are [job.NAME] tables"),
        ('[job."two words"]\nsites = ["demo"]\ncron = "* * * * *"\n',
         "s.toml:1: job name 'two words': use letters, digits"),
        ('job.inline = { sites = ["demo"], cron = "* * * * *", when = 1 }\n',
         "s.toml:1: job 'inline': unknown key 'when'"),
    ],
)
def test_errors_name_file_and_line(text: str, expected: str) -> None:
    assert _error(text).startswith(expected), _error(text)


def test_duplicate_job_across_files(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text(GOOD, "utf-8")
    (tmp_path / "b.toml").write_text("\n\n" + GOOD, "utf-8")
    with pytest.raises(PortalArchiveError) as caught:
        load_jobs(tmp_path)
    assert str(caught.value).startswith(
        f"{tmp_path / 'b.toml'}:4: job 'nightly' is also defined in {tmp_path / 'a.toml'}:2"
    )


def test_a_good_job(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PA_TEST_HOOK", "127.0.0.1:9")
    text = GOOD + """\
sites = ["demo", "https://x.gov.vn/tin-tuc", "https://x.gov.vn/su-kien", "http://y.vn/a"]
backfill = true
notify = ["json://${PA_TEST_HOOK}/hook"]
[job.nightly.settings]
DOWNLOAD_DELAY = 1.5
PORTAL_REQUISITES = false
"""
    [job] = parse_text(text.replace('sites = ["demo"]\n', ""), "s.toml")
    assert (job.name, job.timezone, job.line) == ("nightly", "Asia/Ho_Chi_Minh", 2)
    assert job.notify == ("json://${PA_TEST_HOOK}/hook",)  # the secret is not kept
    assert config.substitute_env(job.notify) == ["json://127.0.0.1:9/hook"]
    targets = job.targets()
    assert [(t.label, t.site, t.listings) for t in targets] == [
        ("demo", "demo", ()),
        ("x.gov.vn", "generic", ("https://x.gov.vn/tin-tuc", "https://x.gov.vn/su-kien")),
        ("y.vn", "generic", ("http://y.vn/a",)),
    ]
    # The crawl of a target: what `crawl demo --backfill -s ... --notify URL` would be.
    assert job.crawl_spec(targets[0], Path("/d")) == CrawlSpec(
        Path("/d"), "demo", backfill=True,
        settings=(("DOWNLOAD_DELAY", "1.5"), ("PORTAL_REQUISITES", "False")),
        notify=("json://127.0.0.1:9/hook",),
    )
    assert job.crawl_spec(targets[1], Path("/d")).listings == (
        "https://x.gov.vn/tin-tuc", "https://x.gov.vn/su-kien")
    assert Job.from_kwargs(job.to_kwargs()) == Job(**{**job.__dict__, "file": "", "line": 0})


def test_day_of_week_reads_as_crontab() -> None:
    """APScheduler 3 alone would read 0 as Monday and 1-5 as Tuesday to Saturday."""
    zone = ZoneInfo("Asia/Ho_Chi_Minh")
    start = datetime(2026, 11, 23, tzinfo=zone)  # a Monday

    def weekdays(dow: str) -> set[str]:
        trigger = build_trigger(f"0 9 * * {dow}", "Asia/Ho_Chi_Minh")
        days, moment = set(), start
        for _ in range(14):
            moment = trigger.get_next_fire_time(None, moment)
            days.add(moment.strftime("%a"))
            moment = moment.replace(hour=10)
        return days

    assert weekdays("1-5") == {"Mon", "Tue", "Wed", "Thu", "Fri"}
    assert weekdays("0") == weekdays("7") == weekdays("sun") == {"Sun"}
    assert weekdays("6,0") == {"Sat", "Sun"}


def test_doctests() -> None:
    result = doctest.testmod(config)
    assert result.attempted > 0 and result.failed == 0


def test_default_folder(tmp_path: Path) -> None:
    shipped = default_schedules_dir(tmp_path)  # no ./schedules here: the package's own
    assert (shipped / "demo.toml").is_file()
    (tmp_path / "schedules").mkdir()
    assert default_schedules_dir(tmp_path) == tmp_path / "schedules"


def test_list_the_shipped_example(tmp_path: Path) -> None:
    shipped = default_schedules_dir(tmp_path)
    result = run_cli("schedule", "list", "--schedules", str(shipped))
    assert result.returncode == 0, result.stderr
    header, row = result.stdout.splitlines()
    assert header.split() == ["JOB", "SITES", "CRON", "NEXT", "RUN", "FILE"]
    found = re.search(r"(\d{4}-\d\d-\d\d) 02:30 \+07 \(Asia/Ho_Chi_Minh\)", row)
    assert found and row.startswith("demo-nightly  demo   30 2 * * *"), row
    now = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh"))
    next_run = datetime.fromisoformat(f"{found.group(1)}T02:30+07:00")
    assert now < next_run <= now + timedelta(days=1)


def test_cli_error_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text(GOOD.replace("30 2", "30 25"), "utf-8")
    result = run_cli("schedule", "list", "--schedules", str(tmp_path))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"portal-archive: error: {tmp_path / 'bad.toml'}:4: job 'nightly': bad cron expression"
        " '30 25 * * *': Error validating expression '25': the last value (25) is higher than"
        " the maximum value (23)"
    ]
    missing = run_cli("schedule", "list", "--schedules", str(tmp_path / "nope"))
    assert missing.returncode == 1 and "does not exist" in missing.stderr
