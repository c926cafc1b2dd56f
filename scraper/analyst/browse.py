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
    "fetched_at": "When last fetched (UTC)",
    "first_seen_at": "When first archived (UTC)",
    "updated_at": "When the content last changed (UTC)",
    "run_id": "crawl_runs.id of the last fetch",
}

TABLES = {
    "articles": {
        "description": "One row per archived page of congdoanbackan.org.vn, latest version. "
                       "Search ignores diacritics: 'cong doan' finds 'Công đoàn'.",
        "columns": ARTICLE_COLUMNS,
        "fts_table": FTS_TABLE,
        "fts_pk": "rowid",
        "facets": ["category", "author", "published_date"],
        "sort_desc": "published_at",
        "label_column": "title",
        "size": 50,
    },
    "images": {
        "description": "Images in article bodies, in order",
        "columns": {"article_url": "articles.url", "position": "Order in the body, from 0",
                    "url": "Absolute image URL", "caption": "Caption as printed",
                    "alt": "The img alt text"},
        "facets": ["article_url"],
    },
    "attachments": {
        "description": "Documents and embedded media linked from article bodies",
        "columns": {"article_url": "articles.url", "position": "Order in the body, from 0",
                    "url": "Absolute URL", "text": "Link text", "kind": "pdf, doc, video, ..."},
        "facets": ["kind"],
    },
    "article_versions": {
        "description": "Every distinct version of each article, as JSON (body_html left out)",
    },
    "raw_pages": {
        "description": "Every distinct raw HTML response, gzip-compressed",
    },
    "failures": {
        "description": "URLs that could not be archived, per run",
        "facets": ["http_status"],
    },
    "crawl_runs": {
        "description": "One row per crawl: counts, status and settings (times in UTC)",
        "sort_desc": "id",
    },
    "run_outcomes": {
        "description": "What each run did to each URL: new, updated or unchanged",
        "facets": ["outcome"],
    },
    "articles_per_month": {"description": "Articles per local publication month"},
    "articles_per_category": {"description": "Articles per category"},
    "articles_per_author": {"description": "Articles per author (NULL: none named)"},
    "field_coverage": {
        "description": "Share of articles in which each field was found: "
                       + ", ".join(name for name, _ in COVERED_FIELDS),
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
            f"archive_snippet(f.body_text, highlight({FTS_TABLE}, 3, char(2), char(3))) "
            "AS snippet, a.url",
            [f"(:exact = '' OR {fts.EXACT_WHERE})"], limit=False) + " LIMIT 100",
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
