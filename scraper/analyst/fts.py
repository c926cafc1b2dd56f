"""Full-text search of the archive: one query language, one ranking.

Read-only: it works on a connection from ``scraper.archive.open_readonly``.
The index itself (its tables, the folding of the text, keeping it in step
with ``articles``) belongs to storage, ``scraper.archive.search_index``,
whose docstring describes the two copies of each text, original and folded.

The query language (AND/OR/NOT, phrases, prefixes, groups) is
``scraper.analyst.query``; snippets are ``scraper.analyst.snippets``. Both
are re-exported here. Matching ignores case and marks, đ included: every
word is folded and searched in the folded columns only. A word typed with
marks ("Đảng") also asks for those marks: articles holding the exact word
rank first, and ``exact`` keeps only them.

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

import itertools
import json
import unicodedata

from scraper.archive.search_index import FTS_TABLE, MAP_TABLE, fold  # noqa: F401 (re-exported)

# The query language and the snippets, re-exported: callers and tests use
# fts.parse, fts.QueryError, fts.snippet, fts.OPEN_MARK, ...
from .query import (Op, Plan, QueryError, Term, exact_matches, is_exact,  # noqa: F401
                    match_expression, parse, plan, title_matches)
from .query import _compiled
from .snippets import CLOSE_MARK, OPEN_MARK, hit_spans, snippet, window  # noqa: F401

# bm25 weights per column: title, body_text, title_folded, body_folded. Our
# queries only look at the folded columns; a hit in the title counts more.
BM25_WEIGHTS = (0.0, 0.0, 8.0, 1.0)


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
    articles without both words in the title are never ranked, and when the
    best tier fills the page (``top``) the others are not even counted
    (``tiers`` yields them only when asked for). README's "How it is fast"
    says what each count costs at 20,000 articles."""

    def __init__(self, db, query: str, found: Plan, conditions: list[str], params: dict,
                 limit: int | None = None):
        self.db = db
        self.params = dict(params, m=found.match, m_any=found.match_any)
        self.filters = conditions
        self.total = self._count(found.match_any)
        self.archive = db.execute("SELECT count(*) FROM articles").fetchone()[0]
        # A term that no article found holds, or that all of them hold, adds
        # the same to every article's key: counted once here rather than
        # looked up for each article ("người" and "động" in all 20,000).
        tree, marked, wanted = _compiled(query)
        single = isinstance(tree, Term) and not conditions
        # Words joined by AND only: the articles holding every one of them
        # (exactly, or in the title) are all among those found.
        self.all_of = frozenset(wanted) if _and_only(tree) else None
        parts: dict[str, list[str]] = {"e": ["0"], "t": ["0"]}
        walked: dict[str, list[str]] = {"e": ["0"], "t": ["0"]}
        # (key, term, articles found holding it, the word typed)
        varying: list[tuple[str, str, int | None, Term]] = []
        candidates: list[tuple[str, int, str, Term, int | None]] = []
        capped = None  # the exact term counted only up to a big tier
        for key, terms, words in (("e", found.exact_terms, marked), ("t", found.title_terms, wanted)):
            for i, (term, word) in enumerate(zip(terms, words)):
                # The term alone first: one phrase, cheaper to count than
                # among the articles found, and it decides when no article
                # or every article holds it. One term typed: the articles
                # holding it exactly, or in the title, are among those found.
                one_word = _one_word(key, word)
                if one_word is not None and not db.execute(
                        f"SELECT 1 FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :x LIMIT 1",
                        {"x": one_word}).fetchone():
                    continue
                # One word typed with marks, a page asked for: counted only
                # as far as a big tier (see BIG_TIER), which comes newest
                # first and fills the page alone whatever its size ('"an
                # toàn vệ sinh"': its positions compared in half of the
                # articles holding it instead of all).
                cap = (max(BIG_TIER, self.archive // 2) + 1 if single and key == "e"
                       and limit is not None and limit <= BIG_TIER else None)
                alone = self._alone(term, cap)
                if alone == 0:
                    continue
                if cap is not None and alone == cap:
                    capped = term
                # How many of the articles found hold it: known from the
                # count alone, or counted when the tiers need it (None).
                held = alone if single or alone >= self.archive else None
                candidates.append((key, i, term, word, held))
        if sum(c[4] is None or c[4] < self.total for c in candidates) > SUBSETS_AT_MOST:
            # Ranked article by article: a key that is the same for all
            # must be known as such first.
            candidates = [c[:4] + (self._count(f"{found.match_any} AND ({c[2]})"),)
                          if c[4] is None else c for c in candidates]
        for key, i, term, word, held in candidates:
            if held == 0:
                continue
            if held is not None and held >= self.total:
                parts[key].append("1")
                walked[key].append("1")
                continue
            name = f"{key}{i}"
            self.params[name] = term
            parts[key].append(_member(name))
            walked[key].append(_holds(name))
            varying.append((key, term, held, word))
        if len(varying) > 1 and capped is not None:
            # Not the only key that varies: the tiers need its count.
            varying = [v[:2] + (self._alone(v[1]),) + v[3:] if v[1] == capped else v
                       for v in varying]
        self.varies = bool(varying)
        self.keys = [" + ".join(parts[k]) for k in ("e", "t")]
        self.walked_keys = [" + ".join(walked[k]) for k in ("e", "t")]
        self.found_by_tier: set[tuple[int, int]] = set()
        self._by_subsets = None
        self.top = None
        if 0 < len(varying) <= SUBSETS_AT_MOST:
            # The best tier first: the articles holding every term that
            # varies. It fills most pages alone ("cong doan": 4,000 with both
            # words in the title), and then the other tiers, and each term's
            # count among the articles found, are never counted.
            self._subset_args = (found.match_any, varying, parts["e"].count("1"),
                                 parts["t"].count("1"))
            everything = tuple(range(len(varying)))
            text = "(" + " AND ".join(f"({v[1]})" for v in varying) + ")"
            key = (self._subset_args[2] + sum(v[0] == "e" for v in varying),
                   self._subset_args[3] + sum(v[0] == "t" for v in varying))
            self.top = (key, self._held(everything), text)
            if self.top[1] == self.total:
                # Held by every article found: the one tier, no condition
                # ("Bản tin": the marks and both title words in all 4,000).
                self.top = (key, self.total, None)
            elif self.all_of is not None and {v[3] for v in varying} == self.all_of:
                self.found_by_tier.add(key)

    @property
    def by_subsets(self):
        if self.top is not None and self._by_subsets is None:
            self._by_subsets = self._subsets(*self._subset_args)
        return self._by_subsets

    def _held(self, chosen: tuple[int, ...]) -> int:
        """Articles found holding every term of ``chosen`` (indexes in varying)."""
        match_any, varying = self._subset_args[:2]
        if len(chosen) == 1 and varying[chosen[0]][2] is not None:
            return varying[chosen[0]][2]
        terms = [f"({varying[i][1]})" for i in chosen]
        # Every word of an AND-only query held: found, no need to ask for
        # match_any too ("cong doan": both title words).
        if self.all_of is None or {varying[i][3] for i in chosen} != self.all_of:
            terms.insert(0, match_any)
        return self._count(" AND ".join(terms))

    def _subsets(self, match_any: str, varying: list[tuple[str, str, int | None, Term]], exact: int,
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
                held[chosen] = self.top[1] if size == m else self._held(chosen)
        tiers: dict[tuple[int, int], tuple[int, list[str]]] = {}
        # Tiers whose every expression holds every word of an AND-only query:
        # an article in them is found (newest needs no second look-up).
        self.found_by_tier = set()
        mixed = set()
        for chosen in held:
            exactly = sum((-1) ** (len(more) - len(chosen)) * n for more, n in held.items()
                          if set(chosen) <= set(more))
            if not exactly:
                continue
            key = (exact + sum(varying[i][0] == "e" for i in chosen),
                   title + sum(varying[i][0] == "t" for i in chosen))
            others = [f"({varying[i][1]})" for i in range(m) if i not in chosen]
            # The tier among the articles found: every use of it (_in_tier)
            # also asks for match_any, so the terms alone say which of them
            # are in it, read once rather than with match_any a second time.
            text = "(" + " AND ".join([f"({varying[i][1]})" for i in chosen] or [match_any]) + ")"
            if others:
                text = f"({text} NOT ({' OR '.join(others)}))"
            count, texts = tiers.get(key, (0, []))
            tiers[key] = (count + exactly, texts + [text])
            if self.all_of is not None and {varying[i][3] for i in chosen} == self.all_of:
                self.found_by_tier.add(key)
            else:
                mixed.add(key)
        self.found_by_tier -= mixed
        return {key: (count, " OR ".join(texts)) for key, (count, texts) in tiers.items()}

    def _alone(self, term: str, cap: int | None = None) -> int:
        """Articles holding ``term`` in the whole archive; at most ``cap``."""
        sql = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :x"
        if cap is not None:
            sql += " LIMIT :cap"
        params = {"x": term, "cap": cap}
        return self.db.execute("SELECT count(*) FROM (" + sql + ")", params).fetchone()[0]

    def _count(self, expression: str) -> int:
        conditions = " AND ".join([f"f.{FTS_TABLE} MATCH :expression", *self.filters])
        return self.db.execute(f"SELECT count(*) FROM {FTS_TABLE} f WHERE {conditions}",
                               dict(self.params, expression=expression)).fetchone()[0]

    def tiers(self) -> list[tuple[int, int, int]]:
        """(exact_matches, title_matches, articles) of each non-empty tier, best first."""
        e, t = self.keys
        if not self.varies:  # one tier: every key is the same for all
            return [(eval_sum(e), eval_sum(t), self.total)] if self.total else []
        if self.top is not None:
            return self._tiers_best_first()
        columns = f"{e} AS e, {t} AS t"
        conditions = " AND ".join([f"f.{FTS_TABLE} MATCH :m_any", *self.filters])
        rows = self.db.execute(
            f"SELECT {columns}, count(*) FROM {FTS_TABLE} f "
            f"WHERE {conditions} GROUP BY e, t ORDER BY e DESC, t DESC", self.params)
        return [tuple(r) for r in rows]

    def _tiers_best_first(self):
        """The tiers by sets of terms: the best, then (asked for) the others."""
        key, n, _ = self.top
        if n:
            yield (key[0], key[1], n)
        if n == self.total:
            return
        for other, (count, _) in sorted(self.by_subsets.items(), reverse=True):
            if other != key:
                yield (other[0], other[1], count)

    def _in_tier(self, e: int, t: int, conditions: str, walk: bool = False) -> tuple[str, dict]:
        if self.top is not None:
            text = self.top[2] if (e, t) == self.top[0] else self.by_subsets[(e, t)][1]
            if text is None:  # every article found
                return conditions, self.params
            params = dict(self.params, tier=text)
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
        and every article tied with the last of them.

        bm25 is computed over ``match_any``, the expression without the
        folded columns' filter: the same articles, and the same scores to
        the last bit, since a folded word found in the original columns is
        also in the folded ones at the same place (the same idf) and the
        original columns weigh 0 (BM25_WEIGHTS); without the filter FTS5
        reads no positions to tell the columns of the articles outside the
        tier."""
        conditions, params = self._in_tier(
            e, t, " AND ".join([f"f.{FTS_TABLE} MATCH :m_any", *self.filters]))
        sql = (f"SELECT f.rowid, {SCORE} AS bm25 FROM {FTS_TABLE} f "
               f"WHERE {conditions} ORDER BY bm25")
        if limit is None:
            return [tuple(r) for r in self.db.execute(sql, params)]
        # The page and the articles tied with its last (the dates decide
        # among them): SQLite keeps the best n while computing bm25 for the
        # whole tier (a full sort of 4,000 costs 6% more), and n leaves room
        # for a tie across the cut (a tier of copies has runs of equal
        # scores); a longer run takes a second statement.
        n = 2 * limit + 1
        rows = [tuple(r) for r in self.db.execute(sql + " LIMIT :n", dict(params, n=n))]
        if len(rows) <= limit or rows[limit - 1][1] != rows[limit][1]:
            return rows[:limit]
        last = rows[limit - 1][1]
        if len(rows) == n and rows[-1][1] == last:
            rows = [tuple(r) for r in self.db.execute(sql, params)]
        return [r for r in rows if r[1] <= last]

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
        if walk and (e, t) in self.found_by_tier:
            found = "1"  # the tier's terms are only held by articles found
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


def _one_word(key: str, word: Term) -> str | None:
    """For a phrase: its longest word, as the key asks for it (with its
    marks, or in the title), when no article holds it, none holds the
    phrase. Finding one word reads no positions; counting the phrase
    compares them in every article holding all its words ('title_folded :
    "an toan ve sinh"', held by no title: 41 M instructions at 20,000
    articles, 'title_folded : "toan"' 6 M). None for a single word."""
    words = word.words if key == "e" else word.folded
    whole = words[:-1] if word.prefix else words  # the last, a prefix, may be longer
    if len(words) < 2 or not whole:
        return None
    longest = '"' + max(whole, key=len) + '"'
    return longest if key == "e" else "title_folded : " + longest


def _and_only(node) -> bool:
    """The query's words joined by AND only (no OR, no NOT)."""
    if isinstance(node, Term):
        return True
    return isinstance(node, Op) and node.name == "AND" and _and_only(node.left) and _and_only(node.right)


def _ranked(db, query: str, found: Plan, conditions: list[str], params: dict,
            limit: int | None) -> tuple[list[tuple[int, int, int, float]], int]:
    """((rowid, exact_matches, title_matches, bm25), ...) best first, at
    most ``limit``, and how many match in all."""
    ranker = _Ranker(db, query, found, conditions, params, limit)
    total = ranker.total  # the tiers split the articles found
    archive = ranker.archive
    keyed: list[tuple[int, int, int, float, float]] = []  # ..., bm25 as ordered, bm25
    tiers = iter(ranker.tiers())
    # Tier by tier, the next asked for only while the page has room.
    while limit is None or len(keyed) < limit:
        tier = next(tiers, None)
        if tier is None:
            break
        e, t, n = tier
        room = None if limit is None else limit - len(keyed)
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
