"""The extractor: from an article page's HTML to the cleaned fields of the contract."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

from portal_archive.crawler.sites import GENERIC, Selectors, SiteProfile
from portal_archive.crawler.text import content_hash
from portal_archive.crawler.vntime import event_date

from .authors import Byline, find_authors
from .boilerplate import drop_hidden, drop_never_text, drop_repeats, strip_boilerplate
from .captions import assign_captions
from .content import article_scope, declared_body, pick_container
from .dateline import article_date, lift_date_lines
from .decode import parse_html
from .errors import ExtractionError
from .fields import Published, Title, category, lead_element, published, title
from .leadline import lead_line
from .lines import Image, Item, Line
from .page import Head, canonical_url, read_head, safe_join
from .pinned import Pinned, drop_removed, pin, value
from .survey import Survey, nearest, survey_page
from .thumbnail import lead_thumbnails
from .tree import El, describe
from .walk import walk

logger = logging.getLogger(__name__)

SCHEMA = "portal-archive.article/1"
# The order --explain lists the article's fields in; images' rules follow, authors last.
_EXPLAIN_HEAD = ("url", "category", "title", "published", "event_date", "lead", "body")
_EXPLAIN_TAIL = ("authors", "source")


def extract_article(
    html: str,
    url: str,
    *,
    site: str | None = None,
    profile: SiteProfile | None = None,
    explain: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The cleaned article: the contract's fields except ``captured_at`` and ``warc``.

    ``url`` is where the page was fetched (relative links resolve against it); the
    result's ``url`` is the page's canonical URL when that is on the same host.
    ``profile``'s selectors win where they find something; the generic rules fill the
    rest. ``site`` defaults to the profile's id, else ``"generic"``. If ``explain`` is
    given, it is filled with the name of the rule that found each field
    (``{"published": "meta article:published_time", "images[0].caption": ...}``).
    Raises ExtractionError, and nothing else, when the page has no article.
    """
    if site is None:
        site = profile.id if profile is not None else GENERIC
    rules: dict[str, str] = {}
    try:
        fields = extract_fields(html, url, site, profile.selectors if profile else None, rules)
    except ExtractionError:
        raise
    except Exception as exc:  # a bug must not stop a crawl: it fails this page only
        logger.exception("extraction failed for %s", url)
        raise ExtractionError(f"extraction failed: {exc.__class__.__name__}: {exc}") from exc
    if explain is not None:  # in the order of the article's fields
        explain.update((k, rules.pop(k)) for k in _EXPLAIN_HEAD if k in rules)
        tail = {k: rules.pop(k) for k in _EXPLAIN_TAIL if k in rules}
        explain.update(rules)
        explain.update(tail)
    return fields


@dataclass
class _Page:
    """The parsed page, its boilerplate gone, with what the profile's selectors found."""

    head: Head
    base: str  # what relative links resolve against
    pinned: Pinned
    container: El | None  # the content block
    crumbs: list[str]  # the breadcrumb's items
    survey: Survey


def extract_fields(
    html: str,
    url: str,
    site: str,
    selectors: Selectors | None = None,
    rules: dict[str, str] | None = None,
) -> dict[str, Any]:
    """extract_article without its safety net: a bug raises what it raises."""
    rules = {} if rules is None else rules
    page = _read_page(html, url, selectors, rules)
    pinned, container = page.pinned, page.container
    head_title = title(page.survey, container, page.head, pinned)
    rules["title"] = head_title.rule
    near_date = article_date(page.survey.dates, head_title.el, head_title.at, container)
    date_line = published(page.head, near_date, pinned)
    rules["published"] = date_line.rule
    near_category = nearest(page.survey.categories, head_title.at)
    category_name, rules["category"] = category(
        near_category, page.crumbs, head_title.text, page.head, pinned
    )
    scope = article_scope(container, head_title.el)
    lead_el, lead_rule = lead_element(scope, container, pinned)
    # Elements read as other fields are no body text.
    skip = [e for e in (head_title.el, lead_el, date_line.el) if e is not None]
    skip += head_title.parts
    skip += [f.el for f in (near_date, near_category) if f is not None]
    skip += [pinned.one[k] for k in ("category",) if k in pinned.one] + pinned.authors
    seen = {head_title.text, date_line.raw or "", category_name or ""}
    items = _body_items(page, skip, seen)
    byline = find_authors(items, scope, pinned, container)
    rules["authors"], rules["source"] = byline.authors_rule, byline.source_rule
    body_lines = [it for it in items if isinstance(it, Line)]
    lines = [it.text for it in body_lines]
    marked = [it.bold or it.heading for it in body_lines]
    lead, rules["lead"] = _lead(lead_el, lead_rule, lines, marked, container)
    if not head_title.text and not lead:
        raise ExtractionError("no article: no title and no paragraphs")
    event = event_date(lead or "", date_line.value)
    rules["event_date"] = (
        "the lead's opening date, year from published" if event else "not found in the lead"
    )
    canonical = canonical_url(url, page.head)
    rules["url"] = "link rel=canonical" if canonical != url else "the fetched URL"
    images = lead_thumbnails(scope, head_title.el, lead_el, container, page.base)
    images += [i for i in items if isinstance(i, Image)]
    _explain_images(images, rules)
    return _article(canonical, site, category_name, head_title, date_line, event, lead,
                    lines, images, byline)


def _read_page(html: str, url: str, selectors: Selectors | None, rules: dict[str, str]) -> _Page:
    root = parse_html(html)
    head = read_head(root)
    base = safe_join(url, head.base) or url
    pinned = pin(root, selectors)  # before <head> goes: a selector may read a meta tag
    drop_never_text(root)
    keep = pinned.elements()
    drop_hidden(root, keep)
    drop_removed(root, selectors, keep)
    container, rules["body"] = _content_block(root, pinned)
    title_h1s = lift_date_lines(root, container)
    crumbs = strip_boilerplate(root, container, keep, title_h1s)
    survey = survey_page(root, container, pinned.one.get("title"))
    return _Page(head, base, pinned, container, crumbs, survey)


def _content_block(root: El, pinned: Pinned) -> tuple[El | None, str]:
    """The profile's content block, else the page's declared body, else the densest
    text block, with its rule."""
    container = pinned.one.get("content")
    if container is not None:
        return container, pinned.rule("content")
    container = declared_body(root)
    if container is not None:
        return container, f"{describe(container)} (itemprop articleBody)"
    container = pick_container(root)
    if container is not None:
        return container, f"paragraphs of {describe(container)} (densest text block)"
    return None, "not found"


def _body_items(page: _Page, skip: list[El], seen: set[str]) -> list[Item]:
    """The content block's lines and images, repeats and captions taken out."""
    items: list[Item] = []
    if page.container is not None:
        captions = {id(el): page.pinned.rule("captions") for el in page.pinned.captions}
        items = drop_repeats(walk(page.base, page.container, skip, captions), seen)
    return assign_captions(items)


def _lead(
    lead_el: El | None, rule: str, lines: list[str], marked: list[bool], container: El | None
) -> tuple[str | None, str]:
    """The lead element's text, else the first prose line (taken out of ``lines``)."""
    if lead_el is not None:
        return value(lead_el), rule
    return lead_line(lines, marked, container)


def _explain_images(images: list[Image], rules: dict[str, str]) -> None:
    for n, image in enumerate(images):
        rules[f"images[{n}].src"] = image.src_rule
        rules[f"images[{n}].caption"] = image.caption_rule or "none"
        rules[f"images[{n}].credit"] = image.credit_rule or "none"


def _article(
    url: str,
    site: str,
    category_name: str | None,
    head_title: Title,
    date_line: Published,
    event: date | None,
    lead: str | None,
    lines: list[str],
    images: list[Image],
    byline: Byline,
) -> dict[str, Any]:
    """The contract's fields in the contract's order, with their content hash."""
    fields: dict[str, Any] = {
        "schema": SCHEMA,
        "url": url,
        "site": site,
        "category": category_name,
        "title": head_title.text,
        "published": date_line.value.isoformat() if date_line.value else None,
        "published_raw": date_line.raw,
        "event_date": event.isoformat() if event else None,
        "lead": lead or None,
        "body": lines,
        "images": [_image_json(i) for i in images],
        "authors": byline.authors,
        "source": byline.source,
    }
    fields["content_hash"] = content_hash(fields)
    return fields


def _image_json(image: Image) -> dict[str, Any]:
    """A URL image is ``{src, caption, credit}`` as ever; an inline one adds ``inline``."""
    out: dict[str, Any] = {"src": image.src, "caption": image.caption, "credit": image.credit}
    if image.inline is not None:
        out["inline"] = image.inline.as_json()
    return out
