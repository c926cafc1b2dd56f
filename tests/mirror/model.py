"""What the mirror serves, below the pages: a served article and the helpers
both site.py and faults.py build articles with.

The imports run one way only, content <- model <- faults <- site: site.py
renders pages and owns the fault set, faults.py builds its extra articles from
this module and renders them through the ``Site`` it is handed, never by
importing site.py.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from .content import ArticleSpec, Attach, Img

ICT = timezone(timedelta(hours=7))


def slugify(text: str) -> str:
    """Title -> slug the vendor's way: no diacritics, đ -> d, lower case, dashes."""
    text = text.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def normalize_text(text: str) -> str:
    """How manifest texts are compared: NBSP to space, whitespace collapsed."""
    return " ".join(text.replace("\xa0", " ").split())


@dataclass
class Article:
    spec: ArticleSpec
    slug: str
    modified: datetime  # UTC, for Last-Modified
    edits: list = field(default_factory=list)  # sentences appended by /__mirror/edit

    @property
    def path(self) -> str:
        return f"/{self.slug}.html"

    @property
    def published_at(self) -> str:
        return self.spec.published.replace(tzinfo=ICT).isoformat()

    def paragraphs(self) -> list[str]:
        """Body text paragraphs, edits applied to the last one."""
        paras = [b for b in self.spec.blocks if isinstance(b, str)]
        if self.edits and paras:
            paras[-1] = paras[-1] + " " + " ".join(self.edits)
        return paras

    def blocks(self) -> list:
        out, paras, k = [], self.paragraphs(), 0
        for b in self.spec.blocks:
            if isinstance(b, str):
                out.append(paras[k])
                k += 1
            else:
                out.append(b)
        return out

    def images(self) -> list[Img]:
        return [b for b in self.spec.blocks if isinstance(b, Img)]

    def attachments(self) -> list[Attach]:
        return [b for b in self.spec.blocks if isinstance(b, Attach)]

    def etag(self) -> str:
        h = hashlib.sha1(repr((self.spec, self.edits)).encode("utf-8")).hexdigest()[:20]
        return f'"{h}"'

    def description(self, limit: int = 300) -> str:
        text = normalize_text(" ".join(self.paragraphs()))
        if len(text) <= limit:
            return text
        return text[:limit].rsplit(" ", 1)[0] + "..."

    def date_short(self) -> str:
        return self.spec.published.strftime("%d/%m/%Y")


__all__ = ["ICT", "Article", "normalize_text", "slugify"]
