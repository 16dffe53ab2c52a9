"""What the walk over the content block yields: lines of text and images, in order."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Line:
    text: str
    align: str | None
    italic: bool
    bold: bool
    caption: str | None  # the rule that makes it a caption whatever follows, or None


@dataclass(slots=True)
class Image:
    src: str
    title: str
    src_rule: str
    caption: str | None = None
    credit: str | None = None
    caption_rule: str | None = None
    credit_rule: str | None = None


Item = Line | Image
