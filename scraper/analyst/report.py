"""A one-page picture of the archive: self-contained HTML, no network needed.

Made to be mailed and printed: the monthly chart is inline SVG drawn here,
in Python, so it shows with scripts off, in a mail client and on paper; the
rest is plain HTML tables. There is no script at all, and a
Content-Security-Policy forbids every external load, so a stray reference
would fail visibly instead of phoning home. The content (names, categories)
is Vietnamese, so the page says lang="vi"; the English labels around it say
lang="en". A missing value shows as a dash.
"""
from __future__ import annotations

import html
import math
from datetime import datetime, timedelta, timezone
from pathlib import Path

LOCAL = timezone(timedelta(hours=7), "GMT+07")
DASH = "—"


def gather(db) -> dict:
    """Everything the report shows, as plain data (also handy for tests)."""
    one = lambda sql: db.execute(sql).fetchone()  # noqa: E731
    n_articles, first, last = one(
        "select count(*), min(published_date), max(published_date) from articles where kind = 'article'")
    return {
        "articles": n_articles,
        "pages": one("select count(*) from articles where kind != 'article'")[0],
        "undated": one("select count(*) from articles where kind = 'article' and published_date is null")[0],
        "images": one("select count(*) from images")[0],
        "attachments": one("select count(*) from attachments")[0],
        "first_date": first,
        "last_date": last,
        "per_month": _fill_months(list(db.query("select month, articles from articles_per_month"))),
        "categories": list(db.query("select category, articles, first_date, last_date "
                                    "from articles_per_category limit 10")),
        "authors": list(db.query("select author, articles, first_date, last_date "
                                 "from articles_per_author where author is not null limit 10")),
        "coverage": list(db.query("select field, filled, articles, percent from field_coverage "
                                  "order by position")),
        # Issue 15: what the site took down, and its latest edits (views of step 5).
        "removed": list(db.query("select title, url, published_date, removed_at "
                                 "from removed_articles limit 20")),
        "changes": list(db.query("select night, title, url, version, words_added, words_removed "
                                 "from article_changes limit 20")),
        "runs": [_local_times(r) for r in db.query(
            "select id, started_at, finished_at, mode, pages_fetched, articles_new, "
            "articles_updated, articles_unchanged, failures, status from crawl_runs "
            "order by id desc limit 10")],
    }


def _fill_months(rows: list[dict]) -> list[dict]:
    """Every month from the first to the last, zero where nothing was published."""
    if not rows:
        return []
    counts = {r["month"]: r["articles"] for r in rows}
    year, month = map(int, rows[0]["month"].split("-"))
    out = []
    while True:
        key = f"{year:04d}-{month:02d}"
        out.append({"month": key, "articles": counts.get(key, 0)})
        if key >= rows[-1]["month"]:
            return out
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _local_times(run: dict) -> dict:
    for key in ("started_at", "finished_at"):
        if run.get(key):
            moment = datetime.fromisoformat(run[key])
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=timezone.utc)
            run[key] = moment.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")
    return run


def render(data: dict, title: str = "congdoanbackan.org.vn archive") -> str:
    """The report page as one HTML string."""
    e = html.escape
    now = datetime.now(LOCAL).strftime("%Y-%m-%d %H:%M")
    span = (f"{e(data['first_date'])} to {e(data['last_date'])}"
            if data["first_date"] else "no dated articles")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="vi"><head><meta charset="utf-8">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(title)}</title>",
        f"<style>{CSS}</style></head><body>",
        f'<h1 lang="en">{e(title)}</h1>',
        f'<p class="lede" lang="en">{data["articles"]} articles ({span}, local dates GMT+07), '
        f'{_n(data["pages"], "other page")}, {_n(data["images"], "image")}, '
        f'{_n(data["attachments"], "attachment")}'
        + (f', {_n(data["undated"], "article")} without a date' if data["undated"] else "")
        + f". Report made {e(now)} GMT+07.</p>",
        '<h2 lang="en">Articles per month</h2>',
        "<figure>" + chart(data["per_month"])
        + '<figcaption lang="en">Bars: articles published in each month (local date). '
        "The numbers are also in the table below.</figcaption></figure>",
        _table(["Month", "Articles"], [(r["month"], r["articles"]) for r in data["per_month"]],
               cls="months", collapsed="Monthly counts"),
        '<div class="cols"><section><h2 lang="en">Top categories</h2>',
        _table(["Category", "Articles", "First", "Last"],
               [(r["category"], r["articles"], r["first_date"], r["last_date"])
                for r in data["categories"]], cls="categories"),
        '</section><section><h2 lang="en">Top authors</h2>',
        _table(["Author", "Articles", "First", "Last"],
               [(r["author"], r["articles"], r["first_date"], r["last_date"])
                for r in data["authors"]], cls="authors"),
        "</section></div>",
        '<h2 lang="en">Field coverage</h2>',
        '<table class="coverage"><thead lang="en"><tr><th>Field</th><th>Found in</th><th></th></tr>'
        "</thead><tbody>",
        *(f'<tr><td lang="en">{e(r["field"])}</td><td class="n">{r["filled"]} / {r["articles"]} '
          f'({r["percent"]:g}%)</td><td><span class="meter" style="width:{r["percent"]:g}%">'
          f"</span></td></tr>" for r in data["coverage"]),
        "</tbody></table>",
        '<h2 lang="en">Removed from the site</h2>',
        _table(["Title", "Published", "First found gone (UTC)", "URL"],
               [(r["title"], r["published_date"], r["removed_at"], r["url"])
                for r in data["removed"]], cls="removed"),
        '<h2 lang="en">Latest edits</h2>',
        _table(["Night", "Title", "Version", "Words added", "Words removed", "URL"],
               [(r["night"], r["title"], r["version"], r["words_added"], r["words_removed"],
                 r["url"]) for r in data["changes"]], cls="changes"),
        '<p class="note" lang="en"><code>python -m scraper history URL</code> shows what changed.</p>',
        '<h2 lang="en">Last crawl runs</h2>',
        _table(["Run", "Started", "Finished", "Mode", "Pages", "New", "Updated", "Unchanged",
                "Failures", "Status"],
               [(r["id"], r["started_at"], r["finished_at"], r["mode"], r["pages_fetched"],
                 r["articles_new"], r["articles_updated"], r["articles_unchanged"],
                 r["failures"], r["status"]) for r in data["runs"]], cls="runs"),
        '<p class="note" lang="en">Times are local (GMT+07); a dash: no value. '
        "Made by <code>python -m scraper report</code>.</p>",
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _table(headers, rows, cls: str, collapsed: str | None = None) -> str:
    e = html.escape
    cell = lambda v: (f'<td class="n">{v}</td>' if isinstance(v, (int, float))  # noqa: E731
                      else f'<td class="none">{DASH}</td>' if v is None or v == ""
                      else f"<td>{e(str(v))}</td>")
    body = "".join("<tr>" + "".join(cell(v) for v in row) + "</tr>" for row in rows)
    if not rows:
        body = f'<tr><td colspan="{len(headers)}" lang="en">none yet</td></tr>'
    table = (f'<table class="{cls}"><thead lang="en"><tr>' + "".join(f"<th>{e(h)}</th>" for h in headers)
             + f"</tr></thead><tbody>{body}</tbody></table>")
    if collapsed:
        return f'<details><summary lang="en">{e(collapsed)}</summary>{table}</details>'
    return table


def write(db, path: str | Path, title: str | None = None) -> dict:
    data = gather(db)
    text = render(data, title) if title else render(data)
    Path(path).write_text(text, encoding="utf-8")
    return data


CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;
max-width:68rem;padding:0 1rem;color:#1d2329}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:2rem}
.lede{color:#4a545e}.note{color:#6b7680;font-size:.85rem;margin-top:2rem}
table{border-collapse:collapse;font-size:.9rem}th,td{padding:.25rem .6rem;text-align:left;
border-bottom:1px solid #e3e7ea;vertical-align:top}td.n{text-align:right;font-variant-numeric:tabular-nums}
.cols{display:flex;gap:2.5rem;flex-wrap:wrap}.cols section{flex:1 1 24rem}
.coverage td:last-child{width:14rem}.meter{display:block;height:.7rem;background:#2f7d6d;border-radius:2px}
figure{margin:0}svg{width:100%;height:auto;display:block}figcaption{color:#6b7680;font-size:.85rem}
svg .bar{fill:#2f7d6d}svg .bar:hover{fill:#1f5a4e}svg text{font-size:11px;fill:#4a545e}
svg .axis{stroke:#9aa5ad;stroke-width:1}details{margin-top:.5rem}td.none{color:#9aa5ad}
@media print{body{margin:0;max-width:none;font-size:11pt}details>table{display:table}
.cols{display:block}svg .bar{fill:#333}h2{break-after:avoid}tr,figure{break-inside:avoid}}
"""



# Chart geometry, in SVG user units (the SVG scales to the page's width).
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 960, 260, 36, 8, 12, 36


def _fmt(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def chart(per_month: list[dict]) -> str:
    """The monthly bars as inline SVG: one <rect class="bar" data-month
    data-count> per month (a <title> each, for a tooltip), a few value
    gridlines, the year under each January and quarter months when the span
    is short."""
    e = html.escape
    out = [f'<svg id="per-month-chart" role="img" aria-label="Articles per month" '
           f'xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
           f'data-drawn="{len(per_month)}">']
    if not per_month:
        out.append(f'<text x="{WIDTH // 2}" y="{HEIGHT // 2}" text-anchor="middle" lang="en">'
                   "No dated articles yet</text></svg>")
        return "".join(out)
    top = max(r["articles"] for r in per_month) or 1
    step = 10 ** int(math.floor(math.log10(top)))
    if top / step < 3 and step >= 2:
        step //= 2
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / len(per_month)
    for value in range(0, top + 1, step):
        y = TOP + plot_h - plot_h * value / top
        out.append(f'<line class="axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_fmt(y)}" '
                   f'y2="{_fmt(y)}" stroke-opacity="{0.3 if value else 1}"/>'
                   f'<text x="{LEFT - 6}" y="{_fmt(y + 4)}" text-anchor="end">{value}</text>')
    for i, r in enumerate(per_month):
        h, x = plot_h * r["articles"] / top, LEFT + i * slot
        out.append(f'<rect class="bar" x="{_fmt(x + slot * 0.12)}" y="{_fmt(TOP + plot_h - h)}" '
                   f'width="{_fmt(max(1, slot * 0.76))}" height="{_fmt(h)}" '
                   f'data-month="{e(r["month"])}" data-count="{r["articles"]}">'
                   f'<title>{e(r["month"])}: {r["articles"]}</title></rect>')
        month = r["month"][5:]
        if i == 0 or month == "01":
            out.append(f'<text x="{_fmt(x + 2)}" y="{HEIGHT - 8}">{e(r["month"][:4])}</text>')
        if len(per_month) <= 36 and month in ("01", "04", "07", "10"):
            out.append(f'<text x="{_fmt(x + slot / 2)}" y="{HEIGHT - 22}" '
                       f'text-anchor="middle">{month}</text>')
    out.append("</svg>")
    return "".join(out)
