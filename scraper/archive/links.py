"""Foreign keys: which rows belong to which article or run.

Declared for the readers (Datasette links an image, an attachment, a version,
a failure or an outcome to its article, and a failure, version or outcome to
its run) and for anyone reading the schema. Not enforced: the archive never
turns ``PRAGMA foreign_keys`` on, because a failure names a URL that usually
never became an article, and a run's rows are written before its articles.

SQLite cannot add a constraint to a table in place: sqlite-utils' transform
copies each table into a new one that has it (indexes kept), inside the
migration's transaction. ``articles`` itself is left as it is: rebuilding it
would renumber the rowids that the full-text index is keyed on.
"""
from __future__ import annotations

import sqlite_utils

# (table, column, table it points to, column there)
FOREIGN_KEYS = (
    ("images", "article_url", "articles", "url"),
    ("attachments", "article_url", "articles", "url"),
    ("article_versions", "url", "articles", "url"),
    ("article_versions", "run_id", "crawl_runs", "id"),
    ("failures", "url", "articles", "url"),
    ("failures", "run_id", "crawl_runs", "id"),
    ("run_outcomes", "url", "articles", "url"),
    ("run_outcomes", "run_id", "crawl_runs", "id"),
)


def declare(db: sqlite_utils.Database) -> None:
    """Migration step: add the foreign keys that a table does not have yet."""
    by_table: dict[str, list[tuple]] = {}
    for fk in FOREIGN_KEYS:
        table, column, other, other_column = fk
        have = {(f.column, f.other_table, f.other_column) for f in db[table].foreign_keys}
        if (column, other, other_column) not in have:
            by_table.setdefault(table, []).append(fk)
    for table, fks in by_table.items():
        db[table].transform(add_foreign_keys=[(c, o, oc) for _, c, o, oc in fks])
