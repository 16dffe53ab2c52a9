"""A real PostgreSQL server for the tests, from the machine's own packages.

``PORTAL_TEST_POSTGRES`` (a libpq URL of a server whose user may create databases) is used
when set. Otherwise a throwaway cluster is made with Debian's ``initdb`` and started on
127.0.0.1 at a free port, its socket and data in a temporary folder, and stopped at the end.
Without PostgreSQL's binaries the tests that need it are skipped with one line, except
under CI (``CI`` set), where they fail: there `.ci/run` has installed the package.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ENV_VAR = "PORTAL_TEST_POSTGRES"


def bindir() -> Path | None:
    """The folder of initdb and pg_ctl: PATH's, else Debian's newest version's."""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                      key=lambda p: int(Path(p).parent.parent.name))
    return Path(versions[-1]).parent if versions else None


def unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL is needed under CI: {reason}")
    pytest.skip(f"PostgreSQL not available: {reason}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server_user() -> list[str]:
    """PostgreSQL refuses to run as root: run its commands as the package's own user."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        unavailable("running as root and there is no 'postgres' user to run the server as")
    return ["runuser", "-u", "postgres", "--"]


@contextmanager
def throwaway_server() -> Iterator[str]:
    """Start a fresh cluster on 127.0.0.1; yield its URL; stop and remove it."""
    bins = bindir()
    if bins is None:
        unavailable("no initdb on PATH or under /usr/lib/postgresql (apt-get install postgresql)")
    assert bins is not None
    prefix = _as_server_user()
    root = Path(tempfile.mkdtemp(prefix="portal-pg-"))
    data = root / "data"
    if prefix:
        shutil.chown(root, "postgres", "postgres")
    port = _free_port()
    subprocess.run([*prefix, str(bins / "initdb"), "-D", str(data), "-U", "portal",
                    "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"],
                   check=True, capture_output=True)
    options = (f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={root}"
               " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
               " -c max_connections=300")
    subprocess.run([*prefix, str(bins / "pg_ctl"), "-D", str(data), "-l", str(root / "log"),
                    "-o", options, "-w", "start"], check=True, capture_output=True)
    try:
        yield f"postgresql://portal@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*prefix, str(bins / "pg_ctl"), "-D", str(data), "-m", "immediate",
                        "stop"], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def server_url() -> Iterator[str]:
    """The URL of the server for this test session (the fixture's body)."""
    if os.environ.get(ENV_VAR):
        yield os.environ[ENV_VAR]
        return
    with throwaway_server() as url:
        yield url


def new_database(server: str) -> str:
    """Create an empty database on the server; return its URL."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with psycopg.connect(server, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            break
        except psycopg.OperationalError:
            # Two test processes creating databases from one template at once.
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    return server.rsplit("/", 1)[0] + "/" + name


def sqlalchemy_url(libpq_url: str) -> str:
    """The same database as SQLAlchemy names it with the psycopg 3 driver."""
    return libpq_url.replace("postgresql://", "postgresql+psycopg://", 1)
