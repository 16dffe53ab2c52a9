"""The bundled demo portal: a deterministic content model (ground truth) and its HTTP server."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .content import CATEGORIES, DISALLOWED_PATH, PAGE_SIZE, VN_TZ, DemoArticle, DemoImage, DemoSite

if TYPE_CHECKING:
    from .portal import DemoPortal

__all__ = ["CATEGORIES", "DISALLOWED_PATH", "PAGE_SIZE", "VN_TZ", "DemoArticle", "DemoImage",
           "DemoPortal", "DemoSite"]


def __getattr__(name: str) -> object:
    # imported lazily so that `python -m portal_archive.crawler.demo.portal` does not
    # import it twice
    if name == "DemoPortal":
        from .portal import DemoPortal

        return DemoPortal
    raise AttributeError(name)
