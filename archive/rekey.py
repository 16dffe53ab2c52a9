"""Catalog schema 3 -> 4: article keys made anew with their host, JSON folders moved.

Schema 3 keyed an article by its path alone, so a portal that moved host kept its keys
by accident, and two portals with identical paths shared one article. Here every
article, version and listing item gets the key of archive/keys.py, made with the host
its site's recorded moves (site-moved events) lead back to: a moved portal's history
stays one article. Each version's JSON file moves to ``<site>/<new key>/``.

Runs inside the catalog's migration transaction, and in ``verify --rebuild-catalog``
(a JSON folder of schema 3 beside a lost catalog); on folders keyed today it moves
nothing. SQLite's own SQL (sqlite_master, rowid): only SQLite catalogs ever had schema 3.
A kill part-way leaves files moved and the catalog at schema 3: the next open
runs it again, and a file already at its new place (the old one gone) is taken as moved.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy.engine import Connection

from portal_archive.archive.keys import HostMoves


def rekey_with_hosts(db: Connection, json_root: Path,
                     moves_of: Callable[[str], HostMoves]) -> None:
    tables = {row[0] for row in
              db.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'")}
    sites: dict[str, HostMoves] = {}

    def key(site: str, url: str) -> str:
        if site not in sites:
            sites[site] = moves_of(site) if "events" in tables else HostMoves()
        return sites[site].key(url)

    emptied: set[Path] = set()
    rows: list[Any] = []
    if "versions" in tables:
        rows = list(db.exec_driver_sql("SELECT id, url, site, json_path FROM versions"))
    for version_id, url, site, json_path in rows:
        new_key = key(site, url)
        old = PurePosixPath(json_path)
        new = str(old.parent.parent / new_key / old.name)
        if _move_version(json_root, json_path, new):
            emptied.add(json_root / old.parent)
        else:
            new = json_path
        db.exec_driver_sql("UPDATE versions SET key = ?, json_path = ? WHERE id = ?",
                   (new_key, new, version_id))
    for table, id_column in (("articles", "url"), ("listing_items", "rowid")):
        if table not in tables:
            continue  # a catalog from before the table (SCHEMA makes it empty)
        rows = list(db.exec_driver_sql(f"SELECT {id_column}, site, url FROM {table}"))
        if rows:  # (an empty list would be taken for no parameters at all)
            db.exec_driver_sql(f"UPDATE {table} SET key = ? WHERE {id_column} = ?",
                               [(key(site, url), row_id) for row_id, site, url in rows])
    for folder in emptied:
        try:
            folder.rmdir()
        except OSError:
            pass  # still holds a file (one not in the catalog): left as it was


def _move_version(json_root: Path, old: str, new: str) -> bool:
    """Move one version's file; whether the catalog should name the new place."""
    if old == new:
        return False
    source, target = json_root / old, json_root / new
    if source.exists():
        if target.exists():
            return False  # never overwrite: the old file stays where the catalog says
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)
        return True
    return target.exists()  # moved by a migration that was killed before its commit
