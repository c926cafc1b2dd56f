"""Full-text index of the archive, kept in sync by Archive.save_article."""
from __future__ import annotations


def ensure(db) -> None:
    """Create the search tables/views if missing (called on every open)."""


def index(db, url: str) -> None:
    """(Re)index one article after it was written (inside the write transaction)."""
