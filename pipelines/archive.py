"""Stores items in the SQLite archive and keeps the run's crawl_runs row."""
from __future__ import annotations

import logging

from scrapy import signals
from scrapy.exceptions import NotConfigured

from scraper.archive import Archive, RunLock
from scraper.items import FetchedArticle, FetchFailure
from scraper.monitor import judge_run
from pipelines.validate import REQUIRED_FIELDS

logger = logging.getLogger(__name__)


class ArchivePipeline:
    def __init__(self, crawler, path: str):
        self.crawler = crawler
        self.path = path
        self.archive: Archive | None = None
        self.run_id: int | None = None
        self.lock: RunLock | None = None
        self.counts = {"new": 0, "updated": 0, "unchanged": 0, "failures": 0, "store_errors": 0}

    @classmethod
    def from_crawler(cls, crawler):
        path = crawler.settings.get("ARCHIVE_DB")
        if not path:
            raise NotConfigured("set ARCHIVE_DB to the SQLite file of the archive")
        pipeline = cls(crawler, path)
        if not crawler.settings.getbool("ARCHIVER_LOCK_HELD"):
            # `scrapy crawl` takes the same one-run-per-archive lock as the CLI
            # (which holds it already and says so with ARCHIVER_LOCK_HELD).
            pipeline.lock = RunLock(path).acquire()
        # The run is judged once Scrapy knows why it finished, which is only
        # after the pipelines' close_spider: so on the spider_closed signal.
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self):
        self.archive = Archive(self.path)
        spider = self.crawler.spider
        settings = {k: self.crawler.settings.get(k) for k in (
            "USER_AGENT", "DOWNLOAD_DELAY", "CONCURRENT_REQUESTS", "ROBOTSTXT_OBEY",
            "AUTOTHROTTLE_ENABLED")}
        self.run_id = self.archive.start_run(getattr(spider, "base_url", ""),
                                             getattr(spider, "mode", "full"), settings)
        self.crawler.stats.set_value("archiver/run_id", self.run_id)

    def process_item(self, item):
        if isinstance(item, FetchedArticle):
            why = self.archive.degrades(item.article)
            if why:
                item = FetchFailure(url=item.article.url, status=item.status, error=why,
                                    failed_at=item.fetched_at)
        if isinstance(item, FetchedArticle):
            try:
                outcome = self.archive.save_article(item, self.run_id)
            except Exception:
                # The write was rolled back whole; the response is in the WARC.
                # Counted so that the run judges itself failed, then re-raised
                # for Scrapy's log.
                self.counts["store_errors"] += 1
                raise
            self.counts[outcome] += 1
            stored = self.counts["new"] + self.counts["updated"] + self.counts["unchanged"]
            if stored % 25 == 0:
                logger.info("archived %d pages (%d new, %d updated), %d failures",
                            stored, self.counts["new"], self.counts["updated"], self.counts["failures"])
        elif isinstance(item, FetchFailure):
            self.archive.record_failure(item, self.run_id)
            self.counts["failures"] += 1
            logger.warning("failed: %s (%s)", item.url, item.error)
        return item

    def spider_closed(self, spider, reason):
        stats = self.crawler.stats
        settings = self.crawler.settings
        checked = stats.get_value("archiver/articles_checked", 0)
        coverage = {name: stats.get_value(f"archiver/coverage/{name}", 0) / checked
                    for name in REQUIRED_FIELDS} if checked else {}
        verdict = judge_run(
            finish_reason=reason,
            pages_fetched=stats.get_value("downloader/response_count", 0),
            articles_seen=self.counts["new"] + self.counts["updated"] + self.counts["unchanged"],
            failures=self.counts["failures"],
            store_errors=self.counts["store_errors"],
            pages_parsed=stats.get_value("archiver/html_pages", 0) + stats.get_value("archiver/not_modified", 0),
            start_failed=bool(stats.get_value("archiver/start_failed")),
            coverage=coverage,
            unparsed_article_pages=stats.get_value("archiver/unparsed_article_like", 0),
            max_failures=settings.getint("ARCHIVER_MAX_FAILURES"),
            min_coverage=settings.getfloat("ARCHIVER_MIN_COVERAGE"),
            max_unparsed_share=settings.getfloat("ARCHIVER_MAX_UNPARSED_SHARE"),
        )
        row = self.archive.finish_run(
            self.run_id, pages_fetched=stats.get_value("downloader/response_count", 0),
            exit_status=verdict.exit_status, status=verdict.status, message=verdict.message,
            not_modified=stats.get_value("archiver/not_modified", 0))
        stats.set_value("archiver/run", row)
        if verdict.exit_status:
            logger.error("run judged failed: %s", verdict.message)
        self.archive.close()
        if self.lock is not None:
            self.lock.release()
