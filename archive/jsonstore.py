"""Cleaned-article JSON files, written atomically (see archive/atomic.py)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from archive.atomic import write_text_atomic


def write_json_atomic(path: Path, data: Mapping[str, Any]) -> None:
    write_text_atomic(path, [json.dumps(data, ensure_ascii=False, indent=2), "\n"])
