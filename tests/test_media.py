"""Article files (issue 11): photos and attachments held by the sha256 of the
bytes served, soft-404s refused, revisits for repeated bytes, nightly runs
that request no file held, verify / wacz / export-media on a real archive."""
from __future__ import annotations

import csv
import hashlib
import re
import shutil
import subprocess
import sys
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from scraper import media
from tests.mirror import content
from tests.mirror.server import MirrorServer
from tests.mirror.site import TINY_JPEG, build_site, tiny_pdf

from .conftest import ROOT
from .helpers import crawl, get_json, post, rows

# The seed, the hand-written articles (where the file traps are) and two more.
N_ARTICLES = 1 + len(content.HANDWRITTEN) + 2


def cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scraper", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=180)


def target(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    db = tmp_path_factory.mktemp("media") / "archive.db"
    with MirrorServer(build_site(N_ARTICLES)) as server:
        first = crawl(server.url, db)
        stats = get_json(server.url + "__mirror/stats")
        manifest = get_json(server.url + "__mirror/manifest.json")
        post(server.url + "__mirror/reset-stats")
        yield {"db": db, "first": first, "stats": stats, "files": manifest["files"],
               "manifest": manifest, "server": server}


# ------------------------------------------------------------- the bytes judged

@pytest.mark.parametrize("body, role, url, status", [
    (TINY_JPEG, "image", "http://h/a.jpg", media.OK),
    (b"<!DOCTYPE html><html><body>Kh\xc3\xb4ng t\xc3\xacm th\xe1\xba\xa5y</body></html>", "image",
     "http://h/a.jpg", media.SOFT_404),
    (b"\n  <html><head><title>404</title></head></html>", "attachment", "http://h/a.pdf", media.SOFT_404),
    (tiny_pdf("x"), "image", "http://h/a.jpg", media.MISMATCH),  # a PDF is not a photo
    (b"", "image", "http://h/a.jpg", media.MISMATCH),
    (b"PK\x03\x04" + b"\0" * 40, "attachment", "http://h/tai-ve?id=3", media.OK),  # no extension
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 40, "attachment", "http://h/a.xls", media.OK),
    (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "image", "http://h/a.svg", media.OK),
    (b"BM" + (70).to_bytes(4, "little") + b"\0" * 64, "image", "http://h/a.bmp", media.OK),
    (b"BMI 2024: chi so khoi co the\n", "image", "http://h/a.bmp", media.MISMATCH),  # text, not a bitmap
])
def test_judge_reads_the_bytes_not_the_status(body, role, url, status):
    assert media.judge(body, role, url, "image/jpeg").status == status


def test_judge_names_the_file_by_its_bytes():
    assert media.judge(b"PK\x03\x04" + b"\0" * 40, "attachment", "http://h/bao-cao.docx", None).extension == "docx"
    assert media.judge(tiny_pdf("x"), "attachment", "http://h/tai-ve?id=3", None).extension == "pdf"


def test_files_chosen_once_per_url_and_offsite_ones_recorded_not_fetched():
    from scrapy import Request

    from scraper.items import Article, Attachment, Image
    from scraper.media_fetch import MediaFetcher

    fetcher = MediaFetcher(enabled=True, max_bytes=1000, site_host="congdoanbackan.org.vn",
                           held={"https://congdoanbackan.org.vn/upload/held.jpg"})
    art = Article(url="https://congdoanbackan.org.vn/bai.html", images=[
        Image("https://congdoanbackan.org.vn/upload/a.jpg", position=0),
        Image("https://www.congdoanbackan.org.vn/upload/b.jpg", position=1),
        Image("https://anh.baobackan.vn/c.jpg", position=2),
        Image("data:image/gif;base64,R0lGODlhAQABAAAAACw=", position=3),
        Image("https://congdoanbackan.org.vn/upload/held.jpg", position=4),
    ], attachments=[Attachment("https://www.youtube.com/embed/x", kind="video"),
                    Attachment("https://congdoanbackan.org.vn/upload/a.jpg", kind="file", position=1)])
    out = list(fetcher.requests_for(art))
    assert [r.url for r in out if isinstance(r, Request)] == [
        "https://congdoanbackan.org.vn/upload/a.jpg", "https://www.congdoanbackan.org.vn/upload/b.jpg"]
    [offsite] = [r for r in out if isinstance(r, media.MediaFetch)]
    assert (offsite.url, offsite.status) == ("https://anh.baobackan.vn/c.jpg", media.OFFSITE)
    assert list(fetcher.requests_for(art)) == []  # once per URL in a run
    assert list(MediaFetcher(enabled=False, max_bytes=0, site_host="x").requests_for(art)) == []


# ---------------------------------------------------------------- the crawl

def test_every_file_held_with_the_sha256_of_the_bytes_served(site):
    assert site["first"].returncode == 0, site["first"].stderr[-3000:]
    held = {r["url"]: r for r in rows(site["db"], "select * from media_files")}
    assert set(held) == set(site["files"])
    for url, expected in site["files"].items():
        assert held[url]["status"] == expected["status"], url
        assert held[url]["sha256"] == expected["sha256"], url
    # The bodies went to disk as they arrived (scraper.media_spool), and were cleared.
    spool = site["db"].parent / "warc" / "spool"
    assert spool.is_dir() and not any(spool.iterdir())
    statuses = {e["status"] for e in site["files"].values()}
    assert statuses == {"ok", "soft_404", "too_large"}  # the traps are all there
    for table in ("images", "attachments"):
        for row in rows(site["db"], f"select * from {table} where url in "
                        f"(select url from media_files)"):
            expected = site["files"][row["url"]]
            assert row["fetch_status"] == expected["status"] and row["sha256"] == expected["sha256"]
            if expected["status"] == "ok":
                assert row["size"] > 0 and row["content_type"]


def test_soft_404_and_oversized_recorded_not_held_and_articles_kept(site):
    soft = next(u for u, e in site["files"].items() if e["status"] == "soft_404")
    big = next(u for u, e in site["files"].items() if e["status"] == "too_large")
    [s] = rows(site["db"], "select * from media_files where url = ?", [soft])
    [b] = rows(site["db"], "select * from media_files where url = ?", [big])
    assert s["sha256"] is None and s["http_status"] == 200 and "HTML" in s["error"]
    assert b["sha256"] is None and "20971520" in b["error"]
    # A missing photo never fails its article, nor the run.
    owners = rows(site["db"], "select article_url from images where url = ? union "
                  "select article_url from attachments where url = ?", [soft, big])
    assert len(owners) == 2
    for o in owners:
        assert rows(site["db"], "select count(*) n from articles where url = ?", [o["article_url"]])[0]["n"] == 1
    assert not rows(site["db"], "select * from failures where url in (?, ?)", [soft, big])
    held = sum(e["status"] == "ok" for e in site["files"].values())
    assert f"files: {held} held" in site["first"].stdout
    assert "1 soft_404, 1 too_large" in site["first"].stdout


def test_each_file_requested_once_and_no_chrome(site):
    by_path = site["stats"]["by_path"]
    for url in site["files"]:
        assert by_path.get(target(url)) == 1, url
    chrome = [p for p in by_path if "/slide/" in p or "/thumbs/" in p or "logo" in p or "loading.gif" in p]
    assert chrome == []


def test_raw_vietnamese_and_extensionless_files_are_held(site):
    held = {r["url"]: r for r in rows(site["db"], "select * from media_files where status = 'ok'")}
    raw_name = next(u for u in held if "Tuy%C3%AAn%20truy%E1%BB%81n" in u)
    assert held[raw_name]["content_type"] == "image/jpeg"
    doc = next(u for u in held if "/tai-ve?id=" in u)
    assert (held[doc]["extension"], held[doc]["content_type"]) == ("pdf", "application/pdf")


def test_identical_bytes_under_another_url_are_a_revisit(site):
    variant = next(u for u in site["files"] if u.endswith("khen-thuong-tap-the.jpg?w=800"))
    plain = variant.removesuffix("?w=800")
    assert site["files"][variant]["sha256"] == site["files"][plain]["sha256"]
    # Whichever of the two was fetched first holds the bytes; the other names it.
    [orig, cap] = sorted(rows(site["db"], "select * from captures where url in (?, ?)", [variant, plain]),
                         key=lambda r: r["id"])
    assert (orig["record_type"], orig["refers_to"]) == ("response", None)
    assert (cap["record_type"], cap["refers_to"]) == ("revisit", orig["record_id"])
    with open(site["db"].parent / cap["warc_file"], "rb") as fh:
        fh.seek(cap["warc_offset"])
        record = next(iter(ArchiveIterator(fh)))
        assert record.rec_type == "revisit"
        assert record.content_stream().read() == b""  # the bytes are stored once
    # export-media reads the variant's bytes from the original record
    for url in (variant, plain):
        [m] = rows(site["db"], "select warc_offset from media_files where url = ?", [url])
        assert m["warc_offset"] == orig["warc_offset"]


# ------------------------------------------------------- verify, wacz, export

def test_verify_passes_then_fails_on_a_flipped_byte(site, tmp_path):
    ok = cli("verify", "--db", site["db"])
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert " 0 missing, 0 corrupt" in ok.stdout and "records/s" in ok.stdout
    copy = tmp_path / "copy"
    shutil.copytree(site["db"].parent, copy)
    [cap] = rows(copy / "archive.db", "select * from captures where url like '%.pdf' "
                 "and http_status = 200 and record_type = 'response' limit 1")
    warc = copy / cap["warc_file"]
    data = bytearray(warc.read_bytes())
    data[cap["warc_offset"] + cap["warc_length"] // 2] ^= 0x55
    warc.write_bytes(bytes(data))
    bad = cli("verify", "--db", copy / "archive.db")
    assert bad.returncode == 1 and "corrupt:" in bad.stdout and " 1 corrupt" in bad.stdout, bad.stdout
    warc.unlink()
    gone = cli("verify", "--db", copy / "archive.db")
    assert gone.returncode == 1 and "missing:" in gone.stdout


def test_commands_refuse_a_file_that_is_not_an_archive(tmp_path):
    import sqlite3

    other = tmp_path / "notes.db"
    conn = sqlite3.connect(other)
    conn.execute("create table notes (text)")
    conn.close()
    for args in (("verify",), ("wacz", "-o", tmp_path / "x.wacz"), ("export-media", "-o", tmp_path / "m")):
        done = cli(*args, "--db", other)
        assert done.returncode == 2 and "not an archive" in done.stderr, (args, done.stderr)
        assert "Traceback" not in done.stderr
    assert not (tmp_path / "x.wacz").exists() and not (tmp_path / "m").exists()


def test_wacz_validates_with_the_wacz_tool(site, tmp_path):
    out = tmp_path / "archive.wacz"
    made = cli("wacz", "--db", site["db"], "-o", out)
    assert made.returncode == 0, made.stderr[-2000:]
    from wacz.main import main as wacz_main

    assert wacz_main(["validate", "-f", str(out)]) == 0
    import zipfile

    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        pages = z.read("pages/pages.jsonl").decode()
    assert any(n.startswith("archive/") and n.endswith(".warc.gz") for n in names)
    assert any(n.startswith("indexes/") for n in names)
    for a in site["manifest"]["articles"]:
        assert a["url"] in pages


def test_export_media_writes_each_file_once_by_sha256(site, tmp_path):
    out = tmp_path / "media"
    done = cli("export-media", "--db", site["db"], "-o", out)
    assert done.returncode == 0, done.stderr[-2000:]
    expected = {e["sha256"] for e in site["files"].values() if e["sha256"]}
    files = {p.name.split(".")[0]: p for p in out.iterdir() if p.name != "manifest.csv"}
    assert set(files) == expected
    for sha, path in files.items():
        assert hashlib.sha256(path.read_bytes()).hexdigest() == sha
    with open(out / "manifest.csv", encoding="utf-8") as fh:
        manifest = list(csv.DictReader(fh))
    assert {r["original_url"] for r in manifest} == {u for u, e in site["files"].items() if e["sha256"]}
    caption = next(r for r in manifest if r["original_url"].endswith("?w=800"))
    assert caption["caption"] == "Ảnh tư liệu: khen thưởng tập thể năm 2023."


# --------------------------------------------------------------- other runs

def test_no_media_and_a_spent_budget(site, tmp_path):
    server = site["server"]
    db = tmp_path / "nomedia.db"
    out = crawl(server.url, db, "--no-media")
    assert out.returncode == 0, out.stderr[-2000:]
    assert rows(db, "select count(*) n from media_files")[0]["n"] == 0
    db2 = tmp_path / "budget.db"
    out = crawl(server.url, db2, "-s", "ARCHIVER_MEDIA_BUDGET=600")
    assert out.returncode == 0, out.stderr[-2000:]
    left = rows(db2, "select url from media_files where status = 'over_budget'")
    assert left, out.stdout  # recorded, not dropped ...
    again = crawl(server.url, db2)
    assert again.returncode == 0
    held = {r["url"] for r in rows(db2, "select url from media_files where status = 'ok'")}
    meant = {u for u, e in site["files"].items() if e["status"] == "ok"}
    assert {r["url"] for r in left} & meant <= held  # ... and fetched by the next run


def test_nightly_requests_no_file_held_and_retries_failed_ones(site):
    server, db = site["server"], site["db"]
    post(server.url + "__mirror/reset-stats")
    post(server.url + "__mirror/publish?n=4")
    out = crawl(server.url, db)
    assert out.returncode == 0, out.stderr[-2000:]
    by_path = get_json(server.url + "__mirror/stats")["by_path"]
    files = get_json(server.url + "__mirror/manifest.json")["files"]
    old = site["files"]
    for url, expected in old.items():
        asked = by_path.get(target(url), 0)
        assert asked == (0 if expected["status"] == "ok" else 1), url  # failed ones tried again
    fresh = set(files) - set(old)
    assert fresh  # the new articles have photos ...
    for url in fresh:
        assert by_path.get(target(url)) == 1  # ... and they were fetched
    held = {r["url"]: r["sha256"] for r in rows(db, "select url, sha256 from media_files")}
    assert all(held[u] == files[u]["sha256"] for u in fresh)



def test_files_do_not_wait_for_the_last_listing_page(tmp_path):
    # The queue's order (spiders/congdoanbackan.py, CONTENT_PRIORITY):
    # articles, then the files of articles already read, then menus and
    # pagers. With files below every page, each waited in memory until the
    # last listing page was read: 20,000 of them at the bench's size. (That
    # articles come before their listing's next page shows only when the
    # queue is longer than the downloader's slots: bench/bench_scale.py.)
    db = tmp_path / "archive.db"
    with MirrorServer(build_site()) as server:
        assert crawl(server.url, db).returncode == 0
    order = [r["url"] for r in rows(db, "select url from captures order by id")]
    files = {r["url"] for r in rows(db, "select url from media_files")}
    pager = [i for i, u in enumerate(order) if re.search(r"/trang-\d+\.html$|[?&]page=\d+", u)]
    file_at = [i for i, u in enumerate(order) if u in files]
    assert len(pager) >= 4 and len(file_at) > 10
    assert file_at[0] < pager[-1]
