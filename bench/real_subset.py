"""Pick the committed regression subset of the real-page corpus.

Strata: the page's region label (German-speaking, unlabelled (mostly English),
other) crossed with "labelled article" (title and date labelled) or not.
From each stratum, pages under --max-kb are taken in the order of a hash of
their file name (stable, unrelated to how either extractor does on them), in
proportion to the stratum's size, until --pages are taken. The pages and
their labels go to OUT in the corpus's own layout (evaldata.json + eval/).

    .venv/bin/python bench/real_subset.py /work/.mirror/adbar+trafilatura/repo tests/fixtures/real
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.real_corpus import RealPage, load  # noqa: E402


def stratum(page: RealPage) -> tuple[str, bool]:
    region = page.labels.get("region") or ""
    group = "de" if region in ("DE", "AT", "CH") else "none" if not region else "other"
    return group, page.labelled_article


def pick(pages: list[RealPage], count: int, max_bytes: int) -> list[RealPage]:
    strata: dict[tuple[str, bool], list[RealPage]] = {}
    for p in sorted(pages, key=lambda p: hashlib.sha1(p.file.encode()).hexdigest()):
        if len(p.html) <= max_bytes:
            strata.setdefault(stratum(p), []).append(p)
    total = sum(len(v) for v in strata.values())
    chosen = []
    for key in sorted(strata, key=str):
        chosen += strata[key][:max(1, round(count * len(strata[key]) / total))]
    return chosen


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("source", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--pages", type=int, default=60)
    ap.add_argument("--max-kb", type=int, default=150)
    args = ap.parse_args(argv)
    pages, _, where = load(args.source)
    chosen = pick(pages, args.pages, args.max_kb * 1024)
    (args.out / "eval").mkdir(parents=True, exist_ok=True)
    labels = {}
    for p in sorted(chosen, key=lambda p: p.file):
        (args.out / "eval" / p.file).write_bytes(p.html)
        labels[p.url] = p.labels
    (args.out / "evaldata.json").write_text(json.dumps(labels, ensure_ascii=False, indent=1) + "\n",
                                            encoding="utf-8")
    size = sum(len(p.html) for p in chosen)
    print(f"{len(chosen)} pages, {size / 1e6:.1f} MB, from {where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
