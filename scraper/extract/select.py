"""Site selectors, matched in Python instead of by XPath.

Each function returns exactly what its XPath (quoted in its docstring) gives,
in document order. libxml2 evaluates `contains()` and `normalize-space()` on
every element of the page, about 1.3 µs an element and expression; one walk
of the tree in Python that reads the attributes is several times cheaper on
the corpora (~100 elements a page) and the bench's site.
"""
from __future__ import annotations

import re

from lxml import etree

# XPath's normalize-space() splits at XML whitespace only (not at &nbsp;).
_XML_SPACE = re.compile(r"[ \t\r\n]+")


def has_class(class_attr: str, token: str) -> bool:
    """`contains(concat(' ', normalize-space(@class), ' '), ' <token> ')`
    for a token without spaces: the token is one of the class names."""
    return token in class_attr and token in _XML_SPACE.split(class_attr)


def elements(root, tag=etree.Element):
    """`//*` (or `//<tag>`): the elements of the page, in document order. Like
    XPath's `//`, this covers the whole document: a broken page may leave a
    second <html> beside the root element."""
    if root.getprevious() is None and root.getnext() is None:
        return root.iter(tag)
    tops = [*reversed(list(root.itersiblings(preceding=True))), root, *root.itersiblings()]
    return (el for top in tops for el in top.iter(tag))


def by_classes(root, tokens: tuple[str, ...]) -> list[list]:
    """For each token, the elements whose class names include it
    (`//*[contains(concat(' ', normalize-space(@class), ' '), ' <token> ')]`)."""
    hits: list[list] = [[] for _ in tokens]
    for el in elements(root):
        cls = el.get("class")
        if cls:
            for i, token in enumerate(tokens):
                if has_class(cls, token):
                    hits[i].append(el)
    return hits
