"""The one policy that turns a fetched page into the row to archive
(scraper.policy), used by the crawl and by reparse alike."""
import pytest

from scraper.encoding import decode
from scraper.policy import FetchContext, admit, decide, read
from scraper.extract import read_page
from scraper.urls import is_gone_redirect

BASE = "https://congdoanbackan.org.vn/"
BODY = "".join(f"<p>Đoạn văn số {i} của bài viết về hoạt động công đoàn cơ sở trên địa bàn tỉnh.</p>"
               for i in range(4))


def article(canonical: str | None = None, breadcrumb: str | None = None) -> str:
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    crumb = (f'<div class="breadcrumb"><a href="/">Trang chủ</a> » <a href="/tin.html">{breadcrumb}</a></div>'
             if breadcrumb else "")
    return (f"<html><head>{link}</head><body>{crumb}<h1>Hội nghị sơ kết công tác công đoàn năm 2023</h1>"
            f"<div>Cập nhật lúc 07:29 - 01/12/2023 (GMT +07:00)</div><div class='content'>{BODY}</div>"
            "</body></html>")


def ctx(final: str, linked: str | None = None, listing: str | None = None, base: str = BASE):
    return FetchContext(linked_url=linked or final, final_url=final, base_url=base,
                        listing_title=listing)


def decision_for(html: str, context: FetchContext):
    return decide(read_page(html, context.final_url), context)


def test_an_article_is_archived_under_its_canonical():
    d = decision_for(article(BASE + "bai-viet.html"), ctx(BASE + "bai-viet.html"))
    assert d.rule == "article" and d.archives
    assert d.article.url == BASE + "bai-viet.html"
    assert d.article.title.startswith("Hội nghị")


def test_a_mistaken_canonical_keeps_the_fetched_url():
    d = decision_for(article(BASE), ctx(BASE + "bai-viet.html"))
    assert d.article.url == BASE + "bai-viet.html"


def test_a_print_view_follows_its_canonical_instead():
    d = decision_for(article(BASE + "bai-viet.html"), ctx(BASE + "print/bai-viet.html"))
    assert not d.archives and d.follow == BASE + "bai-viet.html"


@pytest.mark.parametrize("canonical", [
    "http://www.congdoanbackan.org.vn/bai-viet.html",
    "https://www.congdoanbackan.org.vn/bai-viet.html",
    "http://congdoanbackan.org.vn/bai-viet.html",
])
def test_keys_use_the_crawls_spelling_of_the_site(canonical):
    d = decision_for(article(canonical), ctx(BASE + "bai-viet.html"))
    assert d.article.url == BASE + "bai-viet.html"


def test_a_canonical_on_another_host_naming_the_same_page_is_the_key():
    mirror = "http://127.0.0.1:8000/"
    d = decision_for(article(BASE + "bai-viet.html"), ctx(mirror + "bai-viet.html", base=mirror))
    assert d.article.url == BASE + "bai-viet.html"
    d = decision_for(article(), ctx(mirror + "bai-viet.html", base=mirror))
    assert d.article.url == mirror + "bai-viet.html"


def test_category_from_the_page_before_the_listing():
    page = article(BASE + "bai-viet.html", breadcrumb="Tin tức - Sự kiện")
    assert decision_for(page, ctx(BASE + "bai-viet.html", listing="Hoạt động")).article.category \
        == "Tin tức - Sự kiện"
    plain = article(BASE + "bai-viet.html")
    assert decision_for(plain, ctx(BASE + "bai-viet.html", listing="Hoạt động")).article.category \
        == "Hoạt động"
    assert decision_for(plain, ctx(BASE + "bai-viet.html")).article.category is None


def test_decide_does_not_change_the_page_it_was_given():
    page = read_page(article(BASE), BASE + "bai-viet.html")
    before = page.article.url
    decide(page, ctx(BASE + "bai-viet.html", listing="Hoạt động"))
    assert page.article.url == before and page.article.category is None


def test_not_found_and_listing_and_unparsed():
    gone = "<html><head><title>Không tìm thấy trang</title></head><body><p>x</p></body></html>"
    assert decision_for(gone, ctx(BASE + "a.html")).rule == "not_found"
    assert decision_for(gone, ctx(BASE + "a.html")).failure.startswith("gone")
    listing = "<html><body>" + "".join(
        f'<div><a href="/tin-{i}.html">Tiêu đề bài viết thứ {i} về công đoàn cơ sở</a></div>'
        for i in range(8)) + "</body></html>"
    d = decision_for(listing, ctx(BASE + "tin-tuc.html"))
    assert d.rule == "listing" and not d.archives and d.failure is None
    claims = listing.replace("<html>", '<html><head><meta property="og:type" content="article"></head>')
    d = decision_for(claims, ctx(BASE + "tin-tuc.html"))
    assert d.rule == "unparsed_article" and "none could be extracted" in d.failure


def test_admit_refuses_before_reading():
    c = ctx(BASE + "a.html")
    assert admit(b"%PDF-1.7 \x00\x01", "application/octet-stream", c).rule == "non_html"
    assert admit(b"%PDF-1.7 \x00\x01", "application/octet-stream", c).failure is None
    assert admit(bytes(range(256)) * 40, "text/html", c).rule == "binary_as_html"
    assert admit(b"<html>" + b"<br>" * 50, "text/html", c, max_markup=10).rule == "too_much_markup"
    assert admit(b"<html><body>ok</body></html>", "text/html", c) is None
    # An HTML page under a wrong Content-Type is still a page.
    assert admit(b"<!DOCTYPE html><html><body>ok</body></html>", "text/plain", c) is None
    gone = admit(b"<html></html>", "text/html", ctx(BASE + "notfound", linked=BASE + "bai-cu.html"))
    assert gone.rule == "gone_redirect" and gone.failure_status == 302


@pytest.mark.parametrize("final, gone", [
    ("/", True), ("/index.php", True), ("/404", True), ("/404.html", True), ("/notfound", True),
    ("/error/404.aspx", True), ("/Not-Found.html", True),
    ("/cong-van-so-1404-ldld.html", False), ("/tin-404/bai.html", False), ("/van-ban/404-qd.html", False),
    ("/bai-moi.html", False),
])
def test_gone_redirect_names_a_whole_segment(final, gone):
    assert is_gone_redirect(BASE + "bai-cu.html", BASE.rstrip("/") + final) is gone


def test_read_decodes_like_the_crawl():
    html = article(BASE + "bai-viet.html")
    body = html.encode("utf-8")
    # A lying legacy charset over UTF-8 bytes: read as UTF-8, by crawl and reparse alike.
    decision, encoding = read(body, "text/html; charset=iso-8859-1", ctx(BASE + "bai-viet.html"))
    assert encoding == "utf-8" and decision.article.title.startswith("Hội nghị")
    assert decode(body, "text/html; charset=iso-8859-1") == ("utf-8", html)
    # A legacy charset declared in the page itself, over bytes that are not UTF-8.
    legacy = "<html><head><meta charset='windows-1252'></head><body>Café – nhà</body></html>"
    encoding, text = decode(legacy.encode("cp1252", "replace"), None)
    assert encoding == "cp1252" and "Café –" in text
    # Nothing declared: a strict UTF-8 guess first.
    assert decode("<p>Công đoàn</p>".encode(), None) == ("utf-8", "<p>Công đoàn</p>")


# Issue 10, point 7: one row per article whatever spelling of the host the
# crawl, a link or a web-archive capture used.
SPELLINGS = ["http://congdoanbackan.org.vn/", "https://congdoanbackan.org.vn/",
             "http://www.congdoanbackan.org.vn/", "https://www.congdoanbackan.org.vn/",
             "https://WWW.CongDoanBacKan.org.vn:443/"]


@pytest.mark.parametrize("base", SPELLINGS)
@pytest.mark.parametrize("fetched", SPELLINGS)
def test_one_key_whatever_spelling_the_crawl_and_the_page_use(base, fetched):
    for canonical in (None, fetched + "bai-viet.html"):
        d = decision_for(article(canonical), ctx(fetched + "bai-viet.html", base=base))
        assert d.article.url == "https://congdoanbackan.org.vn/bai-viet.html"


def test_a_canonical_naming_the_real_site_is_keyed_on_its_one_spelling():
    mirror = "http://127.0.0.1:8000/"
    d = decision_for(article("http://www.congdoanbackan.org.vn/bai-viet.html"),
                     ctx(mirror + "bai-viet.html", base=mirror))
    assert d.article.url == "https://congdoanbackan.org.vn/bai-viet.html"


def test_a_local_mirror_keeps_its_scheme_and_port():
    from scraper.urls import archive_key, key_root

    assert key_root("http://127.0.0.1:8000/x.html") == "http://127.0.0.1:8000/"
    assert key_root("http://localhost:8000/") == "http://localhost:8000/"
    assert key_root("http://www.example.org:8080/a") == "https://example.org:8080/"
    assert archive_key("http://127.0.0.1:8000/a.html?x=1", "http://127.0.0.1:8000/") \
        == "http://127.0.0.1:8000/a.html?x=1"
