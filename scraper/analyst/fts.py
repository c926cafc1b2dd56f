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

The ranking: exact-mark matches first, then the number of the query's
words in the title, then bm25 (a title hit worth 8 body hits), then the
newest, then the URL. The first two keys are counts of FTS5 MATCHes (``Plan``):
the index keeps the marks in its original columns, so "Đảng" matched there
is Đảng exactly, and "title_folded : ..." is a word in the title. SQLite
computes them for every article found, with no Python function per row.
``search`` then goes tier by tier (one tier: one pair of those counts): the
best ``limit`` come from the highest tiers, so bm25 is computed only for the
tiers that fill the page. ``search_sql`` is the same ranking in one
statement, for Datasette's canned query (through the SQL functions that
``register`` adds to a connection; scraper/analyst/datasette_plugins/archive_search.py adds
them to Datasette's). ``exact_matches``, ``title_matches`` and ``is_exact``
say the same over the text itself: what the tests hold the index to.

Snippets are marked from ``articles.body_text`` (``hit_spans``) for the hits
shown: the index keeps no copy of the text.
"""
from __future__ import annotations

import bisect
import functools
import itertools
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


def _phrase(words: tuple[str, ...], prefix: bool) -> str:
    return '"' + " ".join(words) + '"' + ("*" if prefix else "")


def _folded(term: Term) -> str:
    return _phrase(term.folded, term.prefix)


def _fts(node, render=_folded, inside: str | None = None) -> str:
    """FTS5 syntax for the tree, each Term written by ``render``; a chain of
    ANDs or ORs stays flat, since FTS5's parser overflows on deep nesting (a
    query of 100 words)."""
    if isinstance(node, Term):
        return render(node)
    chain = node.name if node.name in ("AND", "OR") else None
    text = f"{_fts(node.left, render, chain)} {node.name} {_fts(node.right, render, None)}"
    return text if chain and inside == chain else f"({text})"


def match_expression(query: str) -> str | None:
    """The FTS5 expression over the folded columns for what a user typed;
    None when nothing searchable is left. Raises QueryError."""
    tree = parse(query)
    if tree is None:
        return None
    text = _fts(tree)
    return FOLDED + " : " + (text if text.startswith("(") else f"({text})")


# The index's columns (scraper.archive.search_index): the original ones keep
# their marks, the folded ones hold none.
FOLDED = "{title_folded body_folded}"
ORIGINAL = "{title body_text}"


# No column filter is needed to find a word in the columns that hold it: a
# word typed with marks is a token only the original columns have (the folded
# ones hold no marks), and an unmarked token in the original columns is in the
# folded ones at the same place. Without a filter, FTS5 need not read where
# each word is to tell its column, which halves the time of a search's
# counting on common words. bm25 is still computed over ``match`` (filtered),
# since its instances are counted per column.
def _exact(term: Term) -> str:
    """The term with its marks (found in the original columns only)."""
    return _phrase(term.words, term.prefix)


def _in_title(term: Term) -> str:
    return "title_folded : " + _folded(term)


def _exact_or_folded(term: Term) -> str:
    return _exact(term) if term.marked else _folded(term)


def _wrapped(text: str) -> str:
    return text if text.startswith("(") else f"({text})"


@dataclass(frozen=True)
class Plan:
    """A query as the index answers it: ``match`` finds the articles, and
    each key of the ranking is a count of other MATCHes an article is in,
    so that SQLite, not Python, computes it for every article found."""
    match: str                   # the folded expression (match_expression), for bm25
    match_any: str               # the same articles, no column filter: for counting
    exact_terms: tuple[str, ...]  # each marked term outside NOT, with its marks
    title_terms: tuple[str, ...]  # each term outside NOT, in the folded title
    exact_match: str | None      # --exact: marked terms as typed, others folded
    terms: tuple[Term, ...]      # every term, for the snippet's marks


@functools.lru_cache(maxsize=256)
def plan(query: str) -> Plan | None:
    """None when nothing searchable was typed; raises QueryError."""
    tree, marked, wanted = _compiled(query)
    if tree is None:
        return None
    exact = _wrapped(_fts(tree, _exact_or_folded)) if marked else None
    return Plan(match=match_expression(query), match_any=_wrapped(_fts(tree)),
                exact_terms=tuple(_exact(t) for t in marked),
                title_terms=tuple(_in_title(t) for t in wanted), exact_match=exact,
                terms=tuple(_all_terms(tree)))


def _all_terms(node) -> list[Term]:
    if isinstance(node, Term):
        return [node]
    return _all_terms(node.left) + _all_terms(node.right)


# ------------------------------------------------------------ exact marks
# What the index's keys mean, written over the text: the definitions that
# tests hold the index to (tests/test_analyst_fts.py). A token is a run of
# letters and digits, as for SQLite's unicode61 tokenizer.
@functools.lru_cache(maxsize=256)
def _pattern(term: Term, exact: bool) -> re.Pattern:
    words = term.words if exact else term.folded
    body = r"[\W_]+".join(re.escape(w) for w in words)
    return re.compile(r"(?<![^\W_])" + body + (r"[^\W_]*" if term.prefix else r"(?![^\W_])"))


@functools.lru_cache(maxsize=64)
def _compiled(query: str):
    """(tree, marked terms wanted, every term wanted): the terms outside a
    NOT's right side."""
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


def _has(term: Term, original: str, folded: str) -> bool:
    if term.marked:
        return bool(_pattern(term, exact=True).search(original))
    return bool(_pattern(term, exact=False).search(folded))


def _texts(title, body) -> list[str]:
    # Title and body apart: a phrase does not run from one into the other.
    return [unicodedata.normalize("NFC", t or "").lower() for t in (title, body)]


def exact_matches(query: str, title: str | None, body: str | None) -> int:
    """How many of the query's marked terms (outside NOT) occur with their
    marks in the article: the first key of the ranking. 0 when none was typed."""
    _, marked, _ = _compiled(query)
    texts = _texts(title, body)
    return sum(1 for term in marked
               if any(_pattern(term, exact=True).search(text) for text in texts))


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
    texts = _texts(title, body)
    folded = [fold(t) for t in texts]

    def holds(node) -> bool:
        if isinstance(node, Term):
            return any(_has(node, o, f) for o, f in zip(texts, folded))
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
    return expression or NOTHING


NOTHING = '"\x01"'


def _plan_or_none(query):
    try:
        return plan(query or "")
    except QueryError:
        return None  # reported by archive_match


def sql_terms(query: str | None, key: str) -> str:
    """``archive_terms(q, 'exact' | 'title')``: a JSON list of the FTS5
    expressions whose MATCHes the key counts."""
    found = _plan_or_none(query)
    if found is None:
        return "[]"
    return json.dumps(found.exact_terms if key == "exact" else found.title_terms)


def sql_exact_match(query: str | None) -> str:
    """``archive_exact_match(q)``: the expression --exact keeps (the match
    itself when no word has marks)."""
    found = _plan_or_none(query)
    if found is None:
        return NOTHING
    return found.exact_match or found.match


# ------------------------------------------------------------------ search
def register(conn) -> None:
    """Add the search's SQL functions to an sqlite3 connection (the archive
    itself never depends on them): archive_match(q), archive_terms(q, key),
    archive_exact_match(q) and archive_snippet(q, body_text). Each is called
    once a query, not once a row: they only write FTS5 expressions."""
    conn.create_function("archive_match", 1, sql_match, deterministic=True)
    conn.create_function("archive_terms", 2, sql_terms, deterministic=True)
    conn.create_function("archive_exact_match", 1, sql_exact_match, deterministic=True)
    conn.create_function("archive_snippet", 2, _marked_snippet, deterministic=True)


def _marked_snippet(query, original):
    """archive_snippet(q, body_text): the search's snippet with the hits
    between » and «."""
    try:
        original = unicodedata.normalize("NFC", original or "")
        text = window(original, hit_spans(query or "", original))
    except QueryError:
        return ""
    return text.replace(OPEN_MARK, "»").replace(CLOSE_MARK, "«")


_WEIGHTS = ", ".join(str(w) for w in BM25_WEIGHTS)
SCORE = f"bm25({FTS_TABLE}, {_WEIGHTS})"


# A tier (articles with the same exact and title counts) is ordered by bm25
# unless it holds more than BIG_TIER articles and more than half of the
# archive: then newest first. Its words are then in over half of the
# articles, where SQLite's bm25 floors their idf at 1e-6 and tells articles
# apart only by how densely they repeat them; and bm25 over such a tier was
# most of a search's time (50-90 ms of CPU on one query at 20,000 articles).
BIG_TIER = 1000
NEWEST_FIRST = "idx_articles_published_at"  # made by migration step 13


def is_big(tier: int, archive: int) -> bool:
    return tier > BIG_TIER and 2 * tier > archive


# The ranking in one statement, for a caller that can run only one
# (Datasette's canned query); :q is the query as typed. Each key is counted
# from one FTS5 query per term (archive_terms lists them), grouped by article.
_KEY_CTE = ("{name} AS (SELECT x.rowid AS id, count(*) AS n "
            f"FROM json_each(archive_terms(:q, '{{key}}')) j JOIN {FTS_TABLE} x "
            f"ON x.{FTS_TABLE} MATCH j.value GROUP BY x.rowid)")
_RANKED_CTE = (
    f"WITH hits AS (SELECT f.rowid AS id, {SCORE} AS bm25 FROM {FTS_TABLE} f "
    f"WHERE f.{FTS_TABLE} MATCH archive_match(:q) AND " + "{conditions}), "
    + _KEY_CTE.format(name="in_exact", key="exact") + ", "
    + _KEY_CTE.format(name="in_title", key="title") + ", "
    "keyed AS (SELECT hits.id, hits.bm25, coalesce(in_exact.n, 0) AS exact_matches, "
    "coalesce(in_title.n, 0) AS title_matches FROM hits "
    "LEFT JOIN in_exact ON in_exact.id = hits.id LEFT JOIN in_title ON in_title.id = hits.id), "
    "tiered AS (SELECT *, count(*) OVER (PARTITION BY exact_matches, title_matches) AS tier "
    "FROM keyed) "
)
EXACT_WHERE = (f"f.rowid IN (SELECT rowid FROM {FTS_TABLE} "
               f"WHERE {FTS_TABLE} MATCH archive_exact_match(:q))")
ORDER = ("exact_matches DESC, title_matches DESC, CASE WHEN k.tier > :big_tier AND "
         "2 * k.tier > (SELECT count(*) FROM articles) THEN 0 ELSE bm25 END, "
         "a.published_at DESC, a.url")


def search_sql(columns: str, where: list[str] | None = None) -> str:
    """One statement: ``columns`` of ``a`` (articles) and ``k`` (the keys),
    the matches, best first; parameter :q; ``where``: conditions on
    ``f.rowid``. Every match is ranked, so ``search`` goes tier by tier
    instead."""
    conditions = " AND ".join(["1", *(where or [])])
    rank = ORDER.replace(":big_tier", str(int(BIG_TIER)))
    return (_RANKED_CTE.replace("{conditions}", conditions)
            + f"SELECT {columns} FROM tiered k JOIN articles a ON a.rowid = k.id ORDER BY {rank}")


# Up to this many terms whose keys differ between articles, the tiers are
# counted and found as FTS5 expressions (2^3 - 1 counts at most).
SUBSETS_AT_MOST = 3


def eval_sum(constant: str) -> int:
    """The value of a key made of constants only ("0 + 1 + 1")."""
    return sum(int(part) for part in constant.split(" + "))


def _member(name: str) -> str:
    return f"(f.rowid IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :{name}))"


def _holds(name: str) -> str:
    """_member for one article at a time: for a walk that stops early."""
    return f"EXISTS (SELECT 1 FROM {FTS_TABLE} x WHERE x.{FTS_TABLE} MATCH :{name} AND x.rowid = f.rowid)"


class _Ranker:
    """The ranking, tier by tier. The keys (exact marks, title words) are
    counts of MATCHes, computed by SQLite for every article found; bm25 and
    the dates only for the tiers that fill the page: the best ``limit``
    come from the highest tiers, so on "cong doan" at 20,000 articles the
    articles without both words in the title are counted, never ranked."""

    def __init__(self, db, query: str, found: Plan, conditions: list[str], params: dict):
        self.db = db
        self.params = dict(params, m=found.match, m_any=found.match_any)
        self.filters = conditions
        self.total = self._count(found.match_any)
        # A term that no article found holds, or that all of them hold, adds
        # the same to every article's key: counted once here rather than
        # looked up for each article ("người" and "động" in all 20,000).
        # One term typed: the articles holding it exactly, or in the title,
        # are among those found, and the count says whether they are all.
        single = isinstance(parse(query), Term) and not conditions
        parts: dict[str, list[str]] = {"e": ["0"], "t": ["0"]}
        walked: dict[str, list[str]] = {"e": ["0"], "t": ["0"]}
        varying: list[tuple[str, str]] = []  # (key, term) of the keys that differ
        for key, terms in (("e", found.exact_terms), ("t", found.title_terms)):
            for i, term in enumerate(terms):
                alone = db.execute(f"SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :x",
                                   {"x": term}).fetchone()[0]
                if alone == 0:
                    continue
                if alone >= self.total and (single or self._count(
                        f"{found.match_any} AND ({term})") == self.total):
                    parts[key].append("1")
                    walked[key].append("1")
                    continue
                name = f"{key}{i}"
                self.params[name] = term
                parts[key].append(_member(name))
                walked[key].append(_holds(name))
                varying.append((key, term))
        self.varies = bool(varying)
        self.keys = [" + ".join(parts[k]) for k in ("e", "t")]
        self.walked_keys = [" + ".join(walked[k]) for k in ("e", "t")]
        self.by_subsets = None
        if 0 < len(varying) <= SUBSETS_AT_MOST:
            self.by_subsets = self._subsets(found.match_any, varying,
                                            parts["e"].count("1"), parts["t"].count("1"))

    def _subsets(self, match_any: str, varying: list[tuple[str, str]], exact: int,
                 title: int) -> dict[tuple[int, int], tuple[int, str]]:
        """{(exact_matches, title_matches): (articles, FTS5 expression of
        the tier)}, from one count per set of the terms whose keys vary
        (at most 2^3 - 1): which articles hold exactly which terms follows
        by inclusion and exclusion, and each tier is an expression FTS5
        answers at once, instead of a look-up per article and term."""
        m = len(varying)
        held = {(): self.total}
        for size in range(1, m + 1):
            for chosen in itertools.combinations(range(m), size):
                held[chosen] = self._count(" AND ".join(
                    [match_any, *(f"({varying[i][1]})" for i in chosen)]))
        tiers: dict[tuple[int, int], tuple[int, list[str]]] = {}
        for chosen in held:
            exactly = sum((-1) ** (len(more) - len(chosen)) * n for more, n in held.items()
                          if set(chosen) <= set(more))
            if not exactly:
                continue
            key = (exact + sum(varying[i][0] == "e" for i in chosen),
                   title + sum(varying[i][0] == "t" for i in chosen))
            others = [f"({varying[i][1]})" for i in range(m) if i not in chosen]
            text = "(" + " AND ".join([match_any, *(f"({varying[i][1]})" for i in chosen)]) + ")"
            if others:
                text = f"({text} NOT ({' OR '.join(others)}))"
            count, texts = tiers.get(key, (0, []))
            tiers[key] = (count + exactly, texts + [text])
        return {key: (count, " OR ".join(texts)) for key, (count, texts) in tiers.items()}

    def _count(self, expression: str) -> int:
        conditions = " AND ".join([f"f.{FTS_TABLE} MATCH :expression", *self.filters])
        return self.db.execute(f"SELECT count(*) FROM {FTS_TABLE} f WHERE {conditions}",
                               dict(self.params, expression=expression)).fetchone()[0]

    def tiers(self) -> list[tuple[int, int, int]]:
        """(exact_matches, title_matches, articles) of each non-empty tier, best first."""
        e, t = self.keys
        if not self.varies:  # one tier: every key is the same for all
            return [(eval_sum(e), eval_sum(t), self.total)] if self.total else []
        if self.by_subsets is not None:
            return [(key[0], key[1], n) for key, (n, _) in
                    sorted(self.by_subsets.items(), reverse=True)]
        columns = f"{e} AS e, {t} AS t"
        conditions = " AND ".join([f"f.{FTS_TABLE} MATCH :m_any", *self.filters])
        rows = self.db.execute(
            f"SELECT {columns}, count(*) FROM {FTS_TABLE} f "
            f"WHERE {conditions} GROUP BY e, t ORDER BY e DESC, t DESC", self.params)
        return [tuple(r) for r in rows]

    def _in_tier(self, e: int, t: int, conditions: str, walk: bool = False) -> tuple[str, dict]:
        if self.by_subsets is not None:
            params = dict(self.params, tier=self.by_subsets[(e, t)][1])
            if walk:
                return (f"{conditions} AND EXISTS (SELECT 1 FROM {FTS_TABLE} x WHERE "
                        f"x.{FTS_TABLE} MATCH :tier AND x.rowid = f.rowid)", params)
            return (f"{conditions} AND +f.rowid IN (SELECT rowid FROM {FTS_TABLE} "
                    f"WHERE {FTS_TABLE} MATCH :tier)", params)
        exact_key, title_key = self.walked_keys if walk else self.keys
        return (f"{conditions} AND {exact_key} = :tier_e AND {title_key} = :tier_t",
                dict(self.params, tier_e=e, tier_t=t))

    def ranked(self, e: int, t: int, limit: int | None) -> list[tuple[int, float]]:
        """(rowid, bm25) of the tier's articles: all, or its best ``limit``
        and every article tied with the last of them."""
        conditions, params = self._in_tier(
            e, t, " AND ".join([f"f.{FTS_TABLE} MATCH :m", *self.filters]))
        sql = (f"SELECT f.rowid, {SCORE} AS bm25 FROM {FTS_TABLE} f "
               f"WHERE {conditions} ORDER BY bm25")
        if limit is None:
            return [tuple(r) for r in self.db.execute(sql, params)]
        rows = [tuple(r) for r in self.db.execute(sql + " LIMIT :n", dict(params, n=limit + 1))]
        if len(rows) <= limit or rows[limit - 1][1] != rows[limit][1]:
            return rows[:limit]
        last = rows[limit - 1][1]  # a tie across the cut: the dates decide
        return [r for r in self.db.execute(sql, params) if r[1] <= last]

    def newest(self, e: int, t: int, limit: int | None) -> list[int]:
        """The tier's newest ``limit`` articles (a big tier): the articles
        walked newest first (idx_articles_published_at), each checked
        against the index, until ``limit`` are found; more than half of
        the archive is in the tier, so the walk is short."""
        # A whole tier (export --query): each set read once, not per article.
        walk = limit is not None
        found = (f"EXISTS (SELECT 1 FROM {FTS_TABLE} x WHERE x.{FTS_TABLE} MATCH :m_any "
                 "AND x.rowid = f.rowid)" if walk else
                 f"+f.rowid IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :m_any)")
        conditions, params = self._in_tier(e, t, " AND ".join([found, *self.filters]), walk=walk)
        # Without the index (an archive migrated by a development build of
        # step 13), SQLite sorts the tier: slower, the same articles.
        table = "articles f INDEXED BY " + NEWEST_FIRST if self.db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = :name",
            {"name": NEWEST_FIRST}).fetchone() else "articles f"
        sql = (f"SELECT f.rowid FROM {table} WHERE {conditions} "
               "ORDER BY f.published_at DESC, f.url")
        if limit is not None:
            sql += " LIMIT :n"
        return [r[0] for r in self.db.execute(sql, dict(params, n=limit))]


def _ranked(db, query: str, found: Plan, conditions: list[str], params: dict,
            limit: int | None) -> tuple[list[tuple[int, int, int, float]], int]:
    """((rowid, exact_matches, title_matches, bm25), ...) best first, at
    most ``limit``, and how many match in all."""
    ranker = _Ranker(db, query, found, conditions, params)
    tiers = ranker.tiers()
    total = sum(n for _, _, n in tiers)
    archive = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    keyed: list[tuple[int, int, int, float, float]] = []  # ..., bm25 as ordered, bm25
    for e, t, n in tiers:
        room = None if limit is None else limit - len(keyed)
        if room is not None and room <= 0:
            break
        if is_big(n, archive):  # no bm25: not what orders them (see BIG_TIER)
            keyed += [(rowid, e, t, 0.0, None) for rowid in ranker.newest(e, t, room)]
        else:
            keyed += [(rowid, e, t, bm25, bm25) for rowid, bm25 in
                      ranker.ranked(e, t, None if room is None or n <= room else room)]
    # The last keys, as SQLite orders them: the newest first (undated last), then the URL.
    dates = {}
    for chunk in range(0, len(keyed), 500):
        ids = [k[0] for k in keyed[chunk:chunk + 500]]
        dates.update((r[0], r[1:]) for r in db.execute(
            "SELECT rowid, published_at, url FROM articles "
            "WHERE rowid IN (SELECT value FROM json_each(:ids))", {"ids": json.dumps(ids)}))
    keyed.sort(key=lambda k: dates[k[0]][1] or "")
    keyed.sort(key=lambda k: dates[k[0]][0] or "", reverse=True)
    keyed.sort(key=lambda k: (-k[1], -k[2], k[3]))
    keyed = keyed if limit is None else keyed[:limit]
    return [(rowid, e, t, bm25) for rowid, e, t, _, bm25 in keyed], total


def _conditions(found: Plan, since, until, exact: bool) -> tuple[list[str], dict]:
    where, params = date_bounds("published_date", since, until)
    conditions, named = [], {}
    if where:
        named = {f"p{i}": p for i, p in enumerate(params)}
        where = [w.replace("?", f":p{i}") for i, w in enumerate(where)]
        # "+f.rowid": a filter, never the loop (SQLite would otherwise run
        # one FTS5 query per listed rowid, bm25's counts each time: seconds).
        conditions.append(f"+f.rowid IN (SELECT rowid FROM articles WHERE {' AND '.join(where)})")
    if exact and found.exact_match is not None:
        named["x"] = found.exact_match
        conditions.append(f"+f.rowid IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :x)")
    return conditions, named


def _plan(query: str) -> Plan:
    found = plan(query)
    if found is None:
        raise QueryError("nothing to search for: type a word")
    return found


def search(db, query: str, *, limit: int | None = 10, since: str | None = None,
           until: str | None = None, exact: bool = False) -> tuple[list[dict], int]:
    """Articles matching ``query``, best first, and how many match in all.

    ``since``/``until`` are inclusive local dates (YYYY-MM-DD) compared with
    ``published_date``; ``exact`` keeps articles holding the marked words as
    typed. Each hit carries ``snippet`` (the matched words between OPEN_MARK
    and CLOSE_MARK) and its ranking keys: ``exact_matches``,
    ``title_matches`` and ``score`` (bm25, higher is better; None in a
    tier ordered newest first, see BIG_TIER). Raises QueryError for a
    malformed query.
    """
    found = _plan(query)
    conditions, params = _conditions(found, since, until, exact)
    keyed, total = _ranked(db, query, found, conditions, params, limit)
    cursor = db.execute(
        "SELECT rowid AS id, url, title, published_at, published_date, kind, category, author, "
        "body_text FROM articles WHERE rowid IN (SELECT value FROM json_each(:ids))",
        {"ids": json.dumps([k[0] for k in keyed])})
    names = [d[0] for d in cursor.description]
    rows = {values[0]: dict(zip(names, values)) for values in cursor.fetchall()}
    hits = []
    for rowid, e, t, bm25 in keyed:
        hit = rows[rowid]
        del hit["id"]
        hit["exact_matches"], hit["title_matches"] = e, t
        body = unicodedata.normalize("NFC", hit.pop("body_text") or "")
        hit["snippet"] = window(body, hit_spans(query, body))
        # bm25 is lower-is-better; show higher-is-better. Six significant
        # digits: a word found in most articles has a tiny score, not 0.
        hit["score"] = None if bm25 is None else float(f"{-bm25:.6g}")
        hits.append(hit)
    return hits, total


def matching_rowids(db, query: str, exact: bool = False) -> list[int]:
    """articles.rowid of every match, best first (for export --query)."""
    found = _plan(query)
    conditions, params = _conditions(found, None, None, exact)
    return [k[0] for k in _ranked(db, query, found, conditions, params, None)[0]]


_MARKS = re.compile(f"[{OPEN_MARK}{CLOSE_MARK}]")
# snippet() picks its window among the first hits only; later ones are not looked for.
WINDOW_CANDIDATES = 200


def _spans(marked: str) -> list[tuple[int, int]]:
    """Offsets (in the unmarked text) of the highlighted runs in ``marked``."""
    spans, start = [], 0
    for seen, m in enumerate(_MARKS.finditer(marked)):
        if m.group() == OPEN_MARK:
            start = m.start() - seen
        else:
            spans.append((start, m.start() - seen))
    return spans


@functools.lru_cache(maxsize=256)
def _any_term(terms: tuple[Term, ...]) -> re.Pattern:
    """One pattern for all the terms, marks ignored, the longest first so
    that "cong doan" wins over "cong" where both start."""
    bodies = sorted({_pattern(t, exact=False).pattern.removeprefix(r"(?<![^\W_])")
                     for t in terms}, key=len, reverse=True)
    return re.compile(r"(?<![^\W_])(?:" + "|".join(bodies) + ")")


def hit_spans(query: str, original: str, width: int = 220) -> list[tuple[int, int]]:
    """Offsets in ``original`` (NFC) of the query's words, marks ignored, as
    FTS5's highlight() gave them when the index held a copy of the text;
    only as far as ``snippet`` can use them."""
    found = plan(query)
    if found is None or not original:
        return []
    spans: list[tuple[int, int]] = []
    stop = None
    for m in _any_term(found.terms).finditer(fold(original)):
        if stop is not None and m.start() >= stop:
            break
        spans.append(m.span())
        if len(spans) == WINDOW_CANDIDATES:
            stop = m.start() + width
    return spans


def snippet(original: str, marked_folded: str, width: int = 220) -> str:
    """About ``width`` characters of ``original`` around its densest run of
    hits, the hits wrapped in OPEN_MARK/CLOSE_MARK; whitespace collapsed.

    ``marked_folded`` is the text (or its folded form: folding keeps offsets)
    with the hits between OPEN_MARK and CLOSE_MARK.
    """
    return window(original, _spans(marked_folded or ""), width)


def window(original: str, spans: list[tuple[int, int]], width: int = 220) -> str:
    """``snippet`` from the hits' offsets in ``original``."""
    original = original or ""
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
        # The weight of a window starting at a hit: the squared words of the
        # hits starting within it (a running sum, not a loop per window).
        starts = [s for s, _, _ in merged]
        running = [0]
        for _, _, n in merged:
            running.append(running[-1] + n * n)
        best, most = 0, -1
        for i in range(min(WINDOW_CANDIDATES, len(merged))):
            weight = running[bisect.bisect_left(starts, starts[i] + width)] - running[i]
            if weight > most:
                best, most = i, weight
        start = max(0, starts[best] - width // 5)
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
