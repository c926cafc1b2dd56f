"""One writer per archive: an exclusive flock on ``<db>.lock``."""
from __future__ import annotations

import fcntl
import os
from datetime import datetime, timezone
from pathlib import Path


class ArchiveLocked(RuntimeError):
    pass


class RunLock:
    """One crawl at a time per archive: an exclusive flock on `<db>.lock`.
    The kernel drops it when the process dies, so a killed run never leaves
    a stale lock behind."""

    def __init__(self, db_path: str | Path):
        self.path = Path(str(db_path) + ".lock")
        self.fh = None

    def acquire(self) -> "RunLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fh = open(self.path, "a+")
        try:
            fcntl.flock(self.fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.fh.seek(0)
            holder = self.fh.read().strip() or "another process"
            self.fh.close()
            self.fh = None
            raise ArchiveLocked(
                f"{self.path.with_suffix('')} is being written by {holder}; "
                "wait for that run to finish (only one crawl per archive at a time)")
        self.fh.seek(0)
        self.fh.truncate()
        since = datetime.now(timezone.utc).isoformat(timespec="seconds")
        self.fh.write(f"pid {os.getpid()} since {since}\n")
        self.fh.flush()
        return self

    def release(self) -> None:
        if self.fh:
            self.fh.close()
            self.fh = None
