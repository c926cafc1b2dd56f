"""Downloader middlewares that keep a faulty server from costing pages silently.

Scrapy drops some responses with a bare ``IgnoreRequest`` (a gzip body over
DOWNLOAD_MAXSIZE, too many redirects) or a bare cancellation (a body over
DOWNLOAD_MAXSIZE); the spider treats ``IgnoreRequest`` as policy (robots.txt,
off-site links) and records nothing. Here those cases become a
``RecordedSkip``: still an ``IgnoreRequest`` for Scrapy, so it is not logged
as an error, but the spider's errback records it in ``failures``.

- ``RetryAfterMiddleware``: waits what a 429/503's Retry-After asks (capped by
  RETRY_AFTER_MAX) before RetryMiddleware sends the retry.
- ``SizeCapMiddleware``: a download cancelled for DOWNLOAD_MAXSIZE -> ``ResponseTooLarge``.
- ``CappedHttpCompressionMiddleware``: Scrapy's decompression, with its
  DOWNLOAD_MAXSIZE refusal (a gzip bomb) -> ``ResponseTooLarge``.
- ``RedirectGuardMiddleware``: refuses, and has recorded, redirects off the
  site's host, redirect loops and chains longer than REDIRECT_MAX_TIMES.
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

from scrapy import signals
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import defer, task

from scraper.urls import host_of, normalize

logger = logging.getLogger(__name__)

REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})


class RecordedSkip(IgnoreRequest):
    """A response refused for a reason the archive must record as a failure."""

    reason = "skipped"

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


class ResponseTooLarge(RecordedSkip):
    reason = "too_large"


class RedirectRefused(RecordedSkip):
    reason = "redirect_refused"


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds asked by a Retry-After header (delta-seconds or HTTP-date); None if unreadable."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


class RetryAfterMiddleware:
    """Delay the retry of a 429/503 by its Retry-After, at most RETRY_AFTER_MAX seconds.

    Runs just before RetryMiddleware (higher order number: its
    ``process_response`` comes first) and only waits when a retry will follow.
    The wait holds this one request; other requests go on meanwhile.
    """

    def __init__(self, crawler):
        settings = crawler.settings
        self.crawler = crawler
        self.max_delay = settings.getfloat("RETRY_AFTER_MAX")
        self.codes = {int(c) for c in settings.getlist("RETRY_AFTER_HTTP_CODES")}
        self.retry_enabled = settings.getbool("RETRY_ENABLED")
        self.retry_codes = {int(c) for c in settings.getlist("RETRY_HTTP_CODES")}
        self.retry_times = settings.getint("RETRY_TIMES")

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_response(self, request, response):
        if response.status not in self.codes or not self._will_retry(request, response):
            return response
        asked = retry_after_seconds(response.headers.get("Retry-After"))
        if asked is None:
            return response
        delay = min(asked, self.max_delay)
        stats = self.crawler.stats
        stats.inc_value("archiver/retry_after/waits")
        stats.inc_value("archiver/retry_after/seconds", delay)
        if asked > self.max_delay:
            stats.inc_value("archiver/retry_after/capped")
        logger.info("%s answered %d, Retry-After %s: waiting %.1f s before retrying",
                    request.url, response.status, asked, delay)
        if delay > 0:
            from twisted.internet import reactor
            await maybe_deferred_to_future(task.deferLater(reactor, delay, lambda: None))
        return response

    def _will_retry(self, request, response) -> bool:
        if not self.retry_enabled or request.meta.get("dont_retry") or response.status not in self.retry_codes:
            return False
        limit = request.meta.get("max_retry_times", self.retry_times)
        return request.meta.get("retry_times", 0) < limit


class SizeCapMiddleware:
    """A download cancelled for DOWNLOAD_MAXSIZE becomes a recorded ``ResponseTooLarge``.

    Scrapy cancels in two ways: before the body when Content-Length is over
    the cap (a ``DownloadCancelledError`` saying so), or while streaming when
    the bytes received pass it (a bare cancellation). The second is told apart
    by counting the bytes of each request on the ``bytes_received`` signal.
    """

    def __init__(self, crawler):
        self.maxsize = crawler.settings.getint("DOWNLOAD_MAXSIZE")
        self.crawler = crawler
        self.received: dict[int, int] = {}
        crawler.signals.connect(self.bytes_received, signal=signals.bytes_received)
        crawler.signals.connect(self.response_downloaded, signal=signals.response_downloaded)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def bytes_received(self, data, request, spider=None):
        key = id(request)
        self.received[key] = self.received.get(key, 0) + len(data)

    def response_downloaded(self, response, request, spider=None):
        self.received.pop(id(request), None)

    def process_exception(self, request, exception):
        received = self.received.pop(id(request), 0)
        if not isinstance(exception, (DownloadCancelledError, defer.CancelledError)):
            return None
        limit = request.meta.get("download_maxsize", self.maxsize)
        said_so = "max size" in str(exception)
        if not (said_so or (limit and received > limit)):
            return None
        self.crawler.stats.inc_value("archiver/skipped/too_large")
        detail = str(exception) if said_so else f"received {received} bytes"
        raise ResponseTooLarge(f"response over DOWNLOAD_MAXSIZE ({limit} B), not archived: {detail}")


class CappedHttpCompressionMiddleware(HttpCompressionMiddleware):
    """Scrapy's decompression; a body that inflates past DOWNLOAD_MAXSIZE is
    a recorded ``ResponseTooLarge`` instead of a bare ``IgnoreRequest``."""

    def process_response(self, request, response, spider=None):
        try:
            return super().process_response(request, response)
        except ResponseTooLarge:
            raise
        except IgnoreRequest as exc:
            if "DOWNLOAD_MAXSIZE" not in str(exc):
                raise
            if self.stats:
                self.stats.inc_value("archiver/skipped/too_large")
            raise ResponseTooLarge(f"response over DOWNLOAD_MAXSIZE once decompressed, not archived: {exc}",
                                   status=response.status) from exc


class RedirectGuardMiddleware:
    """Refuse off-site redirects, loops and over-long chains, and say so.

    Runs before RedirectMiddleware (higher order number). An off-site target
    is never requested: the site's host is the only one the crawler talks to.
    """

    def __init__(self, crawler):
        self.crawler = crawler
        self.max_times = crawler.settings.getint("REDIRECT_MAX_TIMES")
        self.enabled = crawler.settings.getbool("REDIRECT_ENABLED")

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response):
        if (not self.enabled or response.status not in REDIRECT_CODES or request.meta.get("dont_redirect")
                or response.status in request.meta.get("handle_httpstatus_list", ())):
            return response
        location = response.headers.get("Location")
        if not location:
            return response
        target = urljoin(request.url, location.decode("latin-1"))
        chain = [*request.meta.get("redirect_urls", []), request.url]
        site_host = getattr(self.crawler.spider, "site_host", None) or host_of(chain[0])
        stats = self.crawler.stats
        if urlsplit(target).scheme not in ("http", "https") or host_of(target) != site_host:
            stats.inc_value("archiver/skipped/offsite_redirect")
            raise RedirectRefused(f"off-site redirect to {target} not followed", response.status)
        if normalize(target) in {normalize(u) for u in chain}:
            stats.inc_value("archiver/skipped/redirect_loop")
            raise RedirectRefused("redirect loop: " + " -> ".join(chain + [target]), response.status)
        if len(chain) > self.max_times:
            stats.inc_value("archiver/skipped/redirect_chain")
            raise RedirectRefused(f"too many redirects ({len(chain)}, REDIRECT_MAX_TIMES={self.max_times})"
                                  f" from {chain[0]}", response.status)
        return response


# ------------------------------------------------ response checks (spider side)

def looks_binary(body: bytes) -> bool:
    """True for bytes no HTML page holds: NUL, or many C0 control characters."""
    sample = body[:4096]
    if not sample:
        return False
    if b"\x00" in sample:
        return True
    controls = len(sample.translate(None, _NOT_CONTROL))
    return controls > len(sample) // 20


# Every byte but the C0 controls that are not whitespace: deleting them leaves
# the controls to count, in C rather than a Python loop per byte.
_NOT_CONTROL = bytes([0x09, 0x0A, 0x0C, 0x0D]) + bytes(range(0x20, 0x100))
