"""What to do with a fetched page: the one place that turns a response into
the row to archive, for every path that archives (crawl, reparse, imports).

Two pure functions, no Scrapy and no archive:

- `admit(body, content_type, ctx)`: the checks made before a page is read
  (not HTML at all, binary bytes served as HTML, too much markup, a redirect
  to the site's not-found page);
- `decide(page, ctx)`: given the page as `scraper.extract.read_page` read it,
  archive this article (under which URL, with which category), fetch its real
  page instead, record a failure, or keep nothing.

`FetchContext` carries what the caller knows of the fetch: the URL that was
linked, the URL that answered, the crawl's own spelling of the site, and the
listing that linked to the page.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from .encoding import decode
from .extract import Page, read_page
from .items import Article
from .middlewares import looks_binary
from .urls import archive_key, is_alternate_view, is_gone_redirect, on_host, same_page, sniffs_html

# Markup cap ('<' count): lxml costs ~600 B per element, so a small page of bare
# tags (1 MB of <br>) would take ~600 MB; 100,000 keeps it near 50 MB (the
# site's pages hold ~3,000). The ARCHIVER_MAX_MARKUP setting overrides it.
MAX_MARKUP = 100_000


@dataclass(frozen=True)
class FetchContext:
    linked_url: str  # the URL that was requested (the first of any redirect chain)
    final_url: str  # the URL that answered
    base_url: str  # the crawl's site root: its scheme and host spell the archive's keys
    listing_title: str | None = None  # the listing page that linked here, if any
    status: int = 200


@dataclass(frozen=True)
class Decision:
    """Exactly one of: `article` to archive, `follow` (fetch that URL
    instead), `failure` (record why, with `failure_status`), or none of them
    (keep nothing: a listing, a page that is not HTML). `rule` names the
    decision, for the run's counts."""

    rule: str
    article: Article | None = None
    follow: str | None = None
    failure: str | None = None
    failure_status: int | None = None

    @property
    def archives(self) -> bool:
        return self.article is not None


def admit(body: bytes, content_type: str | None, ctx: FetchContext,
          max_markup: int = MAX_MARKUP) -> Decision | None:
    """None when the page is to be read; otherwise what to do instead."""
    is_html_type = "html" in (content_type or "text/html").lower()
    if not is_html_type and not sniffs_html(body):
        # A document or image behind an extension-less link: kept in the WARC,
        # not a page.
        return Decision("non_html")
    if looks_binary(body):
        return Decision("binary_as_html", failure="binary content served as text/html, not archived")
    markup = body.count(b"<")
    if markup > max_markup:
        return Decision("too_much_markup",
                        failure=f"{markup} tags over ARCHIVER_MAX_MARKUP, not parsed")
    if ctx.linked_url != ctx.final_url and is_gone_redirect(ctx.linked_url, ctx.final_url):
        return Decision("gone_redirect", failure=f"gone: redirected to {ctx.final_url}",
                        failure_status=302)
    return None


def decide(page: Page, ctx: FetchContext) -> Decision:
    """The archived row for a page read from `ctx.final_url`, or why none."""
    if page.kind == "notfound":
        return Decision("not_found", failure="gone: not-found page")
    article = page.article
    if article is None:
        if page.claims_article:
            # The page calls itself an article yet no article came out of it:
            # an extraction failure, recorded rather than dropped.
            return Decision("unparsed_article", failure=(
                "page declares an article (og:type/JSON-LD) but none could be "
                "extracted; raw response kept in WARC"))
        return Decision("listing")
    canonical = page.canonical_url
    if canonical and is_alternate_view(ctx.final_url, canonical):
        # A print view or a tracking query: the real page is archived instead.
        return Decision("alternate_view", follow=on_host(canonical, ctx.final_url))
    url = article.url
    if canonical and not same_page(canonical, ctx.final_url):
        # A canonical naming another page (the home page, a category) is a CMS
        # mistake: the article is kept under the URL it was fetched from.
        url = ctx.final_url
    # One spelling per page in the archive's keys, whatever the crawl, the
    # link or a web-archive capture spelled (http/https, www. or not): one row
    # per article (urls.archive_key).
    url = archive_key(url, ctx.base_url)
    category = article.category or ctx.listing_title
    return Decision(article.kind, article=replace(article, url=url, category=category))


# What says "this page is gone" when an archived page is asked for again: a
# 404 or 410, or the CMS's redirect to (or serving of) its not-found page.
GONE_STATUSES = (404, 410)
GONE_RULES = ("gone_redirect", "not_found")


def is_gone(rule: str, status: int | None) -> bool:
    """Whether a failed fetch (its `FetchFailure.rule` and status) means the
    site removed the page, rather than that the fetch went wrong."""
    return rule in GONE_RULES or (rule == "http" and status in GONE_STATUSES)


def read(body: bytes, content_type: str | None, ctx: FetchContext,
         max_markup: int = MAX_MARKUP) -> tuple[Decision, str | None]:
    """`admit`, decode, `read_page` and `decide` in one: the decision and the
    encoding the bytes were read with. Extraction errors propagate: the caller
    records them (a crawl must not lose the page, reparse reports it)."""
    refused = admit(body, content_type, ctx, max_markup)
    if refused is not None:
        return refused, None
    encoding, text = decode(body, content_type)
    return decide(read_page(text, ctx.final_url), ctx), encoding
