"""`python -m scraper wayback`: fill the archive from a web archive (the
Internet Archive's Wayback Machine by default, or any pywb-compatible one)
when the live site is gone. The navigation is spiders/wayback.py; pages go
through the same policy, pipelines and archive as a crawl."""
from __future__ import annotations

import os
import re
import sys

import click

from scraper.cli_common import FiniteFloatRange, HttpUrl, LogFile, Setting, db_option, take_lock
from scraper.sources.cdx import IA_CDX, IA_REPLAY

_SITE = re.compile(r"^(?:www\.)?[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::\d{1,5})?$", re.I)
_DAY = re.compile(r"^\d{8}$")


class Site(click.ParamType):
    name = "HOST[:PORT]"

    def convert(self, value, param, ctx):
        text = str(value).strip().rstrip("/")
        if "://" in text or not _SITE.match(text):
            self.fail(f"{value!r} is not HOST or HOST:PORT (e.g. congdoanbackan.org.vn)", param, ctx)
        return text.lower()


class Day(click.ParamType):
    name = "YYYYMMDD"

    def convert(self, value, param, ctx):
        from datetime import datetime

        text = str(value).strip()
        try:
            if not _DAY.match(text):
                raise ValueError
            datetime.strptime(text, "%Y%m%d")
        except ValueError:
            self.fail(f"{value!r} is not a day written YYYYMMDD (e.g. 20250701)", param, ctx)
        return text


@click.command()
@click.option("--site", type=Site(), default="congdoanbackan.org.vn", show_default=True,
              help="the site whose captures to import (all its spellings: http/https, www.)")
@click.option("--cdx", "cdx_url", type=HttpUrl(), default=IA_CDX, show_default=True,
              help="the archive's CDX API (pywb: http://HOST/<collection>/cdx)")
@click.option("--replay", "replay_prefix", type=HttpUrl(), default=IA_REPLAY, show_default=True,
              help="the archive's replay prefix (pywb: http://HOST/<collection>/)")
@click.option("--from", "date_from", type=Day(), default=None, help="captures from this day on")
@click.option("--to", "date_to", type=Day(), default=None, help="captures up to this day")
@db_option(must_exist=False, writer=True)
@click.option("--delay", type=FiniteFloatRange(min=0), default=None, metavar="SECONDS",
              help="seconds between requests [default: 2, with AutoThrottle; 0 turns it off]")
@click.option("--concurrency", type=click.IntRange(min=1), default=None, metavar="N",
              help="requests at a time per host [default: 1]")
@click.option("--log-file", type=LogFile(), default=None,
              help="write the log here instead of stderr (its folder must exist)")
@click.option("--quiet", is_flag=True, help="warnings and the summary only")
@click.option("-s", "--set", "overrides", type=Setting(), multiple=True, metavar="NAME=VALUE",
              help="a Scrapy or archiver setting, typed like its default")
def wayback(site, cdx_url, replay_prefix, date_from, date_to, db, delay, concurrency, log_file,
            quiet, overrides):
    """Import a site's captures from a web archive into the SQLite archive.

    Lists every capture of the site through the archive's CDX API, fetches
    each distinct one raw (id_), and archives it as a crawl would: the same
    rows, keyed by the original URL, dated by the capture, each saying which
    archive and capture it came from. A rerun fetches only captures not
    imported yet. Exit status as for crawl: 0 ok, 1 the run judged itself
    failed, 2 bad input, 3 another run is writing to the archive.

    \b
    Example: python -m scraper wayback --db data/archive.db
             python -m scraper wayback --site 127.0.0.1:8000 \\
                 --cdx http://127.0.0.1:8080/coll/cdx --replay http://127.0.0.1:8080/coll/
    """
    if date_from and date_to and date_from > date_to:
        raise click.UsageError(f"--from {date_from} is after --to {date_to}")
    from scraper.cli import _crawl_settings, _print_failures, _run_spider

    settings = _crawl_settings(db=db, delay=delay, concurrency=concurrency, log_file=log_file,
                               quiet=quiet, overrides=overrides)
    lock = take_lock(db)
    crawler, run = _run_spider(settings, lock, "wayback", site=site, cdx_url=cdx_url,
                               replay_prefix=replay_prefix, date_from=date_from, date_to=date_to)
    if not run:
        print("wayback did not start: see the log above", file=sys.stderr)
        return 2
    stats = crawler.stats
    print(
        f"\nrun {run['id']} (wayback from {replay_prefix}) {run['status']}: "
        f"{stats.get_value('archiver/captures_listed', 0)} captures listed, "
        f"{run['pages_fetched']} responses, {run['articles_new']} new, "
        f"{run['articles_updated']} updated, {run['articles_unchanged']} unchanged, "
        f"{run['failures']} failures\n"
        f"archive: {os.path.abspath(db)}")
    if run["message"]:
        print(f"why: {run['message']}")
    from scraper.run import RunLifecycle

    reason = crawler.get_extension(RunLifecycle).state.start_failed
    if reason:
        print(f"     {reason}")  # what "the start page" (the CDX listing) said
    _print_failures(db, run["id"])
    return int(run["exit_status"] or 0)
