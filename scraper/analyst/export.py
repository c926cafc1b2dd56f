"""Exports of the archive for spreadsheets (CSV) and scripts (JSON Lines).

Both carry every column of ``articles`` (body_html unless --no-html) and
every photo and attachment with its caption, alt text or link text:

- JSON Lines: one article per line, ``images`` and ``attachments`` nested as
  lists of objects, values exactly as archived.
- CSV: one article per row. A spreadsheet has no nesting, so photos and
  attachments are two JSON columns (``images_json``, ``attachments_json``:
  the same lists as in JSON Lines), beside ``image_urls`` and
  ``attachment_urls`` (one URL per line) for reading by eye. One file keeps
  the export one thing to mail; companion files would be three.

CSV is UTF-8 with a byte-order mark and CRLF line ends, because that is what
makes Excel (and LibreOffice, Numbers, Google Sheets on import) read
Vietnamese text correctly without asking: without the BOM Excel guesses a
legacy code page and shows "CÃ´ng Ä‘oÃ n".

A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage
return before them) as a formula, so a title such as "=HYPERLINK(...)"
would be a live formula in Excel. CSV cells starting with one of these get
a leading apostrophe, which spreadsheets take as "this is text". The raw
text is in the JSON Lines export, or in a CSV written with --raw-cells.
"""
from __future__ import annotations

import csv
import json
from collections import defaultdict
from typing import IO

from .fts import date_bounds, fold, matching_rowids

FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Read first in a spreadsheet; every other column follows in the table's order.
FIRST_COLUMNS = [
    "url", "title", "published_date", "published_at", "published_precision", "dateline",
    "is_undated", "kind", "category", "author", "author_line", "source", "description",
    "body_text",
]
CHILD_COLUMNS = ["image_urls", "images_json", "attachment_urls", "attachments_json"]


def format_of(path: str) -> str | None:
    """csv or jsonl from the file name's extension; None when it says neither."""
    lowered = path.lower()
    for extension, fmt in FORMATS.items():
        if lowered.endswith(extension):
            return fmt
    return None


def select_articles(db, *, since: str | None = None, until: str | None = None,
                    category: str | None = None, author: str | None = None,
                    query: str | None = None, exact: bool = False,
                    with_html: bool = True) -> list[dict]:
    """Article rows with their ``images`` and ``attachments`` lists: oldest
    first, or best first with a search ``query`` (scraper.analyst.fts's
    language and ranking; raises fts.QueryError).

    ``since``/``until`` are inclusive local dates; ``category`` and ``author``
    match whole values, ignoring case and diacritics ("hoat dong cong doan").
    """
    where, params = date_bounds("published_date", since, until)
    # Python-side SQL function: registered on this connection only, the
    # archive itself never depends on it.
    db.conn.create_function("analyst_fold", 1, fold, deterministic=True)
    for column, value in (("category", category), ("author", author)):
        if value is not None:
            where.append(f"analyst_fold({column}) = ?")
            params.append(" ".join(fold(value).split()))
    sql = "SELECT rowid AS _rowid, * FROM articles"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY published_at IS NULL, published_at, url"
    rows = list(db.query(sql, params))
    if query is not None:
        order = {rowid: n for n, rowid in enumerate(matching_rowids(db, query, exact=exact))}
        rows = sorted((r for r in rows if r["_rowid"] in order), key=lambda r: order[r["_rowid"]])
    children = _children(db, {r["url"] for r in rows})
    for row in rows:
        del row["_rowid"]
        if not with_html:
            row.pop("body_html", None)
        row["images"] = children["images"].get(row["url"], [])
        row["attachments"] = children["attachments"].get(row["url"], [])
    return rows


def _children(db, wanted: set[str]) -> dict[str, dict[str, list[dict]]]:
    out: dict[str, dict[str, list[dict]]] = {"images": defaultdict(list),
                                             "attachments": defaultdict(list)}
    for table in ("images", "attachments"):
        for child in db.query(f"SELECT * FROM {table} ORDER BY article_url, position"):
            url = child.pop("article_url")
            if url in wanted:
                out[table][url].append(child)
    return out


def csv_columns(rows: list[dict]) -> list[str]:
    """FIRST_COLUMNS, then the table's other columns in order, then the photos
    and attachments."""
    present = [k for k in (rows[0] if rows else {}) if k not in ("images", "attachments")]
    return ([c for c in FIRST_COLUMNS if c in present]
            + [c for c in present if c not in FIRST_COLUMNS] + CHILD_COLUMNS)


def guard(value):
    """A cell a spreadsheet would run as a formula, made text: a leading '."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(rows: list[dict], fp: IO[str], raw_cells: bool = False) -> int:
    """Write rows to ``fp`` (opened with newline=''); returns how many.
    The caller opens a file with encoding 'utf-8-sig' to get the BOM."""
    writer = csv.DictWriter(fp, csv_columns(rows), lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        row = dict(row)
        images, attachments = row.pop("images"), row.pop("attachments")
        row["image_urls"] = "\n".join(i["url"] for i in images)
        row["images_json"] = json.dumps(images, ensure_ascii=False)
        row["attachment_urls"] = "\n".join(a["url"] for a in attachments)
        row["attachments_json"] = json.dumps(attachments, ensure_ascii=False)
        writer.writerow(row if raw_cells else {k: guard(v) for k, v in row.items()})
    return len(rows)


def write_jsonl(rows: list[dict], fp: IO[str]) -> int:
    """One JSON object per line, UTF-8, images and attachments nested."""
    for row in rows:
        fp.write(json.dumps(row, ensure_ascii=False) + "\n")
    return len(rows)
