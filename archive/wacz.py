"""WACZ export: choose the closed WARCs and the article pages, then let py-wacz's own
``wacz create`` package them (index, pages list, datapackage.json with sha256 digests).

py-wacz runs in a child process: importing it appends ``warcinfo`` to cdxj-indexer's
class-wide list of indexed record types, which would leak into our own CDXJ index.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from warcio.timeutils import timestamp_to_iso_date

from portal_archive.archive.cdxj import CdxjLine, index_warcs, iter_index
from portal_archive.archive.datadir import DataDir
from portal_archive.archive.errors import PortalArchiveError
from portal_archive.archive.replay import nothing_archived
from portal_archive.archive.stamps import utc_stamp14
from portal_archive.archive.warcfile import read_record

REVISIT_MIME = "warc/revisit"


@dataclass(frozen=True)
class Selection:
    warcs: list[Path]  # closed WARC files
    pages: list[dict[str, str]]  # WACZ pages: id, url, ts, title


def parse_since(text: str) -> str:
    """An ISO 8601 date or time, UTC unless it names an offset, as a 14-digit timestamp.

    >>> parse_since("2025-07-01")
    '20250701000000'
    >>> parse_since("2025-07-01T07:30:00+07:00")
    '20250701003000'
    """
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not an ISO 8601 date or time: {text!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return utc_stamp14(moment)


def select(data: DataDir, site: str | None = None, since: str | None = None) -> Selection:
    """The closed WARCs and article pages to export: ``site``'s files (every site's by
    default); with ``since`` (14 digits) only the files holding a capture at or after
    it, and only the pages captured at or after it. Then the files holding the originals
    that the chosen revisits point at are added, whatever their site or age: without
    them those revisits would not replay."""
    every = _closed_warcs(data, None)
    chosen = _closed_warcs(data, site) if site else every
    lines = _capture_lines(data, every)
    if since is not None:
        recent = {line.filename for line in lines if line.timestamp >= since}
        chosen = [path for path in chosen if _relative(data, path) in recent]
        if not chosen:
            when = timestamp_to_iso_date(since)
            raise PortalArchiveError(f"nothing archived at or after {when} in {data.root}")
    names = {_relative(data, path) for path in chosen}
    names |= _originals_needed(lines, names)
    warcs = [path for path in every if _relative(data, path) in names]
    pages = [page for page in _pages(data, site, names) if _ts(page["ts"]) >= (since or "")]
    return Selection(warcs, sorted(pages, key=lambda p: (p["ts"], p["url"])))


def export(
    data: DataDir, out: Path, site: str | None = None, since: str | None = None
) -> Selection:
    """Write the WACZ to ``out`` (replaced atomically) and return what went into it."""
    _check_out_path(out)
    chosen = select(data, site, since)
    _check_unique_names(chosen.warcs)
    title = f"portal-archive: {site or 'all sites'}"
    desc = f"Exported from {data.root.resolve()}" + (
        f", WARC files with captures since {timestamp_to_iso_date(since)}" if since else "")
    partial = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        # Created here, not by mkstemp: a WACZ is for sharing, so the umask's mode, not 0600.
        open(partial, "xb").close()
    except OSError as exc:
        raise PortalArchiveError(f"cannot write {out}: {exc.strerror}") from exc
    try:
        with tempfile.TemporaryDirectory(prefix="portal-archive-wacz-") as folder:
            pages = _write_pages(Path(folder) / "pages.jsonl", chosen.pages, title)
            _wacz_create(Path(partial), chosen.warcs, pages, title, desc)
        os.replace(partial, out)
    finally:
        Path(partial).unlink(missing_ok=True)
    return chosen


def _check_out_path(out: Path) -> None:
    """Only a regular file is replaced: os.replace would put the WACZ in place of a
    device node (/dev/full) or fail on a folder after all the work."""
    if out.exists() and not out.is_file():
        kind = "a folder" if out.is_dir() else "not a regular file"
        raise PortalArchiveError(f"{out} is {kind}; give the path of the .wacz file to write")


def _closed_warcs(data: DataDir, site: str | None) -> list[Path]:
    if not data.warc.is_dir():
        raise nothing_archived(data)
    if site is not None and not (data.warc / site).is_dir():
        raise PortalArchiveError(f"no WARC files for site {site!r} in {data.root}")
    folders = [data.warc / site] if site else sorted(p for p in data.warc.iterdir() if p.is_dir())
    # The glob leaves out *.warc.gz.open: files still being written.
    files = [path for folder in folders for path in sorted(folder.glob("*.warc.gz"))]
    if not files:
        raise nothing_archived(data)
    return files


def _capture_lines(data: DataDir, warcs: list[Path]) -> list[CdxjLine]:
    """Every capture in ``warcs``: read from the index, which each crawl keeps up to
    date; a closed file the index does not know yet (a crash) is indexed here."""
    names = {_relative(data, path) for path in warcs}
    lines = [line for line in iter_index(data.index) if line.filename in names]
    known = {line.filename for line in lines}
    stray = [path for path in warcs if _relative(data, path) not in known]
    return lines + [CdxjLine.parse(line) for line in index_warcs(data.warc, stray)]


def _originals_needed(lines: list[CdxjLine], names: set[str]) -> set[str]:
    """Files to add so that every revisit in ``names`` finds a full capture with its URL
    and payload digest, which is how pywb and ReplayWeb.page look the original up."""
    full: dict[tuple[str, str], list[CdxjLine]] = {}
    for line in lines:
        if line.fields.get("mime") != REVISIT_MIME:
            full.setdefault((line.urlkey, line.fields.get("digest", "")), []).append(line)
    needed: set[str] = set()
    for line in lines:
        if line.filename not in names or line.fields.get("mime") != REVISIT_MIME:
            continue
        candidates = full.get((line.urlkey, line.fields.get("digest", "")), [])
        if candidates and not any(c.filename in names | needed for c in candidates):
            needed.add(_likeliest_original(line, candidates).filename)
    return needed


def _likeliest_original(revisit: CdxjLine, candidates: list[CdxjLine]) -> CdxjLine:
    """The newest capture before the revisit, from its own site if there is one."""
    earlier = [c for c in candidates if c.timestamp <= revisit.timestamp] or candidates
    site = revisit.filename.split("/", 1)[0]
    return max(earlier, key=lambda c: (c.filename.split("/", 1)[0] == site, c.timestamp))


def _pages(data: DataDir, site: str | None, names: set[str]) -> Iterable[dict[str, str]]:
    """One page per archived article version (its JSON file), at the URL and time of the
    record the JSON points at, so that a page opens exactly that capture."""
    for path in sorted(data.json.glob(f"{site or '*'}/*/*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        pointer = doc.get("warc")
        if not pointer or pointer["file"] not in names:
            continue
        record, _ = read_record(data.warc / pointer["file"], pointer["offset"])
        headers = record.rec_headers
        yield {
            "id": headers.get_header("WARC-Record-ID").strip("<>").rsplit(":", 1)[-1],
            "url": headers.get_header("WARC-Target-URI"),
            "ts": headers.get_header("WARC-Date"),
            "title": doc.get("title") or headers.get_header("WARC-Target-URI"),
        }


def _ts(warc_date: str) -> str:
    """'2026-06-27T09:22:00.123Z' -> '20260627092200'"""
    return "".join(ch for ch in warc_date if ch.isdigit())[:14]


def _relative(data: DataDir, path: Path) -> str:
    return path.relative_to(data.warc).as_posix()


def _check_unique_names(warcs: list[Path]) -> None:
    # A WACZ keeps its WARCs flat under archive/, by file name.
    names = [path.name for path in warcs]
    clash = sorted({name for name in names if names.count(name) > 1})
    if clash:
        raise PortalArchiveError(f"two WARC files share the name {clash[0]}; export one --site")


def _write_pages(path: Path, pages: list[dict[str, str]], title: str) -> Path:
    # Written even when empty: WACZ 1.1.1 says pages/pages.jsonl MUST be present.
    header = {"format": "json-pages-1.0", "id": "pages", "title": title}
    with open(path, "w", encoding="utf-8") as out:
        for line in [header, *pages]:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    return path


def _wacz_create(out: Path, warcs: list[Path], pages: Path, title: str, desc: str) -> None:
    # --copy-pages: our pages are read from the very records they name, so py-wacz's
    # matching has nothing to add, and without it an empty list would write no file.
    cmd = [sys.executable, "-m", "wacz", "create", "-o", str(out), "--hash-type", "sha256",
           "--title", title, "--desc", desc, "--pages", str(pages), "--copy-pages"]
    proc = subprocess.run([*cmd, *map(str, warcs)], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        said = (proc.stderr.strip() or proc.stdout.strip() or "no message").splitlines()[-1]
        raise PortalArchiveError(f"wacz create failed: {said}")
