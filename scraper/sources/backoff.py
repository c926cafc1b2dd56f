"""Back-off toward a shared public archive: a 429 (or a 503) pauses the whole
import, not only the request that got it.

The Internet Archive limits per network, not per request: its staff have
described 429s ignored for over a minute being answered with an hour's
firewall block, doubled on each repeat. Scrapy's retry (with the project's
RetryAfterMiddleware) delays the one request that was refused while the
others go on; here the engine itself stops scheduling for the time asked
(Retry-After), or, when none is given, for a back-off that starts at
ARCHIVER_BACKOFF_START seconds and doubles with each refusal in a row (up to
ARCHIVER_BACKOFF_MAX); a successful answer resets it.
"""
from __future__ import annotations

import logging
from time import monotonic

from scraper.middlewares import retry_after_seconds

logger = logging.getLogger(__name__)

PAUSE_CODES = (429, 503)


class ArchiveBackoffMiddleware:
    def __init__(self, crawler):
        settings = crawler.settings
        self.crawler = crawler
        self.start = settings.getfloat("ARCHIVER_BACKOFF_START", 60.0)
        self.ceiling = settings.getfloat("ARCHIVER_BACKOFF_MAX", 900.0)
        self.in_a_row = 0
        self.paused_until = 0.0

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response):
        from twisted.internet import reactor

        if response.status not in PAUSE_CODES:
            if 200 <= response.status < 400:
                self.in_a_row = 0
            return response
        asked = retry_after_seconds(response.headers.get("Retry-After"))
        if asked is None:
            asked = self.start * 2 ** self.in_a_row
        delay = min(asked, self.ceiling)
        self.in_a_row += 1
        stats = self.crawler.stats
        stats.inc_value("archiver/backoff/pauses")
        until = reactor.seconds() + delay
        if until > self.paused_until:
            stats.inc_value("archiver/backoff/seconds", until - max(self.paused_until, reactor.seconds()))
            self.paused_until = until
            engine = self.crawler.engine
            logger.warning("%s answered %d: pausing the import for %.0f s", request.url,
                           response.status, delay)
            # No new request is scheduled, and those already queued for the
            # archive's host wait too (the downloader's slot counts its delay
            # from `lastseen`; with no delay at all it does not wait).
            engine.pause()
            downloader = engine.downloader
            slot = downloader.slots.get(downloader.get_slot_key(request))
            if slot is not None:
                slot.lastseen = max(slot.lastseen, monotonic() + delay)
            reactor.callLater(delay, self._resume, until)
        return response

    async def process_request(self, request):
        """A request that reaches the downloader during a pause waits it out."""
        from twisted.internet import reactor, task
        from scrapy.utils.defer import maybe_deferred_to_future

        wait = self.paused_until - reactor.seconds()
        if wait > 0:
            await maybe_deferred_to_future(task.deferLater(reactor, wait, lambda: None))
        return None

    def _resume(self, until: float) -> None:
        if until >= self.paused_until and self.crawler.engine is not None:
            self.crawler.engine.unpause()
