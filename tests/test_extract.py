"""Field extraction on small pages: each case is a layout trap worth a line."""
import unicodedata

import pytest

from scraper.extract import read_page

URL = "https://congdoanbackan.org.vn/bai-viet.html"
CHROME_TOP = """
<div class="slide"><img src="upload/images/slide/bk1.jpg"><img src="upload/images/slide/bk2.jpg"></div>
<div class="top"><img src="upload/images/logo.png" alt="logo"><b>LIÊN ĐOÀN LAO ĐỘNG TỈNH BẮC KẠN</b></div>
<ul class="menu"><li><a href="tin-tuc.html">Tin tức</a></li><li><a href="gioi-thieu.html">Giới thiệu</a></li></ul>
<marquee>Nhiệt liệt chào mừng Kỷ niệm 138 năm ngày Quốc tế lao động (01/5/1886 - 01/5/2024)</marquee>
"""
CHROME_BOTTOM = """
<div class="share"><a href="https://facebook.com/sharer?u=x"><img src="images/fb.png"></a></div>
<div class="other-news"><h3>Tin khác</h3><ul>
<li><img src="upload/images/thumbs/a.jpg"><a href="tin-a.html">Công đoàn tỉnh tổ chức hội nghị tổng kết năm</a> (30/11/2023)</li>
<li><a href="tin-b.html">Hội thao công nhân viên chức lao động năm 2023</a> (29/11/2023)</li></ul></div>
<div class="footer">Bản quyền thuộc Liên đoàn Lao động tỉnh Bắc Kạn</div>
"""
P1 = "Sáng ngày 30/11/2023, Liên đoàn Lao động tỉnh tổ chức hội nghị sơ kết công tác công đoàn với sự tham dự của đông đảo đoàn viên."
P2 = "Hội nghị đã thống nhất các nhiệm vụ trọng tâm trong thời gian tới, tập trung chăm lo đời sống cho người lao động trên địa bàn tỉnh."


def page(inner: str, head: str = "", base: str = "https://congdoanbackan.org.vn/") -> str:
    return (f'<html><head><base href="{base}">{head}</head><body>{CHROME_TOP}'
            f'<div class="wrap">{inner}</div>{CHROME_BOTTOM}</body></html>')


def article(inner, **kw):
    result = read_page(page(inner, **kw), URL)
    assert result.article is not None, result.kind
    return result.article


BASIC = f"""<h1>Hội nghị sơ kết công tác công đoàn</h1>
<div>Cập nhật lúc 07:29 - 01/12/2023 (GMT +07:00)</div>
<div class="noidung"><p>{P1}</p><p>{P2}</p>
<p style="text-align: right;"><strong>Bùi Thanh Thủy, Trưởng ban CSPL&amp;QHLĐ, LĐLĐ tỉnh</strong></p></div>"""


def test_basic_fields():
    art = article(BASIC)
    assert art.title == "Hội nghị sơ kết công tác công đoàn"
    assert art.published_at == "2023-12-01T07:29:00+07:00"
    assert art.published_precision == "minute"
    assert art.author == "Bùi Thanh Thủy"
    assert art.author_line == "Bùi Thanh Thủy, Trưởng ban CSPL&QHLĐ, LĐLĐ tỉnh"
    assert art.body_text == f"{P1}\n\n{P2}"
    assert art.images == []
    assert art.kind == "article"


def test_body_has_no_chrome():
    body = article(BASIC).body_text
    for chrome in ("Tin khác", "LIÊN ĐOÀN", "Nhiệt liệt", "Cập nhật", "Bản quyền", "Bùi Thanh Thủy"):
        assert chrome not in body


def test_title_from_meta_picks_the_visible_heading():
    head = '<meta property="og:title" content="Hội nghị sơ kết công tác công đoàn - Liên đoàn Lao động tỉnh Bắc Kạn">'
    inner = BASIC.replace("<h1>", '<div class="x">').replace("</h1>", "</div>")
    assert article(inner, head=head).title == "Hội nghị sơ kết công tác công đoàn"


def test_date_above_title():
    inner = f"""<div>Thứ Sáu, 01/12/2023 - 07:29</div><h2>Hội nghị sơ kết công tác công đoàn</h2>
    <div><p>{P1}</p><p>{P2}</p></div>"""
    art = article(inner)
    assert art.published_at == "2023-12-01T07:29:00+07:00"
    assert art.title == "Hội nghị sơ kết công tác công đoàn"


def test_structured_date_wins_and_keeps_offset():
    head = '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Hội nghị sơ kết công tác công đoàn", "datePublished": "2023-12-01T07:29:00+07:00"}</script>'
    inner = BASIC.replace("Cập nhật lúc 07:29 - 01/12/2023 (GMT +07:00)", "Thứ Sáu, 01/12/2023")
    art = article(inner, head=head)
    assert art.published_at == "2023-12-01T07:29:00+07:00"
    assert art.published_precision == "minute"


def test_date_only_keeps_day_precision():
    art = article(BASIC.replace("Cập nhật lúc 07:29 - 01/12/2023 (GMT +07:00)", "Ngày đăng: 01/12/2023"))
    assert art.published_at == "2023-12-01T00:00:00+07:00"
    assert art.published_precision == "day"


def test_undated_page_is_kept_and_flagged():
    inner = f"<h1>Giới thiệu Liên đoàn Lao động tỉnh</h1><div><p>{P1}</p><p>{P2}</p><p>{P1}</p></div>"
    result = read_page(page(inner), URL)
    assert result.kind == "page"
    assert result.article.published_at is None


def test_image_with_caption_paragraph_and_base_href():
    inner = BASIC.replace(f"<p>{P2}</p>", f"""<p style="text-align:center"><img src="upload/images/nam-2023/1.-anh-dai-hoi.jpg"></p>
    <p>Ảnh. Đồng chí Vi Hồng Dương phát biểu tại hội nghị.</p><p>{P2}</p>""")
    art = article(inner, base="https://congdoanbackan.org.vn/")
    assert [(i.url, i.caption) for i in art.images] == [
        ("https://congdoanbackan.org.vn/upload/images/nam-2023/1.-anh-dai-hoi.jpg",
         "Ảnh. Đồng chí Vi Hồng Dương phát biểu tại hội nghị.")]


@pytest.mark.parametrize("img,expected", [
    ('<img src="/upload/a.jpg">', "https://congdoanbackan.org.vn/upload/a.jpg"),
    ('<img src="https://cdn.example.org/x/b.png?w=600&amp;h=400">', "https://cdn.example.org/x/b.png?w=600&h=400"),
    ('<img src="upload/ảnh hội nghị.jpg">', "https://congdoanbackan.org.vn/upload/%E1%BA%A3nh%20h%E1%BB%99i%20ngh%E1%BB%8B.jpg"),
    ('<img src="upload/%E1%BA%A3nh.jpg">', "https://congdoanbackan.org.vn/upload/%E1%BA%A3nh.jpg"),  # no double encoding
    ('<img src="images/blank.gif" data-src="upload/anh-that.jpg">', "https://congdoanbackan.org.vn/upload/anh-that.jpg"),
])
def test_image_url_forms(img, expected):
    art = article(BASIC.replace(f"<p>{P2}</p>", f"<p>{img}</p><p>{P2}</p>"))
    assert [i.url for i in art.images] == [expected]


@pytest.mark.parametrize("markup,caption", [
    ('<figure><img src="a.jpg"><figcaption>Các đại biểu dự hội nghị</figcaption></figure>', "Các đại biểu dự hội nghị"),
    ('<table><tr><td><img src="a.jpg"></td></tr><tr><td>Toàn cảnh hội nghị</td></tr></table>', "Toàn cảnh hội nghị"),
    ('<p><img src="a.jpg"></p><p>(Ảnh: Minh Anh)</p>', "(Ảnh: Minh Anh)"),
    ('<p><img src="a.jpg"><br><em>Đại biểu tham quan mô hình sản xuất</em></p>', "Đại biểu tham quan mô hình sản xuất"),
    ('<p><img src="a.jpg"></p>', None),
])
def test_caption_forms(markup, caption):
    art = article(BASIC.replace(f"<p>{P2}</p>", f"{markup}<p>{P2}</p>"))
    assert [i.caption for i in art.images] == [caption]


def test_chrome_images_never_count():
    assert article(BASIC).images == []


def test_base_href_after_4096_characters():
    head = "<!-- " + "x" * 5000 + " -->"
    html = page(BASIC.replace(f"<p>{P2}</p>", f'<p><img src="upload/a.jpg"></p><p>{P2}</p>'),
                head=head, base="http://mirror.test/site/")
    art = read_page(html, "http://mirror.test/site/bai-viet.html").article
    assert art.images[0].url == "http://mirror.test/site/upload/a.jpg"


def test_source_line_is_not_an_author():
    art = article(BASIC.replace("Bùi Thanh Thủy, Trưởng ban CSPL&amp;QHLĐ, LĐLĐ tỉnh", "Theo Báo Bắc Kạn"))
    assert (art.author, art.source, art.author_line) == (None, "Báo Bắc Kạn", "Theo Báo Bắc Kạn")


def test_no_byline():
    art = article(BASIC.replace('<p style="text-align: right;"><strong>Bùi Thanh Thủy, Trưởng ban CSPL&amp;QHLĐ, LĐLĐ tỉnh</strong></p>', ""))
    assert art.author is None and art.author_line is None
    assert art.body_text.endswith(P2)


def test_attachments_and_video():
    extra = ('<p>Tải về: <a href="upload/files/ke-hoach-so-12.pdf">Kế hoạch số 12</a></p>'
             '<p><iframe src="https://www.youtube.com/embed/abc"></iframe></p>')
    art = article(BASIC.replace(f"<p>{P2}</p>", f"<p>{P2}</p>{extra}"))
    assert [(a.url, a.text, a.kind) for a in art.attachments] == [
        ("https://congdoanbackan.org.vn/upload/files/ke-hoach-so-12.pdf", "Kế hoạch số 12", "pdf"),
        ("https://www.youtube.com/embed/abc", None, "video"),
    ]


def test_decomposed_text_is_stored_nfc():
    nfd = unicodedata.normalize("NFD", BASIC)
    art = article(nfd)
    assert art.title == "Hội nghị sơ kết công tác công đoàn"
    assert unicodedata.is_normalized("NFC", art.body_text)


def test_listing_is_not_an_article():
    items = "".join(
        f'<div class="item"><a href="bai-{i}.html"><img src="upload/t{i}.jpg"></a>'
        f'<h3><a href="bai-{i}.html">Tin số {i} về hoạt động công đoàn cơ sở trên địa bàn</a></h3>'
        f'<span>01/12/2023</span></div>' for i in range(10))
    result = read_page(page(f"<h1>Tin tức sự kiện</h1>{items}"), URL)
    assert result.kind == "listing"
    assert result.article is None


def test_author_from_structured_data_only_when_nothing_is_printed():
    head = ('<script type="application/ld+json">{"@type": "NewsArticle", "author": '
            '{"@type": "Person", "name": "Hoàng Minh Châu"}}</script>'
            '<meta name="author" content="Liên đoàn Lao động tỉnh Bắc Kạn">')
    no_byline = BASIC.replace('<p style="text-align: right;"><strong>Bùi Thanh Thủy, Trưởng ban CSPL&amp;QHLĐ, LĐLĐ tỉnh</strong></p>', "")
    art = article(no_byline, head=head)
    assert (art.author, art.author_line) == ("Hoàng Minh Châu", None)
    assert article(BASIC, head=head).author == "Bùi Thanh Thủy"  # the printed byline wins


def test_site_name_in_meta_author_is_not_a_person():
    head = '<meta name="author" content="Liên đoàn Lao động tỉnh Bắc Kạn">'
    no_byline = BASIC.replace('<p style="text-align: right;"><strong>Bùi Thanh Thủy, Trưởng ban CSPL&amp;QHLĐ, LĐLĐ tỉnh</strong></p>', "")
    assert article(no_byline, head=head).author is None


def test_print_layout_page_numbers_and_running_headers_are_not_body():
    header = "<p>BẢN TIN CÔNG ĐOÀN BẮC KẠN - SỐ 03/2024</p>"
    inner = BASIC.replace(f"<p>{P2}</p>", f"<p>Trang 1/2</p>{header}<p>{P2}</p><p>Trang 2/2</p>").replace(
        f"<p>{P1}</p>", f"{header}<p>{P1}</p>")
    art = article(inner)
    assert art.body_text == f"{P1}\n\n{P2}"
    assert art.author == "Bùi Thanh Thủy"


def test_repeated_captions_stay():
    inner = BASIC.replace(f"<p>{P2}</p>", '<p><img src="a.jpg"></p><p>(Ảnh minh họa)</p>'
                                          f'<p>{P2}</p><p><img src="b.jpg"></p><p>(Ảnh minh họa)</p>')
    assert [i.caption for i in article(inner).images] == ["(Ảnh minh họa)", "(Ảnh minh họa)"]


def test_a_short_dated_notice_with_a_file_is_an_article():
    inner = ('<h1>Thông báo lịch nghỉ Tết Nguyên đán Giáp Thìn 2024</h1>'
             '<div>Cập nhật lúc 08:00 - 02/02/2024 (GMT +07:00)</div>'
             '<div class="noidung"><p>Thông báo lịch nghỉ Tết của cơ quan LĐLĐ tỉnh.</p>'
             '<p><a href="upload/files/tb-nghi-tet.pdf">Tải về</a></p></div>')
    art = article(inner)
    assert art.published_at == "2024-02-02T08:00:00+07:00"
    assert [a.url for a in art.attachments] == ["https://congdoanbackan.org.vn/upload/files/tb-nghi-tet.pdf"]


def test_a_short_dated_text_without_file_or_picture_is_not():
    inner = ('<h1>Lịch công tác tuần 10 năm 2024</h1><div>Cập nhật lúc 08:00 - 04/03/2024</div>'
             '<div><p>Không có lịch công tác trong tuần này.</p></div>')
    assert read_page(page(inner), URL).article is None


def test_an_inline_related_list_does_not_end_the_body():
    related = ('<p><strong>Tin liên quan:</strong></p><ul><li><a href="a.html">Hội nghị tổng kết công tác '
               'công đoàn năm 2023 của tỉnh</a></li><li><a href="b.html">Hội thao công nhân viên chức '
               'lao động năm 2024</a></li></ul>')
    art = article(BASIC.replace(f"<p>{P2}</p>", f"{related}<p>{P2}</p>"))
    assert art.body_text == f"{P1}\n\n{P2}" and art.author == "Bùi Thanh Thủy"


def test_a_print_button_is_not_an_image():
    meta = ('<div class="thongtin">Cập nhật lúc 07:29 - 01/12/2023 <a href="javascript:window.print()">'
            '<img src="images/print.gif"> In trang</a></div>')
    inner = BASIC.replace("<div>Cập nhật lúc 07:29 - 01/12/2023 (GMT +07:00)</div>", meta)
    art = article(inner)
    assert art.images == [] and art.published_at == "2023-12-01T07:29:00+07:00"


def test_caption_above_the_image():
    inner = BASIC.replace(f"<p>{P2}</p>", '<p><em>Ảnh: Đại biểu biểu quyết thông qua nghị quyết.</em></p>'
                                          f'<p><img src="a.jpg"></p><p>{P2}</p>')
    assert [i.caption for i in article(inner).images] == ["Ảnh: Đại biểu biểu quyết thông qua nghị quyết."]


def test_bold_byline_closing_the_last_paragraph():
    inner = BASIC.replace('<p style="text-align: right;"><strong>Bùi Thanh Thủy, Trưởng ban CSPL&amp;QHLĐ, LĐLĐ tỉnh</strong></p>', "")
    inner = inner.replace(f"<p>{P2}</p>", f"<p>{P2} <strong>Minh Anh</strong></p>")
    art = article(inner)
    assert (art.author, art.author_line) == ("Minh Anh", "Minh Anh")
    assert art.body_text.endswith(P2)


def test_split_date_and_time_blocks():
    inner = BASIC.replace("<div>Cập nhật lúc 07:29 - 01/12/2023 (GMT +07:00)</div>",
                          "<div>Ngày 25/09/2024</div><div>Lúc 06:45</div>")
    assert article(inner).published_at == "2024-09-25T06:45:00+07:00"


def test_an_unheaded_related_list_after_the_byline():
    items = "".join(f'<li><a href="t{i}.html">Hội nghị tập huấn phần mềm quản lý đoàn viên số {i}</a> '
                    f'(1{i}/12/2024)</li>' for i in range(5))
    inner = BASIC.replace("</strong></p></div>", f"</strong></p><hr><ul>{items}</ul></div>")
    art = article(inner)
    assert art.author == "Bùi Thanh Thủy" and "Hội nghị tập huấn" not in art.body_text


def test_an_article_split_over_one_cell_table_rows():
    inner = (f'<table><tr><td><b>Hội nghị sơ kết công tác công đoàn</b></td></tr>'
             f'<tr><td>Cập nhật lúc 07:29 - 01/12/2023 (GMT +07:00)</td></tr>'
             f'<tr><td class="noidung">{P1}<br><br>{P1}<br><br>{P1}</td></tr>'
             f'<tr><td><img src="upload/a.jpg"><br><i>Ảnh. Quang cảnh hội nghị.</i></td></tr>'
             f'<tr><td class="noidung">{P2}</td></tr>'
             f'<tr><td align="right"><b>Minh Anh - Thu Hà</b></td></tr></table>')
    art = article(inner)
    assert art.body_text.endswith(P2) and art.author == "Minh Anh, Thu Hà"
    assert [(i.url.rsplit("/", 1)[-1], i.caption) for i in art.images] == [("a.jpg", "Ảnh. Quang cảnh hội nghị.")]


# Cases found by a code review, each once wrong.
LONG = "Hội nghị đã thảo luận nhiều nội dung quan trọng về công tác công đoàn trong năm nay và đề ra phương hướng cho năm tới."


def review_page(body, title="Hội nghị tổng kết công tác năm 2024", url=URL):
    html = (f"<html><head><title>{title}</title></head><body><h1>{title}</h1>"
            f"<div class='date'>Cập nhật: 12/03/2024 08:15</div><div class='content'>{body}</div></body></html>")
    return read_page(html, url)


def test_vu_is_a_surname():
    art = review_page(f"<p>{LONG} {LONG}</p><p>{LONG}</p><p>Vũ Thị Lan</p>").article
    assert art.author == "Vũ Thị Lan" and "Vũ Thị Lan" not in art.body_text


def test_a_sentence_starting_with_theo_is_body_not_a_source():
    last = "Theo kế hoạch, hội nghị diễn ra trong hai ngày."
    art = review_page(f"<p>{LONG} {LONG}</p><p>{LONG}</p><p>{last}</p>").article
    assert art.source is None and art.body_text.endswith(last)


def test_a_last_sentence_with_a_date_stays_in_the_body():
    last = "Giải đấu sẽ bế mạc vào ngày 20/4/2024."
    art = review_page(f"<p>{LONG} {LONG}</p><p>{LONG}</p><p>{last}</p>").article
    assert art.body_text.endswith(last)


def test_a_paragraph_starting_with_chia_se_does_not_end_the_body():
    mid = "Chia sẻ tại hội nghị, đồng chí Chủ tịch cho biết năm nay công đoàn sẽ tập trung chăm lo đời sống."
    art = review_page(f"<p>{LONG} {LONG}</p><p>{mid}</p><p>{LONG}</p><p>Minh Anh</p>").article
    assert mid in art.body_text and art.author == "Minh Anh"


@pytest.mark.parametrize("title,url", [
    ("Công văn số 1404/LĐLĐ về việc tổ chức hội thao", URL),
    ("Hội nghị tổng kết công tác năm 2024", "https://congdoanbackan.org.vn/tin-tuc/404-cong-nhan-duoc-ho-tro.html"),
])
def test_404_inside_a_number_or_slug_is_not_a_not_found_page(title, url):
    page_ = review_page(f"<p>{LONG} {LONG}</p><p>{LONG}</p>", title=title, url=url)
    assert page_.kind == "article"


def test_percentage_widths_are_not_icons():
    art = review_page(f"<p>{LONG} {LONG}</p><p><img src='/a.jpg' width='30%'></p><p>{LONG}</p>").article
    assert [i.url.rsplit("/", 1)[-1] for i in art.images] == ["a.jpg"]


P3 = ("Tại hội nghị, các đại biểu đã thảo luận sôi nổi về những khó khăn trong công tác phát triển "
      "đoàn viên và đề xuất nhiều giải pháp thiết thực cho năm tới.")
P4 = ("Kết thúc hội nghị, Ban Thường vụ đã khen thưởng các tập thể và cá nhân có thành tích xuất sắc "
      "trong phong trào thi đua lao động giỏi, lao động sáng tạo.")


def sections(between: str, after: str = "") -> str:
    """One article in two sibling sections, each nested two wrappers deep
    (a page builder's rows), with `between` the two and `after` the last."""
    first = f'<div class="row"><div class="col"><div class="text"><p>{P1}</p><p>{P2}</p><p>{P3}</p></div></div></div>'
    second = f'<div class="row"><div class="col"><div class="text"><p>{P4} {P4}</p></div></div></div>'
    return (f"<h1>Hội nghị sơ kết công tác công đoàn</h1><div>Cập nhật lúc 07:29 - 01/12/2023</div>"
            f"<div class=\"rows\">{first}{between}{second}{after}</div>")


@pytest.mark.parametrize("between", [
    "",
    '<div class="row"><div class="col"><img src="upload/images/hoi-nghi.jpg"></div></div>',  # a photo row
    '<div class="ads-slot"></div>',  # an empty ad slot
    "<div class=\"row\"><h2>Khen thưởng tập thể</h2></div>",  # a subheading of its own
    '<div class="embed"><a href="https://instagram.com/p/x">Xem bài đăng này trên Instagram</a></div>',
])
def test_an_article_in_sibling_sections_is_read_whole(between):
    body = article(sections(between)).body_text
    assert body.startswith(P1) and body.endswith(f"{P4} {P4}")


def test_sections_stop_at_a_related_box_or_an_authors_bio():
    related = ('<div class="row"><h3>Tin khác</h3><p><a href="a.html">Công đoàn tỉnh tổ chức hội nghị '
               'tổng kết năm</a> ' + P3 + '</p></div>')
    bio = f'<div class="author-bio"><p>{P4} {P4}</p></div>'
    for between in (related, bio):
        body = article(sections(between)).body_text
        assert body.startswith(P1) and P4 not in body


def test_a_share_bar_inside_the_body_does_not_end_it():
    share = '<div class="bar"><p>Chia sẻ</p><a href="https://facebook.com/sharer?u=x">Facebook</a></div>'
    art = article(BASIC.replace(f"<p>{P2}</p>", f"{share}<p>{P2}</p><p>{P3}</p>"))
    assert art.body_text == f"{P1}\n\n{P2}\n\n{P3}"


def test_a_teaser_list_after_the_body_still_ends_it():
    teasers = (f'<p>Tin khác</p><p><a href="a.html">Công đoàn tỉnh tổ chức hội nghị tổng kết năm</a></p>'
               f'<p>{P3}</p><p><a href="b.html">Hội thao công nhân viên chức lao động năm 2024</a></p><p>{P4}</p>')
    art = article(BASIC.replace(f"<p>{P2}</p>", f"<p>{P2}</p>{teasers}"))
    assert P3 not in art.body_text and P4 not in art.body_text


def test_an_undated_pages_title_is_its_h1_not_its_longest_subsection():
    inner = (f"<h1>Giới thiệu Liên đoàn Lao động tỉnh</h1><p>{P1}</p>"
             f"<h2>Lịch sử hình thành</h2><p>{P2}</p><p>{P3}</p><p>{P4}</p>"
             f"<h2>Chức năng nhiệm vụ</h2><p>{P3}</p>")
    art = article(inner)
    assert art.kind == "page" and art.title == "Giới thiệu Liên đoàn Lao động tỉnh"
    assert art.body_text.startswith(P1)


def test_a_noscript_that_swallowed_the_page_keeps_it():
    # <noscript><div></noscript>: the unclosed <div> takes the rest of the page into the <noscript>.
    html = page(BASIC).replace("<body>", '<body><noscript><div class="nojs"></noscript>')
    result = read_page(html, URL)
    assert result.article is not None and result.article.body_text == f"{P1}\n\n{P2}"


def test_a_share_plugins_class_on_the_post_wrapper_is_not_chrome():
    inner = BASIC.replace('<div class="noidung">', '<div class="entry share">')
    assert article(inner).body_text == f"{P1}\n\n{P2}"


def test_a_heading_with_a_hyphen_matches_a_structured_title_with_a_dash():
    inner = BASIC.replace("<h1>Hội nghị sơ kết công tác công đoàn</h1>",
                          "<h2>Hội nghị sơ kết - Công tác công đoàn năm 2023</h2>")
    inner += '<div class="box"><h4>Hội nghị sơ kết</h4></div>'
    art = article(inner, head='<meta property="og:title" content="Hội nghị sơ kết – Công tác công đoàn năm 2023">')
    assert art.title == "Hội nghị sơ kết - Công tác công đoàn năm 2023"


def test_a_figcaption_between_title_and_body_is_no_lead():
    photo = ('<figure><img src="upload/images/hoi-nghi.jpg"><figcaption>Quang cảnh hội nghị sơ kết công tác '
             'công đoàn tại hội trường Liên đoàn Lao động tỉnh</figcaption></figure>')
    inner = BASIC.replace('<div class="noidung">', f'{photo}<div class="noidung">')
    art = article(inner)
    assert art.body_text == f"{P1}\n\n{P2}" and art.images[0].caption.startswith("Quang cảnh")


@pytest.mark.parametrize("marker", ["Empfohlene Beiträge", "Lesen Sie auch:", "Le puede interesar"])
def test_related_markers_from_elsewhere_end_the_body(marker):
    related = f'<h3>{marker}</h3><p>{P3}</p>'
    art = article(BASIC.replace(f"<p>{P2}</p>", f"<p>{P2}</p>{related}"))
    assert P3 not in art.body_text and art.body_text.startswith(P1)


def test_an_inset_box_between_sections_is_crossed_and_left_out():
    cta = f'<div class="cta-box"><h3>Đăng ký nhận bản tin</h3><p>{P3} {P3}</p></div>'
    body = article(sections(cta)).body_text
    assert body.startswith(P1) and body.endswith(f"{P4} {P4}") and f"{P3} {P3}" not in body


def test_a_teaser_beside_the_sections_is_not_merged():
    teaser = (f'<div class="row"><div class="col"><p><a href="khac.html">Hội thao công nhân viên chức lao động '
              f'năm 2024</a></p><p>{P3} {P3}</p></div></div>')
    body = article(sections("", after=teaser)).body_text
    assert body.endswith(f"{P4} {P4}") and P3 not in body.split(P4)[-1]


@pytest.mark.parametrize("names, expected", [
    ("site-header", True), ("menu-item", True), ("sub_menu_container", True),
    ("content-related-stories", True), ("c-site-header__logo", True), ("rt_slide", True),
    ("widget Blog Blog1", True), ("kb-comments-add", True),
    # a word that also names a part of an article counts only at a token's edge
    ("kb-tip-print-step", False), ("entry-content-column entry-thumbnail-content-column", False),
    ("kb-module-teaser-swiper-slide-content", False),
    # a BEM modifier says how a block looks, not what it is
    ("TestReport__Section TestReport__Section--Ads", False),
])
def test_chrome_class_words_are_whole_parts_of_a_token(names, expected):
    from scraper.extract.page import chrome_classed
    assert bool(chrome_classed(names)) is expected


def test_steps_in_wrappers_named_for_printing_are_the_body():
    # A recipe tip's steps, each in a "kb-tip-print-step" wrapper: "print" in
    # the middle of the name says the step is printed, not that it is a print button.
    steps = "".join(f'<div class="kb-tip-print-step"><p>{p}</p></div>' for p in (P1, P2, P3, P4))
    inner = BASIC.replace(f'<div class="noidung"><p>{P1}</p><p>{P2}</p>', f'<div class="noidung">{steps}')
    assert article(inner).body_text.startswith(f"{P1}\n\n{P2}\n\n{P3}\n\n{P4}")


def test_a_wrapper_holding_most_running_text_is_no_chrome_whatever_its_edge_word():
    # A recipe card's layout class begins with "header"; the page's footer holds
    # more text than the article, but the card holds most of its sentences.
    paragraphs = "".join(f"<p>{p}</p>" for p in (P1, P2, P3, P4))
    lines = "".join(f"<p>Công đoàn cơ sở số {i}: điện thoại 0209 387 {i:04d}</p>" for i in range(40))
    inner = BASIC.replace(f'<div class="noidung"><p>{P1}</p><p>{P2}</p>',
                          f'<div class="noidung header-content-align-left">{paragraphs}')
    art = article(f'{inner}<div class="site-footer">{lines}</div>')
    assert art.body_text.startswith(f"{P1}\n\n{P2}\n\n{P3}\n\n{P4}")


def test_a_post_kept_in_a_script_template_is_read():
    # Blogger's dynamic views: the post's finished HTML waits in a template
    # that a script copies into the page.
    post = "".join(f"<p>{p}</p>" for p in (P1, P2, P3, P4))
    inner = BASIC.replace(f'<div class="noidung"><p>{P1}</p><p>{P2}</p>',
                          f"<div class=\"noidung\"><script type='text/template'>{post}</script>")
    assert article(inner).body_text.startswith(f"{P1}\n\n{P2}\n\n{P3}\n\n{P4}")


def test_a_cookie_box_template_beside_the_article_stays_out():
    box = ('<script type="text/template"><div class="cookie"><p>' + P3 * 5 + "</p></div></script>")
    inner = BASIC.replace(f"<p>{P2}</p>", f"<p>{P2}</p><p>{P4}</p><p>{P1}</p><p>{P2}</p><p>{P4}</p>")
    assert P3 not in article(inner + box).body_text


def test_a_bem_article_header_is_the_articles_own_part():
    # "article__header" (BEM's block__element) names the article's header, as "article-header" does.
    inner = BASIC.replace('<div class="noidung">', f'<div class="article__header"><p>{P3}</p></div><div class="noidung">')
    assert article(inner).body_text.startswith(f"{P3}\n\n{P1}")


def test_a_slideshow_articles_slides_are_its_body():
    # Each slide holds one paragraph; together they hold the article's running text.
    slides = "".join(f'<div class="rt_slide"><p>{p}</p></div>' for p in (P1, P2, P3, P4))
    inner = BASIC.replace(f'<div class="noidung"><p>{P1}</p><p>{P2}</p>', f'<div class="noidung">{slides}')
    assert article(inner).body_text.startswith(f"{P1}\n\n{P2}\n\n{P3}\n\n{P4}")


def test_a_carousel_of_linked_teasers_stays_chrome():
    teasers = "".join(f'<div class="news-slide"><a href="tin-{i}.html">Tin {i}</a><p>{p}</p></div>'
                      for i, p in enumerate((P3, P4, P3, P4)))
    art = article(BASIC + f'<div class="stories">{teasers}</div>')
    assert P3 not in art.body_text and art.body_text.startswith(P1)


def test_an_undated_pages_text_before_its_headline_is_its_own():
    # The headline is a heading inside the text's own container, under the
    # page's opening paragraphs (a summary, an intro): they are the page's
    # text too; a short label before them (a category line) is not.
    para = "Der erste Absatz erklärt, worum es auf dieser Seite geht, in ganzen Sätzen und ohne Links. "
    html = f"""<html><head><title>Über uns</title></head><body>
    <nav><a href="/">Start</a> <a href="/kontakt">Kontakt</a></nav>
    <div class="inhalt">
      <p>Unser Verein</p>
      <p>Einleitung: {para * 2}</p>
      <p>Noch mehr Einleitung. {para * 2}</p>
      <h1>Über uns</h1>
      <p>Nach der Überschrift. {para * 3}</p>
      <p>Und weiter im Text. {para * 2}</p>
    </div>
    <footer>Impressum</footer></body></html>"""
    page = read_page(html, "https://example.org/ueber-uns")
    assert page.kind == "page" and page.article.title == "Über uns"
    body = page.article.body_text
    assert body.startswith("Einleitung:") and "Noch mehr Einleitung." in body
    assert "Nach der Überschrift." in body and "Und weiter im Text." in body
    assert "Unser Verein" not in body
