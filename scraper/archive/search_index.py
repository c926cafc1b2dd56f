"""The write side of the archive's full-text index: its tables, and keeping
them in step with ``articles`` (``Archive.save_article`` calls ``index``).

Vietnamese readers type with or without diacritics, and the unicode61
tokenizer (even with ``remove_diacritics 2``) strips accents but never folds
đ/Đ to d, because đ is a letter of its own rather than d plus a mark. So each
article is indexed twice in one FTS5 table::

    articles_fts(title, body_text, title_folded, body_folded)

``*_folded`` are the text lower-cased, accents dropped and đ→d, one character
for one character (see ``fold``); ``title`` and ``body_text`` are the text as
it is, tokenized with its marks (``remove_diacritics 0``: only the case
folds). The analysts' queries (scraper.analyst.fts) fold the user's words and
search the folded columns, and look for the words typed with marks in the
original columns, to rank exact forms first. Other clients (sqlite3,
sqlite-utils, Datasette's ``_search``) need no custom function: "cong doan"
matches the folded columns, since a row matches when each term is found in
any column, and "Công đoàn" typed with marks matches those exact words in
the original columns. What they cannot do is fold the words they are given:
"Đảng" finds Đảng, not đang or "dang" typed without marks.

The table keeps no copy of the text (``content=''``): the words are in
``articles``. Removing an entry takes the text that was indexed; see
``_unindex`` for where it is found.

The FTS rowid is ``articles.rowid`` so that ``rowid in (select rowid from
articles_fts where articles_fts match ...)`` works, which is what Datasette
does. ``articles_fts_map`` remembers, for each URL, the rowid, content hash
and a hash of the text that were indexed: ``sync`` compares it with
``articles`` and repairs whatever was written behind the archive's back
(VACUUM may renumber rowids, a script may insert rows). It runs in the
migration steps that make the index, and on demand
(``Archive.sync_search_index``, ``python -m scraper search --rebuild``), not
on every open.
"""
from __future__ import annotations

import hashlib
import json
import unicodedata

FTS_TABLE = "articles_fts"
MAP_TABLE = "articles_fts_map"  # the name starts with articles_fts: Datasette hides it
# The comment names the table the index is for in the words that sqlite-utils
# (`sqlite-utils search`, Table.search) and Datasette (`_search` with no
# metadata) look for in sqlite_master, `content="articles"`; SQLite skips it.
FOR_TOOLS = '/* for tools: content="articles", rowid = articles.rowid */'
# content='': the table holds the index only, not a copy of the text (which
# was 7.4 KB an article of ~5 KB pages, most of the file beside the pages
# themselves). Removing an entry then takes the text that was indexed, which
# articles_fts_map's text_hash lets ``_unindex`` find and check (see there).
# remove_diacritics 0: the folded columns have no marks to remove, and the
# original columns keep them, so that "Đảng" in the original columns is
# exactly Đảng: the exact-marks tier of the ranking is a MATCH, not a regex
# over every matching body (scraper.analyst.fts).
FTS_SQL = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5({FOR_TOOLS} "
    "title, body_text, title_folded, body_folded, content='', "
    "tokenize = 'unicode61 remove_diacritics 0')"
)
MAP_SQL = (
    f"CREATE TABLE {MAP_TABLE} ("
    "url TEXT PRIMARY KEY, fts_rowid INTEGER NOT NULL, content_hash TEXT, "
    "text_hash INTEGER NOT NULL)"
)
# The table's default `rank`, for other clients' `ORDER BY rank` (Datasette's
# canned search), whose words may match either copy of the text: a hit in the
# title counts more.
DEFAULT_RANK = "bm25(8.0, 1.0, 8.0, 1.0)"
COLUMNS = "title, body_text, title_folded, body_folded"


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


def _nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", text) if text else ""


# ------------------------------------------------------------------- tables
def _sql_of(db, name: str) -> str | None:
    row = db.execute("select sql from sqlite_master where name = ?", [name]).fetchone()
    return row[0] if row else None


def create(db) -> None:
    """The index tables and their rank setting, made afresh unless they are
    already exactly these (an archive made before migrations has them)."""
    if _sql_of(db, FTS_TABLE) != FTS_SQL or _sql_of(db, MAP_TABLE) != MAP_SQL:
        _recreate(db)
        return
    rank = db.execute(f"SELECT v FROM {FTS_TABLE}_config WHERE k = 'rank'").fetchone()
    if rank is None or rank[0] != DEFAULT_RANK:
        _set_rank(db)


def _recreate(db) -> None:
    db.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    db.execute(f"DROP TABLE IF EXISTS {MAP_TABLE}")
    db.execute(FTS_SQL)
    db.execute(MAP_SQL)
    _set_rank(db)


def _set_rank(db) -> None:
    db.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rank) VALUES ('rank', ?)", [DEFAULT_RANK])


# ------------------------------------------------------------------- writes
def text_hash(title: str | None, body: str | None) -> int:
    """A 64-bit digest of the text as indexed (NFC title and body)."""
    digest = hashlib.blake2b(f"{_nfc(title)}\x00{_nfc(body)}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _insert(db, rowid: int, title: str, body: str) -> None:
    db.execute(
        f"INSERT INTO {FTS_TABLE} (rowid, {COLUMNS}) VALUES (?, ?, ?, ?, ?)",
        [rowid, title, body, fold(title), fold(body)],
    )


def index(db, url: str, previous: tuple[str | None, str | None] | None = None) -> None:
    """(Re)index one article after it was written (inside the write
    transaction). ``previous``: its title and body before this write, the
    likeliest text of its old entry."""
    row = db.execute(
        "select rowid, title, body_text, content_hash from articles where url = ?", [url]
    ).fetchone()
    if not _unindex(db, url, previous):
        rebuild(db)  # an entry whose text is nowhere to be found: see _unindex
        return
    if row is None:
        return
    rowid, title, body, digest = row
    title, body = _nfc(title), _nfc(body)
    _insert(db, rowid, title, body)
    db.execute(f"INSERT OR REPLACE INTO {MAP_TABLE} (url, fts_rowid, content_hash, text_hash) "
               "VALUES (?, ?, ?, ?)", [url, rowid, digest, text_hash(title, body)])


def _candidates(db, url: str, previous):
    """Texts the entry of ``url`` may have been made from, likeliest first:
    the caller's, the row as it is now, then each archived version."""
    if previous is not None:
        yield previous
    row = db.execute("select title, body_text from articles where url = ?", [url]).fetchone()
    if row is not None:
        yield row
    for (record,) in db.execute("select record_json from article_versions where url = ? "
                                "order by version desc", [url]):
        fields = json.loads(record or "{}")
        yield fields.get("title"), fields.get("body_text")


def _unindex(db, url: str, previous=None) -> bool:
    """Remove the entry of ``url``, if any. The table keeps no text, and
    FTS5 removes an entry of such a table only when given the very text that
    was indexed (SQLite 3.40 has no contentless_delete): the text is found
    among ``_candidates`` by its hash. False when none matches (the row and
    every version of it changed behind the archive's back): only a rebuild
    can then take the old words out."""
    old = db.execute(f"SELECT fts_rowid, text_hash FROM {MAP_TABLE} WHERE url = ?",
                     [url]).fetchone()
    if old is None:
        return True
    rowid, indexed = old
    for title, body in _candidates(db, url, previous):
        if text_hash(title, body) == indexed:
            title, body = _nfc(title), _nfc(body)
            db.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, {COLUMNS}) "
                       "VALUES ('delete', ?, ?, ?, ?, ?)",
                       [rowid, title, body, fold(title), fold(body)])
            db.execute(f"DELETE FROM {MAP_TABLE} WHERE url = ?", [url])
            return True
    return False


def sync(db) -> tuple[int, int]:
    """Drop index entries that no longer match ``articles`` and index what is
    missing. Returns (entries removed, articles indexed). The caller holds
    the transaction."""
    stale = db.execute(
        f"SELECT m.url FROM {MAP_TABLE} m LEFT JOIN articles a ON a.url = m.url "
        "WHERE a.url IS NULL OR a.rowid != m.fts_rowid OR a.content_hash IS NOT m.content_hash"
    ).fetchall()
    # Every stale entry goes before any insert: a renumbered article may take
    # the rowid that another stale entry still holds.
    for (url,) in stale:
        if not _unindex(db, url):
            rebuild(db)
            return len(stale), db.execute(f"SELECT count(*) FROM {MAP_TABLE}").fetchone()[0]
    missing = db.execute(
        f"SELECT a.url FROM articles a LEFT JOIN {MAP_TABLE} m ON m.url = a.url WHERE m.url IS NULL"
    ).fetchall()
    for (url,) in missing:
        index(db, url)
    return len(stale), len(missing)


def rebuild(db) -> int:
    """Empty the index and index every article again; returns how many.
    The caller holds the transaction."""
    _recreate(db)
    rows = db.execute("SELECT url, rowid, title, body_text, content_hash FROM articles "
                      "ORDER BY rowid")
    count = 0
    for url, rowid, title, body, digest in rows:
        title, body = _nfc(title), _nfc(body)
        _insert(db, rowid, title, body)
        db.execute(f"INSERT INTO {MAP_TABLE} (url, fts_rowid, content_hash, text_hash) "
                   "VALUES (?, ?, ?, ?)", [url, rowid, digest, text_hash(title, body)])
        count += 1
    db.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('optimize')")
    return count


def for_tools(db) -> None:
    """Migration step: the index re-created where its SQL is older than
    FTS_SQL (no comment for the tools), and filled."""
    create(db)
    sync(db)


def without_text(db) -> None:
    """Migration step 13: the index re-created as FTS_SQL (holding no copy
    of the text, original columns tokenized with their marks) where it is
    older, and filled again; and articles(published_at) indexed, for the
    search's newest-first order (scraper.analyst.fts.BIG_TIER)."""
    db["articles"].create_index(["published_at"], if_not_exists=True)
    if _sql_of(db, FTS_TABLE) != FTS_SQL or _sql_of(db, MAP_TABLE) != MAP_SQL:
        rebuild(db)
    else:
        create(db)
        sync(db)
