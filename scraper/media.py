"""The files of an article (body photos and attachments): which to fetch,
and whether the bytes served are what the link promised. Pure functions.

A photo is only held when its bytes start like an image; a document when its
bytes are not an HTML page. The CMS answers a missing upload with its
"not found" page and status 200 (a soft 404): the file type is read from
the bytes, never from the status, the extension or the Content-Type alone.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from .items import Article

# Statuses of a file (media_files.status). Only "ok" carries a sha256.
OK = "ok"
SOFT_404 = "soft_404"  # an HTML page served where a file was linked
MISMATCH = "mismatch"  # bytes of another kind than the link promised (or none)
HTTP_ERROR = "http_error"
TOO_LARGE = "too_large"  # over ARCHIVER_MEDIA_MAX_BYTES: recorded, not held
OVER_BUDGET = "over_budget"  # the run's ARCHIVER_MEDIA_BUDGET was spent: tried next run
NETWORK = "network"
OFFSITE = "offsite"  # on another host: not fetched, since the crawl never leaves the site's host
STATUSES = (OK, SOFT_404, MISMATCH, HTTP_ERROR, TOO_LARGE, OVER_BUDGET, NETWORK, OFFSITE)

# Magic numbers -> (family, extension). Families: image, document, archive.
_MAGIC: tuple[tuple[bytes, int, str, str, str], ...] = (
    # (signature, offset, family, extension, content type)
    (b"\xff\xd8\xff", 0, "image", "jpg", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image", "png", "image/png"),
    (b"GIF87a", 0, "image", "gif", "image/gif"),
    (b"GIF89a", 0, "image", "gif", "image/gif"),
    (b"II*\x00", 0, "image", "tif", "image/tiff"),
    (b"MM\x00*", 0, "image", "tif", "image/tiff"),
    (b"%PDF-", 0, "document", "pdf", "application/pdf"),
    # Word 97-2003 .doc, .xls and .ppt are all OLE2 compound files.
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 0, "document", "ole", "application/x-ole-storage"),
    (b"{\\rtf", 0, "document", "rtf", "application/rtf"),
    # .docx, .xlsx, .pptx, .odt are zip files too; the extension tells them apart.
    (b"PK\x03\x04", 0, "archive", "zip", "application/zip"),
    (b"Rar!\x1a\x07", 0, "archive", "rar", "application/vnd.rar"),
    (b"7z\xbc\xaf\x27\x1c", 0, "archive", "7z", "application/x-7z-compressed"),
)
# An HTML page: its doctype or first tag, or one of its skeleton tags near the start.
_HTML_START = re.compile(rb"^(\xef\xbb\xbf)?\s*<(!doctype\s+html|html|head|body)", re.I)
_HTML_ANYWHERE = re.compile(rb"<(html|head|body|title)[\s>]", re.I)
# What a link's own extension says the file is (zip-based office files and
# OLE ones are documents as far as the reader is concerned).
_OLE_EXT = {"doc", "xls", "ppt", "msg"}
_ZIP_EXT = {"docx", "xlsx", "pptx", "odt", "ods", "odp", "zip", "epub"}
SNIFF_BYTES = 512  # signatures, and the start of an HTML page served instead


@dataclass(frozen=True)
class MediaRef:
    """One file an article links: where, what it was linked as, and where in the article."""

    url: str
    role: str  # "image" or "attachment"
    article_url: str
    position: int


@dataclass(frozen=True)
class Verdict:
    status: str
    extension: str | None  # of the file held, read from its bytes (and link)
    content_type: str | None
    error: str | None = None


@dataclass
class MediaFetch:
    """One file fetched (or refused, or not fetched): the item the media pipeline stores."""

    url: str
    role: str
    status: str
    fetched_at: str
    http_status: int | None = None
    sha256: str | None = None
    size: int | None = None
    content_type: str | None = None
    extension: str | None = None
    error: str | None = None
    warc_at: tuple[str, int] | None = None  # (WARC file, offset) of the record holding the bytes


def link_extension(url: str) -> str | None:
    """The extension the link's path ends in, lower case, or None."""
    path = urlsplit(url).path
    name = path.rsplit("/", 1)[-1]
    if "." not in name:
        return None
    ext = name.rsplit(".", 1)[-1].lower()
    return ext if ext.isalnum() and len(ext) <= 5 else None


def wanted(article: Article) -> list[MediaRef]:
    """The files of `article` to hold: every body photo and every attached
    file with an http(s) URL. Videos (players on other sites) and inline
    data: URIs are not files to fetch; which of the rest are on the site's
    host is ``fetchable``'s to say."""
    out = []
    for img in article.images:
        if urlsplit(img.url).scheme in ("http", "https"):
            out.append(MediaRef(img.url, "image", article.url, img.position))
    for att in article.attachments:
        if att.kind != "video" and urlsplit(att.url).scheme in ("http", "https"):
            out.append(MediaRef(att.url, "attachment", article.url, att.position))
    return out


def fetchable(url: str, site_host: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return False
    host = (parts.hostname or "").lower()
    bare = site_host.lower().removeprefix("www.")
    return host.removeprefix("www.") == bare


def sniff(head: bytes) -> tuple[str, str, str] | None:
    """(family, extension, content type) read from a file's first bytes, or None."""
    for sig, offset, family, ext, ctype in _MAGIC:
        if head[offset:offset + len(sig)] == sig:
            return family, ext, ctype
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image", "webp", "image/webp"
    if head[:2] == b"BM" and head[6:10] == b"\0\0\0\0":  # "BM", size, two reserved zero words
        return "image", "bmp", "image/bmp"
    if looks_like_html(head):
        return "html", "html", "text/html"
    return None


def looks_like_html(head: bytes) -> bool:
    return bool(_HTML_START.match(head[:512]) or _HTML_ANYWHERE.search(head[:512]))


def judge(body: bytes, role: str, url: str, declared_type: str | None) -> Verdict:
    """Are these bytes what a link of this role and URL promises?

    A photo must start like an image (or be SVG text). A document may be any
    file but an HTML page: a CMS's download script may serve a zip, a Word
    file or a scan under a link with no extension at all."""
    if not body:
        return Verdict(MISMATCH, None, declared_type, "empty body")
    found = sniff(body[:SNIFF_BYTES])
    ext = link_extension(url)
    if role == "image":
        if found is None and b"<svg" in body[:1024].lower():
            return Verdict(OK, "svg", "image/svg+xml")
        if found is None:
            return Verdict(MISMATCH, None, declared_type, "bytes are not an image format known here")
        family, found_ext, ctype = found
        if family == "html":
            return Verdict(SOFT_404, None, declared_type, "an HTML page, not an image")
        if family != "image":
            return Verdict(MISMATCH, found_ext, ctype, f"a {found_ext} file, not an image")
        return Verdict(OK, _image_ext(ext, found_ext), ctype)
    if found is not None and found[0] == "html":
        return Verdict(SOFT_404, None, declared_type, "an HTML page, not a file")
    if found is None:
        # Plain text, CSV and other formats without a signature: held as served.
        return Verdict(OK, ext if ext and ext not in ("php", "asp", "aspx", "html", "htm") else "bin",
                       declared_type)
    family, found_ext, ctype = found
    if found_ext == "ole":
        return Verdict(OK, ext if ext in _OLE_EXT else "doc", _office_type(ext) or ctype)
    if found_ext == "zip":
        return Verdict(OK, ext if ext in _ZIP_EXT else "zip", _office_type(ext) or ctype)
    return Verdict(OK, found_ext, ctype)


def _image_ext(link_ext: str | None, found_ext: str) -> str:
    if found_ext == "jpg" and link_ext in ("jpg", "jpeg"):
        return link_ext
    return found_ext


_OFFICE = {
    "doc": "application/msword", "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}


def _office_type(ext: str | None) -> str | None:
    return _OFFICE.get(ext or "")
