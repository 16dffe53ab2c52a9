"""The SQLite catalog: crawl runs, captures, articles and their distinct versions.

WAL mode with synchronous=NORMAL: each write is its own short transaction, without an
fsync per capture on the crawl's hot path. Captures may be queued (`queue_capture`) and
written together, in one transaction of their own (`write_queued`): a
commit costs some 100 µs, four times the insert. A kill -9 then loses at most the queue
(records already in the WARC, which a later crawl captures again); queued captures are
invisible to reads until written.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from portal_archive.archive.errors import PortalArchiveError
from portal_archive.archive.keys import HostMoves, move_of
from portal_archive.archive.rekey import rekey_with_hosts

SCHEMA_VERSION = 5

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    site TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL DEFAULT 'running',
    stats TEXT
);
CREATE TABLE IF NOT EXISTS captures (
    id INTEGER PRIMARY KEY,
    run_id TEXT NOT NULL,
    url TEXT NOT NULL,
    captured_at TEXT NOT NULL,
    status INTEGER,
    mime TEXT,
    payload_digest TEXT,
    record_id TEXT NOT NULL,
    record_type TEXT NOT NULL,
    warc_file TEXT NOT NULL,
    warc_offset INTEGER NOT NULL,
    warc_length INTEGER NOT NULL,
    refers_to TEXT,
    etag TEXT,
    last_modified TEXT
);
CREATE INDEX IF NOT EXISTS captures_by_url ON captures (url, captured_at);
CREATE INDEX IF NOT EXISTS responses_by_url ON captures (url, record_type, captured_at);
-- A revisit's original: the URL's newest response with the same payload and status.
CREATE INDEX IF NOT EXISTS responses_by_payload
    ON captures (url, payload_digest, status, record_type, captured_at);
CREATE TABLE IF NOT EXISTS articles (
    url TEXT PRIMARY KEY,
    site TEXT NOT NULL,
    key TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'live'
);
CREATE INDEX IF NOT EXISTS articles_by_site ON articles (site);
CREATE TABLE IF NOT EXISTS versions (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL REFERENCES articles (url),
    site TEXT NOT NULL,
    key TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    captured_at TEXT NOT NULL,
    run_id TEXT NOT NULL,
    json_path TEXT NOT NULL,
    record_id TEXT
);
CREATE INDEX IF NOT EXISTS versions_by_url ON versions (url, captured_at);
CREATE INDEX IF NOT EXISTS versions_by_key ON versions (site, key, captured_at);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    type TEXT NOT NULL,
    site TEXT NOT NULL,
    url TEXT NOT NULL,
    at TEXT NOT NULL,
    run_id TEXT NOT NULL,
    fields TEXT NOT NULL,
    diff TEXT NOT NULL,
    title TEXT,
    delivered_at TEXT  -- NULL until the scheduler sent it out (a worker's crawl's events)
);
CREATE INDEX IF NOT EXISTS events_by_time ON events (at);
CREATE INDEX IF NOT EXISTS events_by_site ON events (site, at);
-- The order of articles on each listing page a run read: how removals are told
-- from articles merely paged out of view.
CREATE TABLE IF NOT EXISTS listing_items (
    run_id TEXT NOT NULL,
    site TEXT NOT NULL,
    listing TEXT NOT NULL,
    position INTEGER NOT NULL,
    key TEXT NOT NULL,
    url TEXT NOT NULL,
    listed_date TEXT  -- ISO 8601: the date the listing printed beside the item, if any
);
CREATE INDEX IF NOT EXISTS listing_items_by_run ON listing_items (run_id, listing, position);
CREATE INDEX IF NOT EXISTS listing_items_by_key ON listing_items (site, key);
CREATE TABLE IF NOT EXISTS skipped (
    url TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    at TEXT NOT NULL
);
"""

# What brings a catalog of schema N up to N + 1, run before SCHEMA (which only creates
# what is missing). Schema 2 had no listing dates; schema 3's article keys left the host
# out (archive/rekey.py makes them anew and moves the JSON folders to match).
MIGRATIONS: dict[int, tuple[str, ...]] = {
    2: ("ALTER TABLE listing_items ADD COLUMN listed_date TEXT",),
    3: (),
    4: (),  # events.delivered_at: _add_delivered_at
}


@dataclass(frozen=True)
class Capture:
    run_id: str
    url: str
    captured_at: str
    status: int | None
    mime: str | None
    payload_digest: str | None
    record_id: str
    record_type: str
    warc_file: str
    warc_offset: int
    warc_length: int
    refers_to: str | None = None  # a revisit's original response record
    etag: str | None = None
    last_modified: str | None = None


_INSERT_CAPTURE = (
    "INSERT INTO captures (run_id, url, captured_at, status, mime, payload_digest,"
    " record_id, record_type, warc_file, warc_offset, warc_length, refers_to, etag,"
    " last_modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _capture_row(c: Capture) -> tuple[Any, ...]:
    return (c.run_id, c.url, c.captured_at, c.status, c.mime, c.payload_digest, c.record_id,
            c.record_type, c.warc_file, c.warc_offset, c.warc_length, c.refers_to, c.etag,
            c.last_modified)


# How long a connection waits for another's write lock before SQLite says "locked".
BUSY_TIMEOUT_S = 30.0

REBUILD_HINT = "portal-archive verify --rebuild-catalog rebuilds it from the WARCs and JSON"


class Catalog:
    """``new_beside_warcs``: only the rebuild may start a catalog in a folder that already
    holds WARCs; anyone else would take an archive for an empty one (every article
    written again and alerted as new)."""

    def __init__(self, path: Path, *, new_beside_warcs: bool = False) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._queued: list[Capture] = []
        # Queued captures are written once this many wait (1: each at once).
        self.capture_batch = 1
        if not new_beside_warcs:
            check_catalog_file(self.path)
        try:
            # isolation_level=None: we say where transactions begin, so none stays open.
            self.db = sqlite3.connect(self.path, isolation_level=None,
                                      timeout=BUSY_TIMEOUT_S)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise damaged(self.path, exc) from None

    def _migrate(self) -> None:
        (version,) = self.db.execute("PRAGMA user_version").fetchone()
        if version > SCHEMA_VERSION:
            raise PortalArchiveError(f"{self.path} was written by a newer portal-archive")
        if 0 < version < min(MIGRATIONS):
            # Schema 1 only ever existed in development builds; there is nothing to carry.
            raise PortalArchiveError(
                f"{self.path} has catalog schema {version} from a development build;"
                " move it aside to start a new catalog"
            )
        if version:
            self._upgrade(version)
        self.db.executescript(SCHEMA)
        self.db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def _upgrade(self, version: int) -> None:
        """Each step and its version number together: a kill mid-way leaves the catalog
        at a schema it can go on from."""
        for step in range(version, SCHEMA_VERSION):
            try:
                self._upgrade_step(step)
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc):
                    raise
                # Not damage: another process holds the catalog while it upgrades it
                # (schema 4 moves every JSON file, which takes a while on a large archive).
                raise PortalArchiveError(
                    f"the catalog {self.path} is being upgraded to schema {SCHEMA_VERSION}"
                    " by another portal-archive; run again when it is done") from None

    def _upgrade_step(self, step: int) -> None:
        with self.transaction():
            (now,) = self.db.execute("PRAGMA user_version").fetchone()
            if now != step:
                return  # another process took this step while we waited for the lock
            for statement in MIGRATIONS[step]:
                self.db.execute(statement)
            if step == 3:
                rekey_with_hosts(self.db, self.path.parent / "json", self.host_moves)
            if step == 4:
                _add_delivered_at(self.db)
            self.db.execute(f"PRAGMA user_version={step + 1}")

    def close(self) -> None:
        # Whoever queues writes its queue itself and reports a failure (the WARC
        # middleware, at spider_closed); this only keeps what is left of it, if it can.
        with contextlib.suppress(sqlite3.Error):
            self.write_queued()
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Writes that stand or fall together: after a kill, all of them or none.
        Begun and committed within one call of the caller: a write transaction left
        open across reactor turns would hold off every other crawl's connection."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def integrity_problems(self) -> list[str]:
        """SQLite's own full check (every page and index): for verify, not every open."""
        rows = self.db.execute("PRAGMA integrity_check").fetchall()
        return [row[0] for row in rows if row[0] != "ok"]

    # -- runs ----------------------------------------------------------------
    def start_run(self, run_id: str, site: str, started_at: str) -> None:
        self.db.execute(
            "INSERT INTO runs (id, site, started_at) VALUES (?, ?, ?)", (run_id, site, started_at)
        )

    def finish_run(
        self, run_id: str, finished_at: str, status: str, stats: Mapping[str, Any]
    ) -> None:
        self.db.execute(
            "UPDATE runs SET finished_at = ?, status = ?, stats = ? WHERE id = ?",
            (finished_at, status, json.dumps(stats, default=str, sort_keys=True), run_id),
        )

    def close_killed_runs(self, site: str, current_run: str) -> list[str]:
        """Runs of ``site`` still ``running`` although the caller holds the site's lock:
        their process died (kill -9, power). Marked ``killed``, finished at their last
        capture; returns their ids."""
        ids = [row[0] for row in self.db.execute(
            "SELECT id FROM runs WHERE site = ? AND status = 'running' AND id != ?",
            (site, current_run),
        )]
        for run_id in ids:
            self.db.execute(
                "UPDATE runs SET status = 'killed', finished_at = COALESCE((SELECT"
                " max(captured_at) FROM captures WHERE run_id = ?), started_at) WHERE id = ?",
                (run_id, run_id),
            )
        return ids

    def runs(self, site: str | None = None) -> list[sqlite3.Row]:
        if site is None:
            return self.db.execute("SELECT * FROM runs ORDER BY started_at").fetchall()
        return self.db.execute(
            "SELECT * FROM runs WHERE site = ? ORDER BY started_at", (site,)
        ).fetchall()

    # -- captures ------------------------------------------------------------
    def add_capture(self, capture: Capture) -> None:
        self.db.execute(_INSERT_CAPTURE, _capture_row(capture))

    def queue_capture(self, capture: Capture) -> None:
        """Add ``capture`` with the others queued, once `capture_batch` wait."""
        self._queued.append(capture)
        if len(self._queued) >= self.capture_batch:
            self.write_queued()

    def write_queued(self) -> None:
        """Write the queued captures now, in one transaction."""
        if self._queued:
            with self.transaction():
                self.db.executemany(_INSERT_CAPTURE, [_capture_row(c) for c in self._queued])
            self._queued.clear()  # only once written: a failed write keeps them

    def latest_response(self, url: str, status: int | None = None) -> sqlite3.Row | None:
        """The newest full response record of ``url`` (with ``status``, if given): a
        conditional request is made from the last 200, not from a 503 after it."""
        if status is None:
            return self.db.execute(
                "SELECT * FROM captures WHERE url = ? AND record_type = 'response'"
                " ORDER BY captured_at DESC, id DESC LIMIT 1",
                (url,),
            ).fetchone()
        return self.db.execute(
            "SELECT * FROM captures WHERE url = ? AND record_type = 'response' AND status = ?"
            " ORDER BY captured_at DESC, id DESC LIMIT 1",
            (url, status),
        ).fetchone()

    def response_with_payload(
        self, url: str, payload_digest: str, status: int
    ) -> sqlite3.Row | None:
        """The newest full response record of ``url`` with this payload digest and status:
        what an identical-payload revisit refers to. Not simply the URL's latest capture:
        a page that answered 503 once still has its earlier 200 with the same bytes."""
        return self.db.execute(
            "SELECT * FROM captures WHERE url = ? AND payload_digest = ?"
            " AND record_type = 'response' AND status = ?"
            " ORDER BY captured_at DESC, id DESC LIMIT 1",
            (url, payload_digest, status),
        ).fetchone()

    def captured_urls(self, urls: Iterable[str]) -> set[str]:
        """Which of ``urls`` were captured with a usable answer (below 400): one query for
        a page's requisites. A 500 once is no reason never to try again."""
        wanted = list(dict.fromkeys(urls))
        found: set[str] = set()
        for start in range(0, len(wanted), 500):  # below SQLite's variable limit
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"SELECT DISTINCT url FROM captures WHERE url IN ({marks}) AND status < 400",
                chunk,
            )
            found.update(row[0] for row in rows)
        return found

    def captures(self, url: str | None = None) -> list[sqlite3.Row]:
        if url is None:
            return self.db.execute("SELECT * FROM captures ORDER BY id").fetchall()
        return self.db.execute(
            "SELECT * FROM captures WHERE url = ? ORDER BY captured_at", (url,)
        ).fetchall()

    # -- articles and versions -----------------------------------------------
    def known_urls(self, urls: Iterable[str], before_run: str = "") -> set[str]:
        """Which of ``urls`` an earlier crawl archived (an answer below 400) or chose to
        skip (robots.txt); captures of ``before_run`` itself do not count. One query per
        listing page."""
        wanted = list(dict.fromkeys(urls))[:500]  # a listing page has far fewer links
        if not wanted:
            return set()
        marks = ",".join("?" * len(wanted))
        rows = self.db.execute(
            f"SELECT url FROM captures WHERE url IN ({marks}) AND status < 400"
            f" AND run_id != ? UNION SELECT url FROM skipped WHERE url IN ({marks})",
            [*wanted, before_run, *wanted],
        )
        return {row[0] for row in rows}

    def last_run(self, site: str, before_run: str = "") -> sqlite3.Row | None:
        return self.db.execute(
            "SELECT * FROM runs WHERE site = ? AND id != ? ORDER BY started_at DESC LIMIT 1",
            (site, before_run),
        ).fetchone()

    def record_skipped(self, url: str, reason: str, at: str) -> None:
        self.db.execute(
            "INSERT INTO skipped (url, reason, at) VALUES (?, ?, ?)"
            " ON CONFLICT (url) DO UPDATE SET reason = excluded.reason, at = excluded.at",
            (url, reason, at),
        )

    def host_moves(self, site: str) -> HostMoves:
        """The site's recorded moves (its site-moved events, oldest first): what carries
        a moved portal's articles to its new host (archive/keys.py)."""
        rows = self.db.execute(
            "SELECT diff FROM events WHERE site = ? AND type = 'site-moved' ORDER BY at, id",
            (site,),
        )
        return HostMoves(move for move in (move_of(row[0]) for row in rows) if move)

    def latest_version_of(self, site: str, key: str) -> sqlite3.Row | None:
        """The newest version of an article by its key (which names the host its
        articles were first archived under: a portal that moved keeps its articles)."""
        return self.db.execute(
            "SELECT * FROM versions WHERE site = ? AND key = ?"
            " ORDER BY captured_at DESC, id DESC LIMIT 1",
            (site, key),
        ).fetchone()

    def record_article_seen(self, url: str, site: str, key: str, seen_at: str) -> None:
        self.db.execute(
            "INSERT INTO articles (url, site, key, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (url) DO UPDATE SET last_seen = excluded.last_seen, status = 'live'",
            (url, site, key, seen_at, seen_at),
        )

    def add_version(
        self,
        url: str,
        site: str,
        key: str,
        hashes: tuple[str, str],
        captured_at: str,
        run_id: str,
        json_path: str,
        record_id: str | None,
    ) -> None:
        """``hashes`` is (content_hash, text_hash) of the version."""
        self.db.execute(
            "INSERT INTO versions (url, site, key, content_hash, text_hash, captured_at, run_id,"
            " json_path, record_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (url, site, key, *hashes, captured_at, run_id, json_path, record_id),
        )

    # -- articles gone ---------------------------------------------------------
    def mark_removed(self, site: str, key: str) -> sqlite3.Row | None:
        """Mark a live article removed; returns it, or None if it was not live."""
        row = self.db.execute(
            "SELECT * FROM articles WHERE site = ? AND key = ? AND status = 'live'"
            " ORDER BY last_seen DESC LIMIT 1",
            (site, key),
        ).fetchone()
        if row is not None:
            self.db.execute(
                "UPDATE articles SET status = 'removed' WHERE site = ? AND key = ?", (site, key)
            )
        return row

    # -- listings ------------------------------------------------------------
    def add_listing_items(
        self, run_id: str, site: str, listing: str, first_position: int,
        items: list[tuple[str, str]], dates: Sequence[str | None] = (),
    ) -> None:
        """``items``: (key, url) in page order, numbered from ``first_position``;
        ``dates``: the ISO date the listing printed beside each, or None."""
        listed = list(dates) + [None] * (len(items) - len(dates))
        self.db.executemany(
            "INSERT INTO listing_items (run_id, site, listing, position, key, url, listed_date)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(run_id, site, listing, first_position + i, key, url, listed[i])
             for i, (key, url) in enumerate(items)],
        )

    def listed_date(self, site: str, key: str) -> str | None:
        """The date the newest listing that printed one gave the article (ISO 8601):
        a witness of publication beside the article page's own date."""
        row = self.db.execute(
            "SELECT l.listed_date FROM listing_items l JOIN runs r ON r.id = l.run_id"
            " WHERE l.site = ? AND l.key = ? AND l.listed_date IS NOT NULL"
            " ORDER BY r.started_at DESC, l.position LIMIT 1",
            (site, key),
        ).fetchone()
        return row[0] if row else None

    def listing_sequences(self, run_id: str) -> dict[str, list[tuple[str, str]]]:
        """Per listing, the (key, url) pairs a run read, in listing order."""
        sequences: dict[str, list[tuple[str, str]]] = {}
        rows = self.db.execute(
            "SELECT listing, key, url FROM listing_items WHERE run_id = ?"
            " ORDER BY listing, position",
            (run_id,),
        )
        for row in rows:
            sequences.setdefault(row["listing"], []).append((row["key"], row["url"]))
        return sequences

    def previous_listing_run(self, site: str, run_id: str) -> str | None:
        row = self.db.execute(
            "SELECT l.run_id FROM listing_items l JOIN runs r ON r.id = l.run_id"
            " WHERE l.site = ? AND l.run_id != ? ORDER BY r.started_at DESC LIMIT 1",
            (site, run_id),
        ).fetchone()
        return row[0] if row else None

    def forget_listings_before(self, site: str, run_id: str) -> None:
        """Only the last run's listings are ever compared with: drop older ones."""
        self.db.execute(
            "DELETE FROM listing_items WHERE site = ? AND run_id IN (SELECT id FROM runs"
            " WHERE site = ? AND started_at < (SELECT started_at FROM runs WHERE id = ?))",
            (site, site, run_id),
        )

    # -- events --------------------------------------------------------------
    def add_event(self, event: Mapping[str, Any], *, delivered: bool = True) -> None:
        """``delivered``: sent out by its own crawl (else the scheduler sends it)."""
        self.db.execute(
            "INSERT INTO events (type, site, url, at, run_id, fields, diff, title,"
            " delivered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (event["type"], event["site"], event["url"], event["at"], event["run_id"],
             json.dumps(event["fields"], ensure_ascii=False), event["diff"], event.get("title"),
             event["at"] if delivered else None),
        )

    def undelivered_events(self, limit: int = 1000) -> list[sqlite3.Row]:
        """Events no one has sent out yet, oldest first (schedules/delivery.py)."""
        return self.db.execute(
            "SELECT * FROM events WHERE delivered_at IS NULL ORDER BY id LIMIT ?", (limit,)
        ).fetchall()

    def mark_delivered(self, ids: Iterable[int], at: str) -> None:
        self.db.executemany("UPDATE events SET delivered_at = ? WHERE id = ?",
                            [(at, id_) for id_ in ids])

    def events(
        self, since: str | None = None, type_: str | None = None, site: str | None = None,
        run_id: str | None = None, limit: int | None = None, newest_first: bool = False,
    ) -> list[sqlite3.Row]:
        where, args = [], []
        for clause, value in (("at >= ?", since), ("type = ?", type_), ("site = ?", site),
                              ("run_id = ?", run_id)):
            if value is not None:
                where.append(clause)
                args.append(value)
        sql = "SELECT * FROM events" + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY at DESC, id DESC" if newest_first else " ORDER BY at, id"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return self.db.execute(sql, args).fetchall()

    def articles(self, site: str | None = None) -> list[sqlite3.Row]:
        if site is None:
            return self.db.execute("SELECT * FROM articles ORDER BY url").fetchall()
        return self.db.execute(
            "SELECT * FROM articles WHERE site = ? ORDER BY url", (site,)
        ).fetchall()

    def versions(self, url: str | None = None) -> list[sqlite3.Row]:
        if url is None:
            return self.db.execute("SELECT * FROM versions ORDER BY id").fetchall()
        return self.db.execute(
            "SELECT * FROM versions WHERE url = ? ORDER BY captured_at, id", (url,)
        ).fetchall()


def _add_delivered_at(db: sqlite3.Connection) -> None:
    """Schema 5's ``events.delivered_at``; the events already there were sent out by
    their own crawl. (A catalog without the table gets it whole from SCHEMA.)"""
    columns = {row[1] for row in db.execute("PRAGMA table_info(events)")}
    if columns and "delivered_at" not in columns:
        db.execute("ALTER TABLE events ADD COLUMN delivered_at TEXT")
        db.execute("UPDATE events SET delivered_at = at")


# -- a catalog that is gone or damaged ------------------------------------------
def damaged(path: Path, exc: BaseException) -> PortalArchiveError:
    """The one line for a catalog SQLite cannot read (garbage bytes, a torn page)."""
    reason = (str(exc).splitlines() or [exc.__class__.__name__])[0]
    return PortalArchiveError(f"the catalog {path} is damaged ({reason}); {REBUILD_HINT}")


def check_catalog_file(path: Path) -> None:
    """Refuse, in one line, a catalog that is gone, empty beside WARCs, or cut short."""
    _refuse_lost_catalog(path)
    _refuse_truncated(path)


def _holds_warcs(data_root: Path) -> bool:
    warc = data_root / "warc"
    return warc.is_dir() and next(warc.glob("*/*.warc*"), None) is not None


def _refuse_lost_catalog(path: Path) -> None:
    if path.exists() and path.stat().st_size > 0:
        return
    if _holds_warcs(path.parent):
        state = "empty (0 bytes)" if path.exists() else "missing"
        raise PortalArchiveError(
            f"the catalog {path} is {state} but {path.parent / 'warc'} holds WARCs;"
            f" {REBUILD_HINT}"
        )


def _refuse_truncated(path: Path) -> None:
    """A file cut short (a copy interrupted, a disk that filled) is said at open; SQLite
    would only notice when a query reaches a missing page.

    The header is read through SQLite, never with open(): closing any other descriptor
    of the file drops every POSIX lock this process holds on it, the locks of catalog
    connections already open included, and two writers then corrupt it."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return
    if size == 0:
        return  # a new catalog (refused above if the folder holds WARCs)
    journals = [path.with_name(path.name + suffix) for suffix in ("-wal", "-journal")]
    if any(j.exists() and j.stat().st_size for j in journals):
        # A checkpoint (or transaction) cut short by a kill: SQLite completes it from
        # its journal, so until then the file may be shorter than its header says.
        return
    try:
        # immutable: no -shm or -wal is made, no lock taken; just the header read.
        probe = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
        try:
            # page_count is the header's own count while that count is valid (else the
            # file's size, which cannot fall short of itself).
            (pages,) = probe.execute("PRAGMA page_count").fetchone()
            (page_size,) = probe.execute("PRAGMA page_size").fetchone()
        finally:
            probe.close()
    except sqlite3.DatabaseError:
        raise PortalArchiveError(f"the catalog {path} is not a whole SQLite database"
                                 f" ({size} bytes); {REBUILD_HINT}") from None
    expected = pages * page_size
    if size < expected:
        raise PortalArchiveError(
            f"the catalog {path} is truncated ({size} of {expected} bytes); {REBUILD_HINT}"
        )

