"""URL rules for navigation: what is on the site, what is worth fetching."""
from __future__ import annotations

import functools
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import safe_url_string

DEFAULT_BASE_URL = "https://congdoanbackan.org.vn/"

SKIP_EXT = re.compile(
    r"\.(jpe?g|png|gif|webp|bmp|svg|ico|css|js|json|xml|rss|pdf|docx?|xlsx?|pptx?|"
    r"zip|rar|7z|gz|tar|mp3|mp4|avi|mov|wmv|flv|swf|exe|apk|odt|ods|txt|csv)$",
    re.I,
)
# Print and other alternative views of an article duplicate it.
ALT_VIEW = re.compile(r"(^|/)(print|in|in-bai-viet|ban-in|send-mail|gui-email|rss)(/|$)|[?&](print|view=print|in=1)", re.I)
TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|zarsrc|_ga)$", re.I)


def host_of(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


# Pages repeat the same menu and pager links on every page: a small cache
# spares most of the parsing, and stays small at any site size.
@functools.lru_cache(maxsize=4096)
def normalize(url: str) -> str:
    """Canonical form for de-duplication: no fragment, no tracking parameters,
    sorted query, percent-encoded."""
    parts = urlsplit(safe_url_string(url.strip()))
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING.match(k)]
    path = parts.path or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, urlencode(sorted(query)), ""))


def same_page(a: str, b: str) -> bool:
    """Two URLs for one page, whatever host serves it (the site or a mirror)."""
    pa, pb = urlsplit(normalize(a)), urlsplit(normalize(b))
    return (pa.path, pa.query) == (pb.path, pb.query)


def on_host(url: str, canonical_for: str) -> str:
    """`url`'s path and query on the host of `canonical_for` (a mirror keeps
    the real site's canonical links)."""
    pu, ph = urlsplit(url), urlsplit(canonical_for)
    return urlunsplit((ph.scheme, ph.netloc, pu.path or "/", pu.query, ""))


def _is_local_host(host: str) -> bool:
    """An IP address or a single-label name (localhost): a mirror or a test
    server, whose scheme and port are part of its identity."""
    return "." not in host or host.replace(".", "").isdigit() or ":" in host


def key_root(url: str) -> str:
    """The one spelling of a site's root that archive keys use, whatever
    spelling a crawl, a link or a web-archive capture came in with: https,
    no www., no default port, for a named host (a site served over both
    schemes and both names is one site); a local host (an IP address,
    localhost) keeps its scheme and port."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if _is_local_host(host):
        return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), "/", "", ""))
    host = host[4:] if host.startswith("www.") else host
    port = parts.port if parts.port not in (None, 80, 443) else None
    return f"https://{host}{f':{port}' if port else ''}/"


def archive_key(url: str, base_url: str) -> str:
    """`url` spelled as the archive keys it: a page of the site (any scheme,
    www. or not) on `key_root(base_url)`; a page of another named host on
    its own key root (a mirror's canonical naming the real site)."""
    root = base_url if host_of(url) == host_of(base_url) else url
    return on_host(url, key_root(root))


def is_followable(url: str, site_host: str) -> bool:
    return skip_rule(url, (site_host,)) is None


def skip_rule(url: str, site_hosts) -> str | None:
    """Why a link is not followed, as a rule name of `scraper.ledger`, or None
    when it is. `site_hosts` holds the site's host and the aliases it declares."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return "not_http"
    if host_of(url) not in site_hosts:
        return "off_site"
    if len(url) > 2000 or SKIP_EXT.search(parts.path):
        return "not_a_page"
    if ALT_VIEW.search(parts.path + ("?" + parts.query if parts.query else "")):
        return "alternate_view"
    return None


# A path segment that names a not-found page as a whole ("/404", "/notfound.html",
# "/error/404.aspx"), never a slug that merely contains the digits
# ("/cong-van-so-1404-ldld.html" is a dispatch, not an error page).
_GONE_SEGMENT = re.compile(r"^(?:404|notfound|not-found|page-not-found|error-?404|khong-tim-thay)"
                           r"(?:\.\w+)?$", re.I)


def is_gone_redirect(original: str, final: str) -> bool:
    """The CMS answers a missing article with a 302 to the home page or /notfound."""
    final_path = urlsplit(final).path.rstrip("/").lower()
    original_path = urlsplit(original).path.rstrip("/")
    if not original_path:
        return False
    if final_path in ("", "/index.html", "/index.php"):
        return True
    return any(_GONE_SEGMENT.match(segment) for segment in final_path.split("/"))


# Listing pagination in the forms SITE_NOTES lists: /<cat>/trang-N.html, ?page=N.
_PAGE_PATH = re.compile(r"/trang-(\d+)(?:\.html?)?$", re.I)
_PAGE_QUERY = re.compile(r"(?:^|&)(?:page|p|trang|pg)=(\d+)(?:&|$)", re.I)
_NEXT_TEXT = re.compile(r"^(»|›|>|>>|trang sau|tiếp|tiếp theo|sau|next)$", re.I)


def page_number(url: str) -> int | None:
    """The listing page number a URL asks for, or None if it is no pager URL."""
    parts = urlsplit(url)
    m = _PAGE_PATH.search(parts.path) or _PAGE_QUERY.search(parts.query)
    return int(m.group(1)) if m else None


def listing_key(url: str) -> str:
    """The listing a pager URL belongs to: /tin-tuc/trang-3.html -> /tin-tuc."""
    parts = urlsplit(url)
    path = _PAGE_PATH.sub("", parts.path)
    path = re.sub(r"\.html?$", "", path, flags=re.I)
    return path.rstrip("/") or "/"


def is_next_page(link_url: str, link_text: str, current_url: str) -> bool:
    """True for the link to the page right after `current_url` in its listing."""
    target = page_number(link_url)
    if target is None or listing_key(link_url) != listing_key(current_url):
        return False
    current = page_number(current_url) or 1
    return target == current + 1 or (bool(_NEXT_TEXT.match(link_text.strip())) and target > current)


def is_site_root(url: str) -> bool:
    path = urlsplit(url).path.rstrip("/").lower()
    return path in ("", "/index.html", "/index.htm", "/index.php", "/trang-chu.html", "/home")


def sniffs_html(body: bytes) -> bool:
    """Bytes that start like an HTML document, whatever the Content-Type says."""
    head = body[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<meta", b"<!--", b"<title"))


def is_alternate_view(url: str, canonical: str) -> bool:
    """`url` is another view of the page `canonical` names: the same path with
    other query parameters, or a print/AMP/mobile path ending in the same page
    ("/print/slug.html" for "/slug.html"). A canonical naming any other page
    (the home page, a category) is a CMS mistake, not a duplicate."""
    pu, pc = urlsplit(normalize(url)), urlsplit(normalize(canonical))
    if is_site_root(canonical) or (pu.path, pu.query) == (pc.path, pc.query):
        return False
    if pu.path == pc.path:
        return True
    leaf = pc.path.rstrip("/").rsplit("/", 1)[-1]
    return bool(leaf) and pu.path.rstrip("/").endswith("/" + leaf)
