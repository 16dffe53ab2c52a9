"""The article page (one archived version, its timeline, its citation) and the diff page
(two versions side by side, word by word).

Everything shown comes from the catalog (``versions``, ``events``, ``articles``) and the
version's cleaned JSON under json/; images and the archived page itself are only ever
linked through the replay origin (``Archive.replay_url``), never the live portal, and no
archived text is marked safe: the templates escape it all.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from portal_archive.archive.browser.citation import citation_of
from portal_archive.archive.browser.page import Archive, NotFound, Request, Response
from portal_archive.archive.browser.worddiff import collapse, diff_articles
from portal_archive.archive.catalogdb import CatalogRow
from portal_archive.archive.errors import PortalArchiveError
from portal_archive.crawler.sites import load_profile

__all__ = ["article_page", "diff_page"]

# What a version's capture was, as the change events call it.
_KINDS = ("new", "edited", "cosmetic")


@dataclass(frozen=True)
class Version:
    """One captured version of an article, as the timeline shows it."""

    row: CatalogRow
    kind: str  # new / edited / cosmetic

    @property
    def id(self) -> int:
        return int(self.row["id"])

    @property
    def captured_at(self) -> str:
        return str(self.row["captured_at"])

    @property
    def url(self) -> str:
        return str(self.row["url"])


def article_page(req: Request, browser: Archive) -> Response:
    site, key = req.route["site"], req.route["key"]
    versions = _timeline(req, browser)
    shown = _chosen(req, versions, "v", len(versions) - 1)
    article = _article_json(req, browser, shown)
    compare_a, compare_b = _compare_defaults(versions, shown)
    return browser.render(
        req, "article.html", site=site, key=key, article=article, shown=shown,
        versions=versions, removed=_removed_since(browser, site, key),
        images=_images(browser, article, shown),
        citation=citation_of(article, shown.row, _portal_name(site),
                             browser.replay_url(shown.url, shown.captured_at)),
        compare_a=compare_a, compare_b=compare_b,
        replay_urls={v.id: browser.replay_url(v.url, v.captured_at) for v in versions},
    )


def diff_page(req: Request, browser: Archive) -> Response:
    site, key = req.route["site"], req.route["key"]
    versions = _timeline(req, browser)
    if len(versions) < 2:
        only = _article_json(req, browser, versions[0])
        return browser.render(req, "diff.html", site=site, key=key, versions=versions,
                              a=versions[0], b=None, rows=[], changes=Counter(),
                              title=only.get("title") or "")
    a = _chosen(req, versions, "a", len(versions) - 2)
    b = _chosen(req, versions, "b", len(versions) - 1)
    old, new = _article_json(req, browser, a), _article_json(req, browser, b)
    rows = diff_articles(old, new)
    return browser.render(
        req, "diff.html", site=site, key=key, versions=versions, a=a, b=b,
        rows=collapse(rows), title=new.get("title") or old.get("title"),
        changes=Counter(row.change for row in rows if row.change != "same"),
        replay_a=browser.replay_url(a.url, a.captured_at),
        replay_b=browser.replay_url(b.url, b.captured_at),
    )


def _compare_defaults(versions: Sequence[Version], shown: Version) -> tuple[int, int]:
    """What the compare form offers first: the shown version beside the one before it
    (or after it, for the first)."""
    at = versions.index(shown)
    if at > 0:
        return versions[at - 1].id, shown.id
    return shown.id, versions[min(1, len(versions) - 1)].id


# -- reading the catalog -------------------------------------------------------------

def _timeline(req: Request, browser: Archive) -> list[Version]:
    """Every captured version of the article, oldest first, each with its kind."""
    site, key = req.route["site"], req.route["key"]
    rows = browser.catalog.execute(
        "SELECT * FROM versions WHERE site = :site AND key = :key ORDER BY captured_at, id",
        {"site": site, "key": key},
    )
    if not rows:
        raise NotFound(_said(req, f"Kho không có bài {site}/{key}.",
                             f"There is no archived article {site}/{key}."))
    kinds = _event_kinds(browser, site, {str(r["url"]) for r in rows})
    versions, previous = [], None
    for row in rows:
        versions.append(Version(row, _kind_of(row, previous, kinds)))
        previous = row
    return versions


def _event_kinds(browser: Archive, site: str, urls: set[str]) -> dict[tuple[str, str], str]:
    """(run, url) -> the change event a run reported for the article's URLs."""
    names = {f"u{i}": url for i, url in enumerate(sorted(urls))}
    kinds = {f"k{i}": kind for i, kind in enumerate(_KINDS)}
    rows = browser.catalog.execute(
        "SELECT run_id, url, type FROM events WHERE site = :site"
        f" AND url IN ({', '.join(':' + n for n in names)})"
        f" AND type IN ({', '.join(':' + k for k in kinds)}) ORDER BY at, id",
        {"site": site, **names, **kinds},
    )
    return {(str(r["run_id"]), str(r["url"])): str(r["type"]) for r in rows}


def _kind_of(row: CatalogRow, previous: CatalogRow | None,
             kinds: dict[tuple[str, str], str]) -> str:
    """The first version is new; a later one is what its run's event said, or, where no
    event says it (a catalog rebuilt from the WARCs), what its hashes say."""
    if previous is None:
        return "new"
    said = kinds.get((str(row["run_id"]), str(row["url"])))
    if said in ("edited", "cosmetic"):
        return said
    return "edited" if row["content_hash"] != previous["content_hash"] else "cosmetic"


def _removed_since(browser: Archive, site: str, key: str) -> str | None:
    """When the article was last seen, if the portal has removed it since."""
    rows = browser.catalog.execute(
        "SELECT status, last_seen FROM articles WHERE site = :site AND key = :key"
        " ORDER BY last_seen DESC",
        {"site": site, "key": key},
    )
    if rows and rows[0]["status"] == "removed":
        return str(rows[0]["last_seen"])
    return None


def _chosen(req: Request, versions: Sequence[Version], param: str, default: int) -> Version:
    """The version a query parameter names (one of this article's), else the default."""
    wanted = req.params.get(param, "").strip()
    if not wanted:
        return versions[default]
    for version in versions:
        if str(version.id) == wanted:
            return version
    raise NotFound(_said(req, f"Bài này không có phiên bản {wanted}.",
                         f"This article has no version {wanted}."))


def _article_json(req: Request, browser: Archive, version: Version) -> dict[str, Any]:
    """The version's cleaned JSON; a file missing or damaged is one line naming it."""
    path = browser.data.json / str(version.row["json_path"])
    try:
        article = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        article = None
    if not isinstance(article, dict):
        # Named as the data folder names it (json/...), not by the server's own path.
        shown = f"json/{version.row['json_path']}"
        raise NotFound(_said(req, f"Không đọc được văn bản của phiên bản {version.id}: {shown}",
                             f"The text of version {version.id} cannot be read: {shown}"))
    return article


def _said(req: Request, vi: str, en: str) -> str:
    return vi if req.lang == "vi" else en


# -- what the templates show ---------------------------------------------------------

@dataclass(frozen=True)
class Image:
    src: str              # through the replay origin, never the live portal
    caption: str | None
    credit: str | None


def _images(browser: Archive, article: dict[str, Any], version: Version) -> list[Image]:
    return [Image(browser.replay_url(str(i["src"]), version.captured_at, "im_"),
                  i.get("caption"), i.get("credit"))
            for i in article.get("images") or [] if i.get("src")]


def _portal_name(site: str) -> str:
    try:
        return load_profile(site).name
    except PortalArchiveError:  # generic crawls, a profile since deleted
        return site
