import pytest

from scraper.extract.bylines import is_byline_text, parse_byline

CASES = [
    ("Bùi Thanh Thủy, Trưởng ban CSPL&QHLĐ, LĐLĐ tỉnh", "Bùi Thanh Thủy", None),
    ("Thanh Thủy", "Thanh Thủy", None),
    ("Tác giả: Nguyễn Văn An", "Nguyễn Văn An", None),
    ("Hoàng Minh (LĐLĐ huyện Ba Bể)", "Hoàng Minh", None),
    ("Thu Hà - Công đoàn ngành Y tế", "Thu Hà", None),
    ("Minh Anh - Thu Hà", "Minh Anh, Thu Hà", None),  # two names
    ("Minh Anh và Thu Hà", "Minh Anh, Thu Hà", None),
    ("Nông Thị Hạnh, Phó Chủ tịch LĐLĐ tỉnh", "Nông Thị Hạnh", None),
    ("BÙI THANH THỦY", "BÙI THANH THỦY", None),
    ("Theo Báo Bắc Kạn", None, "Báo Bắc Kạn"),  # a source, not a person
    ("Nguồn: Báo Lao Động", None, "Báo Lao Động"),
    ("(Theo Báo Lao Động)", None, "Báo Lao Động"),
    ("Văn phòng LĐLĐ tỉnh", None, None),  # a unit only
]


@pytest.mark.parametrize("line,author,source", CASES)
def test_parse_byline(line, author, source):
    assert parse_byline(line) == (author, source)


@pytest.mark.parametrize("text,expected", [
    ("Bùi Thanh Thủy, Trưởng ban CSPL&QHLĐ, LĐLĐ tỉnh", True),
    ("Ảnh. Đồng chí Vi Hồng Dương báo cáo", False),  # a caption
    ("Hội nghị kết thúc thành công tốt đẹp.", False),  # a sentence
    ("Đồng chí Hoàng Văn Minh phát biểu tại hội nghị", False),
])
def test_is_byline_text(text, expected):
    assert is_byline_text(text) is expected
