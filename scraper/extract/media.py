"""Images with their captions, and attached files, inside the article.

Images are those of the body container (and a lead image printed between
the title and the body) up to where the kept body ends; icons, placeholders,
avatars and thumbnails linking to other pages are not. A caption is a
<figcaption>, a table row, an element classed as one, a figure-like
wrapper's text, or the line next to the photo that reads as a caption.
Attachments are document links and embedded videos from the title to the
first stop line, and in the file boxes just after the body.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from lxml import etree
from w3lib.url import safe_url_string

from ..items import Attachment, Image
from .body import ATTACH_LABEL, STOP_RE
from .bylines import CAPTION_RE
from .page import Block, PageDoc, classed
from .text import clean
from .tuning import (ATTACHMENT_BOX_LEVELS, CAPTION_MAX_CHARS, CLASS_HINT_DEPTH, ICON_MAX_PX,
                     ITALIC_CAPTION_SHARE, TABLE_CAPTION_MAX_CHARS, TABLE_CAPTION_MAX_ROWS)

LAZY_ATTRS = ("data-src", "data-original", "data-lazy-src", "data-lazy", "lazy-src", "data-url", "src")
PLACEHOLDER_RE = re.compile(r"(^|/)(blank|placeholder|spacer|loading|lazy|pixel|grey|gray|transparent|no-?image)[\w.-]*\.(gif|png|jpe?g|svg|webp)(\?|$)", re.I)
PIXELS = re.compile(r"\s*(\d+)\s*(px)?\s*$")  # "40", "40px"; not "30%"
CAPTION_CLASS = re.compile(r"caption|chu-?thich|image-?desc|img-?desc|photo-?desc|legend", re.I)
# An author's avatar on a byline card is not a photo of the article.
AVATAR = re.compile(r"avatar|author|tac-?gia|gravatar", re.I)
# A thumbnail pointing at another page, or a button's icon.
PAGE_LINK = re.compile(r"\.html?(\?|#|$)|^\s*javascript:")
# A file extension ends the path, or a path segment (Liferay: file.pdf/<uuid>).
DOC_EXT = re.compile(r"\.(pdf|docx?|xlsx?|pptx?|zip|rar|7z|odt|ods)(\?|#|/|$)", re.I)
DOWNLOAD_URL = re.compile(r"download|tai-?ve|getfile|attachment", re.I)
VIDEO_RE = re.compile(r"(youtube\.com|youtu\.be|vimeo\.com|facebook\.com/plugins/video)", re.I)
SHARED_DOC = re.compile(r"^https?://(drive|docs)\.google\.com/(file|document|spreadsheets|presentation)/d/", re.I)
GENERIC_LINK_TEXT = re.compile(r"^(tải về|tải xuống|download|xem|xem trực tuyến|tại đây|tải file|file|tệp)?$", re.I)
DOWNLOAD_PARAM = re.compile(r"([?&])(download|dl|attachment|force|forcedownload)=[^&]*", re.I)

# Compiled once, not per call.
_TABLE_ROWS = etree.XPath("./tr|./tbody/tr|./thead/tr")
_CELLS = etree.XPath("./td|./th")
_ITALICS = etree.XPath(".//em|.//i")


def caption_like(block: Block) -> bool:
    """The block reads as a caption: "Ảnh: …", or short and (nearly) all italic."""
    return bool(CAPTION_RE.match(block.text)) or (
        block.italic_chars >= ITALIC_CAPTION_SHARE * len(block.text.replace(" ", ""))
        and len(block.text) < CAPTION_MAX_CHARS)


# -------------------------------------------------------------------- images

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
        value = PIXELS.match(img.get(attr) or "")
        if value and int(value.group(1)) <= ICON_MAX_PX:
            return True
    return False


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


def _table_caption(table, img) -> str | None:
    """A 2-3 row table holding the image: the caption is the other rows' text,
    or, for images side by side, the cell under this image."""
    rows = _TABLE_ROWS(table)
    if not 1 < len(rows) <= TABLE_CAPTION_MAX_ROWS:
        return None
    own = next((r for r in rows if img in set(r.iter())), None)
    others = [r for r in rows if r is not own]
    if own is not None:
        cells = _CELLS(own)
        if len(cells) > 1:
            index = next((i for i, c in enumerate(cells) if img in set(c.iter())), None)
            for row in others:
                row_cells = _CELLS(row)
                if index is not None and len(row_cells) == len(cells):
                    text = clean(row_cells[index].text_content())
                    if text:
                        return text
            return None
    text = " ".join(t for t in (clean(r.text_content()) for r in others) if t)
    return text if text and len(text) < TABLE_CAPTION_MAX_CHARS else None


def _wrapper_caption(img, container) -> str | None:
    """A figure-like wrapper: the image, then one short text and nothing else."""
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
    return text if text and len(text) < CAPTION_MAX_CHARS else None


def _gap_elements(img_pos: list[int], pos: float, next_pos: float) -> bool:
    """True if another image sits between an image and the next block
    (`img_pos`: the container's image positions, sorted)."""
    return bisect_right(img_pos, pos) < bisect_left(img_pos, next_pos)


def _is_styled_caption(el) -> bool:
    style = (el.get("style") or "").replace(" ", "").lower()
    if "text-align:center" in style or (el.get("align") or "").lower() == "center":
        return True
    text = clean(el.text_content())
    italic = " ".join(clean(i.text_content()) for i in _ITALICS(el))
    return bool(text) and clean(italic) == text


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
    text = _wrapper_caption(img, container)
    if text:
        return text
    # Otherwise the text right after the image, if it reads as a caption:
    # "Ảnh: …", italic, centred, or classed as a caption (it or a wrapper inside the body).
    pos = doc.order.get(img, 0)
    i_next = bisect_right(block_pos, pos)
    if i_next < len(blocks):
        nxt = blocks[i_next]
        if _gap_elements(img_pos, pos, nxt.pos):
            return None
        text = nxt.text.replace("\n", " ")
        whole = clean(nxt.el.text_content()) == clean(text)
        italic = nxt.italic_chars >= ITALIC_CAPTION_SHARE * len(text.replace(" ", ""))
        if CAPTION_RE.match(text) or (len(text) < CAPTION_MAX_CHARS and (
                italic or (whole and _is_styled_caption(nxt.el))
                or classed(nxt.el, CAPTION_CLASS, depth=None, stop=container))):
            return clean(text)
    # A caption printed above the image (italic or "Ảnh: …"), when it does not
    # already belong to an image before it.
    i_above = bisect_left(block_pos, pos) - 1
    if i_above >= 0 and caption_like(blocks[i_above]):
        above = blocks[i_above]
        earlier = blocks[i_above - 1].pos if i_above > 0 else -1
        if not _gap_elements(img_pos, above.pos, pos) and \
                not _gap_elements(img_pos, earlier, above.pos):
            return clean(above.text.replace("\n", " "))
    return None


def extract_images(doc: PageDoc, container, blocks: list[Block], start: float, end: float,
                   elements: list | None = None) -> list[Image]:
    """Images inside the body, and a lead image printed between the title and
    the body container (a CMS's "featured image" field). `elements`, when
    given, receives the <img> elements kept."""
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
            and not classed(img, AVATAR, CLASS_HINT_DEPTH) and not AVATAR.search(img.get("src") or "")]
    for img in lead + list(container.iter("img", "amp-img")):
        pos = doc.order.get(img, 0)
        if pos <= start or pos > end or (_is_icon(img) and not _has_sources(img)):
            continue
        if pos > first_inside and doc.is_chrome(img, stop=container):
            continue
        link = next(iter(img.iterancestors("a")), None)
        if link is not None and PAGE_LINK.search(link.get("href") or ""):
            continue
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


# --------------------------------------------------------------- attachments

def _attachment_boxes(doc: PageDoc, container, levels: int = ATTACHMENT_BOX_LEVELS):
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


def _same_file_key(url: str) -> str:
    """One key for a file and its "download" link (…?version=1.0 and
    …?version=1.0&download=true)."""
    return DOWNLOAD_PARAM.sub(r"\1", url).replace("?&", "?").rstrip("?&")


def _file_kind(el, url: str) -> str | None:
    if el.tag == "iframe":
        return "video" if VIDEO_RE.search(url) else None
    m = DOC_EXT.search(url.split("?")[0]) or DOC_EXT.search(url)
    if m:
        return m.group(1).lower()
    if DOWNLOAD_URL.search(url) and "=" in url:
        return "file"
    if SHARED_DOC.search(url):
        return "drive"  # a document shared from Google Drive / Docs
    return None


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
        kind = _file_kind(el, url)
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
