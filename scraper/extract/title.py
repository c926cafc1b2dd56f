"""What the page calls itself: the headline, its description and category.

`find_headline` runs on the page as parsed and says which block is the
headline: the heading that matches the structured title (JSON-LD, og:title,
<title> and its parts), else a site selector's element. When the headline
sits inside a wrapper classed like chrome it names that element, and the
caller reads the rest of the page with it protected (`PageDoc.protecting`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from .page import HEADING_TAGS, Block, PageDoc
from .select import by_classes, elements
from .text import clean, fold
from .tuning import TITLE_MAX, TITLE_MIN, TITLE_PREFIX_SHARE

# Site selectors: a first try only; class names on the real site are unknown.
# In this order: each class name, as
# //*[contains(concat(' ', normalize-space(@class), ' '), ' <name> ')], then
# //h1[contains(@class, 'title')] (matched in Python: `_selected`).
TITLE_CLASSES = ("title-detail", "detail-title", "news-title")
SITE_SUFFIX = re.compile(r"\s*[-|–—:]\s*(liên đoàn lao động|ldld|congdoanbackan|công đoàn).*$", re.I)
# The site's own name, which <title> and og:title wrap around the headline.
SITE_NAME = re.compile(r"(liên đoàn lao động|công đoàn|ldld|lđlđ)( tỉnh)?( bắc kạn)?|congdoanbackan(\.org\.vn)?|"
                       r"cong doan bac kan|trang chủ", re.I)
TITLE_SEPARATORS = re.compile(r"\s*(?:\|+|::+\.?|\.::+|»|«|•|\s[-–—]\s)\s*")
DASHES = re.compile("[\u2010-\u2015\u2212]")
_BOLD = etree.XPath("./b|./strong|./font/b|./span/strong|./font")  # compiled once, not per call
TITLE_CLASS = re.compile(r"title|tieu-?de|headline|heading", re.I)
ARTICLE_TYPES = ("NewsArticle", "Article", "BlogPosting")


@dataclass(frozen=True)
class Headline:
    """The headline as found on the page as parsed."""

    meta_title: str | None  # the structured title, if any
    headings: tuple[Block, ...]  # heading-like blocks outside chrome, in document order
    block: Block | None  # the headline, when one was found
    wrapper: object | None = None  # its element, when its wrapper is classed like chrome


def structured_title(doc: PageDoc) -> str | None:
    for item in doc.jsonld:
        value = item.get("headline") or (item.get("name") if item.get("@type") in ARTICLE_TYPES else None)
        if isinstance(value, str) and clean(value):
            return clean(value)
    for key in ("og:title", "twitter:title", "<title>"):
        if value := clean(doc.meta.get(key)):
            return value
    return None


def heading_like(block: Block) -> bool:
    """A short one-line block set as a heading, classed as a title, or all bold."""
    el = block.el
    if not TITLE_MIN <= len(block.text) <= TITLE_MAX or "\n" in block.text:
        return False
    if el.tag in HEADING_TAGS:
        return True
    cls = (el.get("class") or "") + " " + (el.get("id") or "")
    if TITLE_CLASS.search(cls):
        return True
    # A short block written entirely in bold.
    bold = _BOLD(el)
    if bold and clean(bold[0].text_content()) == block.text and block.link_chars == 0:
        return True
    return False


def title_variants(meta_title: str) -> list[str]:
    """A <title> often wraps the headline in the site's name: try the parts."""
    variants = [SITE_SUFFIX.sub("", meta_title)]
    parts = [p for p in TITLE_SEPARATORS.split(meta_title)
             if len(p) >= TITLE_MIN and not SITE_NAME.fullmatch(p)]
    # The headline is usually the longest part; site and section names are short.
    variants += sorted(parts, key=len, reverse=True)
    return [v for v in variants if v]


def same_folded(fa: str, fb: str) -> bool:
    """Equal, or one a prefix of the other (a site name appended) while
    holding most of it: "Hội nghị" alone is not the title "Hội nghị sơ kết…"."""
    if not fa or not fb:
        return False
    short, long_ = sorted((fa, fb), key=len)
    return long_.startswith(short) and len(short) >= TITLE_PREFIX_SHARE * len(long_)


def _title_key(text: str) -> str:
    """Folded, with every dash as "-": a heading printed "A - B" is the
    structured title "A – B"."""
    return DASHES.sub("-", fold(text))


def _selected(root) -> list[list]:
    """The site selectors' elements, per selector, each in document order."""
    return by_classes(root, TITLE_CLASSES) + [
        [el for el in elements(root, "h1") if "title" in (el.get("class") or "")]]


def _breadcrumb(el) -> bool:
    """//*[contains(@class, 'breadcrumb') or contains(@class, 'Breadcrumb') or
    contains(@class, 'BreadCrumb') or contains(@id, 'breadcrumb') or contains(@class, 'duong-dan')]"""
    cls = el.get("class") or ""
    return ("breadcrumb" in cls or "Breadcrumb" in cls or "BreadCrumb" in cls
            or "breadcrumb" in (el.get("id") or "") or "duong-dan" in cls)


def find_headline(doc: PageDoc) -> Headline:
    """The block that matches the structured title, else a site selector's."""
    meta_title = structured_title(doc)
    headings = [b for b in doc.blocks if heading_like(b) and not doc.is_chrome(b.el)]
    if meta_title:
        short = headings + [b for b in doc.blocks if len(b.text) <= TITLE_MAX]
        keys: dict[str, str] = {}

        def candidates():
            # (title key, block), each key folded only when the search gets
            # to it (the headline is usually among the first) and once.
            for b in short:
                fb = keys.get(b.text)
                if fb is None:
                    fb = keys[b.text] = _title_key(b.text)
                yield fb, b

        variants = [_title_key(w) for w in title_variants(meta_title)]
        for fw in variants:  # most specific first
            block = next((b for fb, b in candidates() if same_folded(fb, fw)
                          and not doc.is_chrome(b.el)), None)
            if block is not None:
                return Headline(meta_title, tuple(headings), block)
        # The headline itself, as a real heading, inside a wrapper classed
        # like chrome: the wrapper is the article's, not the site's.
        block = next((b for fb, b in candidates() if fb == variants[0]
                      and b.el.tag in ("h1", "h2", "h3") and b.link_chars == 0), None)
        if block is not None:
            return Headline(meta_title, tuple(headings), block, wrapper=block.el)
    for hits in _selected(doc.root):
        hits = [el for el in hits if clean(el.text_content())]
        if hits:
            el = hits[0]
            return Headline(meta_title, tuple(headings), Block(el, clean(el.text_content()), doc.order[el], 0))
    return Headline(meta_title, tuple(headings), None)


def extract_category(doc: PageDoc) -> str | None:
    """The last breadcrumb name after "Trang chủ", else the structured section."""
    for el in filter(_breadcrumb, elements(doc.root)):
        names = [clean(a.text_content()) for a in el.iter("a")]
        names = [n for n in names if n and fold(n) not in ("trang chu", "home")]
        if names:
            return names[-1]
    for item in doc.jsonld:
        if isinstance(item.get("articleSection"), str):
            return clean(item["articleSection"]) or None
    return clean(doc.meta.get("article:section")) or None


def extract_description(doc: PageDoc) -> str | None:
    return clean(doc.meta.get("og:description") or doc.meta.get("description")) or None
