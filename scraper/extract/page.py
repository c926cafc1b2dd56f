"""Parse a page once and index what every field extractor needs.

`PageDoc` holds the lxml tree, the base URL (from <base href> anywhere in the
page: Scrapy only looks at the first 4096 characters), structured data, the
text blocks in document order, and which elements are site chrome.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

import lxml.html
from lxml import etree
from w3lib.encoding import html_to_unicode

from .text import clean

BLOCK_TAGS = frozenset(
    "p div li h1 h2 h3 h4 h5 h6 td th blockquote pre figcaption dd dt section "
    "article main header footer aside nav table tr tbody thead ul ol dl figure "
    "center form address".split()
)
HEADING_TAGS = frozenset("h1 h2 h3 h4 h5 h6".split())
DROP_TAGS = ("script", "style", "noscript", "template", "svg", "button", "select",
             "textarea", "input", "object", "embed", "map", "link", "meta")
# Containers that are site furniture, never the article (matched on tag, id, class).
CHROME_TAGS = frozenset("header nav footer aside marquee".split())
CHROME_RE = re.compile(
    r"(^|[\s_\-])(menu|nav|navbar|navigation|header|footer|sidebar|side-bar|banner|"
    r"slide|slider|slideshow|carousel|marquee|breadcrumbs?|share|sharing|social|"
    r"related|other|others|tin-?khac|tinkhac|lien-?quan|comment|comments|binh-?luan|"
    r"widget|advert|ads|quang-?cao|logo|copyright|top-?news|most-?view|xem-?nhieu|"
    r"tin-?moi|tinmoi|box-?right|right-?col|col-?right|sidebar-?right|left-?col|"
    r"col-?left|tags?|keywords?|print|toolbar|pagination|paging|phan-?trang|"
    r"search|tim-?kiem|login|thumb|thumbnails?|list-?news|news-?list|hotline|"
    r"weblink|lien-?ket|counter|thong-?ke|truy-?cap|calendar|poll)($|[\s_\-])",
    re.I,
)


@dataclass
class Block:
    el: etree._Element
    text: str  # the block's own text, <br> kept as "\n"
    pos: int  # document order of the element
    link_chars: int  # characters of that text inside <a>


@dataclass
class PageDoc:
    url: str
    base_url: str
    root: etree._Element
    order: dict
    blocks: list[Block]
    jsonld: list[dict] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    canonical: str | None = None
    _chrome: dict = field(default_factory=dict)

    def is_chrome(self, el, stop=None) -> bool:
        """True when `el` or an ancestor (up to `stop`) is site furniture."""
        chain = []
        node = el
        result = False
        while node is not None and node is not stop:
            cached = self._chrome.get(node)
            if cached is not None:
                result = cached
                break
            chain.append(node)
            tag = node.tag if isinstance(node.tag, str) else ""
            if tag in ("body", "html"):
                break
            if tag in CHROME_TAGS or CHROME_RE.search(
                (node.get("class") or "") + " " + (node.get("id") or "")
            ):
                result = True
                chain_result_from = node
                break
            node = node.getparent()
        if stop is None:
            # Cache only unbounded answers: a bounded walk may stop early.
            for n in chain:
                self._chrome[n] = result
        return result

    def resolve(self, href: str | None) -> str | None:
        href = (href or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "tel:", "data:", "#")):
            return None
        try:
            return urljoin(self.base_url, href)
        except ValueError:
            return None


def to_text(html: str | bytes, content_type: str | None = None) -> str:
    if isinstance(html, bytes):
        _, text = html_to_unicode(content_type, html)
        return text
    return html


def parse(html: str | bytes, url: str) -> PageDoc:
    text = to_text(html)
    # lxml refuses str input that carries an XML encoding declaration.
    text = re.sub(r"^\s*<\?xml[^>]*>", "", text)
    if not text.strip():
        text = "<html><body></body></html>"
    root = lxml.html.document_fromstring(text)
    jsonld = _jsonld(root)
    meta = _meta(root)
    base_href = root.xpath("string((//base[@href])[1]/@href)").strip()
    base_url = urljoin(url, base_href) if base_href else url
    canonical = root.xpath("string((//link[@rel='canonical'])[1]/@href)").strip() or None
    etree.strip_elements(root, *DROP_TAGS, with_tail=False)
    etree.strip_elements(root, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    order = {el: i for i, el in enumerate(root.iter())}
    doc = PageDoc(url=url, base_url=base_url, root=root, order=order, blocks=[],
                  jsonld=jsonld, meta=meta,
                  canonical=urljoin(base_url, canonical) if canonical else None)
    doc.blocks = _blocks(root, order)
    return doc


def _jsonld(root) -> list[dict]:
    found = []
    for script in root.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue  # broken JSON-LD is common; the visible page still counts
        stack = data if isinstance(data, list) else [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, dict):
                if "@graph" in item and isinstance(item["@graph"], list):
                    stack.extend(item["@graph"])
                found.append(item)
    return found


def _meta(root) -> dict[str, str]:
    meta = {}
    for el in root.xpath("//meta[@content]"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").lower()
        if key and key not in meta:
            meta[key] = el.get("content")
    title = root.find(".//title")
    if title is not None and title.text_content():
        meta.setdefault("<title>", title.text_content())
    return meta


def _own_text(el) -> tuple[str, int]:
    """Text that belongs to `el` itself, not to nested blocks; <br> -> newline."""
    parts: list[str] = []
    link_chars = 0
    if el.text:
        parts.append(el.text)
    for child in el:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "br":
            parts.append("\n")
        elif tag in BLOCK_TAGS:
            parts.append("\n")
        elif tag:
            inner = _inline_text(child)
            parts.append(inner)
            if tag == "a" or child.find(".//a") is not None:
                link_chars += len(inner.strip())
        if child.tail:
            parts.append(child.tail)
    raw = "".join(parts)
    lines = [clean(line) for line in raw.split("\n")]
    return "\n".join(line for line in lines if line), link_chars


def _inline_text(el) -> str:
    parts = [el.text or ""]
    for child in el:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "br":
            parts.append("\n")
        elif tag in BLOCK_TAGS:
            parts.append("\n" + _inline_text(child) + "\n")
        elif tag:
            parts.append(_inline_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _blocks(root, order) -> list[Block]:
    blocks = []
    body = root.find("body")
    for el in (body if body is not None else root).iter():
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag not in BLOCK_TAGS and tag != "body":
            continue
        text, link_chars = _own_text(el)
        if text:
            blocks.append(Block(el, text, order[el], link_chars))
    return blocks
