"""The citation of one archived version: what a historian quotes to say exactly which
text they read, and where anyone can find the same bytes again.

Everything comes from the version's catalog row and its cleaned JSON: the WARC record id,
file and offset name the response record the text was extracted from, the content hash
is the one change detection compares, and the replay URL is the pywb URL of that very
capture. Pure: the article page passes the replay URL in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from portal_archive.archive.catalogdb import CatalogRow

__all__ = ["Citation", "citation_of"]

ARCHIVER = "portal-archive"


@dataclass(frozen=True)
class Citation:
    url: str
    title: str
    authors: tuple[str, ...]
    portal: str                  # the site profile's name, else its id
    published: str | None        # ISO 8601 with the portal's offset, as in the JSON
    captured_at: str             # ISO 8601 UTC, as in the catalog and WARC-Date
    record_id: str | None        # <urn:uuid:...> of the WARC response record
    warc_file: str | None        # relative to warc/
    warc_offset: int | None
    content_hash: str
    replay_url: str

    def text(self, lang: str = "vi") -> str:
        """The citation to copy, in the page's language."""
        en = lang == "en"
        parts = []
        if self.authors:
            parts.append(", ".join(self.authors) + ".")
        parts.append(f'"{self.title}".')
        day = _day(self.published, en)
        parts.append(f"{self.portal}, {day}." if day else f"{self.portal}.")
        parts.append(f"{self.url}.")
        archived = (f"Archived {self.captured_at} by {ARCHIVER}" if en
                    else f"Lưu trữ lúc {self.captured_at} bởi {ARCHIVER}")
        if self.record_id:
            archived += (", WARC record " if en else ", bản ghi WARC ") + self.record_id
        parts.append(f"{archived}, {self.content_hash}.")
        parts.append(("Replay: " if en else "Xem lại: ") + f"{self.replay_url}.")
        return " ".join(parts)


def _day(published: str | None, en: bool) -> str | None:
    """The publication day in the portal's own time (the JSON keeps its offset):
    day-first in Vietnamese, ISO in English."""
    if not published or len(published) < 10:
        return None
    year, month, day = published[:4], published[5:7], published[8:10]
    return f"{year}-{month}-{day}" if en else f"{day}/{month}/{year}"


def citation_of(article: Mapping[str, Any], version: CatalogRow, portal: str,
                replay_url: str) -> Citation:
    """``article``: the version's cleaned JSON; ``version``: its catalog row (``versions``).
    The catalog's record id is the one indexed; the JSON's ``warc`` says where it is."""
    warc = article.get("warc") or {}
    return Citation(
        url=str(version["url"]),
        title=str(article.get("title") or ""),
        authors=tuple(article.get("authors") or ()),
        portal=portal,
        published=article.get("published"),
        captured_at=str(version["captured_at"]),
        record_id=version["record_id"] or warc.get("record_id"),
        warc_file=warc.get("file"),
        warc_offset=warc.get("offset"),
        content_hash=str(version["content_hash"]),
        replay_url=replay_url,
    )
