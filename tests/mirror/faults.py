"""Fault injection for the mirror: a small provincial server that misbehaves.

Off unless asked for (``build_site(faults=True)`` or ``python -m tests.mirror
--faults``); the normal mirror is untouched. With faults on, the home page gets
one more box linking every faulty URL, robots.txt disallows one more folder,
the manifest gains a ``faults`` list (per URL: its kind and what a correct
crawler ends with), and ``GET /__mirror/fault-log`` gives the time of every
request to a faulty URL (to check that Retry-After was honoured).

Fault articles are extra articles, not listed in categories and not in the
manifest's ``articles``: that list stays the set of healthy articles.

Expected outcomes (``expect``):

- ``archived``: stored in ``articles`` with the fields of ``article`` (the
  same entry format as the manifest's articles), and not in ``failures``;
- ``failure``: in ``failures`` with ``http_status``/``attempts`` as given (with
  Scrapy's default RETRY_TIMES=3) and ``error`` containing the given text,
  never in ``articles``;
- ``skipped``: robots.txt forbids ``never_requested``: no request reaches it
  and nothing is recorded (policy, not failure).

site.py imports this module, never the reverse: a ``FaultSet`` builds its
articles from model.py and renders them through the ``Site`` it is given.
"""
from __future__ import annotations

import random
import sqlite3
import socket
import threading
import time
import unicodedata
import zlib
from dataclasses import dataclass, field
from datetime import timezone

from . import content
from .content import ORIGIN_MARK, Img
from .model import ICT, Article, slugify

DISALLOWED_FOLDER = "/noi-bo/"
# Vietnamese tone marks: windows-1258 writes these as combining characters
# after the (possibly circumflexed/breved/horned) base letter.
TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
ATTEMPTS_WITH_DEFAULT_RETRIES = 4  # 1 + RETRY_TIMES (3)


@dataclass
class FaultConfig:
    """Sizes and timings of the faults; tests shrink them, ``make chaos`` does not."""

    huge_bytes: int = 40 * 1024 * 1024  # the 40 MB pages
    big_bytes: int = 5 * 1024 * 1024  # a big page still under the default DOWNLOAD_MAXSIZE
    flood_tags: int = 250_000  # <br> tags of the tag flood (over ARCHIVER_MAX_MARKUP)
    bomb_bytes: int = 1024 * 1024 * 1024  # what the gzip bomb inflates to
    slow_seconds: float = 5.0  # wait before the first byte (under DOWNLOAD_TIMEOUT)
    stall_seconds: float = 180.0  # wait with no answer at all (over DOWNLOAD_TIMEOUT)
    retry_after: int = 2  # seconds asked by the 429 and the 503s
    throttled_hits: int = 2  # 429 answers before the page is served
    offsite_target: str = "http://example.invalid/"  # where the off-site redirect points


@dataclass
class Fault:
    kind: str
    path: str
    link_text: str
    expect: str  # archived | failure | skipped
    why: str
    article: Article | None = None
    failure: dict | None = None
    never_requested: list[str] = field(default_factory=list)


def cp1258_bytes(text: str) -> bytes:
    """``text`` in windows-1258 the way Vietnamese editors produced it: base
    letters precomposed (â ê ô ă ơ ư đ), tone marks as combining characters."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        decomposed = unicodedata.normalize("NFD", ch)
        base = "".join(c for c in decomposed if c not in TONE_MARKS)
        tones = "".join(c for c in decomposed if c in TONE_MARKS)
        out.append(unicodedata.normalize("NFC", base) + tones)
    return "".join(out).encode("cp1258", errors="xmlcharrefreplace")


def _ascii_images(spec) -> bool:
    return all(b.src.isascii() for b in spec.blocks if isinstance(b, Img))


class FaultSet:
    """The faulty URLs of one ``Site`` and how the server answers them."""

    def __init__(self, site, config: FaultConfig | None = None):
        self.site = site  # a site.Site (not imported: site.py imports this module)
        self.config = config or FaultConfig()
        self.lock = threading.Lock()
        self.hits: dict[str, list[float]] = {}
        self._bomb: bytes | None = None
        self.faults: list[Fault] = []
        self._build()
        self.by_path = {f.path: f for f in self.faults}

    # ------------------------------------------------------------ the set

    def _build(self) -> None:
        specs = iter(content.generate(200, start_index=20000))
        used = set(self.site.by_slug)

        def article(ascii_images: bool = False, plain: bool = False) -> Article:
            spec = next(specs)
            while (ascii_images and not _ascii_images(spec)) or (
                    plain and (spec.template, spec.variant) != ("ckeditor", 0)):
                spec = next(specs)
            slug, k = slugify(spec.title), 2
            while slug in used or slug in self.site._reserved:
                slug, k = f"{slugify(spec.title)}-{k}", k + 1
            used.add(slug)
            modified = spec.published.replace(tzinfo=ICT).astimezone(timezone.utc)
            return Article(spec, slug, modified)

        def archived(kind, why, ascii_images=False, plain=False):
            art = article(ascii_images, plain)
            self.faults.append(Fault(kind, art.path, art.spec.title, "archived", why, article=art))

        def failed(kind, path, why, status, attempts, error, text=None):
            self.faults.append(Fault(kind, path, text or kind, "failure", why,
                                     failure={"http_status": status, "attempts": attempts, "error": error}))

        n = ATTEMPTS_WITH_DEFAULT_RETRIES
        archived("cut_once", "the connection drops half-way through the body once, then the page is served")
        archived("retry_after_429", "429 with Retry-After for the first requests, then the page")
        archived("slow_first_byte", "the first byte comes after a long wait, still within DOWNLOAD_TIMEOUT")
        archived("wrong_charset", "UTF-8 bytes sent as charset=iso-8859-1, no meta charset", ascii_images=True)
        archived("cp1258_header", "windows-1258 with combining tone marks, charset in the header", ascii_images=True)
        archived("cp1258_meta", "windows-1258 with combining tone marks, charset in <meta> only", ascii_images=True)
        archived("nfd_utf8", "UTF-8 in normalisation form D", ascii_images=True)
        archived("truncated_html", "the HTML stops after the byline: no closing tags, no footer")
        archived("big_page", "a very long article: thousands of paragraphs between the first and the "
                             "last (under DOWNLOAD_MAXSIZE and ARCHIVER_MAX_MARKUP: archived, memory bounded)",
                 plain=True)
        for kind, status in (("http_500", 500), ("http_503", 503)):
            art = article()
            failed(kind, art.path, f"{status} on every request", status, n, f"HTTP {status}", art.spec.title)
        failed("stall", "/tin-cho-phan-hoi.html", "no answer at all for longer than DOWNLOAD_TIMEOUT",
               None, n, "Timeout")
        failed("huge_declared", "/bao-cao-tong-hop-day-du.html",
               "a 40 MB page with an honest Content-Length", None, 1, "DOWNLOAD_MAXSIZE")
        failed("huge_streamed", "/bao-cao-tong-hop-khong-do-dai.html",
               "a 40 MB page streamed without Content-Length", None, 1, "DOWNLOAD_MAXSIZE")
        failed("gzip_bomb", "/van-ban-nen.html", "a small gzip body that inflates to ~1 GB",
               200, 1, "DOWNLOAD_MAXSIZE")
        art = article()
        failed("tag_flood", art.path, "an article followed by 250,000 <br> tags: a small page that "
               "would cost ~300 MB to parse", 200, 1, "ARCHIVER_MAX_MARKUP", art.spec.title)
        self.faults[-1].article = art
        failed("redirect_loop", "/vong-lap-a.html", "302 to a page that 302s back", 302, 1, "redirect loop")
        failed("redirect_chain", "/chuyen-tiep/1.html", "a chain of 15 redirects (REDIRECT_MAX_TIMES is 10)",
               302, 1, "too many redirects")
        failed("binary_garbage", "/tai-lieu-nhi-phan.html", "random bytes served as text/html",
               200, 1, "binary")
        failed("offsite_redirect", "/lien-ket-ngoai.html",
               "302 to another host: the crawler must not follow it", 302, 1, "off-site redirect")
        self.faults.append(Fault("robots_disallowed", f"{DISALLOWED_FOLDER}tai-lieu-mat.html", "robots_disallowed",
                                 "skipped", "a link into a folder disallowed by robots.txt",
                                 never_requested=[f"{DISALLOWED_FOLDER}tai-lieu-mat.html"]))
        self.faults.append(Fault("redirect_to_disallowed", "/tai-lieu-noi-bo.html", "redirect_to_disallowed",
                                 "skipped", "302 into the folder disallowed by robots.txt",
                                 never_requested=[f"{DISALLOWED_FOLDER}bao-cao.html"]))

    # ------------------------------------------------------ site hooks

    def links_html(self) -> str:
        """A home-page box linking every faulty URL, so that a crawler finds them."""
        items = "".join(f"<li><a href=\"{f.path.lstrip('/')}\">{_esc(f.link_text)}</a></li>"
                        for f in self.faults)
        return f"<div class=\"box-notice box-faults\"><h2>Tin bài khác</h2><ul>{items}</ul></div>\n"

    def robots_txt(self) -> str:
        return ("User-agent: *\nDisallow: /admin/\nDisallow: /tim-kiem\n"
                f"Disallow: {DISALLOWED_FOLDER}\n")

    def manifest(self, origin: str) -> list[dict]:
        out = []
        for f in self.faults:
            out.append({
                "kind": f.kind, "url": origin + f.path, "path": f.path, "expect": f.expect, "why": f.why,
                "article": (self.site.manifest_entry(f.article, origin)
                            if f.article and f.expect == "archived" else None),
                "failure": f.failure,
                "never_requested": [origin + p for p in f.never_requested],
            })
        return out

    def log(self) -> dict:
        with self.lock:
            return {p: list(t) for p, t in self.hits.items()}

    # ------------------------------------------------------------ serving

    def serve(self, handler, head: bool) -> bool:
        """Answer ``handler``'s request if it is a faulty URL; False otherwise."""
        path = handler.path.split("?", 1)[0]
        if path == "/robots.txt":
            _send(handler, 200, self.robots_txt().encode(), "text/plain; charset=utf-8", head=head)
            return True
        fault = self.by_path.get(path)
        redirect = self._redirect(path)
        if fault is None and redirect is None and not path.startswith(DISALLOWED_FOLDER):
            return False
        with self.lock:
            hits = self.hits.setdefault(path, [])
            hits.append(time.time())
            n = len(hits)
        origin = handler.mirror.origin
        if redirect is not None:
            target = redirect if "://" in redirect else origin + redirect
            _send(handler, 302, b"", None, {"Location": target}, head=head)
            return True
        if fault is None:  # inside the disallowed folder: served, should never be asked
            _send(handler, 200, self._page_bytes(self.site.not_found().body, origin), "text/html; charset=utf-8",
                  head=head)
            return True
        getattr(self, "_" + fault.kind)(handler, fault, n, origin, head)
        return True

    def _redirect(self, path: str) -> str | None:
        if path == "/vong-lap-a.html":
            return "/vong-lap-b.html"
        if path == "/vong-lap-b.html":
            return "/vong-lap-a.html"
        if path.startswith("/chuyen-tiep/"):
            step = path[len("/chuyen-tiep/"):-len(".html")]
            return f"/chuyen-tiep/{int(step) + 1}.html" if step.isdigit() and int(step) < 16 else None
        if path == "/lien-ket-ngoai.html":
            return self.config.offsite_target
        if path == "/tai-lieu-noi-bo.html":
            return f"{DISALLOWED_FOLDER}bao-cao.html"
        return None

    @staticmethod
    def _page_bytes(text: str, origin: str) -> bytes:
        return text.replace(ORIGIN_MARK, origin).encode("utf-8")

    def _article_html(self, fault: Fault, origin: str) -> str:
        return self.site.article_page(fault.article).replace(ORIGIN_MARK, origin)

    # one method per kind ------------------------------------------------------

    def _cut_once(self, handler, fault, n, origin, head):
        body = self._article_html(fault, origin).encode("utf-8")
        if n > 1 or head:
            return _send(handler, 200, body, "text/html; charset=utf-8", head=head)
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body[: len(body) // 2])
        _hang_up(handler)

    def _retry_after_429(self, handler, fault, n, origin, head):
        if n <= self.config.throttled_hits:
            page = self.site._page("Quá nhiều yêu cầu", "<p>Vui lòng thử lại sau.</p>")
            return _send(handler, 429, self._page_bytes(page, origin), "text/html; charset=utf-8",
                         {"Retry-After": str(self.config.retry_after)}, head=head)
        _send(handler, 200, self._article_html(fault, origin).encode("utf-8"), "text/html; charset=utf-8",
              head=head)

    def _slow_first_byte(self, handler, fault, n, origin, head):
        time.sleep(self.config.slow_seconds)
        _send(handler, 200, self._article_html(fault, origin).encode("utf-8"), "text/html; charset=utf-8",
              head=head)

    def _wrong_charset(self, handler, fault, n, origin, head):
        html = self._article_html(fault, origin).replace("<meta charset=\"utf-8\">\n", "")
        _send(handler, 200, html.encode("utf-8"), "text/html; charset=iso-8859-1", head=head)

    def _cp1258_header(self, handler, fault, n, origin, head):
        html = self._article_html(fault, origin).replace("<meta charset=\"utf-8\">\n", "")
        _send(handler, 200, cp1258_bytes(html), "text/html; charset=windows-1258", head=head)

    def _cp1258_meta(self, handler, fault, n, origin, head):
        html = self._article_html(fault, origin).replace(
            "<meta charset=\"utf-8\">", "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1258\">")
        _send(handler, 200, cp1258_bytes(html), "text/html", head=head)

    def _nfd_utf8(self, handler, fault, n, origin, head):
        html = unicodedata.normalize("NFD", self._article_html(fault, origin))
        _send(handler, 200, html.encode("utf-8"), "text/html; charset=utf-8", head=head)

    def _truncated_html(self, handler, fault, n, origin, head):
        html = self._article_html(fault, origin)
        body = self.site.body_html(fault.article).replace(ORIGIN_MARK, origin)
        cut = html[: html.index(body) + len(body)].rstrip()
        while cut.endswith(">") and cut[cut.rfind("<"):].startswith("</"):
            cut = cut[: cut.rfind("<")].rstrip()  # drop every trailing closing tag
        _send(handler, 200, cut.encode("utf-8"), "text/html; charset=utf-8", head=head)

    def _big_page(self, handler, fault, n, origin, head):
        html = self._article_html(fault, origin)
        first = next(b for b in fault.article.blocks() if isinstance(b, str))
        at = html.index(f"<p style=\"text-align: justify;\">{_esc(first)}</p>")
        at = html.index("</p>", at) + len("</p>")
        filler = "\n<p style=\"text-align: justify;\">" + "Công đoàn cơ sở tổ chức hội nghị người lao động. " * 8 + "</p>"
        count = max(0, self.config.big_bytes - len(html.encode("utf-8"))) // len(filler.encode("utf-8"))
        html = html[:at] + filler * count + html[at:]
        _send(handler, 200, html.encode("utf-8"), "text/html; charset=utf-8", head=head)

    def _tag_flood(self, handler, fault, n, origin, head):
        html = self._article_html(fault, origin)
        at = html.index("<div class=\"sidebar\">")
        html = html[:at] + "<div class=\"box-right\">" + "<br>" * self.config.flood_tags + "</div>\n" + html[at:]
        _send(handler, 200, html.encode("utf-8"), "text/html; charset=utf-8", head=head)

    def _error_page(self, handler, status, origin, head, headers=None):
        page = self.site._page("Lỗi máy chủ", f"<h1>{status}</h1><p>Máy chủ gặp sự cố.</p>")
        _send(handler, status, self._page_bytes(page, origin), "text/html; charset=utf-8", headers, head=head)

    def _http_500(self, handler, fault, n, origin, head):
        self._error_page(handler, 500, origin, head)

    def _http_503(self, handler, fault, n, origin, head):
        self._error_page(handler, 503, origin, head, {"Retry-After": str(self.config.retry_after)})

    def _stall(self, handler, fault, n, origin, head):
        time.sleep(self.config.stall_seconds)
        _hang_up(handler)

    def _huge_lines(self, origin: str):
        """The head of a real-looking page, then filler paragraphs, ``huge_bytes`` in all."""
        start = self.site._head("Báo cáo tổng hợp", f"{origin}/", "Báo cáo").replace(ORIGIN_MARK, origin)
        yield (start + "<body><div class=\"content-detail\">\n").encode("utf-8")
        line = ("<p>Số liệu tổng hợp của các công đoàn cơ sở trong toàn tỉnh, "
                "cập nhật theo từng quý và từng đơn vị.</p>\n").encode("utf-8") * 256
        sent = len(start)
        while sent < self.config.huge_bytes:
            chunk = line[: self.config.huge_bytes - sent]
            sent += len(chunk)
            yield chunk

    def _huge_declared(self, handler, fault, n, origin, head):
        total = sum(len(c) for c in self._huge_lines(origin))
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(total))
        handler.end_headers()
        if not head:
            for chunk in self._huge_lines(origin):
                handler.wfile.write(chunk)

    def _huge_streamed(self, handler, fault, n, origin, head):
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.close_connection = True
        if not head:
            for chunk in self._huge_lines(origin):
                handler.wfile.write(chunk)

    def bomb(self) -> bytes:
        """gzip of a short HTML start and ``bomb_bytes`` of zeros (built once)."""
        with self.lock:
            if self._bomb is None:
                comp = zlib.compressobj(9, zlib.DEFLATED, 31)
                parts = [comp.compress(b"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>")]
                block = bytes(1024 * 1024)
                left = self.config.bomb_bytes
                while left > 0:
                    parts.append(comp.compress(block[: min(left, len(block))]))
                    left -= len(block)
                parts.append(comp.flush())
                self._bomb = b"".join(parts)
            return self._bomb

    def _gzip_bomb(self, handler, fault, n, origin, head):
        _send(handler, 200, self.bomb(), "text/html; charset=utf-8", {"Content-Encoding": "gzip"}, head=head)

    def _binary_garbage(self, handler, fault, n, origin, head):
        data = random.Random(1258).randbytes(64 * 1024)
        _send(handler, 200, data, "text/html; charset=utf-8", head=head)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _send(handler, status: int, body: bytes, ctype: str | None, headers: dict | None = None,
          head: bool = False) -> None:
    handler._send(status, body, ctype, headers, head=head)


def _hang_up(handler) -> None:
    """Close the connection without finishing the response."""
    handler.close_connection = True
    try:
        handler.wfile.flush()
        handler.connection.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


# ---------------------------------------------------------------- the oracle

ROBOTS_DISALLOWED = ("/admin/", "/tim-kiem", DISALLOWED_FOLDER)


def article_problems(exp: dict, row: dict | None, images: list[dict]) -> list[str]:
    """The fields of an archived row that differ from a manifest entry."""
    if row is None:
        return ["not archived"]
    bad = [f for f in ("title", "published_at", "author", "author_line", "source") if row[f] != exp[f]]
    text = row["body_text"] or ""
    if exp["first_paragraph"] and not text.startswith(exp["first_paragraph"]):
        bad.append("first_paragraph")
    if exp["last_paragraph"] and not text.endswith(exp["last_paragraph"]):
        bad.append("last_paragraph")
    for f in ("title", "author_line", "body_text"):
        if row[f] and unicodedata.normalize("NFC", row[f]) != row[f]:
            bad.append(f + " not NFC")
    if images != [{"url": i["url"], "caption": i["caption"]} for i in exp["images"]]:
        bad.append("images")
    return bad


def judge(db_path, manifest: dict, stats: dict) -> dict:
    """Compare an archive (its latest run) with a faults-mode manifest and the
    mirror's request stats: per healthy article and per fault, right or not."""
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        run_id = conn.execute("select max(id) from crawl_runs").fetchone()[0]
        articles = {r["url"]: dict(r) for r in conn.execute("select * from articles")}
        failures: dict[str, list[dict]] = {}
        for r in conn.execute("select * from failures where run_id = ?", [run_id]):
            failures.setdefault(r["url"], []).append(dict(r))

        def images(url):
            return [dict(r) for r in conn.execute(
                "select url, caption from images where article_url = ? order by position", [url])]

        results = []
        for exp in manifest["articles"]:
            bad = article_problems(exp, articles.get(exp["url"]), images(exp["url"]))
            results.append({"kind": "healthy", "url": exp["url"], "expect": "archived",
                            "ok": not bad, "problems": bad})
        by_path = stats["by_path"]
        for f in manifest.get("faults", []):
            url, bad = f["url"], []
            if f["expect"] == "archived":
                bad = article_problems(f["article"], articles.get(url), images(url))
                if url in failures:
                    bad.append("also in failures")
            elif f["expect"] == "failure":
                if url in articles:
                    bad.append("in articles")
                rows = failures.get(url)
                if not rows:
                    bad.append("no failure recorded")
                else:
                    got, want = rows[-1], f["failure"]
                    if got["http_status"] != want["http_status"]:
                        bad.append(f"http_status {got['http_status']} != {want['http_status']}")
                    if got["attempts"] != want["attempts"]:
                        bad.append(f"attempts {got['attempts']} != {want['attempts']}")
                    if want["error"].lower() not in (got["error"] or "").lower():
                        bad.append(f"error {got['error']!r} lacks {want['error']!r}")
            else:  # skipped by robots.txt
                origin = manifest["origin"]
                for target in f["never_requested"]:
                    path = target[len(origin):]
                    if by_path.get(path):
                        bad.append(f"requested {path}")
                    if target in articles or target in failures:
                        bad.append(f"recorded {path}")
            results.append({"kind": f["kind"], "url": url, "expect": f["expect"], "ok": not bad,
                             "problems": bad})
        disallowed = {p: n for p, n in by_path.items() if p.startswith(ROBOTS_DISALLOWED)}
        return {"run_id": run_id, "results": results, "disallowed_requests": disallowed,
                "failures_recorded": sum(len(v) for v in failures.values())}
    finally:
        conn.close()


__all__ = ["FaultConfig", "FaultSet", "cp1258_bytes", "judge", "DISALLOWED_FOLDER"]
