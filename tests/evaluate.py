"""Score the article extractor against the labelled golden corpus.

Every page in the corpus directory (`<name>.html` + `<name>.json`) is
decoded as the crawl decodes a response (`scraper.encoding.decode`), run
through `extract_article` and compared field by field with its labels;
the result is a per-field accuracy table, overall and per template.

    python -m tests.evaluate [--corpus DIR] [--verbose] [--strict]

(run from the repository root).

Exit status is 0 unless --strict is given and some field is under 100%.
The scoring rules live in `score_page`, shared by tests/test_corpus.py and
bench/bench_extract.py so the three never disagree.
"""
from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

from scraper.encoding import decode

DEFAULT_CORPUS = Path(__file__).resolve().parent / "fixtures" / "corpus"

FIELDS = (
    "title",
    "published_at",
    "published_precision",
    "author",
    "author_line",
    "source",
    "body",
    "images",
    "captions",
    "attachments",
)

# Zero-width characters some editors leave in text; they never count.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff\u00ad"), None)


def norm(text: str | None) -> str | None:
    """NFC, non-breaking spaces as spaces, whitespace runs collapsed."""
    if text is None:
        return None
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE).replace("\xa0", " ")
    return " ".join(text.split())


@dataclass
class CorpusPage:
    name: str  # file stem, e.g. vendor_a_03
    html: bytes
    expected: dict[str, Any]

    @property
    def template(self) -> str:
        return self.expected["template"]

    @property
    def url(self) -> str:
        return self.expected["url"]

    @property
    def text(self) -> str:
        """The page as the crawl reads it: a saved page has no Content-Type
        header, so the byte-order mark, <meta charset> or the guess decide."""
        return decode(self.html)[1]


def page_names(corpus: Path = DEFAULT_CORPUS) -> list[str]:
    return sorted(p.stem for p in corpus.glob("*.json") if (corpus / f"{p.stem}.html").exists())


def load_page(name: str, corpus: Path = DEFAULT_CORPUS) -> CorpusPage:
    expected = json.loads((corpus / f"{name}.json").read_text(encoding="utf-8"))
    return CorpusPage(name=name, html=(corpus / f"{name}.html").read_bytes(), expected=expected)


def load_corpus(corpus: Path = DEFAULT_CORPUS) -> list[CorpusPage]:
    pages = [load_page(n, corpus) for n in page_names(corpus)]
    if not pages:
        raise SystemExit(f"no <name>.html + <name>.json pairs in {corpus}")
    return pages


# --------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------


def _attr(article: Any, name: str, default: Any = None) -> Any:
    if isinstance(article, dict):
        return article.get(name, default)
    return getattr(article, name, default)


def _images(article: Any) -> list[Any]:
    return list(_attr(article, "images", None) or [])


def got_value(field: str, article: Any) -> Any:
    """What the extractor produced for a field, in the label's shape."""
    if field == "body":
        return norm(_attr(article, "body_text"))
    if field == "images":
        return [_attr(im, "url") for im in _images(article)]
    if field == "captions":
        return [norm(_attr(im, "caption")) or None for im in _images(article)]
    if field == "attachments":
        return [{"url": _attr(a, "url"), "text": norm(_attr(a, "text"))}
                for a in (_attr(article, "attachments", None) or [])]
    value = _attr(article, field)
    if field in ("title", "author", "author_line", "source"):
        return norm(value) or None
    return value


def expected_value(field: str, expected: dict[str, Any]) -> Any:
    if field == "body":
        return {"first": expected["body_first"], "last": expected["body_last"],
                "excludes": expected.get("body_excludes", [])}
    if field == "images":
        return [im["url"] for im in expected["images"]]
    if field == "captions":
        return [norm(im["caption"]) or None for im in expected["images"]]
    if field == "attachments":
        return [{"url": a["url"], "text": norm(a["text"])} for a in expected["attachments"]]
    if field in ("title", "author", "author_line", "source"):
        return norm(expected[field]) or None
    return expected[field]


def body_problems(expected: dict[str, Any], body_text: str | None) -> list[str]:
    """Why the body misses its labels; empty when it is right."""
    body = norm(body_text) or ""
    problems = []
    if not body:
        return ["body_text is empty"]
    for key in ("body_first", "body_last"):
        if norm(expected[key]) not in body:
            problems.append(f"{key} missing: {expected[key][:80]!r}")
    for ex in expected.get("body_excludes", []):
        if norm(ex) in body:
            problems.append(f"contains excluded {ex[:80]!r}")
    return problems


def score_page(expected: dict[str, Any], article: Any) -> dict[str, bool]:
    """Field -> right or wrong for one page.

    `article` is a scraper.items.Article (or anything with the same
    attribute names, or a dict). Text fields compare after `norm`;
    published_at and published_precision compare exactly; images,
    captions and attachments compare as whole ordered lists.
    """
    result = {}
    for field in FIELDS:
        if field == "body":
            result[field] = not body_problems(expected, _attr(article, "body_text"))
        else:
            result[field] = got_value(field, article) == expected_value(field, expected)
    return result


def explain_miss(field: str, expected: dict[str, Any], article: Any) -> tuple[Any, Any]:
    """(expected, got) for a report line."""
    if field == "body":
        body = norm(_attr(article, "body_text")) or ""
        return "first+last present, no excluded text", "; ".join(body_problems(expected, body)) or body[:120]
    return expected_value(field, expected), got_value(field, article)


# --------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------


@dataclass
class PageResult:
    page: CorpusPage
    scores: dict[str, bool]
    article: Any = None
    error: str | None = None  # the exception, or why there is no article


def evaluate(pages: Iterable[CorpusPage], extract: Callable[[str, str], Any]) -> list[PageResult]:
    results = []
    for page in pages:
        try:
            article = extract(page.text, page.url)
        except Exception as exc:  # a crash is a miss on every field, and is reported
            results.append(PageResult(page, dict.fromkeys(FIELDS, False), None,
                                      f"extractor raised {type(exc).__name__}: {exc}"))
            continue
        note = "extract_article returned None (no article found)" if article is None else None
        results.append(PageResult(page, score_page(page.expected, article), article, note))
    return results


def tally(results: Iterable[PageResult], fields: Iterable[str] = FIELDS) -> dict[str, tuple[int, int]]:
    counts = {f: [0, 0] for f in fields}
    for r in results:
        for f in counts:
            if f in r.scores:
                counts[f][0] += bool(r.scores[f])
                counts[f][1] += 1
    return {f: (c[0], c[1]) for f, c in counts.items()}


def pct(right: int, total: int) -> str:
    return f"{100.0 * right / total:5.1f}%" if total else "    —"


def format_table(results: list[PageResult]) -> str:
    lines = []
    overall = tally(results)
    lines.append(f"{'field':<20} {'right':>7} {'total':>6} {'%':>7}")
    lines.append("-" * 43)
    for f, (right, total) in overall.items():
        lines.append(f"{f:<20} {right:>7} {total:>6} {pct(right, total):>7}")
    all_right = sum(r for r, _ in overall.values())
    all_total = sum(t for _, t in overall.values())
    lines.append("-" * 43)
    lines.append(f"{'all fields':<20} {all_right:>7} {all_total:>6} {pct(all_right, all_total):>7}")
    pages_ok = sum(all(r.scores.values()) for r in results)
    lines.append(f"{'pages fully right':<20} {pages_ok:>7} {len(results):>6} {pct(pages_ok, len(results)):>7}")

    templates = sorted({r.page.template for r in results})
    short = {"title": "title", "published_at": "date", "published_precision": "prec", "author": "author",
             "author_line": "a_line", "source": "source", "body": "body", "images": "images",
             "captions": "capts", "attachments": "attach"}
    lines.append("")
    lines.append("per template (right/total)")
    header = f"{'template':<12}" + "".join(f"{short[f]:>8}" for f in FIELDS)
    lines.append(header)
    for t in templates:
        sub = tally(r for r in results if r.page.template == t)
        lines.append(f"{t:<12}" + "".join(f"{f'{a}/{b}':>8}" for a, b in sub.values()))
    return "\n".join(lines)


def format_misses(results: list[PageResult]) -> str:
    lines = []
    for r in results:
        if r.error:
            lines.append(f"{r.page.name}: {r.error}")
            if r.article is None:
                continue
        for f in FIELDS:
            if not r.scores[f]:
                exp, got = explain_miss(f, r.page.expected, r.article)
                lines.append(f"{r.page.name}-{f}:\n    expected: {exp!r}\n    got:      {got!r}")
    return "\n".join(lines) if lines else "no misses"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.evaluate", description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="corpus directory (default: %(default)s)")
    ap.add_argument("--verbose", "-v", action="store_true", help="list every miss with expected vs got")
    ap.add_argument("--strict", action="store_true", help="exit 1 if any field is under 100%%")
    args = ap.parse_args(argv)

    from scraper.extract import extract_article  # import here so --help works without the extractor

    pages = load_corpus(args.corpus)
    results = evaluate(pages, extract_article)
    print(f"corpus: {args.corpus} ({len(pages)} pages, {len({p.template for p in pages})} templates)\n")
    print(format_table(results))
    errors = [r for r in results if r.error]
    if errors:
        print(f"\n{len(errors)} page(s) raised or returned no article; run with --verbose for details")
    if args.verbose:
        print("\nmisses")
        print(format_misses(results))
    if args.strict and any(right < total for right, total in tally(results).values()):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
