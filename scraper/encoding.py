"""One decoder of response bytes, for every path that reads a page.

The crawl, reparse, the web-archive import, the evaluation and the tests all
turn bytes into text here, so a page is read the same way wherever it comes
from. The order is Scrapy's own (byte-order mark, then the Content-Type
charset, then the page's <meta charset>, then a strict UTF-8/cp1252 guess),
with one correction of ours: `prefers_utf8`.
"""
from __future__ import annotations

from w3lib.encoding import html_to_unicode, resolve_encoding

__all__ = ["decode", "prefers_utf8"]


def _guess(body: bytes) -> str | None:
    """Scrapy's guess for a page that declares nothing: the first codec that
    reads every byte strictly."""
    for name in ("utf-8", "cp1252"):
        try:
            body.decode(name)
        except UnicodeDecodeError:
            continue
        return resolve_encoding(name)
    return None


def prefers_utf8(body: bytes, declared: str | None) -> bool:
    """True when a non-UTF-8 charset is declared but the bytes are non-ASCII
    and decode strictly as UTF-8: legacy text (windows-1258, latin-1) almost
    never does, so the declaration is the lie."""
    if not declared or declared.lower().replace("_", "-") in ("utf-8", "utf8") or body.isascii():
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def decode(body: bytes | str, content_type: str | bytes | None = None) -> tuple[str, str]:
    """(encoding, text) of a response body. `content_type` is the header's
    value, when there was one. Text passes through as it is."""
    if isinstance(body, str):
        return "utf-8", body
    if isinstance(content_type, bytes):
        content_type = content_type.decode("latin-1")
    encoding, text = html_to_unicode(content_type, body, auto_detect_fun=_guess)
    if prefers_utf8(body, encoding):
        # A header naming a legacy charset over bytes that are valid UTF-8.
        return "utf-8", body.decode("utf-8")
    return encoding, text
