"""Full crawl against nightly (incremental) run on a large mirror, side by side.

    python bench/bench_nightly.py [--articles 2000] [--new 5] [--concurrency 8]

Prints requests served by the mirror, wall seconds and peak RSS of the crawler
process for: a full first crawl, a nightly run after N new articles were
published, and (the peer) a --full re-crawl of the same archive.
Everything runs on 127.0.0.1.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.mirror.server import MirrorServer  # noqa: E402
from tests.mirror.site import build_site  # noqa: E402


def post(url: str) -> None:
    urllib.request.urlopen(urllib.request.Request(url, data=b"", method="POST")).read()


def measure(cmd: list[str]) -> tuple[float, float, int]:
    """(seconds, peak RSS in MB of the process tree, exit status)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ps = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        try:
            rss = ps.memory_info().rss + sum(c.memory_info().rss for c in ps.children(recursive=True))
            peak = max(peak, rss)
        except psutil.Error:
            pass
        time.sleep(0.05)
    return time.perf_counter() - start, peak / 2**20, proc.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--new", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    db = Path(tempfile.mkdtemp()) / "bench.db"
    rows = []
    with MirrorServer(build_site(args.articles)) as server:
        def crawl(label: str, *extra: str) -> None:
            post(server.url + "__mirror/reset-stats")
            cmd = [sys.executable, "-m", "scraper", "crawl", "--base-url", server.url, "--db", str(db),
                   "--delay", "0", "--concurrency", str(args.concurrency), "--quiet", *extra]
            seconds, peak, status = measure(cmd)
            with urllib.request.urlopen(server.url + "__mirror/stats") as r:
                by_path = json.load(r)["by_path"]
            requests = sum(by_path.values())
            with urllib.request.urlopen(server.url + "__mirror/manifest.json") as r:
                files = {urllib.parse.urlsplit(u) for u in json.load(r)["files"]}
            # What the article files (photos, attachments) add to the run.
            file_paths = {p.path + (f"?{p.query}" if p.query else "") for p in files}
            file_requests = sum(n for path, n in by_path.items() if path in file_paths)
            import sqlite3
            conn = sqlite3.connect(db)
            run = conn.execute("select id, mode, articles_new, articles_unchanged from crawl_runs "
                               "order by id desc limit 1").fetchone()
            file_bytes = conn.execute("select coalesce(sum(size), 0) from media_files where run_id = ?",
                                      [run[0]]).fetchone()[0]
            conn.close()
            rows.append((label, run[1], requests, seconds, peak, run[2], status, file_requests, file_bytes))

        crawl("first crawl")
        post(server.url + f"__mirror/publish?n={args.new}")
        crawl(f"nightly, {args.new} new")
        crawl("peer: --full re-crawl", "--full")
    print(f"mirror: {args.articles} articles, concurrency {args.concurrency}, delay 0, archive {db}")
    print(f"{'run':<24}{'mode':<13}{'requests':>9}{'seconds':>9}{'peak MB':>9}{'new':>6}{'exit':>6}"
          f"{'file reqs':>10}{'file KB':>9}")
    for label, mode, requests, seconds, peak, new, status, file_requests, file_bytes in rows:
        print(f"{label:<24}{mode:<13}{requests:>9}{seconds:>9.1f}{peak:>9.0f}{new:>6}{status:>6}"
              f"{file_requests:>10}{file_bytes / 1024:>9.0f}")
    full, nightly = rows[0], rows[1]
    print(f"nightly / first crawl: {nightly[2] / full[2]:.1%} of the requests, "
          f"{nightly[3] / full[3]:.1%} of the time")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
