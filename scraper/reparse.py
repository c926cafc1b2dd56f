"""Re-extract every archived article from its stored WARC capture, offline.

Used after an extractor change: nothing is fetched again; what changed
becomes a new version, exactly as a re-crawl would record it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from .archive import Archive, provenance
from .capture import CaptureTooLarge, read_capture
from .items import FetchedArticle
from .policy import FetchContext, read
from .sources import replay

COMPARED = ("title", "published_at", "author", "author_line", "source", "category",
            "body_text", "kind", "image_count", "attachment_count")


@dataclass
class ReparseReport:
    captures: int = 0
    articles: int = 0
    unchanged: int = 0
    skipped: int = 0
    changed: dict[str, list[str]] = field(default_factory=dict)  # url -> changed fields
    new: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)


class _DryRun(Exception):
    """Raised inside a write to roll it back: the outcome is known, nothing kept."""


def _changed_fields(article, old: dict) -> list[str]:
    now = {f: getattr(article, f, None) for f in COMPARED}
    now["image_count"] = len(article.images)
    now["attachment_count"] = len(article.attachments)
    return [f for f in COMPARED if now[f] != old.get(f)]


def _site_root(url: str) -> str:
    """The crawl's spelling of the site, as captured (captures keep the URL as fetched)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/", "", ""))


def reparse(db_path: str, max_bytes: int = 32 * 1024 * 1024, dry_run: bool = False) -> ReparseReport:
    """Read every latest HTML capture again through the crawl's own policy
    (`scraper.policy.read`) and store what comes out as the crawl would."""
    archive = Archive(db_path)
    report = ReparseReport()
    try:
        captures = list(archive.db.query(
            "select * from captures c where http_status = 200 and content_type like '%html%' "
            "and id = (select max(id) from captures where url = c.url and http_status = 200) "
            "order by id"))
        refused = archive.failed_urls()
        for cap in captures:
            report.captures += 1
            if cap["url"] in refused:
                report.skipped += 1  # the crawl recorded it as a failure: not an article to add
                continue
            try:
                body, headers = read_capture(db_path, cap["warc_file"], cap["warc_offset"], max_bytes)
            except CaptureTooLarge:
                report.skipped += 1  # over the size cap, as the crawl itself would skip it
                continue
            except (OSError, ValueError, StopIteration) as exc:
                report.errors[cap["url"]] = f"{type(exc).__name__}: {exc}"
                continue
            source = provenance.of_capture(cap)
            if source["replay_url"] and replay.is_rewritten(body):
                body = replay.unrewrite(body, source["origin"])  # as the wayback import read it
            ctx = FetchContext(linked_url=cap["url"], final_url=cap["url"],
                               base_url=_site_root(cap["url"]))
            try:
                decision, encoding = read(body, headers.get("content-type"), ctx)
            except Exception as exc:  # noqa: BLE001 - reported, the run goes on
                report.errors[cap["url"]] = f"extraction error: {type(exc).__name__}: {exc}"
                continue
            article = decision.article
            if article is None:
                continue  # not an article, or an alternate view of one (as the crawler decides)
            rows = list(archive.db.query("select * from articles where url = ?", [article.url]))
            old = rows[0] if rows else None
            if old is None and article.kind != "article":
                continue  # an undated page the crawl chose not to keep (a repeat)
            report.articles += 1
            fetched = FetchedArticle(
                article=article, request_url=old["request_url"] if old else cap["url"],
                final_url=cap["url"], status=200, fetched_at=cap["fetched_at"],
                raw_html=body, encoding=encoding, headers=headers, **source)
            outcome = _save(archive, fetched, dry_run)
            if outcome == "new":
                report.new.append(article.url)
            elif outcome == "updated":
                report.changed[article.url] = _changed_fields(article, old) or ["images/attachments"]
            else:
                report.unchanged += 1
    finally:
        archive.close()
    return report


def _save(archive: Archive, fetched: FetchedArticle, dry_run: bool) -> str:
    """The archive's own write (and its outcome); rolled back on a dry run."""
    if not dry_run:
        return archive.save_article(fetched, run_id=None, store_raw=False)
    outcome = None
    try:
        with archive.db.atomic():
            outcome = archive.save_article(fetched, run_id=None, store_raw=False)
            raise _DryRun
    except _DryRun:
        return outcome
