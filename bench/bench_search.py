"""Speed of the analysts' search on a larger archive: the demo's articles
copied until there are --articles rows, indexed, then each query timed
through scraper.analyst.fts.search (the CLI's code path, the archive opened
read-only) and through the Datasette canned query's SQL.

The ranking's keys are counts of FTS5 MATCHes and bm25 is computed only
for the tiers that fill the page (scraper/analyst/fts.py); the canned query
ranks every match in one statement, so its cost still grows with them.

    .venv/bin/python bench/bench_search.py --db data/demo.db [--articles 5000] [--repeat 5]
"""
from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scraper.analyst import fts  # noqa: E402
from scraper.analyst.browse import QUERIES  # noqa: E402
from scraper.archive import Archive, open_readonly  # noqa: E402

QUERIES_TIMED = ["cong doan", "Công đoàn", "Đảng", "thi OR phu", "cong NOT doan", "thi*",
                 '"lao dong"']


def grow(source: Path, target: Path, articles: int) -> int:
    shutil.copy(source, target)
    conn = sqlite3.connect(target)
    have = conn.execute("select count(*) from articles").fetchone()[0]
    copy = 1
    while have < articles:
        conn.execute("insert into articles select * from (select url || '?copy=' || ?, "
                     + ", ".join(c[1] for c in conn.execute("pragma table_info(articles)")
                                 if c[1] != "url")
                     + " from articles where url not like '%?copy=%' limit ?)",
                     [copy, articles - have])
        have = conn.execute("select count(*) from articles").fetchone()[0]
        copy += 1
    conn.commit()
    conn.close()
    archive = Archive(target)
    try:
        return archive.rebuild_search_index()
    finally:
        archive.close()


def timed(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="data/demo.db")
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.db"
        start = time.perf_counter()
        count = grow(Path(args.db), path, args.articles)
        print(f"{count} articles indexed in {time.perf_counter() - start:.1f} s")
        db = open_readonly(path)
        fts.register(db.conn)
        canned = QUERIES["search"]["sql"]
        print(f"{'query':<16}{'matches':>8}{'cli top 10 ms':>15}{'--exact ms':>12}{'canned ms':>11}")
        for query in QUERIES_TIMED:
            total = fts.search(db, query)[1]
            cli_ms = timed(lambda: fts.search(db, query), args.repeat)
            exact_ms = timed(lambda: fts.search(db, query, exact=True), args.repeat)
            canned_ms = timed(lambda: db.execute(canned, {"q": query, "exact": ""}).fetchall(),
                              args.repeat)
            print(f"{query:<16}{total:>8}{cli_ms:>15.1f}{exact_ms:>12.1f}{canned_ms:>11.1f}")
        db.close()


if __name__ == "__main__":
    main()
