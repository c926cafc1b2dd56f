"""What a page declares itself to be, for pages whose visible markup yields no article.

Both readers here run only after the anchored reading and the reading from
the top have found no article (`pagekind.read_article`), so they never
change a page that is read today. Each takes the page's word only where its
markup confirms it:

- `structured_body`: the text a JSON-LD item about this page carries:
  schema.org `articleBody` (an Article, a BlogPosting, a forum post), or a
  HowTo's or a Recipe's description and steps. A page drawn by scripts (its
  text in a React component's props) prints it nowhere else. The item must be
  about this page: its URL is the page's, or its headline is the page's title.
- `link_post`: a declared post (og:type article, an Article in JSON-LD) whose
  title and printed date sit in the page's one `<article>` element, and whose
  links there point mostly to other sites: a link roll, say, which the listing
  checks rightly refuse on a page of links, is read with its links. A listing
  has one `<article>` per teaser, or links to the site's own pages.
"""
from __future__ import annotations

import html
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..urls import host_of
from .anchors import Anchors
from .body import is_stop
from .page import Block, PageDoc, parse
from .text import clean, fold
from .title import same_folded, title_variants
from .tuning import EXTERNAL_LINK_SHARE

# What a page says it is: og:type, or a JSON-LD item of one of these types.
ARTICLE_TYPES = ("NewsArticle", "Article", "BlogPosting", "ReportageNewsArticle")
_ARTICLE_TYPE_SET = frozenset(ARTICLE_TYPES)
# JSON-LD types whose text is a description and steps, not an articleBody.
STEPPED_TYPES = frozenset(("HowTo", "Recipe"))
# Structured text that is markup ("<p>…</p>"), not plain text with line breaks.
MARKUP = re.compile(r"<(p|br|div|h[1-6]|ul|ol|li|blockquote|strong|b|em|i|a|span)\b[^>]*>", re.I)
PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
LINE_BREAK = re.compile(r"\n")


def claims_article(doc: PageDoc) -> bool:
    """The page says it is an article: og:type, or a JSON-LD item's @type."""
    if (doc.meta.get("og:type") or "").lower() == "article":
        return True
    return any(_types(item) & _ARTICLE_TYPE_SET for item in doc.jsonld)  # "@type" may be a list


# ------------------------------------------------------------ structured body

@dataclass(frozen=True)
class StructuredBody:
    title: str | None  # the item's headline or name
    doc: PageDoc  # its text, parsed as a page of its own (blocks, markup)


def _types(item: dict) -> set[str]:
    value = item.get("@type")
    return {str(t) for t in (value if isinstance(value, list) else [value])}


def _url_key(url) -> tuple[str, str, str] | None:
    """A URL compared as a page's address: scheme, "www.", fragment and a
    trailing slash do not count."""
    if isinstance(url, dict):
        url = url.get("@id") or url.get("url")
    if not isinstance(url, str) or not url.strip():
        return None
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").removeprefix("www.")
    except ValueError:  # a malformed URL in the data names no page
        return None
    return (host, parts.path.rstrip("/"), parts.query) if host else None


def _about_page(item: dict, doc: PageDoc) -> bool:
    """The item describes this page: its URL is the page's (or its canonical
    URL), or its headline is the page's title (og:title, <title>, their parts)."""
    page = {_url_key(doc.url), _url_key(doc.canonical)} - {None}
    if any(_url_key(item.get(key)) in page for key in ("mainEntityOfPage", "url", "@id")):
        return True
    name = item.get("headline") or item.get("name")
    if not isinstance(name, str) or not clean(name):
        return False
    titles = [doc.meta.get(k) for k in ("og:title", "twitter:title", "<title>")]
    return any(same_folded(fold(name), fold(v)) for t in titles if t for v in title_variants(clean(t)))


def _steps(value) -> list[str]:
    """The texts of a HowTo's steps or a Recipe's instructions: strings, or
    HowToStep/HowToDirection items with a text, or sections listing more."""
    texts: list[str] = []
    for entry in value if isinstance(value, list) else [value]:
        if isinstance(entry, str):
            texts.append(entry)
        elif isinstance(entry, dict):
            if isinstance(entry.get("text"), str):
                texts.append(entry["text"])
            for key in ("itemListElement", "step"):
                if key in entry:
                    texts += _steps(entry[key])
    return texts


def _texts(item: dict) -> list[str]:
    """The item's body, as the pieces the data gives it in."""
    if isinstance(item.get("articleBody"), str):
        return [item["articleBody"]]
    if not _types(item) & STEPPED_TYPES:
        return []
    texts = [item["description"]] if isinstance(item.get("description"), str) else []
    ingredients = item.get("recipeIngredient")
    if isinstance(ingredients, list):
        texts.append("<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in ingredients
                                      if isinstance(i, str)) + "</ul>")
    return texts + _steps(item.get("step") or item.get("recipeInstructions") or [])


def _as_markup(text: str) -> str:
    """Markup as it is; plain text as paragraphs (a blank line, or in text
    without blank lines a line break, ends one)."""
    if MARKUP.search(text):
        return text
    breaks = PARAGRAPH_BREAK if PARAGRAPH_BREAK.search(text) else LINE_BREAK
    return "".join(f"<p>{html.escape(p)}</p>" for p in breaks.split(text) if p.strip())


def structured_body(doc: PageDoc) -> StructuredBody | None:
    """The body the page's JSON-LD gives for this page (the longest, when the
    data repeats it), parsed as a page of its own; None when there is none."""
    best: tuple[int, dict, list[str]] | None = None
    for item in doc.jsonld:
        texts = [t for t in _texts(item) if t.strip()]
        size = sum(map(len, texts))
        if texts and (best is None or size > best[0]) and _about_page(item, doc):
            best = (size, item, texts)
    if best is None:
        return None
    _, item, texts = best
    body = parse("<html><body>" + "".join(map(_as_markup, texts)) + "</body></html>", doc.url)
    if not body.blocks:
        return None
    title = item.get("headline") or item.get("name")
    return StructuredBody(clean(title) if isinstance(title, str) else None, body)


# ------------------------------------------------------------------ link post

@dataclass(frozen=True)
class LinkPost:
    container: object  # the element holding the post's list (its blocks' nearest common ancestor)
    start: float  # where the post's content starts: after its title and printed date
    blocks: list[Block]


def _block_at(doc: PageDoc, pos: float) -> Block | None:
    i = bisect_left(doc.block_pos, pos)
    return doc.blocks[i] if i < len(doc.blocks) and doc.block_pos[i] == pos else None


def _host(url: str | None) -> str:
    try:
        return host_of(url) if url else ""
    except ValueError:  # a malformed href ("http://[x") names no site
        return ""


def _common_ancestor(doc: PageDoc, blocks: list[Block]):
    first, last = blocks[0].el, blocks[-1].el
    for el in (first, *first.iterancestors()):
        if doc.order[el] <= doc.order[last] <= doc.last_order(el):
            return el
    return first


def _inside(doc: PageDoc, el, pos: float) -> bool:
    return doc.order[el] <= pos <= doc.last_order(el) + 0.5


def _printed_date(doc: PageDoc, post, anchors: Anchors, title: Block) -> Block | None:
    """The line that prints the post's date under its title, inside the post:
    the dateline, or the line holding a <time> element."""
    if anchors.date_pos is not None and anchors.date_pos > title.pos and _inside(doc, post, anchors.date_pos):
        return _block_at(doc, anchors.date_pos)
    for t in post.iter("time"):
        if doc.order[t] > title.pos and not doc.is_chrome(t, stop=post):
            # The block whose text runs over the <time>: the last to start before it.
            return doc.blocks[bisect_right(doc.block_pos, doc.order[t] + 0.5) - 1]
    return None


def link_post(doc: PageDoc, anchors: Anchors) -> LinkPost | None:
    """The content of a declared, dated post whose links point mostly to
    other sites (see the module's docstring), or None. The caller has checked
    that the page claims to be an article and has a date."""
    title = _block_at(doc, anchors.title_pos) if anchors.title_pos is not None else None
    if title is None:
        return None
    post = next((el for el in (title.el, *title.el.iterancestors()) if el.tag == "article"), None)
    if post is None or any(a is not post and not doc.is_chrome(a) for a in doc.root.iter("article")):
        return None  # no post element, or a page of several posts (teasers)
    date_line = _printed_date(doc, post, anchors, title)
    if date_line is None:
        return None
    start = max(title.pos, date_line.pos)
    end = doc.last_order(post)
    blocks = []
    for block in doc.blocks[bisect_right(doc.block_pos, start):bisect_right(doc.block_pos, end + 0.5)]:
        if doc.is_chrome(block.el, stop=post):
            continue
        if is_stop(block):
            break  # comments, a related list, a share bar's heading
        blocks.append(block)
    if not blocks:
        return None
    container = _common_ancestor(doc, blocks)
    # Links to other sites: what the post cites. A listing links to the site's own pages.
    own = {_host(doc.url), _host(doc.canonical)} - {""}
    outside = inside = 0
    last = doc.last_order(blocks[-1].el)
    for a in container.iter("a"):
        if not start < doc.order[a] <= last or doc.is_chrome(a, stop=post):
            continue
        host = _host(doc.resolve(a.get("href")))
        if not host:
            continue  # "#", "javascript:": a button, no link to a site
        chars = len(clean(a.text_content()))
        if host in own:
            inside += chars
        else:
            outside += chars
    if not outside or outside < EXTERNAL_LINK_SHARE * (outside + inside):
        return None
    return LinkPost(container, start, blocks)
