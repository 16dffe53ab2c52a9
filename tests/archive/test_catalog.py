"""The catalog's schema version is checked, never silently mixed."""

import sqlite3
from pathlib import Path

import pytest

from portal_archive.archive.catalog import SCHEMA_VERSION, Catalog
from portal_archive.archive.errors import PortalArchiveError


def test_a_new_catalog_gets_the_current_schema(tmp_path: Path) -> None:
    Catalog(tmp_path / "c.sqlite").close()
    db = sqlite3.connect(tmp_path / "c.sqlite")
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


@pytest.mark.parametrize("version", [1, SCHEMA_VERSION + 1])
def test_another_schema_is_a_clear_error(tmp_path: Path, version: int) -> None:
    db = sqlite3.connect(tmp_path / "c.sqlite")
    db.execute(f"PRAGMA user_version={version}")
    db.close()
    with pytest.raises(PortalArchiveError, match="c.sqlite"):
        Catalog(tmp_path / "c.sqlite")
