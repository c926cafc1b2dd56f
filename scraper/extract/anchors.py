"""Content anchors: where the title and the dateline sit, each anchoring the other.

With a headline found (`title.find_headline`), the dateline is the one just
below it (or just above it), else one far below that says what it is. With
none, the title is the heading nearest a dateline, else, on an undated page,
the heading with the most running text under it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..dates import ParsedDate, parse_date
from .body import is_stop
from .datelines import DATE_KEYWORD, dateline_candidates, structured_date
from .page import HEADING_TAGS, Block, PageDoc
from .title import SITE_SUFFIX, Headline
from .tuning import (DATE_NEAR_TITLE_BLOCKS, DATE_NEAR_TITLE_CHARS, HEADING_AFTER_DATE_BLOCKS,
                     HEADING_BEFORE_DATE_BLOCKS, RANK_H1_H2, RANK_HEADING, RANK_OTHER,
                     STATIC_TITLE_MIN_TEXT)

# "Ngày 25/09/2024" then "Lúc 06:45" as two separate blocks.
TIME_ONLY = re.compile(r"^(vào\s+)?(lúc|giờ)?\s*:?\s*\d{1,2}\s*[:h]\s*\d{2}(:\d{2})?\s*(SA|CH|AM|PM)?$", re.I)


@dataclass(frozen=True)
class Anchors:
    """Where title, dateline and body start sit in the page."""

    title: str | None
    title_pos: float | None
    date: ParsedDate | None
    dateline: str | None
    date_pos: float | None
    date_near: bool = True  # False: the dateline follows the body


def _rank(block: Block) -> int:
    tag = block.el.tag
    return RANK_H1_H2 if tag in ("h1", "h2") else RANK_HEADING if tag in HEADING_TAGS else RANK_OTHER


def _gap(doc: PageDoc, first: Block, second: Block) -> int:
    """How many text blocks lie between two blocks."""
    return doc.count_between(first.pos, second.pos)


def _text_between(doc: PageDoc, first: Block, second: Block) -> int:
    return doc.plain_chars_between(first.pos, second.pos)


def _text_after(doc: PageDoc, heading: Block, end: float) -> int:
    """Link-free characters from a heading up to `end` (the next heading)."""
    return sum(len(b.text) - b.link_chars for b in doc.blocks
               if heading.pos < b.pos < end and not doc.is_chrome(b.el))


def _near(doc: PageDoc, first: Block, second: Block) -> bool:
    """No paragraph of running text between the two."""
    return (_gap(doc, first, second) <= DATE_NEAR_TITLE_BLOCKS
            and _text_between(doc, first, second) < DATE_NEAR_TITLE_CHARS)


def _date_for_title(doc: PageDoc, title_block: Block, dates: list):
    """(dateline block, date, near) for a known headline."""
    after = [(b, d) for b, d in dates if b.pos > title_block.pos]
    before = [(b, d) for b, d in dates if b.pos < title_block.pos]
    near_after = [x for x in after if _near(doc, title_block, x[0])]
    near_before = [x for x in before if _near(doc, x[0], title_block)]
    # A dateline printed below the body ("Cập nhật: …" at the end) must say
    # what it is, and come before any related-articles list.
    stop = next((b.pos for b in doc.blocks if b.pos > title_block.pos and is_stop(b)), None)
    far_after = [x for x in after if DATE_KEYWORD.search(x[0].text) and (stop is None or x[0].pos < stop)]
    pick = near_after[:1] or near_before[-1:] or far_after[:1]
    if not pick:
        return None, None, True
    date_block, date = pick[0]
    return date_block, date, bool(near_after[:1] or near_before[-1:])


def _title_for_dates(doc: PageDoc, headings: tuple[Block, ...], dates: list):
    """(title block, dateline block, date): the heading nearest a dateline,
    before it (usual) or right after it."""
    for block, parsed in dates:
        near = [(_gap(doc, h, block) + _rank(h), h) for h in headings
                if h.pos < block.pos and _gap(doc, h, block) <= HEADING_BEFORE_DATE_BLOCKS]
        near += [(_gap(doc, block, h) + _rank(h), h) for h in headings
                 if h.pos > block.pos and _gap(doc, block, h) <= HEADING_AFTER_DATE_BLOCKS]
        if near:
            return min(near, key=lambda x: (x[0], x[1].pos))[1], block, parsed
    return None, None, None


def _level(block: Block) -> int:
    """h1 to h6 as 1 to 6; a bold or classed line ranks below them."""
    tag = block.el.tag
    return int(tag[1]) if tag in HEADING_TAGS else 7


def _section_ends(headings: tuple[Block, ...]) -> list[float]:
    """Where each heading's section ends: at the next heading of its level or
    a higher one (an <h1>'s section holds its <h2> subsections)."""
    ends = []
    for i, h in enumerate(headings):
        level = _level(h)
        ends.append(next((n.pos for n in headings[i + 1:] if _level(n) <= level), float("inf")))
    return ends


def _static_title(doc: PageDoc, headings: tuple[Block, ...]) -> Block:
    """No dateline to anchor on (a static page): the heading with the most
    running text under it, not a slider's or a box's caption."""
    ends = _section_ends(headings)
    under = [_text_after(doc, h, end) for h, end in zip(headings, ends)]
    best = max(under)
    if best >= STATIC_TITLE_MIN_TEXT:
        return headings[under.index(best)]
    h1 = [h for h in headings if h.el.tag == "h1"]
    return (h1 or headings)[0]


def find_anchors(doc: PageDoc, headline: Headline) -> Anchors:
    """Locate the dateline from the headline, or the title from the datelines.
    `doc` is the page with the headline's wrapper protected, if it has one."""
    title_block = headline.block
    dates = dateline_candidates(doc)
    date_block = date = None
    date_near = True
    if title_block is not None:
        date_block, date, date_near = _date_for_title(doc, title_block, dates)
    else:
        title_block, date_block, date = _title_for_dates(doc, headline.headings, dates)
        if title_block is None and headline.headings:
            title_block = _static_title(doc, headline.headings)
    title = title_block.text if title_block is not None else None
    if title is None and headline.meta_title:
        title = SITE_SUFFIX.sub("", headline.meta_title) or None
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
