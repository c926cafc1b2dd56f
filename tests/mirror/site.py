"""The mirror site: routing, page rendering and the manifest, all in memory.

``build_site(n)`` is deterministic: the same ``n`` gives byte-identical pages.
Pages are rendered on first request and cached; publishing or editing clears
the cache. Every page is written with ``ORIGIN_MARK`` where the origin goes
(``<base href>``, canonical, absolute links); the server substitutes its own
``http://127.0.0.1:PORT`` when it sends the page, so one Site can be served on
any port.

The markup imitates the vendor CMS described in docs/SITE_NOTES.md: one flat
``/<slug>.html`` namespace for articles and categories, base-relative links,
three article layouts, CKEditor bodies, and the crawler traps listed in
``Site.trap_urls``.
"""
from __future__ import annotations

import html
import re
import threading
import unicodedata
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import parse_qs, quote, unquote, urlsplit

from . import content
from .content import ORIGIN_MARK, Attach, ArticleSpec, Img
from .faults import FaultConfig, FaultSet
from .model import ICT, Article, normalize_text, slugify

PER_PAGE = 10
CALENDAR_START = "2024-W10"
WEEKDAYS = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"]
SLIDES = [f"/upload/images/slide/bk{i}.jpg" for i in (5, 4, 3, 2, 1)]
MISSING_SLUG = "thong-bao-tuyen-dung-vien-chuc-nam-2022"
DEAD_LINKS = ["/upload/files/so-do-to-chuc.doc", "/thu-vien-anh/"]  # both 404
EDIT_SENTENCE = "Cập nhật lần {n}: số liệu trong bài đã được điều chỉnh theo báo cáo chính thức của Ban Tổ chức."


# What the manifest's fields mean, served with it so the oracle explains itself.
MANIFEST_CONVENTIONS = {
    "published_at": "local time with +07:00; seconds only when the dateline prints them",
    "author": "the person's name only; null for a source line or no byline",
    "author_line": "the byline exactly as printed, any 'Tác giả:' label included; "
                   "for a source-only article, the 'Theo X' / 'Nguồn: X' line",
    "source": "the outlet of a 'Theo X' / 'Nguồn: X' line, without the label",
    "images": "in-body images in document order (lazy ones by data-src); chrome, thumbnails "
              "and related-block images excluded; caption as printed or null",
    "attachments": "file links in the body, and YouTube embeds (kind 'video', text null)",
    "first_paragraph/last_paragraph": "first and last body text paragraphs: captions, byline, "
                                      "source line and the paragraph holding an attachment "
                                      "or embed are not text paragraphs",
}


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def attr(text: str) -> str:
    return html.escape(text, quote=True)


def absolute(src: str, origin: str) -> str:
    """A source as written in the page -> absolute, percent-encoded URL."""
    src = src.replace(ORIGIN_MARK, origin)
    if src.startswith("http://") or src.startswith("https://"):
        url = src
    elif src.startswith("/"):
        url = origin + src
    else:
        url = origin + "/" + src
    parts = urlsplit(url)
    path = quote(unicodedata.normalize("NFC", parts.path), safe="/%:@!$&'()*+,;=-._~")
    query = quote(parts.query, safe="=&%/:+,;@!$'()*-._~")
    return f"{parts.scheme}://{parts.netloc}{path}" + (f"?{query}" if query else "")


def asset_key(src: str) -> str:
    """The lookup key of a local file: unquoted, NFC path without query."""
    src = src.replace(ORIGIN_MARK, "")
    path = urlsplit(src).path
    if not path.startswith("/"):
        path = "/" + path
    return unicodedata.normalize("NFC", unquote(path))


# ------------------------------------------------------------ tiny binaries

def _tiny_jpeg() -> bytes:
    """An 8x8 grey baseline JPEG: one block whose DC difference and AC run
    are both coded with one-bit Huffman codes."""
    def seg(marker: int, payload: bytes) -> bytes:
        return bytes([0xFF, marker]) + (len(payload) + 2).to_bytes(2, "big") + payload

    app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    dqt = b"\x00" + bytes([1] * 64)
    sof = b"\x08\x00\x08\x00\x08\x01\x01\x11\x00"
    dht_dc = b"\x00" + bytes([1] + [0] * 15) + b"\x00"
    dht_ac = b"\x10" + bytes([1] + [0] * 15) + b"\x00"
    sos = b"\x01\x01\x00\x00\x3f\x00"
    return (b"\xff\xd8" + seg(0xE0, app0) + seg(0xDB, dqt) + seg(0xC0, sof)
            + seg(0xC4, dht_dc) + seg(0xC4, dht_ac) + seg(0xDA, sos) + b"\x3f" + b"\xff\xd9")


def _tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")

    ihdr = (1).to_bytes(4, "big") * 2 + b"\x08\x02\x00\x00\x00"
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\x00\xcc\x22\x22")) + chunk(b"IEND", b""))


TINY_GIF = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
            b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")


def tiny_pdf(title: str) -> bytes:
    """A one-page PDF with a correct xref table."""
    text = title.encode("latin-1", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 12 Tf 40 800 Td (" + text + b") Tj ET"
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


TINY_JPEG = _tiny_jpeg()
TINY_PNG = _tiny_png()
CSS = b"body{font-family:Arial,sans-serif}.header{background:#0b4ea2;color:#fff}\n"
JS = b"/* site script */\n"


def _binary_for(path: str) -> tuple[str, bytes] | None:
    ext = path.rsplit(".", 1)[-1].lower() if "." in path else ""
    return {
        "jpg": ("image/jpeg", TINY_JPEG), "jpeg": ("image/jpeg", TINY_JPEG),
        "png": ("image/png", TINY_PNG), "gif": ("image/gif", TINY_GIF),
    }.get(ext)


def distinct_file(key: str, ctype: str, data: bytes) -> tuple[str, bytes]:
    """The same small file made distinct per path: a JPEG gains a comment
    segment naming it, other formats a trailing line (which their readers
    ignore). Distinct files have distinct sha256s, as on a real site."""
    tag = key.encode("utf-8")
    if data[:2] == b"\xff\xd8":
        return ctype, data[:2] + b"\xff\xfe" + (len(tag) + 2).to_bytes(2, "big") + tag + data[2:]
    return ctype, data + b"\n%" + tag + b"\n"


# The CMS's page for a deleted upload, served with status 200 (a soft 404).
SOFT_404_BODY = ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Không tìm thấy</title></head>"
                 "<body><h1>Không tìm thấy tệp</h1><p>Tệp bạn yêu cầu không tồn tại.</p></body></html>").encode()
OVERSIZED_BYTES = 21 * 1024 * 1024  # past ARCHIVER_MEDIA_MAX_BYTES (20 MB)


# ------------------------------------------------------------------ model

@dataclass
class Response:
    status: int
    body: str | bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict = field(default_factory=dict)
    article: Article | None = None  # set for conditional-request handling


class Site:
    """All pages of the mirror. Thread-safe: the server calls ``respond``
    from many threads, the control endpoints call ``publish``/``edit``."""

    def __init__(self, specs: list[ArticleSpec], faults=False):
        self.faults = bool(faults)  # True or a FaultConfig: see faults.py
        self.fault_set = None
        self.lock = threading.RLock()
        self.articles: list[Article] = []  # newest first
        self.by_slug: dict[str, Article] = {}
        self.categories = {slug: (title, style) for slug, title, style in content.CATEGORIES}
        self.assets: dict[str, tuple[str, bytes]] = {}
        self._cache: dict[str, Response] = {}
        self._transient_hit: set[str] = set()
        self._published = 0
        self.removed: dict[str, tuple[Article, int]] = {}  # slug -> (article, 302/404/410)
        self.unlisted: list[Article] = []  # served and in the sitemap/feed, linked from nowhere
        self._generated = max(0, len(specs) - 1 - len(content.HANDWRITTEN))
        self._reserved = set(self.categories) | set(content.STATIC_PAGES) | {
            "lich-cong-tac", "tim-kiem", "notfound", "index", MISSING_SLUG}
        for s in SLIDES + ["/upload/images/logo.png", "/templates/images/loading.gif"]:
            self.assets[s] = _binary_for(s)
        self.assets["/templates/css/style.css"] = ("text/css", CSS)
        self.assets["/templates/js/main.js"] = ("application/javascript", JS)
        for spec in specs:
            self._add(spec)
        self._sort()
        if self.faults:
            self.fault_set = FaultSet(self, faults if isinstance(faults, FaultConfig) else None)

    # ------------------------------------------------------------ mutation

    def _add(self, spec: ArticleSpec) -> Article:
        base = slugify(spec.title)
        slug, k = base, 2
        while slug in self.by_slug or slug in self._reserved:
            slug, k = f"{base}-{k}", k + 1
        art = Article(spec, slug, spec.published.replace(tzinfo=ICT).astimezone(timezone.utc))
        self.articles.append(art)
        self.by_slug[slug] = art
        for b in spec.blocks:
            if isinstance(b, Img):
                key = asset_key(b.src)
                self.assets[key] = distinct_file(key, *(_binary_for(key) or ("image/jpeg", TINY_JPEG)))
            elif isinstance(b, Attach) and b.kind != "video":
                key = asset_key(b.href)
                self.assets[key] = distinct_file(key, "application/pdf", tiny_pdf(b.text or spec.title))
        self._file_traps()
        return art

    def _file_traps(self) -> None:
        """A soft-404 photo, and a scan over the per-file cap (content.py links them)."""
        soft, big = asset_key(content.SOFT_404_PHOTO), asset_key(content.OVERSIZED_FILE)
        if soft in self.assets:
            self.assets[soft] = ("text/html; charset=utf-8", SOFT_404_BODY)
        if big in self.assets and len(self.assets[big][1]) < OVERSIZED_BYTES:
            self.assets[big] = ("application/pdf", b"%PDF-1.4\n%" + b"0" * OVERSIZED_BYTES)

    def file_oracle(self, origin: str) -> dict:
        """Each file an article links (videos aside) -> what the archive must
        record of it: status "ok" with the sha256 of the bytes served, or the
        refusal ("soft_404", "too_large")."""
        import hashlib

        out = {}
        for art in self.articles:
            links = [i.src for i in art.images()] + [a.href for a in art.attachments() if a.kind != "video"]
            for src in links:
                url = absolute(src, origin)
                ctype, data = self.assets[asset_key(src)]
                status = ("soft_404" if ctype.startswith("text/html") else
                          "too_large" if len(data) >= OVERSIZED_BYTES else "ok")
                out[url] = {"status": status,
                            "sha256": hashlib.sha256(data).hexdigest() if status == "ok" else None}
        return out

    def _sort(self) -> None:
        self.articles.sort(key=lambda a: (a.spec.published, a.slug), reverse=True)

    def publish(self, n: int) -> list[Article]:
        """Add ``n`` generated articles dated after every other one."""
        with self.lock:
            latest = max((a.spec.published for a in self.articles), default=datetime(2024, 12, 31))
            specs = content.generate(n, start_index=self._generated, after=latest)
            self._generated += n
            new = [self._add(s) for s in specs]
            self._sort()
            self._cache.clear()
            return new

    def edit(self, path: str) -> Article | None:
        """Append a sentence to an article's last paragraph; bump its Last-Modified."""
        with self.lock:
            art = self.article_at(path)
            if art is None:
                return None
            art.edits.append(EDIT_SENTENCE.format(n=len(art.edits) + 1))
            now = datetime.now(timezone.utc).replace(microsecond=0)
            art.modified = max(now, art.modified + timedelta(seconds=1))
            self._cache.clear()
            return art

    def publish_unlisted(self, n: int) -> list[Article]:
        """Publish ``n`` articles that no page links to: only the sitemap and
        the feed name them (what discovery beyond links is for)."""
        with self.lock:
            new = self.publish(n)
            for art in new:
                self.articles.remove(art)
                self.unlisted.append(art)
            self._cache.clear()
            return new

    def sitemap(self, part: str) -> str:
        """``index``: the sitemap index; ``articles``, ``pages``: its two urlsets."""
        if part == "index":
            body = "".join(f"<sitemap><loc>{ORIGIN_MARK}/sitemap-{p}.xml</loc></sitemap>"
                           for p in ("articles", "pages"))
            return ('<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex '
                    f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</sitemapindex>\n')
        if part == "articles":
            entries = [(f"{ORIGIN_MARK}{a.path}", a.modified.strftime("%Y-%m-%dT%H:%M:%S+00:00"))
                       for a in self.articles + self.unlisted]
        else:
            entries = [(f"{ORIGIN_MARK}/{slug}.html", None)
                       for slug in list(self.categories) + list(content.STATIC_PAGES)]
        body = "".join(f"<url><loc>{loc}</loc>" + (f"<lastmod>{mod}</lastmod>" if mod else "")
                       + "</url>" for loc, mod in entries)
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset '
                f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</urlset>\n')

    def feed(self, n: int = 10) -> str:
        """RSS 2.0 of the ``n`` newest articles, unlisted ones included."""
        newest = sorted(self.articles + self.unlisted, key=lambda a: (a.spec.published, a.slug),
                        reverse=True)[:n]
        items = "".join(
            f"<item><title>{esc(a.spec.title)}</title><link>{ORIGIN_MARK}{a.path}</link>"
            f"<pubDate>{format_datetime(a.modified, usegmt=True)}</pubDate></item>" for a in newest)
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
                f"<title>Liên đoàn Lao động tỉnh Bắc Kạn</title><link>{ORIGIN_MARK}/</link>"
                f"{items}</channel></rss>\n")

    def remove(self, path: str, status: int = 302) -> Article | None:
        """Take an article down: gone from listings and the manifest, its URL
        answering ``status`` (302: the CMS's redirect to /notfound; 404; 410)."""
        with self.lock:
            art = self.article_at(path)
            if art is None:
                return None
            self.articles.remove(art)
            del self.by_slug[art.slug]
            self.removed[art.slug] = (art, status)
            self._cache.clear()
            return art

    def restore(self, path: str) -> Article | None:
        """Put a removed article back, as it was."""
        with self.lock:
            m = re.fullmatch(r"/?([a-z0-9-]+)\.html", urlsplit(path).path)
            art, _ = self.removed.pop(m.group(1), (None, None)) if m else (None, None)
            if art is None:
                return None
            self.articles.append(art)
            self.by_slug[art.slug] = art
            self._sort()
            self._cache.clear()
            return art

    def article_at(self, path: str) -> Article | None:
        path = urlsplit(path).path
        m = re.fullmatch(r"/?([a-z0-9-]+)\.html", path)
        return self.by_slug.get(m.group(1)) if m else None

    # -------------------------------------------------------------- routing

    def respond(self, raw_path: str) -> Response:
        """The response for a GET of ``raw_path`` (path + query as sent)."""
        parts = urlsplit(raw_path)
        path = unicodedata.normalize("NFC", unquote(parts.path))
        query = parse_qs(parts.query)
        with self.lock:
            art = self.by_slug.get(path[1:-5]) if path.endswith(".html") else None
            if art is not None and art.spec.role == "transient" and art.slug not in self._transient_hit:
                self._transient_hit.add(art.slug)
                return Response(503, self._page("Dịch vụ tạm thời gián đoạn", "<p>Máy chủ đang bận, vui lòng thử lại sau.</p>"),
                                headers={"Retry-After": "1"})
            if path in ("/lich-cong-tac.html", "/tim-kiem.html"):
                return self._dynamic(path, query)
            cat = path[1:-5] if path.endswith(".html") else None
            if cat in self.categories and self.categories[cat][1] == "query":
                key = f"{path}?page={_int(query.get('page', ['1'])[0])}"
            else:
                key = path
            hit = self._cache.get(key)
            if hit is None:
                hit = self._route(path, query)
                if hit.status == 200 and isinstance(hit.body, str):
                    self._cache[key] = hit
            return hit

    def _route(self, path: str, query: dict) -> Response:
        if path in ("/", "/index.html"):
            return Response(200, self.home())
        if path == "/robots.txt":
            return Response(200, "User-agent: *\nDisallow: /admin/\nDisallow: /tim-kiem\n"
                            f"Sitemap: {ORIGIN_MARK}/sitemap.xml\n", "text/plain; charset=utf-8")
        if path in ("/sitemap.xml", "/sitemap-articles.xml", "/sitemap-pages.xml"):
            part = path[9:-4] or "index"
            return Response(200, self.sitemap(part), "application/xml; charset=utf-8")
        if path == "/rss.xml":
            return Response(200, self.feed(), "application/rss+xml; charset=utf-8")
        if path == "/notfound":
            return Response(200, self._page("Không tìm thấy trang",
                                            "<div class=\"notfound\"><h1>Không tìm thấy trang</h1>"
                                            "<p>Trang bạn yêu cầu không tồn tại hoặc đã bị xóa.</p>"
                                            "<p><a href=\"./\">Về trang chủ</a></p></div>"))
        if path == "/admin/login.html":
            return Response(200, self._page("Đăng nhập quản trị",
                                            "<form method=\"post\" action=\"admin/login.html\"><input name=\"username\">"
                                            "<input type=\"password\" name=\"password\"><button>Đăng nhập</button></form>"))
        if path in self.assets:
            ctype, data = self.assets[path]
            return Response(200, data, ctype)
        m = re.fullmatch(r"/upload/images/thumbs/([a-z0-9-]+)\.jpg", path)
        if m and m.group(1) in self.by_slug:
            return Response(200, TINY_JPEG, "image/jpeg")
        m = re.fullmatch(r"/print/([a-z0-9-]+)\.html", path)
        if m:
            art = self.by_slug.get(m.group(1))
            return Response(200, self.print_page(art)) if art else self._gone()
        m = re.fullmatch(r"/([a-z0-9-]+)/trang-(-?\d+)\.html", path)
        if m and m.group(1) in self.categories and self.categories[m.group(1)][1] == "path":
            return Response(200, self.listing(m.group(1), _int(m.group(2))))
        m = re.fullmatch(r"/([a-z0-9-]+)\.html", path)
        if m:
            slug = m.group(1)
            if slug in self.by_slug:
                art = self.by_slug[slug]
                return Response(200, self.article_page(art), article=art)
            if slug in self.categories:
                page = _int(query.get("page", ["1"])[0]) if self.categories[slug][1] == "query" else 1
                return Response(200, self.listing(slug, page))
            if slug in content.STATIC_PAGES:
                return Response(200, self.static_page(slug))
            if slug in self.removed and self.removed[slug][1] != 302:
                status = self.removed[slug][1]
                return Response(status, self._page(f"{status} - Không tìm thấy",
                                                   "<h1>Bài viết không còn tồn tại</h1>"))
            return self._gone()
        return self.not_found()

    def _gone(self) -> Response:
        # The CMS answers a missing article with a redirect, not a 404.
        return Response(302, b"", headers={"Location": f"{ORIGIN_MARK}/notfound"})

    def not_found(self) -> Response:
        return Response(404, self._page("404 - Không tìm thấy", "<h1>404</h1><p>Không tìm thấy tài nguyên.</p>"))

    def _dynamic(self, path: str, query: dict) -> Response:
        if path == "/lich-cong-tac.html":
            return Response(200, self.calendar(query.get("tuan", [CALENDAR_START])[0]))
        q = query.get("tukhoa", query.get("q", [""]))[0]
        return Response(200, self.search(q))

    # ----------------------------------------------------------- rendering

    def _head(self, title: str, canonical: str, description: str, og_type: str = "website",
              extra: str = "") -> str:
        return (
            "<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n"
            f"<base href=\"{ORIGIN_MARK}/\">\n"
            "<meta charset=\"utf-8\">\n"
            "<meta http-equiv=\"refresh\" content=\"1800\">\n"
            f"<title>{esc(title)}</title>\n"
            f"<meta name=\"description\" content=\"{attr(description)}\">\n"
            f"<link rel=\"canonical\" href=\"{attr(canonical)}\">\n"
            f"<meta property=\"og:title\" content=\"{attr(title)}\">\n"
            f"<meta property=\"og:type\" content=\"{og_type}\">\n"
            f"<meta property=\"og:description\" content=\"{attr(description)}\">\n"
            f"<meta property=\"og:url\" content=\"{attr(canonical)}\">\n"
            f"{extra}"
            "<link rel=\"stylesheet\" href=\"templates/css/style.css\">\n"
            "<script src=\"templates/js/main.js\"></script>\n"
            "</head>\n"
        )

    def _chrome_top(self) -> str:
        slides = "".join(f"<li><img src=\"{s}\" alt=\"\"></li>" for s in SLIDES)
        menu = "".join(f"<li><a href=\"{slug}.html\">{esc(title)}</a></li>"
                       for slug, title, _ in content.CATEGORIES)
        return (
            "<body>\n<div id=\"wrapper\">\n<div class=\"header\">\n"
            f"<div class=\"slideshow\"><ul>{slides}</ul></div>\n"
            "<div class=\"banner\"><a href=\"./\"><img src=\"upload/images/logo.png\" alt=\"Logo\"></a>"
            "<div class=\"site-name\"><h2>LIÊN ĐOÀN LAO ĐỘNG<br>TỈNH BẮC KẠN</h2>"
            f"<span>{content.SITE_HOST}</span></div></div>\n"
            "<nav class=\"menu\"><span class=\"menu-toggle\">Menu</span><ul>"
            "<li><a href=\"./\">Trang chủ</a></li>"
            "<li><a href=\"gioi-thieu.html\">Giới thiệu</a></li>"
            f"{menu}"
            "<li><a href=\"lich-cong-tac.html?tuan=" + CALENDAR_START + "\">Lịch công tác</a></li>"
            "<li><a href=\"mailto:congdoanbackan@gmail.com\">Liên hệ</a></li>"
            "</ul></nav>\n"
            "<form class=\"search-box\" action=\"tim-kiem.html\" method=\"get\">"
            "<input type=\"text\" name=\"tukhoa\" placeholder=\"Tìm kiếm...\"><button type=\"submit\">Tìm</button></form>\n"
            f"<div class=\"marquee\"><marquee scrollamount=\"4\">{esc(content.MARQUEE)}</marquee></div>\n"
            "</div>\n<div class=\"main\">\n"
        )

    def _chrome_bottom(self) -> str:
        return (
            "</div>\n<div class=\"sidebar\">\n<div class=\"box\"><h3>Liên kết website</h3><ul>"
            "<li><a href=\"https://www.congdoan.vn/\" target=\"_blank\">Tổng Liên đoàn Lao động Việt Nam</a></li>"
            "<li><a href=\"https://backan.gov.vn/\" target=\"_blank\">Cổng thông tin điện tử tỉnh Bắc Kạn</a></li>"
            "<li><a href=\"http://www.baobackan.org.vn/\" target=\"_blank\">Báo Bắc Kạn</a></li>"
            "</ul></div>\n<div class=\"box\"><h3>Tiện ích</h3><ul>"
            f"<li><a href=\"{DEAD_LINKS[0][1:]}\">Sơ đồ tổ chức</a></li>"
            f"<li><a href=\"{DEAD_LINKS[1]}\">Thư viện ảnh</a></li>"
            "<li><a href=\"javascript:void(0)\" onclick=\"history.back()\">Quay lại</a></li>"
            "</ul></div>\n</div>\n"
            "<div class=\"footer\"><p><strong>LIÊN ĐOÀN LAO ĐỘNG TỈNH BẮC KẠN</strong></p>"
            "<p>Địa chỉ: Tổ 1, phường Đức Xuân, thành phố Bắc Kạn, tỉnh Bắc Kạn</p>"
            "<p>Điện thoại: <a href=\"tel:02093870000\">0209 3870 000</a> - Email: "
            "<a href=\"mailto:congdoanbackan@gmail.com\">congdoanbackan@gmail.com</a></p>"
            "<p>Chịu trách nhiệm nội dung: Ban Tuyên giáo LĐLĐ tỉnh | "
            "<a href=\"admin/login.html\" rel=\"nofollow\">Quản trị</a></p></div>\n"
            "</div>\n</body>\n</html>\n"
        )

    def _page(self, title: str, main: str, canonical: str | None = None, description: str = "",
              og_type: str = "website", extra: str = "") -> str:
        canonical = canonical or f"{ORIGIN_MARK}/"
        return (self._head(title, canonical, description or title, og_type, extra)
                + self._chrome_top() + main + self._chrome_bottom())

    # home ------------------------------------------------------------------

    def home(self) -> str:
        latest = "".join(
            f"<li><a class=\"thumb\" href=\"{a.slug}.html\"><img src=\"upload/images/thumbs/{a.slug}.jpg\" alt=\"\"></a>"
            f"<h3><a href=\"{a.slug}.html\">{esc(a.spec.title)}</a></h3>"
            f"<span class=\"date\">{a.date_short()}</span></li>"
            for a in self.articles[:PER_PAGE])
        boxes = []
        for slug, title, _ in content.CATEGORIES:
            items = [a for a in self.articles if a.spec.category == slug][:5]
            lis = "".join(f"<li><a href=\"/{a.slug}.html\">{esc(a.spec.title)}</a></li>" for a in items)
            boxes.append(f"<div class=\"box-cat\"><h2><a href=\"/{slug}.html\">{esc(title)}</a></h2>"
                         f"<ul>{lis}</ul><a class=\"more\" href=\"/{slug}.html\">Xem tất cả</a></div>")
        notice = (f"<div class=\"box-notice\"><h2>Thông báo</h2><ul>"
                  f"<li><a href=\"{MISSING_SLUG}.html\">{esc(content.MISSING_ARTICLE_TITLE)}</a></li>"
                  f"<li><a href=\"lich-cong-tac.html?tuan={CALENDAR_START}\">Lịch công tác tuần</a></li></ul></div>")
        main = (f"<div class=\"home\"><div class=\"latest\"><h2>Tin mới nhất</h2><ul>{latest}</ul></div>\n"
                + notice + "\n" + "\n".join(boxes) + "</div>\n")
        if self.fault_set is not None:
            main += self.fault_set.links_html()
        return self._page("Liên đoàn Lao động tỉnh Bắc Kạn", main,
                          description="Trang thông tin điện tử Liên đoàn Lao động tỉnh Bắc Kạn",
                          extra="<link rel=\"alternate\" type=\"application/rss+xml\" "
                                "title=\"Tin mới\" href=\"rss.xml\">\n")

    # listings --------------------------------------------------------------

    def category_articles(self, slug: str) -> list[Article]:
        return [a for a in self.articles if a.spec.category == slug]

    def n_pages(self, slug: str) -> int:
        return max(1, -(-len(self.category_articles(slug)) // PER_PAGE))

    def page_url(self, slug: str, n: int) -> str:
        if self.categories[slug][1] == "query":
            return f"{slug}.html?page={n}"
        return f"{slug}.html" if n == 1 else f"{slug}/trang-{n}.html"

    def listing(self, slug: str, page: int) -> str:
        title, _ = self.categories[slug]
        last = self.n_pages(slug)
        page = min(max(page, 1), last)  # past the end: the last page again, 200
        items = self.category_articles(slug)[(page - 1) * PER_PAGE: page * PER_PAGE]
        lis = "".join(
            f"<li class=\"item\"><a class=\"thumb\" href=\"{a.slug}.html\">"
            f"<img src=\"upload/images/thumbs/{a.slug}.jpg\" alt=\"{attr(a.spec.title)}\"></a>"
            f"<h3><a href=\"{a.slug}.html\">{esc(a.spec.title)}</a></h3>"
            f"<span class=\"date\">{a.date_short()}</span>"
            f"<p class=\"desc\">{esc(a.description(160))}</p></li>"
            for a in items) or "<li>Chưa có bài viết.</li>"
        next_word = "Tiếp" if slug == "hoat-dong-cong-doan" else "Trang sau"
        links = []
        if page > 1:
            links.append(f"<a href=\"{self.page_url(slug, 1)}\">&laquo;</a>")
        for n in range(max(1, page - 4), min(last, page + 4) + 1):
            links.append(f"<span class=\"current\">{n}</span>" if n == page
                         else f"<a href=\"{self.page_url(slug, n)}\">{n}</a>")
        if page < last:
            links.append(f"<a href=\"{self.page_url(slug, page + 1)}\">{next_word}</a>")
            links.append(f"<a href=\"{self.page_url(slug, last)}\">&raquo;</a>")
        main = (f"<div class=\"breadcrumb\"><a href=\"/\">Trang chủ</a> &raquo; {esc(title)}</div>\n"
                f"<div class=\"cat-page\"><h1 class=\"cat-title\">{esc(title)}</h1>\n"
                f"<ul class=\"list-news\">{lis}</ul>\n"
                f"<div class=\"pagination\">{' '.join(links)}</div></div>\n")
        canonical = f"{ORIGIN_MARK}/{self.page_url(slug, page)}"
        return self._page(title, main, canonical=canonical, description=title)

    # static, calendar, search ------------------------------------------------

    def static_page(self, slug: str) -> str:
        title, paras = content.STATIC_PAGES[slug]
        body = "".join(f"<p style=\"text-align: justify;\">{esc(p)}</p>" for p in paras)
        main = (f"<div class=\"static-page\"><h1 class=\"title-detail\">{esc(title)}</h1>"
                f"<div class=\"content-detail\">{body}</div></div>\n")
        return self._page(title, main, canonical=f"{ORIGIN_MARK}/{slug}.html",
                          description=normalize_text(paras[0]))

    def calendar(self, week: str) -> str:
        m = re.fullmatch(r"(\d{4})-W(\d{1,2})", week)
        try:
            monday = date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1) if m else None
        except ValueError:
            monday = None
        if monday is None:
            monday = date.fromisocalendar(2024, 10, 1)
        y, w, _ = monday.isocalendar()
        py, pw, _ = (monday - timedelta(days=7)).isocalendar()
        sunday = monday + timedelta(days=6)
        main = (f"<div class=\"calendar\"><h1>Lịch công tác tuần {w} năm {y}</h1>"
                f"<p>Từ ngày {monday:%d/%m/%Y} đến ngày {sunday:%d/%m/%Y}</p>"
                "<table class=\"lich\"><tr><th>Ngày</th><th>Nội dung</th></tr>"
                "<tr><td colspan=\"2\">Chưa có lịch công tác.</td></tr></table>"
                f"<p><a href=\"lich-cong-tac.html?tuan={py}-W{pw:02d}\">&laquo; Tuần trước</a></p></div>\n")
        return self._page(f"Lịch công tác tuần {w}/{y}", main,
                          canonical=f"{ORIGIN_MARK}/lich-cong-tac.html?tuan={y}-W{w:02d}")

    def search(self, q: str) -> str:
        needle = slugify(q)
        hits = [a for a in self.articles if needle and needle in a.slug][:PER_PAGE]
        lis = "".join(f"<li><a href=\"{a.slug}.html\">{esc(a.spec.title)}</a></li>" for a in hits)
        main = f"<div class=\"search\"><h1>Kết quả tìm kiếm: {esc(q)}</h1><ul>{lis}</ul></div>\n"
        return self._page("Tìm kiếm", main)

    # articles --------------------------------------------------------------

    def dateline(self, art: Article) -> str:
        p, t = art.spec.published, art.spec.template
        if t == "ckeditor":
            return f"Cập nhật lúc {p:%H:%M} - {p:%d/%m/%Y} (GMT +07:00)"
        if t == "table":
            return f"Ngày đăng: {p:%d/%m/%Y %H:%M:%S}"
        return f"{WEEKDAYS[p.weekday()]}, {p:%d/%m/%Y} - {p:%H:%M}"

    def _para_ck(self, text: str, variant: int, i: int) -> str:
        v = variant if variant < 4 else i % 4
        t = esc(text)
        if v == 0:
            return f"<p style=\"text-align: justify;\">{t}</p>"
        if v == 1:
            return ("<p class=\"MsoNormal\" style=\"margin-bottom:6.0pt;text-align:justify;text-indent:36.0pt\">"
                    "<span style=\"font-size:14.0pt;line-height:115%;font-family:&quot;Times New Roman&quot;,serif\">"
                    f"{t}</span></p>")
        if v == 2:
            return f"<p style=\"text-align: justify;\">&nbsp; &nbsp; &nbsp;{t.replace('. ', '.&nbsp; ', 1)}</p>"
        return f"<p style=\"text-align: justify;\"><span style=\"font-size:16px;\">{t}</span>&nbsp;</p>"

    def _byline_ck(self, line: str, variant: int) -> str:
        tag = ["strong", "b", "em", "strong", "span"][variant % 5]
        align = ["style=\"text-align: right;\"", "style=\"text-align:right\"", "align=\"right\""][variant % 3]
        inner = f"<span style=\"font-weight: bold;\">{esc(line)}</span>" if tag == "span" else f"<{tag}>{esc(line)}</{tag}>"
        return f"<p {align}>{inner}</p>"

    def _attach_html(self, b: Attach) -> str:
        if b.kind == "video":
            return (f"<p style=\"text-align: center;\"><iframe width=\"560\" height=\"315\" src=\"{attr(b.href)}\" "
                    "frameborder=\"0\" allowfullscreen></iframe></p>")
        return f"<p>{esc(b.lead)}<a href=\"{attr(b.href)}\" target=\"_blank\">{esc(b.text or b.href)}</a></p>"

    def body_html(self, art: Article) -> str:
        """The article from its title to its byline (shared by page and print)."""
        s, v = art.spec, art.spec.variant
        blocks = art.blocks()
        out = []
        if s.template == "ckeditor":
            for i, b in enumerate(blocks):
                if isinstance(b, str):
                    out.append(self._para_ck(b, v, i))
                elif isinstance(b, Img):
                    out.append(f"<p style=\"text-align: center;\"><img alt=\"\" src=\"{attr(b.src)}\" "
                               "style=\"width: 600px; height: 400px;\" /></p>")
                    if b.caption:
                        out.append(f"<p style=\"text-align: center;\"><em>{esc(b.caption)}</em></p>")
                else:
                    out.append(self._attach_html(b))
            if s.author_line:
                out.append(self._byline_ck(s.author_line, v))
            return (f"<div class=\"detail-news\">\n<h1 class=\"title-detail\">{esc(s.title)}</h1>\n"
                    f"<div class=\"date-detail\">{self.dateline(art)}</div>\n"
                    f"<div class=\"content-detail\">\n" + "\n".join(out) + "\n</div>\n</div>\n")
        if s.template == "table":
            for b in blocks:
                if isinstance(b, str):
                    out.append(f"<p style=\"text-align:justify\">{esc(b)}</p>")
                elif isinstance(b, Img):
                    if v % 2 == 0:
                        cap = f"<figcaption>{esc(b.caption)}</figcaption>" if b.caption else ""
                        out.append(f"<figure class=\"image\"><img src=\"{attr(b.src)}\" alt=\"\" width=\"600\">{cap}</figure>")
                    else:
                        cap = f"<tr><td class=\"image_desc\">{esc(b.caption)}</td></tr>" if b.caption else ""
                        out.append("<table class=\"image\" align=\"center\"><tbody>"
                                   f"<tr><td><img src=\"{attr(b.src)}\" alt=\"\" width=\"600\"></td></tr>{cap}</tbody></table>")
                else:
                    out.append(self._attach_html(b))
            author = (f"<tr><td class=\"news-author\" align=\"right\">Tác giả: <b>{esc(s.author_line)}</b></td></tr>\n"
                      if s.author_line else "")
            return ("<table class=\"tbl-news-detail\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\">\n"
                    f"<tr><td class=\"news-title\"><h2>{esc(s.title)}</h2></td></tr>\n"
                    f"<tr><td class=\"news-date\">{self.dateline(art)}</td></tr>\n"
                    "<tr><td class=\"news-content\">\n" + "\n".join(out) + "\n</td></tr>\n"
                    + author + "</table>\n")
        # html5
        for i, b in enumerate(blocks):
            if isinstance(b, str):
                if i == 0 and v % 2 == 1:
                    out.append(f"<p class=\"sapo\"><strong>{esc(b)}</strong></p>")
                else:
                    out.append(f"<p>{esc(b)}</p>")
            elif isinstance(b, Img):
                placeholder = ("templates/images/loading.gif" if v % 2 == 0 else
                               "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
                img = f"<img class=\"lazy\" src=\"{placeholder}\" data-src=\"{attr(b.src)}\" alt=\"\">"
                if v % 3 == 0:
                    cap = f"<p class=\"img-caption\"><em>{esc(b.caption)}</em></p>" if b.caption else ""
                    out.append(f"<p style=\"text-align:center\">{img}</p>{cap}")
                else:
                    cap = f"<figcaption>{esc(b.caption)}</figcaption>" if b.caption else ""
                    out.append(f"<figure class=\"post-image\">{img}{cap}</figure>")
            else:
                out.append(self._attach_html(b))
        source_in = source_out = ""
        if s.source_line:
            line = f"<p class=\"post-source\" style=\"text-align:right\"><strong>{esc(s.source_line)}</strong></p>"
            if v % 2 == 0:
                source_in = "\n" + line
            else:
                source_out = line + "\n"
        return ("<article class=\"post-detail\">\n<header>"
                f"<h1 class=\"post-title\">{esc(s.title)}</h1>\n"
                "<div class=\"post-meta\">"
                f"<a class=\"post-cat\" href=\"{s.category}.html\">{esc(self.categories[s.category][0])}</a> "
                f"<time datetime=\"{art.published_at}\">{self.dateline(art)}</time></div></header>\n"
                "<div class=\"post-content\">\n" + "\n".join(out) + source_in + "\n</div>\n"
                + source_out + "</article>\n")

    def _related(self, art: Article) -> list[Article]:
        same = [a for a in self.category_articles(art.spec.category) if a is not art]
        older = [a for a in same if a.spec.published <= art.spec.published]
        picks = (older + [a for a in same if a not in older])[:5]
        if len(picks) < 5:
            picks += [a for a in self.articles if a is not art and a not in picks][:5 - len(picks)]
        return picks

    def _og_extra(self, art: Article) -> str:
        imgs = art.images()
        extra = f"<meta property=\"article:published_time\" content=\"{art.published_at}\">\n"
        if imgs:
            url = absolute(imgs[0].src, "http://origin.invalid").replace("http://origin.invalid", ORIGIN_MARK)
            extra += f"<meta property=\"og:image\" content=\"{attr(url)}\">\n"
        return extra

    def article_page(self, art: Article) -> str:
        s = art.spec
        url = f"{ORIGIN_MARK}/{art.slug}.html"
        share = (
            "<div class=\"share-tools\">Chia sẻ: "
            f"<a href=\"https://www.facebook.com/sharer/sharer.php?u={url}\" target=\"_blank\">Facebook</a> "
            f"<a href=\"https://sp.zalo.me/share_inline?url={url}\" target=\"_blank\">Zalo</a> "
            f"<a href=\"https://twitter.com/intent/tweet?url={url}\" target=\"_blank\">Twitter</a> "
            f"<a href=\"print/{art.slug}.html\" target=\"_blank\">In bài viết</a> "
            "<a href=\"javascript:window.print()\">In trang</a></div>\n"
            # A tag link into the search, which robots.txt disallows.
            "<div class=\"tags\">Từ khóa: <a href=\"tim-kiem.html?tukhoa=c%C3%B4ng+%C4%91o%C3%A0n\">công đoàn</a></div>\n")
        rel = "".join(
            f"<li><a href=\"{ORIGIN_MARK}/{a.slug}.html\"><img src=\"upload/images/thumbs/{a.slug}.jpg\" alt=\"\"></a>"
            f"<a href=\"{ORIGIN_MARK}/{a.slug}.html\">{esc(a.spec.title)}</a> <span>({a.date_short()})</span></li>"
            for a in self._related(art))
        main = (f"<div class=\"breadcrumb\"><a href=\"/\">Trang chủ</a> &raquo; "
                f"<a href=\"/{s.category}.html\">{esc(self.categories[s.category][0])}</a></div>\n"
                + self.body_html(art) + share
                + f"<div class=\"other-news\"><h3>Tin khác</h3><ul>{rel}</ul></div>\n")
        return self._page(s.title, main, canonical=url, description=art.description(),
                          og_type="article", extra=self._og_extra(art))

    def print_page(self, art: Article) -> str:
        url = f"{ORIGIN_MARK}/{art.slug}.html"
        return (self._head(art.spec.title, url, art.description(), "article", self._og_extra(art))
                + "<body class=\"print\" onload=\"window.print()\">\n" + self.body_html(art)
                + f"<p class=\"print-url\">Nguồn: {url}</p>\n</body>\n</html>\n")

    # ------------------------------------------------------------ manifest

    @staticmethod
    def printed_byline(s) -> str | None:
        """The byline line as a reader sees it on the page."""
        if s.author_line:
            return f"Tác giả: {s.author_line}" if s.template == "table" else s.author_line
        return s.source_line or None

    def manifest_entry(self, art: Article, origin: str) -> dict:
        s = art.spec
        paras = [normalize_text(p) for p in art.paragraphs()]
        return {
            "url": f"{origin}/{art.slug}.html",
            "path": art.path,
            "title": s.title,
            "published_at": art.published_at,
            "published_date": s.published.date().isoformat(),
            "dateline": self.dateline(art),
            "author": s.author,
            "author_line": self.printed_byline(s),
            "source": s.source,
            "category": s.category,
            "template": s.template,
            "n_images": len(art.images()),
            "images": [{"url": absolute(i.src, origin), "caption": i.caption} for i in art.images()],
            "attachments": [{"url": absolute(a.href, origin), "text": a.text, "kind": a.kind}
                            for a in art.attachments()],
            "first_paragraph": paras[0] if paras else None,
            "last_paragraph": paras[-1] if paras else None,
            "n_paragraphs": len(paras),
            "print_url": f"{origin}/print/{art.slug}.html",
            "etag": art.etag(),
            "last_modified": format_datetime(art.modified, usegmt=True),
            "role": s.role,
        }

    def trap_urls(self, origin: str) -> dict:
        def first(role):
            return next((f"{origin}{a.path}" for a in self.articles if a.spec.role == role), None)
        cat_path = next(s for s, (_, st) in self.categories.items() if st == "path")
        cat_query = next(s for s, (_, st) in self.categories.items() if st == "query")
        return {
            "calendar_start": f"{origin}/lich-cong-tac.html?tuan={CALENDAR_START}",
            "print_pattern": f"{origin}/print/<slug>.html",
            "not_found_404": [f"{origin}{p}" for p in DEAD_LINKS],
            "transient_503": first("transient"),
            "redirect_302": f"{origin}/{MISSING_SLUG}.html",
            "notfound_page": f"{origin}/notfound",
            "robots_disallowed": [f"{origin}/admin/login.html", f"{origin}/tim-kiem.html"],
            "past_last_page": f"{origin}/{cat_path}/trang-999.html",
            "past_last_page_query": f"{origin}/{cat_query}.html?page=999",
            "offsite_examples": ["https://www.facebook.com/sharer/sharer.php", "https://sp.zalo.me/share_inline",
                                 "https://twitter.com/intent/tweet", "https://www.congdoan.vn/",
                                 "https://backan.gov.vn/", "mailto:congdoanbackan@gmail.com",
                                 "tel:02093870000", "javascript:window.print()"],
        }

    def manifest(self, origin: str) -> dict:
        with self.lock:
            out = {
                "origin": origin,
                "text_normalization": "NBSP -> space, whitespace runs collapsed, stripped",
                "conventions": MANIFEST_CONVENTIONS,
                "n_articles": len(self.articles),
                "articles": [self.manifest_entry(a, origin) for a in self.articles],
                "categories": [{"slug": slug, "title": t, "url": f"{origin}/{slug}.html",
                                "pagination": st, "n_articles": len(self.category_articles(slug)),
                                "n_pages": self.n_pages(slug)}
                               for slug, (t, st) in self.categories.items()],
                "static_pages": [{"url": f"{origin}/{slug}.html", "path": f"/{slug}.html", "title": t,
                                  "published_at": None}
                                 for slug, (t, _) in content.STATIC_PAGES.items()],
                "home": f"{origin}/",
                "traps": self.trap_urls(origin),
                "files": self.file_oracle(origin),
            }
            if self.fault_set is not None:
                out["faults"] = self.fault_set.manifest(origin)
            return out


def _int(text: str) -> int:
    try:
        return int(text)
    except (TypeError, ValueError):
        return 1


def build_site(n_articles: int | None = None, faults=False) -> Site:
    """The mirror with the seed, the hand-written cases and generated articles
    (``n_articles`` in all, default 60). ``faults``: True, or a
    ``faults.FaultConfig`` for other sizes and timings, adds the faulty URLs."""
    return Site(content.all_specs(n_articles), faults=faults)


def conditional(resp: Response, headers) -> bool:
    """True when a conditional GET may be answered 304 Not Modified."""
    art = resp.article
    if art is None:
        return False
    inm = headers.get("If-None-Match")
    if inm is not None:
        tags = [t.strip() for t in inm.split(",")]
        return "*" in tags or art.etag() in tags or f"W/{art.etag()}" in tags
    ims = headers.get("If-Modified-Since")
    if ims:
        try:
            since = parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=timezone.utc)
        return art.modified <= since
    return False


__all__ = ["Site", "Article", "Response", "build_site", "slugify", "absolute", "conditional"]
