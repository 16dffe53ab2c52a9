"""Replay with pywb itself: generate its config from the data folder, run its ``wayback``
server in a child process, stop it cleanly on Ctrl-C or SIGTERM.

pywb is never imported here: its front end runs gevent's ``patch_all()`` on import,
which must not happen in the crawler's process (Twisted). The child is plain pywb
(``portal_archive.archive.pywbchild`` keeps non-latin-1 header bytes and registers the
merged index as a pywb index source), so what it serves is what any pywb user gets:
``/<collection>/<timestamp>/<url>``, Memento TimeGates and TimeMaps, pywb's banner and
its Content-Security-Policy.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

from portal_archive.archive.cdxj import indexed_sites
from portal_archive.archive.datadir import DataDir
from portal_archive.archive.errors import PortalArchiveError

ALL = "all"
SOURCE_TYPE = "portal-archive"  # pywb index source type of the merged index
HOST = "127.0.0.1"
DEFAULT_PORT = 8080
READY_TIMEOUT = 60.0  # pywb loads its rules and templates before it listens

# The child ignores SIGINT (an ignored signal survives exec, and Python then leaves it
# alone): a Ctrl-C reaches the whole process group, and gevent would answer it with a
# traceback. The parent forwards it as SIGTERM instead, which ends pywb quietly.
_BOOT = (
    "import signal, sys; signal.signal(signal.SIGINT, signal.SIG_IGN); "
    "from portal_archive.archive.pywbchild import main; main(sys.argv[1:])"
)


def nothing_archived(data: DataDir) -> PortalArchiveError:
    return PortalArchiveError(
        f"nothing archived yet in {data.root}; run portal-archive crawl first"
    )


def replayed_sites(data: DataDir) -> list[str]:
    """Every site with captures in the index."""
    return indexed_sites(data.index) if data.index.is_dir() else []


def index_config(index_dir: Path, site: str | None = None) -> dict[str, str]:
    """The ``index`` of a pywb collection: the merged index (archive/pywbindex.py), of
    every site or of one."""
    config = {"type": SOURCE_TYPE, "path": str(index_dir.resolve())}
    if site:
        config["site"] = site
    return config


def pywb_config(data: DataDir) -> dict[str, Any]:
    """pywb's config: collection ``all`` over the whole index (its segments are listed
    per request, so a site crawled later shows up without a restart) and one collection
    per site, the same index filtered to that site's WARC files."""
    sites = replayed_sites(data)
    if not sites:
        raise nothing_archived(data)
    if ALL in sites:
        raise PortalArchiveError(f"a site may not be called {ALL!r}: it names every site")
    # pywb joins archive_paths and the index's filename as strings: keep the slash.
    warc = str(data.warc.resolve()) + os.sep
    collections = {ALL: {"index": index_config(data.index), "archive_paths": warc}}
    for site in sites:
        collections[site] = {"index": index_config(data.index, site), "archive_paths": warc}
    return {
        "collections": collections,
        # Only what is listed above: no collections picked up from the working folder.
        "enable_auto_colls": False,
        "enable_memento": True,
        # pywb's default framed replay keeps its "archived on" banner above the page;
        # redirect_to_exact turns an Accept-Datetime request into a 307 to the memento.
        "framed_replay": True,
        "redirect_to_exact": True,
    }


def write_config(data: DataDir, folder: Path) -> Path:
    """Write ``config.yaml`` into ``folder``. JSON is YAML, and its quoted strings keep
    pywb's ``${VAR}`` expansion away from paths."""
    path = folder / "config.yaml"
    path.write_text(json.dumps(pywb_config(data), indent=2) + "\n", encoding="utf-8")
    return path


def check_port(port: int, host: str = HOST, option: str = "--port") -> None:
    """Fail with one line if nothing may listen on ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As gevent's server does, so a port left in TIME_WAIT is not called busy.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise PortalArchiveError(
                    f"port {port} on {host} is in use; choose another with {option}"
                ) from exc
            raise PortalArchiveError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc


@contextmanager
def running_pywb(data: DataDir, port: int = DEFAULT_PORT,
                 host: str = HOST) -> Iterator[subprocess.Popen[bytes]]:
    """pywb serving ``data`` on ``host:port`` while the block runs (it is listening when
    the block starts), stopped when it ends however it ends."""
    check_port(port, host)
    with tempfile.TemporaryDirectory(prefix="portal-archive-replay-") as folder:
        config = write_config(data, Path(folder))
        # cwd is the empty temp folder: pywb also looks there for templates and static/.
        proc = subprocess.Popen(
            [sys.executable, "-c", _BOOT, "--port", str(port), "--bind", host],
            cwd=folder,
            env={**os.environ, "PYWB_CONFIG_FILE": str(config)},
            stdin=subprocess.DEVNULL,
        )
        try:
            _wait_until_listening(proc, host, port)
            yield proc
        finally:
            _stop(proc)


@contextmanager
def stopped_by_sigterm() -> Iterator[None]:
    """SIGTERM raises KeyboardInterrupt inside the block, as Ctrl-C does."""
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def serve(
    data: DataDir,
    port: int = DEFAULT_PORT,
    host: str = HOST,
    announce: Callable[[str], None] = print,
) -> int:
    """Run pywb on ``host:port`` until Ctrl-C or SIGTERM (exit 0), or until pywb dies."""
    try:
        with stopped_by_sigterm(), running_pywb(data, port, host) as proc:
            announce(_banner(data, host, port))
            code = proc.wait()
    except KeyboardInterrupt:
        return 0
    raise PortalArchiveError(f"pywb stopped unexpectedly (exit status {code})")


def _interrupt(signum: int, frame: object) -> NoReturn:
    raise KeyboardInterrupt


def _wait_until_listening(proc: subprocess.Popen[bytes], host: str, port: int) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise PortalArchiveError(
                f"pywb exited with status {proc.returncode} before serving (see above)"
            )
        try:
            socket.create_connection((host, port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise PortalArchiveError(f"pywb did not start listening on {host}:{port}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _banner(data: DataDir, host: str, port: int) -> str:
    base = f"http://{host}:{port}"
    lines = [f"replaying {data.root} with pywb on {base}/ (Ctrl-C to stop)"]
    for name in [ALL, *replayed_sites(data)]:
        lines.append(f"  {base}/{name}/<timestamp>/<url>")
    lines.append(f"  TimeMap: {base}/{ALL}/timemap/link/<url>")
    return "\n".join(lines)
