"""Re-checks of archived pages, removals and edits: their schema and queries.

A re-check is a conditional request for a page the archive already holds.
Each one leaves a row in ``rechecks`` (run, URL, time, answer, outcome), so a
run's counts (``crawl_runs.rechecked``, ``rechecked_changed``, ``removed``)
and the "when was this last looked at" of the rolling schedule both come
from one place. An article the site removed (404/410, or a redirect to its
not-found page) keeps its row, body and versions and gets ``removed_at``,
the first re-check that found it gone; it is cleared if the page comes back.

Outcomes: ``not_modified`` (304), ``unchanged``, ``changed`` (a new
version), ``removed`` (found gone for the first time), ``still_removed``,
``restored`` (gone before, served again).
"""
from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

RECHECK_COLUMNS = {"id": int, "run_id": int, "url": str, "checked_at": str,
                   "http_status": int, "outcome": str, "detail": str}
# Added to existing tables by the migration step (and to tables.py for new files).
NEW_ARTICLE_COLUMNS = {"removed_at": str, "checked_at": str}
NEW_RUN_COLUMNS = {"rechecked": int, "rechecked_changed": int, "removed": int}
NEW_VERSION_COLUMNS = {"words_added": int, "words_removed": int}

VIEWS = {
    "article_changes": """
-- Every new version of an archived page, by the local (GMT+07) night it was
-- captured, with the size of the change in words of body text.
SELECT date(v.fetched_at, '+7 hours') AS night, v.url, a.title, v.version,
       v.fetched_at, v.run_id, v.words_added, v.words_removed,
       coalesce(v.words_added, 0) + coalesce(v.words_removed, 0) AS words_changed
FROM article_versions v JOIN articles a ON a.url = v.url
WHERE v.version > 1
ORDER BY night DESC, words_changed DESC, v.url""",
    "removed_articles": """
-- Pages the site no longer serves (404/410 or its not-found page on a
-- re-check); their archived body and versions are kept.
SELECT url, title, published_date, category, removed_at, checked_at, version
FROM articles WHERE removed_at IS NOT NULL
ORDER BY removed_at DESC, url""",
}


def apply_schema(db) -> None:
    """Migration step: the rechecks table, the new columns and the views.
    Idempotent, like every step."""
    db["rechecks"].create(RECHECK_COLUMNS, pk="id", if_not_exists=True)
    db["rechecks"].create_index(["run_id"], if_not_exists=True)
    db["rechecks"].create_index(["url", "checked_at"], if_not_exists=True)
    for name, columns in (("articles", NEW_ARTICLE_COLUMNS), ("crawl_runs", NEW_RUN_COLUMNS),
                          ("article_versions", NEW_VERSION_COLUMNS)):
        have = db[name].columns_dict
        for col, kind in columns.items():
            if col not in have:
                db[name].add_column(col, kind)
    db["articles"].create_index(["checked_at"], if_not_exists=True)
    for view, sql in VIEWS.items():
        db.execute(f"DROP VIEW IF EXISTS {view}")
        db.execute(f"CREATE VIEW {view} AS{sql}")


def run_counts(db, run_id: int) -> dict:
    row = db.execute(
        "select count(*), sum(outcome = 'changed'), sum(outcome = 'removed') "
        "from rechecks where run_id = ?", [run_id]).fetchone()
    return {"rechecked": row[0] or 0, "rechecked_changed": row[1] or 0, "removed": row[2] or 0}


def record(db, *, url: str, run_id: int | None, checked_at: str, status: int | None,
           outcome: str, detail: str | None = None) -> None:
    """One re-check row, and the page's ``checked_at``. Call inside the
    caller's transaction."""
    db["rechecks"].insert({"run_id": run_id, "url": url, "checked_at": checked_at,
                           "http_status": status, "outcome": outcome, "detail": detail})
    db.execute("update articles set checked_at = ? where url = ?", [checked_at, url])


def rolling_targets(db, every_days: float, now: datetime | None = None) -> list[dict]:
    """The pages to re-check tonight so that each is re-checked at least once
    every ``every_days``: every page whose last check (or fetch) is older than
    that, and at least 1/every_days of the archive, least recently checked
    first. A night missed is made up by the overdue rule; otherwise the load
    is the same each night (a 2,000-page archive and 7 days: 286 requests).
    Removed pages come first, so that one the site serves again is noticed
    the next night (a listing never leads to it: it is archived already)."""
    if not every_days or every_days <= 0:
        return []
    now = now or datetime.now(timezone.utc)
    cutoff = (now - timedelta(days=every_days)).isoformat(timespec="seconds")
    total = db.execute("select count(*) from articles").fetchone()[0]
    quota = math.ceil(total / every_days) if total else 0
    rows = db.execute(
        "select url, etag, last_modified, coalesce(checked_at, fetched_at, '') as last "
        "from articles order by removed_at is null, last, url").fetchall()
    out = []
    for i, (url, etag, last_modified, last) in enumerate(rows):
        if i >= quota and last >= cutoff:
            continue  # a removed page checked recently, before older live ones
        out.append({"url": url, "etag": etag, "last_modified": last_modified})
    return out


def not_rechecked(db, every_days: float, now: datetime | None = None) -> int:
    """Pages whose last check is older than ``every_days``: behind schedule."""
    now = now or datetime.now(timezone.utc)
    cutoff = (now - timedelta(days=every_days)).isoformat(timespec="seconds")
    return db.execute("select count(*) from articles where coalesce(checked_at, fetched_at, '') < ?",
                      [cutoff]).fetchone()[0]


def merge_targets(*lists: list[dict]) -> list[dict]:
    """Several target lists as one, each URL once (the first list's entry wins)."""
    seen, out = set(), []
    for targets in lists:
        for target in targets:
            if target["url"] not in seen:
                seen.add(target["url"])
                out.append(target)
    return out
