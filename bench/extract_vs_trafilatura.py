"""Article extraction against trafilatura: pages per second and field accuracy.

The pages are the fixture corpus (tests/crawler/fixtures/pages: each page with its
expected article, written by hand) and the bundled demo portal's article pages (whose
ground truth the portal knows). Both extractors get the same decoded HTML in the same
process; speed is the best of --rounds passes over every page. Accuracy:

* title, published date (the day: trafilatura gives no time), authors (as a set): exact;
* body recall: share of the words of the expected lead and body paragraphs extracted;
* body precision: share of the extracted words that belong to the article (its
  paragraphs, captions, credits, authors or title: trafilatura keeps captions in its
  text, which is no error of its own);
* boilerplate leak: share of pages where menu, related-news, share-bar, footer or counter
  text turns up in any extracted field.

Text is compared after crawler.text.fold (NFC, white space, tone placement), so that
NFD pages do not count against trafilatura. "portal-archive" reads the pages with their
site profiles where the fixture names one, "generic" never does.

Real pages (issue 10): the hand-read truth of real portal pages (tests/realpages.py, its
pages in ../shared/realpages or $PORTAL_ARCHIVE_REALPAGES; --truth adds another truth
file) is scored field by field with the checks of tests/crawler/extract/test_realpages.py.
trafilatura's JSON gives title, date (a day: "published" needs the time, so a
"published day" row compares days for both), author and text lines (the first is its
lead, the rest its body); its images are the <graphic> elements of its XML output with
images, and it gives no caption, so only images printed without one can pass.
Listings are portal-archive's alone: trafilatura does not read listing pages.

    pip install -e '.[bench]'
    python bench/extract_vs_trafilatura.py --rounds 5 --demo-articles 60 [--profile]
    python bench/extract_vs_trafilatura.py --figures [--quick]   # bench/run.py's lines

--figures prints the speed ratio (portal-archive's pages per second over trafilatura's) on
the fixture and demo pages and on the real pages, and the share of real-page checks each
passes (the "published day" row aside, as in the table).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import logging
import pstats
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "bench"))
from figures import emit, unavailable  # noqa: E402

from portal_archive.crawler.extract import ExtractionError, decode_html, extract_article  # noqa: E402
from portal_archive.crawler.sites import SiteProfile, load_profile  # noqa: E402
from portal_archive.crawler.text import fold  # noqa: E402
from tests import realpages  # noqa: E402

PAGES = ROOT / "tests" / "crawler" / "fixtures" / "pages"
# The demo portal's chrome (menu, share bar, related news, footer, counter, script).
DEMO_BOILERPLATE = ["Chia sẻ", "Tin liên quan", "Cơ quan chủ quản", "Lượt truy cập",
                    "Ghi rõ nguồn", "Tìm kiếm", "portalStats"]
_WORD_RE = re.compile(r"\w+")


@dataclass
class Page:
    name: str
    html: str
    url: str
    profile: SiteProfile | None
    title: str
    day: str | None  # YYYY-MM-DD of publication
    paragraphs: list[str]  # lead + body
    article_text: list[str]  # every text of the article: what may be extracted
    authors: list[str]
    boilerplate: list[str] = field(default_factory=list)
    layout: str = "demo"


@dataclass
class Result:
    """What an extractor returned, reduced to what is scored."""

    title: str = ""
    day: str | None = None
    text: list[str] = field(default_factory=list)  # the article text it claims
    fields: list[str] = field(default_factory=list)  # every text it returns
    authors: list[str] = field(default_factory=list)


def corpus_pages() -> list[Page]:
    pages = []
    for spec_path in sorted(PAGES.glob("*.json")):
        spec = json.loads(spec_path.read_text(encoding="utf-8"))
        body = (PAGES / f"{spec_path.stem}.html").read_bytes()
        page = _page(
            spec_path.stem, decode_html(body, spec["content_type"]), spec["fetch_url"],
            load_profile(spec["site"]) if spec["site"] else None, spec["expected"],
            spec["boilerplate"],
        )
        page.layout = spec["layout"]
        pages.append(page)
    return pages


def demo_pages(articles: int) -> list[Page]:
    from portal_archive.crawler.demo.content import DemoSite
    from portal_archive.crawler.demo.portal import Pages

    site = DemoSite(articles=articles)
    render = Pages(site)
    pages = []
    for id in range(1, site.max_id(0) + 1):
        served = site.served(id, 0)
        if served is None:
            continue
        truth = served.article
        expected = {
            "title": truth.title, "published": truth.published.isoformat(),
            "lead": truth.lead, "body": truth.body, "authors": truth.authors,
            "category": truth.category,
            "images": [{"caption": i.caption, "credit": i.credit} for i in truth.images],
        }
        url = "http://127.0.0.1:8089" + truth.path
        pages.append(_page(f"demo-{id}", render.article(served, 0), url, None, expected,
                           DEMO_BOILERPLATE))
    return pages


def _page(name: str, html: str, url: str, profile: SiteProfile | None,
          expected: dict[str, Any], boilerplate: list[str]) -> Page:
    paragraphs = [t for t in [expected["lead"], *expected["body"]] if t]
    captions = [t for i in expected["images"] for t in (i["caption"], i["credit"]) if t]
    extra = [expected["title"], *expected["authors"], expected["category"] or ""]
    return Page(name, html, url, profile, expected["title"],
                (expected["published"] or "")[:10] or None, paragraphs,
                paragraphs + captions + extra, expected["authors"], boilerplate)


# --- the two extractors ------------------------------------------------------------------


def ours(page: Page, use_profile: bool = True) -> dict[str, Any] | None:
    try:
        return extract_article(page.html, page.url,
                               profile=page.profile if use_profile else None)
    except ExtractionError:
        return None


def ours_result(article: dict[str, Any] | None) -> Result:
    if article is None:
        return Result()
    text = [t for t in [article["lead"], *article["body"]] if t]
    captions = [t for i in article["images"] for t in (i["caption"], i["credit"]) if t]
    return Result(article["title"], (article["published"] or "")[:10] or None, text,
                  [article["title"], *text, *captions, *article["authors"],
                   article["category"] or ""], article["authors"])


def theirs(page: Page) -> str | None:
    import trafilatura

    return trafilatura.extract(page.html, url=page.url, output_format="json",
                               with_metadata=True)


def theirs_result(output: str | None) -> Result:
    if not output:
        return Result()
    doc = json.loads(output)
    text = [t for t in (doc.get("text") or "").split("\n") if t.strip()]
    authors = [a.strip() for a in re.split(r"[;,]", doc.get("author") or "") if a.strip()]
    title = doc.get("title") or ""
    return Result(title, doc.get("date") or None, text,
                  [title, *text, doc.get("author") or "", doc.get("categories") or ""], authors)


def theirs_article(body: bytes, url: str) -> dict[str, Any] | None:
    """trafilatura's output for a real page as an article dict for tests/realpages.py."""
    import trafilatura
    from lxml import etree

    html = decode_html(body, None)
    output = theirs(Page("", html, url, None, "", None, [], [], []))
    if not output:
        return None
    doc = json.loads(output)
    lines = [t for t in (doc.get("text") or "").split("\n") if t.strip()]
    xml = trafilatura.extract(html, url=url, output_format="xml", include_images=True)
    graphics = etree.fromstring(xml.encode()).iter("graphic") if xml else []
    return {"title": doc.get("title"), "published": doc.get("date"),
            "lead": lines[0] if lines else None, "body": lines[1:],
            "images": [{"caption": None, "credit": None} for _ in graphics],
            "authors": theirs_result(output).authors, "source": None,
            "category": doc.get("categories") or None}


# --- scoring ------------------------------------------------------------------------------


def _words(texts: list[str]) -> Counter[str]:
    return Counter(w for t in texts for w in _WORD_RE.findall(fold(t).lower()))


def score(page: Page, got: Result) -> dict[str, float]:
    expected_body, article = _words(page.paragraphs), _words(page.article_text)
    extracted = _words(got.text)
    overlap = sum((extracted & expected_body).values())
    belongs = sum((extracted & article).values())
    folded = [fold(t) for t in got.fields if t]
    return {
        "title": float(fold(got.title) == fold(page.title)),
        "published date": float(got.day == page.day),
        "body recall": overlap / max(1, sum(expected_body.values())),
        "body precision": belongs / sum(extracted.values()) if extracted else 0.0,
        "boilerplate leak": float(any(fold(b) in t for b in page.boilerplate for t in folded)),
        "authors": float({fold(a) for a in got.authors} == {fold(a) for a in page.authors}),
    }


METRICS = ["title", "published date", "body recall", "body precision", "boilerplate leak",
           "authors"]


def accuracy(pages: list[Page], results: list[Result]) -> dict[str, float]:
    scores = [score(p, r) for p, r in zip(pages, results, strict=True)]
    return {m: sum(s[m] for s in scores) / len(scores) for m in METRICS}


REAL_COLUMNS = {"portal-archive": realpages.extract, "trafilatura": theirs_article}
# Compared for both columns beside "published": trafilatura's date has no time.
DAY = "published day"


def real_checks(truth: realpages.Truth, load: realpages.Loader) -> dict[str, list[realpages.Check]]:
    """Each column's checks over a truth file's article pages (FileNotFoundError if a page
    or its mirror is absent)."""
    bodies = {name: load(name, entry) for name, entry in truth.pages.items()}
    checks: dict[str, list[realpages.Check]] = {name: [] for name in REAL_COLUMNS}
    for name, entry in truth.pages.items():
        want_day = (entry["published"] or "")[:10] or None
        for column, read in REAL_COLUMNS.items():
            got = read(bodies[name], entry["url"])
            got_day = ((got or {}).get("published") or "")[:10] or None
            checks[column] += [*realpages.score_article(name, entry, got),
                               realpages.Check(name, DAY, got_day == want_day)]
    return checks


def real_pages_table(truth_path: Path, misses: bool) -> None:
    """The real pages' per-field accuracy, portal-archive beside trafilatura, per family
    where the truth names them, and the listings' figures."""
    truth = realpages.load_truth(truth_path)
    load = realpages.default_loader()
    try:
        checks = real_checks(truth, load)
    except FileNotFoundError as missing:
        print(f"\nreal pages ({truth_path.name}): skipped, {missing} (pages:"
              " $PORTAL_ARCHIVE_REALPAGES, mirrors: $PORTAL_ARCHIVE_MIRRORS)")
        return
    print(f"\nreal pages: {truth_path.name} ({len(truth.pages)} article pages,"
          f" {len(truth.listings)} listings; share of checks passed)")
    print(f"  {'':22}{'portal-archive':>15}{'':10}{'trafilatura':>13}   checks")
    ours_fields, their_fields = (realpages.per_field(checks[n]) for n in REAL_COLUMNS)
    for f, (ours_passed, total) in ours_fields.items():
        print(f"  {f:22}{ours_passed / total:>15.1%}{'':10}"
              f"{their_fields[f][0] / total:>13.1%}   of {total}")
    scored = {n: [c for c in cs if c.field != DAY] for n, cs in checks.items()}
    _real_overall("all checks", scored, set(truth.pages))
    for family in sorted({e["family"] for e in truth.pages.values() if "family" in e}):
        _real_overall(f"family {family}", scored,
                      {n for n, e in truth.pages.items() if e.get("family") == family})
    for score in realpages.score_listings(truth, load):
        print(f"  listing {score.name}: {score.recall:.0%} of its article links"
              f"{' (out of order)' if score.recall and not score.in_order else ''},"
              f" {len(score.extra)} other links,"
              f" next page {'right' if score.next_right else 'wrong'}")
    if misses:
        for column, cs in checks.items():
            for c in cs:
                if not c.passed:
                    print(f"{column}: {c.page}: {c.field}: {c.detail}")


def _real_overall(label: str, scored: dict[str, list[realpages.Check]], pages: set[str]) -> None:
    ours_share, their_share = (realpages.overall([c for c in scored[n] if c.page in pages])
                               for n in REAL_COLUMNS)
    count = sum(c.page in pages for c in scored["trafilatura"])
    print(f"  {label:22}{ours_share:>15.1%}{'':10}{their_share:>13.1%}   of {count}"
          f" ({len(pages)} pages)")


def best_rate(pages: list[Page], extract: Callable[[Page], object], rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for page in pages:
            extract(page)
        best = min(best, time.perf_counter() - started)
    return len(pages) / best


def real_page_bodies() -> tuple[list[Page], dict[str, list[realpages.Check]]]:
    """Every real article page that can be read (as a Page for timing) and both columns'
    checks over them; truth files whose pages are absent are left out."""
    load = realpages.default_loader()
    pages: list[Page] = []
    checks: dict[str, list[realpages.Check]] = {name: [] for name in REAL_COLUMNS}
    for truth_path in realpages.truth_files():
        truth = realpages.load_truth(truth_path)
        try:
            found = real_checks(truth, load)
            bodies = {name: load(name, entry) for name, entry in truth.pages.items()}
        except FileNotFoundError:
            continue
        for column, cs in found.items():
            checks[column] += [c for c in cs if c.field != DAY]
        pages += [Page(name, decode_html(body, None), truth.pages[name]["url"], None, "",
                       None, [], [], []) for name, body in bodies.items()]
    return pages, checks


def figures(pages: list[Page], rounds: int) -> None:
    rate = {"ours": best_rate(pages, ours, rounds), "theirs": best_rate(pages, theirs, rounds)}
    emit("extract_vs_trafilatura", rate["ours"] / rate["theirs"],
         f"(speed ratio on {len(pages)} fixture and demo pages, best of {rounds};"
         f" {rate['ours']:.0f} vs {rate['theirs']:.0f} pages/s)")
    real, checks = real_page_bodies()
    if not real:
        for name in ("extract_real_speed_ratio", "extract_real_accuracy"):
            print(unavailable(name, "no real pages: $PORTAL_ARCHIVE_REALPAGES and"
                              " $PORTAL_ARCHIVE_MIRRORS"))
        return
    generic = lambda p: ours(p, False)  # noqa: E731 (real pages are read without a profile)
    ratio = best_rate(real, generic, rounds) / best_rate(real, theirs, rounds)
    emit("extract_real_speed_ratio", ratio, f"(speed ratio on {len(real)} real pages)")
    share = {n: realpages.overall(cs) for n, cs in checks.items()}
    emit("extract_real_accuracy", share["portal-archive"],
         f"(share of {len(checks['trafilatura'])} checks passed on {len(real)} real pages;"
         f" trafilatura {share['trafilatura']:.3f})")
    emit("extract_real_accuracy_vs_trafilatura",
         share["portal-archive"] / max(share["trafilatura"], 1e-9),
         "(portal-archive's share of real-page checks passed / trafilatura's)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="timed passes; the best counts")
    parser.add_argument("--demo-articles", type=int, default=60,
                        help="demo portal articles to add to the corpus (0: none)")
    parser.add_argument("--profile", action="store_true",
                        help="cProfile our extractor over the pages and print the top 25")
    parser.add_argument("--misses", action="store_true", help="list the pages each one missed")
    parser.add_argument("--truth", type=Path, action="append",
                        help="a real-page truth file to score (repeatable; default:"
                        f" {realpages.TRUTH.relative_to(ROOT)} and bench/realpages_*.json)")
    parser.add_argument("--figures", action="store_true", help="print bench/run.py's lines")
    parser.add_argument("--quick", action="store_true",
                        help="CI size: 2 rounds, 10 demo articles")
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.demo_articles = 2, 10
    try:
        import trafilatura  # noqa: F401
    except ImportError:
        print("trafilatura is not installed: pip install -e '.[bench]' (or pip install"
              " trafilatura)", file=sys.stderr)
        return 1
    logging.disable(logging.CRITICAL)  # impossible dates are logged on purpose

    corpus = corpus_pages()
    demo = demo_pages(args.demo_articles) if args.demo_articles else []
    pages = corpus + demo
    if args.figures:
        figures(pages, args.rounds)
        return 0
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(lambda: [ours(p) for p in pages for _ in range(3)])
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)

    columns = {
        "portal-archive": (lambda p: ours(p), lambda p: ours_result(ours(p))),
        "generic": (lambda p: ours(p, False), lambda p: ours_result(ours(p, False))),
        "trafilatura": (theirs, lambda p: theirs_result(theirs(p))),
    }
    rates = {name: best_rate(pages, run, args.rounds) for name, (run, _) in columns.items()}
    results = {name: [read(p) for p in pages] for name, (_, read) in columns.items()}
    tables = [("all pages", pages), ("fixture corpus", corpus)] + ([("demo portal", demo)]
                                                                   if demo else [])
    layouts = len({p.layout for p in corpus})
    print(f"{len(corpus)} fixture pages in {layouts} layouts, {len(demo)} demo portal"
          f" pages; speed: best of {args.rounds} passes over all {len(pages)} pages")
    header = f"{'':24}{'portal-archive':>15}{'generic':>10}{'trafilatura':>13}{'ratio':>8}"
    print(f"\n{header}\n{'-' * len(header)}")
    ours_rate, their_rate = rates["portal-archive"], rates["trafilatura"]
    print(f"{'pages/second':24}{ours_rate:>15.0f}{rates['generic']:>10.0f}{their_rate:>13.0f}"
          f"{ours_rate / their_rate:>7.1f}x")
    for title, subset in tables:
        index = [pages.index(p) for p in subset]
        acc = {name: accuracy(subset, [results[name][i] for i in index]) for name in columns}
        print(f"{title} ({len(subset)} pages)")
        for m in METRICS:
            a, g, t = (acc[n][m] for n in columns)
            ratio = f"{a / t:>7.2f}x" if t else f"{'-':>8}"
            print(f"  {m:22}{a:>15.1%}{g:>10.1%}{t:>13.1%}{ratio}")
    print("(boilerplate leak: lower is better; ratio = portal-archive / trafilatura)")
    if args.misses:
        for name in columns:
            for page, result in zip(pages, results[name], strict=True):
                s = score(page, result)
                missed = [m for m in METRICS if (s[m] < 1) != (m == "boilerplate leak")]
                missed = [m for m in missed if m != "boilerplate leak" or s[m] > 0]
                if missed:
                    print(f"{name}: {page.name}: {', '.join(missed)}")
    for truth_path in args.truth or realpages.truth_files():
        real_pages_table(truth_path, args.misses)
    return 0


if __name__ == "__main__":
    sys.exit(main())
