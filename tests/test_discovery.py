"""Discovery beyond links (issue 15, 5): robots.txt sitemaps, sitemap
indexes and feeds as sources of URLs, and the completeness report."""
from __future__ import annotations

import gzip
import json
import subprocess
import sys
import urllib.request

import pytest

from spiders.discovery import feed_links, read_feed, read_sitemap, sitemaps_in_robots
from tests.mirror.server import MirrorServer
from tests.mirror.site import build_site

from .conftest import ROOT
from .helpers import crawl, get_json
from .helpers import rows as query

BASE = "https://congdoanbackan.org.vn/"
URLSET = (b'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/'
          b'sitemap/0.9"><url><loc>https://congdoanbackan.org.vn/a.html</loc><lastmod>2024-12-01'
          b'</lastmod></url><url><loc>/b.html</loc></url></urlset>')


# ------------------------------------------------------------------ readers
def test_robots_sitemap_lines_are_read_absolute():
    body = b"User-agent: *\nDisallow: /admin/\nsitemap: /sitemap.xml\nSitemap: https://x.vn/s.xml\n"
    assert sitemaps_in_robots(body, BASE + "robots.txt") == [BASE + "sitemap.xml", "https://x.vn/s.xml"]
    assert sitemaps_in_robots(b"User-agent: *\n", BASE + "robots.txt") == []


@pytest.mark.parametrize("body, expected", [
    (URLSET, ("urlset", [(BASE + "a.html", "2024-12-01"), (BASE + "b.html", None)])),
    (gzip.compress(URLSET), ("urlset", [(BASE + "a.html", "2024-12-01"), (BASE + "b.html", None)])),
    (b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>'
     b'https://congdoanbackan.org.vn/s1.xml</loc></sitemap></sitemapindex>',
     ("sitemapindex", [(BASE + "s1.xml", None)])),
    # Not sitemaps: an HTML page served at /sitemap.xml, garbage, an entity bomb.
    (b"<!DOCTYPE html><html><body>Kh\xc3\xb4ng t\xc3\xacm th\xe1\xba\xa5y</body></html>", ("", [])),
    (b"\x00\x01garbage", ("", [])),
    (b"", ("", [])),
    (b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
     b'<urlset><url><loc>&b;</loc></url></urlset>', ("urlset", [])),
])
def test_read_sitemap(body, expected):
    assert read_sitemap(body, BASE + "sitemap.xml") == expected


def test_read_feed_rss_atom_and_rdf():
    rss = ('<rss version="2.0"><channel><title>Tin mới</title><link>https://congdoanbackan.org.vn/</link>'
           '<item><title>Đại hội</title><link>dai-hoi.html</link><pubDate>Sun, 01 Dec 2024 00:29:00 GMT'
           '</pubDate></item></channel></rss>').encode()
    assert read_feed(rss, BASE + "rss.xml") == [(BASE + "dai-hoi.html", "Sun, 01 Dec 2024 00:29:00 GMT")]
    atom = (b'<feed xmlns="http://www.w3.org/2005/Atom"><link href="https://congdoanbackan.org.vn/"/>'
            b'<entry><link rel="edit" href="/admin/1"/><link href="/a.html"/><updated>2024-12-01T07:29:00'
            b'+07:00</updated></entry></feed>')
    assert read_feed(atom, BASE + "feed") == [(BASE + "a.html", "2024-12-01T07:29:00+07:00")]
    rdf = (b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">'
           b'<item rdf:about="https://congdoanbackan.org.vn/c.html"><title>c</title></item></rdf:RDF>')
    assert read_feed(rdf, BASE + "rdf") == [(BASE + "c.html", None)]
    assert read_feed(URLSET, BASE + "x") == [] and read_feed(b"<html>", BASE) == []


def test_feed_links_follow_base_href():
    html = ('<html><head><base href="https://congdoanbackan.org.vn/"><link rel="alternate" '
            'type="application/rss+xml" href="rss.xml"><link rel="alternate" hreflang="en" '
            'href="en.html"><link rel="Alternate" type="application/atom+xml" href="/atom.xml">'
            '</head><body></body></html>')
    assert feed_links(html, "http://127.0.0.1/x/y.html") == [BASE + "rss.xml", BASE + "atom.xml"]


# ------------------------------------------------------------ on the mirror
@pytest.fixture(scope="module")
def discovered(tmp_path_factory):
    db = tmp_path_factory.mktemp("discovery") / "archive.db"
    with MirrorServer(build_site()) as mirror:
        first = crawl(mirror.url, db)
        assert first.returncode == 0, first.stderr[-2000:]
        yield {"mirror": mirror, "db": db, "first": first}


def test_a_run_reads_the_sitemap_index_and_the_feed(discovered):
    mirror, db = discovered["mirror"], discovered["db"]
    paths = get_json(mirror.url + "__mirror/stats")["by_path"]
    for path in ("/sitemap.xml", "/sitemap-articles.xml", "/sitemap-pages.xml", "/rss.xml"):
        assert paths.get(path) == 1, path
    sources = {r["source"]: r["n"] for r in query(
        db, "select source, count(*) n from discovered_urls group by source")}
    articles = get_json(mirror.url + "__mirror/manifest.json")["articles"]
    assert sources["sitemap"] >= len(articles) and sources["feed"] == 10 and sources["listing"] > 0
    # The sitemap names every article the archive holds, in the archive's spelling.
    held = {r["url"] for r in query(db, "select url from articles where kind = 'article'")}
    in_sitemap = {r["url"] for r in query(db, "select url from discovered_urls where source = 'sitemap'")}
    assert {a["url"] for a in articles} <= in_sitemap and held <= in_sitemap | {
        r["url"] for r in query(db, "select url from discovered_urls")}


def test_an_article_no_page_links_to_is_found_through_the_sitemap_and_feed(discovered):
    mirror, db = discovered["mirror"], discovered["db"]
    request = urllib.request.Request(mirror.url + "__mirror/publish?n=1&unlisted=1", data=b"",
                                     method="POST")
    with urllib.request.urlopen(request, timeout=10) as answer:
        [published] = json.load(answer)["published"]
    out = crawl(mirror.url, db)
    assert out.returncode == 0, out.stderr[-2000:]
    row = query(db, "select title, kind from articles where url = ?", [published["url"]])
    assert row == [{"title": published["title"], "kind": "article"}]
    sources = {r["source"] for r in query(db, "select source from discovered_urls where url = ?",
                                          [published["url"]])}
    assert sources == {"sitemap", "feed"}


def test_completeness_lists_what_sources_know_and_the_archive_lacks(discovered):
    mirror, db = discovered["mirror"], discovered["db"]
    trap = get_json(mirror.url + "__mirror/manifest.json")["traps"]["redirect_302"]
    out = subprocess.run([sys.executable, "-m", "scraper", "completeness", "--json", "--db", str(db)],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    rows = {r["url"]: r for r in map(json.loads, out.stdout.splitlines())}
    assert rows[trap]["reason"].startswith("failed: gone") and "listing" in rows[trap]["sources"]
    held = {r["url"] for r in query(db, "select url from articles")}
    assert not held & set(rows)
    categories = [c["url"] for c in get_json(mirror.url + "__mirror/manifest.json")["categories"]
                  if c["url"] not in held]
    assert categories and all(rows[c]["reason"].startswith("fetched, not an article")
                              for c in categories)


def test_a_site_without_sitemap_or_feed_is_no_failure(tmp_path):
    site = build_site(12)
    served = site.respond
    site.respond = lambda path: site.not_found() if path.startswith(("/sitemap", "/rss")) else served(path)
    with MirrorServer(site) as mirror:
        out = crawl(mirror.url, tmp_path / "a.db")
        paths = get_json(mirror.url + "__mirror/stats")["by_path"]
    assert out.returncode == 0, out.stderr[-2000:]
    assert paths.get("/sitemap.xml") == 1 and paths.get("/rss.xml") == 1
    failed = {r["url"] for r in query(tmp_path / "a.db", "select url from failures")}
    assert not [u for u in failed if "sitemap" in u or "rss" in u]


def test_a_sitemap_lastmod_after_the_last_check_refetches_the_article(discovered):
    mirror, db = discovered["mirror"], discovered["db"]
    article = get_json(mirror.url + "__mirror/manifest.json")["articles"][-1]
    request = urllib.request.Request(mirror.url + "__mirror/edit?url=" + article["path"], data=b"",
                                     method="POST")
    urllib.request.urlopen(request, timeout=10).read()
    # No rolling re-check tonight: only the sitemap's lastmod can tell.
    out = crawl(mirror.url, db, "-s", "ARCHIVER_RECHECK_DAYS=0")
    assert out.returncode == 0, out.stderr[-2000:]
    run = query(db, "select * from crawl_runs order by id desc limit 1")[0]
    assert (run["rechecked"], run["rechecked_changed"], run["articles_updated"]) == (1, 1, 1)
    assert query(db, "select version from articles where url = ?", [article["url"]])[0]["version"] == 2


def test_changed_since_reads_w3c_datetimes():
    from spiders.discovery import changed_since

    checked = "2024-12-01T00:00:00+00:00"
    assert changed_since("2024-12-01T07:29:00+07:00", checked) is True
    assert changed_since("2024-12-01T06:59:00+07:00", checked) is False
    assert changed_since("2024-12-02", checked) is True and changed_since("2024-12-01", checked) is False
    assert changed_since("2024-12-01T00:00:01Z", checked) is True
    assert changed_since("hôm qua", checked) is False and changed_since(None, checked) is False
