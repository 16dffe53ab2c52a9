"""A document's heading printed as the opening lines of its text: centred bold paragraphs
("BỘ LUẬT" / "HÌNH SỰ", "HIẾN PHÁP" / "NƯỚC CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM").

Legal texts and notices pasted from Word carry no h1 and no og:title, and their portal's
<title> names the site or section ("Trung ương"). The heading is then the run of centred,
wholly bold lines before any body text, up to the first line that is not one (an empty
paragraph, a rule of underscores, the text itself).
"""

from __future__ import annotations

from portal_archive.crawler.text import clean

from .captions import block_align
from .tree import BLOCK_TAGS, El, has_block, is_bold, text_of

_MAX_LINES = 4  # a heading over three lines at most ("HIẾN PHÁP / NƯỚC ... / NĂM 1992")
_MAX_LINE = 150
_BOLD_TAGS = ("b", "strong")


def opening_heading(container: El | None) -> tuple[str, list[El]] | None:
    """The heading's text (its lines joined) and its line elements, if the content block
    opens with one."""
    if container is None:
        return None
    parts: list[El] = []
    for block in _leaf_blocks(container):
        text = clean(text_of(block))
        if not text and not parts:
            continue  # blank paragraphs before the heading
        if not _heading_line(block, text, container) or len(parts) == _MAX_LINES:
            break
        parts.append(block)
    if not parts:
        return None
    return clean(" ".join(text_of(p) for p in parts)), parts


def _leaf_blocks(container: El) -> list[El]:
    """The block elements holding text directly (no block inside), in document order."""
    return [el for el in container.iter() if el.tag in BLOCK_TAGS and not has_block(el)]


def _heading_line(block: El, text: str, container: El) -> bool:
    """Centred, short, with letters, and all of its text bold."""
    if not text or len(text) > _MAX_LINE or not any(c.isalpha() for c in text):
        return False
    if block_align(block, container) != "center":
        return False
    return _squeezed(_bold_text(block)) == _squeezed(text)


def _squeezed(text: str) -> str:
    return "".join(text.split())


def _bold_text(el: El) -> str:
    """The text of ``el`` inside its outermost bold elements (all of it, if ``el`` is)."""
    if el.tag in _BOLD_TAGS or is_bold(el):
        return text_of(el)
    parts = [_bold_text(child) for child in el if isinstance(child.tag, str)]
    return " ".join(parts)
