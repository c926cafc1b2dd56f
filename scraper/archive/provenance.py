"""Where each archived row and version came from: the live site, or a web
archive's capture (issue 10, the `wayback` import), and which captures an
import has already taken in.

- `articles` and `article_versions` gain `origin` ("live", or the replay
  prefix of the web archive, e.g. "https://web.archive.org/web/"),
  `capture_timestamp` (the archive's 14-digit timestamp) and `replay_url`
  (the URL the capture was fetched from). Rows written before this step were
  all fetched live and say so.
- `captures` (the WARC index) gains `replay_url`: its `url` stays the
  original URL, as in the WARC record's WARC-Target-URI.
- `imported_captures`: one row per capture an import has read through the
  policy (archived, a listing, a recorded failure), so that a killed import
  resumes where it stopped and a rerun fetches only captures it has not
  taken in yet.
"""
from __future__ import annotations

import re

import sqlite_utils

from .versions import STORED

PROVENANCE_COLUMNS = {"origin": str, "capture_timestamp": str, "replay_url": str}
IMPORTED_CAPTURE_COLUMNS = {
    "origin": str, "url": str, "timestamp": str, "digest": str, "status": int,
    "outcome": str, "run_id": int, "imported_at": str,
}
LIVE = "live"


def apply_schema(db: sqlite_utils.Database) -> None:
    for table in ("articles", "article_versions"):
        have = db[table].columns_dict
        for col, kind in PROVENANCE_COLUMNS.items():
            if col not in have:
                db[table].add_column(col, kind)
        db.execute(f"update [{table}] set origin = ? where origin is null", [LIVE])
    if "replay_url" not in db["captures"].columns_dict:
        db["captures"].add_column("replay_url", str)
    db["imported_captures"].create(IMPORTED_CAPTURE_COLUMNS, pk=("origin", "url", "timestamp"),
                                   if_not_exists=True)
    db["imported_captures"].create_index(["origin", "url", "digest"], if_not_exists=True)


def columns(fetched) -> dict:
    """The provenance columns of a row or version written from `fetched`
    (a `scraper.items.FetchedArticle`)."""
    return {"origin": fetched.origin or LIVE, "capture_timestamp": fetched.capture_timestamp,
            "replay_url": fetched.replay_url}


def save_older(db: sqlite_utils.Database, fetched, digest: str, old: dict,
               run_id: int | None) -> str:
    """A fetch older than the archived row (a web archive's capture imported
    after a live crawl, or a capture fetched late): its content, if new,
    becomes a version in time order; the row keeps the newest content. Runs
    inside the caller's transaction; returns the run outcome."""
    import json
    from dataclasses import asdict

    art, at = fetched.article, fetched.fetched_at
    url = art.url
    first_seen = min(old["first_seen_at"] or at, at)
    held = {r[0] for r in db.execute(
        f"select content_hash from {STORED} where url = ?", [url])}
    if digest in held:
        outcome = "unchanged"
    else:
        outcome = "updated"
        top = db.execute(f"select coalesce(max(version), 0) from {STORED} where url = ?",
                         [url]).fetchone()[0]
        # Not the current content: its record is kept whole (archive/versions.py).
        db[STORED].insert({
            "url": url, "version": top + 1, "content_hash": digest, "fetched_at": at,
            "run_id": run_id, "record_json": json.dumps(asdict(art), ensure_ascii=False),
            **columns(fetched)}, pk=("url", "version"), alter=False)
        # Number the versions again by fetch time: 1 is the oldest content.
        order = [r[0] for r in db.execute(
            f"select version from {STORED} where url = ? order by fetched_at, version",
            [url])]
        db.execute(f"update {STORED} set version = -version where url = ?", [url])
        for number, was in enumerate(order, start=1):
            db.execute(f"update {STORED} set version = ? where url = ? and version = ?",
                       [number, url, -was])
        # The row's version: the one whose record is the row itself (NULL),
        # else, in an archive whose copy was kept, the newest of its content.
        newest = db.execute(f"select version from {STORED} where url = ? "
                            "and (record_json is null or content_hash = ?) "
                            "order by record_json is null desc, version desc limit 1",
                            [url, old["content_hash"]]).fetchone()
        db.execute("update articles set version = ? where url = ?",
                   [newest[0] if newest else len(order), url])
    db.execute("update articles set first_seen_at = ? where url = ?", [first_seen, url])
    if run_id is not None:
        db["run_outcomes"].insert({"run_id": run_id, "url": url, "outcome": outcome},
                                  pk=("run_id", "url"), replace=True)
    return outcome


_REPLAY = re.compile(r"^(?P<origin>.+/)(?P<timestamp>\d{14})(?:[a-z]{2}_)?/")


def of_capture(capture: dict) -> dict:
    """The provenance of an indexed capture (a `captures` row): a web
    archive's replay, by its `replay_url`, or a live fetch."""
    match = _REPLAY.match(capture.get("replay_url") or "")
    if not match:
        return {"origin": LIVE, "capture_timestamp": None, "replay_url": None}
    return {"origin": match["origin"], "capture_timestamp": match["timestamp"],
            "replay_url": capture["replay_url"]}
