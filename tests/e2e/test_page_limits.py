"""Memory stays bounded whatever a portal sends: peak RSS of a real crawl process under
300 MB for a gzip bomb, an endless chunked body, a 10 MB robots.txt and a listing page
with 200,000 links; and such a page is cut with one log line."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.conftest import TEST_CRAWL_SETTINGS, CliResult
from tests.hostile import HostileServer, Route, endless_chunked, gzip_bomb, page

from ..conftest import CLI

PEAK_LIMIT_MB = 300
# Runs the command and prints the peak resident memory of its process, in KiB.
_MEASURE = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL).returncode\n"
    "print('PEAK_KIB', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    "sys.exit(code)\n"
)


def crawl_measured(listing: str, data: Path, **settings: str) -> tuple[CliResult, float]:
    """A real `crawl --listing` process and its peak RSS in MB."""
    args = ["crawl", "--listing", listing, "--data", str(data), "-v"]
    for name, value in {**TEST_CRAWL_SETTINGS, **settings}.items():
        args += ["-s", f"{name}={value}"]
    proc = subprocess.run(
        [sys.executable, "-c", _MEASURE, *CLI, *args],
        capture_output=True, text=True, timeout=120, env=dict(os.environ),
        stdin=subprocess.DEVNULL,
    )
    match = re.search(r"^PEAK_KIB (\d+)$", proc.stdout, re.M)
    assert match, proc.stdout + proc.stderr[-2000:]
    return CliResult(proc.returncode, proc.stdout, proc.stderr), int(match.group(1)) / 1024


ARTICLE = ("<html><body><h1>Hội nghị Ban Chấp hành Đảng bộ tỉnh lần thứ {n}</h1><p>Ngày 26/6,"
           " Ban Thường vụ Tỉnh ủy tổ chức hội nghị để bàn về công tác xây dựng Đảng.</p>"
           "{extra}</body></html>")


def _listing(*paths: str) -> Route:
    links = "".join(f"<a href='{p}'>Hội nghị Ban Chấp hành Đảng bộ tỉnh lần {i}</a>"
                    for i, p in enumerate(paths))
    return page(f"<html><body>{links}</body></html>")


def _many_links(count: int) -> Route:
    links = "".join(f"<p><a href='/tin/{n}.html'>Bài viết số {n} về hoạt động cấp ủy</a></p>"
                    for n in range(1000, 1000 + count))
    return page(f"<html><body><div class='list'>{links}</div>"
                "<a href='/list?page=2'>Trang sau</a></body></html>")


CASES: dict[str, Mapping[str, Route]] = {
    # 10 MB on the wire, ~10 GB inflated; as an article and as an article's image.
    "gzip-bomb": {
        "/list": _listing("/tin/1.html", "/tin/bom.html"),
        "/tin/1.html": page(ARTICLE.format(n=1, extra="<img src='/anh/bom.jpg'>")),
        "/tin/bom.html": gzip_bomb(),
        "/anh/bom.jpg": gzip_bomb(content_type=b"image/jpeg"),
    },
    "endless-chunked": {
        "/list": _listing("/tin/1.html", "/tin/vo-tan.html"),
        "/tin/1.html": page(ARTICLE.format(n=1, extra="<img src='/anh/vo-tan.jpg'>")),
        "/tin/vo-tan.html": endless_chunked(),
        "/anh/vo-tan.jpg": endless_chunked(content_type=b"image/jpeg"),
    },
    "10mb-robots": {  # 11.5 MB: half a million rules
        "/robots.txt": page(b"User-agent: *\n" + b"Disallow: /an/%08d\n" * 500_000
                            % tuple(range(500_000)), content_type=b"text/plain"),
        "/list": _listing("/tin/1.html"),
        "/tin/1.html": page(ARTICLE.format(n=1, extra="")),
    },
    "200k-links": {"/list": _many_links(200_000)},
}


@pytest.mark.parametrize("case", CASES)
def test_peak_memory_of_a_hostile_case_stays_bounded(case: str, tmp_path: Path) -> None:
    with HostileServer(CASES[case]) as server:
        # 50 links, not the default 1,000: the cap is the same code, the crawl shorter.
        result, peak_mb = crawl_measured(server.url("/list"), tmp_path / "data",
                                         DOWNLOAD_TIMEOUT="10", PORTAL_MAX_LINKS_PER_PAGE="50")
    print(f"{case}: peak RSS {peak_mb:.0f} MB")
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert result.returncode == 0, result.stderr[-3000:]
    assert peak_mb < PEAK_LIMIT_MB, f"{case}: {peak_mb:.0f} MB"
    if case == "10mb-robots":
        assert result.stderr.count("robots.txt is 11500014 bytes: reading only its first") == 1
        assert server.hits["/tin/1.html"] == 1  # the rules read still let it in
    if case in ("gzip-bomb", "endless-chunked"):
        assert "'article/new': 1," in result.stderr  # the good article, past the bad ones
    if case == "200k-links":
        # The page is read only in part, its links cut to the setting, each said once.
        assert result.stderr.count("characters long: reading only its first") == 1
        assert result.stderr.count("has more than 50 article links: following the first") == 1
        assert server.hits["/list?page=2"] == 0  # the cut page's bottom is not read
        assert sum(n for p, n in server.hits.items() if p.startswith("/tin/")) == 50


def test_a_pages_requisites_are_capped_with_one_log_line(tmp_path: Path) -> None:
    images = "".join(f"<img src='/anh/{n}.jpg'>" for n in range(20))
    routes = {"/list": _listing("/tin/1.html"),
              "/tin/1.html": page(ARTICLE.format(n=1, extra=images))}
    routes.update({f"/anh/{n}.jpg": page(b"\xff\xd8\xff jpeg", content_type=b"image/jpeg")
                   for n in range(20)})
    with HostileServer(routes) as server:
        result, _ = crawl_measured(server.url("/list"), tmp_path / "data",
                                   PORTAL_MAX_REQUISITES_PER_PAGE="5")
        fetched = [path for path in server.hits if path.startswith("/anh/")]
    assert result.returncode == 0, result.stderr[-2000:]
    assert sorted(fetched) == [f"/anh/{n}.jpg" for n in range(5)]  # the first five, in order
    assert result.stderr.count("has more than 5 requisites: following the first 5") == 1
