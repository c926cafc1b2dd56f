"""Datelines: the printed line that says when an article was published.

A dateline is found by its text pattern, not by its place or class: a short
line holding a date (with a four-digit year), little else besides dateline
words ("Cập nhật", a weekday, a time, views), and no label that makes the
date a document's issue or effective date. `structured_date` reads the same
from JSON-LD, meta tags and <time datetime>.
"""
from __future__ import annotations

import re

from lxml import etree

from ..dates import ParsedDate, date_count, parse_date, parse_iso
from .page import Block, PageDoc, classed
from .select import elements
from .text import fold
from .tuning import (BARE_DATE_RESIDUE, BREADCRUMB_DEPTH, DATE_LABEL_MAX_CHARS, DATELINE_MAX_CHARS,
                     DATELINE_MAX_RESIDUE, INFO_BOX_MAX_CHARS, MOSTLY_LINKS)

# A dateline names itself ("Cập nhật", a weekday, a time) or is a bare date.
DATE_HINT = re.compile(
    r"cập nhật|ngày đăng|đăng lúc|đăng ngày|thời gian|ngày|thứ|chủ nhật|gmt|utc|\d{1,2}:\d{2}",
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
NOT_LETTERS = re.compile(r"[\W\d_]+")
# A line that says it is a dateline even far below the title.
DATE_KEYWORD = re.compile(r"cập nhật|ngày đăng|đăng lúc|gửi lúc|đăng ngày|xuất bản|thời gian đăng|ngày cập nhật|posted", re.I)
# A bare date labelled as a document's issue or effective date is not the
# publication date (legal-document metadata tables).
OTHER_DATE_LABEL = re.compile(r"ban hành|hiệu lực|ngày ký|hết hạn|hết hiệu lực|sửa đổi", re.I)
# A period ("Từ ngày 04/3/2024 đến ngày 08/3/2024"), not a dateline.
DATE_RANGE = re.compile(r"\btừ\b.*\bđến\b|\d{4}\s*[-–]\s*(ngày\s*)?\d{1,2}\s*[/.\-]\s*\d{1,2}", re.I)
# "Ngày đăng" (published) over "Cập nhật" (updated) when both are printed.
PUBLISHED_WORD = re.compile(r"đăng|xuất bản|gửi lúc|posted", re.I)
BREADCRUMB = re.compile(r"breadcrumb|duong-?dan", re.I)
TIME_OF_DAY = re.compile(r"\d{1,2}\s*[:h]\s*\d{2}")
# Every form parse_date reads carries a four-digit year: without one, skip
# the (costly) residue test; most blocks of a page have no year in them.
FOUR_DIGITS = re.compile(r"\d{4}")
# Compiled once, not per call.
_TIMES = etree.XPath("//time[@datetime]")


def residue(text: str) -> int:
    """Letters left once the date's own words are taken out."""
    rest = DATELINE_WORDS.sub(" ", fold(text))
    return len(NOT_LETTERS.sub("", rest))


def dateline_like(text: str) -> bool:
    """The line reads as a dateline (used to keep datelines out of leads and
    off the end of the body)."""
    return (len(text) <= DATELINE_MAX_CHARS and FOUR_DIGITS.search(text) is not None
            and residue(text) <= DATELINE_MAX_RESIDUE and parse_date(text) is not None)


def _dateline(text: str, label: Block | None) -> ParsedDate | None:
    """The date of a dateline line; `label` is the block before it, which
    may say what a bare date is ("Ngày ban hành:")."""
    if len(text) > DATELINE_MAX_CHARS or not FOUR_DIGITS.search(text):
        return None
    rest = residue(text)
    if rest > DATELINE_MAX_RESIDUE or not (DATE_HINT.search(text) or rest <= BARE_DATE_RESIDUE):
        return None
    if OTHER_DATE_LABEL.search(text) or (
            rest <= BARE_DATE_RESIDUE and label is not None and len(label.text) < DATE_LABEL_MAX_CHARS
            and label.text.endswith(":") and OTHER_DATE_LABEL.search(label.text)):
        return None
    if date_count(text) > 1 and DATE_RANGE.search(text):
        return None
    return parse_date(text)


def _dated_lines(doc: PageDoc) -> list:
    """(block, in breadcrumb, number of lines, [(line index, line, date)]) for
    each block with a line that reads as a dateline, before the chrome test.
    It depends on the parsed page alone, so it is read once per page and kept
    in `doc.memo`, which the page's protected and excluding copies share."""
    found = doc.memo.get("dated_lines")
    if found is not None:
        return found
    found = []
    previous = None
    for block in doc.blocks:
        label, previous = previous, block
        in_breadcrumb = classed(block.el, BREADCRUMB, BREADCRUMB_DEPTH)
        if block.link_chars > len(block.text) * MOSTLY_LINKS and not in_breadcrumb:
            continue
        # An info box prints the date as one line among others
        # ("Chuyên mục: …", "Ngày đăng: …", "Lượt xem: …"): each line counts.
        lines = block.text.split("\n") if len(block.text) <= INFO_BOX_MAX_CHARS else [block.text]
        dated = [(i, text, parsed) for i, text in enumerate(lines)
                 if (parsed := _dateline(text, label if i == 0 else None)) is not None]
        if dated:
            found.append((block, in_breadcrumb, len(lines), dated))
    doc.memo["dated_lines"] = found
    return found


def dateline_candidates(doc: PageDoc) -> list[tuple[Block, ParsedDate]]:
    """Every dateline on the page outside chrome, one per block, in document order."""
    found = []
    for block, in_breadcrumb, line_count, lines in _dated_lines(doc):
        dated = []
        for i, text, parsed in lines:
            if doc.is_chrome(block.el) and not (in_breadcrumb and TIME_OF_DAY.search(text)):
                continue  # (a breadcrumb line may end with the dateline)
            # A line of a box gets a position of its own, still before the
            # next element's (an info box has fewer than 300 lines).
            candidate = block if line_count == 1 else Block(
                block.el, text, block.pos + i / 1000, 0, 0)
            dated.append((candidate, parsed))
        published = [d for d in dated if PUBLISHED_WORD.search(d[0].text)]
        found.extend((published or dated)[:1])
    return found


def _microdata_dates(root) -> list:
    """//*[@itemprop='datePublished'] | //abbr[contains(@class, 'published')],
    matched in Python (libxml2's contains() on every element costs more)."""
    return [el for el in elements(root) if el.get("itemprop") == "datePublished"
            or (el.tag == "abbr" and "published" in (el.get("class") or ""))]


def structured_date(doc: PageDoc) -> ParsedDate | None:
    """The publication date given as data: JSON-LD, meta tags, <time>, microdata."""
    for item in doc.jsonld:
        value = item.get("datePublished") or item.get("dateCreated")
        if isinstance(value, str) and (parsed := parse_iso(value)):
            return parsed
    for key in ("article:published_time", "datepublished", "pubdate", "publishdate",
                "og:published_time", "dc.date.issued", "dc.date"):
        if (value := doc.meta.get(key)) and (parsed := parse_iso(value) or parse_date(value)):
            return parsed
    for el in _TIMES(doc.root):
        if not doc.is_chrome(el) and (parsed := parse_iso(el.get("datetime"))):
            return parsed
    # Microdata and microformats: itemprop="datePublished", <abbr class="published" title=…>.
    for el in _microdata_dates(doc.root):
        value = el.get("content") or el.get("datetime") or el.get("title") or ""
        if not doc.is_chrome(el) and (parsed := parse_iso(value)):
            return parsed
    return None
