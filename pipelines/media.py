"""Stores the fetches of article files (scraper.media.MediaFetch) in the archive."""
from __future__ import annotations

import logging

from scrapy.exceptions import NotConfigured

from scraper.archive import Archive
from scraper.archive import media as media_store
from scraper.media import OK, MediaFetch
from scraper.run import current_run_id

logger = logging.getLogger(__name__)


class MediaPipeline:
    def __init__(self, crawler, path: str):
        self.crawler = crawler
        self.path = path
        self.archive: Archive | None = None

    @classmethod
    def from_crawler(cls, crawler):
        path = crawler.settings.get("ARCHIVE_DB")
        if not path:
            raise NotConfigured("set ARCHIVE_DB to the SQLite file of the archive")
        return cls(crawler, path)

    def open_spider(self):
        self.archive = Archive(self.path)

    def close_spider(self):
        if self.archive is not None:
            self.archive.close()

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
