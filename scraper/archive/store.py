"""The archive's writer: the writes and the few queries the crawler needs.

Written through sqlite-utils, WAL mode. Every write is its own short
transaction so that a killed run loses nothing already fetched; with WAL and
synchronous=NORMAL a commit costs no fsync, so this stays cheap. Opening one
brings the file's schema up to date (``migrations``); readers use
``scraper.archive.open_readonly`` instead.
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils

from ..items import Article, DiscoveredUrls, FetchedArticle, FetchFailure
from . import discovered, media, provenance, rechecks, search_index, versions
from ..history import word_change
from .migrations import migrate, schema_version
from .tables import ARTICLE_COLUMNS

# Fields whose change makes a new version (fetch metadata does not).
CONTENT_FIELDS = ("title", "published_at", "published_precision", "dateline", "author",
                  "author_line", "source", "category", "description", "body_text", "body_html",
                  "kind")


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def content_hash(article: Article) -> str:
    payload = {k: getattr(article, k) for k in CONTENT_FIELDS}
    payload["images"] = [(i.url, i.caption, i.alt) for i in article.images]
    payload["attachments"] = [(a.url, a.text, a.kind) for a in article.attachments]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


class Archive:
    """A handle on one archive file, for writing. Opening it runs the
    migrations the file still needs (``self.migrated`` lists them); an
    up-to-date file is not written to by the open."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite_utils.Database(self.path)
        try:
            self.db.execute("PRAGMA busy_timeout=10000")
            self.migrated = migrate(self.db, self.path)
            self.db.enable_wal()
            self.db.execute("PRAGMA synchronous=NORMAL")
        except BaseException:
            self.db.close()
            raise

    def close(self) -> None:
        self.db.close()

    @property
    def schema_version(self) -> int:
        return schema_version(self.db)

    # ------------------------------------------------------- search index
    def rebuild_search_index(self) -> int:
        """Empty the full-text index and index every article again (e.g.
        after a VACUUM or rows written by another tool); returns how many."""
        with self.db.atomic():
            return search_index.rebuild(self.db)

    def sync_search_index(self) -> tuple[int, int]:
        """Repair the index where it differs from ``articles``; returns
        (entries removed, articles indexed)."""
        with self.db.atomic():
            return search_index.sync(self.db)

    # ------------------------------------------------------------- runs
    def start_run(self, base_url: str, mode: str, settings: dict | None = None) -> int:
        with self.db.atomic():
            table = self.db["crawl_runs"].insert({
                "started_at": utc_now(), "base_url": base_url, "mode": mode,
                "pages_fetched": 0, "articles_new": 0, "articles_updated": 0,
                "articles_unchanged": 0, "failures": 0, "status": "running",
                "settings_json": json.dumps(settings or {}, ensure_ascii=False, default=str),
            })
        return table.last_pk

    def finish_run(self, run_id: int, *, pages_fetched: int, exit_status: int,
                   status: str, message: str = "", not_modified: int = 0,
                   links: dict[str, int] | None = None) -> dict:
        """Close the run's row. `links` counts the links seen by outcome
        (scraper/ledger.py), 'unaccounted' among them when any."""
        counts = self.run_counts(run_id)
        counts["not_modified"] = not_modified
        if links is not None:
            counts["links_seen"] = sum(links.values())
            counts["links_unaccounted"] = links.get("unaccounted", 0)
            counts["link_outcomes_json"] = json.dumps(links, sort_keys=True)
        with self.db.atomic():
            self.db["crawl_runs"].update(run_id, {
                "finished_at": utc_now(), "pages_fetched": pages_fetched,
                "exit_status": exit_status, "status": status, "message": message, **counts,
            })
        return self.db["crawl_runs"].get(run_id)

    def run_counts(self, run_id: int) -> dict:
        row = self.db.execute(
            "select sum(outcome = 'new'), sum(outcome = 'updated'), sum(outcome = 'unchanged') "
            "from run_outcomes where run_id = ?", [run_id],
        ).fetchone()
        failures = self.db.execute(
            "select count(*) from failures where run_id = ?", [run_id]).fetchone()[0]
        return {"articles_new": row[0] or 0, "articles_updated": row[1] or 0,
                "articles_unchanged": row[2] or 0, "failures": failures,
                **rechecks.run_counts(self.db, run_id)}

    # ----------------------------------------------------------- writes
    def save_article(self, fetched: FetchedArticle, run_id: int | None = None,
                     store_raw: bool = True) -> str:
        """Store one fetched article; returns 'new', 'updated' or 'unchanged'."""
        art = fetched.article
        digest = content_hash(art)
        now = fetched.fetched_at or utc_now()
        with self.db.atomic():
            if store_raw:
                self._store_raw(fetched)
            old = self._row(art.url)
            if old is not None and not art.category and old["category"]:
                # The category came from a listing on an earlier fetch; a page
                # reached another way (revalidation) does not lose it.
                art.category = old["category"]
                digest = content_hash(art)
            if old is not None and now < (old["fetched_at"] or now):
                # A web archive's capture older than the row: a version in
                # time order, the row keeps the newest content.
                return provenance.save_older(self.db, fetched, digest, old, run_id)
            if old is None:
                outcome, version = "new", 1
            elif old["content_hash"] != digest:
                # After the highest version held, not the row's: an older
                # capture imported later may be numbered after the row's
                # version, and must not be replaced.
                outcome, version = "updated", 1 + max(old["version"] or 1, self.db.execute(
                    f"select coalesce(max(version), 0) from {versions.STORED} where url = ?",
                    [art.url]).fetchone()[0])
            else:
                outcome, version = "unchanged", old["version"]
            row = {k: getattr(art, k) for k in ARTICLE_COLUMNS if hasattr(art, k)}
            row.update({
                "is_undated": int(art.published_at is None),
                "image_count": len(art.images), "attachment_count": len(art.attachments),
                "content_hash": digest, "version": version,
                "request_url": fetched.request_url, "final_url": fetched.final_url,
                "http_status": fetched.status, "fetched_at": now,
                "etag": fetched.headers.get("etag"),
                "last_modified": fetched.headers.get("last-modified"),
                "first_seen_at": old["first_seen_at"] if old else now,
                "updated_at": now if outcome != "unchanged" else old["updated_at"],
                "run_id": run_id, "removed_at": None, "checked_at": now,
                **provenance.columns(fetched),
            })
            if outcome == "updated":
                # The content about to be replaced moves into its version row
                # (before the row and its images change).
                versions.keep_superseded(self.db, art.url)
            # An upsert, not INSERT OR REPLACE: the latter deletes the row and gives it a
            # new rowid on every re-fetch, and the search index (articles_fts) is keyed
            # by articles.rowid so that Datasette can join it.
            _upsert(self.db, "articles", row, key=("url",))
            if outcome != "unchanged":
                self._replace_children(art)
                search_index.index(self.db, art.url,
                                   previous=(old["title"], old["body_text"]) if old else None)
                added, removed = word_change(old["body_text"] if old else None, art.body_text)
                # No record: the current version's content is the row just
                # written (the article_versions view reads it from there).
                _insert(self.db, versions.STORED, [{
                    "url": art.url, "version": version, "content_hash": digest,
                    "fetched_at": now, "run_id": run_id, "record_json": None,
                    "words_added": added, "words_removed": removed,
                    **provenance.columns(fetched),
                }], replace=True)
            if old is not None and run_id is not None:
                # A crawl's fetch of a page already held is a re-check of it.
                rechecks.record(self.db, url=art.url, run_id=run_id, checked_at=now,
                                status=fetched.status, outcome=(
                                    "restored" if old.get("removed_at") else
                                    "changed" if outcome == "updated" else "unchanged"))
            if run_id is not None:
                _insert(self.db, "run_outcomes",
                        [{"run_id": run_id, "url": art.url, "outcome": outcome}], replace=True)
        return outcome

    def _row(self, url: str) -> dict | None:
        rows = list(self.db.query("select * from articles where url = ?", [url]))
        return rows[0] if rows else None

    def _replace_children(self, art: Article) -> None:
        self.db.execute("delete from images where article_url = ?", [art.url])
        self.db.execute("delete from attachments where article_url = ?", [art.url])
        _insert(self.db, "images",
                [{"article_url": art.url, "position": i.position, "url": i.url,
                  "caption": i.caption, "alt": i.alt} for i in art.images])
        _insert(self.db, "attachments",
                [{"article_url": art.url, "position": a.position, "url": a.url,
                  "text": a.text, "kind": a.kind} for a in art.attachments])
        # Files fetched before (held or failed) keep their sha256 and status.
        media.fill_children(self.db, art.url)

    def _store_raw(self, fetched: FetchedArticle) -> None:
        """Record every distinct raw page ever fetched (its sha256, when, how
        often); a repeat bumps its count. The bytes themselves are kept once,
        in the WARC (`captures` finds them): `html_gz` stays empty, where
        archives made before held a second, gzipped copy."""
        sha = hashlib.sha256(fetched.raw_html).hexdigest()
        url = fetched.article.url
        cur = self.db.execute(
            "update raw_pages set last_fetched_at = ?, fetch_count = fetch_count + 1 "
            "where url = ? and sha256 = ?", [fetched.fetched_at, url, sha])
        if cur.rowcount == 0:
            _insert(self.db, "raw_pages", [{
                "url": url, "final_url": fetched.final_url, "http_status": fetched.status,
                "fetched_at": fetched.fetched_at, "last_fetched_at": fetched.fetched_at,
                "fetch_count": 1, "sha256": sha, "encoding": fetched.encoding,
                "content_type": fetched.headers.get("content-type"),
            }])

    def record_not_modified(self, url: str, run_id: int | None, checked_at: str) -> None:
        """A 304 answer to a re-check: the archived version is still current
        (and a page found gone before is served again)."""
        with self.db.atomic():
            old = self._row(url)
            back = old is not None and old.get("removed_at") is not None
            if back:
                self.db.execute("update articles set removed_at = null where url = ?", [url])
            rechecks.record(self.db, url=url, run_id=run_id, checked_at=checked_at, status=304,
                            outcome="restored" if back else "not_modified")

    def record_removal(self, failure: FetchFailure, run_id: int | None = None) -> bool:
        """A page the site answers as gone (see ``scraper.policy.is_gone``).
        For an archived page: its row, body and versions stay, ``removed_at``
        is set the first time, and True is returned (not a failure of the
        run). For any other URL: False, and the caller records a failure."""
        with self.db.atomic():
            old = self._row(failure.url)
            if old is None:
                return False
            at = failure.failed_at or utc_now()
            if old.get("removed_at") is None:
                self.db.execute("update articles set removed_at = ? where url = ?",
                                [at, failure.url])
            rechecks.record(self.db, url=failure.url, run_id=run_id, checked_at=at,
                            status=failure.status, detail=failure.error,
                            outcome="still_removed" if old.get("removed_at") else "removed")
        return True

    def record_import(self, capture, run_id: int | None = None) -> None:
        """A web-archive capture read through the policy (``ImportedCapture``)."""
        with self.db.atomic():
            self.db["imported_captures"].insert({
                "origin": capture.origin, "url": capture.url, "timestamp": capture.timestamp,
                "digest": capture.digest, "status": capture.status, "outcome": capture.outcome,
                "run_id": run_id, "imported_at": utc_now()}, replace=True)

    def imported_captures(self, origin: str) -> list[tuple[str, str, str | None]]:
        """(url, timestamp, digest) of every capture imported from `origin`."""
        return [tuple(r) for r in self.db.execute(
            "select url, timestamp, digest from imported_captures where origin = ?", [origin])]

    def record_failure(self, failure: FetchFailure, run_id: int | None = None) -> None:
        with self.db.atomic():
            self.db["failures"].insert({
                "run_id": run_id, "url": failure.url, "http_status": failure.status,
                "error": failure.error, "attempts": failure.attempts,
                "failed_at": failure.failed_at or utc_now(), "referer": failure.referer,
            })

    # ---------------------------------------------------------- queries
    def degrades(self, article: Article) -> str | None:
        """Why storing `article` would replace a dated article with a page
        that no longer looks like it (a maintenance or placeholder page), or
        None. The archived version is then kept and the fetch recorded."""
        old = self._row(article.url)
        if old is None or old["kind"] != "article" or not old["published_at"]:
            return None
        if article.published_at is None:
            return "refetch has no date any more; archived version kept"
        return None

    def known_urls(self) -> set[str]:
        return {r[0] for r in self.db.execute("select url from articles")}

    def fetched_before(self) -> set[str]:
        """Every URL an earlier run fetched successfully: archived pages and
        the 2xx responses captured (listings included). A URL that only ever
        failed is not in it, so the next run tries it again."""
        urls = self.known_urls()
        urls.update(r[0] for r in self.db.execute(
            "select distinct url from captures where http_status between 200 and 299"))
        urls.update(r[0] for r in self.db.execute("select distinct request_url from articles"))
        return urls - self.failed_urls()

    def failed_urls(self, max_runs: int | None = None) -> set[str]:
        """URLs that failed and are not archived since; with `max_runs`, only
        those that failed in fewer than that many runs (worth another try)."""
        rows = self.db.execute(
            "select f.url, count(distinct f.run_id) from failures f where not exists "
            "(select 1 from articles a where a.url = f.url or a.request_url = f.url) "
            "group by f.url")
        return {url for url, runs in rows if max_runs is None or runs < max_runs}

    def last_run_completed(self) -> bool:
        """False when the last run was killed or judged failed: the next run
        must walk every listing again to fill the gaps."""
        rows = list(self.db.query("select finished_at, status from crawl_runs order by id desc limit 1"))
        return not rows or (rows[0]["finished_at"] is not None and rows[0]["status"] == "ok")

    def revalidation_targets(self, days: float) -> list[dict]:
        """Articles published in the last `days` (by local date), with the
        validators their last fetch returned."""
        from datetime import timedelta

        from ..dates import LOCAL_TZ

        since = (datetime.now(LOCAL_TZ) - timedelta(days=days)).date().isoformat()
        return list(self.db.query(
            "select url, etag, last_modified from articles "
            "where kind = 'article' and published_date >= ? order by published_date desc",
            [since]))

    def record_discovered(self, found: DiscoveredUrls, run_id: int | None = None) -> None:
        """The URLs a sitemap, feed or listing named (archive/discovered.py)."""
        with self.db.atomic():
            discovered.record(self.db, source=found.source, found_in=found.found_in,
                              urls=found.urls, run_id=run_id, seen_at=utc_now())

    def recheck_targets(self, every_days: float) -> list[dict]:
        """The rolling re-check schedule's targets for tonight (archive/rechecks.py)."""
        return rechecks.rolling_targets(self.db, every_days)

    def article_count(self) -> int:
        return self.db["articles"].count


# Plain SQL for the writes of every stored article: sqlite-utils' insert and
# upsert introspect the table on each call, which took a third of
# save_article's time (profiled on a 1,000-article crawl). Table and column
# names are our own identifiers; every value is a parameter.
def _insert(db, table: str, rows: list[dict], replace: bool = False) -> None:
    if not rows:
        return
    columns = list(rows[0])
    statement = "INSERT OR REPLACE INTO " if replace else "INSERT INTO "
    statement += _quoted(table) + " (" + ", ".join(map(_quoted, columns)) + ") VALUES ("
    statement += ", ".join("?" for _ in columns) + ")"
    db.conn.executemany(statement, [[row[c] for c in columns] for row in rows])


def _upsert(db, table: str, row: dict, key: tuple[str, ...]) -> None:
    """Insert, or update the columns given on the row with the same key: the
    rowid stays (INSERT OR REPLACE would renumber it)."""
    columns = list(row)
    statement = ("INSERT INTO " + _quoted(table) + " (" + ", ".join(map(_quoted, columns))
                 + ") VALUES (" + ", ".join("?" for _ in columns) + ") ON CONFLICT ("
                 + ", ".join(map(_quoted, key)) + ") DO UPDATE SET "
                 + ", ".join(f"{_quoted(c)} = excluded.{_quoted(c)}" for c in columns if c not in key))
    db.conn.execute(statement, [row[c] for c in columns])


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
