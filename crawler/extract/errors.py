"""The one exception extraction raises."""

from __future__ import annotations


class ExtractionError(ValueError):
    """The page holds no article (no title and no paragraphs)."""
