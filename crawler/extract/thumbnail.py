"""The lead thumbnail: the photo a CMS sets in or beside the sapo, before the body.

It sits outside the content block (or inside the lead element, which is read as the
lead and not walked), so the walk never meets it. It is the article's first image: one
in the lead element, or one standing alone (in a block with no text of its own, not a
link elsewhere) between the title and the content block. Without a title element there
is no "between": only the lead element's images count then.
"""

from __future__ import annotations

import re

from portal_archive.crawler.text import clean

from .images import content_image
from .lines import Image
from .tree import BLOCK_TAGS, El, contains, text_of

_IMAGE_HREF_RE = re.compile(r"\.(?:jpe?g|png|gif|webp|bmp)(?:[?#].*)?$", re.I)


def lead_thumbnails(
    scope: El | None,
    title_el: El | None,
    lead_el: El | None,
    container: El | None,
    base: str,
) -> list[Image]:
    """The images of the lead, in page order (none the walk of the content block reads)."""
    imgs = [] if lead_el is None else list(lead_el.iter("img"))
    if scope is not None and title_el is not None:
        imgs += [el for el in _after_title(scope, title_el, container)
                 if _stands_alone(el, scope)
                 and not (lead_el is not None and contains(lead_el, el))
                 and not (container is not None and contains(container, el))]
    if not imgs:
        return []
    order = {id(el): n for n, el in enumerate(imgs[0].getroottree().getroot().iter("img"))}
    found = []
    for el in sorted(imgs, key=lambda e: order[id(e)]):
        image = content_image(el, base)
        if image is not None:
            image.src_rule = f"{image.src_rule}, lead thumbnail"
            found.append(image)
    return found


def _after_title(scope: El, title_el: El, container: El | None) -> list[El]:
    """The <img>s of ``scope`` after the title and before the content block."""
    imgs: list[El] = []
    after = False
    for el in scope.iter():
        if el is container:
            break
        if el is title_el:
            after = True
        elif after and el.tag == "img" and not contains(title_el, el):
            imgs.append(el)
    return imgs


def _stands_alone(img: El, scope: El) -> bool:
    """Is an image in a block of its own (no text beside it), not a link to elsewhere?"""
    for up in img.iterancestors():
        if up.tag == "a" and not _IMAGE_HREF_RE.search(up.get("href") or ""):
            return False  # a share button, a related article's picture
        if up.tag in BLOCK_TAGS or up is scope:
            return up is not scope and not clean(text_of(up))
    return False
