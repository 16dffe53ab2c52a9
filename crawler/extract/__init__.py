"""Article extraction: from an article page's HTML to the cleaned fields of the contract.

Generic rules only, no per-site code, each in one module:

1. the body is decoded as what it really is (``decode``) and parsed;
2. boilerplate is dropped by tag and by class/id (menus, share bars, related news...),
   unless it holds the article (ASP.NET pages wrap everything in a <form>), and ad units
   by their label, "Tin tài trợ" (``boilerplate``, ``roles``, ``sponsored``);
3. the content block is the one marked ``itemprop="articleBody"``, else the element directly
   holding the most paragraph text outside related lists and footers (``content``);
4. the title is the headline wherever the CMS puts it (h1, an h2 or title-class line by
   the content block, og:title, <title>), cross-checked so that a site heading, a
   breadcrumb, a menu's or sidebar widget's label, the label of the box around the
   article or a body headline is never taken (``headline``); a legal
   text's heading is its opening centred bold lines (``docheading``); date and category
   are the elements nearest to it, the date only from the article's block, the printed
   line before the meta tags (``survey``, ``dates``, ``dateline``, ``fields``);
5. the content block is flattened into lines and images in document order (``walk``), and
   captions (figure, image table, centred/italic line after an image, caption classes),
   credits (``captions``), the closing byline (``authors``) and the source line
   (``source``: "Theo Báo Đắk Nông", "Nguồn: TTXVN") are told apart from body paragraphs;
   the lead is the sapo, else the first line after the opening headings (``leadline``);
   a photo in or beside the sapo is the first image (``thumbnail``), one pasted as a
   ``data:`` URI is recorded by type, size and digest (``inline``).

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
