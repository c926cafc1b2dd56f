"""The article's body: its container, its blocks, its lead and where it ends.

The container is a site selector's element, else the element holding most of
the paragraph text after the title (each block scores for itself, its parent
and its grandparent). The body is the container's text blocks after the
title, up to the first stop line ("Tin khác", "Chia sẻ"), without link lines,
attachment labels, page numbers and running headers.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

import lxml.html
from lxml import etree

from .bylines import CAPTION_RE, is_byline_text
from .datelines import dateline_like
from .page import Block, PageDoc, classed
from .select import by_classes, elements
from .text import clean
from .tuning import (ATTACH_BOX_DEPTH, HEADLINE_MIN_CHARS, ATTACH_LABEL_MAX_CHARS, CAPTION_CLASS_DEPTH, LINK_LINE_MAX_CHARS, LINK_LIST_SHARE,
                     MAX_LINK_DENSITY, MOSTLY_LINKS, RUNNING_LINE_MAX_CHARS, RUNNING_LINE_REPEATS,
                     SCORE_GRANDPARENT, SECTION_LEVELS, SECTION_MAX_LINK_SHARE,
                     SECTION_MIN_CHARS, SCORE_MIN_BLOCK_CHARS, SCORE_PARENT, SCORE_SELF,
                     RESUME_MAX_SKIPPED, RESUME_PARAGRAPHS,
                     SELECTOR_BODY_MIN_CHARS, SENTENCE_MIN_CHARS, STOP_HEADING_MAX,
                     STOP_LINK_LINE_MIN_CHARS, WIDEN_LEVELS, WIDEN_MAX_LINK_SHARE,
                     WIDEN_MAX_PARAGRAPHS, WIDEN_MIN_MEAN_CHARS)

# Site selectors: a first try only; class names on the real site are unknown.
# In this order: //*[@itemprop='articleBody'], then each class name, as
# //*[contains(concat(' ', normalize-space(@class), ' '), ' <name> ')]
# (matched in Python: `_selected`).
BODY_ITEMPROP = "articleBody"
BODY_CLASSES = ("detail-content", "content-detail", "news-content", "article-content", "entry-content")
# Where the article ends: related blocks, share widgets, tags.
STOP_RE = re.compile(
    r"^(tin khác|các tin khác|tin cùng chuyên mục|tin cùng loại|tin liên quan|bài viết khác|"
    r"các bài viết khác|bài liên quan|bài viết liên quan|xem thêm|tin đã đưa|các tin đã đưa|"
    r"tin mới hơn|tin cũ hơn|chia sẻ|share|từ khóa|từ khoá|tags?\s*:|bình luận|ý kiến bạn đọc|"
    r"gửi bình luận|in bài viết|quay lại|về đầu trang|lượt xem|có liên quan|related|"
    # The same markers on pages from elsewhere (English, German, French,
    # Spanish, Portuguese), seen on trafilatura's evaluation pages.
    r"leave a (reply|comment)|zum weiterlesen|comments?\b|you (may|might) also like|about the author|"
    r"join our newsletter|sign up for our newsletter|share this|this entry was posted|posted in\b|"
    r"categor(y|ies)\s*:|subscribe\b|support (us|our)\b|"
    r"kommentare?\b|ähnliche (beiträge|artikel)|das könnte sie auch interessieren|über den autor|"
    r"mehr zum thema|weitere (artikel|beiträge)|war (der|dieser) (artikel|beitrag) (nützlich|hilfreich)|"
    r"wie bewerten sie|diesen (artikel|beitrag) (teilen|bewerten)|teilen\s*:|möchten sie (den|diesen) (artikel|beitrag)|"
    r"dieser eintrag wurde|kategorien?\s*:|unterstützen sie|verpasse keine|newsletter abonnieren|"
    r"empfohlene (beiträge|artikel)|lesen sie auch|schon gelesen|auch interessant|lust auf mehr|"
    r"das könnte dich auch interessieren|"
    r"vous aimerez aussi|à lire aussi|sur le même sujet|partager|"
    r"te puede interesar|le puede interesar|noticias relacionadas|comentarios|compartir|veja também|leia também)",
    re.I,
)
# Markers of comments: what follows them is never the article's.
COMMENTS_MARKER = re.compile(r"^(bình luận|ý kiến bạn đọc|gửi bình luận|leave a (reply|comment)|comments?\b|"
                             r"kommentare?\b|comentarios)", re.I)
# A related list in the middle of the body, after which the article goes on.
INLINE_RELATED = re.compile(r"^(tin liên quan|bài liên quan|bài viết liên quan|xem thêm|đọc thêm)", re.I)
PAGE_NUMBER = re.compile(r"^(trang|page|tr\.)\s*\d+(\s*(/|of|trên)\s*\d+)?$", re.I)
ATTACH_LABEL = re.compile(r"^(tập tin|file|tệp|tài liệu|văn bản)( đính kèm| kèm theo)|^đính kèm", re.I)
# Attachment boxes inside a post: their file lines are not body text.
ATTACH_BOX = re.compile(r"attachbox|attachments?(\b|_|-)|file-?attach|dinh-?kem", re.I)
# "<a>Headline</a> (12/12/2024)": a related item.
DATED_ITEM = re.compile(r"[(\[]?\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}[)\]]?\s*$")
# A photo's caption or credit set apart by its class (not a <figcaption>).
CAPTION_CLASS = re.compile(r"caption|credit|bildunterschrift|legende|(image|img|photo|bild)[-_]?(text|desc|source)",
                           re.I)
# Layout tables: a cell's siblings are other cells (a sidebar), not sections.
TABLE_PARTS = frozenset("table tbody thead tr td th".split())
_CELLS = etree.XPath("./td|./th")  # compiled once, not per call
_ROWS = etree.XPath("./tr|./tbody/tr")
# Siblings that are never a section of the body: a <header> or <footer> not
# taken for chrome (an <article>'s own: meta line, author's bio), a form.
NOT_SECTION_TAGS = frozenset("header footer aside nav form".split())
# An author's bio box after the post: running text, but not the article's.
AUTHOR_BOX = re.compile(r"author[-_]?(bio|box|description|about|profile|info)|about[-_]?(the[-_]?)?author|"
                        r"(post|entry)[-_]author|bio[-_]?box", re.I)
# A box set inside the article, not part of it: a call to action, an aside, a
# promotion. Skipped between two sections, and left out.
INSET_BOX = re.compile(r"(^|[\s_-])(cta|aside|promo|teaser|newsletter)($|[\s_-])", re.I)
LEAD_CLASS = re.compile(r"sapo|lead|summary|tom-?tat|intro|chapeau|excerpt|abstract|description", re.I)


def is_stop(block: Block) -> bool:
    """Where the article ends: a "Tin khác"/"Chia sẻ" heading. An inline
    "Xem thêm: <a>headline</a>" line is skipped, not an end."""
    if not STOP_RE.match(block.text):
        return False
    if len(block.text) - block.link_chars > STOP_HEADING_MAX:
        return False  # running text that opens with the words: "Chia sẻ tại hội nghị, …"
    return not (len(block.text) > STOP_LINK_LINE_MIN_CHARS
                and block.link_chars >= MOSTLY_LINKS * len(block.text))


def _selected(root) -> list:
    """The site selectors' elements: the itemprop's, then each class name's,
    each in document order (what the selectors' XPaths give, one after the other)."""
    itemprop = [el for el in elements(root) if el.get("itemprop") == BODY_ITEMPROP]
    return itemprop + [el for hits in by_classes(root, BODY_CLASSES) for el in hits]


def find_body_container(doc: PageDoc, start: float, selectors: bool = True):
    """The element holding most of the article's paragraph text after `start`
    (a site selector's first, unless `selectors` is False)."""
    for el in _selected(doc.root) if selectors else ():
        if len(clean(el.text_content())) > SELECTOR_BODY_MIN_CHARS and not doc.is_chrome(el):
            return el
    scores: dict = {}
    for block in doc.blocks:
        if block.pos <= start or len(block.text) < SCORE_MIN_BLOCK_CHARS:
            continue
        if block.link_chars > len(block.text) * MAX_LINK_DENSITY or doc.is_chrome(block.el):
            continue
        weight = len(block.text)
        parent = block.el.getparent()
        # A block scores for itself too: bare layouts put the text in one <td>.
        scores[block.el] = scores.get(block.el, 0) + weight * SCORE_SELF
        if parent is not None:
            scores[parent] = scores.get(parent, 0) + weight * SCORE_PARENT
            grand = parent.getparent()
            if grand is not None:
                scores[grand] = scores.get(grand, 0) + weight * SCORE_GRANDPARENT
    if not scores:
        return None
    return max(scores.items(), key=lambda kv: kv[1])[0]


def continue_table(doc: PageDoc, container):
    """An old table layout that splits one article over several one-cell rows
    (text, a photo cell, more text, the byline): the article is the table."""
    if container.tag == "tr" and len(_CELLS(container)) == 1:
        container = _CELLS(container)[0]
    if container.tag != "td":
        return container
    row = container.getparent()
    table = row.getparent() if row is not None else None
    if table is not None and table.tag == "tbody":
        table = table.getparent()
    if row is None or table is None or table.tag != "table" or len(_CELLS(row)) != 1:
        return container
    rows = _ROWS(table)
    if any(len(_CELLS(r)) != 1 for r in rows):
        return container
    following = rows[rows.index(row) + 1:] if row in rows else []
    extra = 0
    for r in following:
        text = clean(r.text_content())
        if doc.is_chrome(r) or STOP_RE.match(text):
            break
        links = sum(len(clean(a.text_content())) for a in r.iter("a"))
        if text and links > MOSTLY_LINKS * len(text):
            break
        if text or r.find(".//img") is not None:
            extra += 1
    return table if extra else container


def _inline_related(doc: PageDoc, marker: Block, inside: set) -> bool:
    """A "Tin liên quan:" list in the middle of the body: after its links the
    article goes on (a paragraph of running text follows in the body)."""
    if not INLINE_RELATED.match(marker.text):
        return False
    for block in doc.blocks:
        if block.pos <= marker.pos or block.el not in inside:
            continue
        if block.link_chars >= LINK_LIST_SHARE * len(block.text):
            continue  # the list's own links
        return len(block.text) >= SENTENCE_MIN_CHARS and block.link_chars == 0 and not is_stop(block)
    return False


def _body_resumes(doc: PageDoc, marker: Block, inside: set) -> bool:
    """A share bar, a newsletter box or a "Related" teaser set inside the
    body: after a few short or linked lines, the article's running text goes
    on, two link-free paragraphs in a row. A teaser list never reads so (its
    summaries alternate with headline links), and comments are never resumed."""
    if COMMENTS_MARKER.match(marker.text):
        return False
    lo = bisect_right(doc.block_pos, marker.pos)
    prose, skipped = 0, 0
    for block in doc.blocks[lo:]:
        if block.el not in inside:
            continue
        if len(block.text) >= SENTENCE_MIN_CHARS and block.link_chars == 0 and not is_stop(block):
            prose += 1
            if prose == RESUME_PARAGRAPHS:
                return True
            continue
        if prose or is_stop(block):
            return False
        skipped += 1
        if skipped > RESUME_MAX_SKIPPED:
            return False
    return False


def _drop_running_lines(blocks: list[Block]) -> list[Block]:
    """A short line printed again and again (a print layout's running header)
    is not body text."""
    counts: dict[str, int] = {}
    for b in blocks:
        # Captions may repeat ("Ảnh minh họa") and stay.
        if len(b.text) < RUNNING_LINE_MAX_CHARS and not CAPTION_RE.match(b.text) and b.italic_chars == 0:
            counts[b.text] = counts.get(b.text, 0) + 1
    return [b for b in blocks if counts.get(b.text, 0) < RUNNING_LINE_REPEATS]


_STOP, _SKIP, _KEEP = 1, 2, 3


def _verdict(block: Block) -> int:
    """What the body makes of a block by its own text and classes, wherever
    the container is: where it ends (_STOP), not its text (_SKIP), or text."""
    if is_stop(block):
        return _STOP
    if (ATTACH_LABEL.match(block.text) and len(block.text) < ATTACH_LABEL_MAX_CHARS
            or classed(block.el, ATTACH_BOX, ATTACH_BOX_DEPTH)):
        return _SKIP  # "File đính kèm:" and the file lines under it
    if PAGE_NUMBER.match(block.text):
        return _SKIP  # "Trang 1/2": a printed page's footer
    if (STOP_RE.match(block.text) and len(block.text) - block.link_chars <= STOP_HEADING_MAX) or (
            len(block.text) < LINK_LINE_MAX_CHARS and (
                block.link_chars >= len(block.text) * LINK_LIST_SHARE
                or (block.link_chars >= len(block.text) * MOSTLY_LINKS
                    and DATED_ITEM.search(block.text)))):
        return _SKIP  # "Xem thêm: <a>…</a>", lone links, "<a>Headline</a> (12/12/2024)" items
    return _KEEP


def body_blocks(doc: PageDoc, container, start: float) -> list[Block]:
    """The container's text blocks after `start` that are the article's."""
    inside = set(container.iter())
    # Each block's `_verdict`, read once per page (body_blocks runs for the
    # container, each wider candidate and each reading of the page).
    verdicts = doc.memo.get("body_verdicts")
    if verdicts is None:
        verdicts = doc.memo["body_verdicts"] = [None] * len(doc.blocks)
    kept = []
    for i, block in enumerate(doc.blocks):
        if block.el not in inside or block.pos <= start:
            continue
        if doc.is_chrome(block.el, stop=container):
            continue
        verdict = verdicts[i]
        if verdict is None:
            verdict = verdicts[i] = _verdict(block)
        if verdict == _STOP:
            if kept and not (_inline_related(doc, block, inside) or _body_resumes(doc, block, inside)):
                break
            continue
        if verdict == _SKIP:
            continue
        kept.append(block)
    # A <figcaption> is its photo's caption (images[].caption), not body text,
    # unless the captions are all the text there is (a photo story).
    prose = [b for b in kept if b.el.tag != "figcaption"]
    return _drop_running_lines(prose or kept)


def is_photo_caption(block: Block) -> bool:
    """A <figcaption>, or a line classed as a caption or credit: its photo's."""
    return block.el.tag == "figcaption" or classed(block.el, CAPTION_CLASS, CAPTION_CLASS_DEPTH)


def without_captions(blocks: list[Block]) -> list[Block]:
    """The body text without lines classed as a photo's caption or credit
    (read by then into images[].caption), unless nothing else is left."""
    prose = [b for b in blocks if not classed(b.el, CAPTION_CLASS, CAPTION_CLASS_DEPTH)]
    return prose or blocks


def widen_container(doc: PageDoc, container, start: float, levels: int = WIDEN_LEVELS):
    """Page builders (Tilda) give every paragraph its own nested record, so the
    best-scoring element holds one paragraph. Climb while the wider element
    only adds running text: paragraph-length blocks with few links."""
    best = container
    current = set(b.pos for b in body_blocks(doc, container, start))
    if len(current) > WIDEN_MAX_PARAGRAPHS:
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
        if links > WIDEN_MAX_LINK_SHARE * chars or chars / len(extra) < WIDEN_MIN_MEAN_CHARS:
            break
        best, current = node, set(b.pos for b in blocks)
    return best


def _section_blocks(doc: PageDoc, el, start: float) -> list[Block]:
    """The text blocks inside `el` that start after `start`."""
    lo = bisect_right(doc.block_pos, max(start, doc.order[el] - 0.5))
    hi = bisect_left(doc.block_pos, doc.last_order(el) + 0.5)
    return list(doc.blocks[lo:hi])


def _headline_link(block: Block) -> bool:
    """A line that is a headline-length link and little else: a teaser's."""
    return block.link_chars >= HEADLINE_MIN_CHARS and block.link_chars >= LINK_LIST_SHARE * len(block.text)


def section_kind(doc: PageDoc, el, start: float) -> str:
    """How a sibling of the body container reads: "text" (more of the
    article: running text with few links), "minor" (a subheading, a caption,
    a short run of links), "empty" (no text after `start`: a photo, an ad
    slot, a spacer), "inset" (a call to action or an aside set between
    sections), or "other" (a related list, comments, an author's bio, a
    "Tin khác" box: the article has ended)."""
    if not isinstance(el.tag, str):
        return "empty"
    blocks = _section_blocks(doc, el, start)
    if doc.is_chrome(el):
        # An ad slot between two sections is bridged; comments or a related
        # box with text end the article.
        return "other" if blocks else "empty"
    # (The caller has checked that no ancestor of `el` is chrome, so the
    # cached, unbounded test is the bounded one.)
    blocks = [b for b in blocks if not doc.is_chrome(b.el)]
    if not blocks:
        return "empty"
    if classed(el, INSET_BOX, 1):
        return "inset"
    if (el.tag in NOT_SECTION_TAGS or classed(el, AUTHOR_BOX, 1)
            or any(is_stop(b) for b in blocks)):
        return "other"  # an <article>'s <footer>, an author's bio, a form
    chars = sum(len(b.text) for b in blocks)
    links = sum(b.link_chars for b in blocks)
    if links > SECTION_MAX_LINK_SHARE * chars:
        # A long run of links is a related list; a short one (an embedded
        # post, a product box) may sit between two sections.
        return "other" if chars >= SECTION_MIN_CHARS else "minor"
    prose = any(len(b.text) >= SENTENCE_MIN_CHARS and b.link_chars <= SECTION_MAX_LINK_SHARE * len(b.text)
                for b in blocks)
    # A subheading, a caption, a sign-up box's two lines: part of the body
    # only between two sections.
    if not (prose and chars >= SECTION_MIN_CHARS):
        return "minor"
    # Running text under a headline link is a teaser for another page.
    return "other" if any(_headline_link(b) for b in blocks) else "text"


def _merge_run(doc: PageDoc, siblings: list, start: float) -> tuple[list, bool]:
    """The siblings, in reading order away from the body, that continue it:
    text sections, and the empty or minor ones between two of them. True as
    second value when an "other" sibling ended the run (the article ended)."""
    taken, pending = [], []
    for sib in siblings:
        kind = section_kind(doc, sib, start)
        if kind == "text":
            taken += pending + [sib]
            pending = []
        elif kind == "other":
            return taken, True
        elif kind != "inset":
            pending.append(sib)  # (an inset box is crossed, and left out)
    return taken, False


def merge_sections(doc: PageDoc, container, start: float, levels: int = SECTION_LEVELS):
    """An article split over sibling elements (one <div> per section, a photo
    or an ad slot between them): the container grows to the ancestor holding
    every section, and what is not the article among that ancestor's children
    (a share bar, a sidebar, an inset box) is excluded. It never grows past
    the article's end: a stop line in the body, or an "other" sibling.

    Returns (container, elements to exclude)."""
    excluded: set = set()
    if any(is_stop(b) for b in _section_blocks(doc, container, start)):
        return container, frozenset()
    node, best = container, container
    ended = False
    for _ in range(levels):
        parent = node.getparent()
        if (parent is None or parent.tag in ("body", "html") or parent.tag in TABLE_PARTS
                or node.tag in TABLE_PARTS or doc.is_chrome(parent)):
            break
        children = [c for c in parent if isinstance(c.tag, str)]
        i = children.index(node)
        before, _ = _merge_run(doc, list(reversed(children[:i])), start)
        after, ended_here = ([], True) if ended else _merge_run(doc, children[i + 1:], start)
        ended = ended or ended_here
        if before or after:
            keep = {node, *before, *after}
            excluded |= {c for c in children if c not in keep}
            best = parent
        elif ended:
            break
        else:
            excluded |= {c for c in children if c is not node}
        node = parent
    if best is container:
        return container, frozenset()
    inside = set(best.iter())
    return best, frozenset(e for e in excluded if e in inside)


def pre_date_lead(doc: PageDoc, title_pos: float, date_pos: float) -> list[Block]:
    """A lead printed between the title and a dateline below it (title, lead,
    then date and byline): sentence-length, link-free blocks outside chrome."""
    return [b for b in doc.blocks
            if title_pos < b.pos < date_pos and not doc.is_chrome(b.el)
            and len(b.text) >= SENTENCE_MIN_CHARS and b.link_chars == 0
            and not dateline_like(b.text) and not is_byline_text(b.text) and not is_photo_caption(b)]


def lead_blocks(doc: PageDoc, container, start: float) -> list[Block]:
    """The lead (sapô) that many layouts print between the title and the body
    container: a sentence-length, link-free block, or one classed as a lead."""
    first_inside = doc.order[container]  # pre-order: a container comes before its contents
    lead = []
    for block in doc.blocks:
        if not start < block.pos < first_inside or doc.is_chrome(block.el):
            continue
        is_classed = classed(block.el, LEAD_CLASS)
        sentence = len(block.text) >= SENTENCE_MIN_CHARS and block.link_chars == 0
        if ((is_classed or sentence) and not dateline_like(block.text) and not is_byline_text(block.text)
                and not is_photo_caption(block)):
            lead.append(block)
    return lead


def stop_pos(doc: PageDoc, container, start: float) -> float:
    """Where the first stop line inside the container is, else its last element."""
    inside = set(container.iter())
    for block in doc.blocks:
        if block.pos > start and block.el in inside and is_stop(block):
            return block.pos
    return doc.last_order(container)


def end_pos(doc: PageDoc, container, blocks: list[Block]) -> int:
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
