"""Stores items in the SQLite archive: fetched articles and recorded failures.

The run itself (lock, `crawl_runs` row, verdict) is `scraper.run.RunLifecycle`'s.
"""
from __future__ import annotations

import logging

from scraper.items import DiscoveredUrls, FetchedArticle, FetchFailure, NotModified
from scraper.policy import is_gone
from scraper.run import current_run_id

from pipelines.base import ArchiveWriterPipeline

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 25  # a log line every this many stored pages


class ArchivePipeline(ArchiveWriterPipeline):
    def __init__(self, crawler, path: str):
        super().__init__(crawler, path)
        self.counts = {"new": 0, "updated": 0, "unchanged": 0, "failures": 0}

    def process_item(self, item):
        run_id = current_run_id(self.crawler)
        if isinstance(item, FetchedArticle):
            why = self.archive.degrades(item.article)
            if why:
                item = FetchFailure(url=item.article.url, status=item.status, error=why,
                                    failed_at=item.fetched_at, rule="degraded")
        if isinstance(item, FetchedArticle):
            # One transaction: on an error nothing of the article is written
            # (the response is in the WARC), and Scrapy's item_error tells the run.
            outcome = self.archive.save_article(item, run_id)
            self.counts[outcome] += 1
            stored = self.counts["new"] + self.counts["updated"] + self.counts["unchanged"]
            if stored % PROGRESS_EVERY == 0:
                logger.info("archived %d pages (%d new, %d updated), %d failures",
                            stored, self.counts["new"], self.counts["updated"], self.counts["failures"])
        elif isinstance(item, DiscoveredUrls):
            self.archive.record_discovered(item, run_id)
        elif isinstance(item, NotModified):
            self.archive.record_not_modified(item.url, run_id, item.checked_at)
        elif isinstance(item, FetchFailure) and is_gone(item.rule, item.status) \
                and self.archive.record_removal(item, run_id):
            # An archived page the site removed: dated, kept, not a failure.
            logger.warning("removed from the site: %s (%s)", item.url, item.error)
        elif isinstance(item, FetchFailure):
            self.archive.record_failure(item, run_id)
            self.counts["failures"] += 1
            logger.warning("failed: %s (%s)", item.url, item.error)
        return item
