"""The archive on a real temporary SQLite file."""
import hashlib

import pytest

from scraper.archive import Archive
from scraper.items import Article, FetchedArticle, FetchFailure, Image

URL = "https://congdoanbackan.org.vn/hoi-nghi.html"


def fetched(body="Đoạn một.\n\nĐoạn hai.", raw=b"<html>v1</html>", **kw):
    art = Article(url=URL, title="Hội nghị", published_at="2023-12-01T07:29:00+07:00",
                  published_date="2023-12-01", body_text=body,
                  images=[Image(url="https://congdoanbackan.org.vn/a.jpg", caption="Ảnh. A", position=0)], **kw)
    return FetchedArticle(article=art, request_url=URL, final_url=URL, status=200,
                          fetched_at="2024-01-01T00:00:00+00:00", raw_html=raw)


@pytest.fixture
def archive(tmp_path):
    a = Archive(tmp_path / "a.db")
    yield a
    a.close()


def test_new_unchanged_updated(archive):
    run = archive.start_run("https://congdoanbackan.org.vn/", "full")
    assert archive.save_article(fetched(), run) == "new"
    assert archive.save_article(fetched(), run) == "unchanged"
    assert archive.save_article(fetched(body="Đoạn một, đã sửa."), run) == "updated"
    assert archive.db["articles"].count == 1
    row = archive.db["articles"].get(URL)
    assert row["version"] == 2 and row["body_text"] == "Đoạn một, đã sửa."
    assert [r["version"] for r in archive.db["article_versions"].rows] == [1, 2]
    assert archive.db["images"].count == 1


def test_every_distinct_fetch_is_recorded_once_its_bytes_left_to_the_warc(archive):
    archive.save_article(fetched(raw=b"<html>v1</html>"))
    archive.save_article(fetched(raw=b"<html>v1</html>"))
    archive.save_article(fetched(raw=b"<html>v2</html>", body="Khác."))
    raws = list(archive.db.query("select fetch_count, sha256, html_gz from raw_pages order by id"))
    assert [r["fetch_count"] for r in raws] == [2, 1]
    assert raws[1]["sha256"] == hashlib.sha256(b"<html>v2</html>").hexdigest()
    assert all(r["html_gz"] is None for r in raws)  # one copy of the bytes: the WARC's


def test_failures_and_run_counts(archive):
    run = archive.start_run("https://congdoanbackan.org.vn/", "full")
    archive.save_article(fetched(), run)
    archive.record_failure(FetchFailure(url=URL + "?x", status=503, error="HTTP 503", attempts=4), run)
    row = archive.finish_run(run, pages_fetched=3, exit_status=0, status="ok")
    assert (row["articles_new"], row["failures"], row["pages_fetched"]) == (1, 1, 3)
    assert row["finished_at"] >= row["started_at"]
    [failure] = archive.db["failures"].rows
    assert (failure["http_status"], failure["attempts"]) == (503, 4)


def test_undated_article_is_flagged(archive):
    f = fetched()
    f.article.published_at = None
    archive.save_article(f)
    assert archive.db["articles"].get(URL)["is_undated"] == 1


def test_reopening_keeps_data(tmp_path):
    a = Archive(tmp_path / "a.db")
    a.save_article(fetched())
    a.close()
    b = Archive(tmp_path / "a.db")
    assert b.known_urls() == {URL}
    b.close()


def test_save_is_one_transaction(archive):
    """A failure half-way through a save leaves the previous state whole."""
    archive.save_article(fetched())
    broken = fetched(body="Nội dung mới.")
    broken.article.images = [Image(url="https://congdoanbackan.org.vn/b.jpg", position=0),
                             Image(url="https://congdoanbackan.org.vn/c.jpg", position=0)]  # same key twice
    with pytest.raises(Exception):
        archive.save_article(broken)
    row = archive.db["articles"].get(URL)
    assert row["body_text"] == "Đoạn một.\n\nĐoạn hai." and row["version"] == 1
    assert [i["url"] for i in archive.db["images"].rows] == ["https://congdoanbackan.org.vn/a.jpg"]


def test_a_refetch_that_lost_its_date_is_refused(archive):
    archive.save_article(fetched())
    placeholder = fetched(body="Hệ thống đang bảo trì, vui lòng quay lại sau.")
    placeholder.article.published_at = None
    assert archive.degrades(placeholder.article)
    assert archive.degrades(fetched(body="Đoạn một, đã sửa.").article) is None


def test_category_from_a_listing_survives_a_refetch_without_one(archive):
    archive.save_article(fetched(category="Tin tức - Sự kiện"))
    assert archive.save_article(fetched()) == "unchanged"
    assert archive.db["articles"].get(URL)["category"] == "Tin tức - Sự kiện"
