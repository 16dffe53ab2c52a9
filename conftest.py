"""Collects the doctests of the package folders as the modules they install as.

``--doctest-modules`` imports ``crawler/cli.py`` by its path, as a module named
``crawler.cli`` (any import mode): a second copy beside ``portal_archive.crawler.cli``,
with its own module state and import side effects. Here the doctests of the three
folders are read from the ``portal_archive.*`` modules the code itself imports.
"""

from __future__ import annotations

import importlib
from collections.abc import Generator
from pathlib import Path
from types import ModuleType

import pytest
from _pytest.doctest import DoctestModule  # pytest exports no public name for it

ROOT = Path(__file__).parent
PACKAGE_FOLDERS = ("crawler", "archive", "schedules")


def installed_name(path: Path) -> str | None:
    """``portal_archive.crawler.cli`` for ``<repo>/crawler/cli.py``; None outside the
    package folders."""
    try:
        parts = path.relative_to(ROOT).with_suffix("").parts
    except ValueError:
        return None
    if not parts or parts[0] not in PACKAGE_FOLDERS:
        return None
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(("portal_archive", *parts))


class InstalledDoctestModule(DoctestModule):
    """The doctests of one module, imported by its installed name."""

    def _getobj(self) -> ModuleType:
        name = installed_name(self.path)
        assert name is not None
        return importlib.import_module(name)


@pytest.hookimpl(wrapper=True)
def pytest_collect_file(
    file_path: Path, parent: pytest.Collector
) -> Generator[None, list[pytest.Collector], list[pytest.Collector]]:
    collected = yield
    if installed_name(file_path) is None:
        return collected
    return [
        InstalledDoctestModule.from_parent(parent, path=file_path)
        if type(node) is DoctestModule
        else node
        for node in collected
    ]
