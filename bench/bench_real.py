"""Ours and trafilatura side by side on real pages nobody here wrote.

The corpus is trafilatura's evaluation set (see bench/real_corpus.py for the
layouts it reads and how each field is scored). Both extractors get the same
page bytes and URL in the same run; ms per page is the median of --repeat
extractions of that page, summarised as median, p95 and total.

    .venv/bin/python bench/bench_real.py PATH [--repeat N] [--misses FIELD]

PATH: a bare git directory of trafilatura's repository (what the library's
fetch tool gives), a clone of it, its tests/ folder, or tests/fixtures/real
(the committed subset). Exit 2 when PATH holds no corpus.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.real_corpus import (FIELDS, CorpusMissing, Extracted, RealPage, Score, load,  # noqa: E402
                               ours, ours_with_fallback, score, trafilatura_reader)

HOW_TO_GET = """\
The full corpus is trafilatura's evaluation set (tests/evaldata.json and tests/eval/,
Apache-2.0). Bring its repository onto this machine, e.g. with the tool library's
`fetch github:adbar/trafilatura` (a bare git directory), or `git clone` it anywhere,
then:  make bench-real BENCH_REAL=/path/to/it
The committed subset runs without it:  make bench-real BENCH_REAL=tests/fixtures/real"""


def run(pages: list[RealPage], extract: Callable[[bytes, str], Extracted], repeat: int):
    extract(pages[0].html, pages[0].url)  # warm-up: imports, compiled patterns
    times, scores, errors = [], [], 0
    for page in pages:
        got, per = Extracted(False), []
        for _ in range(repeat):
            t0 = time.perf_counter()
            try:
                got = extract(page.html, page.url)
            except Exception:  # a crash is a page not recognised
                got = Extracted(False, kind="raised")
                errors += 1
            per.append((time.perf_counter() - t0) * 1000)
        times.append(statistics.median(per))
        scores.append((page, got, score(page, got)))
    return times, scores, errors // repeat


def tally(scores: list[tuple[RealPage, Extracted, Score]], name: str, only_articles: bool) -> tuple[int, int]:
    vals = [s.fields[name] for p, _, s in scores
            if s.fields[name] is not None and (p.labelled_article or not only_articles)]
    return sum(vals), len(vals)


def f1(scores) -> tuple[float, float, float]:
    tp = sum(s.snippets[0] for *_, s in scores)
    fn = sum(s.snippets[1] for *_, s in scores)
    fp = sum(s.snippets[2] for *_, s in scores)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return precision, recall, 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("path", type=Path)
    ap.add_argument("--repeat", type=int, default=1, help="extractions per page (default: %(default)s)")
    ap.add_argument("--misses", choices=FIELDS, help="list the pages where ours misses this field")
    ap.add_argument("--ours-only", action="store_true", help="skip trafilatura (quicker, while tuning)")
    ap.add_argument("--no-fallback", action="store_true",
                    help="skip the third column (ours with trafilatura's text where ours finds no dated article)")
    args = ap.parse_args(argv)
    try:
        pages, missing, where = load(args.path)
    except CorpusMissing as exc:
        print(f"no real-page corpus: {exc}\n\n{HOW_TO_GET}", file=sys.stderr)
        return 2
    if not pages:
        print(f"no pages found under {args.path}\n\n{HOW_TO_GET}", file=sys.stderr)
        return 2
    articles = sum(p.labelled_article for p in pages)
    print(f"corpus: {where}: {len(pages)} pages ({missing} labelled pages have no file),"
          f" {articles} labelled articles (title and date labelled); {args.repeat} run(s) per page\n")

    extractors = {"ours": ours}
    if not args.ours_only:
        extractors["trafilatura"] = trafilatura_reader()
        if not args.no_fallback:
            extractors["ours+fallback"] = ours_with_fallback(extractors["trafilatura"])
    results = {name: run(pages, fn, args.repeat) for name, fn in extractors.items()}

    col = 20
    names = list(results)
    print(f"{'':<30}" + "".join(f"{n:>{col}}" for n in names))
    for label, only in (("labelled articles", True), ("all pages", False)):
        for name in FIELDS:
            cells = []
            for n in names:
                right, total = tally(results[n][1], name, only)
                cells.append(f"{right:>5}/{total:<4} {100.0 * right / total if total else 0:5.1f}%")
            print(f"{name + ' (' + label + ')':<30}" + "".join(f"{c:>{col}}" for c in cells))
        print()
    print(f"{'body snippets P / R / F1':<30}" + "".join(
        f"{'%.3f/%.3f/%.3f' % f1(results[n][1]):>{col}}" for n in names))
    for key, fn in (("median ms/page", statistics.median),
                    ("p95 ms/page", lambda t: sorted(t)[int(round(0.95 * (len(t) - 1)))]),
                    ("total s", lambda t: sum(t) / 1000)):
        print(f"{key:<30}" + "".join(f"{fn(results[n][0]):>{col}.2f}" for n in names))
    print(f"{'pages that raised':<30}" + "".join(f"{results[n][2]:>{col}}" for n in names))
    kinds: dict[str, int] = {}
    for _, got, _ in results["ours"][1]:
        kinds[got.kind or "?"] = kinds.get(got.kind or "?", 0) + 1
    print(f"\nours, page kinds: {', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))}")
    if "trafilatura" in results:
        ratio = statistics.median(results["trafilatura"][0]) / statistics.median(results["ours"][0])
        print(f"speed: ours is {ratio:.1f}x {'faster' if ratio >= 1 else 'slower'} than trafilatura (median per page)")
    if "ours+fallback" in results:
        print(f"ours+fallback: trafilatura's text on the pages where ours finds no dated article;"
              f" it costs {sum(results['ours+fallback'][0]) / sum(results['ours'][0]):.2f}x ours' total time here,"
              f" and is not part of the extractor (see README, extraction)")
    if args.misses:
        print(f"\nours misses on {args.misses}:")
        for page, got, s in results["ours"][1]:
            if s.fields[args.misses] is False:
                want = {"title": page.labels.get("title"), "author": page.labels.get("author"),
                        "date": page.labels.get("date")}.get(args.misses, "")
                have = {"title": got.title, "author": got.author, "date": got.date,
                        "recognised": got.kind}.get(args.misses, "")
                extra = f" want {want!r} got {have!r}" if args.misses != "body" else f" snippets {s.snippets}"
                print(f"  {page.file}{extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
