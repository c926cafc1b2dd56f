"""Third holdout: extract_article on tests/fixtures/holdout3, one test per page and field.

Five templates the extractor was not written against: a Blogger blog on the
federation's domain, a SharePoint "cổng thông tin", a Tilda website-builder export,
a forum thread (vBulletin 4 / phpBB 3) and an in-article photo gallery. Scoring is
scraper.evaluate.score_page; test ids are `<page>-<field>`, e.g. `forum_02-published_at`.

    .venv/bin/python -m pytest tests/test_holdout3.py -k tilda_
    .venv/bin/python -m scraper.evaluate --corpus tests/fixtures/holdout3 --verbose

These pages exist to measure generalisation; the extractor must not be tuned on them.
"""
from __future__ import annotations

import importlib.util
import sys
from functools import lru_cache
from pathlib import Path

import pytest

from scraper.evaluate import FIELDS, explain_miss, load_page, page_names, score_page

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "fixtures" / "holdout3"
BUILDER = HERE / "fixtures" / "build_holdout3.py"
NAMES = page_names(CORPUS)
# Known misses, each with its cause; strict, so a fix turns them into failures
# to be removed from this list.
KNOWN_MISSES = {
    # An absolutely-positioned Tilda button after the byline: lxml moves the
    # button's <table> out of its <a>, leaving a text block after the byline
    # (so the byline is not last) and an empty link (no attachment text).
    ("tilda_04", "author"), ("tilda_04", "author_line"), ("tilda_04", "body"),
    ("tilda_04", "attachments"),
}
CASES = [pytest.param(name, f, id=f"{name}-{f}", marks=pytest.mark.xfail(
    strict=True, reason="known miss, see KNOWN_MISSES")) if (name, f) in KNOWN_MISSES
    else pytest.param(name, f, id=f"{name}-{f}") for name in NAMES for f in FIELDS]


@lru_cache(maxsize=None)
def extracted(name: str):
    from scraper.extract import extract_article

    page = load_page(name, CORPUS)
    return page, extract_article(page.html, page.url)


def test_holdout3_has_30_pages_in_5_templates() -> None:
    assert len(NAMES) == 30
    assert {n.rsplit("_", 1)[0] for n in NAMES} == {"blogger", "sharepoint", "tilda", "forum", "gallery"}


@pytest.mark.parametrize("name,field", CASES)
def test_holdout3_field(name: str, field: str) -> None:
    page, article = extracted(name)
    if score_page(page.expected, article)[field]:
        return
    expected, got = explain_miss(field, page.expected, article)
    why = " [extract_article returned None]" if article is None else ""
    pytest.fail(f"{name} {field}{why}\n  expected: {expected!r}\n  got:      {got!r}")


def test_holdout3_matches_builder(tmp_path: Path) -> None:
    """The committed pages and labels are exactly what build_holdout3.py writes."""
    spec = importlib.util.spec_from_file_location("build_holdout3", BUILDER)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    written = mod.build(tmp_path)
    assert sorted(written) == NAMES
    for name in written:
        for ext in ("html", "json"):
            assert (tmp_path / f"{name}.{ext}").read_bytes() == (CORPUS / f"{name}.{ext}").read_bytes(), \
                f"{name}.{ext} is not what the builder writes: rerun tests/fixtures/build_holdout3.py"
