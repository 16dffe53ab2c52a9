"""What an element's class and id say it is: boilerplate, logo, date, category, lead..."""

from __future__ import annotations

import re
from functools import lru_cache

from .tree import El

# Class/id roles, matched per token ("tin-lien-quan", "itemDateCreated"). A font-size
# widget is boilerplate, but "font-size-text" marks the text whose size it changes.
BOILER = 1
LOGO = 2
DATE = 4
CATEGORY = 8
SAPO = 16
AUTHOR = 32
TITLE = 64
CRUMB = 128
_ROLE_RES = (
    (
        BOILER,
        r"menu|breadcrumb|footer|social|sidebar|banner|comment|counter|share|sharing|relate"
        r"|lien-?quan|lien_quan|tin-?khac|tin_khac|other|advert|quang-?cao|cookie|popup"
        r"|pagination|paging|font-?size(?![-_]?(?:text|content))|text-?size|toolbar|tool-bar|navbar|navigation"
        r"|^nav|nav$|^tags?$|tags-?(?:list|box)|keyword|tu-?khoa|rating|vote|^in-?bai$"
        r"|^(?:btn-?)?print(?:-?(?:btn|button|icon|link|page))?$|print-?(?:btn|button|icon|link)$"
        r"|^search|login|^(?:site|top|main|page)?[-_]?header(?:$|[-_])"
        # admin and editing menus (SharePoint's ribbon, WordPress's admin bar), a web
        # archive's toolbar (Wayback's wm-ipp), visitor counters
        r"|^admin|admin-?(?:bar|menu|panel|tool)|ribbon|^wm-|wayback|luot-?xem|view-?count"
        r"|hit-?count|^hits$|visitor|truy-?cap",
    ),
    (LOGO, r"logo|brand|site-?name|site-?title"),
    (DATE, r"date|time|ngay|publish|created|posted|thoi-?gian"),
    (CATEGORY, r"categor|chuyen-?muc|cat-?name|danh-?muc"),
    (
        SAPO,
        r"sapo|^lead$|^lead[-_]|[-_]lead$|summary|description|tom-?tat|introtext|chapeau"
        r"|trich-?yeu|abstract|^brief(?:$|[-_])|[-_]brief$|mo-?ta-?ngan",  # "mô tả ngắn"
    ),
    (AUTHOR, r"author|tac-?gia|byline|writer|nguoi-?viet"),
    (TITLE, r"title|tieu-?de|headline"),
    (CRUMB, r"breadcrumb"),
)
_ROLES = tuple((flag, re.compile(rx, re.I)) for flag, rx in _ROLE_RES)


@lru_cache(maxsize=8192)
def _classify(attrs: str) -> int:
    """Role flags of a "class id" string (cached: sites repeat their class names)."""
    flags = 0
    for token in attrs.split():
        for flag, rx in _ROLES:
            if rx.search(token):
                flags |= flag
    return flags


def roles(el: El) -> int:
    """The role flags of an element's class and id (0 when it has neither)."""
    cls, ident = el.get("class"), el.get("id")
    if not cls and not ident:
        return 0
    return _classify(f"{cls or ''} {ident or ''}")
