"""Article extraction: from an article page's HTML to the cleaned fields of the contract.

Generic rules only, no per-site code:

1. boilerplate is dropped by tag and by class/id (menus, share bars, related news...),
   unless it holds the article (ASP.NET pages wrap everything in a <form>);
2. the content block is the element directly holding the most paragraph text;
3. title, date and category are the elements nearest to the h1 (meta tags first);
4. the content block is flattened into lines and images in document order, and
   captions (figure, image table, centred/italic line after an image, caption
   classes), credits and the closing byline are told apart from body paragraphs.

Plain ``lxml.etree`` elements are used throughout: ``lxml.html``'s Python-level
element class lookup costs more than the parse itself.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree
from w3lib.encoding import html_to_unicode

from crawler.authors import looks_like_author_line, split_authors
from crawler.caption import (
    block_align,
    is_caption_class,
    is_italic_style,
    looks_like_caption,
    split_credit,
)
from crawler.text import clean, content_hash, fold
from crawler.vntime import event_date, parse_datetime

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


# --- decoding and parsing -----------------------------------------------------------------


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Decode a response body as a browser would: BOM, header, <meta charset>, UTF-8."""
    try:
        return html_to_unicode(content_type, body)[1]
    except (LookupError, ValueError):
        return body.decode("utf-8", "replace")


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
        return canonical if _host(canonical) == _host(url) else url
    except ValueError:
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


def _strip_boilerplate(root: _El, container: _El | None) -> list[str]:
    """Drop boilerplate in place; return the breadcrumb's items (read before it goes).

    What holds the content block or a real h1 is the article, whatever its class
    or tag says (ASP.NET's page-wide <form>, "print-area" wrappers, <header>).
    """
    # The list keeps the proxies alive, so that their id()s stay theirs.
    anchors = [h for h in root.iter("h1") if _is_title_h1(h)]
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
    value: datetime | None = None


@dataclass
class _Survey:
    """One pass over the cleaned page: h1s, date/category/title lines and positions."""

    h1s: list[tuple[int, _El]] = field(default_factory=list)
    dates: list[_Found] = field(default_factory=list)
    categories: list[_Found] = field(default_factory=list)
    titles: list[_Found] = field(default_factory=list)
    container_at: int = 0


def _survey(root: _El, container: _El | None) -> _Survey:
    s = _Survey()
    for i, el in enumerate(root.iter()):
        tag = el.tag
        if el is container:
            s.container_at = i
        if tag == "h1" and _is_title_h1(el):
            s.h1s.append((i, el))
        roles = _roles(el)
        if tag == "time" and _add_date(s.dates, el, clean(el.get("datetime") or ""), i):
            pass
        elif roles & _DATE or _has_date_label(el.text):
            text = _short_text(el, _MAX_META_TEXT)
            if text:
                _add_date(s.dates, el, text, i)
        if roles & _CATEGORY:
            name = _category_text(el)
            if name:
                s.categories.append(_Found(el, name, i))
        if roles & _TITLE and tag not in ("html", "body"):
            text = _short_text(el, _MAX_TITLE)
            if text and len(text) >= _MIN_TITLE:
                s.titles.append(_Found(el, text, i))
    return s


def _short_text(el: _El, limit: int) -> str | None:
    """The element's cleaned text if it is at most ``limit`` long (cheap check first)."""
    raw = _text(el)
    if len(raw) > 4 * limit:  # white space may shrink, but not by that much
        return None
    text = clean(raw)
    return text if len(text) <= limit else None


def _add_date(found: list[_Found], el: _El, text: str, at: int) -> bool:
    dt = parse_datetime(text) if text else None
    if dt is not None:
        found.append(_Found(el, text, at, dt))
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


def _category_text(el: _El) -> str | None:
    links = [t for t in (_short_text(a, _MAX_CATEGORY) for a in el.iter("a")) if t]
    text = links[-1] if links else _short_text(el, _MAX_CATEGORY)
    name = _CATEGORY_LABEL_RE.sub("", text or "")
    return name if 1 < len(name) <= _MAX_CATEGORY and not _HOME_RE.match(name) else None


def _nearest(found: list[_Found], at: int) -> _Found | None:
    return min(found, key=lambda f: abs(f.at - at), default=None)


def _pick_h1(survey: _Survey, container: _El | None, og_title: str) -> tuple[int, _El] | None:
    """The h1 matching og:title, else inside the content block, else the last before it."""
    h1s = survey.h1s
    if og_title:
        for pos, h in h1s:
            if fold(_text(h)) == og_title:
                return pos, h
    if container is not None:
        inside = [(pos, h) for pos, h in h1s if _contains(container, h)]
        before = [(pos, h) for pos, h in h1s if pos < survey.container_at]
        if inside or before:
            return inside[0] if inside else before[-1]
    return h1s[0] if h1s else None


def _title(survey: _Survey, container: _El | None, head: _Head) -> tuple[str, _El | None, int]:
    """Title text, its element (to keep it out of the body) and its position."""
    og = clean(head.meta.get("og:title", ""))
    h1 = _pick_h1(survey, container, fold(og))
    if h1 is not None:
        return clean(_text(h1[1])), h1[1], h1[0]
    at = survey.container_at
    # A title line comes before the content block, or opens it (one-cell portals).
    inside = [t for t in survey.titles if container is not None and _contains(container, t.el)]
    near = _nearest([t for t in survey.titles if t.at <= at] + inside, at)
    if og:
        return og, near.el if near is not None and fold(near.text) == fold(og) else None, at
    if near is not None:
        return near.text, near.el, near.at
    m = _TITLE_SUFFIX_RE.match(head.title)
    return (m[1] if m else head.title), None, at


def _published(head: _Head, near: _Found | None) -> tuple[datetime | None, str | None]:
    for key in _PUBLISHED_META:
        raw = clean(head.meta.get(key, ""))
        dt = parse_datetime(raw) if raw else None
        if dt is not None:
            return dt, raw
    if near is not None:
        return near.value, near.text
    return None, None


def _category(near: _Found | None, crumbs: list[str], title: str, head: _Head) -> str | None:
    if near is not None:
        return near.text
    folded_title = fold(title)
    crumbs = [c for c in crumbs if fold(c) != folded_title]  # some end with the title
    if crumbs:
        return crumbs[-1]
    return clean(head.meta.get("article:section", "")) or None


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


def _author_elements(scope: _El | None) -> list[str]:
    """Authors from a byline element (K2's itemAuthor...) when there is no closing line."""
    if scope is None:
        return []
    for el in scope.iter():
        if _roles(el) & _AUTHOR:
            text = clean(_text(el))
            if text and looks_like_author_line(text):
                return split_authors(text)
    return []


# --- the walk over the content block --------------------------------------------------------


@dataclass(slots=True)
class _Line:
    text: str
    align: str | None
    italic: bool
    bold: bool
    caption: bool


@dataclass(slots=True)
class _Image:
    src: str
    title: str
    caption: str | None = None
    credit: str | None = None

    def set_caption(self, text: str) -> None:
        self.caption, self.credit = split_credit(text)


_Item = _Line | _Image


class _Walker:
    """Flattens the content block into lines and images, in document order."""

    def __init__(self, base: str, container: _El, skip: list[_El]) -> None:
        self.base = base
        self.container = container
        self.skip = skip
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
        src = _image_src(img, self.base)
        if src is None:
            return None
        item = _Image(src, clean(img.get("title") or ""))
        self.items.append(item)
        return item

    def figure(self, fig: _El) -> bool:
        images = [i for i in map(self.image, fig.iter("img")) if i is not None]
        if not images:
            return False
        cap = fig.find(".//figcaption")
        text = clean(_text(cap if cap is not None else fig))
        if text:
            images[0].set_caption(text)
        return True

    def image_table(self, table: _El) -> bool:
        """A small table holding an image and (second row) its caption."""
        imgs = table.findall(".//img")
        text = clean(_text(table))
        if not imgs or (text and not looks_like_caption(text)):
            return False
        images = [i for i in map(self.image, imgs) if i is not None]
        if images and text:
            images[0].set_caption(text)
        return bool(images) or not text


# (italic, bold, caption class) of a piece of inline text
_Style = tuple[bool, bool, bool]


class _Run:
    """Inline content between block boundaries, cut at <br>, with its styling."""

    def __init__(self, walker: _Walker, block: _El) -> None:
        self.w = walker
        self.block = block
        self.parts: list[tuple[str, _Style]] = []
        self.style: _Style = (
            block.tag in ("em", "i") or is_italic_style(block.get("style")),
            block.tag in _HEADING_TAGS or _is_bold(block),
            _caption_block(block, walker.container),
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
        style = (
            italic or tag in ("em", "i", "cite") or is_italic_style(el.get("style")),
            bold or tag in ("strong", "b") or _is_bold(el),
            caption or is_caption_class(el.get("class")),
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
                all(s[2] for s in styles),
            )
        )


def _is_bold(el: _El) -> bool:
    return _BOLD_STYLE_RE.search(el.get("style") or "") is not None


def _caption_block(el: _El, stop: _El) -> bool:
    for _ in range(4):
        if is_caption_class(el.get("class")) or is_caption_class(el.get("id")):
            return True
        parent = el.getparent()
        if el is stop or parent is None:
            break
        el = parent
    return False


def _image_src(img: _El, base: str) -> str | None:
    """Absolute URL of a content image; lazy-load attributes win over placeholders."""
    for attr in _LAZY_ATTRS:
        src = (img.get(attr) or "").strip()
        if src and not src.startswith("data:"):
            break
    else:
        return None
    if _is_tiny(img) or _TINY_SRC_RE.search(src.split("?")[0]):
        return None
    url = _safe_join(base, src)
    return None if url is None or url.startswith(("javascript:", "about:")) else url


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
                target.set_caption(it.text)
            continue
        if last is not None and (it.align == "center" or it.italic):
            if last.caption is None and last.credit is None and looks_like_caption(it.text):
                last.set_caption(it.text)
                continue
            cap, credit = split_credit(it.text)
            if cap is None and credit and last.credit is None:  # a credit on its own line
                last.credit = credit
                continue
        out.append(it)
        last = None
    for it in out:
        if isinstance(it, _Image) and it.caption is None and it.credit is None and it.title:
            it.set_caption(it.title)  # the title attribute, as a last resort
    return out


def _next_image(items: list[_Item], i: int) -> _Image | None:
    nxt = items[i + 1] if i + 1 < len(items) else None
    return nxt if isinstance(nxt, _Image) else None


def _take_byline(items: list[_Item]) -> list[str]:
    """Remove and return the closing byline.

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
            return split_authors(it.text)
    return []


def _drop_repeats(items: list[_Item], seen: set[str]) -> list[_Item]:
    """Drop lines repeating the title/date/category (one-cell portals) and widget junk."""
    return [
        it
        for it in items
        if isinstance(it, _Image) or (it.text not in seen and not _JUNK_RE.match(it.text))
    ]


# --- the extractor ----------------------------------------------------------------------


def extract_article(html: str, url: str, *, site: str = "generic") -> dict[str, Any]:
    """The cleaned article: the contract's fields except ``captured_at`` and ``warc``.

    ``url`` is where the page was fetched (relative links resolve against it); the
    result's ``url`` is the page's canonical URL when that is on the same host.
    Raises ExtractionError, and nothing else, when the page has no article.
    """
    try:
        return _extract(html, url, site)
    except ExtractionError:
        raise
    except Exception as exc:  # a bug must not stop a crawl: it fails this page only
        logger.exception("extraction failed for %s", url)
        raise ExtractionError(f"extraction failed: {exc.__class__.__name__}: {exc}") from exc


def _extract(html: str, url: str, site: str) -> dict[str, Any]:
    root = _parse(html)
    head = _read_head(root)
    base = _safe_join(url, head.base) or url
    etree.strip_elements(root, *_DROP_TAGS, with_tail=False)
    container = _pick_container(root)
    crumbs = _strip_boilerplate(root, container)
    survey = _survey(root, container)
    title, title_el, title_at = _title(survey, container, head)
    near_date = _nearest(survey.dates, title_at)
    published, published_raw = _published(head, near_date)
    near_category = _nearest(survey.categories, title_at)
    category = _category(near_category, crumbs, title, head)
    scope = _scope(container, title_el)
    sapo = _sapo(scope, container)

    items: list[_Item] = []
    if container is not None:
        found = [f.el for f in (near_date, near_category) if f is not None]
        walker = _Walker(base, container, [e for e in (title_el, sapo) if e is not None] + found)
        walker.block(container)
        items = _drop_repeats(walker.items, {title, published_raw or "", category or ""})
    items = _assign_captions(items)
    authors = _take_byline(items) or _author_elements(scope)
    lines = [it.text for it in items if isinstance(it, _Line)]
    lead = clean(_text(sapo)) if sapo is not None else (lines.pop(0) if lines else None)
    if not title and not lead:
        raise ExtractionError("no article: no title and no paragraphs")

    event = event_date(lead or "", published)
    fields: dict[str, Any] = {
        "schema": SCHEMA,
        "url": _canonical_url(url, head),
        "site": site,
        "category": category,
        "title": title,
        "published": published.isoformat() if published else None,
        "published_raw": published_raw,
        "event_date": event.isoformat() if event else None,
        "lead": lead or None,
        "body": lines,
        "images": [
            {"src": i.src, "caption": i.caption, "credit": i.credit}
            for i in items
            if isinstance(i, _Image)
        ],
        "authors": authors,
    }
    fields["content_hash"] = content_hash(fields)
    return fields
