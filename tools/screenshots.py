"""Screenshots of every page of the archive browser, 1280x800, to look at.

Builds the browser tests' archive (the demo portal crawled at day 0 and at day 1, so one
article has an edit to diff: tests/browser.py), runs ``portal-archive serve`` over it and
saves one PNG per page, as Debian's headless Chromium shows it, into OUT_DIR:

    python tools/screenshots.py OUT_DIR

It prints the files it wrote. Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser import (  # noqa: E402
    CHROMIUM,
    EDITED,
    SITE,
    Chromium,
    TwoStates,
    chromium,
    crawl_two_states,
    demo_title_with_marks,
    serving,
    titled_query,
)


def pages(archive: TwoStates) -> list[tuple[str, str]]:
    """(file name, path) of each page to shoot, in the order a reader meets them."""
    _, title = demo_title_with_marks(archive)
    article = archive.page_path(EDITED)
    query = titled_query(title, count=3).replace(" ", "+")
    return [
        ("01-sites", "/"),
        ("02-browse", f"/site/{SITE}"),
        ("03-search", f"/search?q={query}"),
        ("04-article", article),
        ("05-diff", article + "/diff"),
        ("06-events", "/events"),
        ("07-english-article", article + "?lang=en"),
        ("08-not-found", "/khong-co-trang-nay"),
    ]


def shoot(browser: Chromium, base: str, archive: TwoStates, out: Path) -> list[Path]:
    written = []
    for name, path in pages(archive):
        # A context per page: the English page's language cookie stays on its page.
        tab = browser.page()
        response = tab.goto(base + path)
        status = response.status if response else "no response"
        target = out / f"{name}.png"
        tab.screenshot(path=str(target), full_page=False)
        tab.context.close()
        print(f"{target}  {status}  {path}")
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path, help="folder for the PNG files")
    args = parser.parse_args(argv)
    if not CHROMIUM.is_file():
        print(f"screenshots: no {CHROMIUM} (apt-get install chromium)", file=sys.stderr)
        return 1
    args.out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="portal-screenshots-") as work:
        folder = Path(work)
        archive = crawl_two_states(folder / "data")
        with serving(archive.data, folder / "serve.log") as served, chromium() as browser:
            shoot(browser, served.base, archive, args.out_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
