"""CLI subcommands for analysts; `register` adds them to `python -m scraper`.

Each command's docstring is its --help. Commands that only read refuse a
missing archive file instead of creating an empty one.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from . import period

DEFAULT_DB = "data/archive.db"


def _open(path: str):
    """The archive at ``path``, schema and search index brought up to date."""
    from scraper.archive import Archive

    if not Path(path).is_file():
        raise SystemExit(f"no archive at {path}: crawl first (python -m scraper crawl --db {path})")
    return Archive(path)


def _check_output(output: str, db: str) -> None:
    """Refuse an output file that cannot be written, or that is the archive."""
    if output == "-":
        return
    target = Path(output).resolve()
    archive = Path(db).resolve()
    if target in (archive, Path(str(archive) + "-wal"), Path(str(archive) + "-shm")):
        raise SystemExit(f"refusing to write over the archive itself: {output}")
    if not target.parent.is_dir():
        raise SystemExit(f"cannot write {output}: no directory {target.parent}")
    if target.is_dir():
        raise SystemExit(f"cannot write {output}: it is a directory")


def _highlighter(stream):
    """Wrap matched words in bold on a terminal, in [brackets] otherwise."""
    from .fts import CLOSE_MARK, OPEN_MARK

    if stream.isatty() and not os.environ.get("NO_COLOR"):
        opening, closing = "\033[1;33m", "\033[0m"
    else:
        opening, closing = "[", "]"
    return lambda text: text.replace(OPEN_MARK, opening).replace(CLOSE_MARK, closing)


def cmd_search(args) -> int:
    """Full-text search of titles and bodies, best matches first.

    Diacritics and case are ignored, đ included: "cong doan" finds "Công đoàn".
    Words must all occur; "quoted words" must occur together; a trailing *
    matches a prefix (thi*). Other punctuation is taken as plain text.
    Dates are local publication dates (GMT+07), inclusive; YYYY or YYYY-MM
    stand for the whole year or month. Exit status 1 when nothing matches.

    Example: python -m scraper search "doi moi" --since 2023-06 --limit 5
             python -m scraper search --rebuild
    """
    from . import fts

    archive = _open(args.db)
    try:
        if args.rebuild:
            count = fts.rebuild(archive.db)
            print(f"search index rebuilt: {count} pages indexed", file=sys.stderr)
            if not args.query:
                return 0
        if not args.query:
            raise SystemExit("search: give a QUERY (or --rebuild)")
        query = " ".join(args.query)
        hits, total = fts.search(archive.db, query, limit=args.limit,
                                 since=args.since, until=args.until)
    finally:
        archive.close()
    if args.json:
        from .fts import CLOSE_MARK, OPEN_MARK

        for hit in hits:
            hit["snippet"] = hit["snippet"].replace(OPEN_MARK, "[").replace(CLOSE_MARK, "]")
        json.dump({"query": query, "total": total, "hits": hits}, sys.stdout,
                  ensure_ascii=False, indent=2)
        print()
        return 0
    mark = _highlighter(sys.stdout)
    for n, hit in enumerate(hits, 1):
        meta = " · ".join(v for v in (hit["published_date"] or "undated", hit["category"],
                                      hit["author"]) if v)
        print(f"{n}. {hit['title'] or '(untitled)'}\n   {meta}\n   {hit['url']}\n"
              f"   {mark(hit['snippet'])}\n")
    shown = f"{len(hits)} of {total}" if total > len(hits) else str(total)
    print(f"{shown} match{'es' if total != 1 else ''} for {query!r}")
    return 0 if total else 1


def cmd_export(args) -> int:
    """Export articles to CSV (for spreadsheets) or JSON Lines (for scripts).

    CSV is UTF-8 with a byte-order mark and CRLF line ends, so that Excel and
    LibreOffice open Vietnamese text correctly; images and attachments are
    one cell each, URLs one per line. JSON Lines has one article per line with
    its images and attachments nested (-o - writes to stdout, CSV without the
    BOM). Dates are local (GMT+07), inclusive; --category and --author match
    whole names, ignoring case and diacritics.

    Example: python -m scraper export --format csv --since 2024 -o articles-2024.csv
             python -m scraper export --format jsonl --author "Bùi Thanh Thủy" -o -
    """
    from . import export

    _check_output(args.output, args.db)
    archive = _open(args.db)
    try:
        rows = export.select_articles(archive.db, since=args.since, until=args.until,
                                      category=args.category, author=args.author,
                                      with_html=args.html)
        writer = export.write_csv if args.format == "csv" else export.write_jsonl
        if args.output == "-":
            if args.format == "csv":
                sys.stdout.reconfigure(newline="")
            try:
                count = writer(rows, sys.stdout)
                sys.stdout.flush()
            except BrokenPipeError:  # e.g. piped into head: stop quietly
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
                return 1
        else:
            encoding = "utf-8-sig" if args.format == "csv" else "utf-8"
            with open(args.output, "w", encoding=encoding, newline="") as fp:
                count = writer(rows, fp)
    finally:
        archive.close()
    where = "stdout" if args.output == "-" else os.path.abspath(args.output)
    print(f"{count} articles written to {where}", file=sys.stderr)
    return 0


def cmd_browse(args) -> int:
    """Open the archive in Datasette: search, facets, views and canned queries.

    Binds 127.0.0.1 unless --host says otherwise. --print-metadata prints the
    Datasette metadata instead, to run Datasette yourself with -m.

    Example: python -m scraper browse --db data/archive.db --port 8001
             (then open http://127.0.0.1:8001/)
    """
    from . import browse

    if args.print_metadata:
        json.dump(browse.metadata(args.db), sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    _open(args.db).close()  # views and search index in place before Datasette reads
    print(f"Datasette on http://{args.host}:{args.port}/ (Ctrl-C stops it)", file=sys.stderr,
          flush=True)
    return browse.serve(args.db, host=args.host, port=args.port)


def cmd_report(args) -> int:
    """Write a one-page HTML picture of the archive: articles per month (chart),
    top categories and authors, field coverage and the last crawl runs.

    The page is self-contained (inline CSS, SVG and script; nothing fetched),
    so it can be mailed or opened offline. Dates are local (GMT+07).

    Example: python -m scraper report --db data/archive.db -o report.html
    """
    from . import report

    _check_output(args.output, args.db)
    archive = _open(args.db)
    try:
        data = report.write(archive.db, args.output)
    finally:
        archive.close()
    print(f"report on {data['articles']} articles written to {os.path.abspath(args.output)}",
          file=sys.stderr)
    return 0


def _add(sub, name: str, func, help_: str) -> argparse.ArgumentParser:
    parser = sub.add_parser(name, help=help_, description=func.__doc__,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default=DEFAULT_DB, help=f"archive file (default: {DEFAULT_DB})")
    parser.set_defaults(func=func)
    return parser


def _add_dates(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--since", type=period.since, metavar="DATE",
                        help="from this local date on (YYYY, YYYY-MM or YYYY-MM-DD)")
    parser.add_argument("--until", type=period.until, metavar="DATE",
                        help="up to and including this local date (YYYY, YYYY-MM or YYYY-MM-DD)")


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def register(sub) -> None:
    """Add the analyst subcommands to the argparse sub-parsers `sub`."""
    search = _add(sub, "search", cmd_search, "full-text search, with or without diacritics")
    search.add_argument("query", nargs="*", metavar="QUERY", help="words to look for")
    search.add_argument("--limit", type=_positive, default=10, help="hits to show (default 10)")
    _add_dates(search)
    search.add_argument("--json", action="store_true", help="print the hits as JSON")
    search.add_argument("--rebuild", action="store_true",
                        help="rebuild the search index from the articles table first")

    export = _add(sub, "export", cmd_export, "export articles as CSV or JSON Lines")
    export.add_argument("--format", choices=["csv", "jsonl"], required=True)
    export.add_argument("-o", "--output", required=True, metavar="FILE",
                        help="file to write, or - for stdout")
    _add_dates(export)
    export.add_argument("--category", help="only this category (e.g. 'Hoạt động Công đoàn')")
    export.add_argument("--author", help="only this author (e.g. 'Bùi Thanh Thủy')")
    export.add_argument("--html", action="store_true",
                        help="JSON Lines: include body_html too")

    browse = _add(sub, "browse", cmd_browse, "browse the archive in Datasette")
    browse.add_argument("--host", default="127.0.0.1",
                        help="address to bind (default 127.0.0.1: this machine only)")
    browse.add_argument("--port", type=int, default=8001, help="port (default 8001)")
    browse.add_argument("--print-metadata", action="store_true",
                        help="print the Datasette metadata JSON and exit")

    report = _add(sub, "report", cmd_report, "one-page HTML report of the archive")
    report.add_argument("-o", "--output", default="report.html", metavar="FILE",
                        help="HTML file to write (default report.html)")
