"""Pure extraction: HTML + URL in, typed fields out. No network, no clock.

`read_page` parses a page once and says what it is (article, static page,
listing, not-found) with the article's fields and the page's links;
`extract_article` is the shortcut for callers that only want the fields.
"""
from __future__ import annotations

import hashlib
import re
from bisect import bisect_right
from dataclasses import dataclass, field

from ..items import Article
from . import fields as F
from .bylines import parse_byline
from .page import PageDoc, parse
from .text import clean

__all__ = ["Page", "Link", "read_page", "extract_article", "parse"]

# "404" alone, not inside a document number ("Công văn 1404/LĐLĐ", "404/QĐ").
NOTFOUND_RE = re.compile(r"không tìm thấy|khong tim thay|not found|(?<![\w/])404(?![\w/])|trang không tồn tại|bài viết không tồn tại", re.I)
# A path segment that is exactly "404"/"notfound", not a slug that starts with it.
NOTFOUND_URL = re.compile(r"/(?:notfound|404)(?=[/?#.]|$)", re.I)
MIN_ARTICLE_CHARS = 120
MIN_NOTICE_CHARS = 20  # a dated notice: one sentence and a file
MIN_PAGE_CHARS = 200


@dataclass
class Link:
    url: str
    text: str
    in_chrome: bool


@dataclass
class Page:
    url: str
    kind: str  # article | page | listing | notfound | empty
    article: Article | None
    links: list[Link] = field(default_factory=list)
    canonical_url: str | None = None
    title: str | None = None
    fingerprint: str = ""  # repeats reveal endless chains / repeated pages
    claims_article: bool = False  # the page says it is an article (og:type, JSON-LD)


def read_page(html: str | bytes, url: str) -> Page:
    doc = parse(html, url)
    links = page_links(doc)
    fingerprint = _fingerprint(doc, links)
    if _is_notfound(doc, url):
        title_text = clean(doc.meta.get("<title>") or "")
        return Page(url, "notfound", None, links, doc.canonical, title_text, fingerprint)
    article = _article(doc)
    if _is_error_page(doc, article):
        return Page(url, "notfound", None, links, doc.canonical, article.title if article else None,
                    fingerprint)
    if article is not None:
        return Page(url, article.kind, article, links, doc.canonical, article.title, fingerprint)
    return Page(url, "listing", None, links, doc.canonical, _listing_title(doc), fingerprint,
                claims_article=_claims_article(doc))


ERROR_TEXT = re.compile(NOTFOUND_RE.pattern + r"|đã bị xóa|đang bảo trì|bảo trì hệ thống|"
                        r"tạm ngừng hoạt động|under maintenance", re.I)


def _is_error_page(doc: PageDoc, article: Article | None) -> bool:
    """A "deleted article" or maintenance page inside the site's normal chrome:
    an undated page (or none at all) whose few words say so."""
    if article is not None:
        if article.kind != "page" or len(article.body_text or "") >= 400:
            return False
        return bool(ERROR_TEXT.search(f"{article.title} {article.body_text}"))
    body = doc.root.find("body")
    text = clean(body.text_content()) if body is not None else ""
    headings = " ".join(clean(h.text_content()) for h in doc.root.iter("h1", "h2", "h3"))
    return bool(ERROR_TEXT.search(headings)) or (len(text) < 600 and bool(ERROR_TEXT.search(text)))


def extract_article(html: str | bytes, url: str) -> Article | None:
    """The article on the page, or None when the page holds none (links and
    fingerprint, which only navigation needs, are not computed)."""
    doc = parse(html, url)
    if _is_notfound(doc, url):
        return None
    return _article(doc)


def _is_notfound(doc: PageDoc, url: str) -> bool:
    title_text = clean(doc.meta.get("<title>") or "")
    return bool(NOTFOUND_URL.search(url) or NOTFOUND_RE.search(title_text))


def _article(doc: PageDoc) -> Article | None:
    anchors = F.find_anchors(doc)
    date_pos = anchors.date_pos if anchors.date_near else None
    start = max(p for p in (anchors.title_pos, date_pos, -1) if p is not None)
    container = F.find_body_container(doc, start)
    if container is None:
        return None
    container = F.widen_container(doc, F.continue_table(doc, container), start)
    lead = F.lead_blocks(doc, container, start)
    blocks = lead + F.body_blocks(doc, container, start)
    # Drop the title/dateline if they sit inside the container after `start`.
    # (A short info box whose lines include the dateline goes with it.)
    blocks = [b for b in blocks if b.text != anchors.title and b.text != anchors.dateline
              and not (anchors.dateline and len(b.text) < 300
                       and anchors.dateline in b.text.split("\n"))]
    blocks, author_line = F.split_byline(doc, blocks, container)
    if author_line is None:
        author_line = F.meta_byline(doc, anchors.title_pos, container)
    end = _end_pos(doc, container, blocks)
    text_chars = sum(len(b.text) for b in blocks)
    link_chars = sum(b.link_chars for b in blocks)
    if not blocks or link_chars > 0.4 * text_chars:
        return None
    if _is_headline_list(doc, container, start, end, text_chars, strict=has_date_anchor(anchors)):
        return None
    if _dated_teasers(doc, container, start, end) >= 3:
        return None  # dated teasers, one after another: a listing, not one article
    has_date = anchors.date is not None
    og_type = (doc.meta.get("og:type") or "").lower()
    if not anchors.title or text_chars < (MIN_NOTICE_CHARS if has_date else MIN_PAGE_CHARS):
        return None
    image_elements: list = []
    images = F.extract_images(doc, container, blocks, start, end, image_elements)
    # Files may be listed from the title on (a metadata table) down to the
    # related-articles block, lone links included.
    attachments = F.extract_attachments(doc, container, anchors.title_pos or start,
                                        _stop_pos(doc, container, start))
    if text_chars < MIN_ARTICLE_CHARS and not (images or attachments or og_type == "article"):
        # A short dated page counts when it carries what a notice or a photo
        # item carries (a file, a picture) or says it is an article.
        return None
    author, source = parse_byline(author_line)
    if author is None and source is None:
        # Last in the chain: a name given only in structured data (not printed,
        # so author_line stays empty).
        author = F.structured_author(doc)
    date = anchors.date
    return Article(
        url=doc.canonical or doc.url,
        title=anchors.title,
        published_at=date.published_at if date else None,
        published_date=date.published_date if date else None,
        published_precision=date.precision if date else None,
        dateline=anchors.dateline,
        author=author,
        author_line=author_line,
        source=source,
        body_text="\n\n".join(b.text for b in blocks),
        body_html=F.body_html(container, blocks, image_elements, lead),
        description=F.extract_description(doc),
        category=F.extract_category(doc),
        kind="article" if has_date or og_type == "article" else "page",
        images=images,
        attachments=attachments,
    )


MIN_HEADLINES = 5
HEADLINE_SHARE = 0.25


def _dated_teasers(doc: PageDoc, container, start, end) -> int:
    """Dates printed right under a headline link, inside the body region."""
    inside = set(container.iter())
    index = {id(b): i for i, b in enumerate(doc.blocks)}
    count = 0
    for block, _ in F.dateline_candidates(doc):
        if not (start < block.pos <= end and block.el in inside):
            continue
        i = index.get(id(block))
        before = doc.blocks[i - 1] if i else None
        if before is not None and before.link_chars >= 20 and before.link_chars >= 0.6 * len(before.text):
            count += 1
    return count


def has_date_anchor(anchors) -> bool:
    return anchors.date is not None


def _is_headline_list(doc: PageDoc, container, start, end, text_chars: int,
                      strict: bool = True) -> bool:
    """A listing: several headline-length links to other pages make up a fair
    share of the text (item descriptions keep plain link density low)."""
    headlines = set()
    chars = 0
    for a in container.iter("a"):
        pos = doc.order.get(a, 0)
        text = clean(a.text_content())
        if start < pos <= end and len(text) >= 20 and not doc.is_chrome(a, stop=container):
            headlines.add(a.get("href"))
            chars += len(text)
    if strict:
        return len(headlines) >= MIN_HEADLINES and chars >= HEADLINE_SHARE * text_chars
    # An undated page needs fewer headline links to be a list: three
    # "<a>Title</a> (date) summary" items are a short listing, not a page.
    return len(headlines) >= 3 and chars >= 0.2 * text_chars


def _stop_pos(doc: PageDoc, container, start) -> float:
    inside = set(container.iter())
    for block in doc.blocks:
        if block.pos > start and block.el in inside and F.is_stop(block):
            return block.pos
    return doc.last_order(container)


def _end_pos(doc: PageDoc, container, blocks) -> int:
    """Images and attachments count up to where the kept body stops."""
    if not blocks:
        return -1
    kept = {b.pos for b in blocks}
    after = doc.block_pos[bisect_right(doc.block_pos, blocks[-1].pos):]
    stop = next((p for p in after if p not in kept), None)
    last_in_container = doc.last_order(container)
    if stop is not None:
        # Everything up to the next text block that was not kept (a related
        # list, the byline) still belongs to the body.
        return min(stop - 1, last_in_container)
    return last_in_container


def _claims_article(doc: PageDoc) -> bool:
    if (doc.meta.get("og:type") or "").lower() == "article":
        return True
    return any(str(item.get("@type")) in ("NewsArticle", "Article", "BlogPosting", "ReportageNewsArticle")
               for item in doc.jsonld)


def _listing_title(doc: PageDoc) -> str | None:
    for el in doc.root.iter("h1", "h2"):
        text = clean(el.text_content())
        if text and not doc.is_chrome(el):
            return text
    title = F.structured_title(doc)
    return F.SITE_SUFFIX.sub("", title) if title else None


def page_links(doc: PageDoc) -> list[Link]:
    links = []
    for a in doc.root.iter("a", "area"):
        url = doc.resolve(a.get("href"))
        if url:
            links.append(Link(url, clean(a.text_content()), doc.is_chrome(a)))
    return links


def _fingerprint(doc: PageDoc, links: list[Link]) -> str:
    """Digits removed, so "week 10" and "week 9" of a calendar, or page 7 and
    page 8 that both show the last listing page, look the same."""
    body = doc.root.find("body")
    text = (body.text_content() if body is not None else "").lower()
    hrefs = sorted({re.sub(r"\d+", "#", l.url) for l in links})
    digest = hashlib.sha1(re.sub(r"\d+", "#", text).encode())
    digest.update("\n".join(hrefs).encode())
    return digest.hexdigest()
