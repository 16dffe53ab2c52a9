"""The one format of a bench figure: a stdout line ``name: value [unit or comment]``.

Every bench script run with ``--figures`` prints its figures this way, and bench/run.py
reads them back with :func:`parse`; ``unavailable`` is the value of a figure that could
not be measured, followed by its one-line reason.

>>> line("index_lookup_ms_10M", 1.84, "(p95; median 0.9)")
'index_lookup_ms_10M: 1.84 (p95; median 0.9)'
>>> parse("noise\\nwarc_write_vs_warcio: 1.03 (wall)\\nx: unavailable (no script)\\n")
[('warc_write_vs_warcio', '1.03 (wall)'), ('x', 'unavailable (no script)')]
"""

from __future__ import annotations

import re

UNAVAILABLE = "unavailable"
# A name, then a number (or "unavailable"), then anything after one space.
_FIGURE = re.compile(
    r"^(?P<name>[A-Za-z][A-Za-z0-9_]*): "
    r"(?P<value>(?:[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|" + UNAVAILABLE + r")(?: .*)?)$"
)


def line(name: str, value: float, note: str = "") -> str:
    """One figure's line; a float keeps three significant decimals at most."""
    number = f"{value:.3g}" if isinstance(value, float) and abs(value) < 100 else (
        f"{value:.1f}" if isinstance(value, float) else str(value))
    return f"{name}: {number}" + (f" {note}" if note else "")


def unavailable(name: str, reason: str) -> str:
    """The line of a figure that could not be measured, its reason on one line."""
    reason = " ".join(reason.split()) or "no reason given"
    return f"{name}: {UNAVAILABLE} ({reason})"


def parse(text: str) -> list[tuple[str, str]]:
    """Every figure line of a script's stdout, in order, as (name, value-and-comment)."""
    found = []
    for raw in text.splitlines():
        match = _FIGURE.match(raw.strip())
        if match:
            found.append((match["name"], match["value"]))
    return found


def emit(name: str, value: float, note: str = "") -> None:
    print(line(name, value, note), flush=True)
