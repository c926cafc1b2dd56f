"""Where the byline is printed: after the body, in the meta line, or only in
structured data. Reading a line once found (name, role, source) is
`bylines.parse_byline`'s job.
"""
from __future__ import annotations

import re

from .body import is_stop
from .bylines import POSTED_AT, has_label, is_byline_text, is_caption_line, looks_like_name, parse_byline
from .datelines import DATE_KEYWORD, dateline_like, residue
from .media import caption_like
from .page import Block, PageDoc
from .text import clean
from .tuning import (BARE_DATE_RESIDUE, BOLD_BYLINE_MIN_SENTENCE, BYLINE_BEFORE_PHOTO_MAX_CHARS,
                     TWO_LINE_BYLINE_MAX_CHARS)

AUTHOR_CLASS = re.compile(r"(^|[\s_\-])(author|byline|credits?|createdby|created-by|posted-by|poster|submitted|username|tac-?gia|writer|reporter|source|nguon)($|[\s_\-])", re.I)
AUTHOR_LABEL = re.compile(r"^(tác giả|viết bởi|người viết|phóng viên|đăng bởi|người đăng)\s*:?$", re.I)
SENTENCE_END = (".", "!", "?", "…", "”", "\"")


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
    if len(before) < BOLD_BYLINE_MIN_SENTENCE or not before.endswith(SENTENCE_END):
        return None
    return text if is_byline_text(text) and not is_caption_line(text) else None


def split_byline(doc: PageDoc, blocks: list[Block], container) -> tuple[list[Block], str | None]:
    """Take the byline off the end of the body: the last short line that reads as
    a name, a "Tác giả:" line or a source credit."""
    # An update line after the byline ("Cập nhật lần cuối: …") is metadata.
    while blocks and dateline_like(blocks[-1].text) and (
            DATE_KEYWORD.search(blocks[-1].text) or residue(blocks[-1].text) <= BARE_DATE_RESIDUE):
        blocks = blocks[:-1]
    if not blocks:
        return blocks, None
    last = blocks[-1]
    if len(blocks) >= 2 and caption_like(last) and is_byline_text(blocks[-2].text) \
            and not is_caption_line(blocks[-2].text) and len(blocks[-2].text) <= BYLINE_BEFORE_PHOTO_MAX_CHARS:
        # The byline, then one more photo with its caption.
        return blocks[:-2] + [last], blocks[-2].text
    lines = last.text.split("\n")
    if (len(lines) == 2 and len(last.text) <= TWO_LINE_BYLINE_MAX_CHARS and is_byline_text(lines[0])
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
