"""A large static copy of a site in the vendor's layouts, written to disk.

    python bench/scale_site.py DIR [--articles 20000]

Articles come in numbered series whose titles differ only by a number
("Bản tin công đoàn tuần (bản 12)"), as weekly bulletins and numbered
dispatches do, and in three layouts: the vendor's own (title, dateline,
paragraphs, byline), an old table layout, and an HTML5 <article>. Listing
pages hold 20 teasers each and page on with /<category>/trang-N.html.
Every file is plain HTML that any web server can serve as it is.
"""
from __future__ import annotations

import argparse
import html
import random
from datetime import datetime, timedelta
from pathlib import Path

CATEGORIES = (("tin-tuc-su-kien", "Tin tức - Sự kiện"), ("hoat-dong-cong-doan", "Hoạt động Công đoàn"),
              ("chinh-sach-phap-luat", "Chính sách - Pháp luật"), ("ban-tin", "Bản tin"),
              ("van-ban", "Văn bản"))
SERIES = ("Bản tin công đoàn tuần", "Công văn số", "Hội nghị Ban Chấp hành lần thứ",
          "Kết quả thi đua quý", "Thông báo kết luận phiên họp")
PER_PAGE = 20
AUTHORS = ("Nguyễn Văn An", "Triệu Thị Hạnh", "Hoàng Minh Lan", "Đàm Văn Lan", "Lục Đức Phương")
WORDS = ("công đoàn cơ sở", "người lao động", "đoàn viên", "phong trào thi đua", "chăm lo đời sống",
         "an toàn vệ sinh lao động", "hội nghị", "Liên đoàn Lao động tỉnh", "doanh nghiệp",
         "sáng kiến", "việc làm", "thỏa ước lao động tập thể", "huyện Ba Bể", "huyện Na Rì")


def _paragraphs(rng: random.Random, number: int) -> list[str]:
    out = []
    for k in range(rng.randint(4, 8)):
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(18, 40)))
        out.append(f"Đoạn {k + 1} (số {number}): {words.capitalize()}.")
    return out


def _chrome(body: str, title: str) -> str:
    menu = "".join(f'<li><a href="/{slug}.html">{html.escape(name)}</a></li>' for slug, name in CATEGORIES)
    return ("<!DOCTYPE html><html lang=\"vi\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)} - Liên đoàn Lao động tỉnh Bắc Kạn</title></head><body>"
            f"<div class=\"header\"><a href=\"/\"><img src=\"/upload/logo.png\" alt=\"logo\"></a></div>"
            f"<ul class=\"menu\">{menu}</ul>{body}"
            "<div class=\"footer\">Bản quyền thuộc Liên đoàn Lao động tỉnh Bắc Kạn</div></body></html>")


def article_page(a: dict, rng: random.Random) -> str:
    title, when, author = html.escape(a["title"]), a["published"], a["author"]
    paras = _paragraphs(rng, a["number"])
    photo = f'/upload/images/bai-{a["number"]}.jpg'
    dateline = f"Cập nhật lúc {when:%H:%M} - {when:%d/%m/%Y} (GMT +07:00)"
    if a["layout"] == 0:  # the vendor's own
        body = (f"<div class=\"detail\"><h1 class=\"title\">{title}</h1><div class=\"date\">{dateline}</div>"
                f"<div class=\"content\"><p>{paras[0]}</p><p><img src=\"{photo}\"></p>"
                f"<p><em>Ảnh: {title}</em></p>" + "".join(f"<p>{p}</p>" for p in paras[1:])
                + f"<p style=\"text-align:right\"><strong>{author}</strong></p></div></div>")
    elif a["layout"] == 1:  # an old table layout
        body = (f"<table class=\"main\"><tr><td class=\"tieude\"><b>{title}</b></td></tr>"
                f"<tr><td>Ngày đăng: {when:%d/%m/%Y %H:%M}</td></tr><tr><td>"
                + "".join(f"<p>{p}</p>" for p in paras)
                + f"<p><img src=\"{photo}\"></p><p align=\"right\">Tác giả: {author}</p></td></tr></table>")
    else:  # HTML5
        body = (f"<main><article><header><h1>{title}</h1><time datetime=\"{when.isoformat()}\">"
                f"{when:%d/%m/%Y %H:%M}</time></header><figure><img src=\"{photo}\">"
                f"<figcaption>Ảnh minh họa số {a['number']}</figcaption></figure>"
                + "".join(f"<p>{p}</p>" for p in paras)
                + f"<p class=\"author\">{author}</p></article></main>")
    return _chrome(body, a["title"])


def listing_page(name: str, slug: str, items: list[dict], page: int, pages: int) -> str:
    teasers = "".join(
        f"<div class=\"item\"><h3><a href=\"/{a['slug']}.html\">{html.escape(a['title'])}</a></h3>"
        f"<span class=\"date\">{a['published']:%d/%m/%Y}</span></div>" for a in items)
    def href(n: int) -> str:
        return f"/{slug}.html" if n == 1 else f"/{slug}/trang-{n}.html"

    pager = "".join(f'<a href="{href(n)}">{n}</a> ' for n in
                    range(max(1, page - 3), min(pages, page + 3) + 1)) if pages > 1 else ""
    if page < pages:
        pager += f'<a href="{href(page + 1)}">»</a>'
    return _chrome(f"<h1>{html.escape(name)}</h1><div class=\"list\">{teasers}</div>"
                   f"<div class=\"pagination\">{pager}</div>", name)


def articles(n: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    start = datetime(2015, 1, 5, 7, 0)
    out = []
    for i in range(n):
        series = SERIES[i % len(SERIES)]
        number = i // len(SERIES) + 1
        when = start + timedelta(hours=4 * i, minutes=rng.randint(0, 59))
        out.append({"slug": f"{_slug(series)}-{number}", "title": f"{series} (bản {number})",
                    "number": i + 1, "published": when, "author": rng.choice(AUTHORS),
                    "layout": i % 3, "category": i % len(CATEGORIES)})
    return out


def _slug(text: str) -> str:
    import unicodedata

    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn").lower()
    return "-".join("".join(c if c.isalnum() else " " for c in text).split())


def write_site(root: Path, items: list[dict], seed: int = 7) -> int:
    """Writes every page under `root`; returns the bytes of HTML written."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    total = 0

    def put(path: str, text: str) -> None:
        nonlocal total
        data = text.encode("utf-8")
        target = root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        total += len(data)

    for a in items:
        put(f"/{a['slug']}.html", article_page(a, rng))
        # The article's photo: small, distinct bytes that start as a JPEG does.
        photo = root / "upload" / "images" / f"bai-{a['number']}.jpg"
        photo.parent.mkdir(parents=True, exist_ok=True)
        photo.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + a["number"].to_bytes(4, "big") * 256
                          + b"\xff\xd9")
    newest = sorted(items, key=lambda a: a["published"], reverse=True)
    for index, (slug, name) in enumerate(CATEGORIES):
        mine = [a for a in newest if a["category"] == index]
        pages = max(1, -(-len(mine) // PER_PAGE))
        for page in range(1, pages + 1):
            text = listing_page(name, slug, mine[(page - 1) * PER_PAGE:page * PER_PAGE], page, pages)
            put(f"/{slug}.html" if page == 1 else f"/{slug}/trang-{page}.html", text)
    put("/index.html", listing_page("Tin mới", "tin-moi", newest[:PER_PAGE], 1, 1))
    put("/robots.txt", "User-agent: *\nAllow: /\n")
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dir", type=Path)
    parser.add_argument("--articles", type=int, default=20000)
    args = parser.parse_args()
    size = write_site(args.dir, articles(args.articles))
    print(f"{args.articles} articles, {size / 2**20:.1f} MB of HTML in {args.dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
