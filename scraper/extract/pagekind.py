"""What a page is (article, static page, listing, not-found) and its links.

`read_article` composes the field chains in order: headline, anchors, body
container, lead and body blocks, byline, then the checks that turn a would-be
article into a listing (link density, headline lists, dated teasers) or into
nothing (too little text), then images, files and the rest. A page none of
its readings finds an article on is last read from what it declares
(declared.py): a dated post that is a list of links, or a body given only as
structured data.
"""
from __future__ import annotations

import hashlib
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field, replace

from ..items import Article
from .anchors import Anchors, find_anchors
from .author import meta_byline, split_byline, structured_author
from .body import (body_blocks, body_html, continue_table, end_pos, find_body_container, lead_blocks,
                   merge_sections,
                   pre_date_lead, stop_pos, widen_container, without_captions)
from .bylines import parse_byline
from .datelines import dateline_candidates
from .declared import claims_article, link_post, structured_body
from .media import extract_attachments, extract_images
from .page import PageDoc
from .text import clean, hash_digits
from .title import SITE_SUFFIX, extract_category, extract_description, find_headline, structured_title
from .tuning import (ERROR_PAGE_MAX_BODY, ERROR_PAGE_MAX_TEXT, HEADLINE_MIN_CHARS, HEADLINE_SHARE,
                     INFO_BOX_MAX_CHARS, MAX_LINK_DENSITY, MIN_ARTICLE_CHARS, MIN_DATED_TEASERS,
                     MIN_HEADLINES, MIN_NOTICE_CHARS, MIN_PAGE_CHARS, MIN_UNDATED_HEADLINES,
                     LONGER_READING, RUNNING_TEXT_BLOCK_CHARS, RUNNING_TEXT_MIN_CHARS, SHORTER_RUNNING_BLOCK_CHARS,
                     SENTENCE_MIN_CHARS, SHORT_BODY_CHARS, TEASER_LINK_SHARE,
                     UNDATED_HEADLINE_SHARE)

# "404" as an error code: alone, at the head of a title ("404 - Site"), or
# next to an error word. Never a number inside a headline: "Công văn số 404",
# "Bản tin tuần (bản 404)" or a listing of such teasers are content.
NOTFOUND_CODE = (r"^\W*404(?:\W*$|\s*[-–|:])|(?:lỗi|loi|error|http|mã lỗi)\W{0,3}404\b|"
                 r"\b404\W{0,3}(?:not found|error|lỗi|page|trang)")
NOTFOUND_RE = re.compile(r"không tìm thấy|khong tim thay|not found|trang không tồn tại|"
                         r"bài viết không tồn tại|" + NOTFOUND_CODE, re.I)
# A path segment that is exactly "404"/"notfound", not a slug that starts with it.
NOTFOUND_URL = re.compile(r"/(?:notfound|404)(?=[/?#.]|$)", re.I)
# A deleted article or a maintenance notice inside the site's normal chrome.
ERROR_TEXT = re.compile(NOTFOUND_RE.pattern + r"|đã bị xóa|đang bảo trì|bảo trì hệ thống|"
                        r"tạm ngừng hoạt động|under maintenance", re.I)
DIGITS = re.compile(r"\d+")


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


def is_notfound(doc: PageDoc, url: str) -> bool:
    title_text = clean(doc.meta.get("<title>") or "")
    return bool(NOTFOUND_URL.search(url) or NOTFOUND_RE.search(title_text))


def is_error_page(doc: PageDoc, article: Article | None) -> bool:
    """A "deleted article" or maintenance page inside the site's normal chrome:
    an undated page (or none at all) whose few words say so."""
    if article is not None:
        if article.kind != "page" or len(article.body_text or "") >= ERROR_PAGE_MAX_BODY:
            return False
        return bool(ERROR_TEXT.search(f"{article.title} {article.body_text}"))
    body = doc.root.find("body")
    text = clean(body.text_content()) if body is not None else ""
    headings = [clean(h.text_content()) for h in doc.root.iter("h1", "h2", "h3")]
    # ... or a short alert line of its own, outside the chrome ("Bài viết không tồn tại hoặc đã bị xóa!").
    alert = any(b.link_chars == 0 and len(b.text) < ERROR_PAGE_MAX_BODY and ERROR_TEXT.search(b.text)
                and not doc.is_chrome(b.el) for b in doc.blocks)
    return any(ERROR_TEXT.search(h) for h in headings) or alert or (
        len(text) < ERROR_PAGE_MAX_TEXT and bool(ERROR_TEXT.search(text)))


def _dated_teasers(doc: PageDoc, container, start, end) -> int:
    """Dates printed right under a headline link, inside the body region."""
    inside = set(container.iter())
    index = {id(b): i for i, b in enumerate(doc.blocks)}
    count = 0
    for block, _ in dateline_candidates(doc):
        if not (start < block.pos <= end and block.el in inside):
            continue
        i = index.get(id(block))
        before = doc.blocks[i - 1] if i else None
        if (before is not None and before.link_chars >= HEADLINE_MIN_CHARS
                and before.link_chars >= TEASER_LINK_SHARE * len(before.text)):
            count += 1
    return count


def _is_headline_list(doc: PageDoc, container, start, end, text_chars: int,
                      strict: bool = True) -> bool:
    """A listing: several headline-length links to other pages make up a fair
    share of the text (item descriptions keep plain link density low)."""
    headlines = set()
    chars = 0
    for a in container.iter("a"):
        pos = doc.order.get(a, 0)
        text = clean(a.text_content())
        if start < pos <= end and len(text) >= HEADLINE_MIN_CHARS and not doc.is_chrome(a, stop=container):
            headlines.add(a.get("href"))
            chars += len(text)
    if strict:
        return len(headlines) >= MIN_HEADLINES and chars >= HEADLINE_SHARE * text_chars
    # An undated page needs fewer headline links to be a list: three
    # "<a>Title</a> (date) summary" items are a short listing, not a page.
    return len(headlines) >= MIN_UNDATED_HEADLINES and chars >= UNDATED_HEADLINE_SHARE * text_chars


def _running_text(blocks, block_chars: int = RUNNING_TEXT_BLOCK_CHARS) -> bool:
    """The body is one long stretch of prose: a paragraph of running text and
    enough link-free text in all. Teasers are short and headline links are not
    plain text, so a listing never reads this way."""
    plain = [len(b.text) - b.link_chars for b in blocks]
    return bool(plain) and max(plain) >= block_chars and sum(plain) >= RUNNING_TEXT_MIN_CHARS


def _article(doc: PageDoc, anchors: Anchors, from_top: bool = False,
             better_body: bool = False) -> Article | None:
    """The article after the anchors; `from_top`: the second reading, from the
    top of the page, of a page the first reading found no article on."""
    date_pos = anchors.date_pos if anchors.date_near else None
    start = -1 if from_top else max(p for p in (anchors.title_pos, date_pos, -1) if p is not None)
    # Read from the top, the page's own text decides: a selector's element
    # (an excerpt's "entry-content" in a sidebar) may be the wrong one.
    container = find_body_container(doc, start, selectors=not from_top)
    if container is None:
        return None
    if from_top and anchors.title_pos is not None and anchors.title_pos < doc.last_order(container):
        # The title comes before the end of that text: what precedes the title
        # (a ticker, a teaser) is not the body.
        start = anchors.title_pos
    container = widen_container(doc, continue_table(doc, container), start)
    # The lead is what precedes the body's first section, whatever merging adds.
    lead = lead_blocks(doc, container, start)
    if not from_top and date_pos is not None and anchors.title_pos is not None and anchors.title_pos < date_pos:
        lead = pre_date_lead(doc, anchors.title_pos, date_pos) + lead
    container, left_out = merge_sections(doc, container, start)
    if left_out:
        doc = doc.excluding(left_out)
    in_lead = {b.pos for b in lead}
    # The headline found inside the text's own container (not the whole
    # <body>), the reading starting at it (no dateline below it), under
    # paragraphs of that text (a summary, an intro, a post
    # whose title is printed after its first paragraphs): the body starts at
    # the container's first paragraph of running text, not at the headline.
    # Labels before that paragraph (a category line) stay out.
    body_start = start
    if (not from_top and anchors.title_pos is not None and start == anchors.title_pos
            and container.tag not in ("body", "html") and doc.order[container] < anchors.title_pos):
        first = _first_running(doc, container, anchors.title_pos)
        if first is not None:
            body_start = first.pos - 0.5
    blocks = lead + [b for b in body_blocks(doc, container, body_start) if b.pos not in in_lead]
    return _compose(doc, anchors, container, blocks, lead, body_start, from_top, better_body)


def _first_running(doc: PageDoc, container, title_pos: float):
    """The first paragraph of running text inside `container` before the headline."""
    lo = bisect_right(doc.block_pos, doc.order[container])
    hi = bisect_left(doc.block_pos, title_pos)
    inside = set(container.iter())
    for block in doc.blocks[lo:hi]:
        if (block.el in inside and len(block.text) >= SENTENCE_MIN_CHARS and block.link_chars == 0
                and not doc.is_chrome(block.el)):
            return block
    return None


def _compose(doc: PageDoc, anchors: Anchors, container, blocks, lead, start: float, from_top: bool = False,
             better_body: bool = False, listing_checks: bool = True) -> Article | None:
    """The article from its body blocks: byline, the listing and length
    checks (`listing_checks` False: a declared post's list of links), images,
    files and the rest of the fields."""
    # Drop the title/dateline if they sit inside the container after `start`.
    # (A short info box whose lines include the dateline goes with it.)
    blocks = [b for b in blocks if b.text != anchors.title and b.text != anchors.dateline
              and not (anchors.dateline and len(b.text) < INFO_BOX_MAX_CHARS
                       and anchors.dateline in b.text.split("\n"))]
    blocks, author_line = split_byline(doc, blocks, container)
    if author_line is None:
        author_line = meta_byline(doc, anchors.title_pos, container)
    end = end_pos(doc, container, blocks)
    text_chars = sum(len(b.text) for b in blocks)
    link_chars = sum(b.link_chars for b in blocks)
    if not blocks:
        return None
    if not listing_checks:
        pass  # a declared post whose links go to other sites: its list is its body
    elif link_chars > MAX_LINK_DENSITY * text_chars:
        return None
    elif from_top and _running_text(blocks):
        pass  # read from the top, running text is an article, whatever headline links sit beside it
    elif from_top and not better_body and not _running_text(blocks, SHORTER_RUNNING_BLOCK_CHARS):
        # (better_body: the page is an article already; this reading only looks
        # for a longer body than a caption or a form, past the listing checks.)
        return None
    elif _is_headline_list(doc, container, start, end, text_chars, strict=anchors.date is not None):
        return None
    elif _dated_teasers(doc, container, start, end) >= MIN_DATED_TEASERS:
        return None  # dated teasers, one after another: a listing, not one article
    has_date = anchors.date is not None
    og_type = (doc.meta.get("og:type") or "").lower()
    if not anchors.title or text_chars < (MIN_NOTICE_CHARS if has_date else MIN_PAGE_CHARS):
        return None
    image_elements: list = []
    images = extract_images(doc, container, blocks, start, end, image_elements)
    # Files may be listed from the title on (a metadata table) down to the
    # related-articles block, lone links included.
    attachments = extract_attachments(doc, container, anchors.title_pos or start,
                                      stop_pos(doc, container, start))
    if text_chars < MIN_ARTICLE_CHARS and not (images or attachments or og_type == "article"):
        # A short dated page counts when it carries what a notice or a photo
        # item carries (a file, a picture) or says it is an article.
        return None
    author, source = parse_byline(author_line)
    if author is None and source is None:
        # Last in the chain: a name given only in structured data (not printed,
        # so author_line stays empty).
        author = structured_author(doc)
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
        body_text="\n\n".join(b.text for b in without_captions(blocks)),
        body_html=body_html(container, blocks, image_elements, lead),
        description=extract_description(doc),
        category=extract_category(doc),
        kind="article" if has_date or og_type == "article" else "page",
        images=images,
        attachments=attachments,
    )


def read_article(doc: PageDoc) -> tuple[Article | None, PageDoc]:
    """The article on the page, if any, and the page as it was read: when the
    headline sits inside a wrapper classed like chrome, everything after the
    headline search reads a copy of the page with that wrapper protected."""
    headline = find_headline(doc)
    if headline.wrapper is not None:
        doc = doc.protecting(headline.wrapper)
    anchors = find_anchors(doc, headline)
    article = _article(doc, anchors)
    if article is not None and len(article.body_text or "") < SHORT_BODY_CHARS:
        # A short body may be a caption or a teaser the anchors led to, with
        # the article's running text elsewhere: read from the top, and take
        # that reading when it holds several times more.
        again = _article(doc, anchors, from_top=True, better_body=True)
        if again is not None and len(again.body_text) >= LONGER_READING * len(article.body_text or ""):
            article = again
    if article is None:
        # Markup the anchors misread (a title or date found after the text,
        # the text inside wrappers classed like chrome): a page whose main
        # content is running text is still archived, never taken for a listing.
        if not anchors.title:
            anchors = replace(anchors, title=structured_title(doc) or listing_title(doc))
        article = _article(doc, anchors, from_top=True)
    if article is None and anchors.date is not None and claims_article(doc):
        # A dated page that says it is an article, with no article in its
        # markup: a post whose content is a list of links to other sites?
        if (post := link_post(doc, anchors)) is not None:
            article = _compose(doc, anchors, post.container, post.blocks, [], post.start, listing_checks=False)
    if article is None:
        # Or the text is given only as structured data about this page (a
        # page drawn by scripts): the JSON-LD item is the page's own word.
        article = _structured_article(doc, anchors)
    return article, doc


def _structured_article(doc: PageDoc, anchors: Anchors) -> Article | None:
    """The article as the page's JSON-LD gives it (declared.structured_body),
    for a page whose visible markup holds none."""
    found = structured_body(doc)
    if found is None:
        return None
    blocks = list(found.doc.blocks)
    text_chars = sum(len(b.text) for b in blocks)
    date = anchors.date
    title = found.title or anchors.title
    if not title or text_chars < (MIN_ARTICLE_CHARS if date else MIN_PAGE_CHARS):
        return None
    body = found.doc.root.find("body")
    return Article(
        url=doc.canonical or doc.url,
        title=title,
        published_at=date.published_at if date else None,
        published_date=date.published_date if date else None,
        published_precision=date.precision if date else None,
        author=structured_author(doc),
        body_text="\n\n".join(b.text for b in blocks),
        body_html=body_html(body, blocks, []),
        description=extract_description(doc),
        category=extract_category(doc),
        kind="article" if date else "page",
    )


def listing_title(doc: PageDoc) -> str | None:
    for el in doc.root.iter("h1", "h2"):
        text = clean(el.text_content())
        if text and not doc.is_chrome(el):
            return text
    title = structured_title(doc)
    return SITE_SUFFIX.sub("", title) if title else None


def page_links(doc: PageDoc) -> list[Link]:
    links = []
    for a in doc.root.iter("a", "area"):
        url = doc.resolve(a.get("href"))
        if url:
            links.append(Link(url, clean(a.text_content()), doc.is_chrome(a)))
    return links


def fingerprint(doc: PageDoc, links: list[Link]) -> str:
    """Digits removed, so "week 10" and "week 9" of a calendar, or page 7 and
    page 8 that both show the last listing page, look the same."""
    body = doc.root.find("body")
    text = (body.text_content() if body is not None else "").lower()
    hrefs = sorted({hash_digits(l.url) for l in links})
    digest = hashlib.sha1(hash_digits(text).encode())
    digest.update("\n".join(hrefs).encode())
    return digest.hexdigest()
