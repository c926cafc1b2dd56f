"""Schema migrations, the read-only opener and upgrade(), on real SQLite files.

``fixtures/archive_v1.sql`` is an archive as the code before migrations
wrote it (user_version 1, every object created on each open).
"""
from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from scraper.analyst import browse, export, fts, report
from scraper.archive import (CURRENT_VERSION, Archive, ArchiveUnreadable, migrations,
                             open_readonly, upgrade)
from scraper.items import Article, FetchedArticle

ROOT = Path(__file__).resolve().parent.parent
V1_SQL = Path(__file__).parent / "fixtures" / "archive_v1.sql"
BASE = "https://congdoanbackan.org.vn/"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def version_of(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()


def set_version(path: Path, version: int) -> None:
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {int(version)}")
    conn.close()


def schema(path: Path) -> set[tuple]:
    conn = sqlite3.connect(path)
    try:
        return set(conn.execute("select type, name, tbl_name, sql from sqlite_master"))
    finally:
        conn.close()


def v1_archive(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.executescript(V1_SQL.read_text(encoding="utf-8"))
    conn.close()
    return path


def fetched(slug: str, title: str, body: str) -> FetchedArticle:
    article = Article(url=BASE + slug + ".html", title=title, body_text=body,
                      published_at="2024-03-01T09:15:00+07:00", published_date="2024-03-01",
                      category="Tin tức", author="Lục Đức Phương")
    return FetchedArticle(article=article, request_url=article.url, final_url=article.url,
                          status=200, fetched_at="2024-03-02T00:00:00+00:00",
                          raw_html=f"<html>{title}</html>".encode())


@pytest.fixture
def current(tmp_path) -> Path:
    """An up-to-date archive with two articles, closed."""
    path = tmp_path / "archive.db"
    archive = Archive(path)
    archive.save_article(fetched("cong-doan", "Công đoàn cơ sở ra mắt", "Đoàn viên công đoàn."))
    archive.save_article(fetched("thi-dua", "Đổi mới thi đua", "Phong trào thi đua yêu nước."))
    archive.close()
    return path


# ------------------------------------------------------------------ writer
def test_a_fresh_file_gets_every_step(tmp_path):
    archive = Archive(tmp_path / "new.db")
    try:
        assert archive.migrated == [s.version for s in migrations.STEPS] == list(
            range(1, CURRENT_VERSION + 1))
        assert archive.schema_version == CURRENT_VERSION
        names = set(archive.db.table_names()) | set(archive.db.view_names())
        assert {"articles", "images", "attachments", "article_versions", "raw_pages",
                "failures", "crawl_runs", "run_outcomes", "captures", "articles_fts",
                "articles_fts_map", "articles_per_month", "field_coverage"} <= names
        assert archive.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        archive.close()


def test_reopening_an_up_to_date_archive_runs_no_step_and_writes_nothing(current):
    before = sha256(current)
    archive = Archive(current)
    try:
        assert archive.migrated == []
        assert archive.db.conn.total_changes == 0
    finally:
        archive.close()
    assert sha256(current) == before
    assert not Path(str(current) + "-wal").exists() or Path(str(current) + "-wal").stat().st_size == 0


def test_only_the_missing_steps_run(tmp_path):
    """A file whose upgrade stopped after step 2 (each step commits alone)."""
    path = tmp_path / "half.db"
    db = sqlite3.connect(path)
    db.close()
    import sqlite_utils

    db = sqlite_utils.Database(path)
    for step in migrations.STEPS[:2]:
        with db.atomic():
            step.apply(db)
    db.execute("PRAGMA user_version = 2")
    db.close()
    archive = Archive(path)
    try:
        assert archive.migrated == [s.version for s in migrations.STEPS[2:]]
        assert archive.schema_version == CURRENT_VERSION
    finally:
        archive.close()


def test_a_failing_step_leaves_the_file_at_the_last_good_step(tmp_path, monkeypatch):
    def broken(db):
        db.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("step 4 failed")

    steps = (*migrations.STEPS[:3], migrations.Step(4, "broken", broken))
    monkeypatch.setattr(migrations, "STEPS", steps)
    path = tmp_path / "a.db"
    with pytest.raises(RuntimeError, match="step 4 failed"):
        Archive(path)
    assert version_of(path) == 3
    assert ("table", "half_done") not in {(t, n) for t, n, _, _ in schema(path)}
    monkeypatch.undo()
    archive = Archive(path)
    try:
        assert archive.migrated == [s.version for s in migrations.STEPS[3:]]
    finally:
        archive.close()


def test_a_version_1_archive_upgrades_and_keeps_its_rows(tmp_path):
    path = v1_archive(tmp_path / "old.db")
    assert version_of(path) == 1
    archive = Archive(path)
    try:
        # Version 1 means "made before migrations": every step runs again.
        assert archive.migrated == [s.version for s in migrations.STEPS]
        counts = {t: archive.db[t].count for t in (
            "articles", "images", "article_versions", "raw_pages", "failures",
            "crawl_runs", "run_outcomes", "captures", "articles_fts_map")}
        assert counts == {"articles": 2, "images": 1, "article_versions": 2, "raw_pages": 2,
                          "failures": 1, "crawl_runs": 1, "run_outcomes": 2, "captures": 1,
                          "articles_fts_map": 2}
        # Its index was in step already: nothing to repair.
        assert archive.sync_search_index() == (0, 0)
        assert archive.save_article(fetched("moi", "Tin mới", "Khánh thành nhà văn hóa.")) == "new"
    finally:
        archive.close()
    # The same objects as a file made from scratch by this code.
    fresh = tmp_path / "fresh.db"
    Archive(fresh).close()
    assert schema(path) == schema(fresh)
    db = open_readonly(path)
    try:
        hits, total = fts.search(db, "cong doan")
        assert total == 1 and hits[0]["url"] == BASE + "cong-doan.html"
        assert fts.search(db, "nha van hoa")[1] == 1
    finally:
        db.close()


def test_an_older_version_1_archive_gains_what_it_lacks(tmp_path):
    """Archives made by still older code also carry user_version 1."""
    path = v1_archive(tmp_path / "older.db")
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("ALTER TABLE articles DROP COLUMN dateline")
        conn.execute("ALTER TABLE crawl_runs DROP COLUMN not_modified")
        conn.execute("DROP TABLE captures")
        conn.execute("DROP VIEW field_coverage")
        conn.execute("DROP TABLE articles_fts_map")
    conn.close()
    archive = Archive(path)
    try:
        assert "dateline" in archive.db["articles"].columns_dict
        assert "not_modified" in archive.db["crawl_runs"].columns_dict
        assert archive.db["captures"].exists()
        assert "field_coverage" in archive.db.view_names()
        assert archive.db["articles_fts_map"].count == 2
    finally:
        archive.close()
    db = open_readonly(path)
    try:
        assert fts.search(db, "doi moi")[1] == 1
    finally:
        db.close()


def test_upgrade_reports_versions_and_is_idempotent(tmp_path):
    path = v1_archive(tmp_path / "old.db")
    assert upgrade(path) == (1, CURRENT_VERSION)
    before = sha256(path)
    assert upgrade(path) == (CURRENT_VERSION, CURRENT_VERSION)
    assert sha256(path) == before
    with pytest.raises(ArchiveUnreadable, match="no archive at"):
        upgrade(tmp_path / "missing.db")
    assert not (tmp_path / "missing.db").exists()


def test_a_newer_version_is_refused(current):
    set_version(current, CURRENT_VERSION + 1)
    before = sha256(current)
    sentence = f"was written by a newer version of this archiver (schema {CURRENT_VERSION + 1}"
    for opener in (Archive, open_readonly, upgrade):
        with pytest.raises(ArchiveUnreadable, match=sentence.replace("(", r"\(")):
            opener(current)
    assert sha256(current) == before
    assert version_of(current) == CURRENT_VERSION + 1


# ------------------------------------------------------------- read-only
def refusal(path) -> str:
    with pytest.raises(ArchiveUnreadable) as err:
        open_readonly(path)
    return str(err.value)


def test_open_readonly_refuses_what_is_not_a_current_archive(tmp_path):
    missing = tmp_path / "missing.db"
    assert refusal(missing) == (f"no archive at {missing}: crawl first "
                                f"(python -m scraper crawl --db {missing})")
    assert not missing.exists()

    assert refusal(tmp_path) == f"{tmp_path} is a directory, not an archive file"

    text = tmp_path / "notes.db"
    text.write_text("not a database, just some notes\n" * 50)
    assert refusal(text) == f"{text} is not an archive: it is not an SQLite database"

    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("create table things (x)")
    conn.close()
    assert refusal(other) == f"{other} is an SQLite database but not an archive (it has no articles table)"

    old = v1_archive(tmp_path / "old.db")
    assert refusal(old) == (f"{old} was written by an older version of this archiver; run "
                            f"`python -m scraper upgrade --db {old}` once to bring it up to date")

    for path in (text, other, old):
        before = sha256(path)
        refusal(path)
        assert sha256(path) == before
    assert version_of(old) == 1


def test_every_refusal_is_one_sentence(tmp_path):
    messages = [refusal(tmp_path / "missing.db"), refusal(tmp_path),
                refusal(v1_archive(tmp_path / "old.db"))]
    for message in messages:
        assert "\n" not in message and message.count(". ") == 0


def test_analysts_read_a_readonly_connection_and_the_file_is_unchanged(current, tmp_path):
    before = sha256(current)
    db = open_readonly(current)
    try:
        hits, total = fts.search(db, "thi dua", since="2024-01-01")
        assert total == 1 and hits[0]["title"] == "Đổi mới thi đua"
        rows = list(export.select_articles(db, category="tin tuc", author="luc duc phuong"))
        assert len(rows) == 2
        data = report.write(db, tmp_path / "report.html")
        assert data["articles"] == 2
        assert list(db.query("select field from field_coverage limit 1")) == [{"field": "title"}]
        assert browse.metadata(current)["databases"]
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            db.execute("delete from articles")
    finally:
        db.close()
    assert sha256(current) == before


def test_readers_see_a_writer_s_commits(current):
    """WAL: an open read-only connection and a writer at the same time."""
    db = open_readonly(current)
    archive = Archive(current)
    try:
        archive.save_article(fetched("moi", "Tin mới", "Khánh thành nhà văn hóa."))
        assert fts.search(db, "nha van hoa")[1] == 1
    finally:
        archive.close()
        db.close()


def test_storage_does_not_import_the_analysts_code():
    code = ("import sys, scraper.archive; "
            "print(sorted(m for m in sys.modules if m.startswith('scraper.analyst')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    assert out.strip() == "[]"
    for path in (ROOT / "scraper" / "archive").glob("*.py"):
        assert "analyst" not in "".join(
            line for line in path.read_text(encoding="utf-8").splitlines(True)
            if line.lstrip().startswith(("import ", "from "))), path


# The index as steps 3 and 7 made it, up to step 12: a copy of the text in
# the table, marks dropped by the tokenizer, no text hash in the map.
STEP_11_FTS = (
    'CREATE VIRTUAL TABLE articles_fts USING fts5(/* for tools: content="articles", '
    "rowid = articles.rowid */ title, body_text, title_folded, body_folded, "
    "tokenize = 'unicode61 remove_diacritics 2')")
STEP_11_MAP = ("CREATE TABLE articles_fts_map (url TEXT PRIMARY KEY, fts_rowid INTEGER NOT NULL, "
               "content_hash TEXT)")


def test_step_13_remakes_an_older_index_without_its_text(current):
    conn = sqlite3.connect(current)
    with conn:
        conn.execute("DROP TABLE articles_fts")
        conn.execute("DROP TABLE articles_fts_map")
        conn.execute("DROP INDEX idx_articles_published_at")
        conn.execute(STEP_11_FTS)
        conn.execute(STEP_11_MAP)
        conn.execute("INSERT INTO articles_fts (rowid, title, body_text, title_folded, body_folded) "
                     "SELECT rowid, title, body_text, lower(title), lower(body_text) FROM articles")
        conn.execute("INSERT INTO articles_fts_map SELECT url, rowid, content_hash FROM articles")
    conn.close()
    set_version(current, 12)
    archive = Archive(current)
    try:
        assert archive.migrated == [13]
        fts_sql = archive.db.execute(
            "select sql from sqlite_master where name = 'articles_fts'").fetchone()[0]
        assert "content=''" in fts_sql and "remove_diacritics 0" in fts_sql
        assert archive.db.execute("select count(*) from articles_fts_map "
                                  "where text_hash is not null").fetchone()[0] == 2
        # No text held any more: the columns read back empty.
        assert archive.db.execute("select count(*) from articles_fts "
                                  "where title is not null").fetchone()[0] == 0
        assert "idx_articles_published_at" in {i.name for i in archive.db["articles"].indexes}
        hits, total = fts.search(archive.db, "Đoàn viên")
        assert total == 1 and hits[0]["exact_matches"] == 2
        # An article changed after the upgrade leaves none of its old words.
        archive.save_article(fetched("cong-doan", "Công đoàn cơ sở ra mắt", "Hội nghị tổng kết."))
        assert fts.search(archive.db, "doan vien")[1] == 0
        assert archive.sync_search_index() == (0, 0)
    finally:
        archive.close()
    again = Archive(current)
    again.close()
    assert again.migrated == [] and version_of(current) == CURRENT_VERSION
