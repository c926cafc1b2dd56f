"""An article's versions, each stored once: the current one in ``articles``,
the ones it replaced in ``article_version_rows``.

Before migration step 12 every version
row carried ``record_json``, the whole ``Article`` as JSON, so version 1 of
every article repeated its row in ``articles`` (9.2 KB an article on the
bench's 5 KB pages, more than the raw page). Now:

- ``article_version_rows`` (the table) keeps every version's metadata
  (version, content_hash, fetched_at, run_id, words_added/removed,
  provenance) and ``record_json`` only for versions that are no longer
  current. The current version's ``record_json`` is NULL: its content is the
  ``articles`` row with its ``images`` and ``attachments``.
- When a newer version replaces it, the old record is written into its
  version row in the same transaction as the new content (``keep_superseded``),
  so a killed run loses nothing and at most one row per article is NULL.
- Deleting an ``articles`` row (the archiver never does; a hand-made SQL
  fix might) writes its record into its version row first (a trigger).
- ``article_versions`` is a view with the table's columns, whose
  ``record_json`` is the stored record or, for the current version, the
  record built from ``articles`` by ``RECORD_SQL``: the same bytes that
  ``json.dumps(asdict(article), ensure_ascii=False)`` wrote before (the test
  compares them), so every reader (``history``, ``article_changes``, the
  digest, Datasette, anyone's SQL) gets the answers it got before.

Why whole records for superseded versions rather than deltas against the next
one: a changed article is the exception (a night of the bench changes a
handful of 2,000), so whole old records cost little, stay readable by any
SQL client (``json_extract``), and one damaged row never takes the versions
before it along, as a chain of deltas would.

A later step that adds a column to the versions adds it to
``article_version_rows`` and calls ``create_view`` again.
"""
from __future__ import annotations

import sqlite_utils

from . import rechecks

STORED = "article_version_rows"
VIEW = "article_versions"
KEEP_ON_DELETE = "articles_keep_version_on_delete"

# The fields of scraper.items.Article, Image and Attachment in their
# declaration order, which is the key order of json.dumps(asdict(...)); a
# test checks them against the dataclasses. A field added there needs a new
# migration step (a column, and the view made again).
RECORD_FIELDS = ("url", "title", "published_at", "published_date", "published_precision",
                 "dateline", "author", "author_line", "source", "body_text", "body_html",
                 "description", "category", "kind")
IMAGE_FIELDS = ("url", "caption", "alt", "position")
ATTACHMENT_FIELDS = ("url", "text", "kind", "position")


def _pairs(alias: str, fields: tuple[str, ...]) -> list[str]:
    # json.dumps' default separators (", " and ": ") written out, values through
    # json_quote, which escapes as json.dumps(ensure_ascii=False) does: the
    # result is the same bytes, not only the same JSON. Built from the
    # constant field names above, never from input.
    return [f"'\"{name}\": ' || json_quote({alias}.\"{name}\")" for name in fields]


def _object_sql(parts: list[str]) -> str:
    return "'{' || " + " || ', ' || ".join(parts) + " || '}'"


def _list_sql(table: str, fields: tuple[str, ...]) -> str:
    # The subquery's ORDER BY gives group_concat its order (SQLite feeds an
    # aggregate the rows of an ordered subquery in that order).
    item = _object_sql(_pairs("c", fields))
    return (f"coalesce((SELECT '[' || group_concat(item, ', ') || ']' FROM "
            f"(SELECT {item} AS item FROM {table} c "
            f"WHERE c.article_url = a.url ORDER BY c.position)), '[]')")


# The current version's record, from the articles row "a".
RECORD_SQL = _object_sql(_pairs("a", RECORD_FIELDS) + [
    f"'\"images\": ' || {_list_sql('images', IMAGE_FIELDS)}",
    f"'\"attachments\": ' || {_list_sql('attachments', ATTACHMENT_FIELDS)}"])


def create_view(db: sqlite_utils.Database) -> None:
    """(Re)create the view ``article_versions`` over the table's columns."""
    columns = []
    for name in db[STORED].columns_dict:
        if name == "record_json":
            columns.append(f"coalesce(v.record_json, (SELECT {RECORD_SQL} FROM articles a "
                           "WHERE a.url = v.url)) AS record_json")
        else:
            columns.append(f'v."{name}"')
    db.execute(f"DROP VIEW IF EXISTS {VIEW}")
    db.execute(f"CREATE VIEW {VIEW} AS\n-- Every version of every article; the current "
               f"one's record is its articles row.\nSELECT " + ",\n       ".join(columns)
               + f"\nFROM {STORED} v")


def apply_schema(db: sqlite_utils.Database) -> None:
    """Migration step 12: the table renamed, the
    current versions' copies of their articles row dropped, the view in its
    place. A record is dropped only when the row rebuilds it byte for byte;
    any other stays as it was. Idempotent, like every step."""
    kinds = dict(db.execute("SELECT name, type FROM sqlite_master WHERE name IN (?, ?)",
                            [VIEW, STORED]).fetchall())
    if kinds.get(VIEW) == "table":
        if STORED in kinds:
            raise RuntimeError(f"both {VIEW} and {STORED} are tables: refusing to guess")
        # Keeps the rows, the key, the foreign keys and the index.
        db.execute(f"ALTER TABLE {VIEW} RENAME TO {STORED}")
    db.execute(
        f"UPDATE {STORED} SET record_json = NULL WHERE record_json IS NOT NULL "
        f"AND version = (SELECT a.version FROM articles a WHERE a.url = {STORED}.url) "
        f"AND record_json = (SELECT {RECORD_SQL} FROM articles a WHERE a.url = {STORED}.url) "
        f"AND NOT EXISTS (SELECT 1 FROM {STORED} w WHERE w.url = {STORED}.url "
        f"AND w.version != {STORED}.version AND w.record_json IS NULL)")
    create_view(db)
    # A row deleted by hand (any SQL client) leaves its content in its
    # version row, as the row's replacement by a newer version does.
    db.execute(f"DROP TRIGGER IF EXISTS {KEEP_ON_DELETE}")
    db.execute(f"CREATE TRIGGER {KEEP_ON_DELETE} BEFORE DELETE ON articles BEGIN "
               f"UPDATE {STORED} SET record_json = (SELECT {RECORD_SQL} FROM articles a "
               f"WHERE a.url = old.url) WHERE url = old.url AND record_json IS NULL; END")
    # The rename pointed article_changes at the table; it reads the view again,
    # as step 5 wrote it.
    db.execute("DROP VIEW IF EXISTS article_changes")
    db.execute("CREATE VIEW article_changes AS" + rechecks.VIEWS["article_changes"])


def keep_superseded(db: sqlite_utils.Database, url: str) -> None:
    """Before ``url``'s row and children take a new version's content: write
    the current content into its version row (the one whose record is NULL).
    Call inside the caller's transaction."""
    db.execute(f"UPDATE {STORED} SET record_json = (SELECT {RECORD_SQL} FROM articles a "
               f"WHERE a.url = {STORED}.url) WHERE url = ? AND record_json IS NULL", [url])
