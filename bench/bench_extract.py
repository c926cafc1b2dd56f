"""Speed and accuracy of extract_article against trafilatura, on the golden corpus.

Both extractors get the same page bytes and URL in the same run. Each page is
extracted --repeat times; a page's time is the median of its repeats, and the
report gives the median and p95 of those per-page times. Accuracy uses
tests.evaluate.score_page; trafilatura's output is first mapped onto our
Article fields (title, date -> published_at, author, text -> body_text,
images). Fields trafilatura has no equivalent for are shown as n/a.

    .venv/bin/python bench/bench_extract.py [--corpus DIR] [--repeat N]
"""
from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
import traceback
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from w3lib.url import safe_url_string  # noqa: E402

from tests.evaluate import DEFAULT_CORPUS, FIELDS, CorpusPage, load_corpus, norm, score_page  # noqa: E402
from scraper.items import Article, Image  # noqa: E402

# Fields trafilatura's output can be scored on.
TRAFILATURA_FIELDS = ("title", "published_at", "author", "body", "images")
# Extra, bench-only rows: the local publication day (the most trafilatura's htmldate gives),
# and body recall (first and last paragraphs present, excluded text ignored: trafilatura
# keeps the title and the byline in its text by design, which the body field counts as wrong).
DAY_FIELD = "published_day"
RECALL_FIELD = "body_recall"
EXTRA_FIELDS = (DAY_FIELD, RECALL_FIELD)

_MD_IMAGE = re.compile(r"!\[[^\]]*\]\((\S+?)\)")


def load_ours() -> tuple[Callable[[bytes, str], Any] | None, str | None]:
    try:
        from scraper.extract import extract_article
    except Exception:  # report any import failure, then bench trafilatura alone
        return None, traceback.format_exc(limit=3)
    return extract_article, None


def load_trafilatura() -> tuple[Any, str | None]:
    """trafilatura, imported as it is installed: lxml >= 5.2 moved
    lxml.html.clean (which justext imports) into the lxml_html_clean package,
    pinned in requirements.txt."""
    import trafilatura

    return trafilatura, None


def trafilatura_article(trafilatura: Any, html: bytes, url: str) -> Article:
    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_images=True)
    if doc is None:
        return Article(url=url)
    get = (lambda k: doc.get(k)) if isinstance(doc, dict) else (lambda k: getattr(doc, k, None))
    text = get("text") or ""
    date = get("date")
    author = get("author")
    return Article(
        url=url,
        title=get("title"),
        published_at=f"{date[:10]}T00:00:00+07:00" if date else None,
        published_date=date[:10] if date else None,
        author=", ".join(a.strip() for a in author.split(";")) if author else None,
        body_text=text,
        images=[Image(url=safe_url_string(u)) for u in _MD_IMAGE.findall(text)],
    )


def day_right(expected: dict, article: Any) -> bool:
    want = expected["published_at"][:10] if expected["published_at"] else None
    got = getattr(article, "published_date", None) if article is not None else None
    if got is None and article is not None and getattr(article, "published_at", None):
        got = article.published_at[:10]
    return got == want


def run(pages: list[CorpusPage], extract: Callable[[bytes, str], Any], repeat: int) -> dict[str, Any]:
    extract(pages[0].html, pages[0].url)  # warm-up: imports, caches, compiled patterns
    per_page_ms, scores, errors = [], [], 0
    for page in pages:
        times = []
        article = None
        for _ in range(repeat):
            t0 = time.perf_counter()
            try:
                article = extract(page.html, page.url)
            except Exception:  # a crash is a miss, counted below
                article = None
                errors += 1
            times.append((time.perf_counter() - t0) * 1000)
        per_page_ms.append(statistics.median(times))
        s = score_page(page.expected, article)
        s[DAY_FIELD] = day_right(page.expected, article)
        body = norm(getattr(article, "body_text", None)) or ""
        s[RECALL_FIELD] = bool(body) and all(norm(page.expected[k]) in body for k in ("body_first", "body_last"))
        scores.append(s)
    per_page_ms.sort()
    p95 = per_page_ms[min(len(per_page_ms) - 1, int(round(0.95 * (len(per_page_ms) - 1))))]
    return {"median": statistics.median(per_page_ms), "p95": p95, "mean": statistics.fmean(per_page_ms),
            "total": sum(per_page_ms), "scores": scores, "errors": errors // repeat}


def accuracy(scores: list[dict[str, bool]], field: str) -> str:
    right = sum(s[field] for s in scores)
    return f"{right:>2}/{len(scores)} {100.0 * right / len(scores):5.1f}%"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--repeat", type=int, default=5, help="extractions per page (default: %(default)s)")
    args = ap.parse_args(argv)

    pages = load_corpus(args.corpus)
    print(f"corpus: {args.corpus} ({len(pages)} pages), {args.repeat} runs per page\n")

    ours, ours_error = load_ours()
    if ours is None:
        print("!! scraper.extract could not be imported; benchmarking trafilatura only:\n" + ours_error)
    trafilatura, note = load_trafilatura()
    if note:
        print(f"note: {note}\n")

    results: dict[str, dict[str, Any]] = {}
    if ours is not None:
        results["ours"] = run(pages, ours, args.repeat)
    results["trafilatura"] = run(pages, lambda h, u: trafilatura_article(trafilatura, h, u), args.repeat)

    names = list(results)
    col = 18
    print(f"{'':<22}" + "".join(f"{n:>{col}}" for n in names))
    for key in ("median", "p95", "mean"):
        print(f"{key + ' ms/page':<22}" + "".join(f"{results[n][key]:>{col}.2f}" for n in names))
    print(f"{'total ms':<22}" + "".join(f"{results[n]['total']:>{col}.1f}" for n in names))
    print(f"{'pages that raised':<22}" + "".join(f"{results[n]['errors']:>{col}}" for n in names))
    print()
    print(f"{'accuracy':<22}" + "".join(f"{n:>{col}}" for n in names))
    for field in (*FIELDS, *EXTRA_FIELDS):
        cells = []
        for n in names:
            scored = n == "ours" or field in TRAFILATURA_FIELDS or field in EXTRA_FIELDS
            cells.append(f"{accuracy(results[n]['scores'], field) if scored else 'n/a':>{col}}")
        print(f"{field:<22}" + "".join(cells))
    shared = [*TRAFILATURA_FIELDS, *EXTRA_FIELDS]
    print(f"{'(shared fields)':<22}" + "".join(
        f"{accuracy([{'x': all(s[f] for f in shared)} for s in results[n]['scores']], 'x'):>{col}}" for n in names))
    print("\npublished_at for trafilatura is its date at 00:00+07:00 (it gives no time), so it can only be right"
          " on date-only pages;\npublished_day compares the local day for both; body_recall ignores body_excludes.")
    if "ours" in results:
        ratio = results["trafilatura"]["median"] / results["ours"]["median"]
        print(f"\nspeed: ours is {ratio:.1f}x {'faster' if ratio >= 1 else 'slower'} than trafilatura"
              f" (median per page; p95 ratio {results['trafilatura']['p95'] / results['ours']['p95']:.1f}x)")
    return 0 if ours is not None else 2


if __name__ == "__main__":
    sys.exit(main())
