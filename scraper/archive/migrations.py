"""The archive's schema, as an ordered list of numbered steps.

``PRAGMA user_version`` holds the number of the last step a file has been
through. A writer (``Archive(path)``) reads it on open and runs only the
steps above it, in order; each step runs in one ``BEGIN IMMEDIATE``
transaction that also writes its number, so a killed upgrade leaves the file
at the last step that completed, and two writers opening at once do not run
a step twice. A file whose version is higher than the last step known here
was written by newer code and is refused, never downgraded.

To change the schema, append a step; never edit one that has shipped, since
files that passed it will not run it again. Adding a column is a step that
adds it when missing (and to ``tables``, which step 1 creates new files
from); changing a view is a step that re-creates it (``views.create(db,
[name])``). Every step must be idempotent ("create if missing", "add if
missing"): see ``LEGACY_VERSION``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import sqlite_utils

from . import discovered, links, media, provenance, rechecks, search_index, versions, views
from .errors import ArchiveUnreadable
from .tables import ARTICLE_COLUMNS, CAPTURE_COLUMNS, RUN_COLUMNS

# Archives written before this module existed carry user_version 1, whatever
# columns they had: that code created and added everything on each open and
# wrote 1 without reading it. From 1 the steps start again at 1 (they are
# idempotent), which also covers a file whose upgrade stopped after step 1.
LEGACY_VERSION = 1


@dataclass(frozen=True)
class Step:
    version: int
    about: str
    apply: Callable[[sqlite_utils.Database], None]


def _base_tables(db: sqlite_utils.Database) -> None:
    db["articles"].create(ARTICLE_COLUMNS, pk="url", if_not_exists=True)
    db["images"].create(
        {"article_url": str, "position": int, "url": str, "caption": str, "alt": str},
        pk=("article_url", "position"), if_not_exists=True,
    )
    db["attachments"].create(
        {"article_url": str, "position": int, "url": str, "text": str, "kind": str},
        pk=("article_url", "position"), if_not_exists=True,
    )
    db["article_versions"].create(
        {"url": str, "version": int, "content_hash": str, "fetched_at": str,
         "run_id": int, "record_json": str},
        pk=("url", "version"), if_not_exists=True,
    )
    db["raw_pages"].create(
        {"id": int, "url": str, "final_url": str, "http_status": int,
         "fetched_at": str, "last_fetched_at": str, "fetch_count": int,
         "sha256": str, "encoding": str, "content_type": str, "html_gz": bytes},
        pk="id", if_not_exists=True,
    )
    db["failures"].create(
        {"id": int, "run_id": int, "url": str, "http_status": int, "error": str,
         "attempts": int, "failed_at": str, "referer": str},
        pk="id", if_not_exists=True,
    )
    db["crawl_runs"].create(RUN_COLUMNS, pk="id", if_not_exists=True)
    db["run_outcomes"].create(
        {"run_id": int, "url": str, "outcome": str},
        pk=("run_id", "url"), if_not_exists=True,
    )
    # Archives made by an older version gain the newer columns.
    for name, columns in (("articles", ARTICLE_COLUMNS), ("crawl_runs", RUN_COLUMNS)):
        have = db[name].columns_dict
        for col, kind in columns.items():
            if col not in have:
                db[name].add_column(col, kind)
    db["raw_pages"].create_index(["url", "sha256"], unique=True, if_not_exists=True)
    db["images"].create_index(["url"], if_not_exists=True)
    db["failures"].create_index(["url"], if_not_exists=True)
    db["articles"].create_index(["published_date"], if_not_exists=True)


def _captures(db: sqlite_utils.Database) -> None:
    db["captures"].create(CAPTURE_COLUMNS, pk="id", if_not_exists=True)
    db["captures"].create_index(["url", "fetched_at"], if_not_exists=True)


def _search_index(db: sqlite_utils.Database) -> None:
    search_index.create(db)
    search_index.sync(db)


def _views(db: sqlite_utils.Database) -> None:
    views.create(db)


def _link_accounting(db: sqlite_utils.Database) -> None:
    # Where every link seen in a run ended (scraper/ledger.py), per run.
    have = db["crawl_runs"].columns_dict
    for col, kind in (("links_seen", int), ("links_unaccounted", int),
                      ("link_outcomes_json", str)):
        if col not in have:
            db["crawl_runs"].add_column(col, kind)


STEPS: tuple[Step, ...] = (
    Step(1, "articles, their images, attachments, versions and raw pages; failures, runs",
         _base_tables),
    Step(2, "captures: the index of the WARC records", _captures),
    Step(3, "articles_fts and articles_fts_map: the full-text index, filled", _search_index),
    Step(4, "the analysts' views (articles_per_month, ..., field_coverage)", _views),
    Step(5, "re-checks and removals: rechecks, articles.removed_at/checked_at, run counts, "
            "version sizes, views article_changes and removed_articles", rechecks.apply_schema),
    Step(6, "media_files (photos and attachments held), their facts on images/attachments, "
            "captures.record_type/refers_to (WARC revisits) and the payload digest index",
         media.create),
    Step(7, "the search index found by sqlite-utils and Datasette (content=\"articles\" named)",
         search_index.for_tools),
    Step(8, "foreign keys: images, attachments, versions, failures and outcomes to their "
            "article and run", links.declare),
    Step(9, "provenance: articles/article_versions.origin, capture_timestamp, replay_url; "
            "captures.replay_url; imported_captures (the wayback import)", provenance.apply_schema),
    Step(10, "link accounting: crawl_runs.links_seen, links_unaccounted, link_outcomes_json",
         _link_accounting),
    Step(11, "discovered_urls: the URLs each source (sitemap, feed, listing) names",
         discovered.apply_schema),
    Step(12, "versions hold what changed: article_versions becomes a view over "
             "article_version_rows, whose current version keeps no copy of its articles row",
         versions.apply_schema),
    Step(13, "articles_fts without its copy of the text (content=''), marks kept in the "
             "original columns; articles_fts_map.text_hash: the index re-made and filled",
         search_index.without_text),
)
CURRENT_VERSION = STEPS[-1].version
assert [s.version for s in STEPS] == list(range(1, CURRENT_VERSION + 1))


def schema_version(db: sqlite_utils.Database) -> int:
    return db.execute("PRAGMA user_version").fetchone()[0]


def too_new(path, found: int) -> str:
    return (f"{path} was written by a newer version of this archiver (schema {found}, "
            f"this one knows up to {CURRENT_VERSION}); update the code before using it")


def pending(found: int) -> list[Step]:
    """The steps a file at version ``found`` still needs."""
    done = 0 if found == LEGACY_VERSION else found
    return [s for s in STEPS if s.version > done]


def migrate(db: sqlite_utils.Database, path="the archive") -> list[int]:
    """Bring ``db`` up to CURRENT_VERSION; returns the numbers of the steps run
    (none for an up-to-date file, which is then not written at all)."""
    found = schema_version(db)
    if found > CURRENT_VERSION:
        raise ArchiveUnreadable(too_new(path, found))
    if found == CURRENT_VERSION:
        return []
    ran = []
    for step in pending(found):
        db.conn.execute("BEGIN IMMEDIATE")
        try:
            # Read again under the write lock: another writer may have gone first.
            now = schema_version(db)
            if now > CURRENT_VERSION:
                raise ArchiveUnreadable(too_new(path, now))
            if step in pending(now):
                step.apply(db)
                # PRAGMA takes no parameters; the version is one of our own ints.
                pragma = f"PRAGMA user_version = {int(step.version)}"
                db.execute(pragma)
                ran.append(step.version)
        except BaseException:
            if db.conn.in_transaction:
                db.conn.rollback()
            raise
        db.conn.commit()
    return ran
