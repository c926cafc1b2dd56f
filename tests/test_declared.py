"""Pages that say they are articles while their markup shows none
(scraper/extract/declared.py), on saved real pages from tests/fixtures/real.

Each reading has its positive case (both pages were listings before it) and
the limits that keep listings listings, shown on the same saved page changed
in one respect: the change is the test's subject, written beside it.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from scraper.extract import read_page

REAL = Path(__file__).resolve().parent / "fixtures" / "real" / "eval"
HOMIFY = (REAL / "homify.de-Tischdecke.html").read_text(encoding="utf-8")
HOMIFY_URL = "https://www.homify.de/diy/20546/wie-man-eine-runde-tischdecke-in-nur-7-schritten-herstellt"
LINKROLL = (REAL / "nurmeinstandpunkt.wordpress.com.blogposting.html").read_text(encoding="utf-8")
LINKROLL_URL = "https://nurmeinstandpunkt.wordpress.com/2020/01/23/blogposting-01-23-2020/"


def _replaced(text: str, old: str, new: str, count: int = 1) -> str:
    assert text.count(old) >= count, old
    return text.replace(old, new)


# ------------------------------------------------- body from structured data

def test_body_given_only_as_structured_data_is_the_article():
    """homify draws its DIY page with React: the text is in the component's
    props and in a JSON-LD HowTo about the page (its description and steps)."""
    page = read_page(HOMIFY, HOMIFY_URL)
    assert page.kind == "article"
    art = page.article
    assert art.title == "Wie man eine runde Tischdecke in nur 7 Schritten herstellt"  # the item's name, no " | homify"
    # "2022-01-10T22:06:08:684Z": UTC, so the next morning in Vietnam (the archive's day).
    assert art.published_at == "2022-01-10T22:06:08+00:00" and art.published_date == "2022-01-11"
    body = art.body_text
    assert body.startswith("Unabhängig von Größe und Stil kannst du dich glücklich schätzen")  # the description
    assert "genauer gesagt, den Durchmesser (das ist das Maß, das von Ende zu Ende" in body  # step 1
    assert "<p>" not in body and "\\u003c" not in body
    assert "Kommentare" not in body and "Ernährungsworkshop" not in body  # the page's chrome
    # The markup kept is the steps' own, parsed: paragraphs, no script.
    assert art.body_html.startswith("<p>Unabhängig") and "<script" not in art.body_html


def test_structured_body_about_another_page_is_not_this_pages():
    """The same item, its URL and name another page's: not this page's text."""
    other = _replaced(HOMIFY, '"mainEntityOfPage":"' + HOMIFY_URL + '"',
                      '"mainEntityOfPage":"https://www.homify.de/diy/20486/diy-tutorial-zum-reinigen-einer-tafel"')
    other = _replaced(other, '"@type":"HowTo","name":"Wie man eine runde Tischdecke',
                      '"@type":"HowTo","name":"Wie man eine eckige Tischdecke')
    assert read_page(other, HOMIFY_URL).kind == "listing"


def test_structured_body_needs_text_to_read():
    """A HowTo whose description and steps are gone carries no body."""
    start = HOMIFY.index('{"@context":"http://schema.org/","@type":"HowTo"')
    source = HOMIFY[start:HOMIFY.index("</script>", start)].strip()
    data = json.loads(source)
    data["description"], data["step"] = "", []
    bare = HOMIFY.replace(source, json.dumps(data))
    assert read_page(bare, HOMIFY_URL).kind == "listing"


# ------------------------------------------------------- a post that is links

def test_declared_post_of_links_is_an_article():
    """A dated WordPress post (og:type article, one <article>, its <time>
    under the title) whose content is a link roll: the links are its body."""
    page = read_page(LINKROLL, LINKROLL_URL)
    assert page.kind == "article"
    art = page.article
    assert art.title == "Blogposting 01/23/2020"
    assert art.published_date == "2020-01-23"
    assert art.author == "Christian Spließ"
    lines = art.body_text.split("\n\n")
    assert lines[:2] == ["Presseförderung: Studie zweifelt an Stütze vom Staat", "via Horizont https://ift.tt/2loCdek"]
    assert lines[-1] == "Posted from Diigo. The rest of my favorite links are here."
    assert lines.count("via netzpolitik.org https://netzpolitik.org") == 3  # repeated items stay
    for chrome in ("am 23. Januar 2020", "Teilen ist Heilen", "Gefällt mir", "Ähnliche Beiträge",
                   "Hier könnte Ihre Meinung stehen"):
        assert chrome not in art.body_text
    assert 'class="diigo-linkroll"' in art.body_html and "sharedaddy" not in art.body_html


def _own_links(html: str) -> str:
    """Every link of the post pointed at the blog's own pages."""
    return re.sub(r'href="https?://(?!nurmeinstandpunkt)[^"]*"',
                  lambda m: 'href="https://nurmeinstandpunkt.wordpress.com/2020/01/%d/"' % (len(m.group(0)) % 28 + 1),
                  html)


def test_list_of_the_sites_own_pages_stays_a_listing():
    """The same post, its links to the blog's own pages: a listing's links."""
    assert read_page(_own_links(LINKROLL), LINKROLL_URL).kind == "listing"


def test_page_of_several_posts_stays_a_listing():
    """A second <article> beside the post: a page of posts (teasers)."""
    two = _replaced(LINKROLL, '<article id="post-9177"',
                    '<article class="post"><h2><a href="https://example.org/">Another post</a></h2></article>'
                    '<article id="post-9177"')
    assert read_page(two, LINKROLL_URL).kind == "listing"


def test_post_without_a_printed_date_stays_a_listing():
    """No date printed in the post (a WordPress page of links): the meta's
    date alone does not make a list of links an article."""
    undated = re.sub(r'<span class="posted-on">.*?</time></a></span>', "", LINKROLL, count=1, flags=re.S)
    assert "<time" not in undated.split('<div class="entry-content">')[0].split("<article")[1]
    assert read_page(undated, LINKROLL_URL).kind == "listing"


def test_list_of_links_that_does_not_claim_to_be_an_article_stays_a_listing():
    plain = _replaced(LINKROLL, '<meta property="og:type" content="article" />',
                      '<meta property="og:type" content="website" />')
    assert read_page(plain, LINKROLL_URL).kind == "listing"


@pytest.mark.parametrize("declared", ['"NewsArticle"', '["NewsArticle"]', '["WebPage", "BlogPosting"]'])
def test_a_claim_made_with_a_list_of_types_is_a_claim(declared):
    """JSON-LD may give "@type" as a list; a page that claims to be an
    article and yields none is then recorded as unparsed, not as a listing."""
    teasers = "".join(f'<li><a href="/bai-{i}.html">Tiêu đề bài viết số {i} về công đoàn</a></li>'
                      for i in range(12))
    page = read_page(f'<html><head><script type="application/ld+json">{{"@type": {declared}}}</script>'
                     f'</head><body><ul>{teasers}</ul></body></html>', "https://example.org/x.html")
    assert page.kind == "listing" and page.claims_article
