"""Issue 14 as an analyst meets it: the mirror crawled once, then the search
language and ranking, the CLI, Datasette (a real `datasette` subprocess, its
JSON API) and the sqlite-utils CLI agreeing on it, the exit statuses, the
exports, the report and the foreign keys, all against the same file."""
from __future__ import annotations

import csv
import functools
import io
import json
import re
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

import pytest

from scraper.archive.search_index import fold

from .conftest import FIXTURES, ROOT
from .helpers import rows
from .test_analyst_cli import cli, datasette, db, get, sha256  # noqa: F401 (fixtures)

PARTY = "Đảng"  # the Party; folded it is "dang", which đang, đáng, đảm đang share


@functools.lru_cache(maxsize=None)
def _search_json(db, query):
    done = cli("search", *query, "--db", db, "--json", "--limit", 1000)
    assert done.returncode == (0 if json.loads(done.stdout)["total"] else 1), done.stderr
    return done.stdout


def search_json(db, *query):
    """The CLI's answer (each distinct call runs once: a subprocess is ~1 s)."""
    return json.loads(_search_json(db, query))


def urls(result) -> list[str]:
    return [h["url"] for h in result["hits"]]


def words(text: str) -> set[str]:
    return set(re.findall(r"\w+", fold(text)))


@pytest.fixture(scope="module")
def texts(db):
    """url -> (folded words, original lower-cased text) of every archived row:
    the oracle that the searches are checked against."""
    return {r["url"]: (words(f"{r['title']} {r['body_text']}"),
                       f"{r['title']}\n{r['body_text']}".lower())
            for r in rows(db, "select url, title, body_text from articles")}


def having(texts, *wanted) -> set[str]:
    return {url for url, (ws, _) in texts.items() if set(wanted) <= ws}


# ------------------------------------------------------------ search: marks
def test_a_marked_query_ranks_its_exact_matches_first(db, texts):
    result = search_json(db, PARTY)
    exact = {url for url, (_, text) in texts.items()
             if re.search(r"(?<!\w)đảng(?!\w)", text)}
    assert exact and len(result["hits"]) > len(exact)  # đang, đáng ... match too
    assert set(urls(result)[:len(exact)]) == exact
    assert all(h["exact_matches"] == 1 for h in result["hits"][:len(exact)])
    assert all(h["exact_matches"] == 0 for h in result["hits"][len(exact):])
    assert all(h["score"] > 0 for h in result["hits"])  # real bm25, never a flat 0.0
    # --exact keeps only those; without marks there is nothing exact to ask for.
    assert set(urls(search_json(db, PARTY, "--exact"))) == exact
    assert {h["exact_matches"] for h in search_json(db, "dang")["hits"]} == {0}
    assert set(urls(search_json(db, "dang"))) == set(urls(result))


@pytest.mark.parametrize("query", ["lao dong", "doi moi", "cong doan"])
def test_titles_weigh_more_and_scores_fall_within_a_rank(db, query):
    hits = search_json(db, query)["hits"]
    keys = [(h["exact_matches"], h["title_matches"], h["score"]) for h in hits]
    assert keys == sorted(keys, reverse=True)
    for hit in hits:
        assert hit["title_matches"] == len(set(query.split()) & words(hit["title"] or ""))
    # Every title holding both words comes before any that holds fewer, even
    # where a word is in most articles and bm25 gives it almost no weight.
    assert {h["title_matches"] for h in hits[:1]} == {2}


# ------------------------------------------------ search: the index's keys
KEYED = [PARTY, "Công đoàn", "lao dong", '"thi đua"', "Đả*", "cong NOT Đảng", "Đổi OR mới",
         "thi OR dua OR cong OR doan OR Đảng"]


@pytest.mark.parametrize("query", KEYED)
def test_the_ranking_keys_from_the_index_are_the_words_of_the_text(db, query):
    """The keys are MATCHes on the index, never a look at the text: they
    must say what the text says (fts.exact_matches, title_matches and
    is_exact read it), for every article found."""
    from scraper.analyst import fts
    from scraper.archive import open_readonly

    texts = {r["url"]: (r["title"], r["body_text"])
             for r in rows(db, "select url, title, body_text from articles")}
    handle = open_readonly(db)
    try:
        hits, total = fts.search(handle, query, limit=None)
        exact = fts.search(handle, query, limit=None, exact=True)[0]
    finally:
        handle.close()
    assert len(hits) == total > 0
    # Not vacuous: a query with marks outside NOT finds some of them exactly.
    assert any(h["exact_matches"] for h in hits) == bool(fts.plan(query).exact_terms)
    for hit in hits:
        title, body = texts[hit["url"]]
        assert hit["exact_matches"] == fts.exact_matches(query, title, body), hit["url"]
        assert hit["title_matches"] == fts.title_matches(query, title), hit["url"]
    assert {h["url"] for h in exact} == {h["url"] for h in hits if fts.is_exact(query, *texts[h["url"]])}


# Up to three terms whose keys differ are ranked by sets of terms
# (fts.SUBSETS_AT_MOST), more article by article: both ways here.
@pytest.mark.parametrize("query", ["cong doan", PARTY, "thi OR phu", "lao dong",
                                   "thi OR dua OR cong OR doan OR Đảng"])
def test_a_page_of_hits_is_the_head_of_the_whole_ranking(db, query):
    """search() ranks only the tiers that fill the page: any page is the
    start of the ranking that one statement (search_sql, Datasette's) gives,
    with the same scores (search's bm25 is over the expression without the
    folded columns' filter, search_sql's with it)."""
    from scraper.analyst import fts
    from scraper.archive import open_readonly

    handle = open_readonly(db)
    try:
        fts.register(handle.conn)
        ranked = handle.execute(fts.search_sql("a.url, k.id, k.bm25"), {"q": query}).fetchall()
        whole = [r[0] for r in ranked]
        assert len(whole) == fts.search(handle, query, limit=None)[1] > 5
        for limit in (1, 2, 3, 5, 10, 25, len(whole)):
            assert [h["url"] for h in fts.search(handle, query, limit=limit)[0]] == whole[:limit]
        keyed, _ = fts._ranked(handle, query, fts.plan(query), [], {}, None)
        assert [(rowid, bm25) for rowid, _, _, bm25 in keyed] == [r[1:] for r in ranked]
    finally:
        handle.close()


# --------------------------------------------------------- search: operators
@pytest.mark.parametrize("query, expected", [
    ("thi dua", lambda t: having(t, "thi", "dua")),
    ("thi AND dua", lambda t: having(t, "thi", "dua")),
    ("thi OR dua", lambda t: having(t, "thi") | having(t, "dua")),
    ("cong NOT doan", lambda t: having(t, "cong") - having(t, "doan")),
    ("(thi OR dua) cong", lambda t: (having(t, "thi") | having(t, "dua")) & having(t, "cong")),
    ("thi*", lambda t: {u for u, (ws, _) in t.items() if any(w.startswith("thi") for w in ws)}),
])
def test_or_widens_not_narrows(db, texts, query, expected):
    found = set(urls(search_json(db, query)))
    assert found == expected(texts)
    assert found


def test_or_widens_and_not_narrows_on_the_same_words(db):
    count = lambda q: search_json(db, q)["total"]  # noqa: E731
    assert count("thi OR phu") > max(count("thi"), count("phu")) >= count("thi phu") > 0
    assert count("thi OR dua") >= count("thi") >= count("thi dua") > 0
    assert 0 < count("cong NOT doan") < count("cong")
    assert count("cong NOT doan") + count("cong doan") == count("cong")


# ---------------------------------------------------- the tools agree (CLI)
AGREED = ["thi dua", "thi*", "thi OR phu", "cong NOT doan"]


@pytest.mark.parametrize("query", AGREED)
def test_sqlite_utils_search_finds_what_the_cli_finds(db, query):
    done = subprocess.run([sys.executable, "-m", "sqlite_utils", "search", str(db), "articles",
                           query, "-c", "url", "--limit", "1000"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert {r["url"] for r in json.loads(done.stdout)} == set(urls(search_json(db, query)))


@pytest.mark.parametrize("query", AGREED)
def test_datasette_search_and_canned_query_find_what_the_cli_finds(db, datasette, query):
    cli_urls = urls(search_json(db, query))
    table = get(datasette + "/articles.json", _search=query, _searchmode="raw", _shape="array",
                _col="url", _size="max")
    assert {r["url"] for r in table} == set(cli_urls)
    canned = get(datasette + "/search.json", q=query, _shape="array")
    assert [r["url"] for r in canned] == cli_urls  # the same ranking, in the same order


def test_datasette_plain_search_box_agrees_for_words_without_marks(db, datasette):
    for query in ("thi dua", "cong doan", "lao dong"):
        table = get(datasette + "/articles.json", _search=query, _shape="array", _col="url",
                    _size="max")
        assert {r["url"] for r in table} == set(urls(search_json(db, query)))
    # What SQLite's tokenizer cannot do: Đ stays đ, so "Đảng" misses "dang"
    # written without marks... and the CLI's ranking is where marks count.
    plain = get(datasette + "/articles.json", _search=PARTY, _shape="array", _col="url",
                _size="max")
    assert {r["url"] for r in plain} <= set(urls(search_json(db, PARTY)))


def test_datasette_canned_query_ranks_and_filters_marks_like_the_cli(db, datasette):
    assert [r["url"] for r in get(datasette + "/search.json", q=PARTY, _shape="array")] \
        == urls(search_json(db, PARTY))
    assert [r["url"] for r in get(datasette + "/search.json", q=PARTY, exact="1",
                                  _shape="array")] == urls(search_json(db, PARTY, "--exact"))
    hit = get(datasette + "/search.json", q="doi moi", _shape="array")[0]
    assert "»Đổi mới«" in hit["snippet"]


def test_a_malformed_query_is_one_sentence_everywhere(db, datasette):
    done = cli("search", '"cong doan', "--db", db)
    assert done.returncode == 2 and "a quote is not closed" in done.stderr
    with pytest.raises(urllib.error.HTTPError) as caught:
        get(datasette + "/search.json", q='"cong doan', _shape="array")
    assert caught.value.code == 400
    assert "a quote is not closed" in json.load(caught.value)["error"]


# ------------------------------------------------------------- exit status
@pytest.mark.parametrize("args, status", [
    (["search", "zzzz"], 1), (["search", "zzzz", "--json"], 1),
    (["search", "thi OR", "--json"], 2),
    (["export", "-o", "-", "--format", "csv", "--category", "nope"], 1),
    (["export", "-o", "-", "--format", "csv", "--query", "zzzz"], 1),
    (["export", "-o", "-", "--format", "csv", "--query", "("], 2),
    (["export", "-o", "-"], 2), (["export", "-o", "out.txt"], 2),
])
def test_exit_status_is_0_found_1_nothing_2_bad_input(db, args, status):
    done = cli(*args, "--db", db)
    assert done.returncode == status, done.stderr
    assert "Traceback" not in done.stderr
    if status == 2:
        assert len(done.stderr.splitlines()) == 1


@pytest.mark.parametrize("command", [["search", "cong", "--limit", "50"],
                                     ["export", "-o", "-", "--format", "csv"]])
def test_a_closed_pipe_ends_quietly(db, command):
    # The reader is gone before the command writes its first byte (it takes
    # a second to start), like `search ... | head -1` that has read its line.
    proc = subprocess.Popen([sys.executable, "-m", "scraper", *command, "--db", str(db)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc.stdout.close()
    stderr = proc.stderr.read()
    assert proc.wait(timeout=60) == 0, stderr
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr and "Exception" not in stderr


# ------------------------------------------------------------------ exports
@pytest.fixture(scope="module")
def hostile(db, tmp_path_factory):
    """A copy of the archive whose first article has cells a spreadsheet
    would run as formulas."""
    path = tmp_path_factory.mktemp("hostile") / "archive.db"
    path.write_bytes(db.read_bytes())
    conn = sqlite3.connect(path)
    first = conn.execute("select url from articles where kind = 'article' "
                         "order by published_at limit 1").fetchone()[0]
    conn.execute("update articles set title = ?, author = ?, description = ?, source = ? "
                 "where url = ?", ['=HYPERLINK("http://x.invalid","hi")', "+84 912",
                                   "-5 độ C", "@Báo", first])
    conn.commit()
    conn.close()
    return path, first


def test_exports_carry_every_field_and_every_caption(db, tmp_path):
    columns = [r["name"] for r in rows(db, "select name from pragma_table_info('articles')")]
    captioned = rows(db, "select article_url, caption, alt from images where caption != '' "
                         "limit 1")[0]
    assert cli("export", "--db", db, "-o", tmp_path / "a.jsonl").returncode == 0
    lines = [json.loads(x) for x in (tmp_path / "a.jsonl").read_text(encoding="utf-8").splitlines()]
    assert set(columns) | {"images", "attachments"} == set(lines[0])
    [art] = [x for x in lines if x["url"] == captioned["article_url"]]
    assert any(i["caption"] == captioned["caption"] and i["alt"] == captioned["alt"]
               for i in art["images"])

    assert cli("export", "--db", db, "-o", tmp_path / "a.csv").returncode == 0
    raw = (tmp_path / "a.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # inferred csv: the BOM Excel needs
    table = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert set(columns) <= set(table[0])
    assert {"images_json", "attachments_json", "image_urls", "attachment_urls"} <= set(table[0])
    [row] = [r for r in table if r["url"] == captioned["article_url"]]
    assert json.loads(row["images_json"]) == art["images"]
    for r in table:  # every field, as in JSON Lines (values as text)
        src = next(x for x in lines if x["url"] == r["url"])
        for name in ("published_precision", "dateline", "is_undated", "published_at"):
            assert r[name] == ("" if src[name] is None else str(src[name])), name


def test_export_query_uses_the_search_ranking(db, tmp_path):
    out = tmp_path / "q.jsonl"
    assert cli("export", "--db", db, "-o", out, "--query", PARTY).returncode == 0
    exported = [json.loads(x)["url"] for x in out.read_text(encoding="utf-8").splitlines()]
    assert exported == urls(search_json(db, PARTY))
    assert cli("export", "--db", db, "-o", out, "--query", PARTY, "--exact").returncode == 0
    assert [json.loads(x)["url"] for x in out.read_text(encoding="utf-8").splitlines()] \
        == urls(search_json(db, PARTY, "--exact"))


def test_an_export_that_matches_nothing_says_so_and_writes_nothing(db, tmp_path):
    out = tmp_path / "none.csv"
    done = cli("export", "--db", db, "-o", out, "--category", "nope")
    assert done.returncode == 1 and "no articles match" in done.stderr
    assert not out.exists()


def test_csv_cells_never_run_as_formulas(hostile, tmp_path):
    path, url = hostile
    out = tmp_path / "h.csv"
    assert cli("export", "--db", path, "-o", out).returncode == 0
    [row] = [r for r in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig")))
             if r["url"] == url]
    assert row["title"] == "'=HYPERLINK(\"http://x.invalid\",\"hi\")"
    assert (row["author"], row["description"], row["source"]) == ("'+84 912", "'-5 độ C", "'@Báo")
    assert cli("export", "--db", path, "-o", out, "--raw-cells").returncode == 0
    [row] = [r for r in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig")))
             if r["url"] == url]
    assert row["title"].startswith("=HYPERLINK") and row["author"] == "+84 912"
    done = cli("export", "--db", path, "-o", "-", "--format", "jsonl")
    [art] = [json.loads(x) for x in done.stdout.splitlines() if url in x[:300]]
    assert art["title"].startswith("=HYPERLINK")  # JSON Lines: raw text


# ------------------------------------------------------------------- report
def test_report_reads_without_javascript_in_vietnamese(db, tmp_path):
    out = tmp_path / "r.html"
    assert cli("report", "--db", db, "-o", out).returncode == 0
    page = out.read_text(encoding="utf-8")
    assert "<script" not in page.lower() and '<html lang="vi">' in page
    assert "None" not in page and "(none)" not in page
    months = rows(db, "select * from articles_per_month")
    bars = re.findall(r'<rect class="bar"[^>]*data-month="([\d-]+)" data-count="(\d+)"', page)
    assert {m: int(c) for m, c in bars if int(c)} == {r["month"]: r["articles"] for r in months}
    heights = {m: float(h) for h, m in re.findall(r'height="([\d.]+)" data-month="([\d-]+)"', page)}
    top = max(months, key=lambda r: r["articles"])
    assert heights[top["month"]] == max(heights.values()) > 0
    # A missing value is a dash: the runs table of this archive has no NULL,
    # so render one.
    from scraper.analyst import report

    data = report.gather(__import__("scraper.archive", fromlist=["x"]).open_readonly(db))
    data["runs"][0]["finished_at"] = None
    data["categories"].append({"category": None, "articles": 1, "first_date": None,
                               "last_date": None})
    html = report.render(data)
    assert "None" not in html and html.count('<td class="none">—</td>') >= 4


# ------------------------------------------------------------- foreign keys
LINKED = [("images", "article_url"), ("attachments", "article_url"),
          ("article_version_rows", "url"), ("run_outcomes", "url")]


@pytest.mark.parametrize("table, column", LINKED)
def test_datasette_links_rows_to_their_article(db, datasette, table, column):
    [row] = get(datasette + f"/{table}.json", _labels="on", _shape="array", _size=1)
    link = row[column]
    assert isinstance(link, dict), row  # an expanded foreign key: value and label
    [article] = rows(db, "select title from articles where url = ?", [link["value"]])
    assert link["label"] == article["title"]


def test_foreign_keys_on_a_fresh_and_an_upgraded_archive(tmp_path):
    import sqlite_utils

    from scraper.archive import Archive
    from scraper.archive import versions
    from scraper.archive.links import FOREIGN_KEYS
    from scraper.archive.search_index import FTS_SQL

    older = tmp_path / "old.db"
    conn = sqlite3.connect(older)
    conn.executescript((FIXTURES / "archive_v1.sql").read_text(encoding="utf-8"))
    conn.close()
    kept = {"images": "select article_url, position, url, caption, alt from images",
            "failures": "select id, run_id, url, error from failures",
            "run_outcomes": "select run_id, url, outcome from run_outcomes"}
    before = {t: rows(older, sql + " order by 1, 2") for t, sql in kept.items()}
    before["article_versions"] = rows(older, "select * from article_versions order by 1, 2")
    for path in (tmp_path / "new.db", older):
        Archive(path).close()
        db = sqlite_utils.Database(path)
        for table, column, other, other_column in FOREIGN_KEYS:
            # Versions are stored in article_version_rows (archive/versions.py):
            # article_versions is the view over it.
            stored = versions.STORED if table == versions.VIEW else table
            assert (column, other, other_column) in {
                (f.column, f.other_table, f.other_column) for f in db[stored].foreign_keys}
        assert db.execute("select sql from sqlite_master where name = 'articles_fts'"
                          ).fetchone()[0] == FTS_SQL
        assert db["articles"].detect_fts() == "articles_fts"  # sqlite-utils finds it
        from datasette.utils import detect_fts  # and so does Datasette, with no metadata

        assert detect_fts(db.conn, "articles") == "articles_fts"
        db.close()
    # The tables were copied into ones with the keys: every row kept.
    assert all(before.values())
    for table, sql in kept.items():
        assert rows(older, sql + " order by 1, 2") == before[table]
    old_columns = set(before["article_versions"][0])
    assert [{k: v for k, v in r.items() if k in old_columns} for r in
            rows(older, "select * from article_versions order by 1, 2")] == before["article_versions"]


def test_datasette_metadata_describes_every_table_and_column(db):
    meta = json.loads(cli("browse", "--print-metadata", "--db", db).stdout)
    tables = meta["databases"][db.stem]["tables"]
    missing = []
    for (name,) in sqlite3.connect(db).execute(
            "select name from sqlite_master where type in ('table', 'view') "
            "and name not like 'articles_fts%' and name not like 'sqlite_%'"):
        described = tables.get(name, {})
        if not described.get("description"):
            missing.append(name)
            continue
        columns = [r["name"] for r in rows(db, f"select name from pragma_table_info('{name}')")]
        missing += [f"{name}.{c}" for c in columns if c not in described.get("columns", {})]
    assert not missing, "describe these in scraper/analyst/browse.py: " + ", ".join(missing)
