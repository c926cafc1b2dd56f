"""Fetching the files of articles (photos, attachments) through Scrapy.

Our own request path, not Scrapy's FilesPipeline/ImagesPipeline: those
issue their downloads from an item pipeline, keep their own store (files
named by a hash of the URL, an expiry by file age), and judge nothing of the
bytes. Here a file is an ordinary request of the spider, so it passes the
same downloader middlewares as a page (robots.txt, politeness delay, size
caps, redirect guard) and goes into the WARC like any response; the archive
(``media_files``) is the one record of what is held, by the sha256 of the
bytes served; and ``scraper.media.judge`` refuses an HTML page served for a
photo. The spider calls three methods: ``pending()`` at start,
``requests_for(article)`` after each article, and nothing else.

``MediaBudgetMiddleware`` stops file requests once the run's byte budget is
spent; the files left are recorded as ``over_budget`` and fetched next run.
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path

import scrapy
from scrapy import signals
from scrapy.exceptions import StopDownload
from scrapy.spidermiddlewares.httperror import HttpError

from . import media_spool
from .archive import Archive
from .archive import media as media_store
from .items import Article
from .media import (HTTP_ERROR, NETWORK, OFFSITE, OK, OVER_BUDGET, TOO_LARGE, MediaFetch, fetchable,
                    judge, wanted)
from .capture import warc_dir_for
from .middlewares import RecordedSkip, ResponseTooLarge

logger = logging.getLogger(__name__)

# Between articles and navigation (spiders/congdoanbackan.py): a file waits
# until the articles already queued are read, so a killed run loses files
# (fetched next run) before articles, but comes before the next listing page,
# so files never pile up: below every page, the photos of a whole site waited
# in memory until the last listing was read.
MEDIA_PRIORITY = 1
# What judge() reads of a file: its signature, or the start of an HTML page.
HEAD_BYTES = 1024


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class MediaOverBudget(RecordedSkip):
    reason = "over_budget"


class MediaFetcher:
    """The spider's file requests: once per distinct URL, never for a file held."""

    def __init__(self, *, enabled: bool, max_bytes: int, site_host: str,
                 held: set[str] | None = None, pending: list[tuple[str, str]] | None = None,
                 spool_dir: Path | None = None):
        self.enabled = enabled
        self.max_bytes = max_bytes
        self.site_host = site_host
        self.spool_dir = spool_dir  # bodies written here as they arrive (scraper.media_spool)
        self.seen: set[str] = set(held or ())
        self._pending = pending or []

    @classmethod
    def for_spider(cls, spider, crawler) -> "MediaFetcher":
        settings = crawler.settings
        enabled = settings.getbool("ARCHIVER_MEDIA", True)
        fetcher = cls(enabled=enabled, max_bytes=settings.getint("ARCHIVER_MEDIA_MAX_BYTES"),
                      site_host=spider.site_host)
        db_path = settings.get("ARCHIVE_DB")
        if enabled and db_path:
            # Beside the archive's WARC files; emptied when the run opens and
            # closes (one run at a time per archive: the run lock).
            fetcher.spool_dir = warc_dir_for(db_path) / "spool"
            media_spool.install()
            crawler.signals.connect(fetcher.clear_spool, signal=signals.spider_opened)
            crawler.signals.connect(fetcher.clear_spool, signal=signals.spider_closed)
            archive = Archive(db_path)
            try:
                fetcher.seen = media_store.held(archive.db)
                fetcher._pending = media_store.to_fetch(
                    archive.db, settings.getint("ARCHIVER_RETRY_FAILED_RUNS", 5))
            finally:
                archive.close()
        return fetcher

    def pending(self):
        """Files of archived articles not held yet: failed before (tried
        again like a failed page), never tried, or left by a spent budget."""
        for url, role in self._pending:
            yield from self._request(url, role)

    def requests_for(self, article: Article):
        if not self.enabled:
            return
        for ref in wanted(article):
            yield from self._request(ref.url, ref.role)

    def _request(self, url: str, role: str):
        if not self.enabled or url in self.seen:
            return
        self.seen.add(url)
        if not fetchable(url, self.site_host):
            # Recorded, not dropped: the archive says which files it lacks and why.
            yield MediaFetch(url=url, role=role, status=OFFSITE, fetched_at=_now(),
                             error="on another host: not fetched (the crawl stays on the site's host)")
            return
        meta = {"archiver_media": role, "download_maxsize": self.max_bytes}
        if self.spool_dir is not None:
            meta[media_spool.SPOOL_DIR] = str(self.spool_dir)
        # identity: a compressed body would have to be inflated in memory.
        yield scrapy.Request(url, callback=self.parse, errback=self.on_error,
                             priority=MEDIA_PRIORITY, headers={"Accept-Encoding": "identity"},
                             meta=meta)

    def clear_spool(self, spider=None) -> None:
        if self.spool_dir is not None and self.spool_dir.is_dir():
            for leftover in self.spool_dir.iterdir():
                leftover.unlink(missing_ok=True)

    # ------------------------------------------------------- callbacks
    def parse(self, response):
        role = response.meta["archiver_media"]
        url = response.request.meta.get("redirect_urls", [response.url])[0]
        declared = (response.headers.get("Content-Type") or b"").decode("latin-1") or None
        # Read in chunks from disk (or memory): the WARC record is written already.
        head, sha256, size = media_spool.head_and_sha256(response, HEAD_BYTES)
        media_spool.discard(response)
        verdict = judge(head, role, response.url, declared)
        held = verdict.status == OK
        yield MediaFetch(
            url=url, role=role, status=verdict.status, fetched_at=_now(),
            http_status=response.status, size=size, sha256=sha256 if held else None,
            content_type=verdict.content_type, extension=verdict.extension,
            error=verdict.error, warc_at=response.meta.get("archiver_payload_at") if held else None)

    def on_error(self, failure):
        request = failure.request
        url = request.meta.get("redirect_urls", [request.url])[0]
        status = http_status = None
        if failure.check(HttpError):
            http_status = failure.value.response.status
            media_spool.discard(failure.value.response)
            status, error = HTTP_ERROR, f"HTTP {http_status}"
        elif failure.check(MediaOverBudget):
            status, error = OVER_BUDGET, str(failure.value)
        elif failure.check(StopDownload):  # only MediaBudgetMiddleware stops a file's download
            status, error = OVER_BUDGET, "the run's file budget was spent before this file's body"
        elif failure.check(ResponseTooLarge):
            status, error = TOO_LARGE, str(failure.value)
            http_status = failure.value.status
        elif failure.check(RecordedSkip):
            status, error = HTTP_ERROR, str(failure.value)
            http_status = failure.value.status
        elif failure.check(scrapy.exceptions.IgnoreRequest):
            return  # robots.txt: policy, not a failure
        else:
            status, error = NETWORK, f"{type(failure.value).__name__}: {failure.value}"
        yield MediaFetch(url=url, role=request.meta["archiver_media"], status=status,
                         fetched_at=_now(), http_status=http_status, error=error[:500])


class MediaBudgetMiddleware:
    """Downloader middleware: file requests stop once ARCHIVER_MEDIA_BUDGET
    bytes of files were received in this run. The budget can be passed by
    at most the files in flight, each under ARCHIVER_MEDIA_MAX_BYTES.

    Scrapy runs ``process_request`` before a request waits for its slot, so
    a request queued while the budget lasted is checked again when its
    headers arrive, and its body is not downloaded if the budget is spent."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.budget = crawler.settings.getint("ARCHIVER_MEDIA_BUDGET")
        self.spent = 0
        crawler.signals.connect(self.headers_received, signal=signals.headers_received)

    def _spent(self) -> bool:
        return bool(self.budget) and self.spent >= self.budget

    def headers_received(self, headers, body_length, request, spider=None):
        if request.meta.get("archiver_media") and self._spent():
            raise StopDownload(fail=True)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request):
        if request.meta.get("archiver_media") and self._spent():
            raise MediaOverBudget(f"the run's file budget ({self.budget} B) is spent; "
                                  "fetched by the next run")
        return None

    def process_response(self, request, response):
        if request.meta.get("archiver_media"):
            size = media_spool.body_size(response)
            self.spent += size
            self.crawler.stats.inc_value("archiver/media/bytes", size)
            self.crawler.stats.inc_value("archiver/media/responses")
        return response
