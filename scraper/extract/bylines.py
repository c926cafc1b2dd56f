"""Bylines: tell a person's name from a role, a unit or a source.

`parse_byline(line)` returns (author, source). The line itself is kept
verbatim elsewhere as `author_line`.
"""
from __future__ import annotations

import re

from .text import clean, fold
from .tuning import (ACRONYM_MIN_CHARS, BYLINE_MAX_CHARS, NAME_MAX_WORDS, NAME_MIN_WORDS,
                     SOURCE_CREDIT_MAX_CHARS)

_SOURCE = re.compile(r"^\s*(?:\(?\s*)(theo|nguồn|nguon)\s*([:.\-–]?)\s*(.+?)\s*\)?\s*$", re.I)


def _source(line: str) -> str | None:
    """The credited source of "Theo Báo X" / "Nguồn: x.vn" / "Theo x.vn";
    without a colon, lower-case words are a sentence ("Theo kế hoạch, …",
    "Nguồn nhân lực …"), not a credit."""
    m = _SOURCE.match(line)
    if m is None:
        return None
    rest = m.group(3)
    if not m.group(2) and not rest[:1].isupper() and " " in rest:
        return None
    return m.group(3)


_PREFIX = re.compile(
    r"^\s*(?:(ctv|btv)\s+(?=[A-ZĐÀ-Ỹ])|(tác giả|tac gia|bài và ảnh|bài, ảnh|bài|tin, ảnh|tin và ảnh|tin|người viết|phóng viên|"
    r"pv|ctv|đăng bởi|viết bởi|gửi bởi|người đăng|biên tập)\s*[:.\-–]|(viết bởi|đăng bởi|gửi bởi|người đăng|posted by|by)\b)\s*",
    re.I)
# A segment that starts with a role or unit word, or contains a unit
# acronym, describes the person; it is not a name (compared folded, so "Phó"
# and "pho" match). Two-word forms where the first syllable is also a common
# given name ("Thanh", "Văn", "Công", "Thị", "Trường").
_ROLE = re.compile(
    r"^(chu tich|pho |truong (ban|phong|khoa|doan|cong|tieu|thpt|thcs|mam|thon|bo mon|tram)|"
    r"uy vien|can bo|giam doc|ban (chap hanh|thuong vu|to chuc|tuyen giao|chinh sach|kiem tra|"
    r"nu cong|quan ly|dan van|bien tap|giam doc|chi dao|doi ngoai|cong doan|cspl|thi dua)|bao (bac kan|lao dong|nhan dan|dien tu|thai nguyen|tien phong|"
    r"thanh nien|tuoi tre|dan tri|moi)|so |phong |van phong|cong doan|cong ty|lien doan|"
    r"dang uy|chi bo|nganh|trung tam|thanh pho|thi tran|thi xa|"
    r"hoi (lien hiep|nong dan|phu nu|cuu chien binh|chu thap do|khuyen hoc)|"
    r"doan (thanh nien|cong tac|dai bieu|kiem tra|chu tich)|bien tap|nhan vien|giao vien|bac si|"
    r"chuyen vien|ky su|ke toan|doanh nghiep|phong vien|cong tac vien|thu ky|thuong truc|cuc |"
    r"hoc vien|sinh vien|chien si|dai bieu|dong chi |chanh (van phong|thanh tra|an)|bi thu|uy ban)"
    r"|\b(ldld|ubnd|hdnd|cspl|qhld|cnvcld|lao dong|cong doan|tinh uy|huyen uy|ctv|pv|ubkt)\b"
)
# Names are never one of these words alone, but "Phương", "Huyền", "Tô",
# "Bảo", "Đoàn" start many names: so districts and wards are told by the
# other segments ("LĐLĐ huyện …"), not by a leading "Huyện"/"Phường".
_CREDIT = re.compile(r"^(ảnh|bài|tin|video|clip|đồ họa|thực hiện)\s*:\s*", re.I)
POSTED_AT = re.compile(r"\s+(?:vào|lúc|ngày|on|at)\s+(?=\S*\d|thứ|chủ nhật)", re.I)
_NAME_TOKEN = re.compile(r"^[^\W\d_][^\W\d_'.]*\.?$")
_PARENTHESIS = re.compile(r"\s*\(.*?\)\s*")
_SEPARATOR = re.compile(r"\s*(?:,|;|\s[-–—]\s|\s\|\s|/)\s*")
_AND = re.compile(r"\s+và\s+")
# A photo caption opens with its own label: "Ảnh: …", "(Ảnh …)".
CAPTION_RE = re.compile(r"^\(?\s*(ảnh|hình|hình ảnh|photo)\b", re.I)
# ... unless the line credits the writer too ("Ảnh: A - Bài: B").
_WRITER_CREDIT = re.compile(r"(^|\s)(bài|tin)\s*:", re.I)
# Bylines that name no one: "PV", "Nhóm PV", "Nhóm phóng viên".
ANONYMOUS = re.compile(r"^(nhóm\s+)?(pv|phóng viên|ctv|cộng tác viên|btv|ban biên tập)\.?$", re.I)


# Places that follow a name in bylines ("Lan Anh - Ba Bể"): Bắc Kạn's
# districts and town, and the provinces around it (compared folded).
PLACES = {
    "bac kan", "ba be", "bach thong", "cho don", "cho moi", "na ri", "ngan son",
    "pac nam", "thai nguyen", "cao bang", "lang son", "tuyen quang", "ha giang",
    "ha noi", "viet nam",
}


def _is_acronym_unit(words: list[str]) -> bool:
    return any(len(w) >= ACRONYM_MIN_CHARS and w.isupper() for w in words) and not all(w.isupper() for w in words)


def looks_like_name(segment: str) -> bool:
    """2-5 capitalised words that do not read as a role or a unit."""
    words = clean(segment).split()
    if not NAME_MIN_WORDS <= len(words) <= NAME_MAX_WORDS:
        return False
    for word in words:
        if not _NAME_TOKEN.match(word) or not word[0].isupper():
            return False
    folded = fold(segment)
    if _ROLE.search(folded + " ") or folded in PLACES:
        return False
    return not _is_acronym_unit(words)


def parse_byline(line: str | None) -> tuple[str | None, str | None]:
    """(author, source) read from a printed byline."""
    line = clean(line).lstrip("|·•-–—/ ").strip()
    if not line:
        return None, None
    source = _source(line)
    if source is not None:
        return None, clean(source).rstrip(".") or None
    line = _PREFIX.sub("", line).strip()
    # "X vào Thứ 5, 11/04/2024 - 16:40": the post time after the name.
    line = POSTED_AT.split(line)[0]
    # "Name (unit)" -> drop the parenthesis.
    line = _PARENTHESIS.sub(" ", line).strip()
    parts = [p.strip() for p in _SEPARATOR.split(line) if p.strip()]
    # "Ảnh: Hoàng Long - Bài: Thu Trang": each credit carries its own label.
    parts = [_CREDIT.sub("", p).strip() for p in parts]
    parts = [p for p in parts if p]
    if not parts:
        return None, None
    if not looks_like_name(parts[0]):
        # "Name Role, unit" printed on two lines and joined: the name is the
        # longest run of leading words that reads as one, a role after it.
        words = parts[0].split()
        for k in range(NAME_MIN_WORDS, min(NAME_MAX_WORDS, len(words) - 1) + 1):
            if looks_like_name(" ".join(words[:k])) and _ROLE.match(fold(" ".join(words[k:])) + " "):
                parts[0] = " ".join(words[:k])
                break
    names = []
    for part in parts:
        if looks_like_name(part):
            names.append(part)
        else:
            break  # after the first role/unit, the rest describes the person
    if not names:
        sub = _AND.split(parts[0])
        if len(sub) > 1 and all(looks_like_name(s) for s in sub):
            return ", ".join(sub), None
        return None, None
    return ", ".join(names), None


def is_caption_line(text: str) -> bool:
    """"Ảnh: …" that is a photo caption, not a credit line naming the writer
    too ("Ảnh: A - Bài: B")."""
    text = clean(text)
    return bool(CAPTION_RE.match(text)) and not _WRITER_CREDIT.search(text)


def has_label(text: str) -> bool:
    """The line names itself a byline ("Tác giả:", "Viết bởi", "Gửi bởi" …)."""
    return _PREFIX.match(clean(text)) is not None


def is_byline_text(text: str) -> bool:
    """A short line that reads as a byline or a source credit."""
    text = clean(text)
    if not text or len(text) > BYLINE_MAX_CHARS or text.endswith(("?", "!", ":")):
        return False
    if ANONYMOUS.match(text):
        return True
    if _source(text) is not None:
        return len(text) < SOURCE_CREDIT_MAX_CHARS
    author, _ = parse_byline(text)
    return author is not None
