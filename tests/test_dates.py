import pytest

from scraper.dates import parse_date, parse_iso

# (printed dateline, expected published_at, precision)
CASES = [
    ("Cập nhật lúc 07:29 - 01/12/2023 (GMT +07:00)", "2023-12-01T07:29:00+07:00", "minute"),
    ("Ngày đăng: 01/12/2023 07:29:00", "2023-12-01T07:29:00+07:00", "second"),
    ("2023-12-01 07:29:00", "2023-12-01T07:29:00+07:00", "second"),
    ("01/12/2023 07:29 AM", "2023-12-01T07:29:00+07:00", "minute"),
    ("01/12/2023 07:29 PM", "2023-12-01T19:29:00+07:00", "minute"),
    ("01/12/2023 12:10 AM", "2023-12-01T00:10:00+07:00", "minute"),  # 12 AM is midnight
    ("01/12/2023 12:10 PM", "2023-12-01T12:10:00+07:00", "minute"),
    ("07:29:00 01-12-2023", "2023-12-01T07:29:00+07:00", "second"),
    ("Thứ Sáu, 01/12/2023 - 07:29", "2023-12-01T07:29:00+07:00", "minute"),
    ("Thứ sáu, 1/12/2023, 07:29 (GMT+7)", "2023-12-01T07:29:00+07:00", "minute"),
    ("Thứ Sáu, ngày 01 tháng 12 năm 2023, 07:29:00", "2023-12-01T07:29:00+07:00", "second"),
    ("01.12.2023 07:29", "2023-12-01T07:29:00+07:00", "minute"),
    ("01/12/2023", "2023-12-01T00:00:00+07:00", "day"),  # date only: no invented time
    ("Ngày 5/3/2024", "2024-03-05T00:00:00+07:00", "day"),  # day before month
    ("Cập nhật lúc 00:29 - 01/12/2023", "2023-12-01T00:29:00+07:00", "minute"),
    ("10:15 - 02/01/2024 (GMT+08:00)", "2024-01-02T10:15:00+08:00", "minute"),  # explicit offset kept
    ("1 tháng 12, 2023", "2023-12-01T00:00:00+07:00", "day"),  # dateparser fallback
]


@pytest.mark.parametrize("text,expected,precision", CASES)
def test_parse_date(text, expected, precision):
    parsed = parse_date(text)
    assert parsed is not None
    assert parsed.published_at == expected
    assert parsed.precision == precision


@pytest.mark.parametrize("text", [
    "lúc 07:29",  # dateparser would answer today's date
    "Hôm qua",  # relative dates are never resolved against the clock
    "",
    None,
    "32/13/2023",
    "Lượt xem: 1234",
])
def test_no_invented_dates(text):
    assert parse_date(text) is None


def test_local_date_is_gmt7_even_for_utc_offsets():
    parsed = parse_iso("2023-11-30T17:29:00Z")
    assert parsed.published_at == "2023-11-30T17:29:00+00:00"
    assert parsed.published_date == "2023-12-01"


@pytest.mark.parametrize("value", ["2022-01-10T22:06:08.684Z", "2022-01-10T22:06:08,684Z",
                                   "2022-01-10T22:06:08:684Z"])  # the last seen on a real page (homify)
def test_milliseconds_do_not_hide_the_offset(value):
    assert parse_iso(value).published_at == "2022-01-10T22:06:08+00:00"
    assert parse_iso(value).published_date == "2022-01-11"


@pytest.mark.parametrize("text,expected", [
    ("T.Ba Th2 06, 2024 9:05 am", "2024-02-06T09:05:00+07:00"),  # phpBB, month first
    ("Thứ Sáu, 1 tháng 12, 2023", "2023-12-01T00:00:00+07:00"),  # Blogger date header
    ("07h29' ngày 02/12/2023", "2023-12-02T07:29:00+07:00"),
    ("Cập nhật ngày: 06/02/2024 | 07:29", "2024-02-06T07:29:00+07:00"),
    ("2:05:31 CH 12/03/2024", "2024-03-12T14:05:31+07:00"),
])
def test_more_forms(text, expected):
    assert parse_date(text).published_at == expected
