"""What one crawl is asked to do: the typed value `portal-archive crawl` builds from its
arguments and the scheduler hands to its worker process, both passing it to
``run_crawl(spec)`` (crawler/pool.py).

A spec is checked as it is made: a setting Scrapy and crawler/settings.py do not define,
or a value that does not read as its default's type, is refused with the one line that
``-s NAME=VALUE`` gets, wherever the spec came from (the command line, a schedule file,
the JSON the worker reads).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from portal_archive.archive.datadir import SHARED_ENV_VAR, DataDir
from portal_archive.crawler.settings_check import check_overrides
from portal_archive.crawler.sites import GENERIC


@dataclass(frozen=True)
class CrawlSpec:
    """One crawl of a site profile, or of ad-hoc listings (``site="generic"``).

    ``settings`` are the user's overrides as text, ``-s NAME=VALUE`` or a schedule file's
    ``[job.NAME.settings]``; ``defaults`` are the program's own settings beneath them
    (e.g. the demo's fast pace), JSON values. ``site`` names the site's lock.
    """

    data_dir: Path
    site: str = GENERIC
    listings: tuple[str, ...] = ()
    backfill: bool = False
    settings: tuple[tuple[str, str], ...] = ()
    defaults: tuple[tuple[str, Any], ...] = ()
    notify: tuple[str, ...] = ()  # apprise URLs, secrets substituted: never on a command line
    verbose: bool = False

    def __post_init__(self) -> None:
        check_overrides(dict(self.settings))  # a typo is said before any work

    def overrides(self) -> dict[str, Any]:
        """The user's settings, typed as their defaults are, for ``Settings.set``."""
        return check_overrides(dict(self.settings))

    def data(self) -> DataDir:
        """The crawl's folders: ``data_dir``, or the shared storage the crawl's settings
        or environment name (PORTAL_SHARED_STORAGE) with ``data_dir`` as its staging,
        as crawler/storage.py reads them from the crawl's settings."""
        shared = self.overrides().get(
            SHARED_ENV_VAR, dict(self.defaults).get(SHARED_ENV_VAR, os.environ.get(SHARED_ENV_VAR)))
        return DataDir.for_crawl(self.data_dir, str(shared) if shared else None)

    def to_json(self) -> str:
        """The spec as one JSON object; :meth:`from_json` reads it back equal."""
        return json.dumps({
            "data_dir": str(self.data_dir), "site": self.site,
            "listings": list(self.listings), "backfill": self.backfill,
            "settings": dict(self.settings), "defaults": dict(self.defaults),
            "notify": list(self.notify), "verbose": self.verbose,
        }, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> CrawlSpec:
        """The spec :meth:`to_json` wrote; a bad setting in it is refused as ``-s`` is.

        >>> spec = CrawlSpec(Path("/d"), "demo", settings=(("DOWNLOAD_DELAY", "1.5"),))
        >>> CrawlSpec.from_json(spec.to_json()) == spec
        True
        """
        data: Mapping[str, Any] = json.loads(text)
        return cls(
            data_dir=Path(data["data_dir"]), site=data["site"],
            listings=tuple(data["listings"]), backfill=bool(data["backfill"]),
            settings=tuple(data["settings"].items()),
            defaults=tuple(data["defaults"].items()),
            notify=tuple(data["notify"]), verbose=bool(data["verbose"]),
        )
