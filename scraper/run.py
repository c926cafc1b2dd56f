"""The run's lifecycle, as a Scrapy extension: lock, `crawl_runs` row, verdict.

`RunLifecycle` takes the archive's one-run lock (unless the CLI holds it
already), opens the run's row when the spider opens, gathers what the run saw
into a typed `RunState`, and once Scrapy says why the crawl finished, judges
the run (`scraper.monitor.judge_run`) and closes the row. The CLI reads the
outcome with `finished_run(crawler)`.

What it learns comes through Scrapy's signals, never through free-form stats
keys: `item_scraped` and `item_error` for what the pipelines stored, and the
two signals the spider sends, `page_read` and `start_failed`.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from scrapy import signals
from scrapy.exceptions import NotConfigured

from .archive import Archive, RunLock
from .items import FetchedArticle, FetchFailure
from .monitor import REQUIRED_FIELDS, judge_run

logger = logging.getLogger(__name__)

# Sent by the spider (signals are plain objects, as Scrapy's own are).
page_read = object()  # page_read(url, kind): an HTML page read (kind "not_modified": a 304)
start_failed = object()  # start_failed(reason: str): the start page failed or is down

# Settings recorded with each run, so a row says how polite the run was.
RECORDED_SETTINGS = ("USER_AGENT", "DOWNLOAD_DELAY", "CONCURRENT_REQUESTS", "ROBOTSTXT_OBEY",
                     "AUTOTHROTTLE_ENABLED")


@dataclass
class RunState:
    """What one run saw; filled by the signals above, judged at the end."""

    run_id: int | None = None
    pages_read: int = 0  # HTML pages read, and 304 answers to revalidation
    not_modified: int = 0  # 304 answers to revalidation
    start_failed: str | None = None  # why, when the start page failed
    unparsed_article_pages: int = 0  # pages claiming to be articles that gave none
    store_errors: int = 0  # items the archive could not write
    articles_checked: int = 0  # dated articles whose field coverage was counted
    present: dict[str, int] = field(default_factory=lambda: {f: 0 for f in REQUIRED_FIELDS})
    summary: dict | None = None  # the finished crawl_runs row

    def coverage(self) -> dict[str, float]:
        if not self.articles_checked:
            return {}
        return {name: count / self.articles_checked for name, count in self.present.items()}


class RunLifecycle:
    def __init__(self, crawler, path: str):
        self.crawler = crawler
        self.path = path
        self.state = RunState()
        self.archive: Archive | None = None
        self.lock: RunLock | None = None

    @classmethod
    def from_crawler(cls, crawler):
        path = crawler.settings.get("ARCHIVE_DB")
        if not path:
            raise NotConfigured("set ARCHIVE_DB to the SQLite file of the archive")
        ext = cls(crawler, path)
        if not crawler.settings.getbool("ARCHIVER_LOCK_HELD"):
            # `scrapy crawl` takes the same one-run-per-archive lock as the CLI
            # (which holds it already and says so with ARCHIVER_LOCK_HELD).
            ext.lock = RunLock(path).acquire()
        connect = crawler.signals.connect
        connect(ext.spider_opened, signal=signals.spider_opened)
        # spider_closed comes after the pipelines' close_spider, once Scrapy
        # knows why the crawl finished: the verdict needs both.
        connect(ext.spider_closed, signal=signals.spider_closed)
        connect(ext.item_scraped, signal=signals.item_scraped)
        connect(ext.item_error, signal=signals.item_error)
        connect(ext.page_read, signal=page_read)
        connect(ext.start_failed, signal=start_failed)
        return ext

    # ---------------------------------------------------------- signals
    def spider_opened(self, spider):
        self.archive = Archive(self.path)
        settings = {k: self.crawler.settings.get(k) for k in RECORDED_SETTINGS}
        self.state.run_id = self.archive.start_run(getattr(spider, "base_url", ""),
                                                   getattr(spider, "mode", "full"), settings)

    def page_read(self, url: str, kind: str):
        self.state.pages_read += 1
        if kind == "not_modified":
            self.state.not_modified += 1

    def start_failed(self, reason: str):
        self.state.start_failed = self.state.start_failed or reason

    def item_scraped(self, item, response, spider):
        if isinstance(item, FetchedArticle) and item.article.kind == "article":
            self.state.articles_checked += 1
            for name in REQUIRED_FIELDS:
                if getattr(item.article, name):
                    self.state.present[name] += 1
        elif isinstance(item, FetchFailure) and item.rule == "unparsed_article" and not item.known:
            # Judged once, the night it first fails; later retries are still
            # recorded but do not fail every run after.
            self.state.unparsed_article_pages += 1

    def item_error(self, item, response, spider, failure):
        # The write was rolled back whole; the response is in the WARC.
        self.state.store_errors += 1

    def spider_closed(self, spider, reason):
        state, archive = self.state, self.archive
        try:
            if archive is None or state.run_id is None:
                return
            stats = self.crawler.stats
            pages_fetched = stats.get_value("downloader/response_count", 0)
            counts = archive.run_counts(state.run_id)
            links = getattr(spider, "ledger", None)
            nothing = None
            if (links is not None and getattr(spider, "mode", None) == "full"
                    and not state.articles_checked and not state.start_failed):
                # A first or --full run must archive something; say why not.
                nothing = links.why_nothing_archived(getattr(spider, "site_host", ""))
            verdict = judge_run(
                finish_reason=reason,
                pages_fetched=pages_fetched,
                articles_seen=counts["articles_new"] + counts["articles_updated"]
                + counts["articles_unchanged"],
                failures=counts["failures"],
                store_errors=state.store_errors,
                pages_parsed=state.pages_read,
                start_failed=state.start_failed is not None,
                unaccounted_links=links.unaccounted() if links is not None else [],
                nothing_archived=nothing,
                coverage=state.coverage(),
                unparsed_article_pages=state.unparsed_article_pages,
                max_failures=self.crawler.settings.getint("ARCHIVER_MAX_FAILURES"),
                min_coverage=self.crawler.settings.getfloat("ARCHIVER_MIN_COVERAGE"),
                max_unparsed_share=self.crawler.settings.getfloat("ARCHIVER_MAX_UNPARSED_SHARE"),
                removed=counts.get("removed", 0), rechecked=counts.get("rechecked", 0),
                max_removed_share=self.crawler.settings.getfloat("ARCHIVER_MAX_REMOVED_SHARE", 1.0),
            )
            state.summary = archive.finish_run(
                state.run_id, pages_fetched=pages_fetched, exit_status=verdict.exit_status,
                status=verdict.status, message=verdict.message,
                not_modified=state.not_modified,
                links=links.counts() if links is not None else None)
            if verdict.exit_status:
                logger.error("run judged failed: %s", verdict.message)
        finally:
            if archive is not None:
                archive.close()
            if self.lock is not None:
                self.lock.release()


def finished_run(crawler) -> dict | None:
    """The finished run's `crawl_runs` row, or None when the run never opened
    (it could not start: the log says why)."""
    ext = crawler.get_extension(RunLifecycle) if crawler.extensions is not None else None
    return ext.state.summary if ext is not None else None


def current_run_id(crawler) -> int | None:
    """The id of the run in progress, for the pipelines that store its items."""
    ext = crawler.get_extension(RunLifecycle)
    return ext.state.run_id if ext is not None else None
