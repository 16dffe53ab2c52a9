"""Schedule files: ``schedules/*.toml``, the archivist's single source of truth.

One table per job::

    [job.demo-nightly]
    sites = ["demo"]                 # profile ids and/or listing URLs (generic crawl)
    cron = "30 2 * * *"              # minute hour day month day-of-week
    timezone = "Asia/Ho_Chi_Minh"    # optional, this is the default
    backfill = false                 # optional: page through every listing page
    notify = ["tgram://${TG_TOKEN}/${TG_CHAT}"]   # optional apprise URLs
    seconds = "*/10"                 # optional, for tests and ops: the cron's second field

    [job.demo-nightly.settings]      # optional Scrapy setting overrides (-s NAME=VALUE)
    DOWNLOAD_DELAY = 1

Everything is checked before anything is scheduled, and every error names the file and
the line: a misspelt key silently ignored would be a portal silently not archived.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger

from portal_archive.archive.errors import PortalArchiveError

if TYPE_CHECKING:
    from portal_archive.crawler.spec import CrawlSpec

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
_JOB_KEYS = ("sites", "cron", "timezone", "seconds", "backfill", "settings", "notify")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_ENV = re.compile(r"\$\{([^}]*)\}")
_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Target:
    """One crawl of a job: a site profile, or the ad-hoc listings of one host."""

    label: str  # for logs and file names: the profile id, or the listings' host
    site: str  # the profile id, or "generic" (locked per host: crawler/sites.py series_of)
    listings: tuple[str, ...] = ()  # a generic crawl's listing URLs


@dataclass(frozen=True)
class Job:
    name: str
    sites: tuple[str, ...]
    cron: str
    timezone: str = DEFAULT_TIMEZONE
    seconds: str | None = None
    backfill: bool = False
    settings: tuple[tuple[str, str], ...] = ()
    notify: tuple[str, ...] = ()  # as written: ${ENV} is substituted only when sent
    file: str = ""
    line: int = 0

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    def trigger(self) -> CronTrigger:
        return build_trigger(self.cron, self.timezone, self.seconds)

    def next_run(self, now: datetime | None = None) -> datetime | None:
        zone = ZoneInfo(self.timezone)
        now = now.astimezone(zone) if now else datetime.now(zone)
        moment: datetime | None = self.trigger().get_next_fire_time(None, now)
        return moment

    def targets(self) -> list[Target]:
        """Profiles one crawl each; listing URLs grouped by host, one generic crawl each
        (a generic crawl stays on its listing's host)."""
        from portal_archive.crawler.sites import GENERIC

        targets = []
        hosts: dict[str, list[str]] = {}
        for site in self.sites:
            if _is_url(site):
                hosts.setdefault(urlsplit(site).netloc, []).append(site)
            else:
                targets.append(Target(site, site))
        for host, urls in hosts.items():
            targets.append(Target(host, GENERIC, tuple(urls)))
        return targets

    def crawl_spec(self, target: Target, data: Path, *, verbose: bool = False) -> CrawlSpec:
        """The crawl of one target, with the job's apprise URLs, ``${ENV}`` substituted
        (the spec reaches the crawl process on a pipe, see schedules/worker.py)."""
        from portal_archive.crawler.spec import CrawlSpec

        return CrawlSpec(data, site=target.site, listings=target.listings,
                         backfill=self.backfill, settings=self.settings,
                         notify=tuple(substitute_env(self.notify)), verbose=verbose)

    def to_kwargs(self) -> dict[str, Any]:
        """What the persistent job store keeps: plain data, and not where the job is
        written, so that moving it in its file is not a change."""
        return {
            "name": self.name, "sites": list(self.sites), "cron": self.cron,
            "timezone": self.timezone, "seconds": self.seconds, "backfill": self.backfill,
            "settings": dict(self.settings), "notify": list(self.notify),
        }

    @classmethod
    def from_kwargs(cls, data: Mapping[str, Any]) -> Job:
        return cls(
            name=data["name"], sites=tuple(data["sites"]), cron=data["cron"],
            timezone=data["timezone"], seconds=data["seconds"], backfill=data["backfill"],
            settings=tuple(data["settings"].items()), notify=tuple(data["notify"]),
        )

    def when(self) -> tuple[str, str, str | None]:
        return (self.cron, self.timezone, self.seconds)


# -- where the files are -------------------------------------------------------
def default_schedules_dir(cwd: Path | None = None) -> Path:
    """``./schedules`` if there is one, else the package's own folder, so that the
    shipped example works from a checkout and from an installed package alike."""
    local = (cwd or Path.cwd()) / "schedules"
    if local.is_dir():
        return Path("schedules") if cwd is None else local
    return Path(str(resources.files("portal_archive.schedules")))


def schedule_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise PortalArchiveError(f"schedules folder {folder} does not exist")
    # Hidden files are editors' and sync tools' scratch copies, not schedules.
    return sorted(p for p in folder.glob("*.toml") if not p.name.startswith("."))


def load_jobs(folder: Path, *, check_env: bool = True) -> dict[str, Job]:
    """Every job of every file in ``folder``, or the first error, naming file and line."""
    jobs: dict[str, Job] = {}
    for path in schedule_files(folder):
        for job in parse_file(path, check_env=check_env):
            if job.name in jobs:
                raise PortalArchiveError(
                    f"{job.where}: job {job.name!r} is also defined in {jobs[job.name].where};"
                    " job names must be unique across schedule files"
                )
            jobs[job.name] = job
    return jobs


# -- one file ------------------------------------------------------------------
def parse_file(path: Path, *, check_env: bool = True) -> list[Job]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PortalArchiveError(f"{path}: cannot read: {exc}") from exc
    return parse_text(text, str(path), check_env=check_env)


def parse_text(text: str, filename: str, *, check_env: bool = True) -> list[Job]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib says "(at line 3, column 7)" at the end; lead with it, as compilers do.
        message = str(exc)
        found = re.search(r"\s*\(at line (\d+), column \d+\)$", message)
        if found:
            message = f"{filename}:{found.group(1)}: {message[: found.start()]}"
        else:
            message = f"{filename}: {message}"
        raise PortalArchiveError(f"{message} (TOML syntax)") from None
    lines = _KeyLines(text)

    def fail(path: tuple[str, ...], message: str) -> PortalArchiveError:
        return PortalArchiveError(f"{filename}:{lines.line(path)}: {message}")

    unknown = sorted(set(data) - {"job"})
    if unknown:
        raise fail((unknown[0],), f"unknown key {unknown[0]!r}: jobs are [job.NAME] tables")
    tables = data.get("job", {})
    if not isinstance(tables, dict):
        raise fail(("job",), "job must be a table of jobs: [job.NAME]")
    jobs = []
    for name, table in tables.items():
        where = ("job", name)
        if not _NAME.match(name):
            raise fail(where, f"job name {name!r}: use letters, digits, '-' and '_'")
        if not isinstance(table, dict):
            raise fail(where, f"job {name!r} must be a table: [job.{name}]")
        jobs.append(_parse_job(name, table, filename, lines.line(where), fail, check_env))
    return jobs


def _parse_job(name: str, table: dict[str, Any], filename: str, line: int,
               fail: Any, check_env: bool) -> Job:
    def err(key: str | tuple[str, ...], message: str) -> PortalArchiveError:
        path = ("job", name, *((key,) if isinstance(key, str) else key))
        return fail(path, f"job {name!r}: {message}")

    unknown = sorted(set(table) - set(_JOB_KEYS))
    if unknown:
        raise err(unknown[0], f"unknown key {unknown[0]!r} (known: {', '.join(_JOB_KEYS)})")
    for key in ("sites", "cron"):
        if key not in table:
            raise fail(("job", name), f"job {name!r}: missing key {key!r}")

    sites = table["sites"]
    if (not isinstance(sites, list) or not sites
            or not all(isinstance(s, str) and s for s in sites)):
        raise err("sites", "sites must be a non-empty list of site ids or listing URLs")
    _check_sites(sites, lambda message: err("sites", message))

    timezone = table.get("timezone", DEFAULT_TIMEZONE)
    if not isinstance(timezone, str):
        raise err("timezone", "timezone must be a string such as 'Asia/Ho_Chi_Minh'")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise err("timezone", f"unknown time zone {timezone!r} (an IANA name such as"
                              " 'Asia/Ho_Chi_Minh')") from None

    cron = table["cron"]
    if not isinstance(cron, str):
        raise err("cron", "cron must be a string such as '30 2 * * *'")
    seconds = table.get("seconds")
    if seconds is not None and not isinstance(seconds, str | int):
        raise err("seconds", "seconds must be a cron field string such as '*/10'")
    seconds = None if seconds is None else str(seconds)
    # Checked by building the trigger, as CronTrigger.from_crontab does field by field,
    # but with crontab's weekdays: from_crontab would refuse 7 (Sunday) and misread 0-6.
    try:
        build_trigger(cron, timezone)
    except ValueError as exc:
        raise err("cron", f"bad cron expression {cron!r}: {exc}") from None
    if seconds is not None:
        try:
            build_trigger(cron, timezone, seconds)
        except ValueError as exc:
            raise err("seconds", f"bad seconds field {seconds!r}: {exc}") from None

    backfill = table.get("backfill", False)
    if not isinstance(backfill, bool):
        raise err("backfill", "backfill must be true or false")

    settings = _settings(table.get("settings", {}), err)

    notify = table.get("notify", [])
    if isinstance(notify, str):
        notify = [notify]
    if not isinstance(notify, list) or not all(isinstance(u, str) and u for u in notify):
        raise err("notify", "notify must be a list of apprise URLs")
    if check_env:
        try:
            substitute_env(notify)
        except PortalArchiveError as exc:
            raise err("notify", str(exc)) from None

    return Job(
        name=name, sites=tuple(sites), cron=" ".join(cron.split()), timezone=timezone,
        seconds=seconds, backfill=backfill, settings=settings, notify=tuple(notify),
        file=filename, line=line,
    )


def _check_sites(sites: list[str], err: Any) -> None:
    from portal_archive.crawler.sites import GENERIC, site_ids

    known = site_ids()
    for site in sites:
        if "://" in site:
            parts = urlsplit(site)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise err(f"not an http(s) listing URL: {site!r}")
        elif site not in known or site == GENERIC:
            raise err(f"unknown site {site!r} (known: {', '.join(known)}; or a listing URL)")


def _settings(table: Any, err: Any) -> tuple[tuple[str, str], ...]:
    from portal_archive.crawler.settings_check import check_setting

    if not isinstance(table, dict):
        raise err("settings", "settings must be a table: [job.NAME.settings]")
    values: list[tuple[str, str]] = []
    for name, value in table.items():
        if isinstance(value, bool):
            text = "True" if value else "False"
        elif isinstance(value, int | float | str):
            text = str(value)
        else:
            raise err(("settings", name),
                      f"setting {name} must be a string, number or boolean (as -s takes it)")
        try:
            check_setting(name, text)  # the very check `crawl -s` makes
        except PortalArchiveError as exc:
            raise err(("settings", name), str(exc)) from None
        values.append((name, text))
    return tuple(values)


def _is_url(site: str) -> bool:
    return "://" in site


# -- cron ------------------------------------------------------------------------
def build_trigger(cron: str, timezone: str, seconds: str | None = None) -> CronTrigger:
    """A CronTrigger that reads the day of week as crontab does.

    APScheduler 3 numbers weekdays from Monday = 0 (its from_crontab warns about it), so
    ``1-5`` would run Tuesday to Saturday; numbers are turned into day names first.
    """
    fields = cron.split()
    if len(fields) != 5:
        raise ValueError(f"wrong number of fields: got {len(fields)}, expected 5")
    minute, hour, day, month, dow = fields
    return CronTrigger(
        second=seconds if seconds is not None else "0", minute=minute, hour=hour, day=day,
        month=month, day_of_week=crontab_weekdays(dow), timezone=ZoneInfo(timezone),
    )


def crontab_weekdays(field: str) -> str:
    """Crontab's day-of-week field (0 or 7 = Sunday) in APScheduler 3's day names.

    >>> crontab_weekdays("1-5")
    'mon,tue,wed,thu,fri'
    >>> crontab_weekdays("0")
    'sun'
    >>> crontab_weekdays("*/2")
    'sun,tue,thu,sat'
    >>> crontab_weekdays("sat,7")
    'sat,sun'
    >>> crontab_weekdays("*")
    '*'
    """
    if field in ("*", "?"):
        return "*"
    names: list[str] = []
    for part in field.split(","):
        found = re.fullmatch(r"(\*|\d+)(?:-(\d+))?(?:/(\d+))?", part)
        if not found:
            names.append(part.lower())  # names (mon-fri): APScheduler reads those right
            continue
        first, last, step = found.groups()
        start = 0 if first == "*" else int(first)
        stop = 7 if first == "*" else int(last) if last else (7 if step else start)
        if start > 7 or stop > 7 or (step is not None and int(step) == 0):
            raise ValueError(f"bad day of week {part!r} (0-7, 0 and 7 are Sunday)")
        if start > stop:
            raise ValueError(f"bad day of week range {part!r}")
        days = range(start, stop + 1, int(step) if step else 1)
        names.extend(_DAYS[d] for d in days if _DAYS[d] not in names)
    return ",".join(names)


# -- notify ----------------------------------------------------------------------
def substitute_env(urls: Iterable[str], environ: Mapping[str, str] | None = None) -> list[str]:
    """``${NAME}`` in apprise URLs from the environment, so secrets stay out of files.

    >>> substitute_env(["json://${HOST}/hook"], {"HOST": "127.0.0.1:9"})
    ['json://127.0.0.1:9/hook']
    """
    env = os.environ if environ is None else environ
    done = []
    for url in urls:
        for name in _ENV.findall(url):
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                raise PortalArchiveError(f"${{{name}}} is not an environment variable name")
            if name not in env:
                raise PortalArchiveError(f"environment variable {name} is not set"
                                         f" (used in notify as ${{{name}}})")
        done.append(_ENV.sub(lambda m: env[m.group(1)], url))
    return done


# -- time ------------------------------------------------------------------------
def format_local(moment: datetime, zone: str, *, seconds: bool = False) -> str:
    """``2026-11-26 02:30 +07 (Asia/Ho_Chi_Minh)``: wall time where the job runs.

    >>> format_local(datetime(2026, 11, 25, 19, 30, tzinfo=ZoneInfo("UTC")), "Asia/Ho_Chi_Minh")
    '2026-11-26 02:30 +07 (Asia/Ho_Chi_Minh)'
    >>> format_local(datetime(2026, 1, 1, tzinfo=ZoneInfo("UTC")), "Asia/Kolkata")
    '2026-01-01 05:30 +05:30 (Asia/Kolkata)'
    """
    local = moment.astimezone(ZoneInfo(zone))
    offset = local.utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    hours, rest = divmod(abs(int(offset.total_seconds())) // 60, 60)
    text = f"{sign}{hours:02d}" + (f":{rest:02d}" if rest else "")
    stamp = local.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
    return f"{stamp} {text} ({zone})"


# -- lines ------------------------------------------------------------------------
class _KeyLines:
    """Where each key and table of a TOML text is: tomllib gives line numbers only for
    syntax errors, and an error that names no line sends the archivist hunting."""

    _HEADER = re.compile(r"^\s*\[\[?\s*([^\[\]]+?)\s*\]\]?\s*(?:#.*)?$")
    _KEY = re.compile(r"""^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')"""
                      r"""(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*=""")

    def __init__(self, text: str) -> None:
        self.entries: list[tuple[tuple[str, ...], int]] = []
        header: tuple[str, ...] = ()
        for number, line in enumerate(text.splitlines(), start=1):
            found = self._HEADER.match(line)
            if found:
                header = self._split(found.group(1))
                self.entries.append((header, number))
                continue
            found = self._KEY.match(line)
            if found:
                self.entries.append((header + self._split(found.group(1)), number))

    @staticmethod
    def _split(dotted: str) -> tuple[str, ...]:
        parts = re.findall(r"""[A-Za-z0-9_-]+|"[^"]*"|'[^']*'""", dotted)
        return tuple(p[1:-1] if p[:1] in "\"'" else p for p in parts)

    def line(self, path: tuple[str, ...]) -> int:
        """The line of ``path``; else of the first key inside it (``[jobs.x]`` for
        ``jobs``); else of its nearest enclosing table or key; else 1."""
        exact = [n for key, n in self.entries if key == path]
        inside = [n for key, n in self.entries if key[: len(path)] == path]
        if exact or inside:
            return (exact or inside)[0]
        best, depth = 1, 0
        for key, number in self.entries:
            if len(key) > depth and path[: len(key)] == key:
                best, depth = number, len(key)
        return best
