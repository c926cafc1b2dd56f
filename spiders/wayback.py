"""Navigation over a web archive (issue 10): list the site's captures through
the archive's CDX API, then fetch each distinct capture raw (``id_``) and read
it through the same policy, items and archive as a live crawl.

- Captures are grouped by the page they are of (one key whatever the host
  spelling, ``scraper.urls.archive_key``) and each page's captures are fetched
  one after the other, oldest first, so that its versions come in time order;
  different pages go in parallel up to the concurrency.
- A page whose first capture is no article (a listing, the home page) has its
  other captures skipped: they would cost the archive requests for nothing.
- A redirect the archive recorded is followed to the target's own capture
  (at the same time), unless the target is listed anyway or is the CMS's
  "gone" page (recorded as a failure, as the live crawl does).
- Every capture read through the policy is recorded (``ImportedCapture``),
  so a killed import resumes where it stopped and a rerun fetches nothing it
  has already imported. A capture that keeps failing (429s and 5xx after the
  retries) is recorded in ``failures`` and tried again by the next run.
"""
from __future__ import annotations

from datetime import timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

import scrapy
from scrapy.spidermiddlewares.httperror import HttpError

from scraper.archive import Archive
from scraper.encoding import decode
from scraper.extract import read_page
from scraper.items import FetchedArticle, FetchFailure, ImportedCapture
from scraper.middlewares import RecordedSkip
from scraper.policy import MAX_MARKUP, Decision, FetchContext, admit, decide
from scraper.run import page_read, start_failed
from scraper.sources import cdx, replay
from scraper.urls import archive_key, host_of, is_gone_redirect, key_root, normalize

DEFAULT_SITE = "congdoanbackan.org.vn"
REDIRECT_CODES = (301, 302, 303, 307, 308)
MAX_REDIRECT_HOPS = 5


def site_root(site: str) -> str:
    """The site's root in the archive's spelling, from HOST[:PORT]: a named
    host is keyed https (as the live crawl keys it), a local one http."""
    return key_root(f"http://{site.strip().rstrip('/')}/")


class WaybackSpider(scrapy.Spider):
    name = "wayback"
    custom_settings = {
        # Only the archive's pipelines: no media fetched from the live site.
        "ITEM_PIPELINES": {"pipelines.archive.ArchivePipeline": 300,
                           "pipelines.wayback.ImportedCapturePipeline": 310},
        # Two seconds between requests unless --delay says otherwise: the
        # Internet Archive's CDX limit was lowered to 30 requests a minute in
        # 2026 (as its staff told the `wayback` library's maintainers).
        "DOWNLOAD_DELAY": 2.0,
        "AUTOTHROTTLE_START_DELAY": 2.0,
    }

    @classmethod
    def update_settings(cls, settings):
        super().update_settings(settings)
        # A 429 or 503 from the archive pauses the whole import
        # (sources/backoff.py): its responses reach it before RetryAfterMiddleware (560) waits.
        middlewares = dict(settings.getdict("DOWNLOADER_MIDDLEWARES"))
        middlewares["scraper.sources.backoff.ArchiveBackoffMiddleware"] = 565
        settings.set("DOWNLOADER_MIDDLEWARES", middlewares, priority="spider")

    def __init__(self, site: str = DEFAULT_SITE, cdx_url: str = cdx.IA_CDX,
                 replay_prefix: str = cdx.IA_REPLAY, date_from: str | None = None,
                 date_to: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.site = site.strip().rstrip("/")
        self.base_url = site_root(self.site)
        self.cdx_url = cdx_url
        self.replay_prefix = replay_prefix if replay_prefix.endswith("/") else replay_prefix + "/"
        self.date_from, self.date_to = date_from or None, date_to or None
        self.mode = "wayback"
        # Redirects are followed by hand (to the target's own capture); the
        # guard against off-site redirects applies to the CDX requests.
        self.site_host = host_of(self.replay_prefix)
        self.imported: set[tuple[str, str]] = set()
        self.imported_digests: set[tuple[str, str]] = set()
        self.failed_before: set[str] = set()
        self.pages: dict[str, list[cdx.Capture]] = {}
        self.listed_keys: set[str] = set()  # every page the listing names
        self.listed = 0
        self.listings_pending = len(self._sites())
        self.fingerprints: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.max_markup = crawler.settings.getint("ARCHIVER_MAX_MARKUP", MAX_MARKUP)
        spider.page_size = crawler.settings.getint("ARCHIVER_CDX_PAGE_SIZE", cdx.PAGE_SIZE)
        db_path = crawler.settings.get("ARCHIVE_DB")
        if db_path:
            archive = Archive(db_path)
            try:
                for url, stamp, digest in archive.imported_captures(spider.replay_prefix):
                    spider.imported.add((url, stamp))
                    if digest:
                        spider.imported_digests.add((url, digest))
                spider.failed_before = {spider._key(u) for u in archive.failed_urls()}
            finally:
                archive.close()
        return spider

    def _key(self, url: str) -> str:
        return normalize(archive_key(url, self.base_url))

    # ------------------------------------------------------------ listing
    def _sites(self) -> list[str]:
        """The spellings to list. SURT keys drop the scheme and www., so one
        query covers them; a named host is also asked for as www.HOST, for
        an archive whose keys keep it."""
        host = self.site.lower().removeprefix("www.")
        named = not host.split(":")[0].replace(".", "").isdigit() and "." in host
        return [host, f"www.{host}"] if named else [host]

    async def start(self):
        for site in self._sites():
            url = cdx.query_url(self.cdx_url, site, date_from=self.date_from,
                                date_to=self.date_to, page_size=self.page_size)
            yield scrapy.Request(url, callback=self.parse_cdx, errback=self.on_cdx_error,
                                 meta={"cdx_site": site}, priority=10)

    def parse_cdx(self, response):
        site = response.meta["cdx_site"]
        try:
            captures, resume_key = cdx.parse(response.body)
        except cdx.CdxError as exc:
            self._start_failed(f"the CDX listing could not be read: {exc}")
            yield self._failure(response.url, response.status, str(exc), "cdx")
            yield from self._listing_done()
            return
        # The listing is this import's start page: read, the source is up.
        self.crawler.signals.send_catch_log(page_read, url=response.url, kind="cdx")
        self.listed += len(captures)
        for capture in captures:
            self._list(capture)
        if resume_key:
            url = cdx.query_url(self.cdx_url, site, date_from=self.date_from,
                                date_to=self.date_to, resume_key=resume_key,
                                page_size=self.page_size)
            self.crawler.stats.inc_value("archiver/cdx_pages")
            yield scrapy.Request(url, callback=self.parse_cdx, errback=self.on_cdx_error,
                                 meta={"cdx_site": site}, priority=10)
            return
        yield from self._listing_done()

    def _listing_done(self):
        """Once every spelling's listing is read, each page's first capture."""
        self.listings_pending -= 1
        if self.listings_pending:
            return
        self.crawler.stats.set_value("archiver/captures_listed", self.listed)
        if not self.listed and not self.imported:
            span = "".join(f" {w} {d}" for w, d in (("from", self.date_from), ("to", self.date_to)) if d)
            self._start_failed(f"the archive lists no capture of {self.site}{span}")
        self.crawler.stats.set_value("archiver/pages_listed", len(self.pages))
        for key in sorted(self.pages):
            yield from self._next(key)

    def _list(self, capture: cdx.Capture) -> None:
        if self.date_from and capture.timestamp < self.date_from.ljust(14, "0"):
            return
        if self.date_to and capture.timestamp > self.date_to.ljust(14, "9"):
            return
        if host_of(capture.url) != host_of(self.base_url):
            return
        key = self._key(capture.url)
        self.listed_keys.add(key)
        if (key, capture.timestamp) in self.imported:
            self.crawler.stats.inc_value("archiver/captures_imported_before")
            return
        if capture.digest and (key, capture.digest) in self.imported_digests:
            self.crawler.stats.inc_value("archiver/captures_same_digest")
            return
        caps = self.pages.setdefault(key, [])
        if any(c.timestamp == capture.timestamp for c in caps):
            return
        caps.append(capture)

    def _next(self, key: str):
        """The next capture of one page, oldest first; same-digest repeats skipped."""
        caps = self.pages.get(key) or []
        caps.sort(key=lambda c: c.timestamp)
        while caps:
            capture = caps.pop(0)
            if capture.digest and (key, capture.digest) in self.imported_digests:
                self.crawler.stats.inc_value("archiver/captures_same_digest")
                continue
            yield self._capture_request(capture, key, capture.url, capture.timestamp)
            return

    def _capture_request(self, capture: cdx.Capture, key: str, url: str, stamp: str,
                         chain: tuple[str, ...] = ()):
        replay_url = cdx.replay_url(self.replay_prefix, stamp, url)
        return scrapy.Request(
            replay_url, callback=self.parse_capture, errback=self.on_capture_error,
            dont_filter=True,
            meta={"wayback_capture": {"original": url, "timestamp": stamp},
                  "capture": capture, "key": key, "chain": chain, "dont_redirect": True,
                  "handle_httpstatus_list": list(REDIRECT_CODES)})

    # ------------------------------------------------------------ captures
    def parse_capture(self, response):
        meta = response.meta
        capture, key = meta["capture"], meta["key"]
        original = meta["wayback_capture"]["original"]
        linked = meta["chain"][0] if meta["chain"] else original
        stamp, fetched_at = _capture_time(response, meta["wayback_capture"]["timestamp"])
        if response.status in REDIRECT_CODES:
            hop = self._archive_hop(response, original)
            if hop is not None:
                yield hop
                return
            yield from self._redirect(response, capture, key, original, linked, stamp)
            return
        ctx = FetchContext(linked_url=linked, final_url=original, base_url=self.base_url,
                           status=response.status)
        body = response.body
        if replay.is_rewritten(body):
            # The archive served its rewritten page: banner and links undone.
            self.crawler.stats.inc_value("archiver/rewritten_captures")
            body = replay.unrewrite(body, self.replay_prefix)
        headers = _original_headers(response)
        content_type = headers.get("content-type")
        refused = admit(body, content_type, ctx, self.max_markup)
        if refused is not None:
            self.crawler.stats.inc_value(f"archiver/{refused.rule}")
            if refused.failure:
                yield self._failure(linked, response.status, refused.failure, refused.rule)
            yield from self._done(capture, key, stamp, response.status, refused.rule)
            return
        encoding, text = decode(body, content_type)
        try:
            page = read_page(text, original)
        except Exception as exc:  # noqa: BLE001 - recorded, never dropped
            self.logger.exception("extraction failed on %s", response.url)
            self.crawler.stats.inc_value("archiver/extraction_errors")
            yield self._failure(linked, response.status,
                                f"extraction error: {type(exc).__name__}: {exc}",
                                "extraction_error")
            yield from self._next(key)
            return
        self.crawler.signals.send_catch_log(page_read, url=original, kind=page.kind)
        decision = decide(page, ctx)
        if page.kind != "article":
            # As in the live crawl: an undated page or a listing that repeats
            # one already read (digits aside: a calendar stepping back a
            # week) is archived at most once.
            if page.fingerprint in self.fingerprints:
                self.crawler.stats.inc_value("archiver/repeated_pages")
                yield from self._skip_others(key, "repeated")
                yield from self._done(capture, key, stamp, response.status, "repeated")
                return
            self.fingerprints.add(page.fingerprint)
        self.crawler.stats.inc_value(f"archiver/kind/{decision.rule}")
        if decision.follow:
            target = decision.follow
            if self._key(target) not in self.listed_keys and len(meta["chain"]) < MAX_REDIRECT_HOPS:
                yield self._capture_request(capture, key, target, stamp, (*meta["chain"], original))
                return
        if decision.article is not None:
            yield FetchedArticle(
                article=decision.article, request_url=linked, final_url=original,
                status=response.status, fetched_at=fetched_at, raw_html=body, encoding=encoding,
                headers=headers, origin=self.replay_prefix, capture_timestamp=stamp,
                replay_url=response.url)
        elif decision.failure and not (decision.rule == "not_found"
                                       and is_gone_redirect(original, original)):
            # (The CMS's not-found page captured on its own is no lost page.)
            yield self._failure(linked, response.status, decision.failure, decision.rule,
                                decision.failure_status)
        if decision.article is None and not meta["chain"]:
            # Not an article (a listing, the home page): its other captures
            # are skipped.
            yield from self._skip_others(key, decision.rule)
        yield from self._done(capture, key, stamp, response.status, decision.rule)

    def _skip_others(self, key: str, why: str):
        """The page's other captures, not fetched: recorded so that a rerun
        skips them too."""
        for other in self.pages.pop(key, []):
            self.crawler.stats.inc_value("archiver/captures_skipped")
            yield ImportedCapture(origin=self.replay_prefix, url=key, timestamp=other.timestamp,
                                  digest=other.digest, status=other.status,
                                  outcome=f"skipped_{why}")

    def _archive_hop(self, response, original: str):
        """The archive's own redirect to its nearest capture of the same URL
        (the Wayback Machine answers a timestamp it does not hold exactly
        that way): followed as the same capture, not as the site's redirect."""
        location = response.headers.get("Location")
        if not location or response.meta.get("archive_hops", 0) >= MAX_REDIRECT_HOPS:
            return None
        absolute = urljoin(response.url, location.decode("latin-1"))
        stamp = replay.timestamp_in(absolute, self.replay_prefix)
        target = replay.original_url(absolute, self.replay_prefix)
        if stamp is None or normalize(target) != normalize(original):
            return None
        self.crawler.stats.inc_value("archiver/archive_redirects")
        meta = dict(response.meta)
        meta["wayback_capture"] = {"original": original, "timestamp": stamp}
        meta["archive_hops"] = meta.get("archive_hops", 0) + 1
        for name in ("redirect_urls", "retry_times", "download_slot", "download_latency"):
            meta.pop(name, None)
        return response.request.replace(url=cdx.replay_url(self.replay_prefix, stamp, original),
                                        meta=meta)

    def _redirect(self, response, capture, key, original, linked, stamp):
        location = response.headers.get("Location")
        target = urljoin(original, replay.original_url(location.decode("latin-1"),
                                                       self.replay_prefix)) if location else None
        if not target:
            yield self._failure(linked, response.status, "redirect without a Location", "redirect")
        elif is_gone_redirect(linked, target):
            yield self._failure(linked, 302, f"gone: redirected to {target}", "gone_redirect")
        elif host_of(target) != host_of(self.base_url):
            yield self._failure(linked, response.status, f"off-site redirect to {target} not followed",
                                "skipped")
        elif self._key(target) in self.listed_keys or self._key(target) == key:
            # Listed on its own: its captures are imported in their turn.
            self.crawler.stats.inc_value("archiver/redirects_to_listed")
        elif len(response.meta["chain"]) >= MAX_REDIRECT_HOPS:
            yield self._failure(linked, response.status, "too many redirects", "skipped")
        else:
            yield self._capture_request(capture, key, target, stamp,
                                        (*response.meta["chain"], original))
            return
        yield from self._done(capture, key, stamp, response.status, "redirect")

    def _done(self, capture, key, stamp, status, outcome):
        """The capture is read: recorded, and the page's next capture asked for."""
        if capture.digest:
            self.imported_digests.add((key, capture.digest))
        yield ImportedCapture(origin=self.replay_prefix, url=key, timestamp=capture.timestamp,
                              digest=capture.digest, status=status, outcome=outcome)
        yield from self._next(key)

    # ------------------------------------------------------------ failures
    def _failure(self, url, status, error, rule, failure_status=None) -> FetchFailure:
        from datetime import datetime

        return FetchFailure(url=url, status=failure_status or status, error=error[:500],
                            failed_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                            rule=rule, known=self._key(url) in self.failed_before)

    def _start_failed(self, reason: str) -> None:
        self.crawler.signals.send_catch_log(start_failed, reason=reason)

    def on_cdx_error(self, failure):
        if failure.check(scrapy.exceptions.IgnoreRequest) and not failure.check(RecordedSkip):
            self._start_failed(f"the CDX listing was not fetched ({failure.value})")
            yield from self._listing_done()
            return
        status = failure.value.response.status if failure.check(HttpError) else None
        error = f"HTTP {status}" if status else f"{type(failure.value).__name__}: {failure.value}"
        self._start_failed(f"the CDX listing failed: {error}")
        yield self._failure(failure.request.url, status, f"CDX listing: {error}", "cdx")
        yield from self._listing_done()

    def on_capture_error(self, failure):
        """A capture the archive would not serve (after the retries): recorded
        under the original URL, not marked imported (the next run tries it
        again), and the page's next capture goes on."""
        request = failure.request
        meta = request.meta
        original = meta["chain"][0] if meta["chain"] else meta["wayback_capture"]["original"]
        status = None
        if failure.check(HttpError):
            status = failure.value.response.status
            error = f"HTTP {status} from the archive at {request.url}"
        elif failure.check(RecordedSkip):
            status, error = failure.value.status, str(failure.value)
        else:
            error = f"{type(failure.value).__name__}: {failure.value} at {request.url}"
        fail = self._failure(original, status, error, "http" if status else "network")
        fail.attempts = meta.get("retry_times", 0) + 1
        yield fail
        yield from self._next(meta["key"])


def _capture_time(response, asked: str) -> tuple[str, str]:
    """The capture's own time (the archive's Memento-Datetime, else the
    timestamp asked for): 14 digits, and UTC ISO 8601 for `fetched_at`."""
    value = response.headers.get("Memento-Datetime")
    when = None
    if value:
        try:
            when = parsedate_to_datetime(value.decode("latin-1")).astimezone(timezone.utc)
        except (TypeError, ValueError):
            when = None
    if when is None:
        when = cdx.Capture(asked, "", None, None, None).captured_at
    return cdx.timestamp_of(when), when.isoformat(timespec="seconds")


def _original_headers(response) -> dict[str, str]:
    """The captured response's headers: an archive passes the original ones
    on as X-Archive-Orig-* (its own Date, Link … are not the site's)."""
    headers = {}
    for name, values in response.headers.items():
        key = name.decode("latin-1").lower()
        value = b", ".join(values).decode("latin-1")
        if key.startswith("x-archive-orig-"):
            headers[key[len("x-archive-orig-"):]] = value
        elif key in ("content-type",):
            headers.setdefault(key, value)
    return headers
