"""Where a search's time goes: each SQL statement of fts.search, its CPU time
(the least of --repeat runs, so that other processes on the machine count
for little), and the rest (Python: planning, snippets).

    .venv/bin/python bench/search_profile.py ARCHIVE [QUERY ...] [--repeat 9]

Without queries, those of bench_scale.py's search latency. The archive is
opened read-only, as the CLI does.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scraper.analyst import fts  # noqa: E402
from scraper.archive import open_readonly  # noqa: E402

QUERIES = ["cong doan", "Bản tin", "thi dua", "người lao động", "hoi nghi ban chap hanh",
           '"an toàn vệ sinh"', "sang kien", "doanh nghiep", "cong van", "Na Rì"]


class _Rows:
    def __init__(self, rows, description):
        self.rows, self.description = rows, description

    def fetchone(self):
        return self.rows[0] if self.rows else None

    def fetchall(self):
        return self.rows

    def __iter__(self):
        return iter(self.rows)


class Timed:
    """A connection that runs each statement to its end and notes its CPU time."""

    def __init__(self, db):
        self.db, self.log = db, []

    def execute(self, sql, params=()):
        start = time.process_time()
        cursor = self.db.execute(sql, params)
        rows = cursor.fetchall()
        self.log.append(((time.process_time() - start) * 1000, " ".join(sql.split()), params))
        return _Rows(rows, cursor.description)


def profile(db, query: str, repeat: int) -> tuple[list[tuple[float, str, str]], float]:
    """[(least ms, statement, the FTS5 expression it matches)], least total ms."""
    logs, totals = [], []
    for _ in range(repeat):
        timed = Timed(db)
        start = time.process_time()
        fts.search(timed, query, limit=10)
        totals.append((time.process_time() - start) * 1000)
        logs.append(timed.log)
    out = []
    for i, (_, sql, params) in enumerate(logs[0]):
        named = params if isinstance(params, dict) else {}
        expression = next((str(named[k]) for k in ("expression", "x", "tier") if k in named), "")
        out.append((min(log[i][0] for log in logs if len(log) > i), sql, expression))
    return out, min(totals)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("archive")
    parser.add_argument("queries", nargs="*")
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    db = open_readonly(args.archive)
    try:
        for query in args.queries or QUERIES:
            statements, total = profile(db, query, args.repeat)
            sql_ms = sum(ms for ms, _, _ in statements)
            print(f"{query}: {total:.1f} ms CPU, {sql_ms:.1f} in {len(statements)} statements")
            for ms, sql, expression in statements:
                print(f"  {ms:6.2f}  {sql[:72]:72}  {expression[:70]}")
    finally:
        db.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
