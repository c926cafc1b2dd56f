"""URLs known from some source (sitemap, feed, listing page, web-archive
import) and the completeness report: every such URL the archive does not
hold, with the reason.

`discovered_urls` keeps one row per (URL, source): the document that named
it, its lastmod or publication time as printed, and the first and last run
that saw it. The report joins it with what the archive knows of each URL
(`articles`, `failures`, `captures`) to say why it is not held.
"""
from __future__ import annotations

DISCOVERED_COLUMNS = {"url": str, "source": str, "found_in": str, "lastmod": str,
                      "first_seen_at": str, "last_seen_at": str, "first_run_id": int,
                      "last_run_id": int}


def apply_schema(db) -> None:
    """Migration step: the discovered_urls table. Idempotent."""
    db["discovered_urls"].create(DISCOVERED_COLUMNS, pk=("url", "source"), if_not_exists=True)
    db["discovered_urls"].create_index(["last_run_id"], if_not_exists=True)


def record(db, *, source: str, found_in: str, urls, run_id: int | None, seen_at: str) -> None:
    """Upsert (url, lastmod) pairs named by one document; inside the caller's transaction."""
    for url, lastmod in urls:
        db.execute(
            "insert into discovered_urls (url, source, found_in, lastmod, first_seen_at, "
            "last_seen_at, first_run_id, last_run_id) values (?, ?, ?, ?, ?, ?, ?, ?) "
            "on conflict (url, source) do update set found_in = excluded.found_in, "
            "lastmod = coalesce(excluded.lastmod, lastmod), last_seen_at = excluded.last_seen_at, "
            "last_run_id = excluded.last_run_id",
            [url, source, found_in, lastmod, seen_at, seen_at, run_id, run_id])


# Why a known URL is not held, from what the archive knows of it; checked in order.
_REASON_SQL = """
WITH known(url, sources) AS (
  SELECT url, group_concat(source, ',') FROM (
    SELECT url, source FROM discovered_urls
    {imported}
  ) GROUP BY url
),
held(url) AS (
  -- One set built once: an OR across the three columns would scan articles
  -- for every known URL (quadratic: hours at 20,000 articles).
  SELECT url FROM articles UNION SELECT request_url FROM articles
  UNION SELECT final_url FROM articles
),
missing AS (
  SELECT k.url, k.sources FROM known k WHERE k.url NOT IN (SELECT url FROM held WHERE url IS NOT NULL)
)
SELECT m.url, m.sources,
  (SELECT f.error FROM failures f WHERE f.url = m.url ORDER BY f.id DESC LIMIT 1) AS failure,
  (SELECT c.http_status FROM captures c WHERE c.url = m.url
   ORDER BY c.fetched_at DESC LIMIT 1) AS last_status
FROM missing m ORDER BY m.url
"""


def _reason(failure: str | None, last_status: int | None) -> str:
    if failure:
        return f"failed: {failure}"
    if last_status is None:
        return "never fetched: not followed by any run yet, or refused by robots.txt"
    if 200 <= last_status < 300:
        return "fetched, not an article (a listing, a category, or not a page)"
    if 300 <= last_status < 400:
        return f"redirected (HTTP {last_status}) to a page kept under another URL, or gone"
    return f"HTTP {last_status}"


def completeness(db) -> list[dict]:
    """Every URL named by a source that the archive does not hold:
    [{"url", "sources", "reason"}], by URL."""
    tables = set(db.table_names()) if hasattr(db, "table_names") else {
        r[0] for r in db.execute("select name from sqlite_master where type = 'table'")}
    if "discovered_urls" not in tables:
        return []
    imported = ("UNION SELECT url, 'web archive' FROM imported_captures"
                if "imported_captures" in tables else "")
    rows = db.execute(_REASON_SQL.format(imported=imported)).fetchall()
    return [{"url": url, "sources": ",".join(sorted(set(sources.split(",")))),
             "reason": _reason(failure, status)} for url, sources, failure, status in rows]
