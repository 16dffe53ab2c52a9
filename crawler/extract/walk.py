"""The walk over the content block: its text flattened into lines and images in
document order, each line with its alignment and styling, which tell captions, credits
and the byline from body paragraphs."""

from __future__ import annotations

from portal_archive.crawler.text import clean

from .captions import (
    block_align,
    caption_image,
    is_caption_class,
    is_italic_style,
    looks_like_caption,
)
from .images import content_image
from .imagetable import table_captions
from .lines import Image, Item, Line
from .tree import BLOCK_TAGS, HEADING_TAGS, El, describe, has_block, is_bold, text_of


class _Walker:
    """Flattens the content block into lines and images, in document order."""

    def __init__(self, base: str, container: El, skip: list[El], captions: dict[int, str]) -> None:
        self.base = base
        self.container = container
        self.skip = skip
        # id() of each element a profile calls a caption -> rule name; the caller keeps
        # the elements alive, so the ids stay theirs.
        self.captions = captions
        self.items: list[Item] = []

    def skipped(self, el: El) -> bool:
        return any(el is s for s in self.skip)

    def block(self, el: El) -> None:
        if self.skipped(el):
            return
        if el.tag == "figure" and self.figure(el):
            return
        if el.tag == "table" and self.image_table(el):
            return
        run = _Run(self, el)
        run.add(el.text, run.style)
        for child in el:
            if child.tag in BLOCK_TAGS or has_block(child):
                run.flush()
                self.block(child)
            else:
                run.inline(child, run.style)
            run.add(child.tail, run.style)
        run.flush()

    def image(self, img: El) -> Image | None:
        item = content_image(img, self.base)
        if item is not None:
            self.items.append(item)
        return item

    def figure(self, fig: El) -> bool:
        images = [i for i in map(self.image, fig.iter("img")) if i is not None]
        if not images:
            return False
        cap = fig.find(".//figcaption")
        text = clean(text_of(cap if cap is not None else fig))
        if text:
            rule = "figcaption" if cap is not None else "text in <figure>"
            caption_image(images[0], text, rule)
        return True

    def image_table(self, table: El) -> bool:
        """A small table holding images and their captions, each in the image's cell or
        in the one under it; else all its text given to its first image."""
        if self.paired_table(table):
            return True
        imgs = table.findall(".//img")
        text = clean(text_of(table))
        if not imgs or (text and not looks_like_caption(text)):
            return False
        images = [i for i in map(self.image, imgs) if i is not None]
        if images and text:
            caption_image(images[0], text, "row of the image's table")
        return bool(images) or not text

    def paired_table(self, table: El) -> bool:
        """Each image of the table with the caption in its cell or the cell under it."""
        pairs = table_captions(table)
        if pairs is None or not all(looks_like_caption(t) for _, t in pairs if t):
            return False
        found = False
        for img, text in pairs:
            image = self.image(img)
            if image is not None:
                found = True
                if text:
                    caption_image(image, text, "the image's table cell or the one under it")
        return found


def walk(base: str, container: El, skip: list[El], captions: dict[int, str]) -> list[Item]:
    """The content block's lines and images; ``skip`` holds elements read as other fields."""
    walker = _Walker(base, container, skip, captions)
    walker.block(container)
    return walker.items


# (italic, bold, caption rule or None) of a piece of inline text
_Style = tuple[bool, bool, str | None]


class _Run:
    """Inline content between block boundaries, cut at <br>, with its styling."""

    def __init__(self, walker: _Walker, block: El) -> None:
        self.w = walker
        self.block = block
        self.parts: list[tuple[str, _Style]] = []
        self.style: _Style = (
            block.tag in ("em", "i") or is_italic_style(block.get("style")),
            block.tag in HEADING_TAGS or is_bold(block),
            _caption_block(block, walker.container, walker.captions),
        )

    def add(self, text: str | None, style: _Style) -> None:
        if text:
            self.parts.append((text, style))

    def inline(self, el: El, style: _Style) -> None:
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
        style = self._inner_style(el, style)
        self.add(el.text, style)
        for child in el:
            self.inline(child, style)
            self.add(child.tail, style)

    def _inner_style(self, el: El, style: _Style) -> _Style:
        """The style of text inside ``el``: its parent's, plus what ``el`` adds."""
        italic, bold, caption = style
        if caption is None:
            caption = self.w.captions.get(id(el)) or (
                f"caption class {describe(el)}" if is_caption_class(el.get("class")) else None
            )
        return (
            italic or el.tag in ("em", "i", "cite") or is_italic_style(el.get("style")),
            bold or el.tag in ("strong", "b") or is_bold(el),
            caption,
        )

    def flush(self) -> None:
        parts, self.parts = self.parts, []
        raw = "".join(p[0] for p in parts)
        text = "" if raw.isspace() else clean(raw)  # most runs between blocks are blank
        if not text:
            return
        styles = [p[1] for p in parts if not p[0].isspace()]
        self.w.items.append(
            Line(
                text,
                block_align(self.block, self.w.container),
                all(s[0] for s in styles),
                all(s[1] for s in styles),
                styles[0][2] if all(s[2] for s in styles) else None,
                self.block.tag in HEADING_TAGS,
            )
        )


def _caption_block(el: El, stop: El, pinned: dict[int, str]) -> str | None:
    """The rule that makes a block a caption: its class/id or a profile's selector."""
    for _ in range(4):
        rule = pinned.get(id(el))
        if rule:
            return rule
        if is_caption_class(el.get("class")) or is_caption_class(el.get("id")):
            return f"caption class {describe(el)}"
        parent = el.getparent()
        if el is stop or parent is None:
            break
        el = parent
    return None
