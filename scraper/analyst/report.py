"""A one-page picture of the archive: self-contained HTML, no network needed.

The page carries its data as JSON and draws the monthly chart as inline SVG
with a few lines of inline JavaScript; everything else is plain HTML tables,
readable without scripts. A Content-Security-Policy forbids every external
load, so a stray reference would fail visibly instead of phoning home.
"""
from __future__ import annotations

import html
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

LOCAL = timezone(timedelta(hours=7), "GMT+07")


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
    # "</" cannot end the script element from inside a JSON string.
    payload = json.dumps({"per_month": data["per_month"]}, ensure_ascii=False).replace("</", "<\\/")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(title)}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>{e(title)}</h1>",
        f'<p class="lede">{data["articles"]} articles ({span}, local dates GMT+07), '
        f'{_n(data["pages"], "other page")}, {_n(data["images"], "image")}, '
        f'{_n(data["attachments"], "attachment")}'
        + (f', {_n(data["undated"], "article")} without a date' if data["undated"] else "")
        + f". Report made {e(now)} GMT+07.</p>",
        "<h2>Articles per month</h2>",
        '<figure><svg id="per-month-chart" role="img" aria-label="Articles per month" '
        'xmlns="http://www.w3.org/2000/svg"></svg>'
        '<figcaption>Bars: articles published in each month (local date). '
        "The numbers are also in the table below.</figcaption></figure>",
        _table(["Month", "Articles"], [(r["month"], r["articles"]) for r in data["per_month"]],
               cls="months", collapsed="Monthly counts"),
        '<div class="cols"><section><h2>Top categories</h2>',
        _table(["Category", "Articles", "First", "Last"],
               [(r["category"] or "(none)", r["articles"], r["first_date"], r["last_date"])
                for r in data["categories"]], cls="categories"),
        "</section><section><h2>Top authors</h2>",
        _table(["Author", "Articles", "First", "Last"],
               [(r["author"], r["articles"], r["first_date"], r["last_date"])
                for r in data["authors"]], cls="authors"),
        "</section></div>",
        "<h2>Field coverage</h2>",
        '<table class="coverage"><thead><tr><th>Field</th><th>Found in</th><th></th></tr></thead><tbody>',
        *(f'<tr><td>{e(r["field"])}</td><td class="n">{r["filled"]} / {r["articles"]} '
          f'({r["percent"]:g}%)</td><td><span class="meter" style="width:{r["percent"]:g}%">'
          f"</span></td></tr>" for r in data["coverage"]),
        "</tbody></table>",
        "<h2>Last crawl runs</h2>",
        _table(["Run", "Started", "Finished", "Mode", "Pages", "New", "Updated", "Unchanged",
                "Failures", "Status"],
               [(r["id"], r["started_at"], r["finished_at"], r["mode"], r["pages_fetched"],
                 r["articles_new"], r["articles_updated"], r["articles_unchanged"],
                 r["failures"], r["status"]) for r in data["runs"]], cls="runs"),
        '<p class="note">Times are local (GMT+07). Made by <code>python -m scraper report</code>.</p>',
        f'<script type="application/json" id="report-data">{payload}</script>',
        f"<script>{JS}</script>",
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _table(headers, rows, cls: str, collapsed: str | None = None) -> str:
    e = html.escape
    cell = lambda v: (f'<td class="n">{v}</td>' if isinstance(v, (int, float))  # noqa: E731
                      else f"<td>{e('' if v is None else str(v))}</td>")
    body = "".join("<tr>" + "".join(cell(v) for v in row) + "</tr>" for row in rows)
    if not rows:
        body = f'<tr><td colspan="{len(headers)}">none yet</td></tr>'
    table = (f'<table class="{cls}"><thead><tr>' + "".join(f"<th>{e(h)}</th>" for h in headers)
             + f"</tr></thead><tbody>{body}</tbody></table>")
    if collapsed:
        return f"<details><summary>{e(collapsed)}</summary>{table}</details>"
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
svg .axis{stroke:#9aa5ad;stroke-width:1}details{margin-top:.5rem}
"""

# Draws one <rect class="bar" data-month=... data-count=...> per month, with
# a year label under each January and a few value gridlines.
JS = r"""
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent).per_month;
  var svg = document.getElementById('per-month-chart');
  var NS = 'http://www.w3.org/2000/svg';
  var W = 960, H = 260, left = 36, right = 8, top = 12, bottom = 36;
  svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
  function el(name, attrs, text) {
    var node = document.createElementNS(NS, name);
    for (var k in attrs) node.setAttribute(k, attrs[k]);
    if (text !== undefined) node.textContent = text;
    svg.appendChild(node);
    return node;
  }
  if (!data.length) {
    el('text', {x: W / 2, y: H / 2, 'text-anchor': 'middle'}, 'No dated articles yet');
    svg.setAttribute('data-drawn', '0');
    return;
  }
  var max = Math.max.apply(null, data.map(function (d) { return d.articles; })) || 1;
  var step = Math.pow(10, Math.floor(Math.log10(max)));
  if (max / step < 3) step = step / 2 >= 1 ? step / 2 : step;
  var plotW = W - left - right, plotH = H - top - bottom, slot = plotW / data.length;
  for (var v = 0; v <= max; v += step) {
    var gy = top + plotH - plotH * v / max;
    el('line', {x1: left, x2: W - right, y1: gy, y2: gy, 'class': 'axis', 'stroke-opacity': v ? 0.3 : 1});
    el('text', {x: left - 6, y: gy + 4, 'text-anchor': 'end'}, String(v));
  }
  data.forEach(function (d, i) {
    var h = plotH * d.articles / max, x = left + i * slot;
    var bar = el('rect', {'class': 'bar', x: x + slot * 0.12, y: top + plotH - h,
                          width: Math.max(1, slot * 0.76), height: h,
                          'data-month': d.month, 'data-count': d.articles});
    var tip = document.createElementNS(NS, 'title');
    tip.textContent = d.month + ': ' + d.articles;
    bar.appendChild(tip);
    var month = d.month.slice(5);
    if (i === 0 || month === '01') {
      el('text', {x: x + 2, y: H - 8}, d.month.slice(0, 4));
    }
    if (data.length <= 36 && (month === '01' || month === '04' || month === '07' || month === '10')) {
      el('text', {x: x + slot / 2, y: H - 22, 'text-anchor': 'middle'}, month);
    }
  });
  svg.setAttribute('data-drawn', String(data.length));
})();
"""
