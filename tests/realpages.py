"""The hand-read truth of real portal pages, and the scorer that measures extraction on them.

The truth (tests/crawler/extract/realpages.json) was written by reading each page in a
browser and its HTML, never from an extractor's output. Its conventions:

* ``title``: the headline as printed, with the page's own misprints ("răn trở sử thi");
  never the site heading, breadcrumb or section label above it.
* ``published``: the page's own publication date-time with the portals' offset, +07:00;
  ``null`` where the page prints an empty "( )". A header clock widget or a sidebar
  item's date is no publication date.
* ``lead``: the first ~60 characters of the first paragraph as printed (a sapo split over
  two elements starts in the first); a subhead above it is not the lead. Checked as a
  prefix of the extracted lead.
* ``body``: verbatim fragments (30-80 characters) from the middle and the last paragraph,
  each inside one paragraph; checked as present in the lead and body.
* ``images``: the article's own images in page order (a lead thumbnail counts, sidebar
  and banner images do not); ``caption`` is the printed caption, lines joined by one
  space, or null; ``inline`` is true for a ``data:`` URI.
* bylines: names go to ``authors``, the outlet or office to ``source``, the printed
  line to ``byline``. "Tin, ảnh Ngô Tấm – Thanh Tiến (Đài Truyền thanh huyện)" is
  authors [Ngô Tấm, Thanh Tiến], source "Đài Truyền thanh huyện"; "Theo Báo Đăk Nông
  điện tư" is authors [], source "Báo Đăk Nông điện tư"; "Lệ Sương" is authors
  [Lệ Sương], source null. The byline must not be left in the lead or body.
* ``boilerplate``: strings printed on the page outside the article (toolbar, site
  heading, menus, sidebar headlines, header clock, counters, "Xem chi tiết", footer);
  none may turn up in any extracted text field (compared case-insensitively).
* listings: ``articles`` are the absolute URLs of the list's items in page order (the
  href as printed, resolved against the listing's URL), ``next`` the next page or null,
  ``dates`` each item's printed date (null for an empty "()").

Text is compared after portal_archive.crawler.text.fold. The scorer is generic over the
truth file: an entry with a ``file`` key (or keyed by its file name) is read from
``REALPAGES``; one with ``repo``, ``commit`` and ``path`` from a git mirror of that
repository (``git --git-dir <mirror> show <commit>:<path>``).
"""

from __future__ import annotations

import json
import os
import subprocess
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from parsel import Selector

from portal_archive.crawler.extract import ExtractionError, decode_html, extract_article
from portal_archive.crawler.extract.listing import article_links, next_page
from portal_archive.crawler.text import fold

ROOT = Path(__file__).resolve().parent.parent
TRUTH = ROOT / "tests" / "crawler" / "extract" / "realpages.json"


def _find_realpages() -> Path:
    """``$PORTAL_ARCHIVE_REALPAGES``, else ``shared/realpages`` beside the repository or
    beside a folder above it (a git worktree kept deeper, such as ``wt/NAME``)."""
    if os.environ.get("PORTAL_ARCHIVE_REALPAGES"):
        return Path(os.environ["PORTAL_ARCHIVE_REALPAGES"])
    for folder in ROOT.parents:
        if (folder / "shared" / "realpages").is_dir():
            return folder / "shared" / "realpages"
    return ROOT.parent / "shared" / "realpages"


# The one place the tests and the bench look for the real pages.
REALPAGES = _find_realpages()
# Git mirrors of other repositories' pages: <MIRRORS>/<owner>+<name>[/repo].
MIRRORS = Path(os.environ.get("PORTAL_ARCHIVE_MIRRORS") or ROOT.parent / ".mirror")

# The checks of an article page, in report order.
ARTICLE_FIELDS = ["title", "published", "images", "captions", "authors", "source", "byline",
                  "lead", "body", "boilerplate"]
LISTING_FIELDS = ["links", "order", "next"]

Entry = Mapping[str, Any]
Loader = Callable[[str, Entry], bytes]


@dataclass(frozen=True)
class Check:
    """One scored fact about one page: which field, passed or not, and what was seen."""

    page: str
    field: str
    passed: bool
    detail: str = ""


@dataclass
class Truth:
    """A truth file: article pages and listing pages by name."""

    path: Path
    pages: dict[str, dict[str, Any]]
    listings: dict[str, dict[str, Any]] = field(default_factory=dict)


def truth_files() -> list[Path]:
    """This project's truth, then any further one (bench/realpages_*.json: pages kept in
    other repositories, read from their git mirrors)."""
    return [TRUTH, *sorted((ROOT / "bench").glob("realpages_*.json"))]


def load_truth(path: Path = TRUTH) -> Truth:
    data = json.loads(path.read_text(encoding="utf-8"))
    return Truth(path, data.get("pages", {}), data.get("listings", {}))


# --- where a page's bytes come from --------------------------------------------------------


def folder_loader(folder: Path = REALPAGES) -> Loader:
    """Reads the entry's ``file`` (default: its name) from a folder of saved pages."""
    return lambda name, entry: (folder / entry.get("file", name)).read_bytes()


def mirror_git_dir(repo: str, mirrors: Path = MIRRORS) -> Path:
    """The git directory of a mirrored repository "owner/name"."""
    base = mirrors / repo.replace("/", "+")
    for git_dir in (base / "repo" / ".git", base / "repo", base):  # a work tree or bare
        if git_dir.is_dir():
            return git_dir
    return base


def git_loader(git_dir: Callable[[str], Path] = mirror_git_dir) -> Loader:
    """Reads ``path`` at ``commit`` from the entry's ``repo``, without a work tree."""

    def load(name: str, entry: Entry) -> bytes:
        where = git_dir(entry["repo"])
        if not where.is_dir():
            raise FileNotFoundError(f"{name}: no mirror of {entry['repo']} at {where}")
        done = subprocess.run(
            ["git", "--git-dir", str(where), "show", f"{entry['commit']}:{entry['path']}"],
            capture_output=True, check=False,
        )
        if done.returncode != 0:
            raise FileNotFoundError(f"{name}: {done.stderr.decode(errors='replace').strip()}")
        return done.stdout

    return load


def default_loader(folder: Path = REALPAGES, mirrors: Path = MIRRORS) -> Loader:
    """Git entries from their mirror, the others from the folder."""
    from_folder = folder_loader(folder)
    from_git = git_loader(lambda repo: mirror_git_dir(repo, mirrors))
    return lambda name, entry: (from_git if "repo" in entry else from_folder)(name, entry)


def pages_available(folder: Path = REALPAGES) -> bool:
    return folder.is_dir()


# --- articles --------------------------------------------------------------------------------


def extract(body: bytes, url: str) -> dict[str, Any] | None:
    """portal-archive's generic extraction of one page, None when it gives up."""
    try:
        return extract_article(decode_html(body, None), url)
    except ExtractionError:
        return None


def score_article(name: str, truth: Entry, got: Mapping[str, Any] | None) -> list[Check]:
    """Every check of one article page; a page the extractor gave up on fails them all."""
    if got is None:
        return [Check(c.page, c.field, False, "no article") for c in score_article(name, truth, {})]
    lead = got.get("lead") or ""
    body = [p for p in got.get("body") or [] if p]
    images = list(got.get("images") or [])
    checks = [
        Check(name, "title", _same(got.get("title"), truth["title"]), repr(got.get("title"))),
        Check(name, "published", _same_time(got.get("published"), truth["published"]),
              repr(got.get("published"))),
        Check(name, "images", len(images) == len(truth["images"]),
              f"{len(images)} of {len(truth['images'])}"),
        *_captions(name, truth["images"], images),
        Check(name, "authors", {fold(a) for a in got.get("authors") or []}
              == {fold(a) for a in truth["authors"]}, repr(got.get("authors"))),
        Check(name, "source", _same(got.get("source"), truth["source"]), repr(got.get("source"))),
        Check(name, "lead", _lead_ok(lead, truth["lead"]), repr(lead[:80])),
        _body_check(name, truth["body"], [lead, *body]),
        _boilerplate_check(name, truth["boilerplate"], _texts(got)),
    ]
    if truth.get("byline"):
        checks.append(_byline_check(name, truth["byline"], [lead, *body]))
    return checks


def _same(got: str | None, want: str | None) -> bool:
    if got is None or want is None:
        return got is None and want is None
    return fold(got) == fold(want)


def _lead_ok(got: str, want: str | None) -> bool:
    """The lead opens with the truth's words; a page with no lead (a photo-only body,
    a bare legal text) must be given none."""
    return not got if want is None else fold(got).startswith(fold(want))


def _same_time(got: str | None, want: str | None) -> bool:
    """The same instant; a truth of a day only (``2001-12-25``: a legal text prints no
    time) is matched by the day the extracted time falls on at the portal."""
    if got is None or want is None:
        return got is None and want is None
    try:
        parsed = datetime.fromisoformat(got)
    except ValueError:
        return False
    if len(want) == len("2001-12-25"):
        return parsed.date().isoformat() == want
    return parsed.tzinfo is not None and parsed == datetime.fromisoformat(want)


def _captions(name: str, want: Sequence[Entry], got: Sequence[Mapping[str, Any]]) -> list[Check]:
    # Positional: the i-th image of the page against the i-th image extracted.
    checks = []
    for i, image in enumerate(want):
        if i >= len(got):
            checks.append(Check(name, "captions", False, f"{i}: no image"))
            continue
        caption = got[i].get("caption")
        checks.append(Check(name, "captions", _same(caption, image["caption"]),
                            f"{i}: {caption!r}"))
    return checks


def _body_check(name: str, fragments: Iterable[str], paragraphs: Iterable[str]) -> Check:
    text = " ".join(fold(p) for p in paragraphs)
    missing = [f for f in fragments if fold(f) not in text]
    return Check(name, "body", not missing, f"missing {missing}" if missing else "")


def _byline_check(name: str, byline: str, paragraphs: Iterable[str]) -> Check:
    # A paragraph holding the byline, or a piece of it left behind ("(Đài Truyền thanh
    # huyện)", a bare name), is the byline in the body.
    line = fold(byline)
    left = [p for p in map(fold, paragraphs) if p and (line in p or (len(p) > 2 and p in line))]
    return Check(name, "byline", not left, f"in body: {left}" if left else "")


def _texts(got: Mapping[str, Any]) -> list[str]:
    """Every text field of an extracted article (not URLs)."""
    images = got.get("images") or []
    texts = [got.get("title"), got.get("lead"), *(got.get("body") or []),
             *(i.get(k) for i in images for k in ("caption", "credit")),
             *(got.get("authors") or []), got.get("source"), got.get("category")]
    return [t for t in texts if t]


def _boilerplate_check(name: str, chrome: Iterable[str], texts: Iterable[str]) -> Check:
    folded = [fold(t).lower() for t in texts]
    leaked = [c for c in chrome if any(fold(c).lower() in t for t in folded)]
    return Check(name, "boilerplate", not leaked, f"leaked {leaked}" if leaked else "")


# --- listings --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListingScore:
    """A listing page: the share of its article links found, whether those come in the
    list's order, links found that are no list item's, and its next page."""

    name: str
    recall: float
    in_order: bool
    extra: list[str]
    next_right: bool
    checks: list[Check]


def read_listing(body: bytes, url: str) -> tuple[list[str], str | None]:
    """portal-archive's article links and next page of one listing page."""
    selector = Selector(text=decode_html(body, None))
    return article_links(selector, url), next_page(selector, url)


def score_listing(name: str, truth: Entry, links: Sequence[str], next_url: str | None,
                  dates: Mapping[str, str | None] | None = None) -> ListingScore:
    """Scores found links against the truth; ``dates`` (link -> ISO or None), when the
    extractor gives them, adds one check per truth item."""
    want = list(truth["articles"])
    found = [u for u in links if u in want]
    recall = len(set(found)) / len(want) if want else 1.0
    # Found links in the list's order; finding none is no order to speak of.
    in_order = bool(found) and found == [u for u in want if u in found]
    next_right = next_url == truth["next"]
    checks = [
        Check(name, "links", recall >= 1.0, f"{len(set(found))} of {len(want)}"),
        Check(name, "order", in_order),
        Check(name, "next", next_right, repr(next_url)),
    ]
    if dates is not None:
        checks += [Check(name, "dates", _same_time(dates.get(u), d), f"{u}: {dates.get(u)!r}")
                   for u, d in truth.get("dates", {}).items()]
    extra = [u for u in links if u not in want]
    return ListingScore(name, recall, in_order, extra, next_right, checks)


# --- totals ----------------------------------------------------------------------------------


def per_field(checks: Iterable[Check]) -> dict[str, tuple[int, int]]:
    """field -> (passed, total), in ARTICLE_FIELDS order, then any other field."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for c in checks:
        counts[c.field][0] += c.passed
        counts[c.field][1] += 1
    order = [f for f in [*ARTICLE_FIELDS, *LISTING_FIELDS] if f in counts]
    order += [f for f in counts if f not in order]
    return {f: (counts[f][0], counts[f][1]) for f in order}


def overall(checks: Sequence[Check]) -> float:
    return sum(c.passed for c in checks) / len(checks) if checks else 0.0


def report(checks: Sequence[Check]) -> str:
    """A per-field table and the failed checks, for assertion messages and the bench."""
    lines = [f"{f:12} {p:>3}/{t:<3} {p / t:6.1%}" for f, (p, t) in per_field(checks).items()]
    lines.append(f"{'overall':12} {sum(c.passed for c in checks):>3}/{len(checks):<3}"
                 f" {overall(checks):6.1%}")
    lines += [f"FAIL {c.page} {c.field}: {c.detail}" for c in checks if not c.passed]
    return "\n".join(lines)


def score_all(truth: Truth, loader: Loader | None = None,
              extractor: Callable[[bytes, str], Mapping[str, Any] | None] = extract,
              ) -> list[Check]:
    """Every article check of a truth file with one extractor."""
    load = loader or default_loader()
    checks: list[Check] = []
    for name, entry in truth.pages.items():
        checks += score_article(name, entry, extractor(load(name, entry), entry["url"]))
    return checks


def score_listings(truth: Truth, loader: Loader | None = None) -> list[ListingScore]:
    load = loader or default_loader()
    scores = []
    for name, entry in truth.listings.items():
        links, next_url = read_listing(load(name, entry), entry["url"])
        scores.append(score_listing(name, entry, links, next_url))
    return scores
