"""Full-text search of the archive: query parsing, ranking and snippets.

Read-only: it works on a connection from ``scraper.archive.open_readonly``.
The index itself (its tables, the folding of the text, keeping it in step
with ``articles``) belongs to storage, ``scraper.archive.search_index``,
whose docstring describes the two copies of each text, original and folded.
Our queries fold the user's words the same way and search only the folded
columns.
"""
from __future__ import annotations

import re

from scraper.archive.search_index import FTS_TABLE, MAP_TABLE, fold  # noqa: F401 (re-exported)

# bm25 weights per column: title, body_text, title_folded, body_folded. Our
# queries only look at the folded columns; a hit in the title counts more.
BM25_WEIGHTS = (0.0, 0.0, 8.0, 1.0)

OPEN_MARK, CLOSE_MARK = "\x02", "\x03"  # never in archived text (clean() keeps no C0 controls)
_NON_WORD = re.compile(r"[^\w]+")
_QUERY_CHUNK = re.compile(r'"([^"]*)"?|(\S+)')


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
