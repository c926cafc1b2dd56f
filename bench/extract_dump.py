"""Every output of the extractor on a set of pages, as JSON: to prove that a
change meant to be behaviour-neutral (a speed-up) is one.

    python bench/extract_dump.py OUT.json [--trafilatura DIR] [--scale N]

Runs `read_page` (kind, article, links, canonical, title, fingerprint,
claims_article) and `extract_article` on every HTML file under tests/fixtures
(the corpora, the holdouts, the page kinds, the real pages), on N pages of
bench/scale_site.py's site, and on trafilatura's evaluation pages when DIR
(a folder holding tests/eval/ and tests/evaldata.json, e.g. from
`git --git-dir=... archive HEAD tests/eval tests/evaldata.json | tar x`) is
given. Compare two dumps with `cmp`: they must be byte-identical.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from scraper.extract import extract_article, read_page  # noqa: E402


def fixture_pages():
    for path in sorted((ROOT / "tests" / "fixtures").rglob("*.html")):
        label = path.with_suffix(".json")
        url = f"https://example.org/{path.stem}.html"
        if label.exists():
            try:
                url = json.loads(label.read_text(encoding="utf-8")).get("url") or url
            except (ValueError, AttributeError):
                pass
        yield str(path.relative_to(ROOT)), path.read_bytes(), url


def scale_pages(n: int):
    import scale_site

    items = scale_site.articles(n)
    rng = random.Random(7)
    for a in items:
        yield f"scale/{a['slug']}", scale_site.article_page(a, rng).encode("utf-8"), \
            f"http://127.0.0.1:8000/{a['slug']}.html"
    newest = sorted(items, key=lambda a: a["published"], reverse=True)
    for index, (slug, name) in enumerate(scale_site.CATEGORIES):
        mine = [a for a in newest if a["category"] == index][:scale_site.PER_PAGE]
        yield f"scale/{slug}", scale_site.listing_page(name, slug, mine, 1, 2).encode("utf-8"), \
            f"http://127.0.0.1:8000/{slug}.html"


def trafilatura_pages(folder: Path):
    data = json.loads((folder / "tests" / "evaldata.json").read_text(encoding="utf-8"))
    for url, entry in sorted(data.items()):
        path = folder / "tests" / "eval" / entry["file"]
        if path.exists():
            yield f"trafilatura/{entry['file']}", path.read_bytes(), url


def _plain(obj):
    if dataclasses.is_dataclass(obj):
        return {f.name: _plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, (list, tuple)):
        return [_plain(x) for x in obj]
    return obj


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--trafilatura", type=Path)
    ap.add_argument("--scale", type=int, default=300)
    args = ap.parse_args()
    sources = [fixture_pages(), scale_pages(args.scale)]
    if args.trafilatura:
        sources.append(trafilatura_pages(args.trafilatura))
    out = {}
    for source in sources:
        for name, html, url in source:
            try:
                page = _plain(read_page(html, url))
            except Exception as exc:  # a crash is an output too
                page = f"error: {type(exc).__name__}: {exc}"
            try:
                article = _plain(extract_article(html, url))
            except Exception as exc:
                article = f"error: {type(exc).__name__}: {exc}"
            out[name] = {"url": url, "page": page, "extract_article": article}
    args.out.write_text(json.dumps(out, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
    print(f"{len(out)} pages -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
