"""Snippets: about 220 characters of an article's text around its densest
run of hits, the hits marked (OPEN_MARK/CLOSE_MARK). The index keeps no copy
of the text, so the hits are found in ``articles.body_text`` itself, for the
hits shown only.
"""
from __future__ import annotations

import bisect
import functools
import re

from scraper.archive.search_index import fold

from .query import Term, plan, term_pattern

OPEN_MARK, CLOSE_MARK = "\x02", "\x03"  # never in archived text (clean() keeps no C0 controls)
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
    bodies = sorted({term_pattern(t, exact=False).pattern.removeprefix(r"(?<![^\W_])")
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
