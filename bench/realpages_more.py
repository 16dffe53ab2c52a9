"""Field-by-field accuracy on real portal pages kept in other people's git repositories.

bench/realpages_more.json holds the hand-read truth of each page (same fields as
tests/crawler/extract/realpages.json) and where its bytes are: "repo", "commit", "path".
The pages are never copied into this project: they are read with
``git --git-dir <mirrors>/<owner>+<name>/repo show <commit>:<path>`` from local mirrors
of those repositories (the search tool's ``fetch`` lays them out that way); a page whose
mirror is absent is skipped with a message. Our extractor and trafilatura get the same
decoded HTML.

Checks per article (simple logic until tests/realpages.py's scorer is wired in; text is
compared after crawler.text.fold):

* title: equal; published: ISO equal (a day-only truth or answer: the days are compared;
  trafilatura gives a day only);
* images: count equal; caption[i]: positional, equal, null = null (trafilatura gives no
  images, so its count is 0 and its captions all fail unless the truth has none);
* authors: equal as sets; source: equal (null = null); byline: the printed byline is in
  no body line;
* lead: starts with the truth's prefix (trafilatura: its first text line);
* body: every truth fragment is in the extracted text;
* boilerplate: no listed chrome string in any extracted field.

Listings: share of the truth's article links that article_links finds, links it adds,
next page equal.

    python bench/realpages_more.py [--mirrors DIR] [--truth FILE] [--failures]

bench/realpages_more2.json (second round: Đắk Nông department portals) is read with
``--truth bench/realpages_more2.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from parsel import Selector  # noqa: E402

from portal_archive.crawler.extract import ExtractionError, decode_html, extract_article  # noqa: E402
from portal_archive.crawler.extract.listing import article_links, next_page  # noqa: E402
from portal_archive.crawler.text import fold  # noqa: E402

TRUTH = ROOT / "bench" / "realpages_more.json"
FIELDS = ("title", "published", "images", "captions", "authors", "source", "byline",
          "lead", "body", "boilerplate")


def mirror_dirs(given: str | None) -> list[Path]:
    """Where mirrors may be: --mirrors, $PORTAL_ARCHIVE_MIRRORS, then beside the checkout."""
    found = [given, os.environ.get("PORTAL_ARCHIVE_MIRRORS")]
    dirs = [Path(d) for d in found if d]
    return dirs + [ROOT.parent / ".mirror", ROOT.parent.parent / ".mirror"]


def page_bytes(entry: dict[str, Any], mirrors: list[Path]) -> bytes | None:
    """The page's bytes at its commit, or None when no mirror of its repository is here."""
    name = entry["repo"].replace("/", "+")
    for base in mirrors:
        git_dir = base / name / "repo"
        if (git_dir / ".git").is_dir():  # some snapshots arrive as a work tree
            git_dir = git_dir / ".git"
        if git_dir.is_dir():
            done = subprocess.run(["git", "--git-dir", str(git_dir), "show",
                                   f"{entry['commit']}:{entry['path']}"],
                                  capture_output=True, check=False)
            return done.stdout if done.returncode == 0 else None
    return None


# --- what each extractor returns, in one shape -----------------------------------------

def ours(html: str, url: str) -> dict[str, Any]:
    try:
        article = extract_article(html, url)
    except ExtractionError:
        return {}
    return {"title": article["title"], "published": article["published"],
            "lead": article["lead"], "body": article["body"],
            "captions": [i["caption"] for i in article["images"]],
            "authors": article["authors"], "source": article.get("source"),
            "extra": [article["category"] or "",
                      *[i["credit"] or "" for i in article["images"]]]}


def theirs(html: str, url: str) -> dict[str, Any]:
    import trafilatura

    output = trafilatura.extract(html, url=url, output_format="json", with_metadata=True)
    if not output:
        return {}
    doc = json.loads(output)
    lines = [t for t in (doc.get("text") or "").split("\n") if t.strip()]
    authors = [a.strip() for a in (doc.get("author") or "").split(";") if a.strip()]
    return {"title": doc.get("title"), "published": doc.get("date"),
            "lead": lines[0] if lines else None, "body": lines[1:], "captions": [],
            "authors": authors, "source": None, "extra": [doc.get("categories") or ""]}


# --- checks -------------------------------------------------------------------------------

def _f(text: str | None) -> str:
    return fold(text or "")


def _published_ok(got: str | None, want: str | None) -> bool:
    if got is None or want is None:
        return got is None and want is None
    # A day-only truth (the page prints no time) or a day-only answer compares days.
    return got == want if len(got) > 10 and len(want) > 10 else got[:10] == want[:10]


def check_article(got: dict[str, Any], truth: dict[str, Any]) -> dict[str, list[bool]]:
    """Each field's checks (most fields one, captions one per truth image)."""
    text = [got.get("lead") or "", *got.get("body", [])]
    every = [got.get("title") or "", *text, *[c or "" for c in got.get("captions", [])],
             *got.get("authors", []), got.get("source") or "", *got.get("extra", [])]
    joined = _f("\n".join(text))
    captions = got.get("captions", [])
    byline = truth.get("byline")
    return {
        "title": [_f(got.get("title")) == _f(truth["title"])],
        "published": [_published_ok(got.get("published"), truth["published"])],
        "images": [len(captions) == len(truth["images"])],
        "captions": [_f(captions[i] if i < len(captions) else None) == _f(img["caption"])
                     for i, img in enumerate(truth["images"])],
        "authors": [{_f(a) for a in got.get("authors", [])} == {_f(a) for a in truth["authors"]}],
        "source": [_f(got.get("source")) == _f(truth.get("source"))],
        "byline": [not byline or _f(byline) not in _f("\n".join(got.get("body", [])))],
        "lead": [_f(got.get("lead")).startswith(_f(truth["lead"]))],
        "body": [all(_f(frag) in joined for frag in truth["body"])],
        "boilerplate": [not any(_f(b) in _f(field) for b in truth["boilerplate"]
                                for field in every)],
    }


def failures(got: dict[str, Any], truth: dict[str, Any],
             checks: dict[str, list[bool]]) -> list[str]:
    """One line per failed field: what we gave and what the page says."""
    shown = {"images": (len(got.get("captions", [])), len(truth["images"])),
             "captions": (got.get("captions"), [i["caption"] for i in truth["images"]]),
             "byline": (got.get("body"), truth.get("byline")),
             "body": (got.get("body"), truth["body"]),
             "boilerplate": ([f for f in [got.get("title"), got.get("lead"), *got.get("body", [])]
                              if any(_f(b) in _f(f) for b in truth["boilerplate"])],
                             truth["boilerplate"])}
    lines = []
    for name, results in checks.items():
        if not all(results):
            gave, want = shown.get(name, (got.get(name), truth.get(name)))
            lines.append(f"    {name}: gave {str(gave)[:160]!s} | page: {str(want)[:160]!s}")
    return lines


def check_listing(html: str, truth: dict[str, Any]) -> tuple[float, int, bool]:
    selector = Selector(text=html)
    found = article_links(selector, truth["url"])
    want = truth["articles"]
    recall = sum(u in found for u in want) / len(want) if want else 1.0
    extra = len([u for u in found if u not in want])
    return recall, extra, next_page(selector, truth["url"]) == truth["next"]


# --- report -------------------------------------------------------------------------------

def rates(tally: dict[str, list[bool]]) -> str:
    cells = []
    for name in FIELDS:
        results = tally.get(name, [])
        cells.append(f"{100 * sum(results) / len(results):5.0f}%" if results else "    - ")
    every = [r for name in FIELDS for r in tally.get(name, [])]
    return " ".join(cells) + f"  {100 * sum(every) / max(len(every), 1):5.1f}%"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mirrors", help="folder holding <owner>+<name>/repo git dirs")
    parser.add_argument("--truth", default=str(TRUTH))
    parser.add_argument("--failures", action="store_true", help="print each failed check")
    args = parser.parse_args()
    truth = json.loads(Path(args.truth).read_text(encoding="utf-8"))
    mirrors = mirror_dirs(args.mirrors)
    tallies: dict[tuple[str, str], dict[str, list[bool]]] = defaultdict(lambda: defaultdict(list))
    meta_taken: list[bool] = []
    for key, entry in truth["pages"].items():
        body = page_bytes(entry, mirrors)
        if body is None:
            print(f"skipped {key}: no mirror of {entry['repo']} at {entry['commit'][:10]}")
            continue
        html = decode_html(body, None)
        for who, extract in (("portal-archive", ours), ("trafilatura", theirs)):
            got = extract(html, entry["url"])
            checks = check_article(got, entry)
            for tally in (tallies[(who, entry["family"])], tallies[(who, "ALL")]):
                for name, results in checks.items():
                    tally[name].extend(results)
            if who == "portal-archive" and entry.get("published_meta"):
                # The printed date is the truth; how often did we take the meta witness instead?
                meta_taken.append(got.get("published") == entry["published_meta"])
            if args.failures and who == "portal-archive" and not all(map(all, checks.values())):
                print(f"{key} ({entry['family']}):")
                print("\n".join(failures(got, entry, checks)))
    print(f"\n{'':44}" + " ".join(f"{n[:6]:>6}" for n in FIELDS) + "    all")
    for (who, family), tally in sorted(tallies.items(), key=lambda kv: (kv[0][1] == "ALL", kv[0])):
        print(f"{who:15} {family:28}" + rates(tally))
    if meta_taken:
        print(f"portal-archive took the meta datePublished (not the printed date) on "
              f"{sum(meta_taken)} of {len(meta_taken)} pages that have both")
    for key, entry in truth.get("listings", {}).items():
        body = page_bytes(entry, mirrors)
        if body is None:
            print(f"skipped {key}: no mirror of {entry['repo']}")
            continue
        recall, extra, next_ok = check_listing(decode_html(body, None), entry)
        print(f"listing {key}: links {100 * recall:.0f}% of {len(entry['articles'])}, "
              f"{extra} extra, next page {'right' if next_ok else 'wrong'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
