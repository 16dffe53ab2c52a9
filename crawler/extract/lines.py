"""What the walk over the content block yields: lines of text and images, in order."""

from __future__ import annotations

from dataclasses import dataclass

from .inline import InlineImage


@dataclass(slots=True)
class Line:
    text: str
    align: str | None
    italic: bool
    bold: bool
    caption: str | None  # the rule that makes it a caption whatever follows, or None
    heading: bool = False  # an <h2>...<h6>: a subhead, never a caption


@dataclass(slots=True)
class Image:
    src: str | None  # None for an inline data: image
    src_rule: str
    inline: InlineImage | None = None
    caption: str | None = None
    credit: str | None = None
    caption_rule: str | None = None
    credit_rule: str | None = None


Item = Line | Image
