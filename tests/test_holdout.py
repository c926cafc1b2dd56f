"""Holdout golden tests: extract_article on tests/fixtures/holdout, page by page and field by field.

The holdout pages use five templates the extractor was never tuned on
(WordPress, Joomla, a Bootstrap card portal, a mobile-first page, a
Liferay-style government portal), so these tests measure how it
generalises. One test per (page, field), id `<page>-<field>` such as
`wp_03-author`, scored by scraper.evaluate.score_page like tests/test_corpus.py.

    .venv/bin/python -m pytest tests/test_holdout.py -k mobile_
    .venv/bin/python -m scraper.evaluate --corpus tests/fixtures/holdout --verbose

Don't tune the extractor on these pages: a holdout that has been fitted
is no longer a holdout.
"""
from __future__ import annotations

import importlib.util
import sys
from functools import lru_cache
from pathlib import Path

import pytest

from scraper.evaluate import FIELDS, explain_miss, load_page, page_names, score_page

HOLDOUT = Path(__file__).resolve().parent / "fixtures" / "holdout"
PAGES = page_names(HOLDOUT)
CASES = [(n, f) for n in PAGES for f in FIELDS]


@lru_cache(maxsize=None)
def _extracted(name: str):
    from scraper.extract import extract_article

    page = load_page(name, HOLDOUT)
    return page, extract_article(page.html, page.url)


@pytest.mark.parametrize("name,field", CASES, ids=[f"{n}-{f}" for n, f in CASES])
def test_holdout_field(name: str, field: str) -> None:
    page, article = _extracted(name)
    if not score_page(page.expected, article)[field]:
        expected, got = explain_miss(field, page.expected, article)
        why = " (extract_article returned None)" if article is None else ""
        pytest.fail(f"{name} {field}{why}\n  expected: {expected!r}\n  got:      {got!r}")


def test_holdout_matches_builder(tmp_path: Path) -> None:
    """The committed holdout pages are exactly what build_holdout.py writes."""
    path = Path(__file__).parent / "fixtures" / "build_holdout.py"
    spec = importlib.util.spec_from_file_location("build_holdout", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    names = module.build(tmp_path)
    assert sorted(names) == PAGES
    for name in names:
        for ext in ("html", "json"):
            assert (tmp_path / f"{name}.{ext}").read_bytes() == (HOLDOUT / f"{name}.{ext}").read_bytes(), \
                f"{name}.{ext} is stale: run tests/fixtures/build_holdout.py"
