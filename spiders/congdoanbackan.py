"""Navigation only: what to fetch next and which pages are articles.

Field extraction lives in scraper.extract; storage in pipelines.
"""
from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import urlsplit

import scrapy
from scrapy.http import HtmlResponse, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError

from scraper.archive import Archive
from scraper.extract import read_page
from scraper.items import FetchedArticle, FetchFailure
from scraper.middlewares import RecordedSkip, looks_binary, prefers_utf8
from scraper.urls import (DEFAULT_BASE_URL, host_of, is_alternate_view, is_followable,
                          is_gone_redirect, is_next_page, listing_key, normalize, on_host,
                          page_number, same_page, sniffs_html)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class CongdoanbackanSpider(scrapy.Spider):
    name = "congdoanbackan"

    def __init__(self, base_url: str = DEFAULT_BASE_URL, mode: str = "auto",
                 revalidate_days: str | float | None = None, **kwargs):
        super().__init__(**kwargs)
        self.base_url = base_url if base_url.endswith("/") or "?" in base_url else base_url + "/"
        self.site_host = host_of(self.base_url)
        self.allowed_domains = [self.site_host]
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
        db_path = crawler.settings.get("ARCHIVE_DB")
        if db_path:
            spider._read_archive(db_path)
        return spider

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
            if self.mode == "auto":
                # After a killed or failed run, walk every listing again (but
                # still skip archived articles) so that no gap is left behind.
                self.mode = ("full" if not self.known_articles else
                             "incremental" if archive.last_run_completed() else "resume")
        finally:
            archive.close()

    async def start(self):
        self.scheduled.add(self._key(self.base_url))
        yield scrapy.Request(self.base_url, callback=self.parse, errback=self.on_error)
        for url in self.retry:
            # Failed in an earlier run (a timeout, a 503 burst): try again even
            # if no listing read tonight links to it any more.
            key = self._key(url)
            if key not in self.scheduled:
                self.scheduled.add(key)
                yield scrapy.Request(key, callback=self.parse, errback=self.on_error)
        for target in self.revalidation:
            # Conditional requests: an unchanged article costs the site a 304.
            headers = {}
            if target["etag"]:
                headers["If-None-Match"] = target["etag"]
            if target["last_modified"]:
                headers["If-Modified-Since"] = target["last_modified"]
            self.scheduled.add(self._key(target["url"]))
            yield scrapy.Request(target["url"], headers=headers, callback=self.parse,
                                 errback=self.on_error, dont_filter=True,
                                 meta={"handle_httpstatus_list": [304], "revalidation": True})

    # ------------------------------------------------------------ pages
    def parse(self, response):
        stats = self.crawler.stats
        if response.status == 304:
            stats.inc_value("archiver/not_modified")
            return
        original = response.request.meta.get("redirect_urls", [response.url])[0]
        if not isinstance(response, TextResponse) or b"html" not in (
            response.headers.get("Content-Type") or b"text/html"
        ):
            if not sniffs_html(response.body):
                # A document or image behind an extension-less link: kept in
                # the WARC, not an article.
                stats.inc_value("archiver/non_html")
                return
            # An HTML page under a wrong Content-Type is still a page.
            stats.inc_value("archiver/html_under_other_type")
            response = HtmlResponse(response.url, status=response.status, headers=response.headers,
                                    body=response.body, request=response.request)
        if looks_binary(response.body):
            stats.inc_value("archiver/binary_as_html")
            yield _failure(response, original, "binary content served as text/html, not archived")
            return
        markup = response.body.count(b"<")
        if markup > self.settings.getint("ARCHIVER_MAX_MARKUP", 100_000):
            stats.inc_value("archiver/skipped/too_much_markup")
            yield _failure(response, original, f"{markup} tags over ARCHIVER_MAX_MARKUP, not parsed")
            return
        if prefers_utf8(response.body, response.encoding):
            # A header naming a legacy charset over bytes that are valid UTF-8.
            stats.inc_value("archiver/encoding/utf8_over_declared")
            response = response.replace(encoding="utf-8")
        if original != response.url and is_gone_redirect(original, response.url):
            yield _failure(response, original, f"gone: redirected to {response.url}", status=302)
            return
        try:
            page = read_page(response.text, response.url)
        except Exception as exc:  # noqa: BLE001 - recorded, never dropped
            # An extractor bug must not lose the page: it is recorded as a
            # failure (the raw response is in the WARC) and the crawl goes on.
            self.logger.exception("extraction failed on %s", response.url)
            stats.inc_value("archiver/extraction_errors")
            yield _failure(response, original, f"extraction error: {type(exc).__name__}: {exc}")
            return
        stats.inc_value("archiver/html_pages")
        if page.kind == "notfound":
            if self._key(original) == self._key(self.base_url):
                # The home page itself says "maintenance" or "not found": the
                # site is down or parked, and the run must say so.
                stats.set_value("archiver/start_failed", True)
            yield _failure(response, original, "gone: not-found page")
            return
        if page.kind != "article":
            # Undated pages and listings that repeat one already seen (digits
            # aside) are a pager past its end or a calendar stepping back a
            # week: archive at most once, follow nothing from them.
            if page.fingerprint in self.fingerprints:
                stats.inc_value("archiver/repeated_pages")
                return
            self.fingerprints.add(page.fingerprint)
        if page.article is not None:
            canonical = page.canonical_url
            article = page.article
            if canonical and is_alternate_view(response.url, canonical):
                # A print view or a tracking query: fetch the real page instead.
                stats.inc_value("archiver/alternate_views")
                yield from self._schedule([on_host(canonical, response.url)], response, barren=0)
                return
            if canonical and not same_page(canonical, response.url):
                # A canonical naming another page (the home page, a category)
                # is a CMS mistake: the article is archived under its own URL.
                stats.inc_value("archiver/canonical_ignored")
                article.url = response.url
            if host_of(article.url) == self.site_host:
                # One spelling per page of the site in the archive's keys: the
                # crawl's own scheme and host (http→https, www. or not).
                article.url = on_host(article.url, self.base_url)
            if not article.category and response.meta.get("listing_title"):
                article.category = response.meta["listing_title"]
            stats.inc_value(f"archiver/kind/{article.kind}")
            yield FetchedArticle(
                article=article, request_url=original, final_url=response.url,
                status=response.status, fetched_at=_now(), raw_html=response.body,
                encoding=response.encoding,
                headers={k.decode().lower(): b", ".join(v).decode("latin-1")
                         for k, v in response.headers.items()},
            )
        else:
            stats.inc_value("archiver/kind/listing")
            if page.claims_article:
                # The page calls itself an article yet no article came out of
                # it: an extraction failure, recorded rather than dropped.
                if self._key(original) not in self.failed_before:
                    # Judged once, the night it first fails; later retries are
                    # still recorded but do not fail every run after.
                    stats.inc_value("archiver/unparsed_article_like")
                yield _failure(response, original, "page declares an article (og:type/JSON-LD) but "
                                                   "none could be extracted; raw response kept in WARC")
        yield from self._schedule(self._choose_links(page, response), response, barren=None, page=page)

    def _choose_links(self, page, response) -> list[str]:
        """Full mode follows every link; resume mode every link but archived
        articles. Incremental mode re-reads the menu and
        the listings, fetches only what was never fetched before, and pages a
        listing on only while its current page holds something new."""
        if self.mode == "full":
            return [link.url for link in page.links]
        if self.mode == "resume":
            return [link.url for link in page.links if self._key(link.url) not in self.known_articles]
        chosen, next_pages, holds_new = [], [], False
        own_listing = listing_key(response.url)
        for link in page.links:
            if not is_followable(link.url, self.site_host):
                continue
            key = self._key(link.url)
            if key in self.known_articles:
                continue  # archived already; --revalidate re-checks recent ones
            if page_number(link.url) is not None and listing_key(link.url) == own_listing:
                if is_next_page(link.url, link.text, response.url):
                    next_pages.append(link.url)
            elif key in self.failed_before:
                chosen.append(link.url)  # failed last time: try again, but it is not news
            elif key not in self.fetched_before:
                chosen.append(link.url)
                holds_new = holds_new or not link.in_chrome
            elif link.in_chrome:
                chosen.append(link.url)  # menu targets: category first pages, static pages
        if holds_new:
            chosen.extend(next_pages)
        else:
            self.crawler.stats.inc_value("archiver/listings_without_news")
        return chosen

    def _schedule(self, urls, response, barren, page=None):
        fresh = []
        for url in urls:
            if not is_followable(url, self.site_host):
                continue
            key = self._key(url)
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
            return
        listing_title = None
        if page is not None and page.article is None and urlsplit(response.url).path not in ("", "/"):
            listing_title = page.title
        for url in fresh:
            yield scrapy.Request(url, callback=self.parse, errback=self.on_error,
                                 meta={"barren": barren, "listing_title": listing_title})

    # ---------------------------------------------------------- failures
    def on_error(self, failure):
        request = failure.request
        # Recorded under the URL that was linked, not the last hop of a redirect chain.
        url = request.meta.get("redirect_urls", [request.url])[0]
        if self._key(url) == self._key(self.base_url):
            self.crawler.stats.set_value("archiver/start_failed", True)
        status = None
        if failure.check(HttpError):
            status = failure.value.response.status
            error = f"HTTP {status}" + (f" at {request.url}" if request.url != url else "")
        elif failure.check(RecordedSkip):
            # Size caps and refused redirects: skipped, and recorded.
            status = failure.value.status
            error = str(failure.value)
        else:
            if failure.check(scrapy.exceptions.IgnoreRequest):
                # robots.txt and offsite filters: policy, not failure.
                self.crawler.stats.inc_value("archiver/ignored_requests")
                return
            error = f"{type(failure.value).__name__}: {failure.value}"
        yield FetchFailure(
            url=url, status=status, error=error[:500],
            attempts=request.meta.get("retry_times", 0) + 1, failed_at=_now(),
            referer=(request.headers.get("Referer") or b"").decode("latin-1") or None,
        )


def _referer(response) -> str | None:
    value = response.request.headers.get("Referer")
    return value.decode("latin-1") if value else None


def _failure(response, url: str, error: str, status: int | None = None) -> FetchFailure:
    """A fetched page that is not archived, recorded under the URL that was linked."""
    return FetchFailure(url=url, status=response.status if status is None else status,
                        error=error[:500], attempts=response.meta.get("retry_times", 0) + 1,
                        failed_at=_now(), referer=_referer(response))
