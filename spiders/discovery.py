"""Discovery beyond links: robots.txt sitemaps, sitemap.xml and sitemap
indexes, RSS/Atom feeds, as extra sources of the site's URLs.

The functions at the top are pure (bytes or text in, URLs out) and tested on
small documents; `Discovery` is the spider's side: the requests to make and
what to do with their answers. Every URL found is recorded with its source
(`DiscoveredUrls` items, table `discovered_urls`), so that the completeness
report can list what some source knows and the archive does not hold.

A sitemap or feed that is missing (404) or unreadable is not a failure of
the run: most small CMS sites have neither.
"""
from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urljoin

import lxml.etree
import lxml.html
import scrapy
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

from scraper.items import DiscoveredUrls
from scraper.urls import host_of, is_followable

# A sitemap index may name further indexes; past this depth the chain is a loop.
MAX_SITEMAP_DEPTH = 3
# Sitemaps read per run: the protocol caps a file at 50,000 URLs, and a site of
# a few thousand pages needs one or two; 20 bounds a misconfigured index.
MAX_SITEMAPS = 20
# Decompressed size of one sitemap (the protocol's own limit is 50 MB).
MAX_SITEMAP_BYTES = 50 * 1024 * 1024
LOCAL = timezone(timedelta(hours=7))  # the site's dates, when a sitemap gives no offset
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")

_SAFE_XML = dict(resolve_entities=False, no_network=True, recover=True, huge_tree=False,
                 remove_comments=True, remove_pis=True)


# ------------------------------------------------------------ pure readers
def sitemaps_in_robots(body: bytes, robots_url: str) -> list[str]:
    """The `Sitemap:` lines of a robots.txt, absolute."""
    return list(dict.fromkeys(sitemap_urls_from_robots(body, base_url=robots_url)))


def read_sitemap(body: bytes, url: str) -> tuple[str, list[tuple[str, str | None]]]:
    """("urlset" | "sitemapindex" | "", [(absolute loc, lastmod or None), ...]).
    A gzipped sitemap (sitemap.xml.gz) is decompressed; anything that is not
    a sitemap gives ("", [])."""
    if body[:2] == b"\x1f\x8b":
        try:
            body = gunzip(body, max_size=MAX_SITEMAP_BYTES)
        except (OSError, ValueError, EOFError):
            return "", []
    if not body.strip():
        return "", []
    try:
        sitemap = Sitemap(body)
    except (lxml.etree.XMLSyntaxError, StopIteration, ValueError):
        return "", []
    if sitemap.type not in ("urlset", "sitemapindex"):
        return "", []
    entries = []
    for entry in sitemap:
        loc = (entry.get("loc") or "").strip()
        if loc:
            entries.append((urljoin(url, loc), (entry.get("lastmod") or "").strip() or None))
    return sitemap.type, entries


def _local(tag) -> str:
    return tag.rpartition("}")[2].lower() if isinstance(tag, str) else ""


def read_feed(body: bytes, url: str) -> list[tuple[str, str | None]]:
    """[(absolute link, published or updated as printed), ...] of an RSS 2.0,
    RSS 1.0 (RDF) or Atom feed; [] for anything else."""
    try:
        root = lxml.etree.fromstring(body, lxml.etree.XMLParser(**_SAFE_XML))
    except (lxml.etree.XMLSyntaxError, ValueError):
        return []
    if root is None or _local(root.tag) not in ("rss", "rdf", "feed"):
        return []
    out = []
    for item in root.iter():
        name = _local(item.tag)
        if name not in ("item", "entry"):
            continue
        link, when = None, None
        for child in item:
            child_name = _local(child.tag)
            if child_name == "link":
                href = child.get("href")
                if href is not None:  # Atom: the alternate link (rel absent or "alternate")
                    if child.get("rel", "alternate") == "alternate" and link is None:
                        link = href.strip()
                elif (child.text or "").strip() and link is None:
                    link = child.text.strip()
            elif child_name in ("pubdate", "published", "updated", "date") and when is None:
                when = (child.text or "").strip() or None
        if link is None and item.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about"):
            link = item.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about")
        if link:
            out.append((urljoin(url, link), when))
    return out


def changed_since(lastmod: str | None, checked_at: str | None) -> bool:
    """Whether a sitemap's `lastmod` (W3C datetime: a date, or a time with
    its offset) is after `checked_at` (UTC ISO). A date alone counts from
    the start of that day in GMT+07; an unreadable one says nothing."""
    if not lastmod or not checked_at:
        return False
    try:
        when = datetime.fromisoformat(lastmod.strip().replace("Z", "+00:00"))
        checked = datetime.fromisoformat(checked_at)
    except ValueError:
        return False
    if when.tzinfo is None:
        when = when.replace(tzinfo=LOCAL)
    if checked.tzinfo is None:
        checked = checked.replace(tzinfo=timezone.utc)
    return when > checked


def feed_links(html: str, url: str) -> list[str]:
    """The feeds a page announces (`<link rel="alternate" type="application/rss+xml">`),
    resolved against its `<base href>`."""
    try:
        doc = lxml.html.fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return []
    base = url
    for b in doc.xpath("//base[@href]"):
        base = urljoin(url, b.get("href"))
        break
    found = []
    for link in doc.xpath("//link[@href]"):
        rels = (link.get("rel") or "").lower().split()
        if "alternate" in rels and (link.get("type") or "").lower().strip() in FEED_TYPES:
            found.append(urljoin(base, link.get("href").strip()))
    return list(dict.fromkeys(found))


# ------------------------------------------------------------ the spider's side
class Discovery:
    """Requests for robots.txt sitemaps and announced feeds, and what their
    answers add: a `DiscoveredUrls` item per document, and requests for the
    URLs the archive does not know yet (through the spider's own scheduling,
    so host, robots and duplicates are handled the same as for links)."""

    def __init__(self, spider, enabled: bool = True):
        self.spider = spider
        self.enabled = enabled
        self.sitemaps_read = 0
        self.feeds_seen: set[str] = set()
        self.last_checks: dict[str, str] | None = None

    def start(self):
        """The robots.txt request (Scrapy's robots middleware reads it too,
        for itself; this one reads its Sitemap lines)."""
        if not self.enabled:
            return
        url = urljoin(self.spider.base_url, "/robots.txt")
        yield scrapy.Request(url, callback=self.parse_robots, errback=self.on_error,
                             dont_filter=True, meta={"discovery": "robots"})

    def parse_robots(self, response):
        found = sitemaps_in_robots(response.body, response.url)
        if not found:
            # No Sitemap line: the conventional place, once (a 404 is no failure).
            found = [urljoin(self.spider.base_url, "/sitemap.xml")]
        for url in found:
            yield from self._sitemap_request(url, depth=0)

    def _sitemap_request(self, url: str, depth: int):
        if depth > MAX_SITEMAP_DEPTH or self.sitemaps_read >= MAX_SITEMAPS:
            return
        if host_of(url) != self.spider.site_host:
            return
        self.sitemaps_read += 1
        yield scrapy.Request(url, callback=self.parse_sitemap, errback=self.on_error,
                             dont_filter=True, meta={"discovery": "sitemap", "depth": depth})

    def parse_sitemap(self, response):
        kind, entries = read_sitemap(response.body, response.url)
        if kind == "sitemapindex":
            for url, _ in entries:
                yield from self._sitemap_request(url, response.meta.get("depth", 0) + 1)
        elif kind == "urlset":
            yield from self._found("sitemap", response, entries)

    def home_page(self, html: str, response):
        """The feeds announced by the home page."""
        if not self.enabled:
            return
        for url in feed_links(html, response.url):
            if url not in self.feeds_seen and host_of(url) == self.spider.site_host:
                self.feeds_seen.add(url)
                yield scrapy.Request(url, callback=self.parse_feed, errback=self.on_error,
                                     dont_filter=True, meta={"discovery": "feed"})

    def parse_feed(self, response):
        yield from self._found("feed", response, read_feed(response.body, response.url))

    def listed(self, page, response) -> DiscoveredUrls | None:
        """The links of a listing page (not its menu and sidebar), recorded
        as the "listing" source."""
        if not self.enabled:
            return None
        site = self.spider.site_host
        urls = list(dict.fromkeys(self.spider._key(link.url) for link in page.links
                                  if not link.in_chrome and is_followable(link.url, site)))
        return DiscoveredUrls(source="listing", found_in=response.url,
                              urls=[(u, None) for u in urls]) if urls else None

    def _found(self, source: str, response, entries):
        spider = self.spider
        on_site = [(spider._key(u), m) for u, m in entries if is_followable(u, spider.site_host)]
        if not on_site:
            return
        yield DiscoveredUrls(source=source, found_in=response.url, urls=on_site)
        # What the archive does not know yet is fetched (in a full run, all of
        # it: every page is fetched again anyway).
        fresh = [u for u, _ in on_site if spider.mode == "full" or (
            u not in spider.known_articles and u not in spider.fetched_before)]
        # An archived page whose lastmod is after its last check changed on the
        # site: re-fetch it tonight rather than when the rolling schedule
        # comes to it.
        fresh += [u for u, lastmod in on_site if u in spider.known_articles
                  and changed_since(lastmod, self._last_checks().get(u))]
        yield from spider._schedule(fresh, response, barren=0)

    def _last_checks(self) -> dict[str, str]:
        """URL -> when the archive last fetched or re-checked it (UTC ISO),
        read once, read-only, from the archive the run writes to."""
        if self.last_checks is None:
            self.last_checks = {}
            path = self.spider.crawler.settings.get("ARCHIVE_DB")
            if path and Path(path).exists():
                conn = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
                try:
                    self.last_checks = {url: when for url, when in conn.execute(
                        "select url, coalesce(checked_at, fetched_at) from articles")}
                except sqlite3.Error:
                    pass  # an archive without checked_at yet: nothing to compare
                finally:
                    conn.close()
        return self.last_checks

    def on_error(self, failure):
        # A missing sitemap or feed is the common case, not a failure of the run.
        self.spider.crawler.stats.inc_value("archiver/discovery_missing")
        self.spider.logger.info("discovery: %s not read (%s)", failure.request.url,
                                type(failure.value).__name__)
