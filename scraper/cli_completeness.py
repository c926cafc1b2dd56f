"""`completeness`: every URL some source names that the archive does not hold."""
from __future__ import annotations

import json
from collections import Counter

import click

from scraper.cli_common import db_option, open_readonly


@click.command()
@db_option(must_exist=True)
@click.option("--json", "as_json", is_flag=True, help="one JSON object per line")
def completeness(db, as_json):
    """List every URL known from a source that the archive does not hold, and why.

    Sources: the site's sitemaps and feeds, its listing pages (as the crawls
    read them) and web-archive imports. Reasons: a recorded failure (with
    its error), fetched but not an article (a listing or category), a
    redirect, or never fetched yet. Run it after a full run (--full or
    --walk) for a complete picture. Exit status 0 whatever it finds.

    \b
    Example: python -m scraper completeness --db data/archive.db
    """
    from scraper.archive.discovered import completeness as missing

    archive = open_readonly(db)
    try:
        rows = missing(archive)
        known = archive.execute("select count(distinct url) from discovered_urls").fetchone()[0] \
            if "discovered_urls" in archive.table_names() else 0
    finally:
        archive.close()
    if as_json:
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return 0
    click.echo(f"{known} URLs known from sitemaps, feeds, listings and imports; "
               f"{len(rows)} not held as articles")
    for reason, count in Counter(r["reason"] for r in rows).most_common():
        click.echo(f"  {count:5d}  {reason}")
    for row in rows:
        click.echo(f"{row['url']}\t{row['sources']}\t{row['reason']}")
    return 0
