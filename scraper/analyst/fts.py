"""Full-text search of the archive: one query language, one ranking.

Read-only: it works on a connection from ``scraper.archive.open_readonly``.
The index itself (its tables, the folding of the text, keeping it in step
with ``articles``) belongs to storage, ``scraper.archive.search_index``,
whose docstring describes the two copies of each text, original and folded.

The language (``parse``)::

    cong doan            both words, anywhere (AND is implied)
    thi AND dua          the same, spelled out
    thi OR dua           either word
    cong NOT doan        the first without the second
    "thi dua"            the words side by side
    thi*                 a word starting with thi
    (a OR b) c           parentheses group

AND, OR and NOT are operators only in capitals, as in SQLite. Matching
ignores case and marks, đ included: every word is folded and searched in the
folded columns only. A word typed with marks ("Đảng") also asks for those
marks: articles holding the exact word rank first (``EXACT``), and ``exact``
keeps only them. A malformed query (a quote or parenthesis left open, an
operator with nothing on one side) raises QueryError with one sentence.

The ranking (``search_sql``): exact-mark matches first, then the number of
the query's words in the title, then bm25 (a title hit worth 8 body hits),
then the newest. The CLI, ``export --query``
and Datasette's canned query (through the SQL functions that ``register``
adds to a connection; scraper/analyst/datasette_plugin.py adds them to
Datasette's) run this same SQL.
"""
from __future__ import annotations

import functools
import json
import re
import unicodedata
from dataclasses import dataclass

from scraper.archive.search_index import FTS_TABLE, MAP_TABLE, fold  # noqa: F401 (re-exported)

# bm25 weights per column: title, body_text, title_folded, body_folded. Our
# queries only look at the folded columns; a hit in the title counts more.
BM25_WEIGHTS = (0.0, 0.0, 8.0, 1.0)

OPEN_MARK, CLOSE_MARK = "\x02", "\x03"  # never in archived text (clean() keeps no C0 controls)
_NON_WORD = re.compile(r"[^\w]+")
_TOKEN = re.compile(r'"(?P<phrase>[^"]*)(?P<closed>"?)(?P<star>\*?)|(?P<paren>[()])|(?P<bare>[^\s()"]+)')
OPERATORS = ("AND", "OR", "NOT")


class QueryError(ValueError):
    """A query that cannot be searched; the message is one sentence."""


# ------------------------------------------------------------------ parsing
@dataclass(frozen=True)
class Term:
    """Words that must occur side by side (one word: a phrase of one)."""
    words: tuple[str, ...]     # as typed, NFC, lower-cased
    prefix: bool = False

    @property
    def folded(self) -> tuple[str, ...]:
        return tuple(fold(w) for w in self.words)

    @property
    def marked(self) -> bool:
        """Typed with marks (or đ): its exact form is wanted too."""
        return self.folded != self.words


@dataclass(frozen=True)
class Op:
    name: str        # AND, OR, NOT (binary: left without right)
    left: object
    right: object


def _words(text: str) -> tuple[str, ...]:
    text = unicodedata.normalize("NFC", text).lower()
    return tuple(w for w in _NON_WORD.sub(" ", text).replace("_", " ").split())


def _tokens(query: str) -> list[object]:
    out: list[object] = []
    for m in _TOKEN.finditer(query):
        if m.group("paren"):
            out.append(m.group("paren"))
        elif m.group("bare") is not None:
            bare = m.group("bare")
            if bare in OPERATORS:
                out.append(bare)
                continue
            words = _words(bare)
            if words:  # lone punctuation ("-", "…") is not searchable: dropped
                out.append(Term(words, prefix=bare.endswith("*")))
        else:
            if not m.group("closed"):
                raise QueryError('a quote is not closed: put a " after the phrase')
            words = _words(m.group("phrase"))
            if words:
                out.append(Term(words, prefix=bool(m.group("star"))))
    return out


def parse(query: str):
    """The query as a tree of Term and Op; None when nothing searchable was
    typed. Raises QueryError for a malformed query."""
    tokens = _tokens(query)
    if not tokens:
        return None
    pos = 0

    def peek():
        return tokens[pos] if pos < len(tokens) else None

    def take():
        nonlocal pos
        pos += 1
        return tokens[pos - 1]

    def primary():
        token = peek()
        if token is None:
            if tokens[-1] in OPERATORS:
                raise QueryError(f"{tokens[-1]} at the end needs a word after it")
            raise QueryError("a ( is not closed: put a ) after the group")
        if token in OPERATORS:
            raise QueryError(f"{token} needs a word on each side, as in: thi {token} dua")
        if token == ")":
            raise QueryError("a ) has no ( before it")
        take()
        if token == "(":
            if peek() == ")":
                raise QueryError("empty parentheses: put words between them")
            inner = either()
            if peek() != ")":
                raise QueryError("a ( is not closed: put a ) after the group")
            take()
            return inner
        return token

    def without():
        node = primary()
        while peek() == "NOT":
            take()
            node = Op("NOT", node, primary())
        return node

    def both():
        node = without()
        while peek() is not None and peek() not in ("OR", ")"):
            if peek() == "AND":
                take()
            node = Op("AND", node, without())
        return node

    def either():
        node = both()
        while peek() == "OR":
            take()
            node = Op("OR", node, both())
        return node

    tree = either()
    if pos < len(tokens):  # only a stray ) stops the loops early
        raise QueryError("a ) has no ( before it")
    return tree


def _fts(node, inside: str | None = None) -> str:
    """FTS5 syntax for the tree; a chain of ANDs or ORs stays flat, since
    FTS5's parser overflows on deep nesting (a query of 100 words)."""
    if isinstance(node, Term):
        return '"' + " ".join(node.folded) + '"' + ("*" if node.prefix else "")
    chain = node.name if node.name in ("AND", "OR") else None
    text = f"{_fts(node.left, chain)} {node.name} {_fts(node.right, None)}"
    return text if chain and inside == chain else f"({text})"


def match_expression(query: str) -> str | None:
    """The FTS5 expression over the folded columns for what a user typed;
    None when nothing searchable is left. Raises QueryError."""
    tree = parse(query)
    if tree is None:
        return None
    text = _fts(tree)
    return "{title_folded body_folded} : " + (text if text.startswith("(") else f"({text})")


# ------------------------------------------------------------ exact marks
@functools.lru_cache(maxsize=256)
def _pattern(term: Term, exact: bool) -> re.Pattern:
    words = term.words if exact else term.folded
    body = r"\W+".join(re.escape(w) for w in words)
    return re.compile(r"(?<![^\W_])" + body + (r"\w*" if term.prefix else r"(?![^\W_])"))


@functools.lru_cache(maxsize=64)
def _compiled(query: str):
    """(tree, marked terms wanted, every term wanted): the terms outside a
    NOT's right side; cached since SQL calls it once per row."""
    tree = parse(query)
    wanted_terms: list[Term] = []

    def walk(node, wanted):
        if isinstance(node, Term):
            if wanted and node not in wanted_terms:
                wanted_terms.append(node)
            return
        walk(node.left, wanted)
        walk(node.right, wanted if node.name != "NOT" else False)

    if tree is not None:
        walk(tree, True)
    return tree, [t for t in wanted_terms if t.marked], wanted_terms


def _any_marked(node) -> bool:
    if isinstance(node, Term):
        return node.marked
    return _any_marked(node.left) or _any_marked(node.right)


def _has(term: Term, original: str, folded: str) -> bool:
    if term.marked:
        return bool(_pattern(term, exact=True).search(original))
    return bool(_pattern(term, exact=False).search(folded))


def exact_matches(query: str, title: str | None, body: str | None) -> int:
    """How many of the query's marked terms (outside NOT) occur with their
    marks in the article: the first key of the ranking. 0 when none was typed."""
    _, marked, _ = _compiled(query)
    if not marked:
        return 0
    text = unicodedata.normalize("NFC", f"{title or ''}\n{body or ''}").lower()
    return sum(1 for term in marked if _pattern(term, exact=True).search(text))


def title_matches(query: str, title: str | None) -> int:
    """How many of the query's terms (outside NOT) the title holds, marks
    ignored: the second key of the ranking. bm25 weighs titles too, but on
    a small archive a word found in over half of the articles gets an idf
    of almost nothing (SQLite's bm25 floors it at 1e-6), and with it every
    weight; a count of title hits keeps "doi moi" in a title first."""
    _, _, wanted = _compiled(query)
    folded = fold(unicodedata.normalize("NFC", title or ""))
    return sum(1 for term in wanted if _pattern(term, exact=False).search(folded))


def is_exact(query: str, title: str | None, body: str | None) -> int:
    """1 when the article answers the query with marked words taken exactly
    (unmarked words still fold), else 0: what --exact keeps."""
    tree, _, _ = _compiled(query)
    if tree is None:
        return 0
    if not _any_marked(tree):  # every word folds: FTS5's match is the answer
        return 1
    original = unicodedata.normalize("NFC", f"{title or ''}\n{body or ''}").lower()
    folded: list[str] = []  # folded only if an unmarked word needs it

    def holds(node) -> bool:
        if isinstance(node, Term):
            if not node.marked and not folded:
                folded.append(fold(original))
            return _has(node, original, folded[0] if folded else "")
        left = holds(node.left)
        if node.name == "AND":
            return left and holds(node.right)
        if node.name == "OR":
            return left or holds(node.right)
        return left and not holds(node.right)

    return int(holds(tree))


def sql_match(query: str | None) -> str:
    """``archive_match(q)`` in SQL: the FTS5 expression for ``query``.

    A malformed query becomes an expression that SQLite refuses with the
    query's own error in its message ("no such column: search query: a
    quote is not closed ..."): a Python function's exception would reach
    Datasette only as "user-defined function raised exception"."""
    try:
        expression = match_expression(query or "")
    except QueryError as err:
        return '{"' + f"search query: {err}".replace('"', '""') + '"} : x'
    # Nothing searchable: a word no text holds, so that nothing matches.
    return expression or '"\x01"'


# ------------------------------------------------------------------ search
def register(conn) -> None:
    """Add the search's SQL functions to an sqlite3 connection (the archive
    itself never depends on them): archive_match(q), archive_exact_matches(q,
    title, body), archive_is_exact(q, title, body) and archive_snippet."""
    conn.create_function("archive_match", 1, sql_match, deterministic=True)
    conn.create_function("archive_exact_matches", 3, _quiet(exact_matches), deterministic=True)
    conn.create_function("archive_is_exact", 3, _quiet(is_exact), deterministic=True)
    conn.create_function("archive_title_matches", 2, _quiet_title, deterministic=True)
    conn.create_function("archive_snippet", 2, _marked_snippet, deterministic=True)


def _quiet_title(query, title):
    try:
        return title_matches(query or "", title)
    except QueryError:
        return 0


def _marked_snippet(original, marked_folded):
    """archive_snippet(body_text, highlight(articles_fts, 3, char(2), char(3))):
    the search's snippet with the hits between » and «."""
    text = snippet(original, marked_folded)
    return text.replace(OPEN_MARK, "»").replace(CLOSE_MARK, "«")


def _quiet(function):
    """For SQL: a malformed query is reported by archive_match, not here."""
    def wrapped(query, title, body):
        try:
            return function(query or "", title, body)
        except QueryError:
            return 0
    return wrapped


_WEIGHTS = ", ".join(str(w) for w in BM25_WEIGHTS)
# The ranking, shared by every caller: exact-mark hits first, then words in
# the title, then bm25 (lower is better in SQLite), then the newest. :q is
# the query as typed.
RANK_COLUMNS = (
    "archive_exact_matches(:q, a.title, a.body_text) AS exact_matches, "
    "archive_title_matches(:q, a.title) AS title_matches, "
    f"bm25({FTS_TABLE}, {_WEIGHTS}) AS bm25"
)
MATCH_WHERE = f"{FTS_TABLE} MATCH archive_match(:q)"
EXACT_WHERE = "archive_is_exact(:q, a.title, a.body_text)"
ORDER = "exact_matches DESC, title_matches DESC, bm25, a.published_at DESC, a.url"
FROM = f"FROM {FTS_TABLE} f JOIN articles a ON a.rowid = f.rowid"


# The same ranking for a query typed without marks: no article can hold a
# marked word exactly, so the first key is 0 for all and the bodies need not
# be read (at 20,000 articles that read was most of a search's time).
UNMARKED_RANK_COLUMNS = RANK_COLUMNS.replace(
    "archive_exact_matches(:q, a.title, a.body_text) AS exact_matches", "0 AS exact_matches")


def search_sql(columns: str, where: list[str] | None = None, limit: bool = True,
               marked: bool = True) -> str:
    """The search's SELECT: ``columns`` of ``a`` (articles) and ``f`` (the
    index), the match, the ranking; parameters :q (and :limit). ``marked``
    False: the query holds no marked word (the cheaper, equal ranking)."""
    conditions = " AND ".join([MATCH_WHERE, *(where or [])])
    rank = RANK_COLUMNS if marked else UNMARKED_RANK_COLUMNS
    return (f"SELECT {columns}, {rank} {FROM} WHERE {conditions} ORDER BY {ORDER}"
            + (" LIMIT :limit" if limit else ""))


def _is_marked(query: str) -> bool:
    return bool(_compiled(query)[1])


def search(db, query: str, *, limit: int | None = 10, since: str | None = None,
           until: str | None = None, exact: bool = False) -> tuple[list[dict], int]:
    """Articles matching ``query``, best first, and how many match in all.

    ``since``/``until`` are inclusive local dates (YYYY-MM-DD) compared with
    ``published_date``; ``exact`` keeps articles holding the marked words as
    typed. Each hit carries ``snippet`` (the matched words between OPEN_MARK
    and CLOSE_MARK) and its ranking keys: ``exact_matches``,
    ``title_matches`` and ``score`` (bm25, higher is better).
    Raises QueryError for a malformed query.
    """
    if match_expression(query) is None:
        raise QueryError("nothing to search for: type a word")
    register(db.conn)
    where, params = date_bounds("a.published_date", since, until)
    named = {f"p{i}": p for i, p in enumerate(params)}
    where = [w.replace("?", f":p{i}") for i, w in enumerate(where)]
    if exact:
        where.append(EXACT_WHERE)
    named["q"] = query
    conditions = " AND ".join([MATCH_WHERE, *where])
    total = db.execute(f"SELECT count(*) {FROM} WHERE {conditions}", named).fetchone()[0]
    # Two steps: rank every match on its keys alone, then read the text and
    # the highlights of the hits shown (highlight() on every match cost more
    # than the ranking itself).
    marked = _is_marked(query)
    ranked = db.execute(search_sql("a.rowid AS id", where, limit=limit is not None, marked=marked),
                        {**named, "limit": limit or -1}).fetchall()
    ids = [row[0] for row in ranked]
    keys = {row[0]: row[1:] for row in ranked}
    cursor = db.execute(
        "SELECT a.rowid AS id, a.url, a.title, a.published_at, a.published_date, a.kind, "
        f"a.category, a.author, f.body_text, highlight({FTS_TABLE}, 3, char(2), char(3)) AS marked "
        f"{FROM} WHERE {MATCH_WHERE} AND f.rowid IN (SELECT value FROM json_each(:ids))",
        {"q": query, "ids": json.dumps(ids)})
    names = [d[0] for d in cursor.description]
    found = {values[0]: dict(zip(names, values)) for values in cursor.fetchall()}
    hits = []
    for rowid in ids:
        hit = found[rowid]
        del hit["id"]
        hit["exact_matches"], hit["title_matches"], hit["bm25"] = keys[rowid]
        hit["snippet"] = snippet(hit.pop("body_text"), hit.pop("marked"))
        # bm25 is lower-is-better; show higher-is-better. Six significant
        # digits: a word found in most articles has a tiny score, not 0.
        hit["score"] = float(f"{-hit.pop('bm25'):.6g}")
        hits.append(hit)
    return hits, total


def matching_rowids(db, query: str, exact: bool = False) -> list[int]:
    """articles.rowid of every match, best first (for export --query)."""
    if match_expression(query) is None:
        raise QueryError("nothing to search for: type a word")
    register(db.conn)
    sql = search_sql("a.rowid AS id", [EXACT_WHERE] if exact else [], limit=False,
                     marked=_is_marked(query))
    return [row[0] for row in db.execute(sql, {"q": query})]


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
