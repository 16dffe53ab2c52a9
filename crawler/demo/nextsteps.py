"""Where `portal-archive demo` serves its portal, and the next steps it prints.

The ``demo`` site profile points at ``127.0.0.1:8089``, so `demo` serves there when it
can: then `demo-portal` and `crawl demo`, as printed, crawl the very same URLs again
(unchanged articles write no new JSON, their bytes are stored as revisits). When the port
is taken it serves on a free one, and the printed commands name that port instead.
Every printed command carries ``--data``: run anywhere, they look in the same folder.
"""

from __future__ import annotations

import shlex
import shutil
import sys
from pathlib import Path
from urllib.parse import urlsplit

from .content import DemoSite
from .portal import DemoPortal


def profile_port() -> int:
    """The port of the ``demo`` profile's base URL (8089)."""
    from portal_archive.crawler.sites import load_profile

    return urlsplit(load_profile("demo").base_url).port or 80


def start_portal(site: DemoSite, port: int) -> DemoPortal:
    """The demo portal serving on ``port``, or on a free port if that one is taken."""
    portal = DemoPortal(site, port=port)
    try:
        portal.start()
    except OSError:
        portal = DemoPortal(site, port=0)
        portal.start()
    return portal


def program(argv0: str | None = None) -> str:
    """How to type the command: `portal-archive` when it is on PATH, else the path it
    was run by (`.venv/bin/portal-archive demo` in a shell that never activated the venv).
    """
    invoked = argv0 if argv0 is not None else sys.argv[0]
    if shutil.which("portal-archive") or Path(invoked).name != "portal-archive":
        return "portal-archive"
    return shlex.quote(invoked)


def next_steps(data: Path, portal: DemoPortal, sample: Path | None) -> str:
    """The commands to try after the demo, each to be run exactly as printed."""
    where = f"--data {shlex.quote(str(data))}"
    pa = program()
    serve = f"{pa} demo-portal --port {portal.port} --articles {portal.site.articles}"
    crawl = f"{pa} crawl demo {where}"
    if portal.port != profile_port():  # the profile's base URL would name another port
        crawl += f" -s PORTAL_BASE_URL={portal.base_url}"
    rows = [
        (f"{pa} verify {where}", "digests, index and JSON pointers"),
        (f"{pa} replay {where}", "pywb on http://127.0.0.1:8080/all/"),
        (f"{pa} serve {where}", "browse, search and compare on http://127.0.0.1:8000/"),
        (f"{pa} changes {where}", "the change events"),
    ]
    if sample is not None:
        rows.append((f"cat {shlex.quote(str(sample))}", "one cleaned article"))
    rows += [
        (serve, "in a second terminal: the same portal again, until Ctrl-C"),
        (crawl, "...and crawl it again: unchanged articles write no new JSON"),
    ]
    lines = ["Next:"]
    for command, why in rows:  # the comment above: a command line to copy whole
        lines += [f"  # {why}", f"  {command}"]
    return "\n".join(lines)
