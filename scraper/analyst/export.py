"""Exports of the archive for spreadsheets (CSV) and scripts (JSON Lines).

CSV is written as UTF-8 with a byte-order mark and CRLF line ends, because
that is what makes Excel (and LibreOffice, Numbers, Google Sheets on import)
read Vietnamese text correctly without asking: without the BOM Excel guesses
a legacy code page and shows "CÃ´ng Ä‘oÃ n". Images and attachments become
one cell each, their URLs one per line. JSON Lines carries them nested.
"""
from __future__ import annotations

import csv
import json
from collections import defaultdict
from typing import IO, Iterator

from .fts import date_bounds, fold

# The columns an analyst reads, in reading order. body_html and fetch plumbing
# (request_url, http_status, content_hash, ...) stay in JSON Lines only.
CSV_COLUMNS = [
    "url", "title", "published_date", "published_at", "kind", "category", "author",
    "author_line", "source", "description", "body_text", "image_count", "image_urls",
    "attachment_count", "attachment_urls", "version", "first_seen_at", "updated_at",
]


def select_articles(db, *, since: str | None = None, until: str | None = None,
                    category: str | None = None, author: str | None = None,
                    with_html: bool = False) -> Iterator[dict]:
    """Article rows (oldest first) with their ``images`` and ``attachments`` lists.

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
    sql = "SELECT * FROM articles"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY published_at IS NULL, published_at, url"
    rows = list(db.query(sql, params))
    children = _children(db, [r["url"] for r in rows])
    for row in rows:
        if not with_html:
            row.pop("body_html", None)
        row["images"] = children["images"].get(row["url"], [])
        row["attachments"] = children["attachments"].get(row["url"], [])
        yield row


def _children(db, urls: list[str]) -> dict[str, dict[str, list[dict]]]:
    wanted = set(urls)
    out: dict[str, dict[str, list[dict]]] = {"images": defaultdict(list),
                                             "attachments": defaultdict(list)}
    for table in ("images", "attachments"):
        for child in db.query(f"SELECT * FROM {table} ORDER BY article_url, position"):
            url = child.pop("article_url")
            if url in wanted:
                out[table][url].append(child)
    return out


def write_csv(rows, fp: IO[str]) -> int:
    """Write rows to ``fp`` (opened with newline=''); returns how many.
    The caller opens the file with encoding 'utf-8-sig' to get the BOM."""
    writer = csv.DictWriter(fp, CSV_COLUMNS, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    count = 0
    for row in rows:
        row = dict(row)
        row["image_urls"] = "\n".join(i["url"] for i in row["images"])
        row["attachment_urls"] = "\n".join(a["url"] for a in row["attachments"])
        writer.writerow(row)
        count += 1
    return count


def write_jsonl(rows, fp: IO[str]) -> int:
    """One JSON object per line, UTF-8, images and attachments nested."""
    count = 0
    for row in rows:
        fp.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count
