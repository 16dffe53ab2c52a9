"""Tables that lay out photos: each image with the text printed in its cell or in the
cell under it (``<tr><td><img></td></tr><tr><td>caption</td></tr>``), several images
side by side or one under another."""

from __future__ import annotations

from portal_archive.crawler.text import clean

from .tree import El, text_of

_CELLS = ("td", "th")


def table_captions(table: El) -> list[tuple[El, str]] | None:
    """Each <img> of the table with its printed caption ("" when none), in page order;
    None when the table holds more than images and their captions (text no image
    owns, or a table inside), and is then read as text."""
    if table.find(".//table") is not None:
        return None
    grid = [[td for td in tr if td.tag in _CELLS] for tr in table.iter("tr")]
    pairs: list[tuple[El, str]] = []
    owned: list[str] = []  # every caption taken, to check the table holds nothing else
    for r, cells in enumerate(grid):
        below = grid[r + 1] if r + 1 < len(grid) else []
        if any(td.find(".//img") is not None for td in below):
            below = []  # the next row is images too: its text is its own
        for c, td in enumerate(cells):
            imgs = list(td.iter("img"))
            if not imgs:
                continue
            under = _under(below, c, len(cells))
            text = clean(text_of(td)) or (clean(text_of(under)) if under is not None else "")
            owned.append(text)
            pairs += [(img, text if n == 0 else "") for n, img in enumerate(imgs)]
    if not pairs or _squeezed(" ".join(owned)) != _squeezed(text_of(table)):
        return None
    return pairs


def _under(below: list[El], column: int, width: int) -> El | None:
    """The cell under column ``column``: the same column, or one cell spanning them all
    (given to the row's first image only)."""
    if len(below) == width:
        return below[column]
    return below[0] if len(below) == 1 and column == 0 else None


def _squeezed(text: str) -> str:
    return "".join(clean(text).split())
