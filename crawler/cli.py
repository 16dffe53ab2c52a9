"""The `portal-archive` command: archive news portals to WARC and cleaned JSON, check,
replay and export the archive (`portal-archive COMMAND --help` says more)."""

from __future__ import annotations

import argparse
import errno
import json
import os
import signal
import sys
import urllib.request
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from portal_archive.archive.catalog import CatalogError, failure_of
from portal_archive.archive.datadir import DataDir, default_data_dir
from portal_archive.archive.errors import PortalArchiveError
from portal_archive.archive.events import TYPES as EVENT_TYPES
from portal_archive.archive.stamps import utc_iso
from portal_archive.crawler.sites import GENERIC, load_profile, site_ids
from portal_archive.crawler.spec import CrawlSpec
from portal_archive.crawler.summary import crawl_summary

PROG = "portal-archive"

# The demo portal is our own server on loopback: no need to be gentle with it.
DEMO_CRAWL_SETTINGS = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_START_DELAY": 0,
    "AUTOTHROTTLE_TARGET_CONCURRENCY": 8,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data",
        type=Path,
        default=None,
        help="data folder (default: $PORTAL_ARCHIVE_DATA, else ./portal-data)",
    )
    common.add_argument("-v", "--verbose", action="store_true", help="log Scrapy's INFO lines")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser("demo", parents=[common], help="serve the demo portal and crawl it")
    demo.add_argument("--articles", type=int, default=60, help="articles in the demo portal")
    demo.add_argument("--port", type=int, default=None,
                      help="port on 127.0.0.1 (default 8089, where the demo profile points;"
                           " a free port if it is taken)")
    _add_setting_option(demo)
    demo.set_defaults(func=cmd_demo)

    portal = sub.add_parser("demo-portal", parents=[common], help="serve the demo portal alone")
    portal.add_argument("--port", type=int, default=8089,
                        help="port on 127.0.0.1 (default 8089, where the demo profile points)")
    portal.add_argument("--articles", type=int, default=60, help="articles in the demo portal")
    portal.add_argument("--day", type=int, default=0, help="start at this day of the timeline")
    portal.add_argument("--no-faults", action="store_true", help="no 500, slow or broken pages")
    portal.set_defaults(func=cmd_demo_portal)

    crawl = sub.add_parser("crawl", parents=[common],
                           help="one crawl of each site given, or of listings")
    crawl.add_argument("site", nargs="*", metavar="SITE",
                       help="site profile id (see `portal-archive sites`); several crawl"
                            " side by side (PORTAL_SITES_PER_PROCESS, PORTAL_CRAWL_PROCESSES)")
    crawl.add_argument(
        "--listing", action="append", default=[], metavar="URL",
        help="crawl this listing with the generic extractor (repeatable)",
    )
    crawl.add_argument("--backfill", action="store_true", help="page through every listing page")
    crawl.add_argument("--notify", action="append", default=[], metavar="APPRISE_URL",
                       help="send this run's change alerts here (repeatable)")
    _add_setting_option(crawl)
    crawl.set_defaults(func=cmd_crawl)

    sites = sub.add_parser("sites", parents=[common], help="list the site profiles")
    sites.set_defaults(func=cmd_sites)

    extract = sub.add_parser("extract", parents=[common], help="print one page's article JSON")
    extract.add_argument("source", metavar="FILE_OR_URL")
    extract.add_argument("--url", help="the page's original URL (for a saved file)")
    extract.add_argument("--site", default=GENERIC, help="read the page with this site profile")
    extract.add_argument("--explain", action="store_true",
                         help="say on stderr which rule found each field")
    extract.set_defaults(func=cmd_extract)

    changes = sub.add_parser("changes", parents=[common], help="change events as JSON Lines")
    changes.add_argument("--since", metavar="ISO",
                         help="events at or after this time (UTC unless it names an offset)")
    changes.add_argument("--type", choices=EVENT_TYPES, help="only events of this type")
    changes.add_argument("--site", help="only events of this site")
    changes.set_defaults(func=cmd_changes)

    verify = sub.add_parser("verify", parents=[common], help="re-read and check the archive")
    verify.add_argument("--repair", action="store_true",
                        help="close files left .open by a crash after their last whole record")
    verify.add_argument("--rebuild-catalog", action="store_true",
                        help="rebuild catalog.sqlite from the WARCs, JSON and events.jsonl"
                             " (the old one is kept aside), then verify")
    verify.set_defaults(func=cmd_verify)

    replay = sub.add_parser("replay", parents=[common], help="serve the archive with pywb")
    replay.add_argument("--port", type=int, default=8080, help="port on 127.0.0.1")
    replay.set_defaults(func=cmd_replay)

    serve = sub.add_parser("serve", parents=[common],
                           help="browse, search and compare the archive (replay mounted)")
    serve.add_argument("--port", type=int, default=8000,
                       help="the browser's port on 127.0.0.1 (default 8000)")
    serve.add_argument("--replay-port", type=int, default=None, metavar="M",
                       help="pywb's port on 127.0.0.1 (default: the browser's port + 1)")
    serve.set_defaults(func=cmd_serve)

    wacz = sub.add_parser("export-wacz", parents=[common], help="package the archive as WACZ")
    wacz.add_argument("out", type=Path, metavar="OUT.wacz")
    wacz.add_argument("--site", help="only this site (default: every site)")
    wacz.add_argument("--since", metavar="ISO",
                      help="only WARC files with a capture at or after this UTC time"
                           " (and the originals their revisits need), and pages captured since")
    wacz.set_defaults(func=cmd_export_wacz)

    worker = sub.add_parser("worker", parents=[common],
                            help="take crawls from the queue until SIGTERM (distributed)")
    worker.add_argument("--queue", default=None, metavar="URL",
                        help="libpq URL of the queue's PostgreSQL database"
                             " (default: $PORTAL_QUEUE_URL)")
    worker.add_argument("--concurrency", type=int, default=None, metavar="N",
                        help="sites crawled at once (default: PORTAL_SITES_PER_PROCESS, 100)")
    worker.add_argument("--id", default=None, metavar="ID",
                        help="this worker's id (default: $PORTAL_WORKER_ID, else HOST-PID)")
    worker.set_defaults(func=cmd_worker)

    from portal_archive.schedules.commands import add_parser as add_schedule_parser

    add_schedule_parser(sub, common)  # schedule list | run | run-now JOB
    return parser


def _add_setting_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-s", dest="settings", action="append", default=[], metavar="NAME=VALUE",
        help="override a Scrapy setting (repeatable)",
    )


def _data(args: argparse.Namespace) -> Path:
    return args.data if args.data is not None else default_data_dir()


# -- commands ------------------------------------------------------------------
def cmd_crawl(args: argparse.Namespace) -> int:
    from portal_archive.crawler.pool import run_crawl
    from portal_archive.crawler.run import parse_overrides

    if args.site and args.listing:
        raise PortalArchiveError("give SITEs or --listing URLs, not both")
    if not args.site and not args.listing:
        raise PortalArchiveError("give a SITE (see `portal-archive sites`) or --listing URL")
    specs = [CrawlSpec(
        _data(args),
        site=site,
        listings=tuple(args.listing),
        backfill=args.backfill,
        settings=tuple(parse_overrides(args.settings).items()),
        notify=tuple(args.notify),
        verbose=args.verbose,
    ) for site in (dict.fromkeys(args.site) or [GENERIC])]
    if len(specs) > 1:  # the scheduler's way: dealt among crawl processes, each a pool
        from portal_archive.schedules.processes import run_in_processes

        return run_in_processes(None, [(spec.site, spec) for spec in specs])
    stats = run_crawl(specs[0])
    print(crawl_summary(stats, specs[0].data().root))
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from portal_archive.archive import workerid
    from portal_archive.crawler.run import project_settings
    from portal_archive.schedules.queue import queue_url
    from portal_archive.schedules.queue_worker import run_worker

    url = queue_url(args.queue)
    name = workerid.worker_id(args.id or "")
    # Before any settings are read: its crawls name their WARCs and leases after it.
    os.environ[workerid.ENV_VAR] = name
    concurrency = (args.concurrency if args.concurrency is not None
                   else project_settings().getint("PORTAL_SITES_PER_PROCESS"))
    if concurrency < 1:
        raise PortalArchiveError(f"--concurrency takes a number of sites, 1 or more:"
                                 f" got {concurrency}")
    return run_worker(_data(args), url, concurrency=concurrency, name=name,
                      verbose=args.verbose)


def cmd_demo(args: argparse.Namespace) -> int:
    from portal_archive.crawler.demo.content import DemoSite
    from portal_archive.crawler.demo.nextsteps import next_steps, profile_port, start_portal
    from portal_archive.crawler.pool import run_crawl
    from portal_archive.crawler.run import parse_overrides

    data = _data(args)
    overrides = parse_overrides(args.settings)
    if args.port is not None:
        _check_port_number(args.port)
    port = profile_port() if args.port is None else args.port
    with start_portal(DemoSite(articles=args.articles), port) as portal:
        print(
            f"demo portal serving on {portal.base_url} (one page answers 500, one is slow"
            " and one is malformed, on purpose: a crawl must survive them)",
            flush=True,
        )
        spec = CrawlSpec(
            data,
            site="demo",
            settings=tuple(overrides.items()),
            defaults=(*DEMO_CRAWL_SETTINGS.items(), ("PORTAL_BASE_URL", portal.base_url)),
            verbose=args.verbose,
        )
        stats = run_crawl(spec)
    print(crawl_summary(stats, spec.data().root))
    sample = next(iter(sorted(spec.data().json.glob("demo/*/*.json"))), None)
    print("\n" + next_steps(data, portal, sample))
    return 0


def cmd_demo_portal(args: argparse.Namespace) -> int:
    from portal_archive.crawler.demo.portal import main as portal_main

    _check_port_number(args.port)
    argv = ["--port", str(args.port), "--articles", str(args.articles), "--day", str(args.day)]
    if args.no_faults:
        argv.append("--no-faults")
    return portal_main(argv)


def cmd_sites(args: argparse.Namespace) -> int:
    for site_id in site_ids():
        profile = load_profile(site_id)
        print(f"{profile.id}\t{profile.name}\t{profile.base_url}")
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
    from portal_archive.crawler.extract import ExtractionError, decode_html, extract_article

    # An unknown site is a user error, said before any work.
    profile = load_profile(args.site) if args.site != GENERIC else None
    body, content_type, url, captured = _read_source(args.source, args.url)
    rules: dict[str, str] = {}
    try:
        article = extract_article(
            decode_html(body, content_type), url, site=args.site, profile=profile, explain=rules
        )
    except ExtractionError as exc:
        raise PortalArchiveError(f"{args.source}: {exc}") from exc
    if args.explain:
        for field, rule in rules.items():
            print(f"{field}: {rule}", file=sys.stderr)
    article["captured_at"] = captured
    article["warc"] = None
    json.dump(article, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


def cmd_changes(args: argparse.Namespace) -> int:
    from portal_archive.archive.catalog import check_catalog_file, open_catalog, uses_server
    from portal_archive.archive.events import iter_events

    data = DataDir(_data(args))
    if not uses_server():
        check_catalog_file(data.catalog)  # gone beside WARCs, or cut short: how to rebuild
        if not data.catalog.exists():
            raise PortalArchiveError(f"nothing archived in {data.root} (no catalog.sqlite)")
    since = None
    if args.since:
        stamp = _user_since(args.since)  # 14 digits, UTC
        since = (f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}T{stamp[8:10]}:{stamp[10:12]}:"
                 f"{stamp[12:14]}Z")
    catalog = open_catalog(data)
    try:
        if args.site:
            _check_event_site(catalog, args.site)
        written = 0
        for event in iter_events(catalog.events(since=since, type_=args.type, site=args.site)):
            sys.stdout.write(json.dumps(event, ensure_ascii=False) + "\n")
            written += 1
    finally:
        catalog.close()
    if args.site and not written:
        # An empty answer to a filter on one site is worth a word: was it ever crawled?
        print(f"{PROG}: no change events of site {args.site} match", file=sys.stderr)
    return 0


def _user_since(text: str) -> str:
    from portal_archive.archive.wacz import parse_since

    try:
        return parse_since(text)
    except ValueError as exc:
        raise PortalArchiveError(f"--since: {exc}") from None


def _check_event_site(catalog: Any, site: str) -> None:
    """A site with events, or one crawl could give events to; else a typo."""
    known = [*site_ids(), GENERIC]
    if site not in known and not catalog.events(site=site, limit=1):
        raise PortalArchiveError(f"unknown site {site!r} (known: {', '.join(known)})")


def cmd_verify(args: argparse.Namespace) -> int:
    from portal_archive.archive.verify import verify

    data = DataDir(_data(args))
    if not data.warc.is_dir():
        raise PortalArchiveError(f"nothing archived in {data.root} (no warc/ folder)")
    if args.rebuild_catalog:
        from portal_archive.archive.catalog import uses_server
        from portal_archive.archive.rebuild import rebuild_catalog

        if uses_server():
            raise PortalArchiveError("--rebuild-catalog rebuilds a data folder's SQLite"
                                     " catalog, not the server's of PORTAL_CATALOG_URL")
        from portal_archive.crawler.text import text_hash

        print(rebuild_catalog(data, text_hash).summary(), flush=True)
    report = verify(data, repair=args.repair)
    for line in report.repaired:
        print(f"repaired {line}")
    for line in report.problems:
        print(line)
    for line in report.notes:
        print(f"note: {line}")
    print(
        f"{'OK' if report.ok else 'FAILED'}: {report.files} WARC file(s), {report.records}"
        f" records, {report.index_lines} index lines, {report.json_files} JSON files,"
        f" {len(report.problems)} problem(s)"
    )
    return 0 if report.ok else 1


def cmd_replay(args: argparse.Namespace) -> int:
    from portal_archive.archive.replay import serve

    _check_port_number(args.port)
    return serve(DataDir(_data(args)), port=args.port, announce=lambda s: print(s, flush=True))


def cmd_serve(args: argparse.Namespace) -> int:
    from portal_archive.archive.browser.server import serve

    _check_port_number(args.port)
    replay_port = args.port + 1 if args.replay_port is None else args.replay_port
    _check_port_number(replay_port, "--replay-port")
    return serve(DataDir(_data(args)), port=args.port, replay_port=replay_port,
                 announce=lambda s: print(s, flush=True))


def cmd_export_wacz(args: argparse.Namespace) -> int:
    from portal_archive.archive.wacz import export

    since = _user_since(args.since) if args.since else None
    done = export(DataDir(_data(args)), args.out, site=args.site, since=since)
    print(f"wrote {args.out}: {len(done.warcs)} WARC file(s), {len(done.pages)} page(s),"
          f" {args.out.stat().st_size:,} bytes")
    return 0


def _check_port_number(port: int, option: str = "--port") -> None:
    # socket.bind says OverflowError, with a traceback, for what is a typo.
    if not 0 <= port <= 65535:
        raise PortalArchiveError(f"{option} {port}: a TCP port is 0 to 65535")


def _read_source(source: str, url: str | None) -> tuple[bytes, str | None, str, str]:
    if source.startswith(("http://", "https://")):
        from portal_archive.crawler.settings import USER_AGENT

        request = urllib.request.Request(source, headers={"User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                body = response.read()
                content_type = response.headers.get("Content-Type")
                final_url = response.geturl()
        except (OSError, ValueError) as exc:
            raise PortalArchiveError(f"could not fetch {source}: {exc}") from exc
        return body, content_type, url or final_url, utc_iso()
    path = Path(source)
    try:
        body = path.read_bytes()
    except OSError as exc:
        raise PortalArchiveError(f"cannot read {source}: {exc.strerror}") from exc
    mtime = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    return body, None, url or path.resolve().as_uri(), utc_iso(mtime)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
        sys.stdout.flush()  # here, where a closed pipe can still be caught
        return code
    except PortalArchiveError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except CatalogError as exc:
        # A catalog whose header is whole but whose pages are not (found by a query),
        # or a catalog server gone away.
        print(f"{PROG}: error: {failure_of(DataDir(_data(args)), exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        _die_of_closed_pipe()
        raise
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EIO, errno.EDQUOT):
            raise
        # `changes > /dev/full`: said once, not traced (a crawl says its own full disk).
        # What is still buffered must not be flushed at exit: that would fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        print(f"{PROG}: error: could not write: {exc.strerror}", file=sys.stderr)
        return 1


def _die_of_closed_pipe() -> None:
    """``changes | head -1``: the reader has what it wanted. End as ``cat`` does, by
    SIGPIPE, silently (Python ignores SIGPIPE and raises BrokenPipeError instead)."""
    # What is still buffered must not be flushed at exit: that would raise again.
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGPIPE)


if __name__ == "__main__":
    sys.exit(main())
