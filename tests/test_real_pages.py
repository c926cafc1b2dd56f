"""Real pages from the wild (tests/fixtures/real: a stratified subset of
trafilatura's labelled evaluation set, see its README): read_page on each, one
test per page and field, scored by bench/real_corpus.py as `make bench-real`
scores the full set (ids like `mix1.de-clio.html-title`).

Misses measured when the subset was committed are strict expected failures in
KNOWN_MISSES: a fix turns one into a failure, to be removed from the list; a
page that was right and goes wrong fails. The full set's figures, beside
trafilatura's: `make bench-real`.
"""
from __future__ import annotations

import json
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import pytest

from bench.real_corpus import FIELDS, Extracted, RealPage, load, ours, score

ROOT = Path(__file__).resolve().parent.parent
SUBSET = ROOT / "tests" / "fixtures" / "real"
PAGES = {p.file: p for p in load(SUBSET)[0]}

KNOWN_MISSES: dict[str, set[str]] = {
    'recognised': set(),
    'title': {
        'mix1.de-clio.html',
        'offshore-stiftung.de.offshore-windenergie.html', 'piratenpartei.at.grundeinkommen.html',
    },
    'author': {
        '24horas.cl-segundo.html', 'archive.org-travaillent.html', 'aussengedanken.de.feuerholz.html',
        'chemie.de.spin-off.html', 'd76cf81a74fa4633bd19d7060f5c05ee.html', 'foren.myoos.de.html',
        'freshideen.com-Stollenfest.html', 'hertha-blog.de.dame.html', 'homify.de-Tischdecke.html',
        'idw-online.de-Hybridbatterie.html', 'losandes.com-mendoza.html', 'madymorrsion.com.energy.html',
        'mesopinions.com.mutilation.html', 'mitvergnuegen.de.herbst.html', 'oetv.at-taucher.html',
        'offshore-stiftung.de.offshore-windenergie.html', 'piratenpartei.at.grundeinkommen.html',
        'politico.com.retirement.html', 'reset.org.clickbait.html', 'tell-review.de.heimweh.html',
        'uniqz.de.katzendecke.html',
    },
    'date': {
        'auto-presse.de-minisuv.html', 'digitalcourage.de-Muendigkeit.html',
        'einfachspanien.de.malaga.html', 'erzbstbstum-koeln.de-halskrankheiten.html', 'foren.myoos.de.html',
        'mix1.de-clio.html', 'regards.fr.enquetes.html',
        'regenbogenportal.de-intersex.html', 'thw.de-frauen.html', 'vinosytapas.de.rioja.html',
    },
    'body': {
        'archive.org-travaillent.html', 'blog.wordpress.com.diverse.html',
        'changelog.blog.zwischenbilanz.html', 'chemie.de.spin-off.html',
        'd76cf81a74fa4633bd19d7060f5c05ee.html', 'demokratiewebstatt.at.luft.html',
        'erzbstbstum-koeln.de-halskrankheiten.html', 'fairkom.eu.about.html',
        'larepublica.net-hackers.html', 'madymorrsion.com.energy.html', 'mix1.de-clio.html',
        'thepointsguy.com.alaska.html',
        'viertausendhertz.de.ddg48.html', 'vinosytapas.de.rioja.html', 'wehranlage-horka.de.887.html',
    },
}


@lru_cache(maxsize=None)
def _read(file: str) -> Extracted:
    page = PAGES[file]
    return ours(page.html, page.url)


def _cases():
    for file, page in sorted(PAGES.items()):
        for field in FIELDS:
            if field in ("title", "author", "date") and not page.labels.get(field):
                continue  # not labelled, not scored
            marks = [pytest.mark.xfail(strict=True, reason="known miss")] if file in KNOWN_MISSES[field] else []
            yield pytest.param(file, field, marks=marks, id=f"{file}-{field}")


@pytest.mark.parametrize("file,field", list(_cases()))
def test_real_page(file: str, field: str) -> None:
    page, got = PAGES[file], _read(file)
    result = score(page, got).fields[field]
    labels = {k: page.labels.get(k) for k in ("title", "author", "date")}
    assert result, f"{field}: labels {labels}, got kind={got.kind} title={got.title!r} " \
                   f"author={got.author!r} date={got.date!r} snippets(tp,fn,fp,tn)={score(page, got).snippets}"


def test_subset_is_what_its_readme_says() -> None:
    labels = json.loads((SUBSET / "evaldata.json").read_text(encoding="utf-8"))
    assert len(PAGES) == len(labels) == 59
    assert sum(p.labelled_article for p in PAGES.values()) == 43
    assert sum(len(p.html) for p in PAGES.values()) < 10_000_000
    for field, files in KNOWN_MISSES.items():
        assert field in FIELDS and files <= PAGES.keys(), f"stale KNOWN_MISSES[{field!r}]"


def test_loader_reads_a_bare_git_repository(tmp_path: Path) -> None:
    """The layout the library's fetch leaves: no work tree, read with git."""
    work = tmp_path / "work"
    (work / "tests" / "eval").mkdir(parents=True)
    page = next(iter(PAGES.values()))
    (work / "tests" / "eval" / page.file).write_bytes(page.html)
    (work / "tests" / "evaldata.json").write_text(json.dumps({page.url: page.labels, "http://gone/": {
        "file": "gone.html", "with": [], "without": []}}), encoding="utf-8")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@localhost"]
    subprocess.run([*git, "init", "-q", str(work)], check=True)
    subprocess.run([*git, "-C", str(work), "add", "-A"], check=True)
    subprocess.run([*git, "-C", str(work), "commit", "-q", "-m", "x"], check=True)
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(tmp_path / "bare.git")], check=True)
    pages, missing, where = load(tmp_path / "bare.git")
    assert [p.html for p in pages] == [page.html] and missing == 1 and "bare.git" in where
    assert isinstance(pages[0], RealPage) and pages[0].labels == page.labels


def test_bench_without_corpus_says_how_to_get_it(tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_real.py"), str(tmp_path / "nowhere")],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert "fetch github:adbar/trafilatura" in run.stderr and "BENCH_REAL" in run.stderr
