"""Memory of a crawl that fetches article files, against how many there are.

    python bench/bench_media.py [--mb 5] [--concurrency 1]

Serves mirrors whose article photos are each --mb megabytes, with 1/4 and
then all of the articles, crawls each into a fresh archive, and prints the
files fetched, their bytes, wall seconds and the peak RSS of the crawler
process; a --no-media crawl of the larger mirror is the baseline. A file is
held in memory while it downloads, so the peak follows the file size times
the requests in flight, not the number of files. Everything runs on 127.0.0.1.
"""
from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_nightly import measure  # noqa: E402
from tests.mirror.server import MirrorServer  # noqa: E402
from tests.mirror.site import TINY_JPEG, build_site  # noqa: E402


def big_site(n_articles: int, mb: float):
    site = build_site(n_articles)
    for key, (ctype, data) in list(site.assets.items()):
        if ctype == "image/jpeg" and key.startswith("/upload/images/nam-"):
            # A JPEG start, its own name (distinct bytes), then padding to size.
            site.assets[key] = (ctype, TINY_JPEG + key.encode() + b"\0" * int(mb * 2**20))
    return site


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=5.0)
    parser.add_argument("--articles", type=int, default=240)
    parser.add_argument("--concurrency", type=int, default=1)
    args = parser.parse_args()
    print(f"photos of {args.mb:g} MB each, concurrency {args.concurrency}, delay 0")
    print(f"{'run':<28}{'files':>7}{'MB':>8}{'seconds':>9}{'peak MB':>9}{'exit':>6}")
    for label, n, extra in (("1/4 of the articles", args.articles // 4, ()),
                            ("all articles", args.articles, ()),
                            ("all articles, --no-media", args.articles, ("--no-media",))):
        db = Path(tempfile.mkdtemp()) / "bench.db"
        with MirrorServer(big_site(n, args.mb)) as server:
            cmd = [sys.executable, "-m", "scraper", "crawl", "--base-url", server.url, "--db", str(db),
                   "--delay", "0", "--concurrency", str(args.concurrency), "--quiet", *extra]
            seconds, peak, status = measure(cmd)
        conn = sqlite3.connect(db)
        files, size = conn.execute("select count(*), coalesce(sum(size), 0) from media_files "
                                   "where status = 'ok'").fetchone()
        conn.close()
        print(f"{label:<28}{files:>7}{size / 2**20:>8.0f}{seconds:>9.1f}{peak:>9.0f}{status:>6}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
