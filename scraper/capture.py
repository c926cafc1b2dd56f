"""Web-archive capture: every HTTP response the crawler receives (redirects
and errors included) goes into gzipped WARC files, indexed in SQLite.

The downloader middleware sits next to the downloader, so it sees responses
exactly as they came off the wire (still compressed, before redirects are
followed). Each record is flushed as soon as it is written and indexed only
after that, so a killed run leaves every indexed record complete.
"""
from __future__ import annotations

import io
import os
import socket
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from pathlib import Path
from urllib.parse import urlsplit

import sqlite_utils
from scrapy import signals
from scrapy.exceptions import NotConfigured
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from .archive.migrations import migrate
from .media_spool import open_body

# Headers that describe the transfer, not the payload we store.
HOP_HEADERS = {b"transfer-encoding"}

# One plain INSERT per record: sqlite-utils' insert reads the table's schema on
# every call (a fifth of the WARC writer's time, profiled at 2,000 articles).
_CAPTURE_FIELDS = ("url", "replay_url", "fetched_at", "http_status", "content_type", "warc_file",
                   "warc_offset", "warc_length", "record_id", "payload_digest", "run_started_at",
                   "record_type", "refers_to")
_INSERT_CAPTURE = ("INSERT INTO captures (" + ", ".join(_CAPTURE_FIELDS) + ") VALUES ("
                   + ", ".join("?" for _ in _CAPTURE_FIELDS) + ")")


def warc_dir_for(db_path: str | Path) -> Path:
    """WARC files live beside the archive they belong to: data/warc/ by default."""
    return Path(db_path).resolve().parent / "warc"


class WarcCaptureMiddleware:
    """Downloader middleware: write each response to WARC and index it."""

    def __init__(self, crawler, db_path: str, warc_dir: Path):
        self.crawler = crawler
        self.db_path = db_path
        self.warc_dir = warc_dir
        self.fh = None
        self.writer = None
        self.db = None
        self.rel_name = ""
        self.started_at = ""

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not settings.getbool("WARC_ENABLED", True):
            raise NotConfigured("WARC_ENABLED is off")
        db_path = settings.get("ARCHIVE_DB")
        if not db_path:
            raise NotConfigured("set ARCHIVE_DB: WARC files are kept beside the archive")
        warc_dir = Path(settings.get("WARC_DIR") or warc_dir_for(db_path))
        mw = cls(crawler, db_path, warc_dir)
        crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    def spider_opened(self, spider):
        self.warc_dir.mkdir(parents=True, exist_ok=True)
        now = datetime.now(timezone.utc)
        self.started_at = now.isoformat(timespec="seconds")
        # The name is built from the clock and our pid only, never from a URL.
        name = f"crawl-{now:%Y%m%dT%H%M%SZ}-{os.getpid()}.warc.gz"
        path = self.warc_dir / name
        self.rel_name = os.path.relpath(path, Path(self.db_path).resolve().parent)
        self.fh = open(path, "ab")
        self.writer = WARCWriter(self.fh, gzip=True)
        settings = self.crawler.settings
        info = {
            "software": "congdoanbackan-archiver (Scrapy, warcio)",
            "hostname": socket.gethostname(),
            "http-header-user-agent": settings.get("USER_AGENT"),
            "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
            "isPartOf": getattr(spider, "base_url", ""),
            "format": "WARC File Format 1.1",
        }
        self.writer.write_record(self.writer.create_warcinfo_record(name, info))
        self.fh.flush()
        self.db = sqlite_utils.Database(self.db_path)
        self.db.execute("PRAGMA busy_timeout=10000")
        # As the archive's own connections: in WAL mode a commit then costs no
        # fsync (measured: fsyncs per captured record took 20 % of a crawl's
        # time), and a killed process still loses no committed record.
        self.db.execute("PRAGMA synchronous=NORMAL")
        # The captures table is storage's (migration step 2); this may run
        # before the archive pipeline opens the file, so bring it up to date.
        migrate(self.db, self.db_path)

    def spider_closed(self, spider):
        if self.fh:
            self.fh.close()
            self.fh = None
        if self.db is not None:
            self.db.close()

    def process_response(self, request, response):
        if self.writer is None:
            return response
        try:
            self._write(request, response)
        except OSError:
            # A full disk must not silently stop archiving: the request fails
            # and is recorded in `failures` by the spider's errback.
            self.crawler.stats.inc_value("archiver/warc_errors")
            raise
        return response

    def _write(self, request, response):
        fetched_at = datetime.now(timezone.utc)
        status = response.status
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = "Unknown"
        headers = [(k.decode("latin-1"), v.decode("latin-1"))
                   for k, values in response.headers.items() if k.lower() not in HOP_HEADERS
                   for v in values]
        http_headers = StatusAndHeaders(f"{status} {reason}", headers, protocol="HTTP/1.1")
        warc_date = fetched_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        target_uri, warc_fields, replay = response.url, {"WARC-Date": warc_date}, None
        captured_at = replayed_capture(request, response)
        if captured_at is not None:
            # A web archive's capture (the wayback import): the record says
            # what the archive captured, of which URL and when; where and
            # when we fetched it goes into two extension fields.
            replay, target_uri = response.url, request.meta["wayback_capture"]["original"]
            warc_fields = {"WARC-Date": captured_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                           "WARC-Replay-URI": replay, "WARC-Replay-Date": warc_date}
            fetched_at = captured_at
        # An article file's body may be on disk (scraper.media_spool): read in chunks.
        payload, payload_length = open_body(response)
        record = self.writer.create_warc_record(
            target_uri, "response", payload=payload, length=payload_length,
            http_headers=http_headers, warc_headers_dict=warc_fields,
        )
        original = self._same_payload(request, status, record)
        if original is not None:
            # Bytes already held under another URL (a ?w=800 variant, a
            # re-upload): a revisit record names them instead of a copy.
            record = self.writer.create_revisit_record(
                response.url, record.rec_headers.get_header("WARC-Payload-Digest"),
                original["url"], original["warc_date"], http_headers=http_headers,
                warc_headers_dict={"WARC-Date": warc_date, "WARC-Refers-To": original["record_id"]})
        parts = urlsplit(request.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        req_headers = [(k.decode("latin-1"), v.decode("latin-1"))
                       for k, values in request.headers.items() for v in values]
        req_headers.insert(0, ("Host", parts.netloc))
        req_record = self.writer.create_warc_record(
            request.url, "request", payload=io.BytesIO(request.body or b""),
            http_headers=StatusAndHeaders(f"{request.method} {target} HTTP/1.1", req_headers,
                                          is_http_request=True),
            warc_headers_dict={"WARC-Date": warc_date,
                               "WARC-Concurrent-To": record.rec_headers.get_header("WARC-Record-ID")},
        )
        offset = self.fh.tell()
        self.writer.write_record(record)
        length = self.fh.tell() - offset
        self.writer.write_record(req_record)
        self.fh.flush()
        payload.close()
        row = {
            "url": target_uri, "replay_url": replay,
            "fetched_at": fetched_at.isoformat(timespec="seconds"),
            "http_status": status,
            "content_type": (response.headers.get("Content-Type") or b"").decode("latin-1"),
            "warc_file": self.rel_name, "warc_offset": offset, "warc_length": length,
            "record_id": record.rec_headers.get_header("WARC-Record-ID"),
            "payload_digest": record.rec_headers.get_header("WARC-Payload-Digest"),
            "run_started_at": self.started_at,
            "record_type": "revisit" if original is not None else "response",
            "refers_to": original["record_id"] if original is not None else None,
        }
        with self.db.atomic():
            self.db.conn.execute(_INSERT_CAPTURE, [row[c] for c in _CAPTURE_FIELDS])
        # The record's time, for the row read from this response (the spider):
        # the clock read again later had crossed a second for a quarter of the
        # bench's articles, and reparse then took the page's own capture for
        # an older one (archive/provenance.save_older) and changed nothing.
        request.meta["archiver_captured_at"] = fetched_at.isoformat(timespec="seconds")
        # Where the payload lies, for the media pipeline (scraper.media_fetch).
        request.meta["archiver_payload_at"] = ((original["warc_file"], original["warc_offset"])
                                               if original is not None else (self.rel_name, offset))
        self.crawler.stats.inc_value("archiver/warc_records")

    def _same_payload(self, request, status, record) -> dict | None:
        """The capture already holding this payload, for a file request
        (``meta["archiver_media"]``) answered 200; pages are always written
        whole, so that reparse reads each from its own record."""
        if not request.meta.get("archiver_media") or status != 200:
            return None
        digest = record.rec_headers.get_header("WARC-Payload-Digest")
        row = self.db.execute(
            "select url, fetched_at, record_id, warc_file, warc_offset from captures "
            "where payload_digest = ? and http_status = 200 and record_type is not 'revisit' "
            "order by id limit 1", [digest]).fetchone()
        if row is None:
            return None
        url, fetched_at, record_id, warc_file, warc_offset = row
        warc_date = datetime.fromisoformat(fetched_at).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {"url": url, "warc_date": warc_date, "record_id": record_id,
                "warc_file": warc_file, "warc_offset": warc_offset}


def replayed_capture(request, response) -> datetime | None:
    """The capture time of a web archive's replay of a capture (a request the
    wayback import marked, answered with a Memento-Datetime), or None for
    any other response, the archive's own answers (a 429, a 5xx) included."""
    capture = request.meta.get("wayback_capture")
    memento = response.headers.get("Memento-Datetime")
    if not capture or not memento:
        return None
    try:
        return parsedate_to_datetime(memento.decode("latin-1")).astimezone(timezone.utc)
    except (TypeError, ValueError):
        stamp = capture["timestamp"].ljust(14, "0")
        return datetime.strptime(stamp, "%Y%m%d%H%M%S").replace(tzinfo=timezone.utc)


class CaptureTooLarge(ValueError):
    """A stored payload over the size the crawler would parse."""


def read_capture(db_path: str | Path, warc_file: str, offset: int, max_bytes: int) -> tuple[bytes, dict]:
    """The payload (content-encoding undone, at most `max_bytes`) and HTTP
    headers of one indexed response record."""
    path = (Path(db_path).resolve().parent / warc_file).resolve()
    base = Path(db_path).resolve().parent
    if base not in path.parents:
        raise ValueError(f"capture path {warc_file!r} points outside the archive folder")
    with open(path, "rb") as fh:
        fh.seek(offset)
        record = next(iter(ArchiveIterator(fh)))
        headers = {k.lower(): v for k, v in record.http_headers.headers}
        body = record.content_stream().read(max_bytes + 1)
    if len(body) > max_bytes:
        raise CaptureTooLarge(f"payload over {max_bytes} bytes")
    return body, headers
