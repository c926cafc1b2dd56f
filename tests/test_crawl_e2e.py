"""End to end: the CLI in a subprocess crawls the bundled mirror on 127.0.0.1."""
from __future__ import annotations

import pytest

from tests.mirror.server import MirrorServer
from tests.mirror.site import build_site

from .conftest import SEED
from .helpers import crawl, get_json, rows




@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    db = tmp_path_factory.mktemp("e2e") / "archive.db"
    with MirrorServer(build_site()) as server:
        first = crawl(server.url, db)
        stats = get_json(server.url + "__mirror/stats")
        manifest = get_json(server.url + "__mirror/manifest.json")
        second = crawl(server.url, db, "--full")
        yield {"db": db, "first": first, "second": second, "stats": stats,
               "manifest": manifest, "url": server.url}



def test_crawl_succeeds_and_summarises(crawled):
    first = crawled["first"]
    assert first.returncode == 0, first.stderr[-3000:]
    assert "new" in first.stdout and "failures" in first.stdout
    assert str(crawled["db"]) in first.stdout


def test_every_article_archived_with_its_fields(crawled):
    db = crawled["db"]
    archived = {r["url"]: r for r in rows(db, "select * from articles where kind = 'article'")}
    expected = crawled["manifest"]["articles"]
    assert set(archived) == {a["url"] for a in expected}
    for exp in expected:
        got = archived[exp["url"]]
        for field in ("title", "published_at", "author", "author_line", "source"):
            assert got[field] == exp[field], (exp["url"], field)
        assert got["body_text"].startswith(exp["first_paragraph"]), exp["url"]
        assert got["body_text"].endswith(exp["last_paragraph"]), exp["url"]
        images = rows(db, "select url, caption from images where article_url = ? order by position", [exp["url"]])
        assert images == [{"url": i["url"], "caption": i["caption"]} for i in exp["images"]], exp["url"]
        files = rows(db, "select url, text from attachments where article_url = ? order by position", [exp["url"]])
        assert files == [{"url": a["url"], "text": a["text"]} for a in exp["attachments"]], exp["url"]


def _seed_paragraphs():
    lines = [l.strip() for l in next(SEED.glob("*.txt")).read_text(encoding="utf-8").splitlines()]
    start = lines.index("Cập nhật lúc 07:29 - 01/12/2023 (GMT +07:00)")
    return [l for l in lines[start + 1:] if l]


def test_seed_article_exactly_as_site_notes_give_it(crawled):
    [seed] = rows(crawled["db"], "select * from articles where title like 'Diễn đàn chuyên đề:%'")
    assert seed["title"] == ("Diễn đàn chuyên đề: Đổi mới công tác tổ chức các phong trào "
                             "thi đua yêu nước trong CNVCLĐ")
    assert seed["published_at"] == "2023-12-01T07:29:00+07:00"
    assert seed["published_date"] == "2023-12-01"
    assert seed["author"] == "Bùi Thanh Thủy"
    assert seed["author_line"] == "Bùi Thanh Thủy, Trưởng ban CSPL&QHLĐ, LĐLĐ tỉnh"
    assert seed["source"] is None
    images = rows(crawled["db"], "select url, caption from images where article_url = ?", [seed["url"]])
    assert len(images) == 1
    assert images[0]["url"].endswith(
        "/upload/images/nam-2023/thang-12.2023/1.-anh-ldld-tinh-tham-gia-dien-dan-dh-13.jpg")
    assert images[0]["caption"] == ("Ảnh. Đồng chí Vi Hồng Dương, Chủ tịch LĐLĐ tỉnh Bắc Kạn "
                                    "báo cáo tham luận tại diễn đàn.")
    paragraphs = _seed_paragraphs()
    # Body: every paragraph of the seed except the image path and the byline,
    # whitespace collapsed (the seed has one no-break space; body_html and the
    # raw page keep it, body_text is plain text).
    body = [" ".join(p.split()) for p in paragraphs[:-1] if not p.startswith("/upload/")]
    assert seed["body_text"] == "\n\n".join(body)
    for chrome in ("Nhiệt liệt chào mừng", "LIÊN ĐOÀN LAO ĐỘNG", "Cập nhật lúc", "Bùi Thanh Thủy"):
        assert chrome not in seed["body_text"]


def test_static_page_kept_without_a_date(crawled):
    [page] = rows(crawled["db"], "select * from articles where url like '%/gioi-thieu.html'")
    assert page["kind"] == "page"
    assert page["published_at"] is None and page["is_undated"] == 1


def test_failures_recorded_not_dropped(crawled):
    failures = {r["url"]: r for r in rows(crawled["db"], "select * from failures where run_id = 1")}
    traps = crawled["manifest"]["traps"]
    assert traps["redirect_302"] in failures
    assert failures[traps["redirect_302"]]["error"].startswith("gone")
    assert any(r["http_status"] == 404 for r in failures.values())
    # The transient 503 was retried and archived.
    assert rows(crawled["db"], "select 1 from articles where url = ?", [traps["transient_503"]])
    assert traps["transient_503"] not in failures


def test_traps_are_bounded_and_skipped(crawled):
    by_path = crawled["stats"]["by_path"]
    assert not [p for p in by_path if p.startswith(("/admin", "/tim-kiem"))]  # robots.txt
    assert not [p for p in by_path if p.startswith("/print/")]  # print duplicates
    calendar = [p for p in by_path if p.startswith("/lich-cong-tac")]
    assert 1 <= len(calendar) <= 6
    # Pagers that answer any page number with the last page stop after one repeat.
    for cat in crawled["manifest"]["categories"]:
        pages = [p for p in by_path if p.startswith(f"/{cat['slug']}/trang-") or
                 p.startswith(f"/{cat['slug']}.html?page=")]
        assert len(pages) <= cat["n_pages"] + 1, cat["slug"]
    assert max(by_path.values()) <= 2  # nothing fetched twice but the 503 retry


def test_second_crawl_adds_no_duplicates(crawled):
    second = crawled["second"]
    assert second.returncode == 0, second.stderr[-3000:]
    runs = rows(crawled["db"], "select * from crawl_runs order by id")
    assert [r["exit_status"] for r in runs] == [0, 0]
    assert runs[1]["articles_new"] == 0 and runs[1]["articles_updated"] == 0
    assert runs[1]["articles_unchanged"] == runs[0]["articles_new"]
    total = rows(crawled["db"], "select count(*) n, count(distinct url) d from articles")[0]
    assert total["n"] == total["d"] == runs[0]["articles_new"]
    dup_images = rows(crawled["db"], "select count(*) n from images group by article_url, url having n > 1")
    assert dup_images == []
    assert rows(crawled["db"], "select count(*) n from raw_pages")[0]["n"] == total["n"]


def test_sqlite_file_is_sound_and_in_wal_mode(crawled):
    assert rows(crawled["db"], "pragma integrity_check")[0]["integrity_check"] == "ok"
    assert rows(crawled["db"], "pragma journal_mode")[0]["journal_mode"] == "wal"
