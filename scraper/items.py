"""Typed records that flow spider -> pipelines -> archive.

Items never carry a Response: the spider copies out what the archive needs
(URL, status, fetch time, raw bytes) and the extractor fills the rest.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Image:
    """An image inside the article body. `url` is absolute and percent-encoded
    (RFC 3986, query string kept); `caption` is the caption as printed."""

    url: str
    caption: str | None = None
    alt: str | None = None
    position: int = 0


@dataclass
class Attachment:
    """A document or embedded media linked from the article body."""

    url: str
    text: str | None = None
    kind: str | None = None  # pdf, doc, xls, zip, video, ...
    position: int = 0


@dataclass
class Article:
    """What the extractor reads from one page (pure data, no fetch metadata)."""

    url: str
    title: str | None = None
    published_at: str | None = None  # ISO 8601 local time with offset
    published_date: str | None = None  # local YYYY-MM-DD
    published_precision: str | None = None  # second | minute | day
    dateline: str | None = None  # the date text as printed
    author: str | None = None
    author_line: str | None = None
    source: str | None = None
    body_text: str | None = None
    body_html: str | None = None
    description: str | None = None
    category: str | None = None
    kind: str = "article"  # article | page (no dateline: static or undated)
    images: list[Image] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)


@dataclass
class FetchedArticle:
    """An extracted article plus how and when it was fetched."""

    article: Article
    request_url: str
    final_url: str
    status: int
    fetched_at: str  # UTC ISO 8601
    raw_html: bytes
    encoding: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    # Provenance: "live", or a web archive's replay prefix with the capture's
    # 14-digit timestamp and the URL it was replayed from (the wayback import).
    origin: str = "live"
    capture_timestamp: str | None = None
    replay_url: str | None = None


@dataclass
class FetchFailure:
    """A URL that could not be archived, recorded instead of dropped."""

    url: str
    status: int | None
    error: str
    attempts: int = 1
    failed_at: str = ""
    referer: str | None = None
    rule: str = "fetch"  # what refused it: fetch, http, gone_redirect, not_found, unparsed_article, …
    known: bool = False  # the URL had failed in an earlier run already


@dataclass
class NotModified:
    """A 304 answer to a conditional re-check of an archived page."""

    url: str
    checked_at: str  # UTC ISO 8601


@dataclass
class ImportedCapture:
    """A web-archive capture the import has read through the policy (archived,
    a listing, or a recorded failure): a rerun does not fetch it again."""

    origin: str  # the archive's replay prefix
    url: str  # the original URL the capture is of
    timestamp: str  # the archive's 14-digit capture time
    digest: str | None
    status: int | None
    outcome: str  # the policy's rule: article, page, listing, not_found, ...


@dataclass
class DiscoveredUrls:
    """URLs a source names (a sitemap, a feed, a listing page), for the
    completeness report (spiders/discovery.py)."""

    source: str  # sitemap | feed | listing
    found_in: str  # the document that named them
    urls: list[tuple[str, str | None]]  # (URL, lastmod or published as printed)
