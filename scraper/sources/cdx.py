"""A web archive's CDX API: the query that lists a site's captures, and its
two output dialects.

- The Internet Archive's CDX server (``/cdx/search/cdx``) with
  ``output=json``: one JSON array of arrays, the first row naming the fields
  (``timestamp``, ``original``, ``statuscode``, ``mimetype``, ``digest``);
  with ``showResumeKey=true`` the last rows are an empty row and
  ``[resumeKey]``, to be sent back to get the next page.
- pywb's CDX API (``/<collection>/cdx``) with ``output=json``: one JSON object
  per line (``timestamp``, ``url``, ``status``, ``mime``, ``digest``).

The filter syntax differs too: the IA's ``filter=field:regex`` against pywb's
``filter=~field:regex`` (a bare pywb filter is "contains"). Both key captures
by SURT, which drops the scheme and a leading ``www.``: one prefix query
covers http and https, with and without www.

Pure functions, no network.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import urlencode, urlsplit

IA_CDX = "https://web.archive.org/cdx/search/cdx"
IA_REPLAY = "https://web.archive.org/web/"

# Captures worth reading: pages and redirects. Redirect captures are indexed
# as text/html, "unk" (pywb) or "-"; a deduplicated capture is "warc/revisit"
# and replays as the page it repeats.
STATUS_FILTER = r"[23].."
MIME_FILTER = r"text/html.*|application/xhtml\+xml.*|unk|-|warc/revisit"
# Rows per page of the IA's CDX answer: big enough that a site of this size
# (a few thousand captures) takes a handful of requests, small enough that one
# answer stays well under a megabyte.
PAGE_SIZE = 5000

_FIELD_NAMES = {"original": "url", "statuscode": "status", "mimetype": "mime"}
_TIMESTAMP = re.compile(r"^\d{4,14}$")


class CdxError(ValueError):
    """A CDX answer that is neither dialect: the listing cannot go on."""


@dataclass(frozen=True)
class Capture:
    timestamp: str  # 14 digits, UTC
    url: str  # the original URL, as the archive spells it
    status: int | None
    mime: str | None
    digest: str | None

    @property
    def captured_at(self) -> datetime:
        return datetime.strptime(self.timestamp.ljust(14, "0")[:14],
                                 "%Y%m%d%H%M%S").replace(tzinfo=timezone.utc)


def is_ia(cdx_url: str) -> bool:
    """The Internet Archive's CDX server (or one that answers like it)."""
    return urlsplit(cdx_url).path.rstrip("/").endswith("/cdx/search/cdx")


def query_url(cdx_url: str, site: str, *, date_from: str | None = None,
              date_to: str | None = None, resume_key: str | None = None,
              page_size: int = PAGE_SIZE) -> str:
    """The listing of every capture under `site` (HOST[:PORT]): pages and
    redirects only, filtered by the server."""
    params: list[tuple[str, str]] = [("url", site.rstrip("/") + "/"), ("matchType", "prefix"),
                                     ("output", "json")]
    if date_from:
        params.append(("from", date_from))
    if date_to:
        params.append(("to", date_to))
    if is_ia(cdx_url):
        params += [("fl", "timestamp,original,statuscode,mimetype,digest"),
                   ("filter", f"statuscode:{STATUS_FILTER}"),
                   ("filter", f"mimetype:{MIME_FILTER}"),
                   # Adjacent rows of one URL with one digest are one capture to us.
                   ("collapse", "digest"),
                   ("showResumeKey", "true"), ("limit", str(page_size))]
        if resume_key:
            params.append(("resumeKey", resume_key))
    else:
        params += [("filter", f"~status:{STATUS_FILTER}"), ("filter", f"~mime:{MIME_FILTER}")]
    return f"{cdx_url}?{urlencode(params)}"


def parse(body: bytes) -> tuple[list[Capture], str | None]:
    """The captures in one CDX answer, and the resume key of the next page
    (None when this was the last)."""
    text = body.decode("utf-8", "replace").strip()
    if not text:
        return [], None
    if text.startswith("["):
        try:
            rows = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CdxError(f"CDX answer is not JSON: {exc}") from None
        return _parse_ia(rows)
    captures = []
    for n, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            raise CdxError(f"CDX answer line {n} is neither dialect: {line[:120]!r}") from None
        if not isinstance(obj, dict):
            raise CdxError(f"CDX answer line {n} is not a JSON object")
        captures.append(_capture({_FIELD_NAMES.get(k, k): v for k, v in obj.items()}))
    return [c for c in captures if c is not None], None


def _parse_ia(rows) -> tuple[list[Capture], str | None]:
    if not isinstance(rows, list) or not rows:
        return [], None
    resume_key = None
    if len(rows) >= 2 and rows[-2] == [] and len(rows[-1]) == 1:
        resume_key = rows[-1][0]
        rows = rows[:-2]
    if not rows:
        return [], resume_key
    header = [_FIELD_NAMES.get(str(h), str(h)) for h in rows[0]]
    if "timestamp" not in header or "url" not in header:
        raise CdxError(f"CDX answer's header row names no timestamp and URL: {rows[0]!r}")
    captures = (_capture(dict(zip(header, row))) for row in rows[1:] if row)
    return [c for c in captures if c is not None], resume_key


def _capture(fields: dict) -> Capture | None:
    stamp, url = str(fields.get("timestamp") or ""), fields.get("url")
    if not _TIMESTAMP.match(stamp) or not url:
        return None
    status = str(fields.get("status") or "")
    mime = fields.get("mime")
    return Capture(timestamp=stamp, url=url, status=int(status) if status.isdigit() else None,
                   mime=mime if mime not in (None, "-") else None,
                   digest=fields.get("digest") if fields.get("digest") not in ("", "-") else None)


def replay_url(prefix: str, timestamp: str, original: str) -> str:
    """The raw (``id_``) replay of a capture: the bytes as captured, no banner,
    no rewritten links."""
    return f"{prefix.rstrip('/')}/{timestamp}id_/{original}"


def timestamp_of(captured_at: datetime) -> str:
    return captured_at.astimezone(timezone.utc).strftime("%Y%m%d%H%M%S")
