"""What every pipeline that writes to the archive shares: the archive's
path from ARCHIVE_DB, and one writer connection opened and closed with the
spider."""
from __future__ import annotations

from scrapy.exceptions import NotConfigured

from scraper.archive import Archive


class ArchiveWriterPipeline:
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
