"""No silent drop: every link a run sees ends somewhere (scraper/ledger.py),
a numbered series is not taken for a repeated page, and a full run that
archives nothing fails and says why."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from scraper.ledger import (ARCHIVED, BARREN_CHAIN, HELD, LISTING, OFF_SITE, LinkLedger)
from tests.mirror.server import MirrorServer
from tests.mirror.site import build_site

from .helpers import crawl, rows

SERIES_PAGES = 12  # listing pages of one category
PER_PAGE = 5


# ------------------------------------------------------------ the ledger
def test_the_first_decision_about_a_link_stands_until_it_is_fetched():
    ledger = LinkLedger()
    ledger.skip("a", HELD)
    ledger.skip("a", OFF_SITE, host="x")
    assert ledger.counts() == {HELD: 1}
    ledger.schedule("b")
    assert ledger.unaccounted() == ["b"] and ledger.counts() == {HELD: 1, "unaccounted": 1}
    ledger.resolve("b", ARCHIVED)
    ledger.resolve("b", LISTING)  # a second answer does not overwrite the first
    ledger.resolve("never-scheduled", ARCHIVED)  # a photo, say: not the ledger's
    assert ledger.counts() == {ARCHIVED: 1, HELD: 1} and ledger.unaccounted() == []
    ledger.skip("c", BARREN_CHAIN)
    ledger.schedule("c")  # skipped on one page, chosen on another: fetched after all
    assert ledger.unaccounted() == ["c"]


def test_why_nothing_was_archived_names_the_host_the_links_use():
    ledger = LinkLedger()
    ledger.schedule("http://localhost:1/")
    ledger.resolve("http://localhost:1/", LISTING)
    for i in range(5):
        ledger.skip(f"http://127.0.0.1:1/{i}", OFF_SITE, host="127.0.0.1")
    why = ledger.why_nothing_archived("localhost")
    assert why.startswith("the site's links name 127.0.0.1 (5 links), the crawl started at localhost")


# ------------------------------------------------- a numbered series site
def _series_site(origin: str, declare_host: bool = True) -> dict[str, str]:
    """A category whose listing pages differ only in numbers: weekly
    bulletins 'Bản tin tuần (bản N)'. With `declare_host` False, every link
    names the real site's host while the pages are served here."""
    site = "" if declare_host else "http://congdoanbackan.org.vn"
    pages = {}
    home_links = "".join(f'<li><a href="{site}/ban-tin/trang-{n}.html">Trang {n}</a></li>'
                         for n in (1,))
    pages["/"] = (f"<html><head><title>Công đoàn</title></head><body><ul class='menu'>{home_links}"
                  "</ul><h1>Trang chủ</h1></body></html>")
    number = 0
    for page in range(1, SERIES_PAGES + 1):
        items = []
        for _ in range(PER_PAGE):
            number += 1
            slug = f"/ban-tin-tuan-ban-{number}.html"
            items.append(f'<div class="item"><h3><a href="{site}{slug}">Bản tin công đoàn tuần '
                         f'(bản {number})</a></h3><p>Tin tóm tắt của bản tin số {number}.</p></div>')
            pages[slug] = (
                f"<html><head><title>Bản tin công đoàn tuần (bản {number})</title></head><body>"
                f"<h1>Bản tin công đoàn tuần (bản {number})</h1>"
                f"<div>Cập nhật lúc 08:{number % 60:02d} - {1 + number % 28:02d}/03/2024 (GMT +07:00)</div>"
                "<div class='content'>" + "".join(
                    f"<p>Đoạn {k} của bản tin số {number}: hoạt động công đoàn cơ sở trong tuần, "
                    "chăm lo đời sống người lao động và phong trào thi đua.</p>" for k in range(4))
                + f"</div><p>Tác giả: Nguyễn Văn An</p></body></html>")
        pager = "".join(f'<a href="{site}/ban-tin/trang-{n}.html">{n}</a> '
                        for n in range(1, SERIES_PAGES + 1))
        pages[f"/ban-tin/trang-{page}.html"] = (
            f"<html><head><title>Bản tin - Trang {page}</title></head><body><h1>Bản tin</h1>"
            + "".join(items) + f"<div class='pagination'>{pager}</div></body></html>")
    return pages


class _Static(ThreadingHTTPServer):
    daemon_threads = True


def _serve(pages: dict[str, str]):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the http.server name
            if self.path == "/robots.txt":
                body, status = b"User-agent: *\nAllow: /\n", 200
            elif self.path in pages:
                body, status = pages[self.path].encode(), 200
            else:
                body, status = b"<html><body>not found</body></html>", 404
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = _Static(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def series():
    server = _serve(_series_site(""))
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def _last_run(db) -> dict:
    return rows(db, "select * from crawl_runs order by id desc limit 1")[0]


def test_a_numbered_series_is_archived_whole(series, tmp_path):
    db = tmp_path / "series.db"
    out = crawl(series, db)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    titles = {r["title"] for r in rows(db, "select title from articles where kind = 'article'")}
    assert len(titles) == SERIES_PAGES * PER_PAGE
    run = _last_run(db)
    outcomes = json.loads(run["link_outcomes_json"])
    assert run["links_unaccounted"] == 0 and "unaccounted" not in outcomes
    assert outcomes[ARCHIVED] == SERIES_PAGES * PER_PAGE
    assert outcomes[LISTING] >= SERIES_PAGES  # every listing page was read
    assert run["links_seen"] == sum(outcomes.values())


def test_links_to_a_host_the_site_does_not_declare_fail_a_first_run(tmp_path):
    server = _serve(_series_site("", declare_host=False))
    try:
        db = tmp_path / "elsewhere.db"
        out = crawl(f"http://127.0.0.1:{server.server_address[1]}/", db)
    finally:
        server.shutdown()
    assert out.returncode == 1
    run = _last_run(db)
    assert run["status"] == "failed"
    assert ("no article archived: the site's links name congdoanbackan.org.vn" in run["message"]
            and "the crawl started at 127.0.0.1" in run["message"])
    assert "no article archived" in out.stdout
    assert json.loads(run["link_outcomes_json"]).get(OFF_SITE, 0) >= 1


def test_a_mirror_reached_by_another_name_follows_the_host_its_pages_declare(tmp_path):
    # The mirror's pages name 127.0.0.1 (canonical, <base href>, links); the
    # crawl starts at localhost. The start page declares the alias.
    db = tmp_path / "alias.db"
    with MirrorServer(build_site(n_articles=12)) as server:
        out = crawl(server.url.replace("127.0.0.1", "localhost"), db)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    assert rows(db, "select count(*) n from articles where kind = 'article'")[0]["n"] >= 12
    assert _last_run(db)["links_unaccounted"] == 0
