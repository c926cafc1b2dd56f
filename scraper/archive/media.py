"""The archive's record of the files articles link (photos, attachments).

`media_files` has one row per distinct file URL: its fetch status and, when
held, the sha256, size and type of the exact bytes served, and where in the
WARC files those bytes are. The `images` and `attachments` rows of every
article carry a copy of those four facts (sha256, size, content_type,
fetch_status), kept in step from both sides: when a file is fetched, and
when an article's rows are written again.
"""
from __future__ import annotations

import sqlite_utils

from ..media import OFFSITE, OK, OVER_BUDGET, MediaFetch

MEDIA_COLUMNS = {
    "url": str, "role": str, "status": str, "http_status": int, "sha256": str, "size": int,
    "content_type": str, "extension": str, "error": str, "fetched_at": str,
    "failed_runs": int, "warc_file": str, "warc_offset": int, "run_id": int,
}
# What images and attachments rows carry of their file.
CHILD_MEDIA_COLUMNS = {"sha256": str, "size": int, "content_type": str, "fetch_status": str}


def create(db: sqlite_utils.Database) -> None:
    """Migration step: the table, the child columns, and the digest index
    the WARC writer looks revisits up by."""
    db["media_files"].create(MEDIA_COLUMNS, pk="url", if_not_exists=True)
    db["media_files"].create_index(["sha256"], if_not_exists=True)
    for table in ("images", "attachments"):
        have = db[table].columns_dict
        for col, kind in CHILD_MEDIA_COLUMNS.items():
            if col not in have:
                db[table].add_column(col, kind)
    db["attachments"].create_index(["url"], if_not_exists=True)
    have = db["captures"].columns_dict
    for col in ("record_type", "refers_to"):
        if col not in have:
            db["captures"].add_column(col, str)
    db["captures"].create_index(["payload_digest"], if_not_exists=True)


def record(db: sqlite_utils.Database, fetch: MediaFetch, run_id: int | None) -> None:
    """Store one fetch of a file, in one transaction. A file once held stays
    held: a later failed fetch of the same URL does not erase it."""
    with db.atomic():
        old = next(db.query("select status, failed_runs from media_files where url = ?",
                            [fetch.url]), None)
        if old is not None and old["status"] == OK and fetch.status != OK:
            return
        failed_runs = (old["failed_runs"] or 0) if old else 0
        if fetch.status not in (OK, OVER_BUDGET, OFFSITE):
            failed_runs += 1
        row = {
            "url": fetch.url, "role": fetch.role, "status": fetch.status,
            "http_status": fetch.http_status, "sha256": fetch.sha256, "size": fetch.size,
            "content_type": fetch.content_type, "extension": fetch.extension,
            "error": fetch.error, "fetched_at": fetch.fetched_at, "failed_runs": failed_runs,
            "warc_file": fetch.warc_at[0] if fetch.warc_at else None,
            "warc_offset": fetch.warc_at[1] if fetch.warc_at else None, "run_id": run_id,
        }
        db["media_files"].upsert(row, pk="url")
        values = [fetch.sha256, fetch.size, fetch.content_type, fetch.status, fetch.url]
        for table in ("images", "attachments"):
            db.execute(f"update {table} set sha256 = ?, size = ?, content_type = ?, "
                       "fetch_status = ? where url = ?", values)


def fill_children(db: sqlite_utils.Database, article_url: str) -> None:
    """Copy what is known of each file onto an article's freshly written rows."""
    for table in ("images", "attachments"):
        db.execute(
            f"update {table} set (sha256, size, content_type, fetch_status) = "
            "(select m.sha256, m.size, m.content_type, m.status from media_files m "
            f" where m.url = {table}.url) "
            f"where article_url = ? and exists (select 1 from media_files m where m.url = {table}.url)",
            [article_url])


def held(db: sqlite_utils.Database) -> set[str]:
    return {r[0] for r in db.execute("select url from media_files where status = ?", [OK])}


def to_fetch(db: sqlite_utils.Database, max_failed_runs: int) -> list[tuple[str, str]]:
    """(url, role) of files archived articles link that are not held: never
    tried (a run killed before, an archive from before files were fetched),
    failed fewer than `max_failed_runs` runs, or left over by a spent budget.
    Files on other hosts are not: they are never fetched."""
    return [(r[0], r[1]) for r in db.execute(
        "select url, role from ("
        "  select url, 'image' as role from images union select url, 'attachment' from attachments"
        "  where kind is not 'video') c "
        "where c.url like 'http%' and not exists (select 1 from media_files m where m.url = c.url and "
        "  (m.status in (?, ?) or m.failed_runs >= ?)) "
        "group by url order by url", [OK, OFFSITE, max_failed_runs])]
