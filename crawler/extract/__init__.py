"""Article extraction: from an article page's HTML to the cleaned fields of the contract.

Generic rules only, no per-site code, each in one module:

1. the body is decoded as what it really is (``decode``) and parsed;
2. boilerplate is dropped by tag and by class/id (menus, share bars, related news...),
   unless it holds the article (ASP.NET pages wrap everything in a <form>)
   (``boilerplate``, ``roles``);
3. the content block is the element directly holding the most paragraph text (``content``);
4. title, date and category are the elements nearest to the h1, meta tags first
   (``survey``, ``dates``, ``fields``);
5. the content block is flattened into lines and images in document order (``walk``), and
   captions (figure, image table, centred/italic line after an image, caption classes),
   credits (``captions``) and the closing byline (``authors``) are told apart from body
   paragraphs.

A site profile's ``[selectors]`` (crawler/sites.py) pin parts down first (``pinned``): what
they find wins, the rules above fill the rest. Every field records the name of the rule
that found it (``--explain``): a record kept as the extraction goes, not a second pass.
``listing`` reads listing pages: their article links (the items of the main list,
found by its structure in ``listitems``, with their printed dates) and next page.
"""

from __future__ import annotations

from .article import SCHEMA, extract_article
from .decode import decode_html
from .errors import ExtractionError

__all__ = ["SCHEMA", "ExtractionError", "decode_html", "extract_article"]
