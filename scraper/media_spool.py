"""Article files written to disk as their bytes arrive, so that a crawl's
memory does not follow the size of the files it fetches.

Scrapy's HTTP/1.1 handler (2.19) gathers a body in memory
(``_ResponseReader._bodybuf``) and hands it to the Response whole. For a
request that names a spool folder (``meta[SPOOL_DIR]``, set by
``scraper.media_fetch``), ``SpoolingReader`` gives that reader a file in the
folder instead: each chunk goes to disk, the Response's body stays empty,
and the file's path rides on the Response as a flag (``spooled_path``). The
WARC writer and the media callback read the file in chunks; the callback
deletes it. A body with a Content-Encoding is left to Scrapy (it must be
decompressed in memory); file requests ask for ``identity``.

The reader is Scrapy's own, subclassed: ``install()`` swaps it into the
handler module once. Scrapy is pinned in requirements.txt; tests/test_media.py
fails if a file's bytes stop arriving through here.
"""
from __future__ import annotations

import hashlib
import io
import itertools
import os
from pathlib import Path

from scrapy.core.downloader.handlers import http11

SPOOL_DIR = "archiver_spool_dir"  # request meta: the folder to spool the body into
FLAG = "spooled:"  # response flag: FLAG + the path of the body on disk
CHUNK = 1 << 16
_counter = itertools.count()


class SpoolFile:
    """Stands in for the reader's BytesIO: writes go to a file; the
    in-memory value handed to the Response is empty."""

    def __init__(self, folder: str):
        Path(folder).mkdir(parents=True, exist_ok=True)
        # Named from our pid and a counter only, never from a URL.
        self.path = str(Path(folder) / f"body-{os.getpid()}-{next(_counter)}")
        self.fh = open(self.path, "wb")

    def write(self, data: bytes) -> int:
        return self.fh.write(data)

    def truncate(self, size: int = 0) -> int:
        # Scrapy truncates the buffer of a body cancelled over its size cap.
        self.fh.seek(size)
        return self.fh.truncate(size)

    def getvalue(self) -> bytes:
        self.fh.close()
        return b""


class SpoolingReader(http11._ResponseReader):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._spool = None
        folder = self._request.meta.get(SPOOL_DIR)
        if folder and not self._txresponse.headers.getRawHeaders(b"content-encoding"):
            self._spool = self._bodybuf = SpoolFile(folder)

    def _finish_response(self, flags=None, stop_download=None) -> None:
        if self._spool is not None:
            flags = [*(flags or []), FLAG + self._spool.path]
        super()._finish_response(flags=flags, stop_download=stop_download)


def install() -> None:
    """Make Scrapy's HTTP/1.1 handler read bodies through ``SpoolingReader``."""
    if http11._ResponseReader is not SpoolingReader:
        http11._ResponseReader = SpoolingReader


def spooled_path(response) -> str | None:
    return next((f[len(FLAG):] for f in response.flags if f.startswith(FLAG)), None)


def body_size(response) -> int:
    path = spooled_path(response)
    return os.path.getsize(path) if path else len(response.body)


def open_body(response):
    """The response's body as a binary stream, and its length when it is a
    file on disk (None for a body in memory, as warcio takes it)."""
    path = spooled_path(response)
    if path:
        return open(path, "rb"), os.path.getsize(path)
    return io.BytesIO(response.body), None


def head_and_sha256(response, head_bytes: int) -> tuple[bytes, str, int]:
    """The first `head_bytes` of the body, its sha256 and its size, read in chunks."""
    stream, _ = open_body(response)
    digest, size = hashlib.sha256(), 0
    with stream:
        head = stream.read(head_bytes)
        digest.update(head)
        size += len(head)
        for chunk in iter(lambda: stream.read(CHUNK), b""):
            digest.update(chunk)
            size += len(chunk)
    return head, digest.hexdigest(), size


def discard(response) -> None:
    path = spooled_path(response)
    if path:
        Path(path).unlink(missing_ok=True)
