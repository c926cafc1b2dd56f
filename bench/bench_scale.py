"""The archiver at scale, beside bare Scrapy on the same server, in one run.

    python bench/bench_scale.py [--articles 20000] [--small 2000] [--concurrency 16]

Builds static sites of `--small` and `--articles` articles on disk
(bench/scale_site.py: numbered series, three layouts), serves each with nginx
on 127.0.0.1 (Python's http.server when nginx is missing, which it says), and
prints:

- bare Scrapy, the peer, twice: fetching the site's pages (pages/s), and
  every URL the crawl fetches, its photos too (requests/s);
- a crawl without photos (--no-media: articles/s against the peer's pages/s,
  the issue's measure, one article being one page request), and the full
  crawl with its photos (a second request per article since issue 11: its
  requests/s against the peer's); peak RSS at the small and the large size;
- archive bytes per article: SQLite and WARC, against the raw HTML served;
- reparse rate; requests of a nightly run after 5 new articles;
- search latency (median and p95) on the large archive.

Targets (issue 12): every article archived; each ratio >= 0.35; peak RSS at the
large size <= 1.2x the small; SQLite + WARC <= raw HTML; nightly <= 1% of a
full crawl's requests; search p95 < 50 ms. Each line says whether it is met.
"""
from __future__ import annotations

import argparse
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_nightly import measure  # noqa: E402  (seconds, peak RSS, exit status)
from bench.scale_site import articles, write_site  # noqa: E402

NGINX_CONF = """\
worker_processes 1;
daemon off;
user root;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
    access_log {tmp}/access.log;
    default_type text/html;
    charset utf-8;
    sendfile on;
    etag on;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    types {{ text/html html; text/plain txt; image/jpeg jpg; }}
    server {{
        listen 127.0.0.1:{port};
        root {site};
        index index.html;
    }}
}}
"""

BARE_SPIDER = textwrap.dedent("""\
    import sys, time
    import scrapy
    from scrapy.crawler import CrawlerProcess

    urls = open(sys.argv[1]).read().split()
    concurrency = int(sys.argv[2])
    result = sys.argv[3]

    class Bare(scrapy.Spider):
        name = "bare"
        async def start(self):
            for url in urls:
                yield scrapy.Request(url, callback=self.parse, dont_filter=True)
        def parse(self, response):
            pass

    process = CrawlerProcess({"LOG_LEVEL": "ERROR", "ROBOTSTXT_OBEY": False,
                              "CONCURRENT_REQUESTS": concurrency,
                              "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
                              "DOWNLOAD_DELAY": 0, "TELNETCONSOLE_ENABLED": False,
                              "REMOTE_CONTROL_ENABLED": False})
    crawler = process.create_crawler(Bare)
    start = time.perf_counter()
    process.crawl(crawler)
    process.start()
    seconds = time.perf_counter() - start
    with open(result, "w") as fh:
        fh.write(f"{crawler.stats.get_value('downloader/response_count', 0)} {seconds}")
""")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """nginx on the site's folder, or Python's http.server without it."""

    def __init__(self, site: Path, tmp: Path):
        self.site, self.tmp, self.port = site, tmp, free_port()
        self.nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
        self.proc = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def name(self) -> str:
        return "nginx" if self.nginx else "python http.server (nginx not found)"

    def __enter__(self):
        if self.nginx:
            conf = self.tmp / "nginx.conf"
            conf.write_text(NGINX_CONF.format(tmp=self.tmp, port=self.port, site=self.site))
            self.proc = subprocess.Popen([self.nginx, "-c", str(conf), "-p", str(self.tmp)],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        else:
            # http.server logs each request on stderr: the same count as nginx's access log.
            with open(self.tmp / "access.log", "ab") as log:
                self.proc = subprocess.Popen(
                    [sys.executable, "-m", "http.server", str(self.port), "--bind", "127.0.0.1",
                     "--directory", str(self.site)], stdout=subprocess.DEVNULL, stderr=log)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        return self

    def requests(self) -> int:
        log = self.tmp / "access.log"
        if not log.exists():
            return -1
        with log.open(encoding="latin-1") as lines:  # a line a request ("GET /x HTTP/1.1" in both logs)
            return sum(1 for line in lines if '"GET ' in line or '"HEAD ' in line)

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(timeout=10)


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0


def site_urls(site: Path, base: str, photos: bool = True) -> list[str]:
    """Every page (and photo): what the crawl itself fetches (robots.txt aside)."""
    urls = []
    for path in sorted(list(site.rglob("*.html")) + (list(site.rglob("*.jpg")) if photos else [])):
        rel = path.relative_to(site).as_posix()
        urls.append(base if rel == "index.html" else base + rel)
    return urls


def crawl_cmd(url: str, db: Path, concurrency: int, *extra: str) -> list[str]:
    return [sys.executable, "-m", "scraper", "crawl", "--base-url", url, "--db", str(db),
            "--delay", "0", "--concurrency", str(concurrency), "--quiet", *extra]


def count(db: Path, sql: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


def search_latency(db: Path, queries: list[str], rounds: int = 5) -> tuple[float, float]:
    from scraper.analyst import fts
    from scraper.archive import open_readonly

    handle = open_readonly(db)
    times = []
    try:
        for _ in range(rounds):
            for q in queries:
                start = time.perf_counter()
                fts.search(handle, q, limit=10)
                times.append((time.perf_counter() - start) * 1000)
    finally:
        handle.close()
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def run_size(n: int, args, tmp: Path, report: dict, full: bool) -> None:
    site = tmp / f"site-{n}"
    items = articles(n)
    raw = write_site(site, items)
    work = tmp / f"work-{n}"
    work.mkdir()
    db = work / "archive.db"
    with Server(site, work) as server:
        report["server"] = server.name
        if full:
            # The peer twice: every URL the crawl fetches (pages and photos),
            # and the pages alone, which a crawl without photos fetches (the
            # issue's first measure, taken before photos were fetched).
            script = work / "bare.py"
            script.write_text(BARE_SPIDER)
            for name, photos in (("bare", True), ("bare_pages", False)):
                url_file = work / f"{name}-urls.txt"
                url_file.write_text("\n".join(site_urls(site, server.url, photos)))
                result = work / f"{name}.txt"
                seconds, _, _ = measure([sys.executable, str(script), str(url_file),
                                         str(args.concurrency), str(result)])
                out = result.read_text().split() if result.exists() else []
                report[name] = (int(out[0]), float(out[1])) if out else (0, seconds)
            # In a folder of its own: its WARC files are not the full crawl's.
            text_db = work / "text-only" / "archive.db"
            text_db.parent.mkdir()
            before = server.requests()
            seconds, _, code = measure(crawl_cmd(server.url, text_db, args.concurrency, "--no-media"))
            report["text_only"] = {
                "seconds": seconds, "exit": code, "requests": server.requests() - before,
                "archived": count(text_db, "select count(*) from articles where kind = 'article'")}
        before = server.requests()
        seconds, peak, code = measure(crawl_cmd(server.url, db, args.concurrency))
        archived = count(db, "select count(*) from articles where kind = 'article'")
        report[n] = {"seconds": seconds, "peak": peak, "exit": code, "archived": archived,
                     "requests": server.requests() - before, "raw": raw,
                     "sqlite": sum(p.stat().st_size for p in work.glob("archive.db*")),
                     "warc": folder_bytes(work / "warc")}
        if not full:
            return
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "scraper", "reparse", "--db", str(db), "--dry-run"],
                       cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        report["reparse"] = (archived, time.perf_counter() - start)
        # Five new articles, published as a site does: new pages, listings
        # shifted. The rolling re-check (ARCHIVER_RECHECK_DAYS) is measured on
        # its own, on the night after.
        write_site(site, articles(n + 5))
        before = server.requests()
        _, _, code = measure(crawl_cmd(server.url, db, args.concurrency, "-s", "ARCHIVER_RECHECK_DAYS=0"))
        report["nightly"] = (server.requests() - before, code,
                             count(db, "select count(*) from articles where kind = 'article'") - archived)
        before = server.requests()
        measure(crawl_cmd(server.url, db, args.concurrency))
        report["recheck"] = server.requests() - before
    report["search"] = search_latency(db, ["cong doan", "Bản tin", "thi dua", "người lao động",
                                           "hoi nghi ban chap hanh", "\"an toàn vệ sinh\"",
                                           "sang kien", "doanh nghiep", "cong van", "Na Rì"])


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=20000)
    parser.add_argument("--small", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--keep", action="store_true", help="keep the sites and archives (printed)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    os.chmod(tmp, 0o755)
    report: dict = {}
    try:
        run_size(args.small, args, tmp, report, full=False)
        run_size(args.articles, args, tmp, report, full=True)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    big, small = report[args.articles], report[args.small]
    pages, bare_s = report["bare"]
    bare_rate = pages / bare_s
    bare_pages_rate = report["bare_pages"][0] / report["bare_pages"][1]
    text = report["text_only"]
    text_rate = text["archived"] / text["seconds"]
    rate = big["archived"] / big["seconds"]
    request_rate = big["requests"] / big["seconds"]
    stored = big["sqlite"] + big["warc"]
    nightly_requests, nightly_exit, nightly_new = report["nightly"]
    median, p95 = report["search"]
    print(f"served by {report['server']} on 127.0.0.1; concurrency {args.concurrency}, delay 0")
    print(f"{'measure':44} {'value':>22}  target")
    rows = [
        ("bare Scrapy, pages only (pages/s)", f"{bare_pages_rate:.0f} ({report['bare_pages'][0]})",
         "peer"),
        ("bare Scrapy, pages and photos (requests/s)", f"{bare_rate:.0f} ({pages})", "peer"),
        (f"articles archived ({args.articles})", f"{big['archived']} (exit {big['exit']})",
         verdict(big["archived"] == args.articles)),
        (f"articles archived ({args.small})", f"{small['archived']} (exit {small['exit']})",
         verdict(small["archived"] == args.small)),
        ("crawl without photos (articles/s)",
         f"{text_rate:.0f} in {text['seconds']:.0f} s", f"{text['archived']} archived"),
        ("  / bare Scrapy on the pages", f"{text_rate / bare_pages_rate:.2f}",
         verdict(text_rate / bare_pages_rate >= 0.35)),
        ("full crawl, with photos (articles/s)", f"{rate:.0f} in {big['seconds']:.0f} s", ""),
        ("  requests/s / bare Scrapy's requests/s", f"{request_rate / bare_rate:.2f}",
         verdict(request_rate / bare_rate >= 0.35)),
        (f"peak RSS at {args.small} / {args.articles} (MB)", f"{small['peak']:.0f} / {big['peak']:.0f}",
         verdict(big["peak"] <= 1.2 * small["peak"])),
        ("raw HTML served (bytes/article)", f"{big['raw'] / args.articles:,.0f}", ""),
        ("SQLite (bytes/article)", f"{big['sqlite'] / args.articles:,.0f}", ""),
        ("WARC (bytes/article)", f"{big['warc'] / args.articles:,.0f}", ""),
        ("SQLite + WARC / raw HTML", f"{stored / big['raw']:.2f}", verdict(stored <= big["raw"])),
        ("reparse (articles/s)", f"{report['reparse'][0] / report['reparse'][1]:.0f}", ""),
        ("nightly requests, 5 new (of a full crawl's)",
         f"{nightly_requests} of {big['requests']} ({nightly_new} new, exit {nightly_exit})",
         verdict(nightly_requests <= 0.01 * big["requests"] and nightly_new == 5)),
        ("next night, with the rolling re-check (requests)", f"{report['recheck']}",
         "a seventh of the archive a night (issue 15)"),
        ("search latency median / p95 (ms)", f"{median:.1f} / {p95:.1f}", verdict(p95 < 50)),
    ]
    for name, value, target in rows:
        print(f"{name:44} {value:>22}  {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
