"""Full-text index of the archive, kept in sync by Archive.save_article.

Vietnamese readers type with or without diacritics, and the unicode61
tokenizer (even with ``remove_diacritics 2``) strips accents but never folds
đ/Đ to d, because đ is a letter of its own rather than d plus a mark. So each
article is indexed twice in one FTS5 table::

    articles_fts(title, body_text, title_folded, body_folded)

``*_folded`` hold the text lower-cased, accents dropped and đ→d, one character
for one character (see ``fold``), so that a hit in the folded column can be
mapped back onto the original text for highlighting. Our own queries fold
the user's words and search only the folded columns; other clients (sqlite3,
Datasette) need no custom function: "cong doan" matches the folded columns and
"Công đoàn" the original ones, since a row matches when each term is found in
any column.

The FTS rowid is ``articles.rowid`` so that ``rowid in (select rowid from
articles_fts where articles_fts match ...)`` works, which is what Datasette
does. ``articles_fts_map`` remembers, for each URL, the rowid and content
hash that were indexed: ``sync`` compares it with ``articles`` and repairs
whatever was written behind our back (VACUUM may renumber rowids, a script
may insert rows), which ``ensure`` runs on every open of the archive.
"""
from __future__ import annotations

import re
import unicodedata

from . import views

FTS_TABLE = "articles_fts"
MAP_TABLE = "articles_fts_map"  # the name starts with articles_fts: Datasette hides it
FTS_SQL = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
    "title, body_text, title_folded, body_folded, "
    "tokenize = 'unicode61 remove_diacritics 2')"
)
MAP_SQL = (
    f"CREATE TABLE {MAP_TABLE} ("
    "url TEXT PRIMARY KEY, fts_rowid INTEGER NOT NULL, content_hash TEXT)"
)
# bm25 weights per column: title, body_text, title_folded, body_folded. Our
# queries only look at the folded columns; a hit in the title counts more.
BM25_WEIGHTS = (0.0, 0.0, 8.0, 1.0)
# The table's default `rank`, for other clients' `ORDER BY rank` (Datasette's
# canned search), whose words may match either copy of the text.
DEFAULT_RANK = "bm25(8.0, 1.0, 8.0, 1.0)"

OPEN_MARK, CLOSE_MARK = "\x02", "\x03"  # never in archived text (clean() keeps no C0 controls)
_NON_WORD = re.compile(r"[^\w]+")
_QUERY_CHUNK = re.compile(r'"([^"]*)"?|(\S+)')


# ------------------------------------------------------------------ folding
class _FoldTable(dict):
    """str.translate table built on demand: one character in, one out."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        if char in "đĐ":
            out = "d"
        else:
            decomposed = unicodedata.normalize("NFD", char)
            out = "".join(c for c in decomposed if unicodedata.category(c) != "Mn").lower()
            if len(out) != 1:  # a lone combining mark, or İ -> i̇: keep alignment
                out = char.lower() if len(char.lower()) == 1 else char
        self[code] = out
        return out


_FOLD = _FoldTable()


def fold(text: str | None) -> str:
    """Lower-case, accents dropped, đ→d, keeping the length of NFC ``text``.

    The same mapping as scraper.extract.text.fold, but whitespace is left as
    it is so that offsets in the folded text are offsets in the original.
    """
    if not text:
        return ""
    return unicodedata.normalize("NFC", text).translate(_FOLD)


# ------------------------------------------------------------------- schema
def _sql_of(db, name: str) -> str | None:
    row = db.execute("select sql from sqlite_master where name = ?", [name]).fetchone()
    return row[0] if row else None


def ensure(db) -> None:
    """Create the search tables and the analyst views if missing, and bring the
    index up to date with ``articles`` (called on every open of the archive)."""
    if _sql_of(db, FTS_TABLE) != FTS_SQL or _sql_of(db, MAP_TABLE) != MAP_SQL:
        # Missing, or made by another version of this module: start afresh,
        # sync() below fills it.
        db.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
        db.execute(f"DROP TABLE IF EXISTS {MAP_TABLE}")
        db.execute(FTS_SQL)
        db.execute(MAP_SQL)
    rank = db.execute(f"SELECT v FROM {FTS_TABLE}_config WHERE k = 'rank'").fetchone()
    if rank is None or rank[0] != DEFAULT_RANK:
        _set_rank(db)
    views.ensure(db)
    if db["articles"].exists():
        sync(db)


def _set_rank(db) -> None:
    db.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rank) VALUES ('rank', ?)", [DEFAULT_RANK])


def index(db, url: str) -> None:
    """(Re)index one article after it was written (inside the write transaction)."""
    row = db.execute(
        "select rowid, title, body_text, content_hash from articles where url = ?", [url]
    ).fetchone()
    _unindex(db, url)
    if row is None:
        return
    rowid, title, body, digest = row
    title, body = _nfc(title), _nfc(body)
    db.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = ?", [rowid])
    db.execute(
        f"INSERT INTO {FTS_TABLE} (rowid, title, body_text, title_folded, body_folded) "
        "VALUES (?, ?, ?, ?, ?)",
        [rowid, title, body, fold(title), fold(body)],
    )
    db.execute(f"INSERT OR REPLACE INTO {MAP_TABLE} (url, fts_rowid, content_hash) VALUES (?, ?, ?)",
               [url, rowid, digest])


def _unindex(db, url: str) -> None:
    old = db.execute(f"SELECT fts_rowid FROM {MAP_TABLE} WHERE url = ?", [url]).fetchone()
    if old is not None:
        db.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = ?", [old[0]])
        db.execute(f"DELETE FROM {MAP_TABLE} WHERE url = ?", [url])


def _nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", text) if text else ""


def sync(db) -> tuple[int, int]:
    """Drop index entries that no longer match ``articles`` and index what is
    missing. Returns (entries removed, articles indexed)."""
    stale = db.execute(
        f"SELECT m.url FROM {MAP_TABLE} m LEFT JOIN articles a ON a.url = m.url "
        "WHERE a.url IS NULL OR a.rowid != m.fts_rowid OR a.content_hash IS NOT m.content_hash"
    ).fetchall()
    # Every stale entry goes before any insert: a renumbered article may take
    # the rowid that another stale entry still holds.
    for (url,) in stale:
        _unindex(db, url)
    missing = db.execute(
        f"SELECT a.url FROM articles a LEFT JOIN {MAP_TABLE} m ON m.url = a.url WHERE m.url IS NULL"
    ).fetchall()
    for (url,) in missing:
        index(db, url)
    return len(stale), len(missing)


def rebuild(db) -> int:
    """Empty the index and index every article again; returns how many."""
    with db.atomic():
        db.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
        db.execute(f"DROP TABLE IF EXISTS {MAP_TABLE}")
        db.execute(FTS_SQL)
        db.execute(MAP_SQL)
        _set_rank(db)
        urls = [r[0] for r in db.execute("SELECT url FROM articles ORDER BY rowid")]
        for url in urls:
            index(db, url)
        db.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('optimize')")
    return len(urls)


# ------------------------------------------------------------------- search
def match_expression(query: str) -> str | None:
    """Turn what a user typed into a safe FTS5 expression over the folded columns.

    Every word is folded and quoted, so FTS syntax in the input (quotes,
    hyphens, colons, parentheses, AND/OR/NOT/NEAR) is taken literally. A
    whitespace-separated chunk with inner punctuation ("COVID-19") and
    anything between double quotes become a phrase; a trailing * asks for a
    prefix. All chunks must match. None when nothing searchable is left.
    """
    phrases = []
    for m in _QUERY_CHUNK.finditer(query):
        quoted, bare = m.group(1), m.group(2)
        chunk = quoted if quoted is not None else bare
        words = _NON_WORD.sub(" ", fold(chunk)).replace("_", " ").split()
        if not words:
            continue
        prefix = "*" if bare is not None and bare.endswith("*") else ""
        phrases.append('"' + " ".join(words) + '"' + prefix)
    if not phrases:
        return None
    return "{title_folded body_folded} : (" + " AND ".join(phrases) + ")"


def search(db, query: str, *, limit: int = 10, since: str | None = None,
           until: str | None = None) -> tuple[list[dict], int]:
    """Articles matching ``query``, best first, and how many match in all.

    ``since``/``until`` are inclusive local dates (YYYY-MM-DD) compared with
    ``published_date``. Each hit carries ``snippet``: a window of the body
    with the matched words between OPEN_MARK and CLOSE_MARK.
    """
    match = match_expression(query)
    if match is None:
        return [], 0
    where, params = date_bounds("a.published_date", since, until)
    where.insert(0, f"{FTS_TABLE} MATCH ?")
    params.insert(0, match)
    base = (f"FROM {FTS_TABLE} f JOIN articles a ON a.rowid = f.rowid "
            f"WHERE {' AND '.join(where)}")
    total = db.execute(f"SELECT count(*) {base}", params).fetchone()[0]
    weights = ", ".join(str(w) for w in BM25_WEIGHTS)
    cursor = db.execute(
        "SELECT a.url, a.title, a.published_at, a.published_date, a.kind, a.category, "
        "a.author, f.body_text, "
        f"highlight({FTS_TABLE}, 3, char(2), char(3)) AS marked, "
        f"bm25({FTS_TABLE}, {weights}) AS score "
        f"{base} ORDER BY score, a.published_at DESC, a.url LIMIT ?",
        [*params, limit],
    )
    names = [d[0] for d in cursor.description]
    hits = []
    for values in cursor.fetchall():
        hit = dict(zip(names, values))
        hit["snippet"] = snippet(hit.pop("body_text"), hit.pop("marked"))
        hit["score"] = round(-hit["score"], 4)  # bm25 is lower-is-better; show higher-is-better
        hits.append(hit)
    return hits, total


def _spans(marked: str) -> list[tuple[int, int]]:
    """Offsets (in the unmarked text) of the highlighted runs in ``marked``."""
    spans, offset, start = [], 0, None
    for char in marked:
        if char == OPEN_MARK:
            start = offset
        elif char == CLOSE_MARK:
            spans.append((start, offset))
        else:
            offset += 1
    return spans


def snippet(original: str, marked_folded: str, width: int = 220) -> str:
    """About ``width`` characters of ``original`` around its densest run of
    hits, the hits wrapped in OPEN_MARK/CLOSE_MARK; whitespace collapsed.

    ``marked_folded`` is FTS5's highlight() of the folded column: folding
    keeps offsets, so its marks apply to the original text as they are.
    """
    original = original or ""
    spans = _spans(marked_folded or "")
    if spans and spans[-1][1] > len(original):  # not aligned: should not happen
        spans = []
    # "[Công] [đoàn]" reads better as "[Công đoàn]"; a run of several words
    # (the phrase typed) weighs more than scattered single words.
    merged: list[list[int]] = []  # [start, end, words]
    for s, e in spans:
        if merged and not original[merged[-1][1]:s].strip():
            merged[-1][1:] = [e, merged[-1][2] + 1]
        else:
            merged.append([s, e, 1])
    spans = [(s, e) for s, e, _ in merged]
    if spans:
        def weight(first):
            return sum(n * n for s, _, n in merged if first[0] <= s < first[0] + width)
        best = max(merged[:200], key=weight)
        start = max(0, best[0] - width // 5)
    else:
        start = 0
    end = min(len(original), start + width)
    for s, e in spans:  # never cut a hit in two
        if s < start < e:
            start = s
    if start > 0:  # start on a word
        cut = original.rfind(" ", 0, start)
        start = cut + 1 if cut >= 0 else 0
    if end < len(original):
        cut = original.rfind(" ", start, end)
        end = cut if cut > start else end
    pieces, pos = [], start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        pieces += [original[pos:s], OPEN_MARK, original[s:e], CLOSE_MARK]
        pos = e
    pieces.append(original[pos:end])
    text = " ".join("".join(pieces).split())
    return ("…" if start > 0 else "") + text + ("…" if end < len(original) else "")


def date_bounds(column: str, since: str | None, until: str | None) -> tuple[list[str], list]:
    """SQL conditions (and their parameters) keeping `column`, a local
    YYYY-MM-DD date, between `since` and `until`, both inclusive."""
    where, params = [], []
    if since:
        where.append(f"{column} >= ?")
        params.append(since)
    if until:
        where.append(f"{column} <= ?")
        params.append(until)
    return where, params
