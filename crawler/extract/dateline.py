"""Which of the page's date lines is the article's: the nearest to the title, among those
in the article's block.

The article's own date line shares a block with the title and the content block: the
block holding the two, or one a few levels above (a CMS's meta row beside the story's
table). A date reached only through the page's wrapper is another block's: the header's
clock widget ("Thứ năm, 09/05/2019", today's date), a sidebar's list of earlier news
("TIN ĐÃ ĐƯA"), a footer's. No date is better than one of those.
"""

from __future__ import annotations

from .survey import Found, nearest
from .tree import El

# How far above the block holding the title and the content a date line may join them.
_MAX_LEVELS_UP = 3


def article_date(
    dates: list[Found], title: El | None, at: int, container: El | None
) -> Found | None:
    """The date line nearest the title (at ``at``) within the article's block."""
    anchor = title if title is not None else container
    if anchor is None or container is None:
        return nearest(dates, at)
    block = _common_ancestor(anchor, container)
    return nearest([d for d in dates if _joins(d.el, block)], at)


def _joins(date_line: El, block: El) -> bool:
    """Is the date line in the article's block, or a few levels above it, short of the
    page itself (a header's clock on a flat page joins the article only at <body>)?"""
    joint = _common_ancestor(date_line, block)
    if joint is block:
        return True
    return joint.tag not in ("body", "html") and _depth(joint) >= _depth(block) - _MAX_LEVELS_UP


def _common_ancestor(a: El, b: El) -> El:
    chain = [a, *a.iterancestors()]  # kept alive, so that their id()s stay theirs
    mine = {id(x) for x in chain}
    if id(b) in mine:
        return b
    for up in b.iterancestors():
        if id(up) in mine:
            return up
    return b  # not in one tree (cannot happen on one page): b itself, the strictest


def _depth(el: El) -> int:
    return sum(1 for _ in el.iterancestors())
