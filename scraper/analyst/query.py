"""The analysts' query language: parsing a query, and what it asks of the index.

    cong doan            both words, anywhere (AND is implied)
    thi AND dua          the same, spelled out
    thi OR dua           either word
    cong NOT doan        the first without the second
    "thi dua"            the words side by side
    thi*                 a word starting with thi
    (a OR b) c           parentheses group

AND, OR and NOT are operators only in capitals, as in SQLite. ``parse``
reads a query into Terms and Ops (QueryError, one sentence, for a malformed
one); ``match_expression`` writes the FTS5 expression over the folded
columns; ``plan`` adds the expressions whose MATCH counts are the ranking's
keys (exact marks, title words). ``exact_matches``, ``title_matches`` and
``is_exact`` say the same over the text itself: the definitions the tests
hold the index to. Ranking and search are ``scraper.analyst.fts``.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from scraper.archive.search_index import fold

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
def term_pattern(term: Term, exact: bool) -> re.Pattern:
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
        return bool(term_pattern(term, exact=True).search(original))
    return bool(term_pattern(term, exact=False).search(folded))


def _texts(title, body) -> list[str]:
    # Title and body apart: a phrase does not run from one into the other.
    return [unicodedata.normalize("NFC", t or "").lower() for t in (title, body)]


def exact_matches(query: str, title: str | None, body: str | None) -> int:
    """How many of the query's marked terms (outside NOT) occur with their
    marks in the article: the first key of the ranking. 0 when none was typed."""
    _, marked, _ = _compiled(query)
    texts = _texts(title, body)
    return sum(1 for term in marked
               if any(term_pattern(term, exact=True).search(text) for text in texts))


def title_matches(query: str, title: str | None) -> int:
    """How many of the query's terms (outside NOT) the title holds, marks
    ignored: the second key of the ranking. bm25 weighs titles too, but on
    a small archive a word found in over half of the articles gets an idf
    of almost nothing (SQLite's bm25 floors it at 1e-6), and with it every
    weight; a count of title hits keeps "doi moi" in a title first."""
    _, _, wanted = _compiled(query)
    folded = fold(unicodedata.normalize("NFC", title or ""))
    return sum(1 for term in wanted if term_pattern(term, exact=False).search(folded))


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
