"""The offline mirror (tests.mirror): traps, HTTP behaviour and its manifest.

Each test gets a fresh site on 127.0.0.1:0 (building one takes ~50 ms), so the
stateful endpoints (publish, edit, the one-shot 503) never leak between tests.
"""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from urllib.parse import urljoin

import lxml.html
import pytest

from tests.mirror import MirrorServer, build_site
from tests.mirror.site import normalize_text

from .conftest import ROOT, SEED

SEED_PATH = "/dien-dan-chuyen-de-doi-moi-cong-tac-to-chuc-cac-phong-trao-thi-dua-yeu-nuoc-trong-cnvcld.html"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def fetch(url: str, method: str = "GET", headers: dict | None = None):
    """(status, headers, body) without following redirects or raising on 4xx/5xx."""
    req = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with _opener.open(req, timeout=5) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


@pytest.fixture
def mirror():
    with MirrorServer(build_site()) as srv:
        yield srv


def get(srv, path, **kw):
    return fetch(srv.origin + path, **kw)


def manifest(srv) -> dict:
    return json.loads(get(srv, "/__mirror/manifest.json")[2])


def test_robots_txt(mirror):
    status, headers, body = get(mirror, "/robots.txt")
    assert status == 200
    lines = body.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines
    assert "Disallow: /tim-kiem" in lines


def test_every_page_has_base_href_early(mirror):
    for path in ["/", SEED_PATH, "/tin-tuc-su-kien.html", "/gioi-thieu.html", "/notfound"]:
        status, _, body = get(mirror, path)
        assert status == 200
        head = body.decode()[:4096]  # Scrapy only looks this far for <base>
        assert f'<base href="{mirror.origin}/">' in head
        assert '<meta http-equiv="refresh" content="1800">' in head


def test_page_past_the_end_returns_last_page(mirror):
    cats = {c["slug"]: c for c in manifest(mirror)["categories"]}
    cat = cats["tin-tuc-su-kien"]
    assert cat["n_pages"] >= 2
    last = get(mirror, f"/tin-tuc-su-kien/trang-{cat['n_pages']}.html")
    past = get(mirror, "/tin-tuc-su-kien/trang-999.html")
    assert last[0] == past[0] == 200
    assert past[2] == last[2]
    q = cats["chinh-sach-phap-luat"]
    assert q["pagination"] == "query"
    last = get(mirror, f"/chinh-sach-phap-luat.html?page={q['n_pages']}")
    past = get(mirror, "/chinh-sach-phap-luat.html?page=50")
    assert past[0] == 200 and past[2] == last[2]


def test_transient_503_then_200(mirror):
    url = manifest(mirror)["traps"]["transient_503"]
    first = fetch(url)
    assert first[0] == 503
    assert first[1]["Retry-After"] == "1"
    assert fetch(url)[0] == 200
    assert fetch(url)[0] == 200


def test_missing_article_redirects_to_notfound(mirror):
    traps = manifest(mirror)["traps"]
    status, headers, _ = fetch(traps["redirect_302"])
    assert status == 302
    assert headers["Location"] == f"{mirror.origin}/notfound"
    assert fetch(headers["Location"])[0] == 200
    for url in traps["not_found_404"]:
        assert fetch(url)[0] == 404


def test_stats_count_requests_but_not_control(mirror):
    fetch(mirror.origin + "/__mirror/reset-stats", method="POST")
    get(mirror, "/")
    get(mirror, "/")
    get(mirror, "/lich-cong-tac.html?tuan=2024-W09")
    get(mirror, "/does-not-exist/")
    stats = json.loads(get(mirror, "/__mirror/stats")[2])
    assert stats == {"total": 4, "by_path": {"/": 2, "/lich-cong-tac.html?tuan=2024-W09": 1,
                                             "/does-not-exist/": 1}}
    fetch(mirror.origin + "/__mirror/reset-stats", method="POST")
    assert json.loads(get(mirror, "/__mirror/stats")[2])["total"] == 0


def test_publish_puts_new_articles_on_top(mirror):
    before = manifest(mirror)
    status, _, body = get(mirror, "/__mirror/publish?n=3", method="POST")
    assert status == 200
    new = json.loads(body)["published"]
    assert len(new) == 3
    after = manifest(mirror)
    assert after["n_articles"] == before["n_articles"] + 3
    newest_before = max(a["published_at"] for a in before["articles"])
    assert all(a["published_at"] > newest_before for a in new)
    assert {a["path"] for a in after["articles"][:3]} == {a["path"] for a in new}
    home = get(mirror, "/")[2].decode()
    latest = lxml.html.fromstring(home).xpath('//div[@class="latest"]//h3/a/@href')
    assert {"/" + h for h in latest[:3]} == {a["path"] for a in new}
    for a in new:
        assert get(mirror, a["path"])[0] == 200
        listing = get(mirror, f"/{a['category']}.html")[2].decode()
        assert a["path"][1:] in listing


def test_conditional_requests_304_and_edit(mirror):
    status, headers, _ = get(mirror, SEED_PATH)
    etag, last_mod = headers["ETag"], headers["Last-Modified"]
    assert last_mod == "Fri, 01 Dec 2023 00:29:00 GMT"
    assert get(mirror, SEED_PATH, headers={"If-None-Match": etag})[0] == 304
    assert get(mirror, SEED_PATH, headers={"If-Modified-Since": last_mod})[0] == 304
    assert get(mirror, SEED_PATH, headers={"If-None-Match": '"other"'})[0] == 200

    status, _, body = get(mirror, f"/__mirror/edit?url={SEED_PATH}", method="POST")
    assert status == 200
    edited = json.loads(body)["edited"]
    assert edited["last_paragraph"].endswith("của Ban Tổ chức.")
    status, headers2, page = get(mirror, SEED_PATH, headers={"If-None-Match": etag})
    assert status == 200 and headers2["ETag"] != etag
    assert get(mirror, SEED_PATH, headers={"If-Modified-Since": last_mod})[0] == 200
    assert "Cập nhật lần 1:" in page.decode()


def test_seed_article_is_verbatim(mirror):
    seed = next(a for a in manifest(mirror)["articles"] if a["path"] == SEED_PATH)
    assert seed["published_at"] == "2023-12-01T07:29:00+07:00"
    assert seed["author"] == "Bùi Thanh Thủy"
    assert seed["author_line"] == "Bùi Thanh Thủy, Trưởng ban CSPL&QHLĐ, LĐLĐ tỉnh"
    assert seed["images"] == [{
        "url": mirror.origin + "/upload/images/nam-2023/thang-12.2023/1.-anh-ldld-tinh-tham-gia-dien-dan-dh-13.jpg",
        "caption": "Ảnh. Đồng chí Vi Hồng Dương, Chủ tịch LĐLĐ tỉnh Bắc Kạn báo cáo tham luận tại diễn đàn.",
    }]
    page = get(mirror, SEED_PATH)[2].decode()
    assert "Cập nhật lúc 07:29 - 01/12/2023 (GMT +07:00)" in page
    assert '<p style="text-align: right;"><strong>Bùi Thanh Thủy, Trưởng ban CSPL&amp;QHLĐ, LĐLĐ tỉnh</strong></p>' in page
    seed_txt = SEED / "000_9d0083d01bf51626.txt"
    text = normalize_text(lxml.html.fromstring(page).text_content())
    for line in seed_txt.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if len(line) > 40 and not line.startswith("/"):
            assert normalize_text(line) in text


def _body_images(doc, base: str) -> list[str]:
    out = []
    for img in doc.xpath('//div[@class="content-detail" or @class="post-content"]//img'
                        ' | //td[@class="news-content"]//img'):
        src = img.get("data-src") or img.get("src")
        out.append(urljoin(base, src))
    return out


def test_manifest_agrees_with_pages(mirror):
    """The oracle self-check: titles, dates, paragraphs and images printed on
    each page are the ones the manifest promises."""
    man = manifest(mirror)
    arts = man["articles"]
    assert len(arts) >= 45
    assert len({a["category"] for a in arts}) >= 4
    assert {a["template"] for a in arts} == {"ckeditor", "table", "html5"}
    assert any(a["published_at"][11:13] < "07" for a in arts)
    assert any(x["kind"] == "pdf" for a in arts for x in a["attachments"])
    assert any(x["kind"] == "video" for a in arts for x in a["attachments"])
    fetch(man["traps"]["transient_503"])  # use up the one-shot 503
    for a in arts:
        status, headers, body = fetch(a["url"])
        assert status == 200, a["url"]
        doc = lxml.html.fromstring(body.decode())
        text = normalize_text(doc.text_content())
        assert doc.xpath('//link[@rel="canonical"]/@href') == [a["url"]]
        assert a["title"] in text and a["dateline"] in text
        assert a["first_paragraph"] in text and a["last_paragraph"] in text
        for line in (a["author_line"], a["source"]):
            if line:
                assert line in text
        base = doc.xpath("//base/@href")[0]
        found = [urllib.request.quote(u, safe="/%:@!$&'()*+,;=-._~?") for u in _body_images(doc, base)]
        assert found == [i["url"] for i in a["images"]], a["url"]
        for i in a["images"]:
            assert i["caption"] is None or i["caption"] in text
            assert fetch(i["url"])[0] == 200, i["url"]
    pdf = next(x for a in arts for x in a["attachments"] if x["kind"] == "pdf")
    status, headers, body = fetch(pdf["url"])
    assert status == 200 and headers["Content-Type"] == "application/pdf" and body.startswith(b"%PDF-")


def test_print_duplicate_points_canonical_at_article(mirror):
    a = manifest(mirror)["articles"][0]
    status, _, body = fetch(a["print_url"])
    doc = lxml.html.fromstring(body.decode())
    assert status == 200
    assert doc.xpath('//link[@rel="canonical"]/@href') == [a["url"]]


def test_calendar_chain_never_ends(mirror):
    url = manifest(mirror)["traps"]["calendar_start"]
    seen = set()
    for _ in range(12):
        doc = lxml.html.fromstring(fetch(url)[2].decode())
        (prev,) = doc.xpath('//a[contains(., "Tuần trước")]/@href')
        url = urljoin(doc.xpath("//base/@href")[0], prev)
        assert url not in seen
        seen.add(url)
    assert url.endswith("tuan=2023-W50")


def test_build_is_deterministic_and_fast():
    a, b = build_site(), build_site()
    for path in ["/", SEED_PATH, "/hoat-dong-cong-doan/trang-2.html"]:
        assert a.respond(path).body == b.respond(path).body
    t = time.perf_counter()
    big = build_site(2500)
    assert len(big.articles) == 2500
    assert time.perf_counter() - t < 2.0


def test_cli_prints_url_and_stops_on_sigterm():
    proc = subprocess.Popen([sys.executable, "-m", "tests.mirror", "--port", "0", "--articles", "50"],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline().strip()
        assert line.startswith("serving http://127.0.0.1:") and line.endswith("/")
        url = line.split(" ", 1)[1]
        assert fetch(url + "robots.txt")[0] == 200
        assert json.loads(fetch(url + "__mirror/manifest.json")[2])["n_articles"] == 50
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=5) == 0
