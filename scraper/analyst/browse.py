"""Datasette on the archive: metadata (descriptions, search, facets, canned queries)
and a launcher.

The metadata is built here rather than kept as a JSON file because Datasette
keys it by database name, which is the file's stem (archive, demo, ...).
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from . import fts
from .fts import FTS_TABLE, MAP_TABLE
from .views import COVERED_FIELDS

PLUGINS = Path(__file__).resolve().parent / "datasette_plugins"  # the search's SQL functions

ARTICLE_COLUMNS = {
    "url": "Canonical URL of the article: the key of every table",
    "title": "Headline as printed",
    "published_at": "Publication time as printed, ISO 8601 with the site's offset (+07:00)",
    "published_date": "Local (GMT+07) publication date, YYYY-MM-DD: group and filter by this, "
                      "not by date(published_at), which SQLite shifts to UTC",
    "published_precision": "What the printed date gave: second, minute or day",
    "dateline": "The date line exactly as printed",
    "is_undated": "1 when the page printed no publication date",
    "kind": "article, or page for static pages without a date line",
    "author": "Author's name only (from the byline); NULL when none is named",
    "author_line": "The byline as printed, with role and unit",
    "source": "Source credited instead of (or beside) an author, e.g. another newspaper",
    "category": "The site's section the article is filed under",
    "description": "Summary from the page's meta description",
    "body_text": "Article text, paragraphs separated by blank lines",
    "body_html": "Article body as cleaned HTML",
    "image_count": "Number of images in the body (see the images table)",
    "attachment_count": "Number of attached documents and embeds (see the attachments table)",
    "content_hash": "SHA-256 of the content fields; a change makes a new version",
    "version": "1 for the first content seen, +1 at each change (see article_versions)",
    "request_url": "URL requested",
    "final_url": "URL after redirects",
    "http_status": "HTTP status of the archived response",
    "etag": "ETag header of the last response, for conditional requests",
    "last_modified": "Last-Modified header of the last response, for conditional requests",
    "fetched_at": "When last fetched (UTC)",
    "first_seen_at": "When first archived (UTC)",
    "updated_at": "When the content last changed (UTC)",
    "run_id": "crawl_runs.id of the last fetch",
    "removed_at": "When a re-check first found the page gone from the site (UTC); NULL: online",
    "checked_at": "When the page was last re-checked (UTC)",
    "origin": "Where the row was fetched: live, or the replay prefix of a web archive",
    "capture_timestamp": "A web archive's 14-digit capture timestamp (imports only)",
    "replay_url": "The web archive URL the capture was fetched from (imports only)",
}
# The facts about the file itself that images and attachments rows carry.
MEDIA_FACTS = {
    "sha256": "SHA-256 of the file's bytes, when held (see media_files)",
    "size": "Size of the file in bytes, when held",
    "content_type": "Content-Type the file was served with",
    "fetch_status": "Whether the file is held: see media_files.status",
}
RUN_LINK = "crawl_runs.id of the run"

VERSION_COLUMNS = {
    "url": "The article (articles.url)", "version": "1, 2, ...: articles.version",
    "content_hash": "SHA-256 of the content fields of this version",
    "fetched_at": "When this version was fetched (UTC)", "run_id": RUN_LINK,
    "record_json": "The version's fields as JSON (an Article: body_text, body_html, images, ...)",
    "words_added": "Words of body text added since the previous version",
    "words_removed": "Words of body text removed since the previous version",
    "origin": ARTICLE_COLUMNS["origin"],
    "capture_timestamp": ARTICLE_COLUMNS["capture_timestamp"],
    "replay_url": ARTICLE_COLUMNS["replay_url"],
}
TABLES = {
    "articles": {
        "description": "One row per archived page of congdoanbackan.org.vn, latest version. "
                       "Search (_search) ignores case and marks when typed without them: "
                       "'cong doan' finds 'Công đoàn'. Typed with marks, words are taken "
                       "exactly as typed ('Đảng' misses 'đang'): type without marks here, "
                       "or use the search query for ranking.",
        "columns": ARTICLE_COLUMNS,
        "fts_table": FTS_TABLE,
        "fts_pk": "rowid",
        "facets": ["category", "author", "published_date"],
        "sort_desc": "published_at",
        "label_column": "title",
        "size": 50,
    },
    "images": {
        "description": "Photos in article bodies, in order, with caption and alt text",
        "columns": {"article_url": "The article (articles.url)",
                    "position": "Order in the body, from 0",
                    "url": "Absolute image URL", "caption": "Caption as printed",
                    "alt": "The img alt text", **MEDIA_FACTS},
        "facets": ["article_url"],
    },
    "attachments": {
        "description": "Documents and embedded media linked from article bodies",
        "columns": {"article_url": "The article (articles.url)",
                    "position": "Order in the body, from 0",
                    "url": "Absolute URL", "text": "Link text", "kind": "pdf, doc, video, ...",
                    **MEDIA_FACTS},
        "facets": ["kind"],
    },
    "article_versions": {
        "description": "Every distinct version of each article, with its record as JSON "
                       "(a view: the current version's record is built from its articles row)",
        "columns": VERSION_COLUMNS,
    },
    "article_version_rows": {
        "description": "What article_versions reads: each version's metadata, and the record "
                       "of each version no longer current (the current one's is NULL: it is "
                       "the articles row)",
        "columns": {**VERSION_COLUMNS,
                    "record_json": "The version's fields as JSON; NULL for the current version"},
    },
    "raw_pages": {
        "description": "Every distinct raw HTML response, gzip-compressed",
        "columns": {
            "id": "Row number", "url": "URL requested", "final_url": "URL after redirects",
            "http_status": "HTTP status", "fetched_at": "When first fetched with these bytes (UTC)",
            "last_fetched_at": "When last fetched with these bytes (UTC)",
            "fetch_count": "How many fetches returned these bytes",
            "sha256": "SHA-256 of the raw bytes", "encoding": "Character encoding used to decode",
            "content_type": "Content-Type header",
            "html_gz": "Empty in new rows: the raw bytes are kept once, in the WARC (see captures); "
                       "archives made before 2026-12 held a gzipped copy here",
        },
    },
    "failures": {
        "description": "URLs that could not be archived, per run (the URL is linked to articles "
                       "when an earlier or later fetch did archive it)",
        "columns": {
            "id": "Row number", "run_id": RUN_LINK, "url": "URL that failed",
            "http_status": "HTTP status, when there was a response",
            "error": "What went wrong, in one line", "attempts": "Attempts made",
            "failed_at": "When (UTC)", "referer": "The page that linked to it",
        },
        "facets": ["http_status"],
    },
    "crawl_runs": {
        "description": "One row per crawl: counts, status and settings (times in UTC)",
        "columns": {
            "id": "Run number", "started_at": "Start (UTC)", "finished_at": "End (UTC)",
            "base_url": "Site crawled", "mode": "Kind of run (incremental, full, ...)",
            "pages_fetched": "Pages fetched", "articles_new": "New articles",
            "articles_updated": "Articles with a new version",
            "articles_unchanged": "Articles fetched again, unchanged",
            "failures": "URLs that failed", "not_modified": "304 Not Modified answers",
            "exit_status": "The crawl's exit status (0 ok, 1 degraded, 2 bad input, 3 locked)",
            "status": "Verdict in a word", "message": "Verdict in a sentence",
            "settings_json": "The settings the run used, as JSON",
            "rechecked": "Archived pages re-checked", "rechecked_changed": "Re-checks that found a change",
            "removed": "Pages found removed from the site",
            "links_seen": "Links seen on the pages fetched",
            "links_unaccounted": "Links neither followed nor deliberately skipped",
            "link_outcomes_json": "What happened to the links seen, counted by outcome (JSON)",
        },
        "sort_desc": "id",
    },
    "run_outcomes": {
        "description": "What each run did to each URL: new, updated or unchanged",
        "columns": {"run_id": RUN_LINK, "url": "The article (articles.url)",
                    "outcome": "new, updated, unchanged, ..."},
        "facets": ["outcome"],
    },
    "captures": {
        "description": "Index of the WARC records: where each fetched response is stored",
        "columns": {
            "id": "Row number", "url": "URL as in the record's WARC-Target-URI",
            "fetched_at": "When fetched (UTC)", "http_status": "HTTP status",
            "content_type": "Content-Type header", "warc_file": "WARC file name",
            "warc_offset": "Byte offset of the record in the WARC file",
            "warc_length": "Length of the record in bytes", "record_id": "WARC-Record-ID",
            "payload_digest": "WARC-Payload-Digest", "run_started_at": "Start of the run (UTC)",
            "record_type": "response, or revisit for bytes already stored",
            "refers_to": "For a revisit: the record holding the bytes",
            "replay_url": "For an import: the web archive URL the capture came from",
        },
    },
    "media_files": {
        "description": "One row per photo or attachment file the articles link: held or not, "
                       "and where its bytes are",
        "columns": {
            "url": "File URL", "role": "image or attachment",
            "status": "Fetch status (held, failed, over budget, ...)", "http_status": "HTTP status",
            "sha256": "SHA-256 of the bytes", "size": "Size in bytes",
            "content_type": "Content-Type served", "extension": "File extension",
            "error": "Why it is not held, in one line", "fetched_at": "When fetched (UTC)",
            "failed_runs": "Runs in which fetching it failed", "warc_file": "WARC file holding it",
            "warc_offset": "Byte offset of its record", "run_id": RUN_LINK,
        },
        "facets": ["status", "role"],
    },
    "rechecks": {
        "description": "Re-checks of archived pages: one row per conditional request",
        "columns": {
            "id": "Row number", "run_id": RUN_LINK, "url": "Page re-checked",
            "checked_at": "When (UTC)", "http_status": "HTTP status answered",
            "outcome": "not_modified, unchanged, changed, removed, still_removed or restored",
            "detail": "More about the outcome",
        },
        "facets": ["outcome"],
    },
    "imported_captures": {
        "description": "Web archive captures an import has taken in (so a rerun skips them)",
        "columns": {
            "origin": "Replay prefix of the web archive", "url": "Original URL",
            "timestamp": "14-digit capture timestamp", "digest": "The archive's content digest",
            "status": "HTTP status of the capture", "outcome": "What the import did with it",
            "run_id": RUN_LINK, "imported_at": "When (UTC)",
        },
    },
    "discovered_urls": {
        "description": "URLs named by some source (sitemap, feed, listing page, web archive "
                       "import), one row per URL and source: what the completeness report "
                       "checks the archive against",
        "columns": {
            "url": "URL named", "source": "sitemap, feed, listing, import, ...",
            "found_in": "The document that named it", "lastmod": "Its lastmod or publication "
            "time as printed there", "first_seen_at": "First seen (UTC)",
            "last_seen_at": "Last seen (UTC)", "first_run_id": "crawl_runs.id that first saw it",
            "last_run_id": "crawl_runs.id that last saw it",
        },
        "facets": ["source"],
    },
    "articles_per_month": {
        "description": "Articles per local publication month",
        "columns": {"month": "YYYY-MM (local)", "articles": "Articles",
                    "first_date": "Earliest date in the month", "last_date": "Latest date"},
    },
    "articles_per_category": {
        "description": "Articles per category",
        "columns": {"category": "The site's section", "articles": "Articles",
                    "first_date": "Earliest publication date", "last_date": "Latest"},
    },
    "articles_per_author": {
        "description": "Articles per author (NULL: none named)",
        "columns": {"author": "Author (co-authors count for each)", "articles": "Articles",
                    "first_date": "Earliest publication date", "last_date": "Latest"},
    },
    "field_coverage": {
        "description": "Share of articles in which each field was found: "
                       + ", ".join(name for name, _ in COVERED_FIELDS),
        "columns": {"position": "Order", "field": "Field", "articles": "Articles",
                    "filled": "Articles with the field", "percent": "filled / articles, %"},
    },
    "article_changes": {
        "description": "Every new version of an archived page, by the local night it was captured",
        "columns": {"night": "Local (GMT+07) date of the night", "url": "The article",
                    "title": "Title", "version": "Version number", "fetched_at": "When (UTC)",
                    "run_id": RUN_LINK, "words_added": "Words added", "words_removed": "Words removed",
                    "words_changed": "Words added + removed"},
    },
    "removed_articles": {
        "description": "Articles the site no longer serves (kept here)",
        "columns": {"url": "The article", "title": "Title", "published_date": "Local date",
                    "category": "Category", "removed_at": "When found gone (UTC)",
                    "checked_at": "Last re-check (UTC)", "version": "Latest version held"},
    },
    MAP_TABLE: {"hidden": True},
}

QUERIES = {
    "latest_articles": {
        "title": "Latest articles",
        "description": "The 50 most recently published articles",
        "sql": "select published_date, title, category, author, image_count, url\n"
               "from articles where kind = 'article'\n"
               "order by published_at desc limit 50",
    },
    "articles_per_month": {
        "title": "Articles per month",
        "description": "By local publication month (published_date, GMT+07)",
        "sql": "select substr(published_date, 1, 7) as month, count(*) as articles\n"
               "from articles where kind = 'article' and published_date is not null\n"
               "group by month order by month",
    },
    "search": {
        "title": "Search articles",
        "description": "Full-text search as `python -m scraper search` does it: case and marks "
                       "ignored (đ too); words typed with marks rank their exact form first; "
                       "AND (implied), OR, NOT, \"phrases\", prefix*, (groups). "
                       "exact: any text keeps only articles holding the marked words as typed.",
        "sql": fts.search_sql(
            "a.published_date, a.title, a.category, a.author, "
            "archive_snippet(:q, a.body_text) AS snippet, a.url",
            [f"(:exact = '' OR {fts.EXACT_WHERE})"]) + " LIMIT 100",
        "params": ["q", "exact"],
    },
}


def metadata(db_path: str | Path) -> dict:
    """Datasette metadata for the archive at ``db_path``."""
    name = Path(db_path).stem
    return {
        "title": "congdoanbackan.org.vn archive",
        "description": "Articles of the Bắc Kạn provincial labour federation's site, "
                       "archived by this project's crawler. Dates are local (GMT+07).",
        "databases": {name: {"tables": TABLES, "queries": QUERIES}},
    }


def serve(db_path: str | Path, *, host: str = "127.0.0.1", port: int = 8001,
          extra: list[str] | None = None) -> int:
    """Run Datasette on ``db_path`` in this process until interrupted."""
    from datasette.cli import cli

    with tempfile.TemporaryDirectory(prefix="scraper-browse-") as tmp:
        meta = Path(tmp) / "metadata.json"
        meta.write_text(json.dumps(metadata(db_path), ensure_ascii=False, indent=2),
                        encoding="utf-8")
        args = ["serve", os.fspath(db_path), "--metadata", os.fspath(meta),
                "--plugins-dir", os.fspath(PLUGINS),
                "--host", host, "--port", str(port),
                "--setting", "sql_time_limit_ms", "5000", *(extra or [])]
        try:
            cli.main(args=args, prog_name="datasette", standalone_mode=False)
        except KeyboardInterrupt:
            pass
    return 0
