"""The columns of the archive's main tables, as they are today.

Migration step 1 creates the tables from these dicts. A column added here
later needs a new migration step too (see ``migrations``): archives that
already passed step 1 never run it again.
"""
from __future__ import annotations

ARTICLE_COLUMNS = {
    "url": str, "title": str, "published_at": str, "published_date": str,
    "published_precision": str, "dateline": str, "is_undated": int, "kind": str,
    "author": str, "author_line": str, "source": str, "category": str,
    "description": str, "body_text": str, "body_html": str, "image_count": int,
    "attachment_count": int, "content_hash": str, "version": int,
    "request_url": str, "final_url": str, "http_status": int, "etag": str,
    "last_modified": str, "fetched_at": str,
    "first_seen_at": str, "updated_at": str, "run_id": int,
}
RUN_COLUMNS = {
    "id": int, "started_at": str, "finished_at": str, "base_url": str, "mode": str,
    "pages_fetched": int, "articles_new": int, "articles_updated": int,
    "articles_unchanged": int, "failures": int, "not_modified": int, "exit_status": int,
    "status": str, "message": str, "settings_json": str,
}
# The index of the WARC records (scraper.capture writes the rows).
# Migration step 6 adds "record_type" ("response" or "revisit") and "refers_to"
# (the record a revisit repeats) to every file, new or old, so that an
# upgraded archive and a fresh one have the same schema (scraper/archive/media.py).
CAPTURE_COLUMNS = {
    "id": int, "url": str, "fetched_at": str, "http_status": int, "content_type": str,
    "warc_file": str, "warc_offset": int, "warc_length": int, "record_id": str,
    "payload_digest": str, "run_started_at": str,
}
