"""Opening an archive file for reading only, and upgrading one in place.

Readers (search, export, report, browse) never write: they open the file
with a read-only SQLite URI and refuse, with one sentence, anything that is
not an archive of the schema this code reads. An archive of an older schema
is brought up to date by ``upgrade`` (``python -m scraper upgrade``) or by
the next crawl, both of which open it as writer.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import quote

import sqlite_utils

from .errors import ArchiveUnreadable
from .migrations import CURRENT_VERSION, schema_version, too_new


def _connect_readonly(path: Path) -> sqlite_utils.Database:
    """A read-only connection to ``path``, checked to be an archive; its
    version is left to the caller."""
    if not path.exists():
        raise ArchiveUnreadable(f"no archive at {path}: crawl first (python -m scraper crawl --db {path})")
    if path.is_dir():
        raise ArchiveUnreadable(f"{path} is a directory, not an archive file")
    uri = "file:" + quote(str(path.resolve())) + "?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as err:
        raise ArchiveUnreadable(f"cannot open {path}: {err}") from None
    db = sqlite_utils.Database(conn)
    try:
        db.execute("PRAGMA busy_timeout=10000")
        is_archive = db.execute(
            "select 1 from sqlite_master where type = 'table' and name = 'articles'").fetchone()
    except sqlite3.DatabaseError:
        db.close()
        raise ArchiveUnreadable(f"{path} is not an archive: it is not an SQLite database") from None
    if not is_archive:
        db.close()
        raise ArchiveUnreadable(f"{path} is an SQLite database but not an archive (it has no articles table)")
    return db


def open_readonly(path: str | Path) -> sqlite_utils.Database:
    """The archive at ``path``, opened read-only (``file:...?mode=ro``).

    Raises ArchiveUnreadable when the file is missing, a directory, not
    SQLite, not an archive, or of another schema version than this code's.
    The caller closes the database.
    """
    path = Path(path)
    db = _connect_readonly(path)
    found = schema_version(db)
    if found == CURRENT_VERSION:
        return db
    db.close()
    if found > CURRENT_VERSION:
        raise ArchiveUnreadable(too_new(path, found))
    raise ArchiveUnreadable(
        f"{path} was written by an older version of this archiver; run "
        f"`python -m scraper upgrade --db {path}` once to bring it up to date")


def upgrade(path: str | Path) -> tuple[int, int]:
    """Bring the archive at ``path`` to the current schema, as its writer;
    returns (version before, version after), equal when nothing was due.

    Refuses what open_readonly refuses, except an older version. Take the
    run lock (RunLock) first when a crawl might be writing.
    """
    from .store import Archive

    path = Path(path)
    db = _connect_readonly(path)
    try:
        found = schema_version(db)
    finally:
        db.close()
    if found > CURRENT_VERSION:
        raise ArchiveUnreadable(too_new(path, found))
    Archive(path).close()
    return found, CURRENT_VERSION
