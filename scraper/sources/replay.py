"""Replay artefacts: what a web archive injects into a page it serves
rewritten (a banner or toolbar, its scripts, links pointing back into the
archive), undone before the page is read.

The import asks for raw (``id_``) replays, which carry none of this; an
archive that serves only rewritten pages gets its markup stripped here and
every link of the form ``<prefix><timestamp><modifier>/<original URL>``
mapped back to the original URL. Pure functions on bytes (every marker is
ASCII, so the page's encoding does not matter).
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

# Blocks an archive inserts, each between its own pair of comments: pywb's
# head insert and banner, and the Wayback Machine's scripts and toolbar.
_INSERTS = [
    re.compile(rb"<!--\s*WB Insert\s*-->.*?<!--\s*End WB Insert\s*-->", re.S | re.I),
    re.compile(rb"<!--\s*BEGIN WAYBACK TOOLBAR INSERT\s*-->.*?<!--\s*END WAYBACK TOOLBAR INSERT\s*-->",
               re.S | re.I),
    re.compile(rb"<script[^>]*(?:archive\.org/includes|/_static/js/)[^>]*>\s*</script>", re.I),
    re.compile(rb"<link[^>]*/_static/css/[^>]*>", re.I),
    re.compile(rb"<script[^>]*>\s*__wm\.(?:init|wombat)\(.*?</script>", re.S | re.I),
    re.compile(rb"<!--\s*End Wayback Rewrite JS Include\s*-->", re.I),
    # The Wayback Machine's trailer: "FILE ARCHIVED ON ... playback timings".
    re.compile(rb"<!--\s*\n?\s*FILE ARCHIVED ON.*?-->", re.S),
]
_MARKERS = (b"<!-- WB Insert -->", b"WAYBACK TOOLBAR INSERT", b"_WBWombatInit", b"__wm.init",
            b"wombat.js", b"__wb_orig_")
# pywb keeps each rewritten attribute's original value beside it; it is
# dropped once the rewritten one is mapped back.
_ORIG_ATTR = re.compile(rb'\s__wb_orig_\w+\s*=\s*(?:"[^"]*"|\'[^\']*\')', re.I)
_TOP_FRAME = re.compile(rb'\starget\s*=\s*"___wb_replay_top_frame"', re.I)


def is_rewritten(body: bytes) -> bool:
    """The page carries an archive's injected markup (not a raw replay)."""
    head = body[:200_000]
    return any(marker in head for marker in _MARKERS)


def _prefix_pattern(replay_prefix: str) -> re.Pattern:
    """``[scheme:]//host/path/`` or ``/path/`` of the replay prefix, then a
    timestamp and an optional modifier (``id_``, ``im_``, ``mp_``, ``js_``…)."""
    parts = urlsplit(replay_prefix)
    path = re.escape((parts.path.rstrip("/") + "/").encode())
    host = re.escape(parts.netloc.encode())
    # Only before the URL it replays: "/web/2024/a.html" on the site itself is no replay link.
    return re.compile(rb"(?:(?:https?:)?//" + host + rb")?" + path + rb"\d{1,14}(?:[a-z]{2}_)?/"
                      rb"(?=(?:https?:)?//)", re.I)


def original_url(url: str, replay_prefix: str) -> str:
    """A replay URL mapped back to the URL it replays; any other URL as it is."""
    raw = url.encode("utf-8")
    match = _prefix_pattern(replay_prefix).match(raw)
    return raw[match.end():].decode("utf-8") if match else url


def unrewrite(body: bytes, replay_prefix: str) -> bytes:
    """The page as the site served it, as far as the archive lets us know:
    inserted blocks removed, links into the archive mapped back."""
    for pattern in _INSERTS:
        body = pattern.sub(b"", body)
    body = _ORIG_ATTR.sub(b"", body)
    body = _TOP_FRAME.sub(b"", body)
    return _prefix_pattern(replay_prefix).sub(b"", body)


def timestamp_in(url: str, replay_prefix: str) -> str | None:
    """The capture timestamp a replay URL names, or None for any other URL."""
    match = _prefix_pattern(replay_prefix).match(url.encode("utf-8"))
    if not match:
        return None
    stamp = re.search(rb"(\d{1,14})(?:[a-z]{2}_)?/$", match.group(0))
    return stamp.group(1).decode() if stamp else None
