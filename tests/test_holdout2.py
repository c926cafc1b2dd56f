"""Second holdout: extract_article on tests/fixtures/holdout2, one test per page and field.

Five more templates the extractor was not written against (Drupal 7 node, ASP.NET
WebForms portal, magazine with a separate sapo, e-newspaper with the byline on top,
early-2000s static HTML). Scored with scraper.evaluate.score_page; test ids are
`<page>-<field>`, e.g. `aspnet_02-published_at`.

    .venv/bin/python -m pytest tests/test_holdout2.py -k static_
    .venv/bin/python -m scraper.evaluate --corpus tests/fixtures/holdout2 --verbose

These pages measure generalisation: do not tune the extractor on them.
"""
from __future__ import annotations

import importlib.util
import sys
from functools import lru_cache
from pathlib import Path

import pytest

from scraper.evaluate import FIELDS, explain_miss, load_page, page_names, score_page

CORPUS = Path(__file__).resolve().parent / "fixtures" / "holdout2"
BUILDER = Path(__file__).resolve().parent / "fixtures" / "build_holdout2.py"
NAMES = page_names(CORPUS)
PAIRS = [(name, f) for name in NAMES for f in FIELDS]


@lru_cache(maxsize=None)
def run(name: str):
    from scraper.extract import extract_article

    page = load_page(name, CORPUS)
    return page, extract_article(page.html, page.url)


def test_holdout2_has_30_pages() -> None:
    assert len(NAMES) == 30


@pytest.mark.parametrize("name,field", PAIRS, ids=[f"{n}-{f}" for n, f in PAIRS])
def test_holdout2_field(name: str, field: str) -> None:
    page, article = run(name)
    if score_page(page.expected, article)[field]:
        return
    expected, got = explain_miss(field, page.expected, article)
    none = " [extract_article returned None]" if article is None else ""
    pytest.fail(f"{name} {field}{none}\n  expected: {expected!r}\n  got:      {got!r}")


def test_holdout2_matches_builder(tmp_path: Path) -> None:
    """What is committed is byte for byte what build_holdout2.py writes."""
    spec = importlib.util.spec_from_file_location("build_holdout2", BUILDER)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    built = mod.build(tmp_path)
    assert sorted(built) == NAMES
    for name in built:
        for ext in ("html", "json"):
            fresh = (tmp_path / f"{name}.{ext}").read_bytes()
            assert fresh == (CORPUS / f"{name}.{ext}").read_bytes(), \
                f"{name}.{ext} differs from the builder's output: rerun tests/fixtures/build_holdout2.py"
