"""The analysts' commands for real: the mirror crawled once into a SQLite file,
then search, export, report (rendered by headless Chromium) and browse
(Datasette in a subprocess) run against it as subprocesses. They only read:
the archive's bytes are the same after them, and a file that is not an
archive of the current schema is refused and left as it was."""
from __future__ import annotations

import csv
import hashlib
import io
import sqlite3
import json
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections import Counter

import pytest

from scraper.extract.text import fold
from tests.mirror.server import MirrorServer
from tests.mirror.site import build_site

from .conftest import FIXTURES, ROOT
from .helpers import rows

COMMANDS = ["search", "export", "browse", "report"]


def cli(*args, timeout=120):
    return subprocess.run([sys.executable, "-m", "scraper", *map(str, args)],
                          cwd=ROOT, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("analyst") / "archive.db"
    with MirrorServer(build_site()) as server:
        done = cli("crawl", "--base-url", server.url, "--db", path,
                   "--delay", "0", "--concurrency", "8", "--quiet", timeout=120)  # ~3 s when healthy
    assert done.returncode == 0, done.stderr[-3000:]
    return path



@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command):
    done = cli(command, "--help")
    assert done.returncode == 0
    assert f"Example: python -m scraper {command}" in done.stdout
    assert "--db" in done.stdout


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


READS = [["search", "cong doan"], ["search", "cong doan", "--json"],
         ["export", "--format", "csv", "-o", "{out}/a.csv"],
         ["export", "--format", "jsonl", "-o", "{out}/a.jsonl"],
         ["report", "-o", "{out}/r.html"], ["browse"], ["search", "--rebuild"]]


def read_commands(out):
    return [[str(a).replace("{out}", str(out)) for a in args] for args in READS]


def test_read_commands_refuse_a_missing_archive(tmp_path):
    missing = tmp_path / "nope.db"
    for args in read_commands(tmp_path):
        done = cli(*args, "--db", missing)
        assert done.returncode == 2 and "no archive at" in done.stderr, args
        assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []


def refused_unchanged(path, out, message):
    """Every read command (and search --rebuild) refuses ``path`` with exit 2 and
    one sentence, and leaves it, and its folder, as they were."""
    before = sha256(path)
    for args in read_commands(out):
        done = cli(*args, "--db", path)
        assert done.returncode == 2, (args, done.stderr)
        assert len(done.stderr.splitlines()) == 1 and message in done.stderr, (args, done.stderr)
    assert sha256(path) == before
    # No lock file, nothing written. (A reader of a WAL-mode file needs its
    # -shm and -wal beside it, as any SQLite reader does; they hold no data.)
    assert {p.name for p in path.parent.iterdir()} <= {path.name, f"{path.name}-wal",
                                                        f"{path.name}-shm"}
    assert list(out.iterdir()) == []


def test_an_sqlite_file_that_is_not_an_archive_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "db" / "notes.db"
    path.parent.mkdir()
    conn = sqlite3.connect(path)
    conn.execute("create table notes (id integer primary key, text)")
    conn.execute("insert into notes (text) values ('keep me as I am')")
    conn.commit()
    conn.close()
    (tmp_path / "out").mkdir()
    refused_unchanged(path, tmp_path / "out", "not an archive")


def test_an_older_or_newer_archive_is_refused_by_readers(tmp_path):
    (tmp_path / "out").mkdir()
    older = tmp_path / "old" / "archive.db"
    older.parent.mkdir()
    conn = sqlite3.connect(older)
    conn.executescript((FIXTURES / "archive_v1.sql").read_text(encoding="utf-8"))
    conn.close()
    refused_unchanged(older, tmp_path / "out", f"python -m scraper upgrade --db {older}")

    from scraper.archive import CURRENT_VERSION, Archive

    newer = tmp_path / "new" / "archive.db"
    newer.parent.mkdir()
    Archive(newer).close()
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {CURRENT_VERSION + 1}")
    conn.close()
    refused_unchanged(newer, tmp_path / "out", "newer version")


# ------------------------------------------------------------------- search
def test_search_prints_title_date_url_and_snippet(db):
    done = cli("search", "cong", "doan", "--db", db, "--limit", 3)
    assert done.returncode == 0, done.stderr
    blocks = done.stdout.strip().split("\n\n")
    hits, summary = blocks[:-1], blocks[-1]
    assert len(hits) == 3
    total = sum(1 for r in rows(db, "select title, body_text from articles")
                if {"cong", "doan"} <= set(re.findall(r"\w+", fold(f"{r['title']} {r['body_text']}"))))
    assert summary == f"3 of {total} matches for 'cong doan'"
    for n, block in enumerate(hits, 1):
        title, meta, url, snippet = block.split("\n")
        [row] = rows(db, "select * from articles where url = ?", [url.strip()])
        assert title == f"{n}. {row['title']}"
        assert meta.strip().startswith(row["published_date"])
        assert re.search(r"\[[Cc]ông đoàn\]", snippet), snippet


def test_search_without_diacritics_finds_the_seed_article_first(db):
    for query in (["doi", "moi"], ["Đổi mới"], ["DOI MOI"]):
        done = cli("search", *query, "--db", db, "--json")
        result = json.loads(done.stdout)
        assert result["hits"][0]["title"].startswith("Diễn đàn chuyên đề: Đổi mới"), query
        assert "[Đổi mới]" in result["hits"][0]["snippet"]


def test_search_json_fields_and_date_bounds(db):
    done = cli("search", "lao dong", "--db", db, "--json", "--limit", 100,
               "--since", "2024", "--until", "2024-06")
    result = json.loads(done.stdout)
    assert result["total"] == len(result["hits"]) > 0
    for hit in result["hits"]:
        assert {"url", "title", "published_at", "published_date", "snippet", "score"} <= set(hit)
        assert "2024-01-01" <= hit["published_date"] <= "2024-06-30"
    keys = [(h["exact_matches"], h["title_matches"], h["score"]) for h in result["hits"]]
    assert keys == sorted(keys, reverse=True)  # the ranking's keys, best first


@pytest.mark.parametrize("query", ["cong-doan", "to chuc: cong doan", "NEAR(a b)", "cong+doan*", "a:b"])
def test_search_takes_punctuation_as_text(db, query):
    done = cli("search", query, "--db", db)
    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stderr
    assert "match" in done.stdout.splitlines()[-1]


@pytest.mark.parametrize("query", ['"cong doan', "(doan", "to chuc: cong doan)", "AND OR NOT",
                                   "-", "*"])
def test_search_refuses_a_malformed_query_in_one_line(db, query):
    done = cli("search", query, "--db", db)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("python -m scraper search: bad query: ")
    assert len(done.stderr.splitlines()) == 1


def test_search_rejects_bad_dates(db):
    done = cli("search", "x", "--db", db, "--since", "2024-13")
    assert done.returncode == 2 and "'2024-13'" in done.stderr


def test_search_rebuild(db):
    before = cli("search", "cong doan", "--db", db, "--json").stdout
    done = cli("search", "--rebuild", "--db", db)
    assert done.returncode == 0 and "rebuilt" in done.stderr
    assert cli("search", "cong doan", "--db", db, "--json").stdout == before


def test_search_rebuild_waits_for_no_one(db):
    # --rebuild writes, so it takes the run lock: refused while a crawl holds it.
    from scraper.archive import RunLock

    before = sha256(db)
    lock = RunLock(db).acquire()
    try:
        done = cli("search", "--rebuild", "--db", db)
    finally:
        lock.release()
    assert done.returncode == 3 and "refusing to start" in done.stderr
    assert sha256(db) == before


def test_search_needs_a_query(db):
    done = cli("search", "--db", db)
    assert done.returncode == 2 and "give a QUERY (or --rebuild)" in done.stderr


# ------------------------------------------------------------------- export
def test_export_csv_opens_in_spreadsheets(db, tmp_path):
    out = tmp_path / "articles.csv"
    done = cli("export", "--db", db, "--format", "csv", "-o", out)
    assert done.returncode == 0, done.stderr
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfurl,title,published_date,")  # UTF-8 BOM
    assert raw.split(b"\n", 1)[0].endswith(b"\r")  # CRLF rows; cells keep their own \n
    records = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    archived = {r["url"]: r for r in rows(db, "select * from articles")}
    assert len(records) == len(archived) and f"{len(records)} articles" in done.stderr
    for record in records:
        row = archived[record["url"]]
        assert record["title"] == row["title"]
        assert record["body_text"] == row["body_text"]  # multi-line cells survive
        images = [i["url"] for i in rows(db, "select url from images where article_url = ? "
                                             "order by position", [row["url"]])]
        assert record["image_urls"].split("\n") == (images or [""])
    assert "body_html" in records[0]  # every field; --no-html leaves it out


def test_export_jsonl_nests_images_and_attachments(db, tmp_path):
    out = tmp_path / "articles.jsonl"
    assert cli("export", "--db", db, "--format", "jsonl", "-o", out).returncode == 0
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(records) == len(rows(db, "select url from articles"))
    with_attachments = 0
    for record in records:
        assert "body_html" in record
        images = rows(db, "select * from images where article_url = ? order by position",
                      [record["url"]])
        assert record["images"] == [{k: v for k, v in i.items() if k != "article_url"}
                                    for i in images]
        assert len(record["images"]) == record["image_count"]
        attachments = rows(db, "select * from attachments where article_url = ? "
                               "order by position", [record["url"]])
        assert record["attachments"] == [{k: v for k, v in a.items() if k != "article_url"}
                                         for a in attachments]
        with_attachments += bool(attachments)
    assert with_attachments > 0
    dated = [r["published_at"] for r in records if r["published_at"]]
    assert dated == sorted(dated)


def test_export_filters(db, tmp_path):
    out = tmp_path / "f.jsonl"

    def export(*args):
        assert cli("export", "--db", db, "--format", "jsonl", "-o", out, *args).returncode == 0
        return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]

    by_category = export("--category", "hoat dong CONG DOAN")
    expected = rows(db, "select count(*) n from articles where category = 'Hoạt động Công đoàn'")
    assert len(by_category) == expected[0]["n"] > 0
    assert {r["category"] for r in by_category} == {"Hoạt động Công đoàn"}
    [seed] = export("--author", "Bui Thanh Thuy")
    assert seed["author"] == "Bùi Thanh Thủy" and len(seed["images"]) == 1
    march = export("--since", "2024-03", "--until", "2024-03")
    assert march and all(r["published_date"].startswith("2024-03") for r in march)
    assert export("--html", "--since", "2024-03-01", "--until", "2024-03-31")[0]["body_html"]
    assert "body_html" not in export("--no-html", "--since", "2024-03-01", "--until", "2024-03-31")[0]


def test_export_to_stdout(db):
    done = cli("export", "--db", db, "--format", "csv", "-o", "-", "--since", "2024-12")
    assert done.returncode == 0
    assert done.stdout.startswith("url,title,")  # no BOM on a pipe


# -------------------------------------------------------------------- views
def test_views_answer_the_common_questions(db):
    articles = rows(db, "select * from articles where kind = 'article'")
    per_month = Counter(a["published_date"][:7] for a in articles)
    assert {r["month"]: r["articles"] for r in rows(db, "select * from articles_per_month")} \
        == dict(per_month)
    per_category = Counter(a["category"] for a in articles)
    assert {r["category"]: r["articles"] for r in rows(db, "select * from articles_per_category")} \
        == dict(per_category)
    # Co-authors ("A, B") count for each of them.
    per_author = Counter(name for a in articles
                         for name in (a["author"].split(", ") if a["author"] else [None]))
    assert {r["author"]: r["articles"] for r in rows(db, "select * from articles_per_author")} \
        == dict(per_author)
    coverage = {r["field"]: r for r in rows(db, "select * from field_coverage")}
    assert coverage["title"]["percent"] == 100.0
    assert coverage["author"]["filled"] == sum(1 for a in articles if a["author"])
    assert coverage["images"]["filled"] == sum(1 for a in articles if a["image_count"])


# ------------------------------------------------------------------- report
def test_report_is_self_contained_and_its_chart_needs_no_script(db, tmp_path):
    out = tmp_path / "report.html"
    done = cli("report", "--db", db, "-o", out)
    assert done.returncode == 0, done.stderr
    page = out.read_text(encoding="utf-8")
    for external in ("<link", " src=", "url(", "@import", "<iframe", "<img", "<script"):
        assert external not in page, external
    top = rows(db, "select author from articles_per_author where author is not null limit 1")
    assert f"<td>{top[0]['author']}</td>" in page
    months = rows(db, "select * from articles_per_month")
    assert f"<td>{months[0]['month']}</td>" in page

    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("chromium not installed: `make chromium` installs it")
    profile = tmp_path / "chromium-profile"
    dom = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", "--disable-default-apps", "--disable-extensions",
         f"--user-data-dir={profile}", "--dump-dom", out.as_uri()],
        capture_output=True, text=True, timeout=60,
    ).stdout
    bars = re.findall(r'<rect class="bar"[^>]*data-month="([\d-]+)" data-count="(\d+)"', dom)
    first, last = months[0]["month"], months[-1]["month"]
    span = (int(last[:4]) - int(first[:4])) * 12 + int(last[5:]) - int(first[5:]) + 1
    assert len(bars) == span  # one bar per month, empty months included
    assert {m: int(c) for m, c in bars if int(c)} == {r["month"]: r["articles"] for r in months}
    assert f'data-drawn="{span}"' in dom


# ------------------------------------------------------------------- browse
def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def datasette(db):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "scraper", "browse", "--db", str(db),
                             "--port", str(port)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(base + "/-/versions.json", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    proc.kill()
                    pytest.fail("datasette did not start:\n" + proc.stdout.read())
                time.sleep(0.2)
        yield base + "/" + db.stem
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def get(url, **params):
    with urllib.request.urlopen(url + "?" + urllib.parse.urlencode(params), timeout=10) as r:
        return json.load(r)


def test_datasette_searches_with_and_without_diacritics(db, datasette):
    expected = json.loads(cli("search", "cong doan", "--db", db, "--json").stdout)["total"]
    for query in ("cong doan", "Công đoàn", "CÔNG ĐOÀN"):
        found = get(datasette + "/articles.json", _search=query, _shape="objects", _size=100)
        assert found["filtered_table_rows_count"] == expected, query
    seed = get(datasette + "/articles.json", _search="doi moi thi dua yeu nuoc", _shape="array")
    assert any(r["title"].startswith("Diễn đàn chuyên đề") for r in seed)


def test_datasette_facets_and_canned_queries(db, datasette):
    table = get(datasette + "/articles.json", _shape="objects", _size=0)
    facets = table["facet_results"]
    assert {"category", "author", "published_date"} <= set(facets)
    counted = {f["value"]: f["count"] for f in facets["category"]["results"]}
    expected = {r["category"]: r["n"] for r in rows(
        db, "select category, count(*) n from articles where category is not null group by category")}
    assert counted == expected
    hits = get(datasette + "/search.json", q="doi moi", _shape="array")
    assert hits[0]["title"].startswith("Diễn đàn chuyên đề")
    assert get(datasette + "/search.json", q="", _shape="array") == []
    months = get(datasette + "/articles_per_month.json", _shape="array")
    assert sum(m["articles"] for m in months) == len(rows(db, "select 1 from articles where kind = 'article'"))
    info = get(datasette + ".json")
    hidden = {t["name"] for t in info["tables"] if t["hidden"]}
    assert {"articles_fts", "articles_fts_map"} <= hidden
    assert {"articles_per_month", "field_coverage"} <= {v["name"] for v in info["views"]}


def test_reading_never_changes_the_archive(db, datasette, tmp_path):
    # The bytes of the file itself: a read-only open writes nothing to it
    # (not even the schema and index upkeep the old writer-open did).
    before = sha256(db)
    for args in read_commands(tmp_path)[:-2]:  # all but browse and --rebuild
        done = cli(*args, "--db", db)
        assert done.returncode == 0, (args, done.stderr)
    assert cli("search", "zzzz nothing", "--db", db).returncode == 1
    assert cli("browse", "--print-metadata", "--db", db).returncode == 0
    # Datasette, started by `browse`, answers from the same file.
    assert get(datasette + "/articles.json", _search="cong doan", _size=1)["rows"]
    assert get(datasette + "/search.json", q="doi moi", _shape="array")
    assert get(datasette + "/articles_per_month.json", _shape="array")
    assert sha256(db) == before
