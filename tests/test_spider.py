"""Spider callbacks on responses built from saved HTML: what is followed,
what is an article, what is recorded as a failure."""
import asyncio

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from scraper.items import DiscoveredUrls, FetchedArticle, FetchFailure
from scraper.run import start_failed
from spiders.congdoanbackan import CongdoanbackanSpider

BASE = "https://congdoanbackan.org.vn/"
BODY = "".join(f"<p>Đoạn văn số {i} của bài viết về hoạt động công đoàn cơ sở trên địa bàn tỉnh Bắc Kạn.</p>" for i in range(4))
ARTICLE = f"""<html><head><base href="{BASE}"><link rel="canonical" href="{BASE}bai-viet.html"></head><body>
<ul class="menu"><li><a href="tin-tuc.html">Tin tức</a></li></ul>
<h1>Hội nghị sơ kết công tác công đoàn năm 2023</h1><div>Cập nhật lúc 07:29 - 01/12/2023 (GMT +07:00)</div>
<div class="content">{BODY}</div>
<div class="related"><a href="bai-khac.html">Bài khác</a> <a href="print/bai-viet.html">In</a>
<a href="https://www.facebook.com/sharer.php?u=x">Chia sẻ</a> <a href="upload/files/a.pdf">PDF</a>
<a href="mailto:a@b.vn">Thư</a></div></body></html>"""


def spider():
    # Pages read in the test's own process (a worker process: tests/test_reader.py).
    crawler = get_crawler(CongdoanbackanSpider, {"ARCHIVER_MAX_BARREN_CHAIN": 3, "ARCHIVER_READ_WORKERS": 0})
    return CongdoanbackanSpider.from_crawler(crawler, base_url=BASE)


def response(url, body, status=200, meta=None, redirect_from=None):
    request = Request(url, meta=dict(meta or {}))
    if redirect_from:
        request.meta["redirect_urls"] = [redirect_from]
    return HtmlResponse(url, body=body.encode(), encoding="utf-8", status=status, request=request)


def run(sp, resp):
    async def collect():
        return [out async for out in sp.parse(resp)]

    out = asyncio.run(collect())
    items = [o for o in out if not isinstance(o, Request)]
    return items, sorted(o.url for o in out if isinstance(o, Request))


def test_article_is_archived_and_only_site_pages_followed():
    items, urls = run(spider(), response(BASE + "bai-viet.html", ARTICLE))
    [item] = items
    assert isinstance(item, FetchedArticle)
    assert item.article.url == BASE + "bai-viet.html"
    assert item.status == 200 and item.raw_html.startswith(b"<html>")
    assert urls == [BASE + "bai-khac.html", BASE + "tin-tuc.html"]  # no print, pdf, offsite, mailto


def test_alternate_view_fetches_the_canonical_instead():
    items, urls = run(spider(), response(BASE + "bai-viet.html?utm_source=zalo&x=1", ARTICLE))
    assert items == []
    assert urls == [BASE + "bai-viet.html"]


def test_redirect_to_notfound_is_a_failure():
    items, urls = run(spider(), response(BASE + "notfound", "<html><body>Không tìm thấy</body></html>",
                                         redirect_from=BASE + "bai-cu.html"))
    [failure] = items
    assert isinstance(failure, FetchFailure)
    assert failure.url == BASE + "bai-cu.html" and failure.error.startswith("gone")


def listing(links):
    items = "".join(f'<li><a href="{u}">Tiêu đề bài viết {u}</a></li>' for u in links)
    return f'<html><head><base href="{BASE}"></head><body><h1>Tin tức</h1><ul class="list">{items}</ul>' \
           f'<a href="tin-tuc/trang-9.html">»</a></body></html>'


def test_repeated_listing_is_not_followed_again():
    sp = spider()
    page = listing([f"bai-{i}.html" for i in range(10)])
    _, first = run(sp, response(BASE + "tin-tuc/trang-8.html", page))
    assert len(first) == 11
    # Page 9 answers with the same last page: nothing new is followed.
    _, again = run(sp, response(BASE + "tin-tuc/trang-9.html", page))
    assert again == []
    assert sp.crawler.stats.get_value("archiver/repeated_pages") == 1


def test_barren_chain_stops():
    sp = spider()
    followed = 0
    barren = 0
    for week in range(20):
        body = (f'<html><body><h1>Lịch công tác</h1><p>{"việc " * week}</p>'
                f'<a href="lich.html?tuan={week + 1}">Tuần trước</a></body></html>')
        _, urls = run(sp, response(BASE + f"lich.html?tuan={week}", body, meta={"barren": barren}))
        if not urls:
            break
        followed += 1
        barren += 1
    assert followed <= 4


def test_an_extractor_crash_is_recorded_not_dropped(monkeypatch):
    import spiders.congdoanbackan as module

    def broken(html, url):  # stands in for an extractor bug on one odd page
        raise RuntimeError("boom")

    monkeypatch.setattr(module, "read_page", broken)
    sp = spider()
    items, urls = run(sp, response(BASE + "bai-viet.html", ARTICLE))
    [failure] = items
    assert isinstance(failure, FetchFailure)
    assert failure.url == BASE + "bai-viet.html" and "RuntimeError: boom" in failure.error
    assert sp.crawler.stats.get_value("archiver/extraction_errors") == 1


@pytest.mark.parametrize("body", ["", "<?xml version='1.0'?><?pi?>", "<!-- -->",
                                  '<base href="http://[bad"><a href="x">y</a>',
                                  '<link rel="canonical" href="http://[::1"><p>x</p>'])
def test_odd_pages_do_not_crash_the_extractor(body):
    sp = spider()
    items, _ = run(sp, response(BASE + "la.html", body))
    assert sp.crawler.stats.get_value("archiver/extraction_errors") is None
    # Nothing to archive, nothing failed (a listing's links are recorded as a source).
    assert [i for i in items if not isinstance(i, DiscoveredUrls)] == []


def test_scheme_and_www_variants_are_one_page():
    body = listing([f"{BASE}bai-1.html", "http://www.congdoanbackan.org.vn/bai-1.html",
                    "https://www.congdoanbackan.org.vn/bai-1.html#top", "bai-2.html"])
    _, urls = run(spider(), response(BASE + "tin-tuc.html", body))
    assert urls == [BASE + "bai-1.html", BASE + "bai-2.html", BASE + "tin-tuc/trang-9.html"]


@pytest.mark.parametrize("canonical", [BASE, BASE + "tin-tuc.html"])
def test_a_mistaken_canonical_does_not_lose_the_article(canonical):
    body = ARTICLE.replace(f'<link rel="canonical" href="{BASE}bai-viet.html">',
                           f'<link rel="canonical" href="{canonical}">')
    items, _ = run(spider(), response(BASE + "bai-viet.html", body))
    [item] = items
    assert isinstance(item, FetchedArticle) and item.article.url == BASE + "bai-viet.html"


def test_a_print_view_defers_to_its_article():
    body = ARTICLE  # canonical: bai-viet.html
    items, urls = run(spider(), response(BASE + "print/bai-viet.html", body))
    assert items == [] and urls == [BASE + "bai-viet.html"]


def test_archive_keys_use_one_spelling_of_the_site():
    body = ARTICLE.replace(f'<link rel="canonical" href="{BASE}bai-viet.html">',
                           '<link rel="canonical" href="http://www.congdoanbackan.org.vn/bai-viet.html">')
    items, _ = run(spider(), response(BASE + "bai-viet.html", body))
    assert items[0].article.url == BASE + "bai-viet.html"


def test_a_maintenance_home_page_fails_the_start():
    sp = spider()
    reasons = []
    sp.crawler.signals.connect(lambda reason: reasons.append(reason), signal=start_failed,
                               weak=False)
    body = "<html><body><h1>Hệ thống đang bảo trì</h1><p>Xin lỗi vì sự bất tiện này.</p></body></html>"
    items, urls = run(sp, response(BASE, body))
    assert [type(i) for i in items] == [FetchFailure] and urls == []
    assert items[0].rule == "not_found"
    assert reasons == ["the start page is a not-found or maintenance page"]


def test_the_same_page_elsewhere_does_not_fail_the_start():
    sp = spider()
    reasons = []
    sp.crawler.signals.connect(lambda reason: reasons.append(reason), signal=start_failed,
                               weak=False)
    body = "<html><body><h1>Hệ thống đang bảo trì</h1><p>Xin lỗi vì sự bất tiện này.</p></body></html>"
    items, _ = run(sp, response(BASE + "bai-cu.html", body))
    assert [i.rule for i in items] == ["not_found"] and reasons == []
