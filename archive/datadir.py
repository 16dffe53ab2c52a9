"""The data folder's layout (CONTRACT.md), in one place.

``root`` is the archive: warc/, index/, json/, catalog.sqlite, events.jsonl, feeds/ and
the locks. ``staging`` (default: the root) is where WARCs are written while ``.open``:
with shared storage (``PORTAL_SHARED_STORAGE``) the root is the shared folder and the
staging folder the worker's local ``--data``; each closed WARC is then moved to the root
(archive/ship.py). File names in the catalog and the index are relative to ``warc/``,
so they are the same in both.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from portal_archive.archive.errors import PortalArchiveError

ENV_VAR = "PORTAL_ARCHIVE_DATA"
DEFAULT = "portal-data"
SHARED_ENV_VAR = "PORTAL_SHARED_STORAGE"


def default_data_dir() -> Path:
    return Path(os.environ.get(ENV_VAR) or DEFAULT)


class DataDir:
    def __init__(self, root: str | os.PathLike[str],
                 staging: str | os.PathLike[str] | None = None) -> None:
        self.root = Path(root)
        self.staging = Path(staging) if staging is not None else self.root

    @classmethod
    def for_crawl(cls, local: str | os.PathLike[str], shared: str | None) -> DataDir:
        """A crawl's folders: the shared archive with ``local`` as staging, or, without
        shared storage, ``local`` alone, as before issue 12."""
        return cls(shared, staging=local) if shared else cls(local)

    @property
    def staged(self) -> bool:
        """Whether WARCs are written elsewhere than the archive (shared storage)."""
        return self.staging != self.root

    @property
    def warc(self) -> Path:
        return self.root / "warc"

    @property
    def staging_warc(self) -> Path:
        """Where the WARC writer writes: ``warc/`` of the staging folder."""
        return self.staging / "warc"

    @property
    def index(self) -> Path:
        return self.root / "index"

    @property
    def json(self) -> Path:
        return self.root / "json"

    @property
    def catalog(self) -> Path:
        return self.root / "catalog.sqlite"

    @property
    def events(self) -> Path:
        return self.root / "events.jsonl"

    @property
    def feeds(self) -> Path:
        return self.root / "feeds"

    def ensure_writable(self) -> DataDir:
        """Create the folder or fail with one clear line before any crawling starts.

        Shared storage is never created: a missing one is a mount that is not there,
        and an archive quietly begun on the local disk would be lost to the others."""
        if self.staged:
            _check_writable(self.root, f"shared storage {self.root} ({SHARED_ENV_VAR})",
                            create=False)
        _check_writable(self.staging, f"data folder {self.staging}", create=True)
        return self


def _check_writable(folder: Path, what: str, *, create: bool) -> None:
    try:
        if create:
            folder.mkdir(parents=True, exist_ok=True)
        elif not folder.is_dir():
            raise PortalArchiveError(f"{what} is missing (not a folder)")
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-test-"):
            pass
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise PortalArchiveError(f"{what} is not writable: {reason}") from exc
