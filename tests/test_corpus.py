"""Golden-page tests: extract_article on every corpus page, field by field.

One test per (page, field), id `<page>-<field>` (e.g. `vendor_a_03-author`),
scored by tests.evaluate.score_page so the test and the accuracy report
agree. Select one template with `-k vendor_b_` or one field with `-k author`.

The corpus itself is checked too: it must match what
tests/fixtures/build_corpus.py generates, and stay large and varied enough.
"""
from __future__ import annotations

import importlib.util
import json
import sys
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest

from tests.evaluate import DEFAULT_CORPUS, FIELDS, explain_miss, load_page, page_names, score_page

CORPUS = DEFAULT_CORPUS
PAGES = page_names(CORPUS)


@lru_cache(maxsize=None)
def _extracted(name: str):
    from scraper.extract import extract_article

    page = load_page(name, CORPUS)
    return page, extract_article(page.text, page.url)  # decoded as the crawl decodes


@pytest.mark.parametrize(
    "name,field", [(n, f) for n in PAGES for f in FIELDS], ids=[f"{n}-{f}" for n in PAGES for f in FIELDS]
)
def test_golden_field(name: str, field: str) -> None:
    page, article = _extracted(name)
    if not score_page(page.expected, article)[field]:
        expected, got = explain_miss(field, page.expected, article)
        why = " (extract_article returned None)" if article is None else ""
        pytest.fail(f"{name} {field}{why}\n  expected: {expected!r}\n  got:      {got!r}")


# --------------------------------------------------------------------------
# The corpus itself
# --------------------------------------------------------------------------


def _load_builder():
    path = Path(__file__).parent / "fixtures" / "build_corpus.py"
    spec = importlib.util.spec_from_file_location("build_corpus", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def test_corpus_matches_builder(tmp_path: Path) -> None:
    """The committed pages are exactly what build_corpus.py generates."""
    names = _load_builder().build(tmp_path)
    assert sorted(names) == PAGES
    for name in names:
        for ext in ("html", "json"):
            fresh = (tmp_path / f"{name}.{ext}").read_bytes()
            assert fresh == (CORPUS / f"{name}.{ext}").read_bytes(), f"{name}.{ext} is stale: rebuild the corpus"


def test_corpus_is_large_and_varied() -> None:
    labels = [json.loads((CORPUS / f"{n}.json").read_text(encoding="utf-8")) for n in PAGES]
    per_template = Counter(e["template"] for e in labels)
    assert len(per_template) >= 6
    assert len(labels) >= 60
    assert min(per_template.values()) >= 8
    assert {e["published_precision"] for e in labels} == {"second", "minute", "day", None}
    assert any(e["source"] for e in labels) and any(e["author_line"] is None for e in labels)
    assert any(len(e["images"]) >= 3 for e in labels) and any(not e["images"] for e in labels)
    assert any(e["attachments"] for e in labels)


def test_labels_follow_conventions() -> None:
    keys = ["url", "template", "title", "published_at", "published_precision", "author", "author_line", "source",
            "body_first", "body_last", "body_excludes", "images", "attachments"]
    for name in PAGES:
        e = json.loads((CORPUS / f"{name}.json").read_text(encoding="utf-8"))
        assert list(e) == keys, name
        assert name.startswith(e["template"] + "_"), name
        assert e["url"].startswith("https://congdoanbackan.org.vn/") and e["url"].endswith(".html"), name
        if e["published_precision"] == "day":
            assert e["published_at"].endswith("T00:00:00+07:00"), name
        assert (e["published_at"] is None) == (e["published_precision"] is None), name
        if e["source"]:
            assert e["author"] is None and e["source"] in e["author_line"], name
        for im in e["images"]:
            assert im["url"].isascii() and " " not in im["url"], name
