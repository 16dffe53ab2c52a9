"""Article extraction: from an article page's HTML to the cleaned fields of the contract.

Generic rules only, no per-site code:

1. boilerplate is dropped by tag and by class/id (menus, share bars, related news...),
   unless it holds the article (ASP.NET pages wrap everything in a <form>);
2. the content block is the element directly holding the most paragraph text;
3. title, date and category are the elements nearest to the h1 (meta tags first);
4. the content block is flattened into lines and images in document order, and
   captions (figure, image table, centred/italic line after an image, caption
   classes), credits and the closing byline are told apart from body paragraphs.

A site profile's ``[selectors]`` (crawler/sites.py) pin parts down first: what they
find wins, the rules above fill the rest. Every field records the name of the rule that
found it (``--explain``): a record kept as the extraction goes, not a second pass.

Plain ``lxml.etree`` elements are used throughout: ``lxml.html``'s Python-level
element class lookup costs more than the parse itself.
"""

from __future__ import annotations

import codecs
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree
from w3lib.encoding import (
    html_body_declared_encoding,
    html_to_unicode,
    http_content_type_encoding,
    read_bom,
)

from portal_archive.crawler.authors import looks_like_author_line, split_authors
from portal_archive.crawler.caption import (
    block_align,
    is_caption_class,
    is_italic_style,
    looks_like_caption,
    split_credit,
)
from portal_archive.crawler.sites import GENERIC, Selectors, SiteProfile
from portal_archive.crawler.text import clean, content_hash, fold
from portal_archive.crawler.vntime import event_date, looks_like_date, parse_datetime

__all__ = ["SCHEMA", "ExtractionError", "decode_html", "extract_article"]

logger = logging.getLogger(__name__)

SCHEMA = "portal-archive.article/1"

_El = etree._Element


class ExtractionError(ValueError):
    """The page holds no article (no title and no paragraphs)."""


# --- tags and class names ---------------------------------------------------------------

_PARSER = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True)
# Never article text, wherever they are.
_DROP_TAGS = (
    "script", "style", "noscript", "iframe", "template", "svg", "object", "embed",
    "button", "select", "input", "textarea", "canvas", "map", "video", "audio", "head",
)  # fmt: skip
# Usually boilerplate, but ASP.NET portals wrap whole pages in <form> and HTML5 pages
# put the h1 in <header>, so these are dropped only when they hold no article.
_SOFT_DROP_TAGS = frozenset({"nav", "header", "footer", "aside", "form"})
_BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "center", "dd", "details", "dialog",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2",
    "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre",
    "section", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "caption",
})  # fmt: skip
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})

# Class/id roles, matched per token ("tin-lien-quan", "itemDateCreated").
_BOILER = 1
_LOGO = 2
_DATE = 4
_CATEGORY = 8
_SAPO = 16
_AUTHOR = 32
_TITLE = 64
_CRUMB = 128
_ROLE_RES = (
    (
        _BOILER,
        r"menu|breadcrumb|footer|social|sidebar|banner|comment|counter|share|sharing|relate"
        r"|lien-?quan|lien_quan|tin-?khac|tin_khac|other|advert|quang-?cao|cookie|popup"
        r"|pagination|paging|font-?size|text-?size|toolbar|tool-bar|navbar|navigation"
        r"|^nav|nav$|^tags?$|tags-?(?:list|box)|keyword|tu-?khoa|rating|vote|^in-?bai$"
        r"|^(?:btn-?)?print(?:-?(?:btn|button|icon|link|page))?$|print-?(?:btn|button|icon|link)$"
        r"|^search|login|^(?:site|top|main|page)?[-_]?header(?:$|[-_])",
    ),
    (_LOGO, r"logo|brand|site-?name|site-?title"),
    (_DATE, r"date|time|ngay|publish|created|posted|thoi-?gian"),
    (_CATEGORY, r"categor|chuyen-?muc|cat-?name|danh-?muc"),
    (
        _SAPO,
        r"sapo|^lead$|^lead[-_]|[-_]lead$|summary|description|tom-?tat|introtext|chapeau"
        r"|trich-?yeu|abstract",
    ),
    (_AUTHOR, r"author|tac-?gia|byline|writer|nguoi-?viet"),
    (_TITLE, r"title|tieu-?de|headline"),
    (_CRUMB, r"breadcrumb"),
)
_ROLES = tuple((flag, re.compile(rx, re.I)) for flag, rx in _ROLE_RES)

_TITLE_SUFFIX_RE = re.compile(
    r"^(.{8,}?)\s+[-|–—:]\s+[^-|–—]*(?:cổng|trang|thông tin|báo|portal|sở|ubnd|tỉnh"
    r"|thành phố|\.vn|\.gov)[^-|–—]*$",
    re.I,
)
# Labels that open the publication line ("Cập nhật lúc : 27/06/2025 16:22").
_DATE_LABEL_RE = re.compile(
    r"^(?:cập nhật|ngày đăng|đăng ngày|đăng lúc|ngày cập nhật|ngày xuất bản|xuất bản"
    r"|thời gian|posted|published|updated|thứ\s+(?:hai|ba|tư|năm|sáu|bảy|[2-7])|chủ nhật)",
    re.I,
)
_DATE_LABEL_INITIALS = frozenset("CcNnĐđTtXxPpUu")
_CATEGORY_LABEL_RE = re.compile(r"^(?:chuyên mục|danh mục|đăng trong|published in)\s*:?\s*", re.I)
_HOME_RE = re.compile(r"^(?:trang chủ|trang nhất|trang chính|home)$", re.I)
_CRUMB_SPLIT_RE = re.compile(r"\s*[»>›/|]\s*")
# The "+ aa -" font-size widget and share/print lines, when they survive as text.
_JUNK_RE = re.compile(
    r"^(?:(?:[+\-–−]?\s*a{1,2}\s*[+\-–−]?\s*)+|(?:\s*[|/•·]?\s*(?:chia sẻ|in bài|bản in|gửi email"
    r"|gửi bài viết|email|print|facebook|zalo|twitter|quay lại|về đầu trang|lên đầu trang)"
    r"\s*[|/•·]?\s*)+)$",
    re.I,
)
_TINY_SRC_RE = re.compile(
    r"(?:^|[/_.-])(?:spacer|blank|pixel|1x1|transparent|loading|loader|placeholder|icons?"
    r"|emoji|smiley)(?:[/_.-][^/]*)?$|\.ico$",
    re.I,
)
_BOLD_STYLE_RE = re.compile(r"font-weight\s*:\s*(?:bold|[6-9]00)", re.I)
_LAZY_ATTRS = ("data-src", "data-original", "data-lazy-src", "data-lazyload", "data-echo", "src")
_PUBLISHED_META = (
    "article:published_time", "og:published_time", "datepublished", "pubdate",
    "publishdate", "dc.date.issued", "date",
)  # fmt: skip
_MIN_IMG_PX = 50
_MIN_PARAGRAPH = 25  # characters of text that make a block count for density
_MAX_META_TEXT = 150  # date/category lines are short
_MAX_DATE_LINE = 40  # a line that is only a date and a time
_MAX_CATEGORY = 80
_MIN_TITLE, _MAX_TITLE = 8, 300
_MAX_SOURCE_LINE = 80  # "Nguồn: TTXVN" after the byline
_MAX_PLAIN_BYLINE = 40  # a byline with no styling must be this short


@lru_cache(maxsize=8192)
def _classify(attrs: str) -> int:
    """Role flags of a "class id" string (cached: sites repeat their class names)."""
    flags = 0
    for token in attrs.split():
        for flag, rx in _ROLES:
            if rx.search(token):
                flags |= flag
    return flags


def _roles(el: _El) -> int:
    cls, ident = el.get("class"), el.get("id")
    if not cls and not ident:
        return 0
    return _classify(f"{cls or ''} {ident or ''}")


def _text(el: _El) -> str:
    return etree.tostring(el, method="text", encoding="unicode", with_tail=False)


def _drop(el: _El) -> None:
    """Remove an element but keep its tail text (as lxml.html's drop_tree)."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _contains(outer: _El, inner: _El) -> bool:
    return any(a is outer for a in inner.iterancestors())


def _describe(el: _El) -> str:
    """``tag.class#id`` of an element, to name it in an explanation."""
    tag = el.tag if isinstance(el.tag, str) else "?"
    cls = ".".join((el.get("class") or "").split()[:2])
    ident = el.get("id")
    return tag + (f".{cls}" if cls else "") + (f"#{ident}" if ident else "")


# --- decoding and parsing -----------------------------------------------------------------


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Decode a response body as what it really is.

    As a browser would (BOM, header, <meta charset>, UTF-8), with two corrections for
    the portals' misdeclared pages: bytes that are valid UTF-8 with non-ASCII text are
    UTF-8 whatever the page declares (a legacy page is practically never valid UTF-8),
    and a page that is mostly not UTF-8 is the single-byte encoding it declares, else
    windows-1258, the legacy Vietnamese code page of Windows/IIS portals.
    """
    try:
        encoding, text = html_to_unicode(content_type, body)
    except (LookupError, ValueError):
        encoding, text = "utf-8", body.decode("utf-8", "replace")
    if read_bom(body)[0] is not None or body.isascii():
        return text
    is_utf8 = codecs.lookup(encoding).name == "utf-8"
    if not is_utf8:
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            return text  # the declared legacy encoding it is
    bad = text.count("\ufffd")
    if bad and bad * 2 > sum(1 for c in text if c > "\x7f") - bad:
        return body.decode(_legacy_encoding(body, content_type), "replace")
    return text


def _legacy_encoding(body: bytes, content_type: str | None) -> str:
    """A single-byte encoding the page declares besides UTF-8, else windows-1258."""
    for declared in (
        http_content_type_encoding(content_type or ""),
        html_body_declared_encoding(body),
    ):
        if declared and codecs.lookup(declared).name != "utf-8":
            return declared
    return "cp1258"


def _parse(html: str) -> _El:
    # Bytes with an explicit UTF-8 parser: libxml2 silently truncates a str at a lone
    # surrogate and refuses one with an XML encoding declaration, and the explicit
    # encoding overrides a stale <meta charset> left in the decoded text.
    data = html.replace("\x00", "").encode("utf-8", "replace")
    try:
        root = etree.fromstring(data, _PARSER)
    except (ValueError, etree.LxmlError):
        root = None
    if root is None:
        raise ExtractionError("no article: empty or unparseable page")
    return root


# --- the page's head ----------------------------------------------------------------------


@dataclass
class _Head:
    meta: dict[str, str] = field(default_factory=dict)
    title: str = ""
    canonical: str | None = None
    base: str | None = None


def _read_head(root: _El) -> _Head:
    head = _Head()
    for el in root.iter("meta", "link", "title", "base"):
        if el.tag == "meta":
            key = (el.get("property") or el.get("name") or el.get("itemprop") or "").lower()
            content = el.get("content")
            if key and content and key not in head.meta:
                head.meta[key] = content
        elif el.tag == "link":
            if head.canonical is None and "canonical" in (el.get("rel") or "").lower().split():
                head.canonical = el.get("href")
        elif el.tag == "title":
            head.title = head.title or clean(_text(el))
        elif head.base is None:
            head.base = el.get("href")
    return head


def _safe_join(base: str, href: str | None) -> str | None:
    href = (href or "").strip()
    if not href:
        return None
    try:
        return urljoin(base, href)
    except ValueError:  # e.g. a malformed IPv6 host
        return None


def _canonical_url(url: str, head: _Head) -> str:
    canonical = _safe_join(url, head.canonical)
    if canonical is None or not canonical.startswith(("http://", "https://")):
        return url
    try:
        return _drop_default_port(canonical) if _host(canonical) == _host(url) else url
    except ValueError:
        return url


def _drop_default_port(url: str) -> str:
    """SharePoint writes https://host:443/... in its canonical links: the same URL."""
    parts = urlsplit(url)
    if (parts.scheme, parts.port) in (("http", 80), ("https", 443)):
        host = parts.netloc.rsplit(":", 1)[0]
        return parts._replace(netloc=host).geturl()
    return url


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().removeprefix("www.")


# --- boilerplate --------------------------------------------------------------------------


def _is_logo_h1(h1: _El) -> bool:
    el: _El | None = h1
    for _ in range(3):
        if el is None:
            break
        if _roles(el) & _LOGO:
            return True
        el = el.getparent()
    links = h1.findall(".//a")
    return len(links) == 1 and (links[0].get("href") or "").strip() in ("/", "./", "#")


def _is_title_h1(h1: _El) -> bool:
    return not _is_logo_h1(h1) and bool(clean(_text(h1)))


def _strip_boilerplate(root: _El, container: _El | None, pinned: list[_El]) -> list[str]:
    """Drop boilerplate in place; return the breadcrumb's items (read before it goes).

    What holds the content block, a real h1 or an element a profile pinned is the
    article, whatever its class or tag says (ASP.NET's page-wide <form>, "print-area"
    wrappers, <header>).
    """
    # The list keeps the proxies alive, so that their id()s stay theirs.
    anchors = [h for h in root.iter("h1") if _is_title_h1(h)] + pinned
    anchors += [container] if container is not None else []
    keep = anchors + [a for el in anchors for a in el.iterancestors()]
    protected = {id(a) for a in keep}
    crumbs: list[str] | None = None
    doomed = []
    for el in root.iter():
        roles = _roles(el)
        if crumbs is None and roles & _CRUMB:
            crumbs = _breadcrumb_items(el)
        if (roles & _BOILER or el.tag in _SOFT_DROP_TAGS) and id(el) not in protected:
            doomed.append(el)
    for el in doomed:
        _drop(el)
    return crumbs or []


def _breadcrumb_items(el: _El) -> list[str]:
    items = [clean(_text(a)) for a in el.iter("a")]
    if not any(items):
        items = _CRUMB_SPLIT_RE.split(clean(_text(el)))
    return [t for t in items if t and not _HOME_RE.match(t)]


# --- a site profile's selectors -------------------------------------------------------------


@dataclass
class _Pinned:
    """What a profile's selectors found: first match, or every match for lists."""

    one: dict[str, _El] = field(default_factory=dict)  # title, published, ..., content
    authors: list[_El] = field(default_factory=list)
    captions: list[_El] = field(default_factory=list)
    css: dict[str, str] = field(default_factory=dict)

    def rule(self, key: str) -> str:
        return f"profile selector {self.css[key]}"

    def elements(self) -> list[_El]:
        return [*self.one.values(), *self.authors, *self.captions]


def _pin(root: _El, selectors: Selectors | None) -> _Pinned:
    """Run the profile's selectors on the whole page, <head> included (meta tags)."""
    pinned = _Pinned()
    if selectors is None:
        return pinned
    for key in ("title", "published", "category", "lead", "content", "authors", "captions"):
        sel = getattr(selectors, key)
        found = sel(root) if sel is not None else []
        if not found:
            continue
        pinned.css[key] = sel.css
        if key == "authors":
            pinned.authors = found
        elif key == "captions":
            pinned.captions = found
        else:
            pinned.one[key] = found[0]
    return pinned


def _drop_removed(root: _El, selectors: Selectors | None, keep: list[_El]) -> None:
    if selectors is None:
        return
    # A removed block that holds a pinned element stays: the profile asked for both.
    # (The list keeps the ancestors' proxies alive, so that their id()s stay theirs.)
    held = [a for e in keep for a in (e, *e.iterancestors())]
    kept = {id(a) for a in held}
    for sel in selectors.remove:
        for el in sel(root):
            if id(el) not in kept:
                _drop(el)


def _value(el: _El) -> str:
    """What a pinned element says: a meta tag's content, a <time>'s datetime, else its text."""
    if el.tag == "meta":
        return clean(el.get("content") or "")
    if el.tag == "time" and el.get("datetime"):
        return clean(el.get("datetime") or "")
    return clean(_text(el))


# --- the content block ---------------------------------------------------------------------


def _has_block(el: _El) -> bool:
    # A plain loop: lxml's multi-tag filter costs more to set up than it saves here.
    return any(d.tag in _BLOCK_TAGS for d in el.iterdescendants())


def _pick_container(root: _El) -> _El | None:
    """The element directly holding the most paragraph text; its parent scores half.

    A <p> or paragraph-like leaf <div>/<td> counts for its parent; a leaf cell with
    several <br> lines (old table portals) holds its own text. Link text does not
    count (menus, lists of related news).
    """
    scores: dict[int, float] = {}
    elements: dict[int, _El] = {}

    def add(el: _El | None, n: float) -> None:
        if el is not None:
            elements[id(el)] = el
            scores[id(el)] = scores.get(id(el), 0.0) + n

    for el in root.iter("p", "div", "td"):
        if el.tag != "p" and _has_block(el):
            continue
        n = len(_text(el).strip()) - sum(len(_text(a)) for a in el.iter("a"))
        if n < _MIN_PARAGRAPH:
            continue
        holder = el if el.tag != "p" and len(el.findall("br")) >= 2 else el.getparent()
        if holder is not None:
            add(holder, n)
            add(holder.getparent(), n / 2)
    if not scores:
        return None
    return elements[max(scores, key=scores.__getitem__)]


def _scope(container: _El | None, h1: _El | None) -> _El | None:
    """The article around the content block: up to the h1's ancestor, a few levels at most."""
    if container is None:
        return h1.getparent() if h1 is not None else None
    ups = [container]
    for a in container.iterancestors():
        if len(ups) > 4 or a.tag in ("body", "html"):
            break
        ups.append(a)
    if h1 is not None:
        for a in ups:
            if a is h1 or _contains(a, h1):
                return a
    return ups[min(2, len(ups) - 1)]


# --- what sits around the title -------------------------------------------------------------


@dataclass
class _Found:
    el: _El
    text: str
    at: int  # position in document order
    rule: str  # how it was recognised, for explanations
    value: datetime | None = None


@dataclass
class _Survey:
    """One pass over the cleaned page: h1s, date/category/title lines and positions."""

    h1s: list[tuple[int, _El]] = field(default_factory=list)
    dates: list[_Found] = field(default_factory=list)
    categories: list[_Found] = field(default_factory=list)
    titles: list[_Found] = field(default_factory=list)
    container_at: int = 0
    pinned_title_at: int | None = None


def _survey(root: _El, container: _El | None, pinned_title: _El | None) -> _Survey:
    s = _Survey()
    for i, el in enumerate(root.iter()):
        tag = el.tag
        if el is container:
            s.container_at = i
        elif el is pinned_title:
            s.pinned_title_at = i
        if tag == "h1" and _is_title_h1(el):
            s.h1s.append((i, el))
        roles = _roles(el)
        if tag == "time" and _add_date(
            s.dates, el, clean(el.get("datetime") or ""), i, "<time datetime>"
        ):
            pass
        elif roles & _DATE or _has_date_label(el.text) or _is_date_line(el.text):
            text = _short_text(el, _MAX_META_TEXT)
            if text:
                what = (
                    "date class" if roles & _DATE
                    else "date label in" if _has_date_label(el.text) else "date line in"
                )
                _add_date(s.dates, el, text, i, f"{what} {_describe(el)}")
        if roles & _CATEGORY:
            name = _category_text(el)
            if name:
                s.categories.append(_Found(el, name, i, f"category class {_describe(el)}"))
        if roles & _TITLE and tag not in ("html", "body"):
            text = _short_text(el, _MAX_TITLE)
            if text and len(text) >= _MIN_TITLE:
                s.titles.append(_Found(el, text, i, f"title class {_describe(el)}"))
    return s


def _short_text(el: _El, limit: int) -> str | None:
    """The element's cleaned text if it is at most ``limit`` long (cheap check first)."""
    raw = _text(el)
    if len(raw) > 4 * limit:  # white space may shrink, but not by that much
        return None
    text = clean(raw)
    return text if len(text) <= limit else None


def _add_date(found: list[_Found], el: _El, text: str, at: int, rule: str) -> bool:
    """Record a date line; an impossible date is recorded too (value None), so that it
    is not passed over for a farther date that is not the article's."""
    dt = parse_datetime(text) if text else None
    if dt is not None or (text and looks_like_date(text)):
        found.append(_Found(el, text, at, rule, dt))
    return dt is not None


def _has_date_label(text: str | None) -> bool:
    # Only short texts can be a date line; the first letter rules out most texts
    # before NFC (for NFD pages) is paid for.
    if not text or len(text) > _MAX_META_TEXT:
        return False
    stripped = text.lstrip()
    if not stripped or stripped[0] not in _DATE_LABEL_INITIALS:
        return False
    return _DATE_LABEL_RE.match(unicodedata.normalize("NFC", stripped)) is not None


def _is_date_line(text: str | None) -> bool:
    """A short text that opens with a time or date ("16:22 27/06/2025"): a date line
    even without a label or a class."""
    if not text or len(text) > _MAX_DATE_LINE:
        return False
    stripped = text.strip()
    return stripped[:1].isdigit() and looks_like_date(stripped)


def _category_text(el: _El) -> str | None:
    links = [t for t in (_short_text(a, _MAX_CATEGORY) for a in el.iter("a")) if t]
    text = links[-1] if links else _short_text(el, _MAX_CATEGORY)
    name = _CATEGORY_LABEL_RE.sub("", text or "")
    return name if 1 < len(name) <= _MAX_CATEGORY and not _HOME_RE.match(name) else None


def _nearest(found: list[_Found], at: int) -> _Found | None:
    return min(found, key=lambda f: abs(f.at - at), default=None)


def _pick_h1(
    survey: _Survey, container: _El | None, og_title: str
) -> tuple[int, _El, str] | None:
    """The h1 matching og:title, else inside the content block, else the last before it."""
    h1s = survey.h1s
    if og_title:
        for pos, h in h1s:
            if fold(_text(h)) == og_title:
                return pos, h, "h1 matching og:title"
    if container is not None:
        inside = [(pos, h) for pos, h in h1s if _contains(container, h)]
        if inside:
            return *inside[0], "h1 in the content block"
        before = [(pos, h) for pos, h in h1s if pos < survey.container_at]
        if before:
            return *before[-1], "last h1 before the content block"
    return (*h1s[0], "first h1") if h1s else None


@dataclass
class _Title:
    text: str
    el: _El | None  # kept out of the body
    at: int  # position, to find the date and category nearest to it
    rule: str


def _title(survey: _Survey, container: _El | None, head: _Head) -> _Title:
    og = clean(head.meta.get("og:title", ""))
    h1 = _pick_h1(survey, container, fold(og))
    if h1 is not None:
        return _Title(clean(_text(h1[1])), h1[1], h1[0], h1[2])
    at = survey.container_at
    # A title line comes before the content block, or opens it (one-cell portals).
    inside = [t for t in survey.titles if container is not None and _contains(container, t.el)]
    near = _nearest([t for t in survey.titles if t.at <= at] + inside, at)
    if og:
        same = near is not None and fold(near.text) == fold(og)
        return _Title(og, near.el if same and near is not None else None, at, "meta og:title")
    if near is not None:
        return _Title(near.text, near.el, near.at, near.rule)
    m = _TITLE_SUFFIX_RE.match(head.title)
    if m:
        return _Title(m[1], None, at, "<title> without the site's name")
    return _Title(head.title, None, at, "<title>")


@dataclass
class _Published:
    value: datetime | None
    raw: str | None
    rule: str
    el: _El | None = None  # the line it was read from, kept out of the body


def _published(head: _Head, near: _Found | None) -> _Published:
    for key in _PUBLISHED_META:
        raw = clean(head.meta.get(key, ""))
        dt = parse_datetime(raw) if raw else None
        if dt is not None:
            return _Published(dt, raw, f"meta {key}")
    if near is None:
        return _Published(None, None, "not found")
    if near.value is None:  # parse_datetime has logged the impossible date
        return _Published(None, None, f"{near.rule} near the title: no valid date", near.el)
    return _Published(near.value, near.text, f"{near.rule} near the title", near.el)


def _category(
    near: _Found | None, crumbs: list[str], title: str, head: _Head
) -> tuple[str | None, str]:
    if near is not None:
        return near.text, f"{near.rule} near the title"
    folded_title = fold(title)
    crumbs = [c for c in crumbs if fold(c) != folded_title]  # some end with the title
    if crumbs:
        return crumbs[-1], "breadcrumb, last item"
    section = clean(head.meta.get("article:section", ""))
    return (section, "meta article:section") if section else (None, "not found")


def _sapo(scope: _El | None, container: _El | None) -> _El | None:
    """A lead marked by its class (sapo, lead, summary...) near the content block."""
    if scope is None:
        return None
    for el in scope.iter():
        if el is container or not _roles(el) & _SAPO:
            continue
        if container is not None and _contains(el, container):
            continue
        if 20 <= len(clean(_text(el))) <= 2000:
            return el
    return None


def _author_elements(scope: _El | None) -> tuple[list[str], str]:
    """Authors from a byline element (K2's itemAuthor...) when there is no closing line."""
    if scope is None:
        return [], "not found"
    for el in scope.iter():
        if _roles(el) & _AUTHOR:
            text = clean(_text(el))
            if text and looks_like_author_line(text):
                return split_authors(text), f"byline element {_describe(el)}"
    return [], "not found"


# --- the walk over the content block --------------------------------------------------------


@dataclass(slots=True)
class _Line:
    text: str
    align: str | None
    italic: bool
    bold: bool
    caption: str | None  # the rule that makes it a caption whatever follows, or None


@dataclass(slots=True)
class _Image:
    src: str
    title: str
    src_rule: str
    caption: str | None = None
    credit: str | None = None
    caption_rule: str | None = None
    credit_rule: str | None = None

    def set_caption(self, text: str, rule: str) -> None:
        self.caption, self.credit = split_credit(text)
        self.caption_rule = rule if self.caption else None
        self.credit_rule = f"{rule}, after its credit label" if self.credit else None


_Item = _Line | _Image


class _Walker:
    """Flattens the content block into lines and images, in document order."""

    def __init__(
        self, base: str, container: _El, skip: list[_El], captions: dict[int, str]
    ) -> None:
        self.base = base
        self.container = container
        self.skip = skip
        # id() of each element a profile calls a caption -> rule name; the caller keeps
        # the elements alive, so the ids stay theirs.
        self.captions = captions
        self.items: list[_Item] = []

    def skipped(self, el: _El) -> bool:
        return any(el is s for s in self.skip)

    def block(self, el: _El) -> None:
        if self.skipped(el):
            return
        if el.tag == "figure" and self.figure(el):
            return
        if el.tag == "table" and self.image_table(el):
            return
        run = _Run(self, el)
        run.add(el.text, run.style)
        for child in el:
            if child.tag in _BLOCK_TAGS or _has_block(child):
                run.flush()
                self.block(child)
            else:
                run.inline(child, run.style)
            run.add(child.tail, run.style)
        run.flush()

    def image(self, img: _El) -> _Image | None:
        found = _image_src(img, self.base)
        if found is None:
            return None
        item = _Image(found[0], clean(img.get("title") or ""), f"img {found[1]}")
        self.items.append(item)
        return item

    def figure(self, fig: _El) -> bool:
        images = [i for i in map(self.image, fig.iter("img")) if i is not None]
        if not images:
            return False
        cap = fig.find(".//figcaption")
        text = clean(_text(cap if cap is not None else fig))
        if text:
            images[0].set_caption(text, "figcaption" if cap is not None else "text in <figure>")
        return True

    def image_table(self, table: _El) -> bool:
        """A small table holding an image and (second row) its caption."""
        imgs = table.findall(".//img")
        text = clean(_text(table))
        if not imgs or (text and not looks_like_caption(text)):
            return False
        images = [i for i in map(self.image, imgs) if i is not None]
        if images and text:
            images[0].set_caption(text, "row of the image's table")
        return bool(images) or not text


# (italic, bold, caption rule or None) of a piece of inline text
_Style = tuple[bool, bool, str | None]


class _Run:
    """Inline content between block boundaries, cut at <br>, with its styling."""

    def __init__(self, walker: _Walker, block: _El) -> None:
        self.w = walker
        self.block = block
        self.parts: list[tuple[str, _Style]] = []
        self.style: _Style = (
            block.tag in ("em", "i") or is_italic_style(block.get("style")),
            block.tag in _HEADING_TAGS or _is_bold(block),
            _caption_block(block, walker.container, walker.captions),
        )

    def add(self, text: str | None, style: _Style) -> None:
        if text:
            self.parts.append((text, style))

    def inline(self, el: _El, style: _Style) -> None:
        tag = el.tag
        if not isinstance(tag, str) or self.w.skipped(el):
            return
        if tag == "br":
            self.flush()
            return
        if tag == "img":
            self.flush()
            self.w.image(el)
            return
        italic, bold, caption = style
        if caption is None:
            caption = self.w.captions.get(id(el)) or (
                f"caption class {_describe(el)}" if is_caption_class(el.get("class")) else None
            )
        style = (
            italic or tag in ("em", "i", "cite") or is_italic_style(el.get("style")),
            bold or tag in ("strong", "b") or _is_bold(el),
            caption,
        )
        self.add(el.text, style)
        for child in el:
            self.inline(child, style)
            self.add(child.tail, style)

    def flush(self) -> None:
        parts, self.parts = self.parts, []
        raw = "".join(p[0] for p in parts)
        text = "" if raw.isspace() else clean(raw)  # most runs between blocks are blank
        if not text:
            return
        styles = [p[1] for p in parts if not p[0].isspace()]
        self.w.items.append(
            _Line(
                text,
                block_align(self.block, self.w.container),
                all(s[0] for s in styles),
                all(s[1] for s in styles),
                styles[0][2] if all(s[2] for s in styles) else None,
            )
        )


def _is_bold(el: _El) -> bool:
    return _BOLD_STYLE_RE.search(el.get("style") or "") is not None


def _caption_block(el: _El, stop: _El, pinned: dict[int, str]) -> str | None:
    """The rule that makes a block a caption: its class/id or a profile's selector."""
    for _ in range(4):
        rule = pinned.get(id(el))
        if rule:
            return rule
        if is_caption_class(el.get("class")) or is_caption_class(el.get("id")):
            return f"caption class {_describe(el)}"
        parent = el.getparent()
        if el is stop or parent is None:
            break
        el = parent
    return None


def _image_src(img: _El, base: str) -> tuple[str, str] | None:
    """Absolute URL of a content image and the attribute it came from; lazy-load
    attributes win over placeholders."""
    for attr in _LAZY_ATTRS:
        src = (img.get(attr) or "").strip()
        if src and not src.startswith("data:"):
            break
    else:
        return None
    if _is_tiny(img) or _TINY_SRC_RE.search(src.split("?")[0]):
        return None
    url = _safe_join(base, src)
    return None if url is None or url.startswith(("javascript:", "about:")) else (url, attr)


def _is_tiny(img: _El) -> bool:
    for attr in ("width", "height"):
        digits = re.match(r"\s*(\d+)", img.get(attr) or "")
        if digits and int(digits[1]) < _MIN_IMG_PX:
            return True
    return False


# --- captions, byline ------------------------------------------------------------------


def _assign_captions(items: list[_Item]) -> list[_Item]:
    """Give images their captions; what remains is the lines that are not captions."""
    out: list[_Item] = []
    last: _Image | None = None  # the image right before the current line
    for i, it in enumerate(items):
        if isinstance(it, _Image):
            out.append(it)
            last = it
            continue
        if it.caption:  # caption-class lines are never body text
            target = last if last is not None and last.caption is None else _next_image(items, i)
            if target is not None and target.caption is None:
                target.set_caption(it.text, it.caption)
            continue
        if last is not None and (it.align == "center" or it.italic):
            how = " ".join(w for w, on in (("centred", it.align == "center"),
                                           ("italic", it.italic)) if on)
            if last.caption is None and last.credit is None and looks_like_caption(it.text):
                last.set_caption(it.text, f"{how} line after the image")
                continue
            cap, credit = split_credit(it.text)
            if cap is None and credit and last.credit is None:  # a credit on its own line
                last.credit = credit
                last.credit_rule = f"{how} credit line after the image"
                continue
        out.append(it)
        last = None
    for it in out:
        if isinstance(it, _Image) and it.caption is None and it.credit is None and it.title:
            it.set_caption(it.title, "img title attribute")  # as a last resort
    return out


def _next_image(items: list[_Item], i: int) -> _Image | None:
    nxt = items[i + 1] if i + 1 < len(items) else None
    return nxt if isinstance(nxt, _Image) else None


def _take_byline(items: list[_Item]) -> tuple[list[str], str]:
    """Remove and return the closing byline, with the rule that recognised it.

    It is the last line, or the one before a short closing source line
    ("Nguồn: TTXVN"); a byline with no styling (not right-aligned, not bold)
    must be short.
    """
    lines = [(i, it) for i, it in enumerate(items) if isinstance(it, _Line)]
    candidates = lines[-1:]
    if len(lines) >= 2 and len(lines[-1][1].text) <= _MAX_SOURCE_LINE:
        candidates.append(lines[-2])
    for rank, (i, it) in enumerate(candidates):
        styled = it.align == "right" or it.bold
        plain_ok = rank == 0 and len(it.text) <= _MAX_PLAIN_BYLINE
        if (styled or plain_ok) and looks_like_author_line(it.text):
            del items[i]
            where = "closing line" if rank == 0 else "line before the closing source line"
            how = "right-aligned" if it.align == "right" else "bold" if it.bold else "short"
            return split_authors(it.text), f"{where}, {how}"
    return [], "not found"


def _drop_repeats(items: list[_Item], seen: set[str]) -> list[_Item]:
    """Drop lines repeating the title/date/category (one-cell portals) and widget junk."""
    return [
        it
        for it in items
        if isinstance(it, _Image) or (it.text not in seen and not _JUNK_RE.match(it.text))
    ]


# --- the extractor ----------------------------------------------------------------------


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
        fields = _extract(html, url, site, profile.selectors if profile else None, rules)
    except ExtractionError:
        raise
    except Exception as exc:  # a bug must not stop a crawl: it fails this page only
        logger.exception("extraction failed for %s", url)
        raise ExtractionError(f"extraction failed: {exc.__class__.__name__}: {exc}") from exc
    if explain is not None:  # in the order of the article's fields
        head = ("url", "category", "title", "published", "event_date", "lead", "body")
        explain.update((k, rules.pop(k)) for k in head if k in rules)
        authors = rules.pop("authors", None)
        explain.update(rules)
        if authors is not None:
            explain["authors"] = authors
    return fields


def _extract(
    html: str,
    url: str,
    site: str,
    selectors: Selectors | None = None,
    rules: dict[str, str] | None = None,
) -> dict[str, Any]:
    rules = {} if rules is None else rules
    root = _parse(html)
    head = _read_head(root)
    base = _safe_join(url, head.base) or url
    pinned = _pin(root, selectors)  # before <head> goes: a selector may read a meta tag
    etree.strip_elements(root, *_DROP_TAGS, with_tail=False)
    keep = pinned.elements()
    _drop_removed(root, selectors, keep)
    one = pinned.one

    container = one.get("content")
    if container is not None:
        rules["body"] = pinned.rule("content")
    else:
        container = _pick_container(root)
        if container is not None:
            rules["body"] = f"paragraphs of {_describe(container)} (densest text block)"
        else:
            rules["body"] = "not found"
    crumbs = _strip_boilerplate(root, container, keep)
    survey = _survey(root, container, one.get("title"))

    title = _title(survey, container, head)
    if "title" in one and _value(one["title"]):
        at = survey.pinned_title_at
        el = one["title"]
        title = _Title(_value(el), el, title.at if at is None else at, pinned.rule("title"))
    rules["title"] = title.rule

    near_date = _nearest(survey.dates, title.at)
    if "published" in one:
        el = one["published"]
        raw = _value(el)
        dt = parse_datetime(raw)
        if dt is not None:
            published = _Published(dt, raw, pinned.rule("published"), el)
        else:  # the profile says where the date is: no guessing elsewhere but the meta tags
            published = _published(head, None)
            if published.value is None:
                rule = f"{pinned.rule('published')}: no valid date"
                published = _Published(None, None, rule, el)
    else:
        published = _published(head, near_date)
    rules["published"] = published.rule

    near_category = _nearest(survey.categories, title.at)
    category, rules["category"] = _category(near_category, crumbs, title.text, head)
    if "category" in one:
        pinned_category = _category_text(one["category"]) or _value(one["category"])
        if pinned_category:
            category, rules["category"] = pinned_category, pinned.rule("category")

    scope = _scope(container, title.el)
    lead_el = one.get("lead")
    lead_rule = pinned.rule("lead") if lead_el is not None else ""
    if lead_el is None:
        lead_el = _sapo(scope, container)
        lead_rule = f"lead class {_describe(lead_el)}" if lead_el is not None else ""

    items: list[_Item] = []
    if container is not None:
        found = [f.el for f in (near_date, near_category) if f is not None]
        skip = [e for e in (title.el, lead_el, published.el) if e is not None] + found
        skip += [one[k] for k in ("category",) if k in one] + pinned.authors
        captions = {id(el): pinned.rule("captions") for el in pinned.captions}
        walker = _Walker(base, container, skip, captions)
        walker.block(container)
        seen = {title.text, published.raw or "", category or ""}
        items = _drop_repeats(walker.items, seen)
    items = _assign_captions(items)

    authors: list[str] = []
    if pinned.authors:
        for el in pinned.authors:
            authors += [a for a in split_authors(_value(el)) if a not in authors]
        rules["authors"] = pinned.rule("authors")
    if not authors:
        authors, rules["authors"] = _take_byline(items)
    if not authors:
        authors, rules["authors"] = _author_elements(scope)

    lines = [it.text for it in items if isinstance(it, _Line)]
    if lead_el is not None:
        lead = _value(lead_el)
    else:
        lead = lines.pop(0) if lines else None
        lead_rule = "first paragraph of the content block" if lead else "not found"
    rules["lead"] = lead_rule
    if not title.text and not lead:
        raise ExtractionError("no article: no title and no paragraphs")

    event = event_date(lead or "", published.value)
    rules["event_date"] = (
        "the lead's opening date, year from published" if event else "not found in the lead"
    )
    canonical = _canonical_url(url, head)
    rules["url"] = "link rel=canonical" if canonical != url else "the fetched URL"
    images = [i for i in items if isinstance(i, _Image)]
    for n, image in enumerate(images):
        rules[f"images[{n}].src"] = image.src_rule
        rules[f"images[{n}].caption"] = image.caption_rule or "none"
        rules[f"images[{n}].credit"] = image.credit_rule or "none"
    fields: dict[str, Any] = {
        "schema": SCHEMA,
        "url": canonical,
        "site": site,
        "category": category,
        "title": title.text,
        "published": published.value.isoformat() if published.value else None,
        "published_raw": published.raw,
        "event_date": event.isoformat() if event else None,
        "lead": lead or None,
        "body": lines,
        "images": [{"src": i.src, "caption": i.caption, "credit": i.credit} for i in images],
        "authors": authors,
    }
    fields["content_hash"] = content_hash(fields)
    return fields
