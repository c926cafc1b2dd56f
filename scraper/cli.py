"""Command line: a thin click layer over the library.

`python -m scraper --help`, or the installed `congdoanbackan-archiver`.
Option types and ranges are declared on each option (scraper/cli_common.py),
so a bad value is refused, in one sentence and with exit status 2, before
anything is opened. Scrapy, Twisted and Datasette are imported inside the
commands that use them.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from scraper import __version__
from scraper.analyst import commands as analyst
from scraper.cli_common import DEFAULT_DB  # noqa: F401 (the default --db, named here too)
from scraper.cli_common import (ArchiverGroup, FiniteFloatRange, HttpUrl, LogFile, Refused, Setting,
                                db_option, open_readonly, take_lock)
from scraper.cli_nightly import Keepers, keeper_options

DEMO_PORT = 8737  # fixed, so that re-running the demo keeps the same URLs
# --revalidate is counted back from today: past ~700,000 days the date would
# fall before year 1. A century covers any site, so larger values are taken
# as a century (cron lines such as --revalidate 100000 mean "everything").
MAX_REVALIDATE_DAYS = 36500


@click.group(cls=ArchiverGroup, context_settings={"help_option_names": ["-h", "--help"],
                                                  "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="congdoanbackan-archiver",
                      message="%(prog)s %(version)s")
def cli():
    """Archive congdoanbackan.org.vn into SQLite and query the archive.

    Every command takes --db PATH (default data/archive.db) and has --help
    with an example.

    \b
    Example: python -m scraper crawl --db data/archive.db
             python -m scraper search "cong doan" --db data/archive.db
    """


def _run_spider(settings, lock, name: str, **kwargs):
    """Run spider `name` under the archive's lock (held already; released
    here, whatever happens): (crawler, the finished crawl_runs row or None
    when the run never opened)."""
    from scrapy.crawler import CrawlerProcess

    from scraper.run import finished_run

    settings.set("ARCHIVER_LOCK_HELD", True, priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(name)
    process.crawl(crawler, **kwargs)
    try:
        process.start()
    finally:
        lock.release()
    return crawler, finished_run(crawler)


def _crawl_settings(*, db: str, delay: float | None, concurrency: int | None,
                    log_file: str | None, quiet: bool, overrides: tuple):
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "scraper.settings")
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    settings.set("ARCHIVE_DB", db, priority="cmdline")
    if delay is not None:
        settings.set("DOWNLOAD_DELAY", delay, priority="cmdline")
        if delay == 0:
            settings.set("AUTOTHROTTLE_ENABLED", False, priority="cmdline")
    if concurrency is not None:
        settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", concurrency, priority="cmdline")
        settings.set("CONCURRENT_REQUESTS", max(16, concurrency), priority="cmdline")
    if log_file:
        settings.set("LOG_FILE", log_file, priority="cmdline")
    if quiet:
        settings.set("LOG_LEVEL", "WARNING", priority="cmdline")
    for key, value in overrides:
        settings.set(key, value, priority="cmdline")
    return settings


@cli.command()
@click.option("--base-url", type=HttpUrl(), default="https://congdoanbackan.org.vn/",
              show_default=True, help="site root, or a mirror of it")
@db_option(must_exist=False, writer=True)
@click.option("--delay", type=FiniteFloatRange(min=0), default=None, metavar="SECONDS",
              help="seconds between requests [default: 1, with AutoThrottle; 0 turns it off]")
@click.option("--concurrency", type=click.IntRange(min=1), default=None, metavar="N",
              help="requests at a time per host [default: 1]")
@click.option("--full", is_flag=True, help="re-fetch every page, not only what is new")
@click.option("--walk", is_flag=True,
              help="walk every listing page again, fetching only articles not yet archived "
                   "(catches articles published or back-dated deep in a listing)")
@click.option("--revalidate", type=FiniteFloatRange(min=0, ceiling=MAX_REVALIDATE_DAYS),
              default=None,
              metavar="DAYS",
              help="re-check articles published in the last DAYS (ETag/If-Modified-Since)")
@click.option("--log-file", type=LogFile(), default=None,
              help="write the log here instead of stderr (its folder must exist)")
@click.option("--quiet", is_flag=True, help="warnings and the summary only")
@click.option("--no-media", is_flag=True,
              help="do not fetch the photos and attachments of articles (ARCHIVER_MEDIA=0)")
@click.option("-s", "--set", "overrides", type=Setting(), multiple=True, metavar="NAME=VALUE",
              help="a Scrapy or archiver setting, typed like its default "
                   "(e.g. -s ARCHIVER_MAX_FAILURES=10)")
@keeper_options
def crawl(base_url, db, delay, concurrency, full, walk, revalidate, log_file, quiet, no_media,
          overrides,
          notify_url, notify_when, ping_url, digest_dir):
    """Crawl the site (or a mirror of it) into the SQLite archive.

    The first run fetches everything. Later runs are incremental: they re-read
    the home page and the first listing pages, stop paging a category once a
    page holds nothing new, and fetch only articles not yet archived. --full
    fetches everything again; --walk reads every listing again but fetches
    only what is missing; --revalidate DAYS re-checks recent articles with
    conditional requests and keeps every real change as a new version.

    Exit status: 0 the run is judged ok, 1 it judged itself failed (the
    summary says why), 2 it did not start (bad input), 3 another run is
    writing to the same archive.

    \b
    Example: python -m scraper crawl --base-url http://127.0.0.1:8000/ --db data/demo.db
             python -m scraper crawl --db data/archive.db --revalidate 14 -s USER_AGENT="…"
    """
    if full and walk:
        raise click.UsageError("--full and --walk exclude each other: --full already "
                               "re-fetches every listing and article")
    settings = _crawl_settings(db=db, delay=delay, concurrency=concurrency, log_file=log_file,
                               quiet=quiet, overrides=overrides)
    keepers = Keepers(db, notify_url=notify_url, notify_when=notify_when, ping_url=ping_url,
                      digest_dir=digest_dir, recheck_days=settings.getfloat("ARCHIVER_RECHECK_DAYS"))
    keepers.started()
    try:
        lock = take_lock(db)
    except click.exceptions.Exit as exc:
        raise click.exceptions.Exit(keepers.finished(None, exc.exit_code, "another run holds "
                                                     "the archive's lock")) from None
    if no_media:
        settings.set("ARCHIVER_MEDIA", False, priority="cmdline")
    mode = "full" if full else "resume" if walk else "auto"
    _, run = _run_spider(settings, lock, "congdoanbackan", base_url=base_url, mode=mode,
                         revalidate_days=revalidate)
    if not run:
        print("crawl did not start: see the log above", file=sys.stderr)
        return keepers.finished(None, 2, "the crawl did not start: see its log")
    print(
        f"\nrun {run['id']} ({run['mode']}) {run['status']}: {run['pages_fetched']} pages fetched, "
        f"{run['articles_new']} new, {run['articles_updated']} updated, "
        f"{run['articles_unchanged']} unchanged, {run['not_modified']} not modified (304), "
        f"{run['failures']} failures\n"
        f"archive: {os.path.abspath(db)}"
    )
    if run["message"]:
        print(f"why: {run['message']}")
    _print_failures(db, run["id"])
    from scraper.cli_media import print_file_summary

    print_file_summary(db, run["id"])
    return keepers.finished(run, int(run["exit_status"] or 0))


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


@cli.command()
@db_option(must_exist=True, writer=True)
@click.option("--dry-run", is_flag=True, help="report only, write nothing")
def reparse(db, dry_run):
    """Re-extract every article from the stored WARC captures, offline.

    Run it after changing the extractor: changed articles get a new version,
    unchanged ones stay as they are, and the report lists what changed.
    Exit status 1 when some capture could not be read.

    \b
    Example: python -m scraper reparse --db data/archive.db --dry-run
    """
    from scraper.reparse import reparse as run_reparse

    lock = take_lock(db)
    try:
        report = run_reparse(db, dry_run=dry_run)
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
          f"{report.skipped} skipped as the crawl did, {len(report.errors)} unreadable"
          + (" (dry run: nothing written)" if dry_run else ""))
    return 1 if report.errors else 0


@cli.command()
@db_option(must_exist=True, writer=True)
def upgrade(db):
    """Bring an archive written by an older version up to the current schema.

    The analysts' commands (search, export, report, browse) only read, so
    they refuse an older archive; crawl and reparse upgrade it as they open
    it. This does only the upgrade, under the same run lock as a crawl.
    An archive already up to date is left untouched.

    \b
    Example: python -m scraper upgrade --db data/archive.db
    """
    from scraper.archive import ArchiveUnreadable
    from scraper.archive import upgrade as run_upgrade

    # Not an archive, or a newer one: refused while --db was parsed, before
    # the lock file is made. Up to date: nothing to lock or write.
    try:
        open_readonly(db).close()
    except Refused:
        pass
    else:
        print(f"{db} is up to date: nothing written")
        return 0
    lock = take_lock(db)
    try:
        before, after = run_upgrade(db)
    except ArchiveUnreadable as exc:
        raise Refused(str(exc)) from None
    finally:
        lock.release()
    if before == after:
        print(f"{db} is up to date (schema {after}): nothing written")
    else:
        print(f"{db} upgraded from schema {before} to {after}")
    return 0


def _import_mirror():
    """tests.mirror's MirrorServer and build_site: the bundled copy of the site
    lives with the tests, beside the package in a clone of the repository."""
    root = Path(__file__).resolve().parent.parent
    if (root / "tests" / "mirror" / "server.py").is_file():
        if str(root) not in sys.path:
            sys.path.insert(0, str(root))
    try:
        from tests.mirror.server import MirrorServer
        from tests.mirror.site import build_site
    except ImportError:
        raise Refused(f"the demo serves the repository's tests/mirror, and there is none in {root}: "
                      "run it from a clone of the repository") from None
    return MirrorServer, build_site


@cli.command()
@db_option(must_exist=False, default="data/demo.db", writer=True)
@click.option("--port", type=click.IntRange(0, 65535), default=DEMO_PORT, show_default=True,
              help="mirror port (any free port if taken; 0: any)")
def demo(db, port):
    """Serve the bundled mirror on 127.0.0.1, crawl it into an archive, show rows.

    Needs a clone of the repository: the mirror is the tests' own copy of the
    site (tests/mirror).

    \b
    Example: python -m scraper demo --db data/demo.db
    """
    import subprocess

    MirrorServer, build_site = _import_mirror()
    try:
        server = MirrorServer(build_site(), port=port).start()
    except OSError:
        server = MirrorServer(build_site(), port=0).start()
    try:
        print(f"mirror serving {server.url}", flush=True)
        code = subprocess.call([
            sys.executable, "-m", "scraper", "crawl", "--base-url", server.url,
            "--db", db, "--delay", "0", "--concurrency", "8", "--quiet",
        ])
    finally:
        server.stop()
    if code in (2, 3):  # the crawl did not run: nothing to show
        return code
    archive = open_readonly(db)
    try:
        print("\nlatest archived articles:")
        for row in archive.execute(
            "select published_at, author, title, image_count from articles "
            "where kind = 'article' order by published_at desc limit 5"
        ):
            print("  {} | {} | {} | {} image(s)".format(*("—" if v is None else v for v in row)))
        total = archive.execute("select count(*) from articles where kind = 'article'").fetchone()[0]
    finally:
        archive.close()
    print(f"{total} articles in {os.path.abspath(db)}")
    return code


for _command in analyst.COMMANDS:
    cli.add_command(_command)
from scraper.cli_history import history as _history  # noqa: E402 (its own module)
cli.add_command(_history)
from scraper.cli_completeness import completeness as _completeness  # noqa: E402
cli.add_command(_completeness)
from scraper.cli_wayback import wayback as _wayback  # noqa: E402 (its own module)
cli.add_command(_wayback)
from scraper.cli_media import COMMANDS as _media_commands  # noqa: E402 (verify, wacz, export-media)
[cli.add_command(_c) for _c in _media_commands]


def main(argv: list[str] | None = None):
    """`python -m scraper`: run the group; exits with the command's status."""
    return cli.main(args=argv)
