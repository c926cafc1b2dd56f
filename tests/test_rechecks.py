"""The rolling re-check schedule and the readable diff, on small inputs
(issue 15, 3 and 4); the crawls that use them are in test_removals.py."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from scraper.archive import Archive
from scraper.archive.rechecks import merge_targets, rolling_targets
from scraper.history import compare, word_change

NOW = datetime(2026, 12, 2, 2, 17, tzinfo=timezone.utc)


def archive_with(tmp_path, checked: dict[str, float | None], removed=()):
    """An archive whose pages were last checked `days` before NOW (None: never)."""
    archive = Archive(tmp_path / "a.db")
    for url, days in checked.items():
        at = (NOW - timedelta(days=days)).isoformat(timespec="seconds") if days is not None else None
        archive.db["articles"].insert({"url": url, "kind": "article", "fetched_at": "2020-01-01T00:00:00+00:00",
                                       "checked_at": at, "etag": f'"{url}"',
                                       "removed_at": "2026-11-30T00:00:00+00:00" if url in removed else None})
    return archive


def test_each_night_takes_a_seventh_least_recently_checked_first(tmp_path):
    archive = archive_with(tmp_path, {f"u{i:02d}": i / 10 for i in range(14)})
    try:
        urls = [t["url"] for t in rolling_targets(archive.db, 7, now=NOW)]
        assert urls == ["u13", "u12"]  # 14 pages / 7 nights, the oldest checks
        assert rolling_targets(archive.db, 0, now=NOW) == []
    finally:
        archive.close()


def test_overdue_pages_all_come_and_removed_pages_first(tmp_path):
    pages = {f"u{i:02d}": 1.0 for i in range(14)}
    pages.update({"old1": 9.0, "old2": 8.0, "never": None, "gone": 0.5})
    archive = archive_with(tmp_path, pages, removed={"gone"})
    try:
        urls = [t["url"] for t in rolling_targets(archive.db, 7, now=NOW)]
        # A missed week is made up at once; the quota (18 / 7 -> 3) is a floor.
        assert urls[0] == "gone" and set(urls[1:4]) == {"never", "old1", "old2"}
        assert len(urls) == 4
        assert rolling_targets(archive.db, 7, now=NOW)[0]["etag"] == '"gone"'
    finally:
        archive.close()


def test_merge_keeps_each_url_once_first_list_winning():
    a = [{"url": "x", "etag": "1"}]
    b = [{"url": "x", "etag": "2"}, {"url": "y", "etag": None}]
    assert merge_targets(a, b) == [{"url": "x", "etag": "1"}, {"url": "y", "etag": None}]


def test_word_change_counts_words_added_and_removed():
    assert word_change("Một hai ba", "Một hai ba bốn năm") == (2, 0)
    assert word_change("Một hai ba", "Một ba") == (0, 1)
    assert word_change(None, "Một") == (1, 0) and word_change("a b", "a b") == (0, 0)


def test_compare_shows_fields_images_and_a_paragraph_diff():
    old = {"title": "Đại hội", "published_at": "2024-12-01T07:29:00+07:00", "author": "A",
           "body_text": "Đoạn một.\n\nĐoạn hai.", "images": [{"url": "u/1.jpg", "caption": "Ảnh."}]}
    new = dict(old, title="Đại hội lần II", author="B", body_text="Đoạn một.\n\nĐoạn hai đã sửa.",
               images=[{"url": "u/1.jpg", "caption": "Ảnh."}, {"url": "u/2.jpg", "caption": None}])
    change = compare(old, new, "version 1", "version 2")
    assert "title: 'Đại hội' → 'Đại hội lần II'" in change.field_lines
    assert "author: 'A' → 'B'" in change.field_lines
    assert "images: 1 → 2\n  + u/2.jpg" in change.field_lines
    assert not [line for line in change.field_lines if line.startswith("published_at")]
    assert change.diff[:2] == ["--- version 1", "+++ version 2"]
    assert "-Đoạn hai." in change.diff and "+Đoạn hai đã sửa." in change.diff
    assert " Đoạn một." in change.diff and (change.words_added, change.words_removed) == (3, 1)
