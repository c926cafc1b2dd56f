"""One entry point, `parse_date`, for every dateline form the site may print.

A regex fast path covers the known forms (SITE_NOTES measured it ~300x faster
than dateparser); dateparser is only a fallback, configured so that it can
never invent a date: Vietnamese only, day before month, relative dates off,
day+month+year all required. The wall clock is never consulted.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

LOCAL_TZ = timezone(timedelta(hours=7))  # Vietnam, no DST

_DMY = re.compile(r"(?<!\d)(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})(?!\d)")
_YMD = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_VI_LONG = re.compile(
    r"(?:ngày\s+)?(\d{1,2})\s+(?:tháng|thg)\s+(\d{1,2})(?:\s+năm|,)?\s+(\d{4})", re.IGNORECASE
)
# phpBB's Vietnamese pack: "T.Ba Th2 06, 2024" is month first (the one
# form where it is), told apart by the "Th<month>" abbreviation.
_MONTH_FIRST = re.compile(r"\bTh(\d{1,2})\s+(\d{1,2}),\s*(\d{4})(?!\d)")
# 07:29, 07:29:00, 7h29, 07 giờ 29; optional AM/PM (also Vietnamese SA/CH).
_TIME = re.compile(
    r"(?<![\d/.\-])(\d{1,2})\s*(?::|h|giờ)\s*(\d{2})(?:\s*:\s*(\d{2}))?(?!\d)"
    r"(?:\s*(AM|PM|A\.M\.|P\.M\.|SA|CH|sáng|chiều|tối)\b)?",
    re.IGNORECASE,
)
# "(GMT +07:00)", "GMT+7", "UTC+07", or an ISO offset glued to a time.
_OFFSET = re.compile(r"(?:GMT|UTC)\s*([+\-])\s*(\d{1,2})(?::?(\d{2}))?", re.IGNORECASE)
_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?"
    # Fractions of a second; some JavaScript prints its milliseconds after a
    # colon ("22:06:08:684Z"), which must not hide the offset that follows.
    r"(?:[.,]\d+|:\d{3}(?=Z|[+\-]\d{2}))?"
    r"\s*(Z|[+\-]\d{2}:?\d{2})?"
)
_MONTH_WORD = re.compile(
    r"tháng|thg|\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b", re.IGNORECASE)
_PM = {"pm", "p.m.", "ch", "chiều", "tối"}
_AM = {"am", "a.m.", "sa", "sáng"}


@dataclass(frozen=True)
class ParsedDate:
    published_at: str  # ISO 8601 with offset
    published_date: str  # local (GMT+07) calendar date
    precision: str  # second | minute | day


def _build(y, mo, d, h=0, mi=0, s=0, tz=LOCAL_TZ, precision="day") -> ParsedDate | None:
    try:
        moment = datetime(int(y), int(mo), int(d), int(h), int(mi), int(s), tzinfo=tz)
    except ValueError:
        return None
    if not 1990 <= moment.year <= 2100:
        return None
    local_date = moment.astimezone(LOCAL_TZ).date().isoformat()
    return ParsedDate(moment.isoformat(), local_date, precision)


def _tz_from(sign: str, hours: str, minutes: str | None) -> timezone | None:
    delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
    if delta > timedelta(hours=14):
        return None
    return timezone(-delta if sign == "-" else delta)


def parse_iso(value: str) -> ParsedDate | None:
    """Machine-readable dates (JSON-LD, meta, <time datetime>)."""
    m = _ISO.search(value or "")
    if m:
        y, mo, d, h, mi, s, off = m.groups()
        tz = LOCAL_TZ
        if off == "Z":
            tz = timezone.utc
        elif off:
            off = off.replace(":", "")
            tz = _tz_from(off[0], off[1:3], off[3:5]) or LOCAL_TZ
        # Machine formats always print seconds; ":00" says nothing about precision.
        return _build(y, mo, d, h, mi, s or 0, tz, "second" if s and int(s) else "minute")
    m = re.fullmatch(r"\s*(\d{4})-(\d{2})-(\d{2})\s*", value or "")
    if m:
        return _build(*m.groups())
    return None


def date_count(text: str) -> int:
    """How many distinct calendar dates a line prints ("từ 04/3 đến 08/3/2024"
    is a range, not a dateline)."""
    found = {m.group(0) for m in _DMY.finditer(text)} | {m.group(0) for m in _YMD.finditer(text)}
    return len(found)


def parse_date(text: str | None) -> ParsedDate | None:
    """Read a printed dateline. Returns None rather than guess."""
    if not text:
        return None
    text = " ".join(text.split())
    if len(text) > 200:
        return None
    iso = _ISO.search(text)
    if iso and iso.group(7):
        return parse_iso(iso.group(0))
    date = _VI_LONG.search(text)
    if date:
        d, mo, y = date.groups()
    elif date := _MONTH_FIRST.search(text):
        mo, d, y = date.groups()
    else:
        date = _YMD.search(text)
        if date:
            y, mo, d = date.groups()
        else:
            date = _DMY.search(text)
            if date:
                d, mo, y = date.groups()
    if not date:
        return _dateparser_fallback(text)
    # Look for the time outside the date itself (it may come before or after).
    rest = text[: date.start()] + " " * (date.end() - date.start()) + text[date.end():]
    tm = _TIME.search(rest)
    tz = LOCAL_TZ
    off = _OFFSET.search(rest)
    if off:
        tz = _tz_from(*off.groups()) or LOCAL_TZ
    if not tm:
        return _build(y, mo, d, tz=tz, precision="day")
    h, mi, s, ampm = tm.groups()
    h = int(h)
    if ampm:
        marker = ampm.lower()
        if marker in _PM and h < 12:
            h += 12
        elif marker in _AM and h == 12:
            h = 0
    return _build(y, mo, d, h, mi, s or 0, tz, "second" if s else "minute")


def _dateparser_fallback(text: str) -> ParsedDate | None:
    # Only reached for forms the regexes do not know (month names, odd
    # separators). Without a 4-digit year there is no date worth trusting.
    if not re.search(r"(?<!\d)(19|20)\d{2}(?!\d)", text) or not _MONTH_WORD.search(text):
        return None  # all-numeric forms are the regexes' job; dateparser costs ~1 ms a call
    import dateparser  # deferred: importing it costs ~0.3 s

    moment = dateparser.parse(
        text,
        languages=["vi"],
        settings={
            "DATE_ORDER": "DMY",
            "PREFER_DAY_OF_MONTH": "first",
            "REQUIRE_PARTS": ["day", "month", "year"],
            "PARSERS": ["absolute-time", "custom-formats"],
            "RETURN_AS_TIMEZONE_AWARE": False,
        },
    )
    if moment is None:
        return None
    has_time = bool(_TIME.search(text))
    return _build(
        moment.year, moment.month, moment.day,
        moment.hour, moment.minute, moment.second,
        precision=("second" if moment.second else "minute") if has_time else "day",
    )
