"""Versions hold what changed (scraper/archive/versions.py): the current
version's record is its articles row, the records it replaced are kept in
their version rows, and readers see every record as before. On real SQLite
files; the conversion of an archive written by the previous schema is tested
on one with several versions of one article."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import asdict, fields
from pathlib import Path

import pytest
import sqlite_utils

from scraper.archive import Archive, content_hash, migrations, versions
from scraper.history import compare
from scraper.history import versions as history_versions
from scraper.items import Article, Attachment, FetchedArticle, Image

URL = "https://congdoanbackan.org.vn/hoi-nghi.html"
SITE = "https://congdoanbackan.org.vn/"
# The step that converts archives (12).
STEP = next(s.version for s in migrations.STEPS if s.apply is versions.apply_schema)


def article(body: str, *, title="Hội nghị", url=URL, images=None, attachments=None, **kw):
    return Article(
        url=url, title=title, published_at="2023-12-01T07:29:00+07:00",
        published_date="2023-12-01", published_precision="minute",
        dateline="Cập nhật lúc 07:29 - 01/12/2023 (GMT +07:00)", body_text=body,
        body_html="".join(f"<p>{p}</p>" for p in body.split("\n\n")), category="Tin tức",
        images=images if images is not None else [
            Image(url=SITE + "a.jpg", caption="Ảnh. A", position=0)],
        attachments=attachments or [], **kw)


def fetched(art: Article, at: str, **kw) -> FetchedArticle:
    return FetchedArticle(article=art, request_url=art.url, final_url=art.url, status=200,
                          fetched_at=at, raw_html=art.body_text.encode(), **kw)


def record(art: Article) -> str:
    """What the previous schema stored in every version row."""
    return json.dumps(asdict(art), ensure_ascii=False)


def stored(db, url=URL) -> list[tuple[int, str | None]]:
    return [tuple(r) for r in db.execute(
        f"select version, record_json from {versions.STORED} where url = ? order by version",
        [url])]


def seen(db, url=URL) -> dict[int, str]:
    return dict(db.execute("select version, record_json from article_versions where url = ? "
                           "order by version", [url]).fetchall())


# Every character json.dumps escapes (controls, quote, backslash) beside
# Vietnamese, an emoji and a line separator, which it writes as they are.
AWKWARD = ("Dòng một \"trích\" \\ gạch\n\nTab\there\r\x00\x01\x1f\x7f / \u2028 😀 Bắc Kạn")


def test_the_record_fields_are_the_article_s():
    assert versions.RECORD_FIELDS == tuple(f.name for f in fields(Article)
                                           if f.name not in ("images", "attachments"))
    assert versions.IMAGE_FIELDS == tuple(f.name for f in fields(Image))
    assert versions.ATTACHMENT_FIELDS == tuple(f.name for f in fields(Attachment))


@pytest.mark.parametrize("art", [
    article("Đoạn một.\n\nĐoạn hai."),
    article(AWKWARD, title=AWKWARD, author='Bùi "Thanh" Thủy', images=[], attachments=[]),
    # Images out of order in the list: the record keeps the list's order,
    # which is the order of position.
    article("Ảnh.", images=[Image(url=SITE + f"{i}.jpg", caption=None if i % 2 else f"Ảnh {i}",
                                  alt="x\ty", position=i) for i in range(12)],
            attachments=[Attachment(url=SITE + "d.pdf", text="Tải về", kind="pdf", position=0),
                         Attachment(url=SITE + "v", text=None, kind=None, position=1)]),
    article("", title=None, kind="page", images=[]),
], ids=["plain", "escapes", "children", "empty"])
def test_the_current_record_is_rebuilt_byte_for_byte(tmp_path, art):
    archive = Archive(tmp_path / "a.db")
    try:
        assert archive.save_article(fetched(art, "2024-01-01T00:00:00+00:00")) == "new"
        assert stored(archive.db) == [(1, None)]  # no second copy of the row
        assert seen(archive.db) == {1: record(art)}
    finally:
        archive.close()


def test_each_version_keeps_its_record_and_only_the_current_one_lives_in_the_row(tmp_path):
    archive = Archive(tmp_path / "a.db")
    saved = [article("Đoạn một."),
             article("Đoạn một, đã sửa.\n\nĐoạn hai.", title="Hội nghị (sửa)"),
             article("Đoạn một, đã sửa.\n\nĐoạn hai.", title="Hội nghị (sửa)", images=[]),
             article("Đoạn một.")]  # back to the first content: a version of its own
    try:
        run = archive.start_run(SITE, "full")
        for n, art in enumerate(saved):
            outcome = archive.save_article(fetched(art, f"2024-01-0{n + 1}T00:00:00+00:00"), run)
            assert outcome == ("new" if n == 0 else "updated")
            assert archive.save_article(
                fetched(art, f"2024-01-0{n + 1}T12:00:00+00:00"), run) == "unchanged"
        assert stored(archive.db) == [(1, record(saved[0])), (2, record(saved[1])),
                                      (3, record(saved[2])), (4, None)]
        assert seen(archive.db) == {n + 1: record(a) for n, a in enumerate(saved)}
        assert archive.db["articles"].get(URL)["version"] == 4
        changes = archive.db.execute("select version, words_added, words_removed "
                                     "from article_changes order by version").fetchall()
        assert changes == [(2, 5, 1), (3, 0, 0), (4, 1, 5)]
    finally:
        archive.close()


def test_a_write_that_does_not_commit_loses_no_record(tmp_path):
    """A run killed inside save_article leaves its transaction uncommitted:
    the superseded record and the new content go, or stay, together."""
    path = tmp_path / "a.db"
    archive = Archive(path)
    first, second = article("Đoạn một."), article("Đoạn hai, mới.")
    try:
        archive.save_article(fetched(first, "2024-01-01T00:00:00+00:00"))
        with pytest.raises(KeyboardInterrupt):
            with archive.db.atomic():
                archive.save_article(fetched(second, "2024-01-02T00:00:00+00:00"))
                raise KeyboardInterrupt
    finally:
        archive.close()
    db = sqlite3.connect(path)
    assert stored(db) == [(1, None)] and seen(db) == {1: record(first)}
    db.close()


def test_an_older_capture_imported_later_keeps_its_record_and_the_row_its_version(tmp_path):
    archive = Archive(tmp_path / "a.db")
    live, older = article("Bản đang có."), article("Bản cũ hơn.")
    try:
        archive.save_article(fetched(live, "2025-06-01T00:00:00+00:00"))
        archive.save_article(fetched(older, "2024-03-01T00:00:00+00:00",
                                     origin="https://web.archive.org/web/",
                                     capture_timestamp="20240301000000"))
        assert stored(archive.db) == [(1, record(older)), (2, None)]
        assert archive.db["articles"].get(URL)["version"] == 2
        assert seen(archive.db) == {1: record(older), 2: record(live)}
        # A newer live change then keeps the live version's record.
        newer = article("Bản mới nhất.")
        archive.save_article(fetched(newer, "2025-07-01T00:00:00+00:00"))
        assert stored(archive.db) == [(1, record(older)), (2, record(live)), (3, None)]
    finally:
        archive.close()


# --------------------------------------------------------- the conversion
def _archive_at_the_previous_schema(path, history: dict[str, list[Article]], *,
                                    drift: bool = False):
    """An archive as the code before this step wrote it: steps 1..STEP-1, and
    every version's whole record in article_versions, the current one too.
    With ``drift``, the last article's row has moved on from its stored
    record without a new version (a re-extraction that changed only
    published_date), and one record is in an older code's shape."""
    db = sqlite_utils.Database(path)
    for step in migrations.STEPS[:STEP - 1]:
        with db.atomic():
            step.apply(db)
    db.execute(f"PRAGMA user_version = {STEP - 1}")
    with db.atomic():
        for url, arts in history.items():
            for n, art in enumerate(arts, start=1):
                db["article_versions"].insert({
                    "url": url, "version": n, "content_hash": content_hash(art),
                    "fetched_at": f"2024-01-0{n}T00:00:00+00:00", "run_id": None,
                    "record_json": record(art), "words_added": n, "words_removed": 0,
                    "origin": "live"})
            current = arts[-1]
            row = {k: v for k, v in asdict(current).items() if k not in ("images", "attachments")}
            if drift and url == list(history)[-1]:
                row["published_date"] = "2023-11-30"
            db["articles"].insert({**row, "version": len(arts), "content_hash": content_hash(current),
                                   "request_url": url, "final_url": url, "origin": "live",
                                   "fetched_at": f"2024-01-0{len(arts)}T00:00:00+00:00"})
            db["images"].insert_all([{"article_url": url, "position": i.position, "url": i.url,
                                      "caption": i.caption, "alt": i.alt} for i in current.images])
            db["attachments"].insert_all([{"article_url": url, "position": a.position,
                                           "url": a.url, "text": a.text, "kind": a.kind}
                                          for a in current.attachments])
    if drift:
        # A record from an older code (body_html left out): not the row's bytes.
        first = list(history)[0]
        old = json.loads(record(history[first][-1]))
        del old["body_html"]
        db.execute("update article_versions set record_json = ? where url = ? and version = ?",
                   [json.dumps(old, ensure_ascii=False), first, len(history[first])])
    db.close()


def _history(url):
    return [article("Đoạn một.", url=url),
            article("Đoạn một, đã sửa.\n\nĐoạn hai.", url=url, title="Hội nghị (sửa)"),
            article("Đoạn một, đã sửa.\n\nĐoạn hai.", url=url, title="Hội nghị (sửa)",
                    images=[], attachments=[Attachment(url=SITE + "d.pdf", text="Tải", kind="pdf")]),
            article(AWKWARD, url=url, title="Hội nghị (sửa)")]


def _every_record(path) -> dict[tuple[str, int], str]:
    db = sqlite3.connect(path)
    try:
        return {(u, v): r for u, v, r in db.execute(
            "select url, version, record_json from article_versions")}
    finally:
        db.close()


def _readings(path, url):
    """What history reads and shows for ``url``."""
    db = sqlite_utils.Database(sqlite3.connect(path))
    try:
        found = history_versions(db, url)
    finally:
        db.close()
    return found, [compare(a["record"], b["record"]) for a, b in zip(found, found[1:])]


@pytest.mark.parametrize("drift", [False, True], ids=["as-written", "row-drifted"])
def test_conversion_keeps_every_version_s_record(tmp_path, drift):
    path = tmp_path / "old.db"
    urls = [SITE + "a.html", SITE + "b.html", SITE + "c.html"]
    histories = {urls[0]: _history(urls[0]), urls[1]: _history(urls[1])[:1],
                 urls[2]: _history(urls[2])[:2]}
    _archive_at_the_previous_schema(path, histories, drift=drift)
    before = _every_record(path)
    assert len(before) == 7
    read_before = {url: _readings(path, url) for url in urls}

    archive = Archive(path)
    try:
        assert archive.migrated == list(range(STEP, migrations.CURRENT_VERSION + 1))
    finally:
        archive.close()
    assert _every_record(path) == before  # the same bytes, every version
    assert {url: _readings(path, url) for url in urls} == read_before
    db = sqlite3.connect(path)
    held = {(u, v): r is not None for u, v, r in db.execute(
        f"select url, version, record_json from {versions.STORED}")}
    # Only a current version whose row rebuilds its record lost the copy.
    kept_current = {urls[0], urls[2]} if drift else set()
    assert held == {(u, v): v < len(h) or u in kept_current
                    for u, h in histories.items() for v in range(1, len(h) + 1)}
    db.close()

    # Idempotent: the step again changes nothing; so does a new version after it.
    db = sqlite_utils.Database(path)
    with db.atomic():
        versions.apply_schema(db)
    db.close()
    assert _every_record(path) == before
    archive = Archive(path)
    try:
        newest = article("Bản thứ năm.", url=urls[0])
        assert archive.save_article(fetched(newest, "2024-02-01T00:00:00+00:00")) == "updated"
    finally:
        archive.close()
    after = _every_record(path)
    assert after == {**before, (urls[0], 5): record(newest)}


def test_a_fresh_archive_and_a_converted_one_have_the_same_schema(tmp_path):
    _archive_at_the_previous_schema(tmp_path / "old.db", {URL: _history(URL)})
    for name in ("old.db", "new.db"):
        Archive(tmp_path / name).close()

    def schema(name):
        db = sqlite3.connect(tmp_path / name)
        try:
            return sorted(db.execute("select type, name, sql from sqlite_master "
                                     "where name not like 'sqlite_%'"))
        finally:
            db.close()

    assert schema("old.db") == schema("new.db")


def test_history_reads_a_converted_archive_s_versions(tmp_path):
    path = tmp_path / "old.db"
    url = SITE + "a.html"
    _archive_at_the_previous_schema(path, {url: _history(url)})
    Archive(path).close()
    out = subprocess.run([sys.executable, "-m", "scraper", "history", url, "--db", str(path)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert [line.split()[1] for line in text.splitlines()
            if line.startswith("  version ")] == ["1", "2", "3", "4"]
    assert "title: 'Hội nghị' → 'Hội nghị (sửa)'" in text  # 1 → 2, from two stored records
    assert "images: 1 → 0" in text and "attachments: 0 → 1" in text  # 2 → 3
    # 3 → 4: the current version, read from the articles row.
    assert "== version 3 → 4" in text and "+Dòng một \"trích\" \\ gạch" in text


def test_an_upgrade_killed_inside_the_step_loses_no_record(tmp_path):
    """kill -9 of `upgrade` while the step's transaction is open (held at its
    commit by a reader's lock, so the kill lands inside it every time): the
    file keeps every record, and the next upgrade completes."""
    path = tmp_path / "old.db"
    histories = {SITE + f"bai-{i}.html": _history(SITE + f"bai-{i}.html")[:1 + i % 3]
                 for i in range(60)}
    _archive_at_the_previous_schema(path, histories)
    before = _every_record(path)
    reader = sqlite3.connect(path)
    reader.execute("BEGIN")
    reader.execute("select count(*) from articles").fetchall()  # a shared lock, held
    cmd = [sys.executable, "-m", "scraper", "upgrade", "--db", str(path)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    journal = Path(str(path) + "-journal")
    deadline = time.time() + 60
    while not (journal.exists() and journal.stat().st_size > 0) and time.time() < deadline:
        assert proc.poll() is None, "the upgrade ended before it could be killed"
        time.sleep(0.01)
    time.sleep(0.3)  # the step's writes are made; its commit waits for the reader
    assert journal.exists() and proc.poll() is None
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    reader.rollback()
    reader.close()
    db = sqlite3.connect(path)  # rolls the hot journal back
    assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert db.execute("pragma user_version").fetchone()[0] == STEP - 1
    db.close()
    assert _every_record(path) == before
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert _every_record(path) == before
    db = sqlite3.connect(path)
    assert db.execute(f"select count(*) from {versions.STORED} where record_json is null"
                      ).fetchone()[0] == len(histories)
    db.close()


def test_a_change_after_an_import_numbered_past_the_row_replaces_no_version(tmp_path):
    """The row's version is not always the highest: a capture older than the
    row's last fetch, but newer than its content, is numbered after it."""
    archive = Archive(tmp_path / "a.db")
    first, imported, changed = article("Bản đầu."), article("Bản lưu trữ."), article("Bản mới.")
    try:
        archive.save_article(fetched(first, "2024-01-01T00:00:00+00:00"))
        archive.save_article(fetched(first, "2024-06-01T00:00:00+00:00"))  # unchanged
        archive.save_article(fetched(imported, "2024-03-01T00:00:00+00:00",
                                     origin="https://web.archive.org/web/",
                                     capture_timestamp="20240301000000"))
        assert archive.db["articles"].get(URL)["version"] == 1
        assert stored(archive.db) == [(1, None), (2, record(imported))]
        assert archive.save_article(fetched(changed, "2024-07-01T00:00:00+00:00")) == "updated"
        assert seen(archive.db) == {1: record(first), 2: record(imported), 3: record(changed)}
        assert archive.db["articles"].get(URL)["version"] == 3
    finally:
        archive.close()


def test_a_row_deleted_by_hand_leaves_its_record_in_its_version(tmp_path):
    path = tmp_path / "a.db"
    archive = Archive(path)
    first, second = article("Đoạn một."), article("Đoạn hai.")
    try:
        archive.save_article(fetched(first, "2024-01-01T00:00:00+00:00"))
        archive.save_article(fetched(second, "2024-01-02T00:00:00+00:00"))
    finally:
        archive.close()
    db = sqlite3.connect(path)
    with db:
        db.execute("delete from articles where url = ?", [URL])
    assert stored(db) == [(1, record(first)), (2, record(second))]
    assert seen(db) == {1: record(first), 2: record(second)}
    db.close()
