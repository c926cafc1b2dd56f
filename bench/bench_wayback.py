"""The wayback import against a real pywb serving a crawl of the mirror.

    python bench/bench_wayback.py [--articles 60] [--concurrency 8]

Crawls the mirror live (into WARC), loads the WARCs into a pywb collection,
switches the mirror off, imports from pywb, then imports again. Prints, for
each import: captures listed, responses, articles, wall seconds, and what the
same number of requests would take at the import's default pace toward a
public archive (one at a time, 2 s apart). Everything runs on 127.0.0.1.
"""
from __future__ import annotations

import argparse
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.mirror.server import MirrorServer  # noqa: E402
from tests.mirror.site import build_site  # noqa: E402

DEFAULT_DELAY = 2.0  # spiders/wayback.py's DOWNLOAD_DELAY


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(cmd: list, cwd=ROOT) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    return time.perf_counter() - start, done


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=60)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    bindir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        live_db = tmp / "live" / "archive.db"
        live_db.parent.mkdir()
        with MirrorServer(build_site(n_articles=args.articles)) as server:
            seconds, done = run([sys.executable, "-m", "scraper", "crawl", "--base-url", server.url,
                                 "--db", live_db, "--delay", "0", "--concurrency", "8", "--quiet"])
            site = server.url.split("//", 1)[1].rstrip("/")
        print(f"live crawl: {seconds:.1f} s, exit {done.returncode}")
        home = tmp / "pywb"
        home.mkdir()
        subprocess.run([bindir / "wb-manager", "init", "mirror"], cwd=home, check=True,
                       capture_output=True)
        subprocess.run([bindir / "wb-manager", "add", "mirror",
                        *sorted((live_db.parent / "warc").glob("*.warc.gz"))],
                       cwd=home, check=True, capture_output=True)
        port = free_port()
        pywb = subprocess.Popen([bindir / "wayback", "-b", "127.0.0.1", "-p", str(port)], cwd=home,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        prefix = f"http://127.0.0.1:{port}/mirror/"
        try:
            for _ in range(150):
                try:
                    urllib.request.urlopen(prefix + "cdx?url=127.0.0.1/&limit=1", timeout=2).read()
                    break
                except OSError:
                    time.sleep(0.1)
            db = tmp / "imported" / "archive.db"
            db.parent.mkdir()
            for label in ("import", "rerun"):
                seconds, done = run([sys.executable, "-m", "scraper", "wayback", "--site", site,
                                     "--cdx", prefix + "cdx", "--replay", prefix, "--db", db,
                                     "--delay", "0", "--concurrency", str(args.concurrency)])
                listed = re.search(r"(\d+) captures listed, (\d+) responses, (\d+) new", done.stdout)
                captures, responses, new = (int(x) for x in listed.groups()) if listed else (0, 0, 0)
                print(f"{label}: exit {done.returncode}, {captures} captures listed, {responses} "
                      f"responses, {new} new rows, {seconds:.1f} s "
                      f"({responses / seconds:.0f} responses/s); at the default pace toward a "
                      f"public archive: ~{responses * DEFAULT_DELAY / 60:.1f} min")
            conn = sqlite3.connect(db)
            live = sqlite3.connect(live_db)
            q = "select count(*) from articles where kind = 'article'"
            print(f"articles: {conn.execute(q).fetchone()[0]} imported, "
                  f"{live.execute(q).fetchone()[0]} live")
        finally:
            pywb.terminate()
            pywb.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
