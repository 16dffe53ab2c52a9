"""One check for every ``NAME=VALUE`` a user gives (``-s`` and schedule files).

Scrapy ignores a misspelt setting and fails deep in the reactor, with a traceback, on a
value of the wrong type. Here a name must be one that Scrapy's defaults or
crawler/settings.py define, and a value must read as its default's type, so a setting
added to crawler/settings.py is checked without being listed anywhere else.
"""

from __future__ import annotations

import difflib
import logging
import math
from collections.abc import Mapping
from functools import cache
from types import ModuleType
from typing import Any

from scrapy.settings import BaseSettings

from portal_archive.archive.errors import PortalArchiveError


@cache
def setting_defaults() -> dict[str, Any]:
    """Every setting Scrapy or the project defines, with the default this project runs with."""
    from scrapy.settings import default_settings

    from portal_archive.crawler import settings as ours

    return {**_upper_names(default_settings), **_upper_names(ours)}


def _upper_names(module: ModuleType) -> dict[str, Any]:
    # "_VERSION".isupper() is true too: a leading underscore marks a module's own helper.
    return {name: value for name, value in vars(module).items()
            if name.isupper() and not name.startswith("_")}


def check_setting(name: str, text: str) -> Any:
    """``text`` as the value ``name`` takes (int, float, bool, dict...), or one clear error."""
    defaults = setting_defaults()
    if name not in defaults:
        close = difflib.get_close_matches(name, defaults, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise PortalArchiveError(f"unknown Scrapy setting {name!r}{hint}")
    if name.endswith("LOG_LEVEL"):
        return _log_level(name, text)
    return _as_type_of(name, text, defaults[name])


def check_overrides(overrides: Mapping[str, str]) -> dict[str, Any]:
    """Each ``-s NAME=VALUE`` checked and typed, ready for ``Settings.set``."""
    return {name: check_setting(name, text) for name, text in overrides.items()}


def _log_level(name: str, text: str) -> str | int:
    if text.isdigit():
        return int(text)
    levels = [level for level in logging.getLevelNamesMapping() if level != "NOTSET"]
    if text.upper() in levels:
        return text.upper()
    raise PortalArchiveError(
        f"setting {name}={text!r} is not a log level (one of {', '.join(levels)})")


def _as_type_of(name: str, text: str, default: Any) -> Any:
    # bool before int: True is an int too.
    if isinstance(default, bool):
        return _read(name, text, "bool", BaseSettings.getbool)
    if isinstance(default, int):
        # Many int defaults are seconds read as floats (DOWNLOAD_TIMEOUT=1.5); a float
        # given where Scrapy reads an int is truncated by getint, never a traceback.
        try:
            return int(text)
        except ValueError:
            number = _read(name, text, "int", BaseSettings.getfloat)
        if not math.isfinite(number):  # getint would raise on it
            raise PortalArchiveError(f"setting {name}={text!r} is not a valid int")
        return number
    if isinstance(default, float):
        return _read(name, text, "float", BaseSettings.getfloat)
    if isinstance(default, dict):
        return _read(name, text, "JSON object", BaseSettings.getdict)
    return text  # strings, lists (Scrapy splits "a,b"), and settings without a default


def _read(name: str, text: str, kind: str, getter: Any) -> Any:
    """Parse as Scrapy itself will, so that what passes here passes there."""
    try:
        return getter(BaseSettings({name: text}), name)
    except (ValueError, TypeError):  # getdict: dict() of a JSON list is a TypeError
        raise PortalArchiveError(f"setting {name}={text!r} is not a valid {kind}") from None
