"""From a response body to text, and from text to an element tree.

The portals' charsets: windows-1258 pages, pages that misdeclare their charset, pages
that declare none, and UTF-8 pages with Word's windows-1252 quotes pasted in. The last is
what beautifulsoup4's ``UnicodeDammit.detwingle`` is for; the rest is w3lib's (the
browser's order: BOM, header, <meta>) with two corrections of our own.
"""

from __future__ import annotations

import codecs

from lxml import etree
from w3lib.encoding import (
    html_body_declared_encoding,
    html_to_unicode,
    http_content_type_encoding,
    read_bom,
)

from .errors import ExtractionError
from .tree import El

# huge_tree: without it libxml2 stops at a 10 MB attribute (a photo pasted in as a data:
# URI) and drops the rest of the page with it; DOWNLOAD_MAXSIZE bounds what it reads.
_PARSER = etree.HTMLParser(
    encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True, huge_tree=True
)


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Decode a response body as what it really is.

    As a browser would (BOM, header, <meta charset>, UTF-8), with three corrections for
    the portals' misdeclared pages: bytes that are valid UTF-8 with non-ASCII text are
    UTF-8 whatever the page declares (a legacy page is practically never valid UTF-8);
    so are UTF-8 bytes with stray windows-1252 quotes pasted in; and a page that is
    mostly not UTF-8 is the single-byte encoding it declares, else windows-1258, the
    legacy Vietnamese code page of Windows/IIS portals.
    """
    try:
        encoding, text = html_to_unicode(content_type, body)
    except (LookupError, ValueError):
        encoding, text = "utf-8", body.decode("utf-8", "replace")
    if read_bom(body)[0] is not None or body.isascii():
        return text
    if codecs.lookup(encoding).name != "utf-8":
        utf8 = _as_utf8(body)
        return text if utf8 is None else utf8  # else the declared legacy encoding it is
    bad = text.count("\ufffd")
    if not bad:
        return text
    if (utf8 := _as_utf8(body)) is not None:
        return utf8
    if bad * 2 > sum(1 for c in text if c > "\x7f") - bad:
        return body.decode(_legacy_encoding(body, content_type), "replace")
    return text


def _as_utf8(body: bytes) -> str | None:
    """The body as UTF-8 if it is, or becomes so once stray windows-1252 bytes (smart
    quotes and dashes pasted from Word into a UTF-8 editor) are re-encoded; else None.

    A real windows-1258 page never passes: its letters and combining tones are not UTF-8
    sequences, which detwingle leaves alone.
    """
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # Imported only here: beautifulsoup4 takes a tenth of a second to import, and most
    # pages are UTF-8 already.
    from bs4.dammit import UnicodeDammit

    fixed = UnicodeDammit.detwingle(body)
    try:
        return None if fixed is body else fixed.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _legacy_encoding(body: bytes, content_type: str | None) -> str:
    """A single-byte encoding the page declares besides UTF-8, else windows-1258."""
    for declared in (
        http_content_type_encoding(content_type or ""),
        html_body_declared_encoding(body),
    ):
        if declared and codecs.lookup(declared).name != "utf-8":
            return declared
    return "cp1258"


def parse_html(html: str) -> El:
    """The page's element tree; ExtractionError when there is none."""
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
