"""Archived text is text: a title holding markup is shown escaped on every page of ours
(a copy of the archive whose title was changed to hold a script), and no page carries a
script or an image from anywhere but the replay origin."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from portal_archive.archive.catalog import open_catalog
from portal_archive.archive.datadir import DataDir

from .conftest import REPLAY_BASE, Archive, get, serving

SCRIPT = '<script>alert("pwned")</script><img src=x onerror=alert(1)>'


def test_a_script_in_an_archived_title_is_escaped(archive: Archive, tmp_path: Path) -> None:
    data = archive.copy(tmp_path)
    catalog = open_catalog(DataDir(data))
    try:
        row = catalog.execute("SELECT id, title, key, published_day FROM search_docs"
                              " WHERE latest = 1 AND published_day IS NOT NULL"
                              " ORDER BY id LIMIT 1")[0]
        catalog.execute("UPDATE search_docs SET title = :t WHERE id = :id",
                        {"t": SCRIPT + " " + row["title"], "id": row["id"]})
        catalog.execute("UPDATE events SET title = :t", {"t": SCRIPT})
    finally:
        catalog.close()
    word = row["title"].split()[0]
    with serving(data) as base:
        pages = [get(base + f"/site/demo?month={row['published_day'][:7]}"),
                 get(base + "/search?q=" + quote(row["title"])),
                 get(base + "/events")]
    for page in pages:
        assert page.status == 200
        assert SCRIPT not in page.text and "<script" not in page.text
        assert "&lt;script&gt;alert(" in page.text, word
        tree = page.tree
        assert not tree.cssselect("script") and not tree.cssselect("img")


def test_no_page_loads_anything_from_elsewhere(web: str) -> None:
    for path in ("/", "/site/demo", "/search?q=h%E1%BB%99i", "/events"):
        tree = get(web + path).tree
        assert not tree.cssselect("script, iframe, object, embed")
        for img in tree.cssselect("img"):
            assert img.get("src").startswith(REPLAY_BASE + "/")
        for link in tree.cssselect("link[rel=stylesheet]"):
            assert link.get("href").startswith("/static/")
