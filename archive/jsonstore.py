"""Cleaned-article JSON files, written atomically (see archive/atomic.py)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from portal_archive.archive.atomic import write_text_atomic


def write_json_atomic(path: str | os.PathLike[str], data: Mapping[str, Any], *,
                      sync: bool = True) -> None:
    write_text_atomic(path, [json.dumps(data, ensure_ascii=False, indent=2), "\n"], sync=sync)
