"""The SQLite archive: schema (as migrations), the writer, and the read-only opener.

- ``Archive(path)``: the writer used by crawls and reparse; opening it runs
  the migrations the file still needs.
- ``open_readonly(path)``: a read-only ``sqlite_utils.Database`` for the
  analysts' commands; raises ``ArchiveUnreadable`` with one sentence.
- ``upgrade(path)``: bring an older archive up to date, as its writer.
- ``RunLock``: one writer per archive.

Nothing here imports scraper.analyst: the analysts read what storage writes.
"""
from __future__ import annotations

from .errors import ArchiveUnreadable
from .lock import ArchiveLocked, RunLock
from .migrations import CURRENT_VERSION, migrate, schema_version
from .opening import open_readonly, upgrade
from .store import CONTENT_FIELDS, Archive, content_hash, utc_now
from .tables import ARTICLE_COLUMNS, CAPTURE_COLUMNS, RUN_COLUMNS

__all__ = [
    "ARTICLE_COLUMNS", "Archive", "ArchiveLocked", "ArchiveUnreadable", "CAPTURE_COLUMNS",
    "CONTENT_FIELDS", "CURRENT_VERSION", "RUN_COLUMNS", "RunLock", "content_hash", "migrate",
    "open_readonly", "schema_version", "upgrade", "utc_now",
]
