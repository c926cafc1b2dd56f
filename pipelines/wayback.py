"""Stores which web-archive captures an import has read (`ImportedCapture`),
after the archive pipeline stored what they held."""
from __future__ import annotations

from scrapy.exceptions import NotConfigured

from scraper.archive import Archive
from scraper.items import ImportedCapture
from scraper.run import current_run_id


class ImportedCapturePipeline:
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
        if isinstance(item, ImportedCapture):
            self.archive.record_import(item, current_run_id(self.crawler))
        return item
