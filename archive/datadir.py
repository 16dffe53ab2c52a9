"""The data folder's layout (CONTRACT.md), in one place."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from portal_archive.archive.errors import PortalArchiveError

ENV_VAR = "PORTAL_ARCHIVE_DATA"
DEFAULT = "portal-data"


def default_data_dir() -> Path:
    return Path(os.environ.get(ENV_VAR) or DEFAULT)


class DataDir:
    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    @property
    def warc(self) -> Path:
        return self.root / "warc"

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
        """Create the folder or fail with one clear line before any crawling starts."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.root, prefix=".write-test-"):
                pass
        except OSError as exc:
            reason = exc.strerror or exc.__class__.__name__
            raise PortalArchiveError(f"data folder {self.root} is not writable: {reason}") from exc
        return self
