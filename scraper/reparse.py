"""Re-extract every archived article from its stored WARC capture, offline.

Used after an extractor change: nothing is fetched again; what changed
becomes a new version, exactly as a re-crawl would record it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from w3lib.encoding import html_to_unicode

from .archive import Archive, content_hash
from .capture import CaptureTooLarge, read_capture
from .extract import read_page
from .items import FetchedArticle
from .middlewares import prefers_utf8
from .urls import host_of, is_alternate_view, on_host, same_page

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


def decode(body: bytes, content_type: str | None) -> str:
    """The same decision as the crawler: the declared charset, unless the
    bytes are valid UTF-8 under a legacy label."""
    encoding, text = html_to_unicode(content_type, body)
    if prefers_utf8(body, encoding):
        return body.decode("utf-8")
    return text


def _changed_fields(article, old: dict) -> list[str]:
    now = {f: getattr(article, f, None) for f in COMPARED}
    now["image_count"] = len(article.images)
    now["attachment_count"] = len(article.attachments)
    return [f for f in COMPARED if now[f] != old.get(f)]


def reparse(db_path: str, max_bytes: int = 32 * 1024 * 1024, dry_run: bool = False) -> ReparseReport:
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
            try:
                page = read_page(decode(body, headers.get("content-type")), cap["url"])
            except Exception as exc:  # noqa: BLE001 - reported, the run goes on
                report.errors[cap["url"]] = f"extraction error: {type(exc).__name__}: {exc}"
                continue
            article = page.article
            canonical = page.canonical_url
            if article is None or (canonical and is_alternate_view(cap["url"], canonical)):
                continue  # not an article, or an alternate view of one (as the crawler decides)
            if canonical and not same_page(canonical, cap["url"]):
                article.url = cap["url"]  # a mistaken canonical, as the crawler decides
            elif host_of(article.url) == host_of(cap["url"]):
                article.url = on_host(article.url, cap["url"])  # the crawl's spelling of the site
            rows = list(archive.db.query("select * from articles where url = ?", [article.url]))
            old = rows[0] if rows else None
            if old is None and article.kind != "article":
                continue  # an undated page the crawl chose not to keep (a repeat)
            report.articles += 1
            if old is not None and old.get("category") and not article.category:
                article.category = old["category"]  # from the listing, not the page
            if old is None:
                report.new.append(article.url)
            elif content_hash(article) != old["content_hash"]:
                report.changed[article.url] = _changed_fields(article, old) or ["images/attachments"]
            else:
                report.unchanged += 1
            if not dry_run:
                fetched = FetchedArticle(
                    article=article, request_url=old["request_url"] if old else cap["url"],
                    final_url=cap["url"], status=200, fetched_at=cap["fetched_at"],
                    raw_html=body, headers=headers)
                archive.save_article(fetched, run_id=None, store_raw=False)
    finally:
        archive.close()
    return report
