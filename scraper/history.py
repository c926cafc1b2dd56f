"""An article's versions made readable: what changed between two captures.

Pure functions over the records kept in ``article_versions.record_json``
(an ``Article`` as a dict): a unified diff of the body text, paragraph by
paragraph, one line per changed field besides it (title, time, author, images,
...), and the size of a change in words. ``scraper/cli_history.py`` prints
them; the archive stores the size with each version (``words_added``,
``words_removed``) so that the ``article_changes`` view can rank a night's
edits without reading any body.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass

# Fields shown as "old → new" lines when they differ (body_text gets a diff;
# body_html is the same change in markup, so it is left out).
FIELDS = ("title", "published_at", "dateline", "author", "author_line", "source", "category",
          "kind")


def word_change(old: str | None, new: str | None) -> tuple[int, int]:
    """(words added, words removed) from ``old`` to ``new``."""
    a, b = (old or "").split(), (new or "").split()
    if not a or not b:  # a first version, or a body emptied: no matching to do
        return len(b), len(a)
    added = removed = 0
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op in ("replace", "delete"):
            removed += i2 - i1
        if op in ("replace", "insert"):
            added += j2 - j1
    return added, removed


def body_diff(old: str | None, new: str | None, old_label: str, new_label: str) -> list[str]:
    """A unified diff of two body texts, one paragraph per line (paragraphs
    are separated by blank lines in ``body_text``)."""
    def paragraphs(text):
        return [p.strip() for p in (text or "").split("\n\n") if p.strip()]
    return list(difflib.unified_diff(paragraphs(old), paragraphs(new), old_label, new_label,
                                     n=1, lineterm=""))


def _images(record: dict) -> list[tuple]:
    return [(i.get("url"), i.get("caption")) for i in record.get("images") or []]


@dataclass(frozen=True)
class Change:
    field_lines: list[str]  # "title: old → new", "images: 1 → 2 (+url, -url)"
    diff: list[str]  # unified diff of the body text
    words_added: int
    words_removed: int


def compare(old: dict, new: dict, old_label: str = "a", new_label: str = "b") -> Change:
    lines = []
    for name in FIELDS:
        if old.get(name) != new.get(name):
            lines.append(f"{name}: {old.get(name)!r} → {new.get(name)!r}")
    old_images, new_images = _images(old), _images(new)
    if old_images != new_images:
        gone = [u for u, _ in old_images if u not in {v for v, _ in new_images}]
        came = [u for u, _ in new_images if u not in {v for v, _ in old_images}]
        detail = "".join([f"\n  - {u}" for u in gone] + [f"\n  + {u}" for u in came])
        lines.append(f"images: {len(old_images)} → {len(new_images)}"
                     + (detail or " (captions or order changed)"))
    old_att = [a.get("url") for a in old.get("attachments") or []]
    new_att = [a.get("url") for a in new.get("attachments") or []]
    if old_att != new_att:
        lines.append(f"attachments: {len(old_att)} → {len(new_att)}")
    added, removed = word_change(old.get("body_text"), new.get("body_text"))
    return Change(lines, body_diff(old.get("body_text"), new.get("body_text"), old_label, new_label),
                  added, removed)


def versions(db, url: str) -> list[dict]:
    """The versions of ``url`` with how each was captured: the run (its mode)
    or a reparse, and the WARC record of that fetch when one is indexed."""
    import json

    rows = db.execute(
        "select v.version, v.fetched_at, v.run_id, v.record_json, r.mode, "
        "(select c.warc_file || ':' || c.warc_offset from captures c "
        "  where c.url in (v.url, a.request_url, a.final_url) and c.http_status = 200 "
        "  and c.fetched_at <= v.fetched_at order by c.fetched_at desc limit 1) "
        "from article_versions v left join crawl_runs r on r.id = v.run_id "
        "left join articles a on a.url = v.url where v.url = ? order by v.version", [url]).fetchall()
    out = []
    for version, fetched_at, run_id, record, mode, warc in rows:
        source = (f"crawl run {run_id} ({mode})" if run_id is not None and mode
                  else f"run {run_id}" if run_id is not None else "reparse or import")
        out.append({"version": version, "fetched_at": fetched_at, "source": source,
                    "warc": warc, "record": json.loads(record)})
    return out
