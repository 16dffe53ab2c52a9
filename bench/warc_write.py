"""WARC writing: archive/warcfile.py's RollingWarcWriter against a plain warcio WARCWriter
writing the same records, side by side in one process.

Our writer also makes each record's index line as it writes (archive/cdxjline.py), which
warcio alone does not: the figure is measured against warcio followed by cdxj-indexer
reading the file (what the crawl did before), the same output; the ratio to warcio
alone is printed beside it.

The records are the demo portal's pages and images as a crawl would capture them: for each
page a response record and its request record (what crawler/middlewares/warc.py writes).
Each writer builds its own records from the same payloads and headers (record building is
part of writing: both compute the digests), rounds alternate, the best of each counts. The
files are read back with warcio: the same records, payload digests equal, or no figure.

    python bench/warc_write.py --pages 10000 --rounds 5
    python bench/warc_write.py --figures --quick
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

sys.path.insert(0, str(Path(__file__).resolve().parent))
from figures import emit  # noqa: E402

from portal_archive.archive.warcfile import WARC_VERSION, RollingWarcWriter, warc_date  # noqa: E402

Payload = tuple[str, str, bytes]  # url, content type, body


def payloads(pages: int) -> list[Payload]:
    """``pages`` captures: demo article pages, each followed by one of its images."""
    from portal_archive.crawler.demo.content import DemoSite
    from portal_archive.crawler.demo.images import article_image
    from portal_archive.crawler.demo.portal import Pages

    site = DemoSite(articles=max(1, pages // 2))
    render = Pages(site)
    found: list[Payload] = []
    for id in range(1, site.max_id(0) + 1):
        served = site.served(id, 0)
        if served is None:
            continue
        url = "http://127.0.0.1:8089" + served.article.path
        found.append((url, "text/html; charset=utf-8",
                      render.article(served, 0).encode("utf-8")))
        found.append((f"http://127.0.0.1:8089/uploads/{id}-0.jpg", "image/jpeg",
                      article_image(id, 0)))
        if len(found) >= pages:
            break
    return found


def records(builder: WARCWriter, payload: Payload, date: str) -> Iterator[object]:
    """The response record and its request record, as the WARC middleware builds them."""
    url, ctype, body = payload
    http = StatusAndHeaders("200 OK", [("Content-Type", ctype),
                                       ("Content-Length", str(len(body))),
                                       ("Server", "demo")], protocol="HTTP/1.1")
    response = builder.create_warc_record(url, "response", payload=BytesIO(body),
                                          length=len(body), http_headers=http,
                                          warc_headers_dict={"WARC-Date": date})
    yield response
    path = url.split("/", 3)[3]
    request = StatusAndHeaders(f"GET /{path} HTTP/1.1",
                               [("Host", "127.0.0.1:8089"), ("User-Agent", "bench")],
                               is_http_request=True)
    yield builder.create_warc_record(
        url, "request", payload=BytesIO(b""), length=0, http_headers=request,
        warc_headers_dict={"WARC-Date": date,
                           "WARC-Concurrent-To": response.rec_headers.get_header(
                               "WARC-Record-ID")})


def write_ours(folder: Path, captures: list[Payload]) -> list[Path]:
    writer = RollingWarcWriter(folder, "bench")
    for payload in captures:
        moment = datetime.now(UTC)
        writer.write(list(records(writer.builder, payload, warc_date(moment))), moment)
    writer.close()
    return sorted((folder / "bench").glob("*.warc.gz"))


def write_warcio(folder: Path, captures: list[Payload]) -> list[Path]:
    path = folder / "warcio.warc.gz"
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=True, warc_version=WARC_VERSION)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "bench"}))
        for payload in captures:
            date = warc_date(datetime.now(UTC))
            for record in records(writer, payload, date):
                writer.write_record(record)
    return [path]


def write_warcio_indexed(folder: Path, captures: list[Payload]) -> list[Path]:
    """warcio's file, then its index lines from cdxj-indexer reading it back."""
    from portal_archive.archive.cdxj import index_warcs

    files = write_warcio(folder, captures)
    if not index_warcs(folder, files):
        raise RuntimeError("cdxj-indexer found no records")
    return files


WRITERS: dict[str, Callable[[Path, list[Payload]], list[Path]]] = {
    "portal-archive": write_ours, "warcio": write_warcio,
    "warcio+cdxj-indexer": write_warcio_indexed,
}


def timed(write: Callable[[Path, list[Payload]], list[Path]],
          captures: list[Payload]) -> tuple[float, float, list[str], int]:
    """Wall and CPU seconds of one writer, the payload digests it wrote, and its bytes."""
    with tempfile.TemporaryDirectory() as folder:
        started, cpu = time.perf_counter(), time.process_time()
        files = write(Path(folder), captures)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        return wall, cpu, read_back(files), sum(f.stat().st_size for f in files)


def read_back(files: list[Path]) -> list[str]:
    """Every response's payload digest, in order, recomputed from what was read back."""
    digests = []
    for path in files:
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type == "response":
                    digests.append(hashlib.sha256(record.content_stream().read()).hexdigest())
    return digests


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=10000, help="captures per writer")
    parser.add_argument("--rounds", type=int, default=5, help="the best of these counts")
    parser.add_argument("--figures", action="store_true", help="print bench/run.py's lines")
    parser.add_argument("--quick", action="store_true", help="CI size: 1000 captures, 5 rounds")
    args = parser.parse_args()
    pages, rounds = (1000, 5) if args.quick else (args.pages, args.rounds)
    captures = payloads(pages)
    best: dict[str, tuple[float, float, int]] = {}
    expected = [hashlib.sha256(body).hexdigest() for _, _, body in captures]
    for _ in range(rounds):
        for name, write in WRITERS.items():
            wall, cpu, digests, size = timed(write, captures)
            if digests != expected:
                print(f"{name} did not write the same records back", file=sys.stderr)
                return 1
            # Wall and CPU each at their best: the machine is shared, the noise one-sided.
            old = best.get(name, (wall, cpu, size))
            best[name] = (min(wall, old[0]), min(cpu, old[1]), size)
    (ow, oc, osize), (ww, wc, wsize) = best["portal-archive"], best["warcio"]
    iw, ic, _ = best["warcio+cdxj-indexer"]
    if args.figures:
        emit("warc_write_vs_warcio", ow / iw,
             f"(wall ratio to warcio + cdxj-indexer, {len(captures)} captures and their index"
             f" lines, best of {rounds}; cpu ratio {oc / ic:.2f}; {ow:.2f} s vs {iw:.2f} s;"
             f" to warcio alone, no index: wall {ow / ww:.2f}, cpu {oc / wc:.2f};"
             f" bytes ratio {osize / wsize:.3f})")
        return 0
    print(f"{len(captures)} captures (response + request records), best of {rounds}")
    print(f"{'':15}{'wall s':>8}{'cpu s':>8}{'MB':>8}")
    for name, (wall, cpu, size) in best.items():
        print(f"{name:15}{wall:>8.2f}{cpu:>8.2f}{size / 1e6:>8.1f}")
    print(f"ratio portal-archive/warcio: wall {ow / ww:.2f}, cpu {oc / wc:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
