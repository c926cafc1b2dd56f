"""Command line: a thin layer over the library. `python -m scraper --help`."""
from __future__ import annotations

import argparse
import os
import sys

DEFAULT_DB = "data/archive.db"


def _crawl_settings(args):
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "scraper.settings")
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    settings.set("ARCHIVE_DB", args.db, priority="cmdline")
    if args.delay is not None:
        settings.set("DOWNLOAD_DELAY", args.delay, priority="cmdline")
        if args.delay == 0:
            settings.set("AUTOTHROTTLE_ENABLED", False, priority="cmdline")
    if args.concurrency is not None:
        settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", args.concurrency, priority="cmdline")
        settings.set("CONCURRENT_REQUESTS", max(16, args.concurrency), priority="cmdline")
    if args.log_file:
        settings.set("LOG_FILE", args.log_file, priority="cmdline")
    if args.quiet:
        settings.set("LOG_LEVEL", "WARNING", priority="cmdline")
    for pair in args.set or []:
        key, _, value = pair.partition("=")
        settings.set(key, value, priority="cmdline")
    return settings


def cmd_crawl(args) -> int:
    """Crawl the site (or a mirror of it) into the SQLite archive.

    The first run fetches everything. Later runs are incremental: they re-read
    the home page and the first listing pages, stop paging a category once a
    page holds nothing new, and fetch only articles not yet archived. --full
    re-fetches everything; --revalidate DAYS re-checks recent articles with
    conditional requests and keeps every real change as a new version.

    Example: python -m scraper crawl --base-url http://127.0.0.1:8000/ --db data/demo.db
    """
    from scrapy.crawler import CrawlerProcess

    lock = _start_writing(args.db, _check_db_path(args.db) or _check_base_url(args.base_url))
    if isinstance(lock, int):
        return lock
    settings = _crawl_settings(args)
    settings.set("ARCHIVER_LOCK_HELD", True, priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler("congdoanbackan")
    mode = "full" if args.full else "resume" if args.walk else "auto"
    process.crawl(crawler, base_url=args.base_url, mode=mode,
                  revalidate_days=args.revalidate)
    try:
        process.start()
    finally:
        lock.release()
    from scraper.run import finished_run

    run = finished_run(crawler)
    if not run:
        print("crawl did not start: see the log above", file=sys.stderr)
        return 2
    print(
        f"\nrun {run['id']} ({run['mode']}) {run['status']}: {run['pages_fetched']} pages fetched, "
        f"{run['articles_new']} new, {run['articles_updated']} updated, "
        f"{run['articles_unchanged']} unchanged, {run['not_modified']} not modified (304), "
        f"{run['failures']} failures\n"
        f"archive: {os.path.abspath(args.db)}"
    )
    if run["message"]:
        print(f"why: {run['message']}")
    _print_failures(args.db, run["id"])
    return int(run["exit_status"] or 0)


def _print_failures(db_path: str, run_id: int, limit: int = 10) -> None:
    """The run's failures, so nothing fails unseen (all of them are in `failures`)."""
    import sqlite3

    conn = sqlite3.connect(db_path)
    try:
        rows = conn.execute("select url, http_status, error, attempts from failures "
                            "where run_id = ? order by id", [run_id]).fetchall()
    finally:
        conn.close()
    for url, status, error, attempts in rows[:limit]:
        print(f"  failed: {url} ({error}; {attempts} attempt{'s' if attempts != 1 else ''})")
    if len(rows) > limit:
        print(f"  … and {len(rows) - limit} more: select * from failures where run_id = {run_id}")


def _start_writing(db_path: str, problem: str | None):
    """The archive's run lock, or the exit status when the command cannot
    start: 2 for bad input (`problem`), 3 when another run holds the archive."""
    from scraper.archive import ArchiveLocked, RunLock

    if problem:
        print(f"cannot start: {problem}", file=sys.stderr)
        return 2
    try:
        return RunLock(db_path).acquire()
    except ArchiveLocked as exc:
        print(f"refusing to start: {exc}", file=sys.stderr)
        return 3


def _check_db_path(path: str, must_exist: bool = False) -> str | None:
    """A clear sentence for an archive path that cannot work, else None."""
    import os.path

    if os.path.isdir(path):
        return f"{path} is a directory; give the archive's file name (e.g. {path.rstrip('/')}/archive.db)"
    if os.path.exists(path):
        with open(path, "rb") as fh:
            head = fh.read(16)
        if head and head != b"SQLite format 3\x00":
            return f"{path} exists and is not an SQLite archive"
        return None
    if must_exist:
        return f"no archive at {path}"
    parent = os.path.dirname(os.path.abspath(path))
    probe = parent
    while not os.path.exists(probe):
        probe = os.path.dirname(probe)
    if not os.path.isdir(probe) or not os.access(probe, os.W_OK):
        return f"cannot create {path}: {probe} is not a writable directory"
    return None


def _check_base_url(url: str) -> str | None:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"--base-url must be an http(s) URL such as https://congdoanbackan.org.vn/, not {url!r}"
    return None


def cmd_reparse(args) -> int:
    """Re-extract every article from the stored WARC captures, offline.

    Run it after changing the extractor: changed articles get a new version,
    unchanged ones stay as they are, and the report lists what changed.

    Example: python -m scraper reparse --db data/archive.db
    """
    from scraper.reparse import reparse

    lock = _start_writing(args.db, _check_db_path(args.db, must_exist=True))
    if isinstance(lock, int):
        return lock
    try:
        report = reparse(args.db, dry_run=args.dry_run)
    finally:
        lock.release()
    for url, fields in sorted(report.changed.items()):
        print(f"changed  {url}: {', '.join(fields)}")
    for url in report.new:
        print(f"new      {url}")
    for url, error in sorted(report.errors.items()):
        print(f"error    {url}: {error}")
    print(f"{report.captures} captures read, {report.articles} articles: "
          f"{len(report.changed)} changed, {report.unchanged} unchanged, {len(report.new)} new, "
          f"{report.skipped} skipped as the crawl did, {len(report.errors)} unreadable" + (" (dry run: nothing written)" if args.dry_run else ""))
    return 1 if report.errors else 0


DEMO_PORT = 8737  # fixed, so that re-running the demo keeps the same URLs


def cmd_demo(args) -> int:
    """Serve the bundled mirror on 127.0.0.1, crawl it into an archive, show rows.

    Example: python -m scraper demo --db data/demo.db
    """
    import sqlite3
    import subprocess

    from scraper.mirror.server import MirrorServer
    from scraper.mirror.site import build_site

    try:
        server = MirrorServer(build_site(), port=args.port).start()
    except OSError:
        server = MirrorServer(build_site(), port=0).start()
    try:
        print(f"mirror serving {server.url}", flush=True)
        code = subprocess.call([
            sys.executable, "-m", "scraper", "crawl", "--base-url", server.url,
            "--db", args.db, "--delay", "0", "--concurrency", "8", "--quiet",
        ])
    finally:
        server.stop()
    conn = sqlite3.connect(args.db)
    print("\nlatest archived articles:")
    for row in conn.execute(
        "select published_at, author, title, image_count from articles "
        "where kind = 'article' order by published_at desc limit 5"
    ):
        print("  {} | {} | {} | {} image(s)".format(*row))
    total = conn.execute("select count(*) from articles where kind = 'article'").fetchone()[0]
    print(f"{total} articles in {os.path.abspath(args.db)}")
    return code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m scraper",
        description="Archive congdoanbackan.org.vn into SQLite and query the archive.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    crawl = sub.add_parser("crawl", help="crawl the site into the archive",
                           description=cmd_crawl.__doc__,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    crawl.add_argument("--base-url", default="https://congdoanbackan.org.vn/",
                       help="site root or a mirror of it (default: the real site)")
    crawl.add_argument("--db", default=DEFAULT_DB, help=f"archive file (default: {DEFAULT_DB})")
    crawl.add_argument("--delay", type=float, default=None,
                       help="seconds between requests (default 1, with AutoThrottle)")
    crawl.add_argument("--concurrency", type=int, default=None,
                       help="requests at a time per host (default 1)")
    crawl.add_argument("--full", action="store_true",
                       help="re-fetch every page, not only what is new")
    crawl.add_argument("--walk", action="store_true",
                       help="walk every listing page again, fetching only articles not yet "
                            "archived (catches articles published or back-dated deep in a listing)")
    crawl.add_argument("--revalidate", type=float, default=None, metavar="DAYS",
                       help="re-check articles published in the last DAYS (ETag/If-Modified-Since)")
    crawl.add_argument("--log-file", default=None, help="write the log here instead of stderr")
    crawl.add_argument("--quiet", action="store_true", help="warnings and the summary only")
    crawl.add_argument("-s", "--set", action="append", metavar="NAME=VALUE",
                       help="any Scrapy/archiver setting, e.g. -s ARCHIVER_MAX_FAILURES=10")
    crawl.set_defaults(func=cmd_crawl)

    demo = sub.add_parser("demo", help="crawl the bundled offline mirror",
                          description=cmd_demo.__doc__,
                          formatter_class=argparse.RawDescriptionHelpFormatter)
    demo.add_argument("--db", default="data/demo.db", help="archive file (default: data/demo.db)")
    demo.add_argument("--port", type=int, default=DEMO_PORT,
                      help=f"mirror port (default {DEMO_PORT}; any free port if taken)")
    demo.set_defaults(func=cmd_demo)

    reparse = sub.add_parser("reparse", help="re-extract articles from stored captures",
                             description=cmd_reparse.__doc__,
                             formatter_class=argparse.RawDescriptionHelpFormatter)
    reparse.add_argument("--db", default=DEFAULT_DB, help=f"archive file (default: {DEFAULT_DB})")
    reparse.add_argument("--dry-run", action="store_true", help="report only, write nothing")
    reparse.set_defaults(func=cmd_reparse)

    from scraper.analyst import commands as analyst_commands

    analyst_commands.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)
