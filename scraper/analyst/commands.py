"""The analysts' commands (search, export, browse, report), added to
`python -m scraper` by scraper/cli.py.

Each command's docstring is its --help. They only read: the archive is
opened read-only, so they never change its bytes, and a file that is not an
archive of the current schema is refused in one sentence (exit 2) rather
than given tables. `search --rebuild`, the one write, takes the run lock.
"""
from __future__ import annotations

import json
import os
import sys

import click

from scraper.cli_common import (ArchiverCommand, DbPath, LocalDate, OutputFile, Refused,
                                check_db_path, check_output, db_option, open_readonly,
                                take_lock)


def _dates(command):
    command = click.option("--until", type=LocalDate("until"), default=None,
                           help="up to and including this local date (YYYY, YYYY-MM or YYYY-MM-DD)")(command)
    return click.option("--since", type=LocalDate("since"), default=None,
                        help="from this local date on (YYYY, YYYY-MM or YYYY-MM-DD)")(command)


def _highlighter(stream):
    """Wrap matched words in bold on a terminal, in [brackets] otherwise."""
    from .fts import CLOSE_MARK, OPEN_MARK

    if stream.isatty() and not os.environ.get("NO_COLOR"):
        opening, closing = "\033[1;33m", "\033[0m"
    else:
        opening, closing = "[", "]"
    return lambda text: text.replace(OPEN_MARK, opening).replace(CLOSE_MARK, closing)


def _rebuild_search_index(db: str) -> int:
    """Rebuild the full-text index: a write, so under the run lock, and only
    on a file that already is an archive of the current schema."""
    from scraper.archive import Archive

    open_readonly(db).close()
    lock = take_lock(db)
    try:
        archive = Archive(db)
        try:
            return archive.rebuild_search_index()
        finally:
            archive.close()
    finally:
        lock.release()


def _quiet_pipe(command):
    """A reader closing the pipe early (`search ... | head -1`) ends the
    command quietly with the status it had set (ctx.meta["status"], else 0),
    instead of a BrokenPipeError traceback."""
    import functools

    @functools.wraps(command)
    def wrapped(*args, **kwargs):
        try:
            status = command(*args, **kwargs)
            sys.stdout.flush()
            return status
        except BrokenPipeError:
            # Python flushes stdout again at exit: point it at nothing first.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return click.get_current_context().meta.get("status", 0)
    return wrapped


def _query_error(err) -> Refused:
    return Refused(f"bad query: {err}")


@click.command(cls=ArchiverCommand)
@click.argument("query", nargs=-1)
@db_option(must_exist=True)
@click.option("--limit", type=click.IntRange(min=1), default=10, show_default=True, metavar="N",
              help="hits to show")
@_dates
@click.option("--exact", is_flag=True,
              help="words typed with marks must occur with those marks (Đảng: not đang, đáng)")
@click.option("--json", "as_json", is_flag=True, help="print the hits as JSON")
@click.option("--rebuild", is_flag=True,
              help="rebuild the search index from the articles table first (takes the run lock)")
@_quiet_pipe
def search(query, db, limit, since, until, exact, as_json, rebuild):
    """Full-text search of titles and bodies, best matches first.

    Case and marks are ignored, đ included: "cong doan" finds "Công đoàn".
    Words typed with marks also ask for them: "Đảng" finds đang and đáng
    too, but articles holding "Đảng" come first (--exact keeps only those).
    Words must all occur (AND is implied); a OR b: either; a NOT b: a
    without b; "quoted words" side by side; thi* a prefix; (a OR b) c
    groups. Operators are in capitals. Ranking: exact marks, then words in
    the title, then bm25 (titles weighted), then the newest. Dates are local (GMT+07), inclusive;
    YYYY or YYYY-MM stand for the whole year or month.

    Exit status: 0 hits found, 1 no hits, 2 bad query, option or archive.

    \b
    Example: python -m scraper search "doi moi" --since 2023-06 --limit 5
             python -m scraper search 'thi OR dua' --json
             python -m scraper search Đảng --exact
             python -m scraper search --rebuild
    """
    from . import fts

    if not query and not rebuild:
        raise click.UsageError("give a QUERY (or --rebuild)")
    text = " ".join(query)
    if query:
        try:
            if fts.match_expression(text) is None:
                raise fts.QueryError("nothing to search for: type a word")
        except fts.QueryError as err:
            raise _query_error(err) from None
    if rebuild:
        count = _rebuild_search_index(db)
        print(f"search index rebuilt: {count} pages indexed", file=sys.stderr)
        if not query:
            return 0
    archive = open_readonly(db)
    try:
        hits, total = fts.search(archive, text, limit=limit, since=since, until=until,
                                 exact=exact)
    except fts.QueryError as err:
        raise _query_error(err) from None
    finally:
        archive.close()
    status = 0 if total else 1
    click.get_current_context().meta["status"] = status
    if as_json:
        from .fts import CLOSE_MARK, OPEN_MARK

        for hit in hits:
            hit["snippet"] = hit["snippet"].replace(OPEN_MARK, "[").replace(CLOSE_MARK, "]")
        json.dump({"query": text, "total": total, "hits": hits}, sys.stdout,
                  ensure_ascii=False, indent=2)
        print()
        return status
    mark = _highlighter(sys.stdout)
    for n, hit in enumerate(hits, 1):
        meta = " · ".join(v for v in (hit["published_date"] or "undated", hit["category"],
                                      hit["author"]) if v)
        print(f"{n}. {hit['title'] or '(untitled)'}\n   {meta}\n   {hit['url']}\n"
              f"   {mark(hit['snippet'])}\n")
    shown = f"{len(hits)} of {total}" if total > len(hits) else str(total)
    print(f"{shown} match{'es' if total != 1 else ''} for {text!r}")
    return status


@click.command(cls=ArchiverCommand)
@db_option(must_exist=True)
@click.option("-o", "--output", type=OutputFile(), required=True, metavar="FILE",
              help="file to write (.csv, .jsonl), or - for stdout")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default=None,
              help="csv for spreadsheets, jsonl for scripts [default: from the file name]")
@_dates
@click.option("--category", help="only this category (e.g. 'Hoạt động Công đoàn')")
@click.option("--author", help="only this author (e.g. 'Bùi Thanh Thủy')")
@click.option("--query", metavar="QUERY",
              help="only articles matching this search, best first (the language of search)")
@click.option("--exact", is_flag=True, help="with --query: marked words as typed (see search)")
@click.option("--html/--no-html", default=True, show_default=True, help="include body_html")
@click.option("--raw-cells", is_flag=True,
              help="CSV: leave cells starting with = + - @ as they are (see below)")
@_quiet_pipe
def export(db, output, fmt, since, until, category, author, query, exact, html, raw_cells):
    """Export articles, every field, to CSV (spreadsheets) or JSON Lines (scripts).

    The format follows the file name (.csv, .jsonl); --format says it for
    stdout (-o -) or another name. JSON Lines nests each article's images and
    attachments (captions, alt text, link text). CSV is UTF-8 with a BOM and
    CRLF (what Excel needs for Vietnamese; no BOM on stdout); images and
    attachments are the JSON columns images_json and attachments_json, and
    their URLs are also listed one per line. A CSV cell starting with = + -
    or @ gets a leading ' so that a spreadsheet shows it as text instead of
    running it as a formula; --raw-cells (or JSON Lines) keeps the raw text.

    Dates are local (GMT+07), inclusive; --category and --author match whole
    names, ignoring case and diacritics. Exit status: 0 written, 1 nothing
    matched (nothing written), 2 bad option, query or archive.

    \b
    Example: python -m scraper export --since 2024 -o articles-2024.csv
             python -m scraper export --query "thi OR dua" -o thi-dua.jsonl
             python -m scraper export --format jsonl --author "Bùi Thanh Thủy" -o -
    """
    from . import export as exporter
    from . import fts

    if fmt is None:
        fmt = exporter.format_of(output) if output != "-" else None
        if fmt is None:
            where = "for stdout" if output == "-" else f"for {output}"
            raise click.UsageError(f"give --format csv or --format jsonl {where} "
                                   "(a name ending in .csv or .jsonl says it)")
    if query is not None:
        try:
            if fts.match_expression(query) is None:
                raise fts.QueryError("nothing to search for: type a word")
        except fts.QueryError as err:
            raise _query_error(err) from None
    elif exact:
        raise click.UsageError("--exact goes with --query")
    check_output(output, db)
    archive = open_readonly(db)
    try:
        rows = exporter.select_articles(archive, since=since, until=until, category=category,
                                        author=author, query=query, exact=exact, with_html=html)
    finally:
        archive.close()
    if not rows:
        click.get_current_context().meta["status"] = 1
        print("no articles match these filters: nothing written", file=sys.stderr)
        return 1
    if output == "-":
        if fmt == "csv":
            sys.stdout.reconfigure(newline="")
            count = exporter.write_csv(rows, sys.stdout, raw_cells=raw_cells)
        else:
            count = exporter.write_jsonl(rows, sys.stdout)
        sys.stdout.flush()
    else:
        encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
        with open(output, "w", encoding=encoding, newline="") as fp:
            count = (exporter.write_csv(rows, fp, raw_cells=raw_cells) if fmt == "csv"
                     else exporter.write_jsonl(rows, fp))
    where = "stdout" if output == "-" else os.path.abspath(output)
    print(f"{count} articles written to {where}", file=sys.stderr)
    return 0


@click.command(cls=ArchiverCommand)
@click.option("--db", type=DbPath(must_exist=False), default="data/archive.db", show_default=True,
              help="the archive file")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="address to bind (127.0.0.1: this machine only)")
@click.option("--port", type=click.IntRange(0, 65535), default=8001, show_default=True,
              help="port")
@click.option("--print-metadata", is_flag=True,
              help="print the Datasette metadata JSON and exit")
@_quiet_pipe
def browse(db, host, port, print_metadata):
    """Open the archive in Datasette: search, facets, views and canned queries.

    Datasette reads the file read-only. Binds 127.0.0.1 unless --host says
    otherwise. --print-metadata prints the Datasette metadata instead, to run
    Datasette yourself with -m (and --plugins-dir
    scraper/analyst/datasette_plugins, for the search query's functions).
    Exit status: 0 served (until Ctrl-C) or printed, 2 bad option or archive.

    \b
    Example: python -m scraper browse --db data/archive.db --port 8001
             (then open http://127.0.0.1:8001/)
    """
    from . import browse as browser

    if print_metadata:
        json.dump(browser.metadata(db), sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    problem = check_db_path(db, must_exist=True)
    if problem:
        raise click.BadParameter(problem, param_hint="'--db'")
    open_readonly(db).close()  # an archive of the current schema, or a refusal
    print(f"Datasette on http://{host}:{port}/ (Ctrl-C stops it)", file=sys.stderr, flush=True)
    return browser.serve(db, host=host, port=port)


@click.command(cls=ArchiverCommand)
@db_option(must_exist=True)
@click.option("-o", "--output", type=OutputFile(), default="report.html", show_default=True,
              metavar="FILE", help="HTML file to write")
def report(db, output):
    """Write a one-page HTML picture of the archive: articles per month (chart),
    top categories and authors, field coverage and the last crawl runs.

    The page is self-contained (inline CSS and SVG, no script; nothing fetched),
    so it can be mailed, printed or opened offline. Dates are local (GMT+07).
    Exit status: 0 written, 2 bad option or archive.

    \b
    Example: python -m scraper report --db data/archive.db -o report.html
    """
    from . import report as reporter

    if output == "-":
        raise click.BadParameter("the report is a file; give its name", param_hint="'-o'")
    check_output(output, db)
    archive = open_readonly(db)
    try:
        data = reporter.write(archive, output)
    finally:
        archive.close()
    print(f"report on {data['articles']} articles written to {os.path.abspath(output)}",
          file=sys.stderr)
    return 0


COMMANDS = (search, export, browse, report)
