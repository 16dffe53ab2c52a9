"""`portal-archive demo` and what it tells the user to do next: the printed commands are
run as printed, through a shell, with `portal-archive` on the PATH."""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from portal_archive.crawler.cli import build_parser
from portal_archive.crawler.demo.content import DemoSite
from portal_archive.crawler.demo.nextsteps import next_steps, profile_port
from portal_archive.crawler.demo.portal import DemoPortal

from ..conftest import run_cli
from ..schedules.conftest import wait_until

ROOT = Path(__file__).resolve().parents[2]


def _shell(tmp_path: Path) -> dict[str, str]:
    """An environment whose PATH has `portal-archive`, as an installed venv's bin/ does,
    running this interpreter (and so this checkout)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    script = bin_dir / "portal-archive"
    script.write_text(
        f'#!/bin/sh\nexec "{sys.executable}" -m portal_archive.crawler.cli "$@"\n', "utf-8")
    script.chmod(0o755)
    return {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}


def _commands(stdout: str) -> list[str]:
    steps = stdout.split("\nNext:\n", 1)[1]
    return [line.strip() for line in steps.splitlines()
            if line.strip() and not line.strip().startswith("#")]


def _records(files: set[Path]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for path in files:
        with open(path, "rb") as stream:
            counts.update(record.rec_type for record in ArchiveIterator(stream))
    return counts


def test_demo_next_steps_work_as_printed(tmp_path: Path) -> None:
    data = tmp_path / "my archive"  # a space: the printed commands quote it
    env = _shell(tmp_path)
    with socket.socket() as taken:  # the port asked for is busy: a free one is used
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        demo = run_cli("demo", "--articles", "5", "--port", str(busy), "--data", str(data))
    assert demo.returncode == 0, demo.stderr
    commands = _commands(demo.stdout)
    [serve] = [c for c in commands if c.startswith("portal-archive demo-portal ")]
    [crawl] = [c for c in commands if c.startswith("portal-archive crawl ")]
    port = int(re.search(r"--port (\d+)", serve).group(1))  # type: ignore[union-attr]
    assert port != busy and f"serving on http://127.0.0.1:{port} " in demo.stdout
    assert f"-s PORTAL_BASE_URL=http://127.0.0.1:{port}" in crawl
    for command in commands:
        if command.startswith("portal-archive ") and command != serve:
            assert f"--data '{data}'" in command, command

    json_before = set(data.rglob("*.json"))
    warcs_before = set((data / "warc").rglob("*.warc.gz"))
    run = {c.split()[1]: c for c in commands if c.startswith("portal-archive ")}
    for name in ("verify", "changes"):
        done = subprocess.run(run[name], shell=True, env=env, cwd=tmp_path, text=True,
                              capture_output=True, timeout=60)
        assert done.returncode == 0, (run[name], done.stderr)
        if name == "changes":
            events = [json.loads(line) for line in done.stdout.splitlines()]
            assert events and {e["type"] for e in events} == {"new"}
    [cat] = [c for c in commands if c.startswith("cat ")]
    article = json.loads(subprocess.run(cat, shell=True, capture_output=True, check=True,
                                        cwd=tmp_path).stdout)
    assert article["schema"] == "portal-archive.article/1"

    # "In a second terminal": the portal in the background, then the crawl, as printed.
    with _background(serve, env, tmp_path / "portal.log") as log:
        wait_until(lambda: f"demo portal on http://127.0.0.1:{port}" in log.read_text(), 20,
                   "the demo portal to listen")
        again = subprocess.run(crawl, shell=True, env=env, cwd=tmp_path, text=True,
                               capture_output=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert "articles       5 extracted: 0 new" in again.stdout, again.stdout
    assert "JSON           0 new file(s)" in again.stdout
    assert set(data.rglob("*.json")) == json_before
    # The same URLs as the demo crawled: their unchanged bytes are revisits, not copies.
    written = _records(set((data / "warc").rglob("*.warc.gz")) - warcs_before)
    assert written["revisit"] > written["response"], written


class _background:
    """A shell command run in the background, its output in ``log``, stopped on exit."""

    def __init__(self, command: str, env: dict[str, str], log: Path) -> None:
        self.command, self.env, self.log = command, env, log

    def __enter__(self) -> Path:
        self.out = open(self.log, "wb")  # noqa: SIM115 - closed in __exit__
        self.process = subprocess.Popen(f"exec {self.command}", shell=True, env=self.env,
                                        stdout=self.out, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL)
        return self.log

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.wait(20)
        self.out.close()


def test_on_the_profiles_port_the_crawl_needs_no_base_url(tmp_path: Path) -> None:
    portal = DemoPortal(DemoSite(articles=3), port=profile_port())  # not started
    steps = next_steps(tmp_path, portal, None)
    assert f"  portal-archive crawl demo --data {tmp_path}\n" in steps + "\n"
    assert f"  portal-archive demo-portal --port {profile_port()} --articles 3\n" in steps
    assert "PORTAL_BASE_URL" not in steps


# -- help texts ------------------------------------------------------------------------
# What a help text may name that is not a file of the project: the data folder's default.
_NOT_PROJECT_FILES = {"./portal-data"}
_PATHLIKE = re.compile(r"[\w.*$-]*/[\w.*/<>-]*|[\w*-]+\.(?:md|toml|py|cfg|txt|json|yaml)\b")


def _help_texts(parser: argparse.ArgumentParser, name: str) -> Iterator[tuple[str, str]]:
    for text in (parser.description, parser.epilog):
        if text:
            yield name, text
    for action in parser._actions:
        if action.help and action.help != argparse.SUPPRESS:
            yield f"{name} {'/'.join(action.option_strings) or action.dest}", action.help
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                if choice.help:
                    yield f"{name} {choice.dest}", choice.help
            for sub_name, sub in action.choices.items():
                yield from _help_texts(sub, f"{name} {sub_name}")


def test_help_names_only_files_that_are_in_the_project() -> None:
    texts = list(_help_texts(build_parser(), "portal-archive"))
    assert any(where == "portal-archive schedule run --grace" for where, _ in texts)
    missing = []
    for where, text in texts:
        for token in _PATHLIKE.findall(text):
            token = token.rstrip(".,;:)")
            if "://" in text and token.startswith("/") or "$" in token:
                continue  # part of a URL, an environment variable
            if token in _NOT_PROJECT_FILES or list(ROOT.glob(token.lstrip("./"))):
                continue
            missing.append(f"{where}: {token!r} in {text!r}")
    assert not missing, "\n".join(missing)


def test_the_steps_name_the_command_as_it_can_be_typed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from portal_archive.crawler.demo.nextsteps import program

    monkeypatch.setenv("PATH", str(tmp_path))  # a shell that never activated the venv
    assert program(".venv/bin/portal-archive") == ".venv/bin/portal-archive"
    assert program("/my venv/bin/portal-archive") == "'/my venv/bin/portal-archive'"
    monkeypatch.setenv("PATH", _shell(tmp_path)["PATH"])  # activated: on PATH
    assert program(".venv/bin/portal-archive") == "portal-archive"
