"""pywb's view of the merged index (archive/segments.py), registered in the replay child.

An index source of pywb's own kind: for each look-up it opens the live segments
(``segments.snapshot``), binary-searches each with pywb's ``iter_range`` and merges the
results, as pywb's DirectoryIndexSource does for a folder of CDXJ files. With ``site``
set, only the captures whose WARC file is in ``warc/<site>/`` are given: that is the
per-site collection, the same index filtered, so it never shows another site's captures
even of a URL both sites fetched (a shared image host). One look-up is not filtered: the
one pywb makes for a revisit's original (``load_cdx_for_dupe``: no revisits, one payload
digest). A site's revisit may name another site's earlier record of the same URL (the
crawl dedups by URL and payload, archive/revisit.py); the site's collection then shows
its own capture, with the payload that capture says it had.

pywb is imported only when the class is made (``source_class``), in the replay child or a
bench, never in the crawler's or the CLI's process (see archive/replay.py).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from portal_archive.archive import segments
from portal_archive.archive.replay import SOURCE_TYPE


@cache
def source_class() -> type:
    """pywb's index source over the merged index: ``cls(index_dir, site=None)``."""
    from pywb.utils.binsearch import iter_range
    from pywb.warcserver.index.cdxobject import CDXObject
    from pywb.warcserver.index.indexsource import BaseIndexSource

    class MergedIndexSource(BaseIndexSource):
        def __init__(self, index_dir: str, site: str | None = None) -> None:
            self.index_dir = Path(index_dir)
            self.prefix = f"{site}/" if site else ""

        def load_index(self, params: dict[str, Any]) -> Iterator[Any]:
            # Lazy, as pywb's own FileIndexSource: pywb may read only the first lines.
            # The files close when pywb drops the iterator.
            with segments.snapshot(self.index_dir) as handles:
                ranges = [iter_range(h, params["key"], params["end_key"]) for h in handles]
                every_site = not self.prefix or _looks_up_a_revisits_original(params)
                for line in segments.unique(heapq.merge(*ranges)):
                    cdx = CDXObject(line)
                    if every_site or cdx.get("filename", "").startswith(self.prefix):
                        yield cdx

        def __str__(self) -> str:
            return "file_dir"

        @classmethod
        def init_from_string(cls, value: str) -> None:
            return None  # only configured as {"type": SOURCE_TYPE, "path": ..., "site": ...}

        @classmethod
        def init_from_config(cls, config: dict[str, Any]) -> Any:
            if config.get("type") != SOURCE_TYPE:
                return None
            return cls(config["path"], config.get("site"))

    return MergedIndexSource


def _looks_up_a_revisits_original(params: dict[str, Any]) -> bool:
    filters = params.get("filter") or []
    if isinstance(filters, str):
        filters = [filters]
    return "!mime:warc/revisit" in filters and any(f.startswith("digest:") for f in filters)


def register() -> None:
    from pywb.warcserver.warcserver import register_source

    register_source(source_class())
