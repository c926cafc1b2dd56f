"""Local dates everywhere: an article published at 00:29 in Bắc Kạn (GMT+07) is
17:29 UTC the day before. Views, search, export and report must all put it on
its local date (published_date), never on SQLite's date(published_at)."""
from __future__ import annotations

import argparse
import csv
import io
import json
import subprocess
import sys

import pytest

from scraper.analyst import period, report
from scraper.archive import Archive
from scraper.items import Article, FetchedArticle

from .conftest import ROOT

BASE = "https://congdoanbackan.org.vn/"
MIDNIGHT = "2024-03-01T00:29:00+07:00"  # 2024-02-29 17:29 UTC


def fetched(slug, title, when):
    article = Article(url=BASE + slug + ".html", title=title, published_at=when,
                      published_date=when[:10], body_text=f"{title}. Công đoàn cơ sở.",
                      category="Hoạt động Công đoàn", author="Bùi Thanh Thủy")
    return FetchedArticle(article=article, request_url=article.url, final_url=article.url,
                          status=200, fetched_at="2024-03-01T01:00:00+00:00",
                          raw_html=title.encode())


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("dates") / "archive.db"
    archive = Archive(path)
    archive.save_article(fetched("nua-dem", "Tin đăng lúc nửa đêm", MIDNIGHT))
    archive.save_article(fetched("cuoi-thang-hai", "Tin cuối tháng Hai", "2024-02-29T10:00:00+07:00"))
    archive.close()
    return path


def cli(*args):
    return subprocess.run([sys.executable, "-m", "scraper", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def test_the_trap_is_real(db):
    archive = Archive(db)
    try:
        assert archive.db.execute("select date(?)", [MIDNIGHT]).fetchone()[0] == "2024-02-29"
    finally:
        archive.close()


def test_views_group_by_local_month(db):
    archive = Archive(db)
    try:
        months = {r["month"]: r["articles"] for r in archive.db.query("select * from articles_per_month")}
    finally:
        archive.close()
    assert months == {"2024-02": 1, "2024-03": 1}


def test_search_dates_and_bounds_are_local(db):
    march = json.loads(cli("search", "cong doan", "--db", db, "--json", "--since", "2024-03-01").stdout)
    assert [h["published_date"] for h in march["hits"]] == ["2024-03-01"]
    february = json.loads(cli("search", "cong doan", "--db", db, "--json", "--until", "2024-02").stdout)
    assert [h["title"] for h in february["hits"]] == ["Tin cuối tháng Hai"]
    plain = cli("search", "nua dem", "--db", db).stdout
    assert "   2024-03-01 · " in plain


def test_export_bounds_and_columns_are_local(db, tmp_path):
    out = tmp_path / "march.csv"
    assert cli("export", "--db", db, "--format", "csv", "--since", "2024-03", "-o", out).returncode == 0
    [row] = csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"), newline=""))
    assert row["published_date"] == "2024-03-01" and row["published_at"] == MIDNIGHT


def test_report_counts_the_local_month(db):
    archive = Archive(db)
    try:
        data = report.gather(archive.db)
    finally:
        archive.close()
    assert data["per_month"] == [{"month": "2024-02", "articles": 1}, {"month": "2024-03", "articles": 1}]
    page = report.render(data)
    assert 'data-month="2024-03" data-count="1"' in page


@pytest.mark.parametrize("text, since, until", [
    ("2024", "2024-01-01", "2024-12-31"),
    ("2024-02", "2024-02-01", "2024-02-29"),
    ("2023-02", "2023-02-01", "2023-02-28"),
    ("2024-3-1", "2024-03-01", "2024-03-01"),
])
def test_period_bounds(text, since, until):
    assert (period.since(text), period.until(text)) == (since, until)


@pytest.mark.parametrize("text", ["24", "2024-13", "2024-02-30", "March", "2024/03", ""])
def test_period_rejects(text):
    with pytest.raises(argparse.ArgumentTypeError, match="YYYY|month|day"):
        period.since(text)
