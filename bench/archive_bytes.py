"""Where an archive's bytes are: each table and index, in bytes per article.

    python bench/archive_bytes.py data/archive.db [--min 5]

Reads SQLite's dbstat virtual table (the pages each table and index holds,
free pages not counted) through a read-only connection. `bench_scale.py
--keep` leaves its archives for this; issue 12's size target is read per
table from it.
"""
from __future__ import annotations

import argparse
import sqlite3
from pathlib import Path
from urllib.parse import quote


def bytes_per_article(path: Path) -> tuple[int, list[tuple[str, float]]]:
    """(articles, [(table or index, bytes per article)], largest first)."""
    conn = sqlite3.connect("file:" + quote(str(path.resolve())) + "?mode=ro", uri=True)
    try:
        n = conn.execute("select count(*) from articles").fetchone()[0]
        rows = conn.execute("select name, sum(pgsize) from dbstat group by name "
                            "order by 2 desc, 1").fetchall()
    finally:
        conn.close()
    return n, [(name, size / max(n, 1)) for name, size in rows]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("db", type=Path)
    parser.add_argument("--min", type=float, default=5.0,
                        help="leave out what holds less than this many bytes an article")
    args = parser.parse_args()
    n, sizes = bytes_per_article(args.db)
    print(f"{n:,} articles; {sum(s for _, s in sizes):,.0f} bytes an article in use")
    for name, size in sizes:
        if size >= args.min:
            print(f"  {name:45} {size:8,.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
