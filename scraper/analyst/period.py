"""Date bounds typed on the command line: YYYY, YYYY-MM or YYYY-MM-DD.

Both bounds are inclusive local dates, compared with ``published_date``:
``--since 2024-03 --until 2024-03`` is the whole of March 2024.
"""
from __future__ import annotations

import argparse
import calendar
import re
from datetime import date

_PERIOD = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


def _parts(text: str) -> tuple[int, int | None, int | None]:
    m = _PERIOD.match(text.strip())
    if not m:
        raise argparse.ArgumentTypeError(f"{text!r}: expected YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = (int(g) if g else None for g in m.groups())
    try:
        date(year, month or 1, day or 1)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r}: {exc}") from None
    return year, month, day


def since(text: str) -> str:
    """First local date of the period, as YYYY-MM-DD."""
    year, month, day = _parts(text)
    return date(year, month or 1, day or 1).isoformat()


def until(text: str) -> str:
    """Last local date of the period, as YYYY-MM-DD."""
    year, month, day = _parts(text)
    month = month or 12
    day = day or calendar.monthrange(year, month)[1]
    return date(year, month, day).isoformat()
