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


@pytest.mark.parametrize("line,author", [
    ("Lan Anh - Ba Bể", "Lan Anh"),  # a district, not a second author
    ("Hồng Nhung/LĐLĐ huyện Pác Nặm", "Hồng Nhung"),
    ("Nguyễn Thị Phương Phó Chủ tịch LĐLĐ tỉnh", "Nguyễn Thị Phương"),  # two lines joined
    ("CTV Minh Anh", "Minh Anh"),
    ("Ảnh: Hoàng Long - Bài: Thu Trang", "Hoàng Long, Thu Trang"),
    ("Gửi bởi Nông Thị Huyền vào Thứ 5, 11/04/2024 - 16:40", "Nông Thị Huyền"),
])
def test_more_bylines(line, author):
    assert parse_byline(line)[0] == author


@pytest.mark.parametrize("line", ["PV", "Nhóm PV"])
def test_anonymous_bylines_name_no_one(line):
    assert is_byline_text(line) and parse_byline(line) == (None, None)
