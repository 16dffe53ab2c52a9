"""Which <img> elements are the article's images: their absolute URLs, or what an
inline ``data:`` image is (``inline``)."""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import islice
from urllib.parse import urlsplit

import tldextract

from .inline import InlineImage, is_data_uri, read_data_uri
from .lines import Image
from .page import safe_join
from .tree import El

_TINY_SRC_RE = re.compile(
    r"(?:^|[/_.-])(?:spacer|blank|pixel|1x1|transparent|loading|loader|placeholder|icons?"
    r"|emoji|smiley)(?:[/_.-][^/]*)?$|\.ico$",
    re.I,
)
_LAZY_ATTRS = ("data-src", "data-original", "data-lazy-src", "data-lazyload", "data-echo", "src")
_MIN_IMG_PX = 50


def content_image(img: El, base: str) -> Image | None:
    """The article image an <img> is, by URL or inline; None for placeholders, icons
    and spacers."""
    if _is_promotion(img, base):
        return None
    found = image_src(img, base)
    if found is not None:
        return Image(found[0], f"img {found[1]}")
    inline = inline_image(img)
    return None if inline is None else Image(None, f"img src {inline.mime} data: URI", inline)


def image_src(img: El, base: str) -> tuple[str, str] | None:
    """Absolute URL of a content image and the attribute it came from; lazy-load
    attributes win over placeholders."""
    for attr in _LAZY_ATTRS:
        src = (img.get(attr) or "").strip()
        if src and not is_data_uri(src):
            break
    else:
        return None
    if _is_tiny(img) or _TINY_SRC_RE.search(src.split("?")[0]):
        return None
    url = safe_join(base, src)
    return None if url is None or url.startswith(("javascript:", "about:")) else (url, attr)


def _is_tiny(img: El) -> bool:
    for attr in ("width", "height"):
        digits = re.match(r"\s*(\d+)", img.get(attr) or "")
        if digits and int(digits[1]) < _MIN_IMG_PX:
            return True
    return False


def inline_image(img: El) -> InlineImage | None:
    """The ``data:`` image an <img> holds in its ``src`` when no attribute names a URL
    (a lazy-load placeholder in ``src`` is no image: ``image_src`` reads the real one)."""
    src = (img.get("src") or "").strip()
    if not is_data_uri(src) or _is_tiny(img):
        return None
    return read_data_uri(src)


# The Public Suffix List snapshot shipped with tldextract: no download (settings.py).
_SITES = tldextract.TLDExtract(suffix_list_urls=())
_IMAGE_FILE_RE = re.compile(r"\.(?:jpe?g|png|gif|webp|bmp|tiff?)$", re.I)


def _is_promotion(img: El, base: str) -> bool:
    """Is the image a link to another site (an advert or a campaign banner pasted into
    the article, a click tracker), rather than the article's photo? A link to the photo's
    own full-size file is no promotion; nor can anything be told on a page that has no
    host (a saved file read without its URL)."""
    page_host = urlsplit(base).hostname
    for up in islice(img.iterancestors(), 3):
        if up.tag != "a":
            continue
        href = safe_join(base, (up.get("href") or "").strip())
        if href is None or not href.startswith(("http://", "https://")):
            return False
        if page_host is None or _IMAGE_FILE_RE.search(urlsplit(href).path):
            return False
        return _site(urlsplit(href).hostname) != _site(page_host)
    return False


@lru_cache(maxsize=1024)  # asked for every linked image; pages link few hosts
def _site(host: str | None) -> str:
    """The registrable domain of a host (``daknong.gov.vn`` for ``stp.daknong.gov.vn``)."""
    return _SITES(host or "").top_domain_under_public_suffix or (host or "")
