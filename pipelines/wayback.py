"""Stores which web-archive captures an import has read (`ImportedCapture`),
after the archive pipeline stored what they held."""
from __future__ import annotations

from scraper.items import ImportedCapture
from scraper.run import current_run_id

from pipelines.base import ArchiveWriterPipeline


class ImportedCapturePipeline(ArchiveWriterPipeline):
    def process_item(self, item):
        if isinstance(item, ImportedCapture):
            self.archive.record_import(item, current_run_id(self.crawler))
        return item
