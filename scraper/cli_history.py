"""`history URL`: an article's versions and what changed between them."""
from __future__ import annotations

import click

from scraper.cli_common import Refused, db_option, open_readonly


@click.command()
@click.argument("url")
@db_option(must_exist=True)
def history(url, db):
    """List an archived page's versions and show what changed between them.

    For each version: its number, capture time (UTC), where it came from (the
    crawl run and its mode, or a reparse) and its WARC record. Between two
    consecutive versions: the fields that changed (title, time, author,
    images, ...) and a unified diff of the body text, one paragraph a line.
    A page the site removed says since when.

    \b
    Example: python -m scraper history https://congdoanbackan.org.vn/bai-viet.html --db data/archive.db
    """
    from scraper.history import compare, versions

    archive = open_readonly(db)
    try:
        row = archive.execute("select url, title, removed_at from articles where url = ?",
                              [url]).fetchone()
        if row is None:
            # A spelling the archive does not key by (http/https, a trailing
            # query): try the URL the page was requested or served under.
            row = archive.execute(
                "select url, title, removed_at from articles where request_url = ? "
                "or final_url = ?", [url, url]).fetchone()
        if row is None:
            raise Refused(f"{url} is not in {db}")
        key, title, removed_at = row
        found = versions(archive, key)
    finally:
        archive.close()
    click.echo(f"{title}\n{key}")
    if removed_at:
        click.echo(f"removed from the site: first found gone at {removed_at}")
    for v in found:
        click.echo(f"  version {v['version']}  {v['fetched_at']}  {v['source']}"
                   + (f"  warc {v['warc']}" if v["warc"] else ""))
    for old, new in zip(found, found[1:]):
        change = compare(old["record"], new["record"], f"version {old['version']}",
                         f"version {new['version']}")
        click.echo(f"\n== version {old['version']} → {new['version']}: "
                   f"+{change.words_added} / -{change.words_removed} words")
        for line in change.field_lines:
            click.echo(line)
        for line in change.diff:
            click.echo(line)
    return 0
