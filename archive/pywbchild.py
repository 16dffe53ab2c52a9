"""The child process of ``portal-archive replay``: pywb's own wayback server, with one
fix on the way out.

WSGI sends header values as latin-1. pywb reads an archived header block as UTF-8, and
when a value then does not fit latin-1 (``Content-Disposition: …Hội nghị.pdf``, a raw
UTF-8 ``Location`` in ``id_`` mode) it drops the header (``WbResponse.try_fix_errors``).
Such a value can only have come from UTF-8 bytes, so its UTF-8 bytes, the archived ones,
are sent instead. Values that fit latin-1 are left to pywb.

Only this child imports pywb (its front end patches with gevent on import).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from portal_archive.archive.httpheaders import to_wire

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def latin1_header(value: str) -> str:
    """``value`` as WSGI wants it: unchanged if it fits latin-1, else its UTF-8 bytes.

    >>> latin1_header("text/html")
    'text/html'
    >>> latin1_header("/tin/Hội.html").encode("latin-1")
    b'/tin/H\\xe1\\xbb\\x99i.html'
    """
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        return to_wire(value).decode("latin-1")
    return value


def archived_header_bytes(app: WsgiApp) -> WsgiApp:
    """WSGI middleware: header values that do not fit latin-1 go out as UTF-8 bytes."""

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        def start(status: str, headers: Sequence[tuple[str, str]], *exc_info: Any) -> Any:
            fitted = [(name, latin1_header(value)) for name, value in headers]
            return start_response(status, fitted, *exc_info)

        return app(environ, start)

    return wrapped


def main(argv: list[str]) -> None:
    """``wayback`` with its arguments, the app wrapped through WaybackCli's own hook."""
    from pywb.apps.cli import WaybackCli

    from portal_archive.archive.pywbindex import register

    register()  # the merged index's source, which replay's config names

    class _Cli(WaybackCli):
        def load(self) -> WsgiApp:
            return archived_header_bytes(super().load())

    _Cli(args=argv, default_port=8080, desc="pywb Wayback Machine Server").run()
