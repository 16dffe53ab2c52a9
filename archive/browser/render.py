"""The Jinja2 environment of the browser's pages: templates from the package, autoescape
on (archived text is never marked safe), and the helpers every template uses.

``t(vi, en)``: the page's text in its language, both written inline in the template.
``url(path, **params)``: a link that keeps the page's language.
``when``: an ISO time as shown (published: the portal's own local time; captures: UTC).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC
from functools import lru_cache
from typing import Any
from urllib.parse import quote, urlencode

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from portal_archive.archive.stamps import parse_utc_iso


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("portal_archive.archive.browser", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = when
    env.filters["utc"] = utc
    env.filters["number"] = number
    env.filters["q"] = lambda value: quote(str(value), safe="")
    return env


def render_page(lang: str, path: str, params: Mapping[str, str], template: str,
                **context: Any) -> str:
    """``template`` for a page at ``path?params`` in ``lang``, with the helpers."""

    def t(vi: str, en: str) -> str:
        return vi if lang == "vi" else en

    def url(path: str, **params: Any) -> str:
        return link(path, lang, **params)

    def other_lang_url() -> str:
        # The same page, with the same filters, in the other language.
        # lang=vi is said too: it is what resets an English cookie.
        kept = {k: v for k, v in params.items() if k != "lang"}
        other = "en" if lang == "vi" else "vi"
        return link(path, "en", **kept) if other == "en" else (
            quote(path) + "?" + urlencode({**kept, "lang": "vi"}))

    page = environment().get_template(template)
    return page.render(lang=lang, t=t, url=url, other_lang_url=other_lang_url,
                       num=lambda n: number(n, lang), **context)


def link(path: str, lang: str, **params: Any) -> str:
    """``path?params``, empty values left out, ``lang`` kept unless it is the default
    (Vietnamese: a link from an English page says ``lang=en``, and its cookie follows)."""
    kept = {k: v for k, v in params.items() if v not in (None, "") and k != "lang"}
    if lang != "vi":
        kept["lang"] = lang
    return quote(path) + ("?" + urlencode(kept) if kept else "")


def when(iso: str | None) -> str:
    """An ISO time with its own offset as the portal printed it: ``2025-06-27 16:22``."""
    if not iso:
        return ""
    return iso[:16].replace("T", " ")


def utc(iso: str | None) -> str:
    """A capture time in UTC: ``2026-12-01 18:31 UTC``."""
    if not iso:
        return ""
    try:
        moment = parse_utc_iso(iso)
    except ValueError:
        return iso
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def number(n: int, lang: str = "vi") -> str:
    """``1.000`` in Vietnamese, ``1,000`` in English."""
    text = f"{int(n):,}"
    return text.replace(",", ".") if lang == "vi" else text


def marked(segments: list[tuple[str, bool]]) -> Markup:
    """Search segments as HTML: each piece escaped, matches in ``<mark>``."""
    parts = [Markup("<mark>{}</mark>").format(text) if hit else Markup.escape(text)
             for text, hit in segments]
    return Markup("").join(parts)
