"""Nightly jobs against the mirror: incremental runs, revalidation, versions,
crash safety, the run lock and offline re-parsing."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.mirror.server import MirrorServer
from tests.mirror.site import build_site

from .conftest import ROOT
from .helpers import crawl, crawl_cmd, get_json, post
from .helpers import rows as query







@pytest.fixture
def mirror():
    with MirrorServer(build_site()) as server:
        yield server


@pytest.fixture
def archived(mirror, tmp_path):
    db = tmp_path / "archive.db"
    out = crawl(mirror.url, db)
    assert out.returncode == 0, out.stderr[-2000:]
    post(mirror.url + "__mirror/reset-stats")
    return db


def test_nightly_run_fetches_only_what_is_new(mirror, archived):
    before = query(archived, "select count(*) n from articles where kind = 'article'")[0]["n"]
    post(mirror.url + "__mirror/publish?n=3")
    out = crawl(mirror.url, archived)
    assert out.returncode == 0, out.stderr[-2000:]
    stats = get_json(mirror.url + "__mirror/stats")
    manifest = get_json(mirror.url + "__mirror/manifest.json")
    urls = {a["url"] for a in manifest["articles"]}
    archived_urls = {r["url"] for r in query(archived, "select url from articles where kind = 'article'")}
    assert archived_urls == urls and len(urls) == before + 3
    run = query(archived, "select * from crawl_runs order by id desc limit 1")[0]
    assert (run["mode"], run["articles_new"], run["exit_status"]) == ("incremental", 3, 0)
    # Beside what is new: the night's share of the rolling re-check (a seventh
    # of the archive, conditional requests) and the sitemaps and feed.
    held = query(archived, "select count(*) n from articles")[0]["n"] - 3
    assert run["rechecked"] == -(-held // 7)
    discovery = sum(n for path, n in stats["by_path"].items()
                    if path.startswith(("/sitemap", "/rss")) or path == "/robots.txt")
    assert stats["total"] - run["rechecked"] - discovery <= 30, stats["by_path"]


def test_full_flag_refetches_everything(mirror, archived):
    out = crawl(mirror.url, archived, "--full")
    assert out.returncode == 0
    run = query(archived, "select * from crawl_runs order by id desc limit 1")[0]
    assert run["mode"] == "full" and run["articles_new"] == 0
    assert run["articles_unchanged"] >= 60


def test_revalidation_counts_304s_and_keeps_versions(mirror, archived):
    manifest = get_json(mirror.url + "__mirror/manifest.json")
    edited = manifest["articles"][0]
    post(mirror.url + "__mirror/edit?url=" + edited["path"])
    out = crawl(mirror.url, archived, "--revalidate", "100000")
    assert out.returncode == 0, out.stderr[-2000:]
    run = query(archived, "select * from crawl_runs order by id desc limit 1")[0]
    assert run["articles_updated"] == 1
    assert run["not_modified"] >= 50  # every other article answered 304
    versions = query(archived, "select version, record_json from article_versions where url = ? "
                               "order by version", [edited["url"]])
    assert [v["version"] for v in versions] == [1, 2]
    old, new = (json.loads(v["record_json"])["body_text"] for v in versions)
    assert old != new and new.startswith(old[:200])
    # An unchanged re-fetch makes no new version.
    crawl(mirror.url, archived, "--full")
    assert query(archived, "select max(version) v from article_versions where url = ?",
                 [edited["url"]])[0]["v"] == 2


def test_every_response_is_captured_in_warc_and_indexed(archived):
    captures = query(archived, "select * from captures")
    statuses = {c["http_status"] for c in captures}
    assert {200, 302, 404} <= statuses  # redirects and errors too
    sample = captures[len(captures) // 2]
    path = archived.parent / sample["warc_file"]
    assert path.resolve().is_relative_to(archived.parent.resolve())
    with open(path, "rb") as fh:
        fh.seek(sample["warc_offset"])
        record = next(iter(ArchiveIterator(fh)))
        assert record.rec_headers.get_header("WARC-Target-URI") == sample["url"]
        assert record.http_headers.get_statuscode() == str(sample["http_status"])
    with open(path, "rb") as fh:
        first = next(iter(ArchiveIterator(fh)))
        assert first.rec_type == "warcinfo"
        info = first.content_stream().read().decode()
        assert "robots: obey" in info and "CongdoanBacKanArchiver" in info


def test_each_row_has_the_time_of_its_warc_record(archived):
    """One fetch, one time: were the row's later, reparse would read the
    page's own capture as an older one and change nothing."""
    rows = query(archived, "select a.url, a.fetched_at, c.fetched_at captured from articles a "
                           "join captures c on c.id = (select max(id) from captures "
                           "where url = a.final_url and http_status = 200)")
    assert len(rows) == query(archived, "select count(*) n from articles")[0]["n"] > 0
    assert [r["url"] for r in rows if r["fetched_at"] != r["captured"]] == []


def test_reparse_restores_what_an_older_extractor_got_wrong(archived):
    # Pretend an older extractor stored wrong titles and missed the author.
    conn = sqlite3.connect(archived)
    victims = [r[0] for r in conn.execute(
        "select url from articles where kind = 'article' and author is not null limit 3")]
    conn.executemany("update articles set title = 'sai', author = null, content_hash = 'old' "
                     "where url = ?", [(u,) for u in victims])
    conn.commit()
    conn.close()
    out = subprocess.run([sys.executable, "-m", "scraper", "reparse", "--db", str(archived)],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "3 changed" in out.stdout
    for url in victims:
        assert url in out.stdout
        row = query(archived, "select title, author from articles where url = ?", [url])[0]
        assert row["title"] != "sai" and row["author"]
    # Nothing else moved, and a second reparse finds nothing to change.
    again = subprocess.run([sys.executable, "-m", "scraper", "reparse", "--db", str(archived)],
                           cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert " 0 changed" in again.stdout


def test_second_run_at_once_is_refused(mirror, tmp_path):
    db = tmp_path / "archive.db"
    slow = subprocess.Popen(crawl_cmd(mirror.url, db, "--full") + ["--delay", "0.2", "--concurrency", "1"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 30
        while not (tmp_path / "archive.db.lock").exists() and time.time() < deadline:
            time.sleep(0.1)
        time.sleep(1.0)
        second = crawl(mirror.url, db)
        assert second.returncode == 3
        assert "refusing to start" in second.stderr and "being written" in second.stderr
    finally:
        slow.kill()
        slow.wait()
    assert query(db, "pragma integrity_check")[0]["integrity_check"] == "ok"


def test_kill_9_mid_crawl_loses_nothing(mirror, tmp_path):
    db = tmp_path / "archive.db"
    proc = subprocess.Popen(crawl_cmd(mirror.url, db) + ["--delay", "0.05", "--concurrency", "1"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        time.sleep(0.3)
        if db.exists() and query(db, "select count(*) n from articles")[0]["n"] >= 10:
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert query(db, "pragma integrity_check")[0]["integrity_check"] == "ok"
    kept = query(db, "select count(*) n from articles")[0]["n"]
    assert 10 <= kept < 60
    # Every indexed WARC record is complete and readable.
    for cap in query(db, "select * from captures"):
        with open(tmp_path / cap["warc_file"], "rb") as fh:
            fh.seek(cap["warc_offset"])
            record = next(iter(ArchiveIterator(fh)))
            record.content_stream().read()
    # The next run completes the archive, without duplicates, walking every
    # listing again since the last run never finished.
    out = crawl(mirror.url, db)
    assert out.returncode == 0, out.stderr[-2000:]
    assert query(db, "select mode from crawl_runs order by id desc limit 1")[0]["mode"] == "resume"
    manifest = get_json(mirror.url + "__mirror/manifest.json")
    rows = query(db, "select url from articles where kind = 'article'")
    assert sorted(r["url"] for r in rows) == sorted(a["url"] for a in manifest["articles"])


def test_reparse_dry_run_reports_without_writing(archived):
    conn = sqlite3.connect(archived)
    [url] = [r[0] for r in conn.execute("select url from articles where kind = 'article' limit 1")]
    conn.execute("update articles set title = 'sai', content_hash = 'old' where url = ?", [url])
    conn.commit()
    conn.close()
    out = subprocess.run([sys.executable, "-m", "scraper", "reparse", "--db", str(archived), "--dry-run"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert f"changed  {url}: title" in out.stdout and "1 changed" in out.stdout
    assert query(archived, "select title from articles where url = ?", [url])[0]["title"] == "sai"


def test_a_failed_article_is_tried_again_next_night(mirror, tmp_path):
    # The transient-503 article answers 503 to its first request only: with
    # retries off, the first run records it as failed, the next run gets it.
    db = tmp_path / "archive.db"
    first = crawl(mirror.url, db, "-s", "RETRY_ENABLED=False")
    trap = get_json(mirror.url + "__mirror/manifest.json")["traps"]["transient_503"]
    assert query(db, "select count(*) n from failures where url = ?", [trap])[0]["n"] == 1
    assert first.returncode == 0
    out = crawl(mirror.url, db)
    assert out.returncode == 0, out.stderr[-2000:]
    assert query(db, "select mode from crawl_runs order by id desc limit 1")[0]["mode"] == "incremental"
    assert query(db, "select count(*) n from articles where url = ?", [trap])[0]["n"] == 1


def test_related_blocks_changing_makes_no_new_versions(mirror, archived):
    # Publishing reshuffles the "Tin khác" lists on older articles; the
    # articles themselves did not change, so a full re-crawl keeps version 1.
    post(mirror.url + "__mirror/publish?n=3")
    out = crawl(mirror.url, archived, "--full")
    assert out.returncode == 0, out.stderr[-2000:]
    run = query(archived, "select * from crawl_runs order by id desc limit 1")[0]
    assert (run["articles_new"], run["articles_updated"]) == (3, 0)
    assert query(archived, "select max(version) v from articles")[0]["v"] == 1


def test_walk_reads_every_listing_but_fetches_only_new_articles(mirror, archived):
    out = crawl(mirror.url, archived, "--walk")
    assert out.returncode == 0, out.stderr[-2000:]
    stats = get_json(mirror.url + "__mirror/stats")
    listing_pages = [p for p in stats["by_path"] if "/trang-" in p or "?page=" in p]
    assert len(listing_pages) >= 4  # every category's later pages were read again
    run = query(archived, "select * from crawl_runs order by id desc limit 1")[0]
    assert (run["mode"], run["articles_new"]) == ("resume", 0)
    assert stats["total"] < 40  # no archived article was fetched again
