"""One function per field, each an ordered chain of attempts:
structured data -> site selectors -> content anchors -> generic fallback.

Every function takes a parsed `PageDoc` and returns a value or None
("not on the page"). No network, no clock.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

import lxml.html
from w3lib.url import safe_url_string

from ..dates import ParsedDate, date_count, parse_date, parse_iso
from ..items import Attachment, Image
from .bylines import (POSTED_AT, has_label, is_byline_text, is_caption_line, looks_like_name,
                      parse_byline)
from .page import HEADING_TAGS, Block, PageDoc
from .text import clean, fold

# Site selectors: a first try only; class names on the real site are unknown.
TITLE_SELECTORS = (
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' title-detail ')]",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' detail-title ')]",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' news-title ')]",
    "//h1[contains(@class, 'title')]",
)
BODY_SELECTORS = (
    "//*[@itemprop='articleBody']",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' detail-content ')]",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' content-detail ')]",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' news-content ')]",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' article-content ')]",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' entry-content ')]",
)
DATE_HINT = re.compile(
    r"cập nhật|ngày đăng|đăng lúc|đăng ngày|thời gian|ngày|thứ|chủ nhật|gmt|utc|\d{1,2}:\d{2}",
    re.I,
)
# Where the article ends: related blocks, share widgets, tags.
STOP_RE = re.compile(
    r"^(tin khác|các tin khác|tin cùng chuyên mục|tin cùng loại|tin liên quan|bài viết khác|"
    r"các bài viết khác|bài liên quan|bài viết liên quan|xem thêm|tin đã đưa|các tin đã đưa|"
    r"tin mới hơn|tin cũ hơn|chia sẻ|share|từ khóa|từ khoá|tags?\s*:|bình luận|ý kiến bạn đọc|"
    r"gửi bình luận|in bài viết|quay lại|về đầu trang|lượt xem|có liên quan|related)",
    re.I,
)
# What a dateline may say besides the date (compared folded); a block whose
# remaining text is long is a sentence that happens to contain a date.
DATELINE_WORDS = re.compile(
    r"cap nhat|ngay dang|dang luc|dang ngay|xuat ban|thoi gian|ngay|thang|nam|luc|"
    r"thu (hai|ba|tu|nam|sau|bay)|chu nhat|thu [2-7]|cn|gmt|utc|am|pm|sa|ch|gio|posted|date|"
    # the meta row a dateline often shares: views, print, e-mail, font size
    r"luot xem|in bai|gui email|chia se|co chu"
)
DATELINE_MAX_RESIDUE = 30
DATE_KEYWORD = re.compile(r"cập nhật|ngày đăng|đăng lúc|gửi lúc|đăng ngày|xuất bản|thời gian đăng|ngày cập nhật|posted", re.I)
def is_stop(block: Block) -> bool:
    """Where the article ends: a "Tin khác"/"Chia sẻ" heading. An inline
    "Xem thêm: <a>headline</a>" line is skipped, not an end."""
    if not STOP_RE.match(block.text):
        return False
    if len(block.text) - block.link_chars > STOP_HEADING_MAX:
        return False  # running text that opens with the words: "Chia sẻ tại hội nghị, …"
    return not (len(block.text) > 25 and block.link_chars >= 0.5 * len(block.text))


STOP_HEADING_MAX = 60  # "Tin cùng chuyên mục", "Chia sẻ bài viết:" are short
PAGE_NUMBER = re.compile(r"^(trang|page|tr\.)\s*\d+(\s*(/|of|trên)\s*\d+)?$", re.I)
ATTACH_LABEL = re.compile(r"^(tập tin|file|tệp|tài liệu|văn bản)( đính kèm| kèm theo)|^đính kèm", re.I)
# Attachment boxes inside a post: their file lines are not body text.
ATTACH_BOX = re.compile(r"attachbox|attachments?(\b|_|-)|file-?attach|dinh-?kem", re.I)


CAPTION_RE = re.compile(r"^\(?\s*(ảnh|hình|hình ảnh|photo)\b", re.I)
# A file extension ends the path, or a path segment (Liferay: file.pdf/<uuid>).
DOC_EXT = re.compile(r"\.(pdf|docx?|xlsx?|pptx?|zip|rar|7z|odt|ods)(\?|#|/|$)", re.I)
VIDEO_RE = re.compile(r"(youtube\.com|youtu\.be|vimeo\.com|facebook\.com/plugins/video)", re.I)
PLACEHOLDER_RE = re.compile(r"(^|/)(blank|placeholder|spacer|loading|lazy|pixel|grey|gray|transparent|no-?image)[\w.-]*\.(gif|png|jpe?g|svg|webp)(\?|$)", re.I)
LAZY_ATTRS = ("data-src", "data-original", "data-lazy-src", "data-lazy", "lazy-src", "data-url", "src")
SITE_SUFFIX = re.compile(r"\s*[-|–—:]\s*(liên đoàn lao động|ldld|congdoanbackan|công đoàn).*$", re.I)
TITLE_MIN, TITLE_MAX = 8, 400
# The site's own name, which <title> and og:title wrap around the headline.
SITE_NAME = re.compile(r"(liên đoàn lao động|công đoàn|ldld|lđlđ)( tỉnh)?( bắc kạn)?|congdoanbackan(\.org\.vn)?|"
                       r"cong doan bac kan|trang chủ", re.I)


@dataclass
class Anchors:
    """Where title, dateline and body start sit in the page."""

    title: str | None
    title_pos: float | None
    date: ParsedDate | None
    dateline: str | None
    date_pos: float | None
    date_near: bool = True  # False: the dateline follows the body


# ---------------------------------------------------------------- title/date

def structured_date(doc: PageDoc) -> ParsedDate | None:
    for item in doc.jsonld:
        value = item.get("datePublished") or item.get("dateCreated")
        if isinstance(value, str) and (parsed := parse_iso(value)):
            return parsed
    for key in ("article:published_time", "datepublished", "pubdate", "publishdate",
                "og:published_time", "dc.date.issued", "dc.date"):
        if (value := doc.meta.get(key)) and (parsed := parse_iso(value) or parse_date(value)):
            return parsed
    for el in doc.root.xpath("//time[@datetime]"):
        if not doc.is_chrome(el) and (parsed := parse_iso(el.get("datetime"))):
            return parsed
    # Microdata and microformats: itemprop="datePublished", <abbr class="published" title=…>.
    for el in doc.root.xpath("//*[@itemprop='datePublished'] | //abbr[contains(@class, 'published')]"):
        value = el.get("content") or el.get("datetime") or el.get("title") or ""
        if not doc.is_chrome(el) and (parsed := parse_iso(value)):
            return parsed
    return None


def structured_title(doc: PageDoc) -> str | None:
    for item in doc.jsonld:
        value = item.get("headline") or (item.get("name") if item.get("@type") in ("NewsArticle", "Article", "BlogPosting") else None)
        if isinstance(value, str) and clean(value):
            return clean(value)
    for key in ("og:title", "twitter:title", "<title>"):
        if value := clean(doc.meta.get(key)):
            return value
    return None


# A bare date labelled as a document's issue or effective date is not the
# publication date (legal-document metadata tables).
OTHER_DATE_LABEL = re.compile(r"ban hành|hiệu lực|ngày ký|hết hạn|hết hiệu lực|sửa đổi", re.I)


def dateline_candidates(doc: PageDoc) -> list[tuple[Block, ParsedDate]]:
    found = []
    previous = None
    for block in doc.blocks:
        label, previous = previous, block
        in_breadcrumb = _classed(block.el, BREADCRUMB, 2)
        if block.link_chars > len(block.text) / 2 and not in_breadcrumb:
            continue
        # An info box prints the date as one line among others
        # ("Chuyên mục: …", "Ngày đăng: …", "Lượt xem: …"): each line counts.
        lines = block.text.split("\n") if len(block.text) <= 300 else [block.text]
        dated = []
        for i, text in enumerate(lines):
            parsed = _dateline(text, label if i == 0 else None)
            if parsed is None:
                continue
            if doc.is_chrome(block.el) and not (in_breadcrumb and _TIME_OF_DAY.search(text)):
                continue  # (a breadcrumb line may end with the dateline)
            candidate = block if len(lines) == 1 else Block(
                block.el, text, block.pos + i / 1000, 0, 0)
            dated.append((candidate, parsed))
        # "Ngày đăng" (published) over "Cập nhật" (updated) when both are printed.
        published = [d for d in dated if PUBLISHED_WORD.search(d[0].text)]
        found.extend((published or dated)[:1])
    return found


DATE_RANGE = re.compile(r"\btừ\b.*\bđến\b|\d{4}\s*[-–]\s*(ngày\s*)?\d{1,2}\s*[/.\-]\s*\d{1,2}", re.I)
PUBLISHED_WORD = re.compile(r"đăng|xuất bản|gửi lúc|posted", re.I)


TIME_ONLY = re.compile(r"^(vào\s+)?(lúc|giờ)?\s*:?\s*\d{1,2}\s*[:h]\s*\d{2}(:\d{2})?\s*(SA|CH|AM|PM)?$", re.I)
BREADCRUMB = re.compile(r"breadcrumb|duong-?dan", re.I)
_TIME_OF_DAY = re.compile(r"\d{1,2}\s*[:h]\s*\d{2}")


# Every form parse_date reads carries a four-digit year: without one, skip
# the (costly) residue test; most blocks of a page have no year in them.
FOUR_DIGITS = re.compile(r"\d{4}")


def _dateline(text: str, label: Block | None) -> ParsedDate | None:
    if len(text) > 160 or not FOUR_DIGITS.search(text):
        return None
    residue = _residue(text)
    # A dateline names itself ("Cập nhật", a weekday, a time) or is a bare date.
    if residue > DATELINE_MAX_RESIDUE or not (DATE_HINT.search(text) or residue <= 2):
        return None
    if OTHER_DATE_LABEL.search(text) or (
            residue <= 2 and label is not None and len(label.text) < 40
            and label.text.endswith(":") and OTHER_DATE_LABEL.search(label.text)):
        return None
    if date_count(text) > 1 and DATE_RANGE.search(text):
        return None  # a period ("Từ ngày 04/3/2024 đến ngày 08/3/2024"), not a dateline
    return parse_date(text)


def _residue(text: str) -> int:
    rest = DATELINE_WORDS.sub(" ", fold(text))
    return len(re.sub(r"[\W\d_]+", "", rest))


def _heading_like(doc: PageDoc, block: Block) -> bool:
    el = block.el
    if not TITLE_MIN <= len(block.text) <= TITLE_MAX or "\n" in block.text:
        return False
    if el.tag in HEADING_TAGS:
        return True
    cls = (el.get("class") or "") + " " + (el.get("id") or "")
    if re.search(r"title|tieu-?de|headline|heading", cls, re.I):
        return True
    # A short block written entirely in bold.
    bold = el.xpath("./b|./strong|./font/b|./span/strong|./font")
    if bold and clean(bold[0].text_content()) == block.text and block.link_chars == 0:
        return True
    return False


TITLE_SEPARATORS = re.compile(r"\s*(?:\|+|::+\.?|\.::+|»|«|•|\s[-–—]\s)\s*")


def _title_variants(meta_title: str) -> list[str]:
    """A <title> often wraps the headline in the site's name: try the parts."""
    variants = [SITE_SUFFIX.sub("", meta_title)]
    parts = [p for p in TITLE_SEPARATORS.split(meta_title)
             if len(p) >= TITLE_MIN and not SITE_NAME.fullmatch(p)]
    # The headline is usually the longest part; site and section names are short.
    variants += sorted(parts, key=len, reverse=True)
    return [v for v in variants if v]


def _same_folded(fa: str, fb: str) -> bool:
    """Equal, or one a prefix of the other (a site name appended) while
    holding most of it: "Hội nghị" alone is not the title "Hội nghị sơ kết…"."""
    if not fa or not fb:
        return False
    short, long_ = sorted((fa, fb), key=len)
    return long_.startswith(short) and len(short) >= 0.6 * len(long_)


def find_anchors(doc: PageDoc) -> Anchors:
    """Locate the title and the dateline, each anchoring the other."""
    meta_title = structured_title(doc)
    headings = [b for b in doc.blocks if _heading_like(doc, b) and not doc.is_chrome(b.el)]
    title_block = None
    if meta_title:
        candidates = [(fold(b.text), b) for b in
                      headings + [b for b in doc.blocks if len(b.text) <= TITLE_MAX]]
        variants = [fold(w) for w in _title_variants(meta_title)]
        for fw in variants:  # most specific first
            title_block = next((b for fb, b in candidates if _same_folded(fb, fw)
                                and not doc.is_chrome(b.el)), None)
            if title_block is not None:
                break
        if title_block is None:
            # The headline itself, as a real heading, inside a wrapper classed
            # like chrome: the wrapper is the article's, not the site's.
            title_block = next((b for fb, b in candidates if fb == variants[0]
                                and b.el.tag in ("h1", "h2", "h3") and b.link_chars == 0), None)
            if title_block is not None:
                doc.protect(title_block.el)
    if title_block is None:
        for xp in TITLE_SELECTORS:
            hits = [el for el in doc.root.xpath(xp) if clean(el.text_content())]
            if hits:
                el = hits[0]
                title_block = Block(el, clean(el.text_content()), doc.order[el], 0)
                break
    # Only now: finding the headline may have protected its wrapper from
    # being taken for chrome (a cover <header> holding title and date).
    dates = dateline_candidates(doc)
    date_block = date = None
    date_near = True
    if title_block is not None:
        after = [(b, d) for b, d in dates if b.pos > title_block.pos]
        before = [(b, d) for b, d in dates if b.pos < title_block.pos]
        # Near: no paragraph of running text between the title and the date.
        near_after = [x for x in after if _gap(doc, title_block, x[0]) <= 8
                      and _text_between(doc, title_block, x[0]) < 200]
        near_before = [x for x in before if _gap(doc, x[0], title_block) <= 8
                       and _text_between(doc, x[0], title_block) < 200]
        # A dateline printed below the body ("Cập nhật: …" at the end) must say
        # what it is, and come before any related-articles list.
        stop = next((b.pos for b in doc.blocks if b.pos > title_block.pos and is_stop(b)), None)
        far_after = [x for x in after if DATE_KEYWORD.search(x[0].text) and (stop is None or x[0].pos < stop)]
        pick = near_after[:1] or near_before[-1:] or far_after[:1]
        if pick:
            date_block, date = pick[0]
            date_near = bool(near_after[:1] or near_before[-1:])
    else:
        for block, parsed in dates:
            # The nearest heading, before the dateline (usual) or right after it.
            near = [(_gap(doc, h, block) + _rank(h), h) for h in headings
                    if h.pos < block.pos and _gap(doc, h, block) <= 6]
            near += [(_gap(doc, block, h) + _rank(h), h) for h in headings
                     if h.pos > block.pos and _gap(doc, block, h) <= 1]
            if near:
                title_block = min(near, key=lambda x: (x[0], x[1].pos))[1]
                date_block, date = block, parsed
                break
        if title_block is None and headings:
            # No dateline to anchor on (a static page): the heading with the
            # most running text under it, not a slider's or a box's caption.
            ends = [h.pos for h in headings[1:]] + [float("inf")]
            under = [_text_after(doc, h, end) for h, end in zip(headings, ends)]
            best = max(under)
            if best >= 200:
                title_block = headings[under.index(best)]
            else:
                h1 = [h for h in headings if h.el.tag == "h1"]
                title_block = (h1 or headings)[0]
    title = title_block.text if title_block is not None else None
    if title is None and meta_title:
        title = SITE_SUFFIX.sub("", meta_title) or None
    if date is not None and date.precision == "day" and date_block is not None:
        # "Ngày 25/09/2024" then "Lúc 06:45" as two separate blocks.
        after = next((b for b in doc.blocks if b.pos > date_block.pos), None)
        if after is not None and TIME_ONLY.match(after.text):
            date = parse_date(f"{date_block.text} {after.text}") or date
    sd = structured_date(doc)
    if sd and (date is None or date.precision == "day" and sd.precision != "day"
               or sd.published_date == (date and date.published_date) and sd.precision != "day"):
        # Machine-readable date first, but a visible time beats a date-only meta.
        date = sd if date is None or sd.precision != "day" else date
    return Anchors(
        title=title,
        title_pos=title_block.pos if title_block is not None else None,
        date=date,
        dateline=date_block.text if date_block is not None else None,
        date_pos=date_block.pos if date_block is not None else None,
        date_near=date_near,
    )


def _rank(block: Block) -> int:
    tag = block.el.tag
    return 0 if tag in ("h1", "h2") else 1 if tag in HEADING_TAGS else 3


def _text_between(doc: PageDoc, first: Block, second: Block) -> int:
    return doc.plain_chars_between(first.pos, second.pos)


def _text_after(doc: PageDoc, heading: Block, end: float) -> int:
    """Link-free characters from a heading up to `end` (the next heading)."""
    return sum(len(b.text) - b.link_chars for b in doc.blocks
               if heading.pos < b.pos < end and not doc.is_chrome(b.el))


def _gap(doc: PageDoc, first: Block, second: Block) -> int:
    """How many text blocks lie between two blocks."""
    return doc.count_between(first.pos, second.pos)


# ---------------------------------------------------------------------- body

def find_body_container(doc: PageDoc, start: int):
    """The element holding most of the article's paragraph text after `start`."""
    for xp in BODY_SELECTORS:
        for el in doc.root.xpath(xp):
            if len(clean(el.text_content())) > 80 and not doc.is_chrome(el):
                return el
    scores: dict = {}
    for block in doc.blocks:
        if block.pos <= start or len(block.text) < 25:
            continue
        if block.link_chars > len(block.text) * 0.4 or doc.is_chrome(block.el):
            continue
        weight = len(block.text)
        parent = block.el.getparent()
        # A block scores for itself too: bare layouts put the text in one <td>.
        scores[block.el] = scores.get(block.el, 0) + weight * 0.5
        if parent is not None:
            scores[parent] = scores.get(parent, 0) + weight
            grand = parent.getparent()
            if grand is not None:
                scores[grand] = scores.get(grand, 0) + weight * 0.6
    if not scores:
        return None
    return max(scores.items(), key=lambda kv: kv[1])[0]


DATED_ITEM = re.compile(r"[(\[]?\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}[)\]]?\s*$")
INLINE_RELATED = re.compile(r"^(tin liên quan|bài liên quan|bài viết liên quan|xem thêm|đọc thêm)", re.I)


def _inline_related(doc: PageDoc, marker: Block, inside: set) -> bool:
    """A "Tin liên quan:" list in the middle of the body: after its links the
    article goes on (a paragraph of running text follows in the body)."""
    if not INLINE_RELATED.match(marker.text):
        return False
    for block in doc.blocks:
        if block.pos <= marker.pos or block.el not in inside:
            continue
        if block.link_chars >= 0.8 * len(block.text):
            continue  # the list's own links
        return len(block.text) >= 80 and block.link_chars == 0 and not is_stop(block)
    return False


def _drop_running_lines(blocks: list[Block]) -> list[Block]:
    """A short line printed again and again (a print layout's running header)
    is not body text."""
    counts: dict[str, int] = {}
    for b in blocks:
        # Captions may repeat ("Ảnh minh họa") and stay.
        if len(b.text) < 100 and not CAPTION_RE.match(b.text) and b.italic_chars == 0:
            counts[b.text] = counts.get(b.text, 0) + 1
    return [b for b in blocks if counts.get(b.text, 0) < 2]


def continue_table(doc: PageDoc, container):
    """An old table layout that splits one article over several one-cell rows
    (text, a photo cell, more text, the byline): the article is the table."""
    if container.tag == "tr" and len(container.xpath("./td|./th")) == 1:
        container = container.xpath("./td|./th")[0]
    if container.tag != "td":
        return container
    row = container.getparent()
    table = row.getparent() if row is not None else None
    if table is not None and table.tag == "tbody":
        table = table.getparent()
    if row is None or table is None or table.tag != "table" or len(row.xpath("./td|./th")) != 1:
        return container
    rows = table.xpath("./tr|./tbody/tr")
    if any(len(r.xpath("./td|./th")) != 1 for r in rows):
        return container
    following = rows[rows.index(row) + 1:] if row in rows else []
    extra = 0
    for r in following:
        text = clean(r.text_content())
        if doc.is_chrome(r) or STOP_RE.match(text):
            break
        links = sum(len(clean(a.text_content())) for a in r.iter("a"))
        if text and links > 0.5 * len(text):
            break
        if text or r.find(".//img") is not None:
            extra += 1
    return table if extra else container


def widen_container(doc: PageDoc, container, start: float, levels: int = 4):
    """Page builders (Tilda) give every paragraph its own nested record, so the
    best-scoring element holds one paragraph. Climb while the wider element
    only adds running text: paragraph-length blocks with few links."""
    best = container
    current = set(b.pos for b in body_blocks(doc, container, start))
    if len(current) > 2:
        return container  # a real body container already holds several paragraphs
    node = container
    for _ in range(levels):
        node = node.getparent()
        if node is None or node.tag in ("body", "html") or doc.is_chrome(node):
            break
        blocks = body_blocks(doc, node, start)
        extra = [b for b in blocks if b.pos not in current]
        if not extra:
            continue
        chars = sum(len(b.text) for b in extra)
        links = sum(b.link_chars for b in extra)
        if links > 0.2 * chars or chars / len(extra) < 40:
            break
        best, current = node, set(b.pos for b in blocks)
    return best


def body_blocks(doc: PageDoc, container, start: int) -> list[Block]:
    inside = set(container.iter())
    kept = []
    for block in doc.blocks:
        if block.el not in inside or block.pos <= start:
            continue
        if doc.is_chrome(block.el, stop=container):
            continue
        if is_stop(block):
            if kept and not _inline_related(doc, block, inside):
                break
            continue
        if ATTACH_LABEL.match(block.text) and len(block.text) < 40 or _classed(block.el, ATTACH_BOX, 4):
            continue  # "File đính kèm:" and the file lines under it
        if PAGE_NUMBER.match(block.text):
            continue  # "Trang 1/2": a printed page's footer
        if (STOP_RE.match(block.text) and len(block.text) - block.link_chars <= STOP_HEADING_MAX) or (len(block.text) < 200 and (
                block.link_chars >= len(block.text) * 0.8
                or (block.link_chars >= len(block.text) * 0.5 and DATED_ITEM.search(block.text)))):
            continue  # "Xem thêm: <a>…</a>", lone links, "<a>Headline</a> (12/12/2024)" items
        kept.append(block)
    return _drop_running_lines(kept)


LEAD_CLASS = re.compile(r"sapo|lead|summary|tom-?tat|intro|chapeau|excerpt|abstract|description", re.I)


def lead_blocks(doc: PageDoc, container, start: float) -> list[Block]:
    """The lead (sapô) that many layouts print between the title and the body
    container: a sentence-length, link-free block, or one classed as a lead."""
    first_inside = doc.order[container]  # pre-order: a container comes before its contents
    lead = []
    for block in doc.blocks:
        if not start < block.pos < first_inside or doc.is_chrome(block.el):
            continue
        classed = _classed(block.el, LEAD_CLASS)
        sentence = len(block.text) >= 80 and block.link_chars == 0
        if (classed or sentence) and not dateline_like(block.text) and not is_byline_text(block.text):
            lead.append(block)
    return lead


def _classed(el, pattern, depth: int | None = 3, stop=None) -> bool:
    """`el` or one of its next `depth` ancestors (all of them up to `stop`
    when depth is None) has a class or id matching `pattern`."""
    node, steps = el, 0
    while node is not None and node is not stop and (depth is None or steps < depth):
        if pattern.search((node.get("class") or "") + " " + (node.get("id") or "")):
            return True
        node, steps = node.getparent(), steps + 1
    return False


def dateline_like(text: str) -> bool:
    return (len(text) <= 160 and FOUR_DIGITS.search(text) is not None
            and _residue(text) <= DATELINE_MAX_RESIDUE and parse_date(text) is not None)


def _caption_like(block: Block) -> bool:
    return bool(CAPTION_RE.match(block.text)) or (
        block.italic_chars >= 0.9 * len(block.text.replace(" ", "")) and len(block.text) < 250)


def _bold_tail(block: Block) -> str | None:
    """A byline in <strong>/<b>/<em> closing the block's last sentence."""
    children = [c for c in block.el if isinstance(c.tag, str)]
    if not children or children[-1].tag not in ("strong", "b", "em", "i", "span"):
        return None
    last = children[-1]
    text = clean(last.text_content())
    if clean(last.tail) or not text or not block.text.endswith(text):
        return None
    before = block.text[: -len(text)].rstrip()
    if len(before) < 40 or not before.endswith((".", "!", "?", "…", "”", "\"")):
        return None
    return text if is_byline_text(text) and not is_caption_line(text) else None


def split_byline(doc: PageDoc, blocks: list[Block], container) -> tuple[list[Block], str | None]:
    """Take the byline off the end of the body: the last short line that reads as
    a name, a "Tác giả:" line or a source credit."""
    # An update line after the byline ("Cập nhật lần cuối: …") is metadata.
    while blocks and dateline_like(blocks[-1].text) and (
            DATE_KEYWORD.search(blocks[-1].text) or _residue(blocks[-1].text) <= 2):
        blocks = blocks[:-1]
    if not blocks:
        return blocks, None
    last = blocks[-1]
    if len(blocks) >= 2 and _caption_like(last) and is_byline_text(blocks[-2].text) \
            and not is_caption_line(blocks[-2].text) and len(blocks[-2].text) <= 80:
        # The byline, then one more photo with its caption.
        return blocks[:-2] + [last], blocks[-2].text
    lines = last.text.split("\n")
    if (len(lines) == 2 and len(last.text) <= 160 and is_byline_text(lines[0])
            and not is_byline_text(lines[1]) and parse_byline(lines[0])[0]
            and not lines[1].endswith((".", "!", "?"))):
        # "<strong>Name</strong><br><em>Role, unit</em>": a byline on two lines.
        return blocks[:-1], " ".join(lines)
    if is_byline_text(lines[-1]) and not is_caption_line(lines[-1]):
        if len(lines) == 1:
            return blocks[:-1], lines[-1]
        trimmed = Block(last.el, "\n".join(lines[:-1]), last.pos, last.link_chars)
        return blocks[:-1] + [trimmed], lines[-1]
    tail = _bold_tail(last)
    if tail:
        # "… phát triển bền vững. <strong>Minh Anh</strong>": the byline set in
        # bold at the end of the last paragraph.
        trimmed = Block(last.el, last.text[: -len(tail)].rstrip(), last.pos, last.link_chars)
        return blocks[:-1] + [trimmed], tail
    # The byline may sit just after the body container.
    inside = set(container.iter())
    for block in doc.blocks:
        if block.pos > last.pos and block.el not in inside:
            if doc.is_chrome(block.el) or is_stop(block):
                break
            if is_byline_text(block.text) and not is_caption_line(block.text):
                return blocks, block.text
            break
    return blocks, None


def structured_author(doc: PageDoc) -> str | None:
    """The author named in JSON-LD or <meta name="author">, when it is a
    person's name (sites often put their own name there)."""
    values = []
    for item in doc.jsonld:
        author = item.get("author")
        for entry in author if isinstance(author, list) else [author]:
            if isinstance(entry, dict) and entry.get("@type", "Person") == "Person":
                values.append(entry.get("name"))
            elif isinstance(entry, str):
                values.append(entry)
    values.append(doc.meta.get("author"))
    for value in values:
        if isinstance(value, str) and looks_like_name(clean(value)):
            return clean(value)
    return None


AUTHOR_CLASS = re.compile(r"(^|[\s_\-])(author|byline|credits?|createdby|created-by|posted-by|poster|submitted|username|tac-?gia|writer|reporter|source|nguon)($|[\s_\-])", re.I)
AVATAR = re.compile(r"avatar|author|tac-?gia|gravatar", re.I)
AUTHOR_LABEL = re.compile(r"^(tác giả|viết bởi|người viết|phóng viên|đăng bởi|người đăng)\s*:?$", re.I)


def meta_byline(doc: PageDoc, title_pos: float | None, container) -> str | None:
    """A byline printed in the article's meta line or metadata table rather
    than after the body ("Viết bởi X", "Đăng bởi: X", a "Tác giả:" cell)."""
    found = []
    for el in doc.root.iter():
        if not isinstance(el.tag, str):
            continue
        names = (el.get("class") or "") + " " + (el.get("id") or "")
        if el.get("itemprop") != "author" and not AUTHOR_CLASS.search(names):
            continue
        if "comment" in names.lower() or el.tag in ("input", "label") or doc.is_chrome(el):
            continue
        text = clean(el.text_content()).lstrip("|·•-–—/ ").strip()
        text = POSTED_AT.split(text)[0]  # the byline, not the post time after it
        if text and any(parse_byline(text)):
            found.append(text)
    if found:
        # The innermost element that still reads as a byline, with its label
        # ("Gửi bởi X") when one is printed: author_line is the line as printed.
        labelled = [t for t in found if has_label(t)]
        return min(labelled or found, key=len)
    for label, value in zip(doc.blocks, doc.blocks[1:]):
        if title_pos is not None and label.pos < title_pos:
            continue
        if AUTHOR_LABEL.match(label.text) and parse_byline(value.text)[0] and not doc.is_chrome(label.el):
            return f"{label.text} {value.text}"
    return None


# -------------------------------------------------------------------- images

def image_url(doc: PageDoc, img) -> str | None:
    candidates = [img.get(attr) for attr in LAZY_ATTRS]
    # No usable src: the largest srcset candidate, then a <picture>'s first <source>.
    candidates.append(_largest_srcset(img.get("srcset") or img.get("data-srcset")))
    sources = [_largest_srcset(srcset) for srcset in _picture_sources(img)]
    # A 1x1 fallback <img> is not the picture: its <source> is.
    candidates = sources + candidates if _is_icon(img) else candidates + sources
    for value in candidates:
        value = (value or "").strip()
        if value and not value.startswith("data:") and not PLACEHOLDER_RE.search(value):
            resolved = doc.resolve(value)
            if resolved:
                # One documented form: absolute, UTF-8 percent-encoded, query kept.
                return safe_url_string(resolved)
    return None


def _largest_srcset(srcset: str | None) -> str | None:
    best, best_width = None, -1.0
    for item in (srcset or "").split(","):
        parts = item.split()
        if not parts:
            continue
        width = 0.0
        if len(parts) > 1 and parts[1][:-1].replace(".", "", 1).isdigit():
            width = float(parts[1][:-1])
        if width > best_width:
            best, best_width = parts[0], width
    return best


def _picture_sources(img) -> list[str]:
    """The srcsets of the <source>s of the <picture> holding `img`, if any."""
    picture = next((a for a in img.iterancestors() if a.tag == "picture"), None)
    if picture is None:
        return []
    return [v for v in (s.get("srcset") or s.get("data-srcset") for s in picture.iter("source")) if v]


def _has_sources(img) -> bool:
    """A 1x1 fallback <img> inside a <picture> whose <source> carries the image."""
    return bool(_picture_sources(img))


def _is_icon(img) -> bool:
    for attr in ("width", "height"):
        value = re.match(r"\s*(\d+)\s*(px)?\s*$", img.get(attr) or "")  # not "30%"
        if value and int(value.group(1)) <= 40:
            return True
    return False


def _caption_for(doc: PageDoc, img, container, blocks: list[Block],
                 block_pos: list[float], img_pos: list[int]) -> str | None:
    """`block_pos` and `img_pos`: the positions of `blocks` and of the
    container's images, both sorted, so that neighbours are found by bisection."""
    node = img.getparent()
    while node is not None and node is not container:
        if node.tag == "figure":
            cap = node.find(".//figcaption")
            if cap is not None and clean(cap.text_content()):
                return clean(cap.text_content())
        if node.tag == "table":
            text = _table_caption(node, img)
            if text:
                return text
            break
        node = node.getparent()
    # An element right after the image (or its <picture>/<a>) classed as a caption.
    wrapper = img
    # libxml2 knows no <source>, so it nests the <img> inside it.
    while wrapper.getparent() is not None and wrapper.getparent().tag in ("picture", "source", "a", "span", "noscript"):
        wrapper = wrapper.getparent()
    sibling = next((x for x in wrapper.itersiblings() if isinstance(x.tag, str) and x.tag != "br"), None)
    if sibling is not None and sibling.tag not in ("img", "picture") and CAPTION_CLASS.search(
            (sibling.get("class") or "") + " " + (sibling.get("id") or "")):
        text = clean(sibling.text_content())
        if text:
            return text
    # A figure-like wrapper: the image, then one short text and nothing else.
    text = _wrapper_caption(img, container)
    if text:
        return text
    # Otherwise the text right after the image, if it reads as a caption:
    # "Ảnh: …", italic, centred, or classed as a caption.
    pos = doc.order.get(img, 0)
    i_next = bisect_right(block_pos, pos)
    if i_next < len(blocks):
        nxt = blocks[i_next]
        if _gap_elements(img_pos, pos, nxt.pos):
            return None
        text = nxt.text.replace("\n", " ")
        whole = clean(nxt.el.text_content()) == clean(text)
        italic = nxt.italic_chars >= 0.9 * len(text.replace(" ", ""))
        if CAPTION_RE.match(text) or (len(text) < 250 and (
                italic or (whole and _is_styled_caption(nxt.el)) or _caption_class(nxt.el, container))):
            return clean(text)
    # A caption printed above the image (italic or "Ảnh: …"), when it does not
    # already belong to an image before it.
    i_above = bisect_left(block_pos, pos) - 1
    if i_above >= 0 and _caption_like(blocks[i_above]):
        above = blocks[i_above]
        earlier = blocks[i_above - 1].pos if i_above > 0 else -1
        if not _gap_elements(img_pos, above.pos, pos) and \
                not _gap_elements(img_pos, earlier, above.pos):
            return clean(above.text.replace("\n", " "))
    return None


def _wrapper_caption(img, container) -> str | None:
    node = img.getparent()
    while node is not None and node.tag in ("picture", "source", "a", "span"):
        node = node.getparent()
    if node is None or node is container or node.tag not in ("div", "p", "center", "section"):
        return None
    if len(node.findall(".//img")) != 1 or node.find(".//p") is not None and node.tag != "p":
        return None
    # The image must come first: text before it means an inline picture in a paragraph.
    leading = clean(node.text or "")
    for child in node:
        if child is img or img in set(child.iter()):
            break
        leading += clean(child.text_content()) + clean(child.tail or "")
    if leading:
        return None
    text = clean(node.text_content())
    return text if text and len(text) < 250 else None


def _table_caption(table, img) -> str | None:
    """A 2-3 row table holding the image: the caption is the other rows' text,
    or, for images side by side, the cell under this image."""
    rows = table.xpath("./tr|./tbody/tr|./thead/tr")
    if not 1 < len(rows) <= 3:
        return None
    own = next((r for r in rows if img in set(r.iter())), None)
    others = [r for r in rows if r is not own]
    if own is not None:
        cells = own.xpath("./td|./th")
        if len(cells) > 1:
            index = next((i for i, c in enumerate(cells) if img in set(c.iter())), None)
            for row in others:
                row_cells = row.xpath("./td|./th")
                if index is not None and len(row_cells) == len(cells):
                    text = clean(row_cells[index].text_content())
                    if text:
                        return text
            return None
    text = " ".join(t for t in (clean(r.text_content()) for r in others) if t)
    return text if text and len(text) < 400 else None


CAPTION_CLASS = re.compile(r"caption|chu-?thich|image-?desc|img-?desc|photo-?desc|legend", re.I)


def _caption_class(el, container) -> bool:
    """The block, or a wrapper of it inside the body, is classed as a caption."""
    return _classed(el, CAPTION_CLASS, depth=None, stop=container)


def _gap_elements(img_pos: list[int], pos: float, next_pos: float) -> bool:
    """True if another image sits between an image and the next block
    (`img_pos`: the container's image positions, sorted)."""
    return bisect_right(img_pos, pos) < bisect_left(img_pos, next_pos)


def _is_styled_caption(el) -> bool:
    style = (el.get("style") or "").replace(" ", "").lower()
    if "text-align:center" in style or (el.get("align") or "").lower() == "center":
        return True
    text = clean(el.text_content())
    italic = " ".join(clean(i.text_content()) for i in el.xpath(".//em|.//i"))
    return bool(text) and clean(italic) == text


def extract_images(doc: PageDoc, container, blocks: list[Block], start: float, end: float,
                   elements: list | None = None) -> list[Image]:
    """Images inside the body, and a lead image printed between the title and
    the body container (a CMS's "featured image" field)."""
    images: list[Image] = []
    seen = set()
    first_inside = doc.order[container]  # pre-order: a container comes before its contents
    img_pos = [doc.order[el] for el in container.iter("img")]
    block_pos = [b.pos for b in blocks]
    # (Not an icon in a link: a print button in the meta line.)
    # (Nor an author's avatar on a byline card.)
    lead = [img for img in doc.root.iter("img", "amp-img")
            if start < doc.order.get(img, 0) < first_inside and not doc.is_chrome(img)
            and next(iter(img.iterancestors("a")), None) is None
            and not _classed(img, AVATAR, 3) and not AVATAR.search(img.get("src") or "")]
    for img in lead + list(container.iter("img", "amp-img")):
        pos = doc.order.get(img, 0)
        if pos <= start or pos > end or (_is_icon(img) and not _has_sources(img)):
            continue
        if pos > first_inside and doc.is_chrome(img, stop=container):
            continue
        link = next(iter(img.iterancestors("a")), None)
        if link is not None and re.search(r"\.html?(\?|#|$)|^\s*javascript:", link.get("href") or ""):
            continue  # a thumbnail pointing at another page, or a button's icon
        url = image_url(doc, img)
        if not url or url in seen:
            continue
        seen.add(url)
        caption = _caption_for(doc, img, container, blocks, block_pos, img_pos)
        if elements is not None:
            elements.append(img)
        images.append(Image(url=url, caption=caption, alt=clean(img.get("alt")) or None,
                            position=len(images)))
    return images


def _attachment_boxes(doc: PageDoc, container, levels: int = 3):
    """The body container, then the blocks right after it ("File đính kèm"
    boxes), looking up to `levels` wrappers out, until the first piece of
    chrome or related list."""
    yield container
    node = container
    for _ in range(levels):
        parent = node.getparent()
        if parent is None or parent.tag in ("body", "html"):
            return
        for sibling in node.itersiblings():
            if not isinstance(sibling.tag, str):
                continue
            text = clean(sibling.text_content())
            if doc.is_chrome(sibling) or (STOP_RE.match(text) and not ATTACH_LABEL.match(text)):
                return
            if sibling.find(".//a") is not None or sibling.tag == "a":
                yield sibling
        node = parent


SHARED_DOC = re.compile(r"^https?://(drive|docs)\.google\.com/(file|document|spreadsheets|presentation)/d/", re.I)
GENERIC_LINK_TEXT = re.compile(r"^(tải về|tải xuống|download|xem|xem trực tuyến|tại đây|tải file|file|tệp)?$", re.I)
DOWNLOAD_PARAM = re.compile(r"([?&])(download|dl|attachment|force|forcedownload)=[^&]*", re.I)


def _same_file_key(url: str) -> str:
    """One key for a file and its "download" link (…?version=1.0 and
    …?version=1.0&download=true)."""
    return DOWNLOAD_PARAM.sub(r"\1", url).replace("?&", "?").rstrip("?&")


def extract_attachments(doc: PageDoc, container, start: float, end: float) -> list[Attachment]:
    """Document links and embedded videos from the title to the end of the
    body (and the boxes right after it), a file linked twice counted once
    under its plain URL and its most telling link text."""
    by_key: dict[str, Attachment] = {}
    after = set()
    elements = []
    for box in _attachment_boxes(doc, container):
        for el in box.iter("a", "iframe"):
            elements.append(el)
            if box is not container:
                after.add(el)
    for el in elements:
        pos = doc.order.get(el, 0)
        if el not in after and (pos <= start or pos > end or doc.is_chrome(el, stop=container)):
            continue
        raw = el.get("href") if el.tag == "a" else el.get("src")
        url = doc.resolve(raw)
        if not url:
            continue
        if el.tag == "iframe":
            kind = "video" if VIDEO_RE.search(url) else None
        else:
            m = DOC_EXT.search(url.split("?")[0]) or DOC_EXT.search(url)
            kind = m.group(1).lower() if m else None
            if kind is None and re.search(r"download|tai-?ve|getfile|attachment", url, re.I) and "=" in url:
                kind = "file"
            if kind is None and SHARED_DOC.search(url):
                kind = "drive"  # a document shared from Google Drive / Docs
        if kind is None:
            continue
        url = safe_url_string(url)
        text = (clean(el.text_content()) if el.tag == "a" else clean(el.get("title"))) or None
        key = _same_file_key(url)
        known = by_key.get(key)
        if known is None:
            by_key[key] = Attachment(url=url, text=text, kind=kind, position=len(by_key))
            continue
        # A file linked twice keeps its most telling text ("Kế hoạch số 12"
        # over "Tải về"), and "Tải về" when that is all it has.
        if text and (known.text is None or (GENERIC_LINK_TEXT.match(known.text)
                                            and not GENERIC_LINK_TEXT.match(text))):
            known.text = text
        if len(url) < len(known.url):
            known.url = url
    return list(by_key.values())


# ------------------------------------------------------------------- others

def extract_category(doc: PageDoc) -> str | None:
    for el in doc.root.xpath(
        "//*[contains(@class, 'breadcrumb') or contains(@class, 'Breadcrumb') or "
        "contains(@class, 'BreadCrumb') or contains(@id, 'breadcrumb') or contains(@class, 'duong-dan')]"
    ):
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


def body_html(container, blocks: list[Block], image_elements: list, lead: list[Block] = ()) -> str:
    """The lead, then the container's children that hold kept text or kept
    images, as printed (a related list's thumbnails are not the article's)."""
    keep = {b.el for b in blocks} | set(image_elements)
    parts = [lxml.html.tostring(b.el, encoding="unicode", with_tail=False) for b in lead]
    for child in container:
        if not isinstance(child.tag, str):
            continue
        if child in keep or any(d in keep for d in child.iter()):
            parts.append(lxml.html.tostring(child, encoding="unicode", with_tail=False))
    if not parts and keep:
        parts.append(lxml.html.tostring(container, encoding="unicode", with_tail=False))
    return "\n".join(parts)
