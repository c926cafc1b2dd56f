"""The search index: folding, safe queries, ranking, and staying in sync with articles.

Archives here are real SQLite files written through Archive.save_article.
"""
from __future__ import annotations

import sqlite3

import pytest

from scraper.analyst import fts
from scraper.archive import Archive, search_index
from scraper.extract.text import fold as extract_fold
from scraper.items import Article, FetchedArticle, Image

BASE = "https://congdoanbackan.org.vn/"


def fetched(slug, title, body, when="2024-03-01T09:15:00+07:00", **fields):
    article = Article(url=BASE + slug + ".html", title=title, body_text=body,
                      published_at=when, published_date=when[:10] if when else None,
                      kind="article" if when else "page", **fields)
    return FetchedArticle(article=article, request_url=article.url, final_url=article.url,
                          status=200, fetched_at="2024-03-02T00:00:00+00:00",
                          raw_html=f"<html>{title}{body}</html>".encode())


ARTICLES = [
    fetched("cong-doan", "Công đoàn cơ sở ra mắt",
            "Ban chấp hành Công đoàn cơ sở nhiệm kỳ mới ra mắt đoàn viên."),
    fetched("doi-moi", "Đổi mới công tác thi đua",
            "Diễn đàn: ĐỔI MỚI công tác tổ chức phong trào thi đua yêu nước.",
            when="2023-12-01T07:29:00+07:00"),
    fetched("doi-bong", "Đội bóng chuyền nữ",
            "Đội bóng của LĐLĐ huyện Ba Bể đạt giải nhất.", when="2023-05-01T15:00:00+07:00"),
    fetched("covid", "Phòng chống COVID-19 tại doanh nghiệp",
            "Người lao động tiêm vắc-xin COVID-19; \"vùng xanh\" (an toàn) được giữ vững.",
            when="2022-01-10T10:00:00+07:00"),
    fetched("gioi-thieu", "Giới thiệu", "Liên đoàn Lao động tỉnh Bắc Kạn.", when=None),
]


def saved(path) -> Archive:
    """An archive at ``path`` holding ARTICLES, open."""
    archive = Archive(path)
    for item in ARTICLES:
        archive.save_article(item)
    return archive


@pytest.fixture
def archive(tmp_path):
    archive = saved(tmp_path / "archive.db")
    yield archive
    archive.close()


def urls(hits):
    return [h["url"].removeprefix(BASE).removesuffix(".html") for h in hits]


def index_entries(db) -> list[tuple]:
    """Every (word, rowid, column, position) the index holds. It keeps no
    copy of the text, so this is all there is to compare: a removal given
    other words than were indexed would leave some behind."""
    db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_instances "
               "USING fts5vocab(main, articles_fts, 'instance')")
    return sorted(tuple(r) for r in db.execute("select term, doc, col, offset from temp.fts_instances"))


def rebuilt_entries(archive) -> list[tuple]:
    """index_entries of the same archive's index made afresh (then undone)."""
    archive.db.conn.execute("SAVEPOINT fresh")
    try:
        search_index.rebuild(archive.db)
        return index_entries(archive.db)
    finally:
        archive.db.conn.execute("ROLLBACK TO fresh")
        archive.db.conn.execute("RELEASE fresh")


# ------------------------------------------------------------------ folding
@pytest.mark.parametrize("text, folded", [
    ("Công đoàn", "cong doan"),
    ("ĐỔI MỚI", "doi moi"),
    ("Bắc Kạn", "bac kan"),
    ("Nguyễn Thị Hường", "nguyen thi huong"),
    ("COVID-19: “vùng xanh”", "covid-19: “vung xanh”"),
    # Decomposed input (NFD) is composed first, so lengths still line up.
    ("Co\u0302ng đoa\u0300n", "cong doan"),
    ("a\n\nb", "a\n\nb"),  # whitespace kept as is: offsets must not move
])
def test_fold(text, folded):
    assert fts.fold(text) == folded


def test_fold_keeps_offsets_and_agrees_with_extract_fold():
    text = "Diễn đàn chuyên đề:  Đổi mới công tác tổ chức\n\nphong trào “thi đua” İstanbul ß"
    assert len(fts.fold(text)) == len(text)
    # Same mapping as the extractor's fold wherever that one is one-to-one.
    plain = "Diễn đàn: Đổi mới công tác tổ chức phong trào “thi đua” yêu nước"
    assert fts.fold(plain) == extract_fold(plain)


# ------------------------------------------------------------------ queries
@pytest.mark.parametrize("query, expected", [
    ("cong doan", '{title_folded body_folded} : ("cong" AND "doan")'),
    ("Công   ĐOÀN", '{title_folded body_folded} : ("cong" AND "doan")'),
    ("thi AND dua", '{title_folded body_folded} : ("thi" AND "dua")'),
    ('"thi dua" yeu', '{title_folded body_folded} : ("thi dua" AND "yeu")'),
    ("COVID-19", '{title_folded body_folded} : ("covid 19")'),
    ("thi*", '{title_folded body_folded} : ("thi"*)'),
    ('"thi du"*', '{title_folded body_folded} : ("thi du"*)'),
    ("thi OR dua", '{title_folded body_folded} : ("thi" OR "dua")'),
    ("cong NOT doan", '{title_folded body_folded} : ("cong" NOT "doan")'),
    ("a OR b NOT c", '{title_folded body_folded} : ("a" OR ("b" NOT "c"))'),
    ("a b OR c", '{title_folded body_folded} : (("a" AND "b") OR "c")'),
    ("(a OR b) c", '{title_folded body_folded} : (("a" OR "b") AND "c")'),
    ("and or not", '{title_folded body_folded} : ("and" AND "or" AND "not")'),  # lower case: words
    ("title:x", '{title_folded body_folded} : ("title x")'),
    ("NEAR(cong doan)", '{title_folded body_folded} : ("near" AND ("cong" AND "doan"))'),
    ("", None), ("  ", None), ("-*-:^", None), ('""', None),
])
def test_match_expression(query, expected):
    assert fts.match_expression(query) == expected


@pytest.mark.parametrize("query, error", [
    ('"', "a quote is not closed"), ('"cong', "a quote is not closed"),
    ('cong"doan', "a quote is not closed"),
    ("(", "a ( is not closed"), ("(doan", "a ( is not closed"), (")", "a ) has no ("),
    ("cong)", "a ) has no ("), ("()", "empty parentheses"),
    ("AND", "AND needs a word on each side"), ("OR OR", "OR needs a word on each side"),
    ("NOT", "NOT needs a word on each side"), ("NOT cong", "NOT needs a word on each side"),
    ("cong OR", "OR at the end needs a word after it"), ("cong AND OR doan", "OR needs a word"),
])
def test_malformed_queries_say_why_in_one_line(archive, query, error):
    with pytest.raises(fts.QueryError) as caught:
        fts.parse(query)
    assert error in str(caught.value) and "\n" not in str(caught.value)
    with pytest.raises(fts.QueryError):  # search says the same, and SQLite is never asked
        fts.search(archive.db, query)


@pytest.mark.parametrize("query", [
    "a:b", "title:cong", "-cong", "cong-", "cong*doan", "NEAR(cong doan)",
    "^cong", "cong + doan", "'", "`", "\\", "{title}", "[x]", "%", "_", "c\x00d",
    "đ", "Đ", "🙂", "cong doan " * 50, "cong OR " * 60 + "doan", "a NOT " * 40 + "b",
    "(" * 30 + "cong" + ")" * 30,
])
def test_any_input_is_searched_or_refused_in_one_sentence(archive, query):
    try:
        hits, total = fts.search(archive.db, query)
    except fts.QueryError as err:
        assert "\n" not in str(err)
    else:
        assert total >= len(hits) >= 0


# ------------------------------------------------------------------- search
def test_without_diacritics_finds_vietnamese(archive):
    assert urls(fts.search(archive.db, "cong doan")[0])[0] == "cong-doan"
    assert urls(fts.search(archive.db, "doi moi")[0])[0] == "doi-moi"
    assert urls(fts.search(archive.db, "Đổi mới")[0])[0] == "doi-moi"
    assert urls(fts.search(archive.db, "DOI MOI")[0])[0] == "doi-moi"
    assert urls(fts.search(archive.db, "bac kan")[0]) == ["gioi-thieu"]
    assert fts.search(archive.db, "covid-19")[1] == 1
    assert fts.search(archive.db, '"vung xanh" (an toan)')[1] == 1


def test_phrase_and_prefix(archive):
    assert urls(fts.search(archive.db, '"cong doan co so"')[0]) == ["cong-doan"]
    assert fts.search(archive.db, '"doan cong"')[1] == 0
    assert "cong-doan" in urls(fts.search(archive.db, "doa*")[0])


def test_title_hits_rank_first(tmp_path):
    archive = Archive(tmp_path / "rank.db")
    for item in ARTICLES:  # bm25 needs a corpus where the words are rare
        archive.save_article(item)
    archive.save_article(fetched("tong-hop", "Tin tổng hợp tuần",
                                 "Nhiều hoạt động trong tuần, trong đó có hội thi an toàn vệ sinh."))
    archive.save_article(fetched("hoi-thi", "Hội thi an toàn vệ sinh viên giỏi",
                                 "Mười hai đội tham gia, thi lý thuyết và thực hành."))
    hits, total = fts.search(archive.db, "an toan ve sinh")
    assert total == 2 and urls(hits) == ["hoi-thi", "tong-hop"]
    assert hits[0]["score"] > hits[1]["score"]
    archive.close()


def test_equal_scores_go_newest_first_even_across_the_cut(tmp_path):
    # Identical texts score the same: the dates, then the URLs, decide,
    # also for the hits that a page of two leaves out.
    archive = Archive(tmp_path / "ties.db")
    for item in ARTICLES:
        archive.save_article(item)
    for slug, when in [("t1", "2021-01-01T08:00:00+07:00"), ("t2", "2024-06-01T08:00:00+07:00"),
                       ("t3", None), ("t4", "2022-01-01T08:00:00+07:00"),
                       ("t0", "2024-06-01T08:00:00+07:00")]:
        archive.save_article(fetched(slug, "Tin vắn", "Giải bóng đá công nhân.", when=when))
    assert urls(fts.search(archive.db, "bong da", limit=2)[0]) == ["t0", "t2"]
    assert urls(fts.search(archive.db, "bong da", limit=3)[0]) == ["t0", "t2", "t4"]
    assert urls(fts.search(archive.db, "bong da", limit=None)[0]) == ["t0", "t2", "t4", "t1", "t3"]
    archive.close()


def test_a_page_ranks_its_tier_once_and_counts_each_word_once(tmp_path):
    # The SQLite work of one search, as statements: on 20,000 articles each
    # FTS5 count of a common word reads ~20,000 entries, and bm25 is most of
    # a search's time. Five identical articles tie across a page of three,
    # where the search used to compute the tier's bm25 a second time (now
    # only for a run of ties longer than the page again).
    # "bóng" and "đá" are in every article as typed: counted alone, never
    # again among the articles found; "bong" and "da" are in some titles:
    # alone, then both among the articles found.
    archive = Archive(tmp_path / "work.db")
    for slug, when in [("t1", "2021-01-01T08:00:00+07:00"), ("t2", "2024-06-01T08:00:00+07:00"),
                       ("t3", None), ("t4", "2022-01-01T08:00:00+07:00"),
                       ("t0", "2024-06-01T08:00:00+07:00")]:
        archive.save_article(fetched(slug, "Bóng đá", "Giải bóng đá công nhân.", when=when))
    archive.save_article(fetched("tin", "Tin vắn", "Sân bóng đá mới của công nhân."))
    statements: list[str] = []
    archive.db.conn.set_trace_callback(statements.append)
    hits, total = fts.search(archive.db, "bóng đá", limit=3)
    archive.db.conn.set_trace_callback(None)
    assert total == 6 and urls(hits) == ["t0", "t2", "t4"]
    assert [(h["exact_matches"], h["title_matches"]) for h in hits] == [(2, 2)] * 3
    assert hits[0]["score"] == hits[2]["score"]
    assert len([s for s in statements if "bm25(" in s]) == 1
    counts = [s for s in statements if s.startswith("SELECT count(*) FROM") and "MATCH" in s]
    # the articles found; each of the 4 terms alone; both title words among
    # the articles found: the best tier, which fills the page (each title
    # word among them is counted only for the tiers below)
    assert len(counts) == 1 + 4 + 1
    # Both title words held: both words found, no need to ask for them again.
    assert counts[-1].endswith("""MATCH '(title_folded : "bong") AND (title_folded : "da")'""")
    assert urls(fts.search(archive.db, "bóng đá", limit=None)[0]) == ["t0", "t2", "t4", "t1", "t3", "tin"]
    archive.close()


def test_a_phrase_no_title_holds_is_not_counted_in_the_titles(archive):
    # Counting a phrase compares the positions of its words in every article
    # holding them all (~20,000 at 20,000 articles); one of its words found
    # in no title says as much, read from the index without positions.
    statements: list[str] = []
    archive.db.conn.set_trace_callback(statements.append)
    hits, total = fts.search(archive.db, '"vùng xanh"')
    archive.db.conn.set_trace_callback(None)
    assert total == 1 and urls(hits) == ["covid"]
    assert (hits[0]["exact_matches"], hits[0]["title_matches"]) == (1, 0)
    assert not [s for s in statements if 'title_folded : "vung xanh"' in s]
    # In a title, the phrase is counted and ranks as before.
    hits, _ = fts.search(archive.db, '"đổi mới" thi')
    assert urls(hits) == ["doi-moi"] and (hits[0]["exact_matches"], hits[0]["title_matches"]) == (1, 2)


def test_words_in_every_title_found_rank_the_articles_found_as_one_tier(tmp_path):
    # "bong" is in titles the search does not find, so it is counted among
    # the articles found; there, with "da", it is in every title: one tier,
    # ranked without asking which articles are in it.
    archive = Archive(tmp_path / "one.db")
    for slug in ("a1", "a2", "a3"):
        archive.save_article(fetched(slug, "Bóng đá", f"Giải bóng đá {slug}."))
    archive.save_article(fetched("b1", "Bóng chuyền", "Giải bóng chuyền."))
    archive.save_article(fetched("b2", "Bóng bàn", "Giải bóng bàn."))
    archive.save_article(fetched("x1", "Tin khác", "Không có gì."))
    statements: list[str] = []
    archive.db.conn.set_trace_callback(statements.append)
    hits, total = fts.search(archive.db, "bong da")
    archive.db.conn.set_trace_callback(None)
    assert total == 3 and sorted(urls(hits)) == ["a1", "a2", "a3"]
    assert {h["title_matches"] for h in hits} == {2}
    ranking = [s for s in statements if "bm25(" in s]
    assert len(ranking) == 1 and "IN (SELECT rowid" not in ranking[0]
    archive.close()


@pytest.mark.parametrize("in_a_title", [False, True])
def test_a_big_exact_tier_is_counted_only_as_far_as_it_is_big(tmp_path, monkeypatch, in_a_title):
    # BIG_TIER lowered as below. "bóng đá" as typed is in 5 of the 7
    # articles: a big tier, newest first, whatever its size past half the
    # archive, so its count stops there. With the phrase in a title too,
    # the tiers need it counted to the end. Either way a page is the head
    # of the whole ranking (limit=None counts everything).
    monkeypatch.setattr(fts, "BIG_TIER", 2)
    archive = Archive(tmp_path / "cap.db")
    for slug, when in [("b1", "2021-01-01T08:00:00+07:00"), ("b2", "2024-06-01T08:00:00+07:00"),
                       ("b3", None), ("b4", "2022-01-01T08:00:00+07:00"),
                       ("b5", "2023-01-01T08:00:00+07:00")]:
        title = "Bóng đá" if in_a_title and slug == "b1" else "Tin vắn"
        archive.save_article(fetched(slug, title, "Giải bóng đá công nhân.", when=when))
    archive.save_article(fetched("u1", "Tin vắn", "Bong da khong dau.", when="2025-01-01T08:00:00+07:00"))
    archive.save_article(fetched("x1", "Tin khác", "Không có gì.", when="2025-01-01T08:00:00+07:00"))
    statements: list[str] = []
    archive.db.conn.set_trace_callback(statements.append)
    hits, total = fts.search(archive.db, '"bóng đá"', limit=2)
    archive.db.conn.set_trace_callback(None)
    whole, _ = fts.search(archive.db, '"bóng đá"', limit=None)
    assert total == 6 and urls(hits) == urls(whole)[:2]
    assert urls(hits) == (["b1", "b2"] if in_a_title else ["b2", "b5"])
    exact = [s for s in statements if """MATCH '"bóng đá"'""" in s and "count(*)" in s]
    # up to 7 // 2 + 1, then (with the phrase in a title) to the end
    assert ["LIMIT 4" in s for s in exact] == ([True, False] if in_a_title else [True])
    # Walked newest first, an article holding the phrase as typed is found:
    # not looked up a second time for the phrase without marks.
    walked = [s for s in statements if "INDEXED BY" in s]
    assert walked and not [s for s in walked if """MATCH '("bong da")' AND x.rowid""" in s]
    archive.close()


def test_a_tier_of_most_of_the_archive_comes_newest_first(tmp_path, monkeypatch):
    # BIG_TIER is 1,000 articles; lowered here so that a small archive has a
    # big tier. "bong da" is in 5 of the 9 articles, all in one tier (no
    # marks typed, never in a title): newest first, no bm25 computed.
    monkeypatch.setattr(fts, "BIG_TIER", 2)
    archive = Archive(tmp_path / "big.db")
    for item in ARTICLES[:4]:
        archive.save_article(item)
    for slug, when, body in [
            ("b1", "2021-01-01T08:00:00+07:00", "Bóng đá, bóng đá, bóng đá: giải bóng đá."),
            ("b2", "2024-06-01T08:00:00+07:00", "Giải bóng đá công nhân và nhiều tin khác nữa."),
            ("b3", None, "Bóng đá."),
            ("b4", "2022-01-01T08:00:00+07:00", "Tin về bóng đá."),
            ("b5", "2023-01-01T08:00:00+07:00", "Sân bóng đá mới.")]:
        archive.save_article(fetched(slug, "Tin vắn", body, when=when))
    hits, total = fts.search(archive.db, "bong da", limit=2)
    assert total == 5 and urls(hits) == ["b2", "b5"]
    assert [h["score"] for h in hits] == [None, None]
    assert urls(fts.search(archive.db, "bong da", limit=None)[0]) == ["b2", "b5", "b4", "b1", "b3"]
    with archive.db.conn:  # without the date index (made by step 12): sorted, the same
        archive.db.conn.execute("DROP INDEX idx_articles_published_at")
    assert urls(fts.search(archive.db, "bong da", limit=3)[0]) == ["b2", "b5", "b4"]
    # The one-statement ranking (Datasette's) applies the same rule.
    fts.register(archive.db.conn)
    whole = [r[0] for r in archive.db.execute(fts.search_sql("a.url"), {"q": "bong da"})]
    assert whole == [BASE + u + ".html" for u in ["b2", "b5", "b4", "b1", "b3"]]
    # Below the threshold bm25 orders the same tier: the densest first.
    monkeypatch.setattr(fts, "BIG_TIER", 1000)
    hits, _ = fts.search(archive.db, "bong da", limit=None)
    assert urls(hits)[0] == "b1" and all(h["score"] > 0 for h in hits)  # four times in it
    archive.close()


def test_snippet_marks_the_original_words(archive):
    [hit] = fts.search(archive.db, "doi moi")[0][:1]
    text = hit["snippet"].replace(fts.OPEN_MARK, "[").replace(fts.CLOSE_MARK, "]")
    assert "[ĐỔI MỚI] công tác" in text


def test_snippet_window_of_a_long_body():
    body = ("Mở đầu. " * 100) + "Công đoàn cơ sở tổ chức hội nghị. " + ("Kết thúc. " * 100)
    marked = fts.OPEN_MARK.join(fts.fold(body).split("cong doan", 1))
    marked = marked.replace(fts.OPEN_MARK, fts.OPEN_MARK + "cong doan" + fts.CLOSE_MARK, 1)
    snippet = fts.snippet(body, marked, width=80)
    assert snippet.startswith("…") and snippet.endswith("…")
    assert fts.OPEN_MARK + "Công đoàn" + fts.CLOSE_MARK in snippet
    assert len(snippet) < 100


def test_date_bounds_use_the_local_date(archive):
    # doi-moi was published 2023-12-01 07:29 local = 2023-12-01 00:29 UTC.
    assert urls(fts.search(archive.db, "doi", since="2023-12-01")[0]) == ["doi-moi"]
    assert urls(fts.search(archive.db, "doi", until="2023-11-30")[0]) == ["doi-bong"]


# ----------------------------------------------------------------- in sync
def test_update_replaces_the_indexed_text(archive):
    old = ARTICLES[0]
    new = fetched("cong-doan", "Công đoàn cơ sở ra mắt", "Nội dung đã sửa: hội nghị tổng kết.")
    assert archive.save_article(new) == "updated"
    assert fts.search(archive.db, "nhiem ky")[1] == 0
    assert urls(fts.search(archive.db, "tong ket")[0]) == ["cong-doan"]
    assert archive.save_article(new) == "unchanged"
    counts = archive.db.execute("select (select count(*) from articles_fts), "
                                "(select count(*) from articles_fts_map), "
                                "(select count(*) from articles)").fetchone()
    assert counts == (len(ARTICLES), len(ARTICLES), len(ARTICLES))
    assert old.article.url in archive.known_urls()
    # The old words are gone from the index, not only from the results.
    assert index_entries(archive.db) == rebuilt_entries(archive)
    assert ("nhiem", ) not in {e[:1] for e in index_entries(archive.db)}


def test_rowids_stay_put_when_an_article_is_fetched_again(archive):
    before = dict(archive.db.execute("select url, rowid from articles").fetchall())
    for item in ARTICLES:
        assert archive.save_article(item) == "unchanged"
    assert dict(archive.db.execute("select url, rowid from articles").fetchall()) == before


def test_plain_sqlite_clients_can_search(archive):
    """No custom function needed: the sqlite3 module alone, as Datasette or the CLI would."""
    conn = sqlite3.connect(archive.path)
    sql = ("select a.url from articles a where a.rowid in "
           "(select rowid from articles_fts where articles_fts match ?)")
    for query, slug in [('"cong" "doan"', "cong-doan"), ('"Công" "đoàn"', "cong-doan"),
                        ('"doi" "moi"', "doi-moi"), ('"Đổi" "mới"', "doi-moi")]:
        found = {r[0] for r in conn.execute(sql, [query])}
        assert BASE + slug + ".html" in found, query
    conn.close()


def test_out_of_band_writes_are_repaired_by_a_sync(tmp_path):
    path = tmp_path / "archive.db"
    saved(path).close()
    # Behind the archive's back: a row replaced (new rowid, new text), one
    # deleted, one inserted, as a script with sqlite-utils might do.
    conn = sqlite3.connect(path)
    with conn:
        row = conn.execute("select * from articles where url like '%covid%'").fetchone()
        names = [d[0] for d in conn.execute("select * from articles limit 0").description]
        record = dict(zip(names, row))
        record.update(body_text="Tiêm phòng cúm mùa.", content_hash="changed")
        conn.execute("delete from articles where url = ?", [record["url"]])
        conn.execute(f"insert into articles ({', '.join(names)}) values ({', '.join('?' * len(names))})",
                     list(record.values()))
        conn.execute("delete from articles where url like '%doi-bong%'")
        conn.execute("insert into articles (url, title, body_text, kind) values (?, ?, ?, 'article')",
                     [BASE + "moi.html", "Tin mới", "Khánh thành nhà văn hóa công nhân."])
    conn.close()
    archive = Archive(path)
    try:
        # Opening does not re-check the index any more: a sync (or search
        # --rebuild) repairs it. Stale: covid (new rowid) and doi-bong (gone);
        # missing: covid and moi.
        assert archive.migrated == []
        assert archive.sync_search_index() == (2, 2)
        assert urls(fts.search(archive.db, "cum mua")[0]) == ["covid"]
        assert fts.search(archive.db, "vung xanh")[1] == 0
        assert fts.search(archive.db, "bong chuyen")[1] == 0
        assert urls(fts.search(archive.db, "nha van hoa")[0]) == ["moi"]
        assert archive.sync_search_index() == (0, 0)
        assert index_entries(archive.db) == rebuilt_entries(archive)
    finally:
        archive.close()


def test_an_entry_whose_text_is_gone_everywhere_is_repaired_by_a_rebuild(tmp_path):
    # The row and every version of it rewritten behind the archive's back:
    # the index cannot be told which words to take out of the old entry, so
    # the sync makes the whole index again rather than leave them.
    path = tmp_path / "archive.db"
    saved(path).close()
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("update articles set body_text = 'Tiêm phòng cúm mùa.', content_hash = 'x' "
                     "where url like '%covid%'")
        conn.execute("update article_version_rows set record_json = '{}' where url like '%covid%'")
    conn.close()
    archive = Archive(path)
    try:
        assert archive.sync_search_index() == (1, len(ARTICLES))
        assert fts.search(archive.db, "vung xanh")[1] == 0
        assert urls(fts.search(archive.db, "cum mua")[0]) == ["covid"]
        assert index_entries(archive.db) == rebuilt_entries(archive)
        assert archive.sync_search_index() == (0, 0)
    finally:
        archive.close()


def test_vacuum_renumbering_is_repaired(tmp_path):
    path = tmp_path / "archive.db"
    archive = saved(path)
    # Make holes so that VACUUM has rowids to close up.
    archive.db.execute("delete from articles where url like '%cong-doan%'")
    archive.db.conn.commit()
    archive.db.execute("VACUUM")
    archive.close()
    archive = Archive(path)
    try:
        assert archive.sync_search_index() != (0, 0)
        entries = index_entries(archive.db)
        assert entries == rebuilt_entries(archive)
        rowids = {r[0] for r in archive.db.execute("select rowid from articles")}
        assert {e[1] for e in entries} == rowids
        assert len(rowids) == archive.article_count() == len(ARTICLES) - 1
        assert urls(fts.search(archive.db, "doi moi")[0]) == ["doi-moi"]
    finally:
        archive.close()


def test_rebuild_matches_incremental_index(archive):
    before = index_entries(archive.db)
    assert archive.rebuild_search_index() == len(ARTICLES)
    assert index_entries(archive.db) == before
    assert {e[1] for e in before} == {r[0] for r in archive.db.execute("select rowid from articles")}


def test_images_do_not_disturb_the_index(tmp_path):
    archive = Archive(tmp_path / "a.db")
    item = fetched("anh", "Ảnh hoạt động", "Nội dung có ảnh.",
                   images=[Image(url=BASE + "a.jpg", caption="Đồng chí phát biểu")])
    archive.save_article(item)
    assert urls(fts.search(archive.db, "noi dung")[0]) == ["anh"]
    archive.close()


def test_co_authors_count_for_each_of_them(archive):
    archive.save_article(fetched("a", "Hội nghị một", "Nội dung một.", author="Minh Anh, Thu Hà"))
    archive.save_article(fetched("b", "Hội nghị hai", "Nội dung hai.", author="Minh Anh"))
    archive.save_article(fetched("c", "Hội nghị ba", "Nội dung ba."))
    got = {r["author"]: r["articles"] for r in archive.db.query("select * from articles_per_author")}
    assert got == {"Minh Anh": 2, "Thu Hà": 1, None: 5}  # the fixture adds 4 unsigned articles


# -------------------------------------------------------------- exact marks
@pytest.mark.parametrize("query, text, exact_matches, is_exact", [
    ("Đảng", "Lãnh đạo của Đảng", 1, 1),
    ("Đảng", "đảm đang, chính đáng", 0, 0),
    ("đảng", "ĐẢNG CỘNG SẢN", 1, 1),                      # case still folds
    ("dang", "đảm đang", 0, 1),                            # no marks typed: all exact
    ("Đảng viên", "đảng viên mới", 2, 1),                  # viên is marked too: 2 terms
    ("Đảng viên", "đảng vien", 1, 0),
    ('"Công đoàn"', "Công đoàn cơ sở", 1, 1),
    ('"Công đoàn"', "cộng đoàn", 0, 0),
    ("Đả*", "Đảng bộ", 1, 1),
    ("Đả*", "đang", 0, 0),
    ("Đảng OR đoàn", "đoàn viên", 1, 1),
    ("Đảng OR đoàn", "đoan trang", 0, 0),
    ("cong NOT Đảng", "công đang", 0, 1),                   # NOT: the marked form is absent
    ("cong NOT Đảng", "công Đảng", 0, 0),
])
def test_exact_marks(query, text, exact_matches, is_exact):
    assert fts.exact_matches(query, "", text) == exact_matches
    assert fts.is_exact(query, "", text) == is_exact
