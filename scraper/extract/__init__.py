"""Pure extraction: HTML + URL in, typed fields out. No network, no clock.

`read_page` parses a page once and says what it is (article, static page,
listing, not-found) with the article's fields and the page's links;
`extract_article` is the shortcut for callers that only want the fields.

The package, in the order a page goes through it:

    page.py       parse once: tree, text blocks, structured data, chrome
    title.py      the headline (structured title, headings), description, category
    datelines.py  dateline candidates and structured dates
    anchors.py    title and dateline, each anchoring the other
    body.py       body container, lead, body blocks, where the body ends
    author.py     the byline after the body, in the meta line or in data
    bylines.py    reading one byline: name, role, source
    media.py      images with captions, attachments
    declared.py   what a page declares, when its markup shows no article:
                  a body given as structured data, a post that is a list of links
    pagekind.py   article / page / listing / not-found, links, fingerprint
    tuning.py     every numeric threshold, with its reason
    text.py       clean() and fold()
"""
from __future__ import annotations

from ..items import Article
from .page import parse
from .declared import claims_article
from .pagekind import (Link, Page, fingerprint, is_error_page, is_notfound, listing_title, page_links,
                       read_article)
from .text import clean

__all__ = ["Page", "Link", "read_page", "extract_article", "parse"]


def read_page(html: str | bytes, url: str) -> Page:
    doc = parse(html, url)
    # Links are judged on the page as parsed, before any headline is protected.
    links = page_links(doc)
    digest = fingerprint(doc, links)
    if is_notfound(doc, url):
        title_text = clean(doc.meta.get("<title>") or "")
        return Page(url, "notfound", None, links, doc.canonical, title_text, digest)
    article, doc = read_article(doc)
    if is_error_page(doc, article):
        return Page(url, "notfound", None, links, doc.canonical, article.title if article else None,
                    digest)
    if article is not None:
        return Page(url, article.kind, article, links, doc.canonical, article.title, digest)
    return Page(url, "listing", None, links, doc.canonical, listing_title(doc), digest,
                claims_article=claims_article(doc))


def extract_article(html: str | bytes, url: str) -> Article | None:
    """The article on the page, or None when the page holds none (links and
    fingerprint, which only navigation needs, are not computed)."""
    doc = parse(html, url)
    if is_notfound(doc, url):
        return None
    return read_article(doc)[0]
