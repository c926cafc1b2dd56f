"""Text normalisation shared by every field: NFC, whitespace collapsed."""
from __future__ import annotations

import re
import unicodedata

_WS = re.compile(r"[\s\u00a0\u200b\u200c\u200d\ufeff]+")


def clean(text: str | None) -> str:
    """NFC-normalise and collapse whitespace (including &nbsp; runs)."""
    if not text:
        return ""
    return _WS.sub(" ", unicodedata.normalize("NFC", text)).strip()


def fold(text: str | None) -> str:
    """Lower-case, diacritics removed, đ folded to d: for matching and search."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", clean(text).lower())
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return stripped.replace("đ", "d")
