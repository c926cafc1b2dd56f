"""Navigation only: what to fetch next and which pages are articles.

Field extraction lives in scraper.extract; storage in pipelines.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.spidermiddlewares.httperror import HttpError

from scraper.archive import Archive
from scraper.encoding import decode
from scraper.extract import read_page
from scraper.archive.rechecks import merge_targets
from spiders.discovery import Discovery
from scraper.items import FetchedArticle, FetchFailure, NotModified
from scraper.media_fetch import MediaFetcher
from scraper.middlewares import RecordedSkip
from scraper.reader import PageReader, usable_workers
from scraper.policy import MAX_MARKUP, Decision, FetchContext, admit, decide
from scraper import ledger
from scraper.ledger import LinkLedger
from scraper.run import page_read, start_failed
from scraper.urls import (DEFAULT_BASE_URL, host_of, is_followable, is_next_page, listing_key,
                          normalize, on_host, page_number, skip_rule)

# The queue's order (Scrapy takes the highest priority first): links in a
# page's content (articles), then the files of articles already read
# (media_fetch.MEDIA_PRIORITY), then menus and pagers. A listing's next page
# waits for the articles it names, and files no longer wait for the last
# listing page: below every page, the photos of the whole site were held in
# memory at once (peak RSS 98 -> 164 MB from 2,000 to 20,000 articles; 121 MB
# with this order, bench/bench_scale.py).
CONTENT_PRIORITY = 2
NAVIGATION_PRIORITY = 0


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _fetched_at(response) -> str:
    """The time of the response's WARC record (scraper.capture), so that the
    row and its capture agree; now, for a response that was not captured."""
    request = getattr(response, "request", None)
    return (request.meta.get("archiver_captured_at") if request is not None else None) or _now()


class CongdoanbackanSpider(scrapy.Spider):
    name = "congdoanbackan"

    def __init__(self, base_url: str = DEFAULT_BASE_URL, mode: str = "auto",
                 revalidate_days: str | float | None = None, **kwargs):
        super().__init__(**kwargs)
        self.base_url = base_url if base_url.endswith("/") or "?" in base_url else base_url + "/"
        self.site_host = host_of(self.base_url)
        self.allowed_domains = [self.site_host]
        # The site's host and the aliases its start page declares (<base href>,
        # canonical, a redirect): links to any of them are the site's.
        self.site_hosts = {self.site_host}
        self.ledger = LinkLedger()
        if mode not in ("auto", "full", "incremental", "resume"):
            raise ValueError(f"mode must be auto, full, incremental or resume, not {mode!r}")
        self.mode = mode
        self.revalidate_days = float(revalidate_days) if revalidate_days not in (None, "") else None
        self.scheduled: set[str] = set()
        self.fingerprints: set[str] = set()
        self.known_articles: set[str] = set()
        self.fetched_before: set[str] = set()
        self.failed_before: set[str] = set()
        self.retry: list[str] = []
        self.revalidation: list[dict] = []

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        # A chain of pages that bring no new content ends after this many.
        spider.max_barren = crawler.settings.getint("ARCHIVER_MAX_BARREN_CHAIN", 3)
        # A URL that failed is tried again by the next runs, up to this many.
        spider.retry_failed_runs = crawler.settings.getint("ARCHIVER_RETRY_FAILED_RUNS", 5)
        spider.max_markup = crawler.settings.getint("ARCHIVER_MAX_MARKUP", MAX_MARKUP)
        # Every archived page is re-checked at least once in this many days (0: never).
        spider.recheck_days = crawler.settings.getfloat("ARCHIVER_RECHECK_DAYS", 7)
        # Sitemaps, feeds and listings as sources of URLs (spiders/discovery.py).
        spider.discovery = Discovery(spider, crawler.settings.getbool("ARCHIVER_DISCOVERY", True))
        db_path = crawler.settings.get("ARCHIVE_DB")
        if db_path:
            spider._read_archive(db_path)
        # Body photos and attachments: once per URL, never a file already held.
        spider.media = MediaFetcher.for_spider(spider, crawler)
        crawler.signals.connect(spider._request_dropped, signal=signals.request_dropped)
        # Pages are read in a worker process, on the second core (scraper/reader.py).
        spider.reader = PageReader(usable_workers(crawler.settings.getint("ARCHIVER_READ_WORKERS", 1)))
        crawler.signals.connect(spider._close_reader, signal=signals.spider_closed)
        return spider

    def _close_reader(self, spider=None) -> None:
        self.reader.close()

    def _key(self, url: str) -> str:
        """One key per page of the site, whatever spelling a link uses
        (http/https, www. or not, fragments, tracking parameters)."""
        return normalize(on_host(url, self.base_url))

    def _read_archive(self, db_path: str) -> None:
        """What earlier runs already hold decides what this run skips."""
        archive = Archive(db_path)
        try:
            self.known_articles = {self._key(u) for u in archive.known_urls()}
            self.fetched_before = {self._key(u) for u in archive.fetched_before()}
            self.failed_before = {self._key(u) for u in archive.failed_urls()}
            self.retry = sorted(u for u in archive.failed_urls(self.retry_failed_runs)
                                if is_followable(u, self.site_host))
            if self.revalidate_days is not None:
                self.revalidation = archive.revalidation_targets(self.revalidate_days)
            if self.mode != "full":
                # The rolling schedule: a share of the archive each night.
                self.revalidation = merge_targets(
                    self.revalidation, archive.recheck_targets(self.recheck_days))
            if self.mode == "auto":
                # After a killed or failed run, walk every listing again (but
                # still skip archived articles) so that no gap is left behind.
                self.mode = ("full" if not self.known_articles else
                             "incremental" if archive.last_run_completed() else "resume")
        finally:
            archive.close()

    async def start(self):
        self._mark_scheduled(self._key(self.base_url))
        yield scrapy.Request(self.base_url, callback=self.parse, errback=self.on_error)
        for request in self.discovery.start():
            yield request
        for url in self.retry:
            # Failed in an earlier run (a timeout, a 503 burst): try again even
            # if no listing read tonight links to it any more.
            key = self._key(url)
            if key not in self.scheduled:
                self._mark_scheduled(key)
                yield scrapy.Request(key, callback=self.parse, errback=self.on_error)
        for target in self.revalidation:
            # Conditional requests: an unchanged article costs the site a 304.
            headers = {}
            if target["etag"]:
                headers["If-None-Match"] = target["etag"]
            if target["last_modified"]:
                headers["If-Modified-Since"] = target["last_modified"]
            self._mark_scheduled(self._key(target["url"]))
            yield scrapy.Request(target["url"], headers=headers, callback=self.parse,
                                 errback=self.on_error, dont_filter=True,
                                 meta={"handle_httpstatus_list": [304], "revalidation": True})
        for request in self.media.pending():
            yield request

    # ------------------------------------------------------------ pages
    async def parse(self, response):
        stats = self.crawler.stats
        if response.status == 304:
            stats.inc_value("archiver/not_modified")
            self._page_read(response.url, "not_modified")
            self._resolve(response, ledger.NOT_MODIFIED)
            yield NotModified(url=response.request.meta.get("redirect_urls", [response.url])[0],
                              checked_at=_now())
            return
        ctx = FetchContext(
            linked_url=response.request.meta.get("redirect_urls", [response.url])[0],
            final_url=response.url, base_url=self.base_url, status=response.status,
            listing_title=response.meta.get("listing_title"))
        content_type = (response.headers.get("Content-Type") or b"").decode("latin-1") or None
        refused = admit(response.body, content_type, ctx, self.max_markup)
        if refused is not None:
            stats.inc_value(f"archiver/{refused.rule}")
            self._resolve(response, ledger.FAILED if refused.failure else ledger.NOT_A_PAGE)
            if refused.failure:
                yield self._failure(response, ctx.linked_url, refused)
            return
        encoding, text = decode(response.body, content_type)
        try:
            page = await self.reader.call(read_page, text, response.url)
        except Exception as exc:  # noqa: BLE001 - recorded, never dropped
            # An extractor bug must not lose the page: it is recorded as a
            # failure (the raw response is in the WARC) and the crawl goes on.
            self.logger.exception("extraction failed on %s", response.url)
            stats.inc_value("archiver/extraction_errors")
            self._resolve(response, ledger.FAILED)
            yield self._failure(response, ctx.linked_url, Decision(
                "extraction_error", failure=f"extraction error: {type(exc).__name__}: {exc}"))
            return
        self._page_read(response.url, page.kind)
        if self._key(ctx.linked_url) == self._key(self.base_url):
            for out in self.discovery.home_page(text, response):  # the feeds it announces
                yield out
        if self._key(ctx.linked_url) == self._key(self.base_url):
            self._adopt_aliases(page, text)
        decision = decide(page, ctx)
        if decision.rule == "not_found":
            self._resolve(response, ledger.FAILED)
            if self._key(ctx.linked_url) == self._key(self.base_url):
                # The home page itself says "maintenance" or "not found": the
                # site is down or parked, and the run must say so.
                self._start_failed("the start page is a not-found or maintenance page")
            yield self._failure(response, ctx.linked_url, decision)
            return
        links = self._choose_links(page, response)
        if page.kind != "article":
            # Undated pages and listings that repeat one already seen (digits
            # aside) are a pager past its end or a calendar stepping back a
            # week: archive at most once, follow nothing from them, unless
            # they bring a link not scheduled yet (a numbered series whose
            # titles differ only in their numbers is not a repeat).
            if page.fingerprint in self.fingerprints and not self._brings_news(links, response):
                stats.inc_value("archiver/repeated_pages")
                self._resolve(response, ledger.LISTING)
                for url in links:
                    self._skip(url, ledger.REPEAT)
                return
            self.fingerprints.add(page.fingerprint)
        stats.inc_value(f"archiver/kind/{decision.rule}")
        if decision.follow:
            self._resolve(response, ledger.ALTERNATE_VIEW)
            for out in self._schedule([decision.follow], response, barren=0):
                yield out
            return
        self._resolve(response, ledger.ARCHIVED if decision.article is not None else
                      ledger.FAILED if decision.failure else ledger.LISTING)
        if decision.article is not None:
            yield FetchedArticle(
                article=decision.article, request_url=ctx.linked_url, final_url=response.url,
                status=response.status, fetched_at=_fetched_at(response), raw_html=response.body,
                encoding=encoding,
                headers={k.decode().lower(): b", ".join(v).decode("latin-1")
                         for k, v in response.headers.items()},
            )
            for out in self.media.requests_for(decision.article):
                yield out
        elif decision.failure:
            yield self._failure(response, ctx.linked_url, decision)
        if decision.rule == "listing" and (listed := self.discovery.listed(page, response)):
            yield listed  # what the listing names, for the completeness report
        for out in self._schedule(links, response, barren=None, page=page):
            yield out

    def _page_read(self, url: str, kind: str) -> None:
        self.crawler.signals.send_catch_log(page_read, url=url, kind=kind)

    def _start_failed(self, reason: str) -> None:
        self.crawler.signals.send_catch_log(start_failed, reason=reason)

    def _failure(self, response, url: str, decision: Decision) -> FetchFailure:
        """A fetched page that is not archived, recorded under the URL that was linked."""
        status = response.status if decision.failure_status is None else decision.failure_status
        return FetchFailure(url=url, status=status, error=decision.failure[:500],
                            attempts=response.meta.get("retry_times", 0) + 1, failed_at=_now(),
                            referer=_referer(response.request), rule=decision.rule,
                            known=self._key(url) in self.failed_before)

    def _choose_links(self, page, response) -> list[str]:
        """Full mode follows every link; resume mode every link but archived
        articles. Incremental mode re-reads the menu and
        the listings, fetches only what was never fetched before, and pages a
        listing on only while its current page holds something new."""
        if self.mode == "full":
            return [link.url for link in page.links]
        if self.mode == "resume":
            for link in page.links:
                if self._key(link.url) in self.known_articles:
                    self._skip(link.url, ledger.HELD)
            return [link.url for link in page.links if self._key(link.url) not in self.known_articles]
        chosen, next_pages, holds_new = [], [], False
        own_listing = listing_key(response.url)
        for link in page.links:
            rule = skip_rule(link.url, self.site_hosts)
            if rule:
                self._skip(link.url, rule)
                continue
            key = self._key(link.url)
            if key in self.known_articles:
                self._skip(link.url, ledger.HELD)
                continue  # archived already; --revalidate re-checks recent ones
            if page_number(link.url) is not None and listing_key(link.url) == own_listing:
                if is_next_page(link.url, link.text, response.url):
                    next_pages.append(link.url)
                else:  # other pages of this listing are reached one by one
                    self._skip(link.url, ledger.LISTING_NO_NEWS)
            elif key in self.failed_before:
                chosen.append(link.url)  # failed last time: try again, but it is not news
            elif key not in self.fetched_before:
                chosen.append(link.url)
                holds_new = holds_new or not link.in_chrome
            elif link.in_chrome:
                chosen.append(link.url)  # menu targets: category first pages, static pages
            else:
                self._skip(link.url, ledger.FETCHED_BEFORE)
        if holds_new:
            chosen.extend(next_pages)
        else:
            self.crawler.stats.inc_value("archiver/listings_without_news")
            for url in next_pages:
                self._skip(url, ledger.LISTING_NO_NEWS)
        return chosen

    def _schedule(self, urls, response, barren, page=None):
        fresh, navigation = [], set()
        chrome = {link.url for link in page.links if link.in_chrome} if page is not None else ()
        for url in urls:
            rule = skip_rule(url, self.site_hosts)
            if rule:
                self._skip(url, rule)
                continue
            key = self._key(url)
            if url in chrome:
                navigation.add(key)
            if key in self.scheduled:
                continue
            self.scheduled.add(key)
            fresh.append(key)
        if barren is None:
            # Only a dated article proves the chain still leads somewhere.
            is_article = page is not None and page.kind == "article"
            barren = 0 if is_article or len(fresh) >= 2 else response.meta.get("barren", 0) + 1
        if barren > self.max_barren:
            self.crawler.stats.inc_value("archiver/barren_chains_stopped")
            for key in fresh:
                self.ledger.skip(key, ledger.BARREN_CHAIN)
            return
        listing_title = None
        if page is not None and page.article is None and urlsplit(response.url).path not in ("", "/"):
            listing_title = page.title
        for url in fresh:
            self.ledger.schedule(url)
            priority = (NAVIGATION_PRIORITY if url in navigation or page_number(url) is not None
                        else CONTENT_PRIORITY)
            yield scrapy.Request(url, callback=self.parse, errback=self.on_error, priority=priority,
                                 meta={"barren": barren, "listing_title": listing_title})

    # ----------------------------------------------------------- ledger
    def _mark_scheduled(self, key: str) -> None:
        self.scheduled.add(key)
        self.ledger.schedule(key)

    def _skip(self, url: str, rule: str) -> None:
        self.ledger.skip(url if rule == ledger.NOT_HTTP else self._key(url), rule,
                         host=host_of(url) if rule == ledger.OFF_SITE else None)

    def _resolve(self, response, outcome: str) -> None:
        """What became of the link this response answers (the first URL of
        any redirect chain)."""
        self._resolve_request(response.request, outcome)

    def _resolve_request(self, request, outcome: str) -> None:
        self.ledger.resolve(self._key(request.meta.get("redirect_urls", [request.url])[0]), outcome)

    def _request_dropped(self, request, spider=None):
        # Scrapy's duplicate filter: a redirect to a page already requested.
        self._resolve_request(request, ledger.DUPLICATE)

    def _brings_news(self, links: list[str], response) -> bool:
        """A link not scheduled yet that is not just another step of the
        page's own sequence: the next page of a pager past its end, the week
        before of a calendar (URLs equal to this one once digits are removed)."""
        own_listing = listing_key(response.url)
        own_shape = _digitless(self._key(response.url))
        for url in links:
            if skip_rule(url, self.site_hosts) or self._key(url) in self.scheduled:
                continue
            if page_number(url) is not None and listing_key(url) == own_listing:
                continue
            if _digitless(self._key(url)) == own_shape:
                continue
            return True
        return False

    def _adopt_aliases(self, page, text: str) -> None:
        """Hosts the start page declares as its own: its canonical link and
        its <base href>. Links to them are the site's; they are fetched
        through the crawl's own host."""
        base = scrapy.Selector(text=text).xpath("string((//base[@href])[1]/@href)").get()
        for url in (page.canonical_url, base):
            host = host_of(url or "")
            if host and host not in self.site_hosts and urlsplit(url).scheme in ("http", "https"):
                self.logger.info("the start page declares %s as the site's host", host)
                self.site_hosts.add(host)

    # ---------------------------------------------------------- failures
    def on_error(self, failure):
        request = failure.request
        # Recorded under the URL that was linked, not the last hop of a redirect chain.
        url = request.meta.get("redirect_urls", [request.url])[0]
        is_start = self._key(url) == self._key(self.base_url)
        status = None
        if failure.check(HttpError):
            status = failure.value.response.status
            error = f"HTTP {status}" + (f" at {request.url}" if request.url != url else "")
            rule = "http"
        elif failure.check(RecordedSkip):
            # Size caps and refused redirects: skipped, and recorded.
            status = failure.value.status
            error = str(failure.value)
            rule = "skipped"
        else:
            if failure.check(scrapy.exceptions.IgnoreRequest):
                # robots.txt and offsite filters: policy, not failure.
                self.crawler.stats.inc_value("archiver/ignored_requests")
                self._resolve_request(request, ledger.ROBOTS)
                if is_start:
                    self._start_failed(f"the start page was not fetched ({failure.value})")
                return
            error = f"{type(failure.value).__name__}: {failure.value}"
            rule = "network"
        if is_start:
            self._start_failed(f"the start page failed: {error}")
        self._resolve_request(request, ledger.FAILED)
        yield FetchFailure(
            url=url, status=status, error=error[:500],
            attempts=request.meta.get("retry_times", 0) + 1, failed_at=_now(),
            referer=_referer(request), rule=rule, known=self._key(url) in self.failed_before,
        )


def _digitless(url: str) -> str:
    return re.sub(r"\d+", "#", url)


def _referer(request) -> str | None:
    value = request.headers.get("Referer")
    return value.decode("latin-1") if value else None
