"""Which of the page's date lines is the article's: the nearest to the title, among those
in the article's block.

The article's own date line shares a block with the title and the content block: the
block holding the two, or one a few levels above (a CMS's meta row beside the story's
table). A date reached only through the page's wrapper is another block's: the header's
clock widget ("Thứ năm, 09/05/2019", today's date), a sidebar's list of earlier news
("TIN ĐÃ ĐƯA"), a footer's. No date is better than one of those.
"""

from __future__ import annotations

from portal_archive.crawler.vntime import parse_datetime

from .boilerplate import is_title_h1
from .dates import MAX_META_TEXT, has_date_label
from .survey import Found, nearest, short_text
from .tree import El, contains, drop

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


def lift_date_lines(root: El, container: El | None) -> list[El] | None:
    """Move a labelled publication line ("Ngày đăng: 26/08/2020 - 21:56", "Thứ 3,
    31/08/2021 | 10:18") out of the widget row it shares with share buttons or font-size
    links (a ``div.social``, a ``<header>``) to just before that row, in the block it
    shares with the title, so that dropping the widgets does not drop the article's date.
    Run before the boilerplate goes; only lines within a few levels of a title h1.

    Returns the title h1s it found if it moved nothing (they are then still the page's,
    and strip_boilerplate need not look for them again), else None."""
    lines = _labelled_date_lines(root)
    if not lines:
        return None
    h1s = [h for h in root.iter("h1") if is_title_h1(h)]
    moved = False
    for line in lines:
        row = _widget_row(line, h1s, container)
        if row is not None:
            drop(line)  # its tail stays where it was
            line.tail = None
            row.addprevious(line)
            moved = True
    return None if moved else h1s


def _labelled_date_lines(root: El) -> list[El]:
    """Elements opening with a publication label and holding a valid date: the labelled
    element itself, or its parent when the label sits alone in a child ("<span>Ngày
    đăng:</span> 26/08/2020")."""
    found: list[El] = []
    for el in root.iter():
        if not isinstance(el.tag, str) or not has_date_label(el.text):
            continue
        for line in (el, el.getparent()):
            text = short_text(line, MAX_META_TEXT) if line is not None else None
            if line is not None and text and parse_datetime(text) is not None:
                if not any(f is line for f in found):
                    found.append(line)
                break
    return found


def _widget_row(line: El, h1s: list[El], container: El | None) -> El | None:
    """The outermost block holding ``line`` but neither a title h1 nor the content block,
    if ``line`` joins a title h1 a few levels above it (the article's, not a sidebar's)."""
    if not any(_near_title(line, h1) for h1 in h1s):
        return None
    row = line
    for up in line.iterancestors():
        if any(up is h or contains(up, h) for h in h1s):
            break
        if container is not None and (up is container or contains(up, container)):
            break
        row = up
    return None if row is line else row


def _near_title(line: El, h1: El) -> bool:
    joint = _common_ancestor(line, h1)
    return joint.tag not in ("body", "html") and _depth(joint) >= _depth(h1) - _MAX_LEVELS_UP
