"""Stores the fetches of article files (scraper.media.MediaFetch) in the archive."""
from __future__ import annotations

import logging

from scraper.archive import media as media_store
from scraper.media import OK, MediaFetch
from scraper.run import current_run_id

from pipelines.base import ArchiveWriterPipeline

logger = logging.getLogger(__name__)


class MediaPipeline(ArchiveWriterPipeline):
    def process_item(self, item):
        if not isinstance(item, MediaFetch):
            return item
        media_store.record(self.archive.db, item, current_run_id(self.crawler))
        self.crawler.stats.inc_value(f"archiver/media/{item.status}")
        if item.status != OK:
            # Recorded in media_files, not in failures: a missing photo never
            # fails its article or the run; the next run tries it again.
            logger.warning("file not held: %s (%s: %s)", item.url, item.status, item.error)
        return item
