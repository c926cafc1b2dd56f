"""Parse a page once and index what every field extractor needs.

`PageDoc` holds the lxml tree, the base URL (from <base href> anywhere in the
page: Scrapy only looks at the first 4096 characters), structured data, the
text blocks in document order, and which elements are site chrome. It is
read-only once `parse` has built it.
"""
from __future__ import annotations

import json
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field, replace
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from ..encoding import decode
from .text import clean
from .tuning import (CLASS_HINT_DEPTH, MOSTLY_LINKS, PARAGRAPH_BREAKS, WRAPPER_RUNNING_MIN_CHARS,
                     WRAPPER_RUNNING_SHARE, SENTENCE_MIN_CHARS, TEMPLATE_MIN_CHARS,
                     WRAPPER_SHARE)

BLOCK_TAGS = frozenset(
    "p div li h1 h2 h3 h4 h5 h6 td th blockquote pre figcaption dd dt section "
    "article main header footer aside nav table tr tbody thead ul ol dl figure "
    "center form address marquee".split()  # a <marquee> ticker is a block of its own (and chrome)
)
HEADING_TAGS = frozenset("h1 h2 h3 h4 h5 h6".split())
DROP_TAGS = ("script", "style", "noscript", "template", "svg", "button", "select",
             "textarea", "input", "object", "embed", "map", "link", "meta")
# Containers that are site furniture, never the article (matched on tag, id, class).
CHROME_TAGS = frozenset("header nav footer aside marquee amp-carousel amp-sidebar".split())
# Words that name site furniture, matched on the parts of a class or id token
# (split at "-" and "_"). Most count wherever they stand ("sub_menu_container",
# "content-related-stories", "jetpack-likes-widget-wrapper").
CHROME_WORDS = (
    r"menu|nav|navbar|navigation|footer|sidebar|side-bar|"
    r"carousel|marquee|breadcrumbs?|share|sharing|social|"
    r"related|jp-relatedposts|relatedposts|related-?posts|related-?news|related-?articles|other|others|tin-?khac|tinkhac|lien-?quan|comment|comments|binh-?luan|"
    r"widget|advert|ads|quang-?cao|logo|copyright|top-?news|most-?view|xem-?nhieu|"
    r"tin-?moi|tinmoi|box-?right|right-?col|col-?right|sidebar-?right|tags?|keywords?|toolbar|pagination|paging|phan-?trang|"
    r"search|tim-?kiem|login|list-?news|news-?list|hotline|"
    r"weblink|lien-?ket|counter|thong-?ke|truy-?cap|calendar|poll|signature|chu-?ky")
# These also name parts of an article (its header, photo, slides, print
# version), so they count only as a token's first or last part ("site-header",
# "slide-item", "rt_slide"), never in the middle, where they describe something
# else ("entry-thumbnail-content-column", "kb-tip-print-step").
CHROME_EDGE_WORDS = r"header|banner|slide|slider|slideshow|print|thumb|thumbnails?"
CHROME_PART_RE = re.compile(rf"(^|[_\-])({CHROME_WORDS})($|[_\-])", re.I)
CHROME_EDGE_RE = re.compile(rf"^({CHROME_EDGE_WORDS})($|[_\-])|(^|[_\-])({CHROME_EDGE_WORDS})$", re.I)
# A BEM modifier ("section--ads") says how a block looks, not what it is; a
# prefix of one or two characters ("kb-", "c-", "js-") is a namespace.
BEM_MODIFIER_RE = re.compile(r"--.*$")
NAMESPACE_RE = re.compile(r"^[a-z0-9]{1,2}[_\-](?=[a-z])", re.I)


# Header/footer classes that belong to the article, not the site.
ARTICLE_PART_RE = re.compile(
    r"(^|[\s_\-])(date|time|dateline|published|pubdate)($|[\s_\-])|"
    r"(page|entry|article|post|news|detail|content|item|story|date|time|intro)[-_]{0,2}(header|footer|meta|title)|"
    r"(header|footer)[-_]{0,2}(title|detail|article|post|news|entry|info|meta)|"
    # WordPress's post wrapper: its "tag-<slug>" classes name the post's tags.
    r"(^|\s)(hentry|type-post|type-page)($|\s)|"
    # Layout classes that say what a wrapper has beside it ("has-post-thumbnail",
    # "with-navigation", Drupal's "one-sidebar"), and page builders' wrappers
    # (every Elementor block is an "elementor-widget").
    r"(^|\s)(has|with|no)-|(one|two|no)-sidebars?|(^|\s)elementor-(widget|element)|"
    # The post's own text wrapper, whatever a plugin adds to its classes
    # (a share plugin's "share" beside WordPress's "entry").
    r"(^|\s)(entry|(entry|post|article|story)[-_](content|body|text))(\s|$)", re.I)
# Client-side templates: the finished markup of a post, or a skeleton with placeholders.
TEMPLATE_TYPES = frozenset(("text/template", "text/x-template"))
TEMPLATE_PLACEHOLDER_RE = re.compile(r"\{\{|\{%|<%|\$\{")
# lxml refuses str input that carries an XML encoding declaration.
XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")
EMPTY_PAGE = "<html><body></body></html>"
# lxml.html's parser asks a Python method (HtmlElementClassLookup.lookup) for
# the class of every element it hands out, ~1 µs each. This one gets the same
# classes from lxml's own lookup, in C, minus the form controls' subclasses
# (FormElement, InputElement, …: methods the extractor never calls). Same
# parser otherwise (lxml.html.HTMLParser's options).
_PARSER = lxml.html.HTMLParser()
_PARSER.set_element_class_lookup(etree.ElementDefaultClassLookup(
    element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment,
    pi=lxml.html.HtmlProcessingInstruction, entity=lxml.html.HtmlEntity))
# Compiled once, not per page.
_JSONLD_SCRIPTS = etree.XPath("//script[@type='application/ld+json']")
_METAS = etree.XPath("//meta[@content]")
_BASE_HREF = etree.XPath("string((//base[@href])[1]/@href)")
_CANONICAL = etree.XPath("string((//link[@rel='canonical'])[1]/@href)")


def _inside_article(el) -> bool:
    return any(a.tag in ("article", "main") for a in el.iterancestors())


@lru_cache(maxsize=4096)
def chrome_classed(names: str) -> int:
    """How surely the class and id tokens in `names` name site furniture:
    2 when a token has a chrome word as one of its parts, 1 when a token has
    only an edge word as its first or last part, 0 otherwise. A BEM modifier
    and a short namespace are dropped first ("c-site-header__logo" is 1,
    "menu-item" 2; "section--ads" and "kb-tip-print-step" are 0)."""
    found = 0
    for token in names.split():
        token = NAMESPACE_RE.sub("", BEM_MODIFIER_RE.sub("", token))
        if CHROME_PART_RE.search(token):
            return 2
        if CHROME_EDGE_RE.search(token):
            found = 1
    return found


@lru_cache(maxsize=4096)
def article_part(names: str) -> bool:
    """ARTICLE_PART_RE finds a part of an article in these class and id
    tokens (cached as `chrome_classed` is: a site's class names repeat on
    every page, and the pattern costs several µs a search)."""
    return ARTICLE_PART_RE.search(names) is not None


def classed(el, pattern, depth: int | None = CLASS_HINT_DEPTH, stop=None) -> bool:
    """`el` or one of its next `depth` ancestors (all of them up to `stop`
    when depth is None) has a class or id matching `pattern`."""
    node, steps = el, 0
    while node is not None and node is not stop and (depth is None or steps < depth):
        if pattern.search((node.get("class") or "") + " " + (node.get("id") or "")):
            return True
        node, steps = node.getparent(), steps + 1
    return False


@dataclass(frozen=True, slots=True)
class Block:
    el: etree._Element
    text: str  # the block's own text, <br> kept as "\n"
    pos: float  # document order of where the text starts
    link_chars: int  # characters of that text inside <a>
    italic_chars: int = 0  # characters of that text inside <em>/<i>


@dataclass(frozen=True, eq=False)
class PageDoc:
    """A parsed page, read-only once built. Its dicts and the lxml tree are
    shared with every derived page (`protecting`) and must not be changed.

    `is_chrome` memoises its answers in `_chrome`: a cache of a function of
    (tree, protected), which is why a page with more protected elements is
    a new PageDoc with a cache of its own, never an update of this one."""

    url: str
    base_url: str
    root: etree._Element
    order: dict  # element -> document order (pre-order index)
    blocks: tuple[Block, ...]  # text blocks in document order
    # doc.blocks is in document order, so "how many blocks / how much text
    # between two positions" is two bisections instead of a scan per question.
    block_pos: tuple[float, ...]
    plain_prefix: tuple[int, ...]  # link-free characters of blocks[:i]
    running_prefix: tuple[int, ...]  # characters of running text (see `is_running`) in blocks[:i]
    sizes: dict  # element -> characters of text inside
    total: int  # characters of text in <body>, at least 1
    jsonld: list[dict] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    canonical: str | None = None
    protected: frozenset = frozenset()  # the headline's wrappers: never chrome
    # Siblings left out when an article's sections were merged (a share bar,
    # a related box between the body and the next section): always chrome.
    excluded: frozenset = frozenset()
    # What depends on the parsed page alone (not on `protected` or `excluded`),
    # computed once: shared with every derived page, as the tree is.
    memo: dict = field(default_factory=dict, repr=False)
    _chrome: dict = field(default_factory=dict, init=False, repr=False)
    _groups: dict = field(default_factory=dict, init=False, repr=False)  # running text of same-class siblings

    def protecting(self, el) -> PageDoc:
        """This page with `el` and its ancestors never taken for chrome: the
        headline was found inside something classed like chrome (a blog's
        "widget Blog" wrapper), so that wrapper holds the article."""
        return replace(self, protected=self.protected | {el, *el.iterancestors()})

    def excluding(self, elements) -> PageDoc:
        """This page with `elements` (and everything inside them) taken for
        chrome: the parts of a merged body container that are not the article's."""
        return replace(self, excluded=self.excluded | frozenset(elements))

    def _between(self, first: float, second: float) -> tuple[int, int]:
        lo = bisect_right(self.block_pos, first)
        return lo, max(lo, bisect_left(self.block_pos, second))

    def count_between(self, first: float, second: float) -> int:
        """How many text blocks start strictly between two positions."""
        lo, hi = self._between(first, second)
        return hi - lo

    def plain_chars_between(self, first: float, second: float) -> int:
        """Characters of link-free text in the blocks strictly between two positions."""
        lo, hi = self._between(first, second)
        return self.plain_prefix[hi] - self.plain_prefix[lo]

    def _running_in(self, el) -> int:
        # Blocks inside `el` start after its own start and before its tail.
        lo, hi = self._between(self.order[el], self.last_order(el) + 0.4)
        return self.running_prefix[hi] - self.running_prefix[lo]

    def holds_running_text(self, el) -> bool:
        """`el`, or `el` with its siblings of the same class (a slideshow's
        slides, most of them without a link), holds most of the page's running
        text: the article, whatever its wrapper is called ("herald-slide",
        "rt_slide")."""
        total = self.running_prefix[-1]
        if total < WRAPPER_RUNNING_MIN_CHARS:
            return False
        if self._running_in(el) >= WRAPPER_RUNNING_SHARE * total:
            return True
        parent, name = el.getparent(), el.get("class")
        if parent is None or not name:
            return False
        key = (parent, name)
        if key not in self._groups:
            group = [s for s in parent if s.get("class") == name]
            # A carousel of teasers links every slide to its story; a
            # slideshow article's slides mostly link nowhere.
            linked = sum(1 for s in group if next(s.iter("a"), None) is not None)
            self._groups[key] = sum(map(self._running_in, group)) if 2 * linked <= len(group) else 0
        return self._groups[key] >= WRAPPER_RUNNING_SHARE * total

    def last_order(self, el) -> int:
        """Document order of the last element inside `el` (pre-order: the last one iterated)."""
        return self.order[_last(el)]

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
            if node in self.excluded:
                result = True
                break
            if node in self.protected:
                node = node.getparent()
                continue
            names = (node.get("class") or "") + " " + (node.get("id") or "")
            if tag in CHROME_TAGS:
                # <header>/<footer> of an <article> hold its title, date, byline;
                # a "header" holding most of the page's text wraps the page.
                if not (tag in ("header", "footer") and (_inside_article(node) or article_part(names))) and not (
                        tag == "header" and self.sizes.get(node, 0) >= WRAPPER_SHARE * self.total):
                    result = True
                    break
            elif tag in ("article", "main"):
                pass  # an <article>'s classes describe the post (WordPress's "tag-<slug>"), not chrome
            elif ((surety := chrome_classed(names)) and not article_part(names)
                  and self.sizes.get(node, 0) < WRAPPER_SHARE * self.total
                  and not (surety == 1 and self.holds_running_text(node))):
                # A class name is a hint, not proof: an element holding most of
                # the page's text is a wrapper ("col-left", "main-box") whatever
                # it is called.
                result = True
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
            if rooted(href) and self.base_url:
                return _join_rooted(self.base_url, href)
            return urljoin(self.base_url, href)
        except ValueError:
            return None


# An href from the site's root ("/tin-tuc.html", not "//host/…") joined to a
# base depends on the base's scheme and host alone: urljoin takes a path that
# starts with "/" as it is, never the base's path or query. So a menu's links,
# the same on every page of a site, are joined once (urljoin costs ~5 µs).
_ROOTED: dict = {}
ROOTED_CACHE = 4096


def rooted(href: str) -> bool:
    """The href's path starts at the root: one "/" first, and no tab or line
    break (urlsplit drops them, which could make "/\t/" a "//")."""
    return (href[:1] == "/" and href[1:2] != "/"
            and "\t" not in href and "\n" not in href and "\r" not in href)


def _join_rooted(base: str, href: str) -> str:
    scheme, netloc = urlsplit(base)[:2]
    key = (scheme, netloc, href)
    joined = _ROOTED.get(key)
    if joined is None:
        joined = urljoin(base, href)
        if len(_ROOTED) >= ROOTED_CACHE:
            _ROOTED.clear()
        _ROOTED[key] = joined
    return joined


def is_running(block: Block) -> bool:
    """A block of running text: a sentence's length of text, mostly not links."""
    return (len(block.text) - block.link_chars >= SENTENCE_MIN_CHARS
            and block.link_chars < MOSTLY_LINKS * len(block.text))


def _sizes(root) -> dict:
    sizes = {}
    for el in reversed(list(root.iter())):
        text = el.text
        n = len(text.strip()) if text else 0
        for child in el:
            n += sizes.get(child, 0)
            tail = child.tail
            if tail:
                n += len(tail.strip())
        sizes[el] = n
    return sizes


def _jsonld(root) -> list[dict]:
    found = []
    for script in _JSONLD_SCRIPTS(root):
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
    for el in _METAS(root):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").lower()
        if key and key not in meta:
            meta[key] = el.get("content")
    title = root.find(".//title")
    if title is not None and title.text_content():
        meta.setdefault("<title>", title.text_content())
    return meta


class _Runs:
    """Collects the text runs of a page: maximal stretches of inline content
    between block boundaries, split again at blank lines (<br><br>), each
    attributed to its nearest block ancestor and placed in document order."""

    def __init__(self, order):
        self.order = order
        self.blocks: list[Block] = []
        self.parts: list[str] = []
        self.link_chars = 0
        self.italic_chars = 0
        self.pos: float | None = None
        self.owner = None
        self.pending_breaks = 0

    def add(self, text: str | None, pos: float, in_link: bool, in_italic: bool = False) -> None:
        if not text:
            return
        stripped = text.strip()
        if not stripped:
            self.parts.append(" ")
            return
        if self.pos is None:
            self.pos = pos
        self.pending_breaks = 0
        self.parts.append(text)
        if in_link:
            self.link_chars += len(stripped)
        if in_italic:
            self.italic_chars += len(stripped)

    def line_break(self, pos: float) -> None:
        self.pending_breaks += 1
        if self.pending_breaks >= PARAGRAPH_BREAKS:
            self.flush()  # a blank line ends a paragraph
        else:
            self.parts.append("\n")

    def flush(self) -> None:
        if not self.parts:
            return  # nothing since the last flush (which left nothing else to reset)
        lines = [clean(line) for line in "".join(self.parts).split("\n")]
        text = "\n".join(line for line in lines if line)
        if text and self.owner is not None:
            self.blocks.append(Block(self.owner, text, self.pos, self.link_chars, self.italic_chars))
        self.parts, self.link_chars, self.pos, self.pending_breaks = [], 0, None, 0
        self.italic_chars = 0


def _last(el):
    """The last node inside `el` in document order, the last one `el.iter()`
    gives: its last child's last child, and so on (not a walk of all of it)."""
    while len(el):
        el = el[-1]
    return el


def _last_pos(el, order) -> float:
    return order[_last(el)] + 0.5


def _blocks(root, order) -> tuple[Block, ...]:
    body = root.find("body")
    runs = _Runs(order)

    def walk(el, tag, owner, in_link, in_italic):
        # `tag`: el.tag, read once by the caller ("" for a comment's).
        is_block = tag in BLOCK_TAGS or el is body
        if is_block:
            runs.flush()
            owner = el
        runs.owner = owner
        inner_link = in_link or tag == "a"
        inner_italic = in_italic or tag in ("em", "i") or "italic" in (el.get("style") or "")
        text = el.text
        if text:
            runs.add(text, order[el] + 0.25, inner_link, inner_italic)
        for child in el:
            ctag = child.tag
            if ctag == "br":
                runs.line_break(order[child])
            elif isinstance(ctag, str) and ctag:
                walk(child, ctag, owner, inner_link, inner_italic)
                runs.owner = owner
            tail = child.tail
            if tail:
                runs.add(tail, _last_pos(child, order), inner_link, inner_italic)
        if is_block:
            runs.flush()

    top = body if body is not None else root
    walk(top, top.tag if isinstance(top.tag, str) else "", None, False, False)
    runs.flush()
    return tuple(runs.blocks)


def _unwrap_swallowing_noscript(root) -> None:
    """`<noscript><div></noscript>`: the parser keeps the unclosed <div> open
    and puts the rest of the page inside the <noscript>, which a browser
    running scripts never does. A <noscript> holding most of the page's text
    is unwrapped, so its contents stay, instead of being dropped with it."""
    noscripts = list(root.iter("noscript"))
    if not noscripts:
        return
    body = root.find("body")
    total = len((body if body is not None else root).text_content())
    for el in noscripts:
        if el.getparent() is not None and len(el.text_content()) >= WRAPPER_SHARE * total:
            el.drop_tag()


def _unwrap_rendered_templates(root) -> list:
    """Blogger's dynamic views keep each post's HTML in a
    `<script type="text/template">` that a script copies into the page. A
    template holding running text and no placeholders ("{{", "<%") may be
    that finished markup: it takes the script's place, and the elements put
    there are returned (`_drop_minor_templates` decides whether they stay)."""
    unwrapped = []
    for script in [s for s in root.iter("script") if (s.get("type") or "").strip().lower() in TEMPLATE_TYPES]:
        source = script.text or ""
        if TEMPLATE_PLACEHOLDER_RE.search(source) or script.getparent() is None:
            continue
        try:
            markup = lxml.html.fragment_fromstring(source, create_parent="div")
        except etree.ParserError:
            continue
        if len(markup.text_content().strip()) >= TEMPLATE_MIN_CHARS:
            markup.tail = script.tail
            script.getparent().replace(script, markup)
            unwrapped.append(markup)
    return unwrapped


def _drop_minor_templates(root, unwrapped: list) -> None:
    """Templates stay only when they hold more text than the rest of the page
    (a post drawn by scripts); beside a page of its own text a template is a
    dialog's markup (a cookie box), never shown as it stands."""
    if not unwrapped:
        return
    def letters(el) -> int:  # markup's indentation is no text
        return sum(map(len, el.text_content().split()))

    body = root.find("body")
    total = letters(body if body is not None else root)
    inside = sum(map(letters, unwrapped))
    if inside < total - inside:
        for el in unwrapped:
            el.drop_tree()


def parse(html: str | bytes, url: str) -> PageDoc:
    """The page, parsed and indexed. Bytes are decoded as every other reader
    of the archive decodes them (`scraper.encoding.decode`)."""
    _, text = decode(html)
    text = XML_DECLARATION.sub("", text)
    if not text.strip():
        text = EMPTY_PAGE
    try:
        root = lxml.html.document_fromstring(text, parser=_PARSER)
    except etree.ParserError:  # "Document is empty": only comments or PIs
        root = lxml.html.document_fromstring(EMPTY_PAGE, parser=_PARSER)
    jsonld = _jsonld(root)
    meta = _meta(root)
    base_href = _BASE_HREF(root).strip()
    try:
        base_url = urljoin(url, base_href) if base_href else url
    except ValueError:  # a malformed <base href> is ignored, as browsers do
        base_url = url
    canonical = _CANONICAL(root).strip() or None
    try:
        canonical = urljoin(base_url, canonical) if canonical else None
    except ValueError:
        canonical = None
    _unwrap_swallowing_noscript(root)
    templates = _unwrap_rendered_templates(root)
    etree.strip_elements(root, *DROP_TAGS, with_tail=False)
    etree.strip_elements(root, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    _drop_minor_templates(root, templates)
    order = {el: i for i, el in enumerate(root.iter())}
    blocks = _blocks(root, order)
    plain_prefix, running_prefix = [0], [0]
    for b in blocks:
        plain_prefix.append(plain_prefix[-1] + len(b.text) - b.link_chars)
        running_prefix.append(running_prefix[-1] + (len(b.text) if is_running(b) else 0))
    sizes = _sizes(root)
    body = root.find("body")
    return PageDoc(
        url=url, base_url=base_url, root=root, order=order, blocks=blocks,
        block_pos=tuple(b.pos for b in blocks), plain_prefix=tuple(plain_prefix),
        running_prefix=tuple(running_prefix),
        sizes=sizes, total=max(1, sizes.get(body if body is not None else root, 1)),
        jsonld=jsonld, meta=meta, canonical=canonical,
    )
