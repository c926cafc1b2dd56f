"""Real pages from the wild, labelled by someone else: loading and scoring.

The corpus is trafilatura's evaluation set (Apache-2.0): `evaldata.json`
maps each page's URL to its file name and its labels (title, author, date,
"with" snippets that belong to the main text, "without" snippets that do
not); the pages are in `eval/` (most) or `cache/` (a few) beside it.

`load(path)` reads it from any of:
  - a folder holding evaldata.json and eval/ (trafilatura's tests/ folder, or
    tests/fixtures/real, the committed subset in the same layout);
  - a clone of trafilatura's repository (its tests/ folder is used);
  - a bare git directory of that repository (what the library's fetch gives),
    read with `git cat-file` without checking anything out.

Scoring, the same for every extractor (shared by bench/bench_real.py and
tests/test_real_pages.py):
  - recognised: the page gives an article or an undated page, not a listing;
  - title, author: equal after normalising case and whitespace (authors as a
    set of names, whatever the separator);
  - date: the publication day equals the label;
  - body: every "with" snippet present and every "without" snippet absent;
    snippet counts also give trafilatura's own precision/recall/F1.
A label left empty is not scored (the page has no date, or no author).
"""
from __future__ import annotations

import json
import re
import subprocess
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FIELDS = ("recognised", "title", "author", "date", "body")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff\u00ad"), None)
_AUTHOR_SPLIT = re.compile(r"\s*(?:;|,|&|\band\b|\bund\b|\bet\b|\by\b)\s*", re.I)


class CorpusMissing(Exception):
    """The path holds no evaldata.json (nor a repository that has one)."""


@dataclass(frozen=True)
class RealPage:
    url: str
    file: str
    html: bytes
    labels: dict[str, Any]

    @property
    def labelled_article(self) -> bool:
        """A page with a labelled title and publication day: a news item or
        a blog post, which a crawl must archive as an article."""
        return bool(self.labels.get("title")) and bool(self.labels.get("date"))


@dataclass
class Extracted:
    """One extractor's reading of a page, in the shape scoring needs."""
    recognised: bool
    title: str | None = None
    author: str | None = None
    date: str | None = None  # YYYY-MM-DD
    text: str | None = None
    kind: str | None = None


@dataclass
class Score:
    fields: dict[str, bool | None] = field(default_factory=dict)  # None: not scored
    snippets: tuple[int, int, int, int] = (0, 0, 0, 0)  # tp, fn, fp, tn


def norm(text: str | list | None) -> str:
    if not text:
        return ""
    if isinstance(text, list):  # a few labels list several authors
        text = "; ".join(text)
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE).replace("\xa0", " ")
    return " ".join(text.split())


def _authors(text: str | None) -> frozenset[str]:
    return frozenset(a.casefold() for a in _AUTHOR_SPLIT.split(norm(text)) if a.strip())


def score(page: RealPage, got: Extracted) -> Score:
    labels = page.labels
    text = norm(got.text)
    tp = sum(norm(s) in text for s in labels["with"] if norm(s))
    fn = sum(1 for s in labels["with"] if norm(s)) - tp
    fp = sum(norm(s) in text for s in labels["without"] if norm(s))
    tn = sum(1 for s in labels["without"] if norm(s)) - fp
    fields: dict[str, bool | None] = {
        "recognised": got.recognised,
        "title": (norm(got.title).casefold() == norm(labels["title"]).casefold()
                  if labels.get("title") else None),
        "author": _authors(got.author) == _authors(labels["author"]) if labels.get("author") else None,
        "date": got.date == labels["date"][:10] if labels.get("date") else None,
        "body": bool(text) and fn == 0 and fp == 0,
    }
    return Score(fields, (tp, fn, fp, tn))


# ---------------------------------------------------------------- loading

def _git(gitdir: Path, *args: str, data: bytes | None = None) -> bytes:
    return subprocess.run(["git", f"--git-dir={gitdir}", *args], input=data,
                          capture_output=True, check=True).stdout


def _from_git(gitdir: Path) -> tuple[dict, dict[str, bytes], str]:
    commit = _git(gitdir, "rev-parse", "HEAD").decode().strip()
    labels = json.loads(_git(gitdir, "show", f"{commit}:tests/evaldata.json"))
    wanted = []
    for folder in ("eval", "cache"):
        wanted += [f"tests/{folder}/{v['file']}" for v in labels.values()]
    names = set(_git(gitdir, "ls-tree", "-r", "--name-only", commit, "tests/").decode().splitlines())
    wanted = [w for w in dict.fromkeys(wanted) if w in names]
    out = _git(gitdir, "cat-file", "--batch",
               data="".join(f"{commit}:{w}\n" for w in wanted).encode())
    files: dict[str, bytes] = {}
    pos = 0
    for name in wanted:
        header_end = out.index(b"\n", pos)
        size = int(out[pos:header_end].split()[2])
        files.setdefault(name.split("/", 2)[2], out[header_end + 1:header_end + 1 + size])
        pos = header_end + 1 + size + 1
    return labels, files, f"{gitdir} at {commit[:12]}"


def _from_folder(folder: Path) -> tuple[dict, dict[str, bytes], str]:
    labels = json.loads((folder / "evaldata.json").read_text(encoding="utf-8"))
    files = {}
    for v in labels.values():
        for sub in ("eval", "cache"):
            p = folder / sub / v["file"]
            if p.is_file():
                files[v["file"]] = p.read_bytes()
                break
    return labels, files, str(folder)


def load(path: Path) -> tuple[list[RealPage], int, str]:
    """The pages found under `path`, how many labelled pages have no file, and
    where they came from. Raises CorpusMissing when there is no corpus there."""
    path = Path(path)
    if (path / "evaldata.json").is_file():
        labels, files, where = _from_folder(path)
    elif (path / "tests" / "evaldata.json").is_file():
        labels, files, where = _from_folder(path / "tests")
    elif (path / "HEAD").is_file() and (path / "objects").is_dir():
        try:
            labels, files, where = _from_git(path)
        except subprocess.CalledProcessError as exc:
            raise CorpusMissing(f"{path}: git could not read tests/evaldata.json "
                                f"({exc.stderr.decode(errors='replace').strip()})") from exc
    else:
        raise CorpusMissing(f"{path}: no evaldata.json, tests/evaldata.json or git repository there")
    pages = [RealPage(url, v["file"], files[v["file"]], v)
             for url, v in labels.items() if v["file"] in files]
    return pages, len(labels) - len(pages), where


# ------------------------------------------------------------ extractors

def ours(html: bytes, url: str) -> Extracted:
    from scraper.extract import read_page

    page = read_page(html, url)
    art = page.article
    if art is None:
        return Extracted(False, kind=page.kind)
    # The day as the page prints it (published_at keeps the page's own UTC
    # offset; published_date is the day in Vietnam, the archive's local day).
    day = art.published_at[:10] if art.published_at else art.published_date
    return Extracted(True, art.title, art.author, day, art.body_text, page.kind)


def trafilatura_reader():
    import trafilatura

    def read(html: bytes, url: str) -> Extracted:
        doc = trafilatura.bare_extraction(html, url=url, with_metadata=True)
        if doc is None:
            return Extracted(False)
        get = (lambda k: doc.get(k)) if isinstance(doc, dict) else (lambda k: getattr(doc, k, None))
        date = get("date")
        return Extracted(bool(get("text")), get("title"), get("author"),
                         date[:10] if date else None, get("text"))
    return read


def ours_with_fallback(trafilatura_read):
    """What trafilatura as a fallback would buy, measured, not shipped: ours,
    and trafilatura's text (and whatever field ours left empty) on the pages
    where ours finds no dated article (an undated page, or a listing). On the
    target site's articles (Vietnamese datelines) it would never run."""
    def read(html: bytes, url: str) -> Extracted:
        got = ours(html, url)
        if got.recognised and got.kind == "article" and got.date:
            return got
        other = trafilatura_read(html, url)
        if not other.recognised:
            return got
        return Extracted(True, got.title or other.title, got.author or other.author,
                         got.date or other.date, other.text, got.kind if got.recognised else "fallback")
    return read
