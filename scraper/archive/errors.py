"""Why an archive file cannot be opened; each message is one sentence for the user."""
from __future__ import annotations


class ArchiveUnreadable(Exception):
    """The file is missing, not an archive, or of a schema version this code
    cannot read as it is."""
