"""Where the catalog lives, and the one SQLAlchemy Engine per place and process.

The catalog is the embedded SQLite file of the data folder (``sqlite:///...``) or a
PostgreSQL server shared by workers on several machines (``postgresql://...``,
``postgresql+psycopg://...``). Both are reached through SQLAlchemy Core with the same
SQL; what differs (column types of the schema, how a write transaction begins) is said
here and in archive/catalog.py, nowhere else.

Engines are made in AUTOCOMMIT mode: a statement on its own is its own transaction, as
the SQLite catalog always had it, and ``Catalog.transaction`` begins and commits the
ones that stand or fall together explicitly (``BEGIN IMMEDIATE`` on SQLite: the write
lock is taken at once, so a transaction never fails half-way for a lock another took).
A connection is checked out of the pool per statement or transaction and returned at
once: a worker crawling 100 sites holds a handful of server connections, not 100.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from portal_archive.archive.errors import PortalArchiveError

ENV_VAR = "PORTAL_CATALOG_URL"

# How long a connection waits for another's write lock before SQLite says "locked".
# Read when each connection is made (a test may shorten it).
BUSY_TIMEOUT_S = 30.0
# Each SQLite connection's page cache at most (PRAGMA cache_size, in KiB), when a process
# asks for more than SQLite's default 2 MiB: a reader that searches (serve, the search
# bench) sets it before opening the catalog; a crawl keeps the default, so its memory
# stays flat however large the catalog grows. Read when each connection is made.
SQLITE_CACHE_KIB: int | None = None
SEARCH_CACHE_KIB = 128 * 1024


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{Path(path)}"


def parse_url(url: str) -> URL:
    """``url`` as SQLAlchemy's URL, ``postgresql://`` taken as psycopg (the driver the
    project installs); anything that is neither SQLite nor PostgreSQL, one line."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):  # ValueError: a port that is no number
        raise PortalArchiveError(f"the catalog URL {url!r} is not a database URL"
                                 " (sqlite:///PATH or postgresql://USER@HOST/DB)") from None
    backend = parsed.get_backend_name()
    if backend == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if backend not in ("sqlite", "postgresql"):
        raise PortalArchiveError(f"the catalog URL {shown(parsed)} names {backend!r};"
                                 " the catalog is SQLite or PostgreSQL")
    return parsed


def shown(url: URL) -> str:
    """The URL for a message: never its password."""
    return url.render_as_string(hide_password=True)


@dataclass
class _Shared:
    engine: Engine
    users: int = 0


_engines: dict[tuple[int, str], _Shared] = {}
_guard = threading.Lock()


def engine_for(url: URL) -> Engine:
    """The process's Engine for ``url`` (one per URL: its pool is shared by every
    catalog open on it). Give it back with ``release_engine``."""
    key = (os.getpid(), url.render_as_string(hide_password=False))
    with _guard:
        shared = _engines.get(key)
        if shared is None:
            shared = _engines[key] = _Shared(_make_engine(url))
        shared.users += 1
        return shared.engine


def release_engine(engine: Engine) -> None:
    """When no catalog of this process uses the engine any more, its connections are
    closed: a SQLite file is then checkpointed and left whole, as a closed connection
    always left it (the rebuild renames the file it built)."""
    key = (os.getpid(), engine.url.render_as_string(hide_password=False))
    with _guard:
        shared = _engines.get(key)
        if shared is None or shared.engine is not engine:
            return
        shared.users -= 1
        if shared.users <= 0:
            del _engines[key]
            engine.dispose()


def _make_engine(url: URL) -> Engine:
    try:
        if url.get_backend_name() == "sqlite":
            engine = create_engine(url, isolation_level="AUTOCOMMIT")
            event.listen(engine, "connect", _sqlite_connected)
            return engine
        # pre_ping: a server restarted between two crawls of a worker is reconnected to.
        return create_engine(url, isolation_level="AUTOCOMMIT", pool_pre_ping=True,
                             pool_size=5, max_overflow=10)
    except NoSuchModuleError:
        raise PortalArchiveError(f"the catalog URL {shown(url)} names a database driver"
                                 " that is not installed") from None


def _sqlite_connected(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
        cursor.execute("PRAGMA journal_mode=WAL")
        # Without an fsync per commit on the crawl's hot path (the module docstring of
        # archive/catalog.py says what a kill then loses).
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # A page cache of up to SQLITE_CACHE_KIB, if asked (filled only as pages are read): the
        # FTS5 doclists a search walks are read through it, and with SQLite's default
        # 2 MiB each walk of a common word re-read them from the OS (2.6 GB of pread
        # for 240 searches over 1,000,000 articles, a third of their CPU time).
        if SQLITE_CACHE_KIB:
            cursor.execute(f"PRAGMA cache_size={-int(SQLITE_CACHE_KIB)}")
    finally:
        cursor.close()


class CatalogRow(Sequence[Any]):
    """A row read both ways callers always have: ``row["col"]`` and ``row[0]``, and
    ``dict(row)``."""

    __slots__ = ("_values", "_index")

    def __init__(self, values: Sequence[Any], index: Mapping[str, int]) -> None:
        self._values = values
        self._index = index

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return self._values[self._index[key]]
        return self._values[key]

    def __len__(self) -> int:
        return len(self._values)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __eq__(self, other: object) -> bool:
        return tuple(self) == tuple(other) if isinstance(other, Sequence) else NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def keys(self) -> list[str]:
        return list(self._index)

    def __repr__(self) -> str:
        return f"CatalogRow({dict(zip(self._index, self._values, strict=True))!r})"


def rows_of(description: Sequence[Sequence[Any]] | None,
            values: Iterable[Sequence[Any]]) -> list[CatalogRow]:
    """Rows of a DBAPI cursor (``description`` its column descriptions)."""
    index = {column[0]: i for i, column in enumerate(description or ())}
    return [CatalogRow(row, index) for row in values]
