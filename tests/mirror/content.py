"""Article texts for the offline mirror.

Three sources, in this order:

1. the seed article, copied verbatim from the one page we have ever read
   (shared/seed/000_9d0083d01bf51626.txt);
2. a handful of hand-written articles that carry the special cases the
   crawler must meet (a PDF attachment, a YouTube embed, raw Vietnamese image
   names, captions in figcaption or in a two-row table, sources instead of
   authors, times before 07:00);
3. a deterministic generator that composes more trade-union news from phrase
   pools, so that ``--articles 5000`` stays cheap (no I/O, one seeded RNG).

Everything here is plain data: ``ArticleSpec`` says what an article *is*
(title, time, paragraphs, images, byline); site.py decides how it *looks*.
Image sources are stored exactly as they will be written in the HTML, with
the marker ``ORIGIN`` (see ``ORIGIN_MARK``) where an absolute URL is meant.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

# Replaced by http://127.0.0.1:PORT when a page is served.
ORIGIN_MARK = "@@ORIGIN@@"

# File traps (issue 11), linked from hand-written articles below; site.py serves them.
SOFT_404_PHOTO = "upload/images/nam-2023/thang-12.2023/anh-hoi-nghi-da-xoa.jpg"  # 200 + an HTML page
OVERSIZED_FILE = "upload/files/nam-2024/thang-4/ho-so-scan-toan-bo.pdf"  # over the per-file cap
EXTENSIONLESS_DOC = "tai-ve?id=ke-hoach-12-kh-ldld"  # a download script, no extension: a PDF behind it
# The conference photo again, as a width variant from another article: the same bytes.
WIDTH_VARIANT_PHOTO = "upload/images/nam-2023/thang-12.2023/khen-thuong-tap-the.jpg?w=800"

SITE_NAME = "LIÊN ĐOÀN LAO ĐỘNG TỈNH BẮC KẠN"
SITE_HOST = "congdoanbackan.org.vn"

# Verbatim from the seed page (the scrolling slogans under the banner).
MARQUEE = (
    "Nhiệt liệt chào mừng Kỷ niệm 138 năm ngày Quốc tế lao động (01/5/1886 - 01/5/2024)------"
    "Kỷ niệm 70 năm Chiến thắng Điện Biên Phủ (7/5/1954 - 7/5/2024)----"
    "Kỷ niệm 206 năm Ngày sinh C.Mác (05/5/1818 - 05/5/2024)----"
    "Kỷ niệm 134 năm Ngày sinh Chủ tịch Hồ Chí Minh (19/5/1890 - 19/5/2024)----"
    "Kỷ niệm 79 năm Ngày chiến thắng chủ nghĩa phát xít (9/5/1945 - 9/5/2024)---"
    "Kỷ niệm 65 năm Ngày mở đường Hồ Chí Minh - Ngày truyền thống Bộ đội Trường Sơn (19/5/1959 - 19/5/2024)---"
    "Kỷ niệm 83 năm Ngày thành lập Đội Thiếu niên tiền phong Hồ Chí Minh (15/5/1941 - 15/5/2024)--"
    "Kỷ niệm 83 năm Ngày thành lập Mặt trận Việt Minh (19/5/1941 -19/5/2024)----"
    "Kỷ niệm 100 năm Ngày sinh đồng chí Đào Duy Tùng (20/5/1924 -20/5/2024)---"
    "Kỷ niệm 120 năm Ngày sinh đồng chí Hoàng Đình Giong (01/6/1904 - 01/6/2024---"
    "Cán bộ, đoàn viên, người lao động quyết tâm thực hiện thắng lợi Nghị quyết đại hội công đoàn các cấp "
    "và Nghị quyết Đại hội X Công đoàn tỉnh Bắc Kạn, Nghị quyết Đại hội XIII Công đoàn Việt Nam, "
    "nhiệm kỳ 2023-2028!-----------"
    "Công đoàn Việt Nam đổi mới, sáng tạo vì quyền, lợi ích của đoàn viên, người lao động, "
    "vì sự phát triển bền vững của đất nước!-----------"
    "Xây dựng Công đoàn Việt Nam vững mạnh toàn diện, là cơ sở chính trị - xã hội vững chắc "
    "của Đảng, Nhà nước!---------"
    "Xây dựng Công đoàn Việt Nam vững mạnh và xây dựng giai cấp công nhân Việt Nam hiện đại, "
    "lớn mạnh là trách nhiệm của Đảng, của hệ thống chính trị và toàn xã hội!---------"
    "Cán bộ, đoàn viên công đoàn, người lao động đẩy mạnh học tập và làm theo tư tưởng, đạo đức, "
    "phong cách Hồ Chí Minh!----"
    "Công đoàn Việt Nam là tổ chức của người lao động, do người lao động, vì người lao động!-----------------"
    "Xây dựng giai cấp công nhân Việt Nam hiện đại, lớn mạnh là trách nhiệm của toàn xã hội!---------"
    "Sống, chiến đấu, lao động và học tập theo gương Bác Hồ vĩ đại!"
)

# (slug, title, pagination): "path" = /<cat>/trang-N.html, "query" = /<cat>.html?page=N
CATEGORIES = [
    ("tin-tuc-su-kien", "Tin tức - Sự kiện", "path"),
    ("hoat-dong-cong-doan", "Hoạt động Công đoàn", "path"),
    ("chinh-sach-phap-luat", "Chính sách - Pháp luật", "query"),
    ("guong-dien-hinh-tien-tien", "Gương điển hình tiên tiến", "path"),
    ("cong-tac-nu-cong", "Công tác nữ công", "path"),
]

TEMPLATES = ("ckeditor", "table", "html5")


@dataclass
class Img:
    """An in-body image. ``src`` as written in the HTML (may hold ORIGIN_MARK);
    ``caption`` as printed (prefix such as "Ảnh." included) or None."""

    src: str
    caption: str | None = None


@dataclass
class Attach:
    """A body link to a file (or an embedded video when ``kind == 'video'``)."""

    href: str
    text: str | None
    kind: str = "pdf"
    lead: str = ""  # text before the link inside the same paragraph


@dataclass
class ArticleSpec:
    title: str
    category: str
    published: datetime  # naive, local time (+07:00)
    template: str
    blocks: list  # of str (paragraph text) | Img | Attach
    author: str | None = None  # name only
    author_line: str | None = None  # as printed, without a "Tác giả:" label
    source: str | None = None  # "Báo Bắc Kạn" for a "Theo Báo Bắc Kạn" line
    source_line: str | None = None  # as printed
    variant: int = 0  # picks markup details inside the template
    role: str | None = None  # "seed", "transient", "pdf", "video" ...


# ---------------------------------------------------------------- the seed

SEED = ArticleSpec(
    title="Diễn đàn chuyên đề: Đổi mới công tác tổ chức các phong trào thi đua yêu nước trong CNVCLĐ",
    category="tin-tuc-su-kien",
    published=datetime(2023, 12, 1, 7, 29),
    template="ckeditor",
    role="seed",
    variant=0,
    author="Bùi Thanh Thủy",
    author_line="Bùi Thanh Thủy, Trưởng ban CSPL&QHLĐ, LĐLĐ tỉnh",
    blocks=[
        "Nhằm phát huy sự tập trung trí tuệ của các đại biểu dự Đại hội XIII Công đoàn Việt Nam trong việc thảo luận, đề xuất sáng kiến, phương hướng, nhiệm vụ, giải pháp hoạt động Công đoàn nhiệm kỳ 2023-2028; chiều ngày 30/11/2023, trước thềm Đại hội XIII Công đoàn Việt Nam, Tổng Liên đoàn Lao động (LĐLĐ) Việt Nam tổ chức 10 diễn đàn thảo luận chuyên đề; Đoàn đại biểu LĐLĐ tỉnh Bắc Kạn tham gia diễn đàn chuyên đề số 2 tổ chức tại Tập đoàn Công nghiệp Viễn thông Quân đội với chủ đề “Đổi mới công tác tổ chức các phong trào thi đua yêu nước trong công nhân viên chức lao động”.",
        "Chủ trì buổi diễn đàn có các đồng chí: Nguyễn Đình Đức, Ủy viên Đoàn chủ tịch Tổng LĐLĐ Việt Nam, Trưởng ban Công đoàn Quốc phòng; đồng chí Nguyễn Văn Toản, Ủy viên Ban Chấp hành, phó Chánh Văn phòng Tổng LĐLĐ Việt Nam.",
        "Dự và chỉ đạo diễn đàn có đồng chí Phan Văn Hùng, Phó Trưởng Ban Thi đua - Khen thưởng Trung ương; đồng chí Trần Thanh Hải, Phó Chủ tịch Tổng LĐLĐ Việt Nam; diễn đàn còn có sự tham dự của 107 đại biểu thuộc 10 đoàn đại biểu LĐLĐ các tỉnh, ngành: Bắc Giang, Bắc Kạn, Ninh Thuận, Long An, Hòa Bình, Thái Bình, Lai Châu, Khánh Hòa, Công đoàn Quốc phòng, Công đoàn Giao thông vận tải Việt Nam.",
        "Tham dự diễn đàn các đại biểu đã tập trung thảo luận các nội dung: Giải pháp đẩy mạnh các phong trào thi đua trong CNVCLĐ và các cấp Công đoàn; tác động của các phong trào thi đua do Tổng LĐLĐ Việt Nam phát động tới CNVCLĐ, đoàn viên Công đoàn góp phần thực hiện nhiệm vụ chính trị, chuyên môn của các địa phương, đơn vị và hoạt động sản xuất kinh doanh của các doanh nghiệp; bài học kinh nghiệm trong việc tổ chức triển khai hiệu quả các phong trào thi đua; kịp thời biểu dương, khen thưởng, nhân rộng các điển hình tiên tiến trong các các phong trào thi đua; CNVCLĐ và tổ chức Công đoàn tích cực hưởng ứng các phong trào thi đua do Thủ tướng Chính phủ phát động.",
        "Tại diễn đàn, đồng chí Vi Hồng Dương, Chủ tịch LĐLĐ tỉnh Bắc Kạn báo cáo tham luận với nội dung: “Bài học kinh nghiệm tổ chức biểu dương điển hình tiên tiến qua các phong trào thi đua của công đoàn”, đồng chí chia sẻ phong trào thi đua mà Bắc Kạn quan tâm trú trọng chỉ đạo là phong trào thi đua “Lao động giỏi, lao động sáng tạo” với mục tiêu nâng cao năng suất, đảm bảo chất lượng, hiệu quả trong sản xuất kinh doanh và đảm bảo an toàn vệ sinh lao động, bảo vệ môi trường; thi đua lao động giỏi, công tác tốt, thực hành tiết kiệm; phát huy sáng kiến, cải tiến kỹ thuật; xây dựng các công trình, sản phẩm, các đề tài, sáng kiến được ứng dụng vào thực tiễn quản lý, sản xuất mang lại hiệu quả kinh tế - xã hội cao. Từ thực tế trong quá trình công tác, lao động cùng với niềm đam mê sáng tạo, nghiên cứu, đội ngũ CNVCLĐ tỉnh Bắc Kạn, mỗi năm nghiên cứu, tham gia đăng ký hàng nghìn đề tài, sáng kiến, ý tưởng mới, giải pháp cải tiến kỹ thuật và được áp dụng vào thực tế làm lợi hàng trăm triệu đồng cho cơ quan, đơn vị.",
        Img(
            "/upload/images/nam-2023/thang-12.2023/1.-anh-ldld-tinh-tham-gia-dien-dan-dh-13.jpg",
            "Ảnh. Đồng chí Vi Hồng Dương, Chủ tịch LĐLĐ tỉnh Bắc Kạn báo cáo tham luận tại diễn đàn.",
        ),
        "Đồng chí chia sẻ một số bài học kinh nghiệm, giải pháp như: Trong phát động phong trào thi đua và thực hiện khi nội dung, mục tiêu của nó mang tính thiết thực, vừa đáp ứng yêu cầu, nhiệm vụ chính trị của từng cơ quan, đơn vị; vừa đáp ứng quyền lợi, nguyện vọng của đoàn viên, CNVCLĐ. Đồng thời, phương thức triển khai phong trào phải đa dạng, đúng thời điểm và đúng đối tượng tác động mới phát huy được vai trò to lớn của đoàn viên, CNVCLĐ. Để có được nhiều điển hình tiên tiến trong việc xây dựng thực hiện đề tài, sáng kiến, cấp ủy, chính quyền, công đoàn các cấp phải thường xuyên quan tâm, chăm lo phát hiện, bồi dưỡng, xây dựng và nhân rộng mô hình. Việc lựa chọn các đề tài, sáng kiến phải có tính nổi trội, phù hợp với đặc điểm, tính chất, công việc, nhiệm vụ của từng cơ quan, đơn vị, địa phương để tạo sức lan tỏa trong toàn hệ thống chính trị từ tỉnh đến cơ sở. Thường xuyên tổ chức học tập, trao đổi kinh nghiệm giữa các cơ quan, đơn vị, địa phương để nghe điển hình tiên tiến báo cáo kinh nghiệm, phương pháp, cách làm đạt hiệu quả trong phong trào thi đua để học tập làm theo, đồng thời nêu gương, giáo dục và tạo sự lan tỏa trong cộng đồng. Tiếp tục đổi mới công tác tuyên truyền gắn với “Đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh”. Công tác khen thưởng được thực hiện một cách công khai, dân chủ, thành tích đến đâu thì khen thưởng đến đó, khen thưởng đúng người, đúng việc, đúng thành tích, công bằng, quan tâm đến các tập thể, cá nhân là người làm việc, lao động trực tiếp. Thường xuyên kiện toàn Hội đồng Thi đua - Khen thưởng, Hội đồng sáng kiến đảm bảo phát huy tốt vai trò tư vấn về công tác thi đua, khen thưởng; chú trọng công tác kiểm tra, sơ kết, tổng kết đánh giá kết quả tổ chức, triển khai các phong trào thi đua.",
    ],
)

# ------------------------------------------------------ hand-written cases
# Names of people below are invented.

HANDWRITTEN = [
    ArticleSpec(
        title="Kế hoạch tổ chức Tháng Công nhân năm 2024",
        category="chinh-sach-phap-luat",
        published=datetime(2024, 4, 10, 8, 15, 30),
        template="table",
        role="pdf",
        variant=0,
        author="Hoàng Thị Lan",
        author_line="Hoàng Thị Lan",
        blocks=[
            "Thực hiện Kế hoạch của Tổng Liên đoàn Lao động Việt Nam, Ban Thường vụ LĐLĐ tỉnh Bắc Kạn ban hành Kế hoạch tổ chức Tháng Công nhân năm 2024 với chủ đề “Đoàn viên công đoàn tích cực lao động, sáng tạo, góp phần thực hiện thắng lợi Nghị quyết Đại hội XIII Công đoàn Việt Nam”.",
            "Tháng Công nhân được tổ chức từ ngày 01/5 đến ngày 31/5/2024 tại tất cả các cấp công đoàn trong tỉnh. Các hoạt động hướng về cơ sở, tập trung chăm lo cho đoàn viên, người lao động có hoàn cảnh khó khăn, bị mất việc làm, giảm thu nhập.",
            Attach(
                "upload/files/nam-2024/thang-4/ke-hoach-thang-cong-nhan-2024.pdf",
                "Kế hoạch số 12/KH-LĐLĐ ngày 08/4/2024",
                lead="Toàn văn kế hoạch: ",
            ),
            Attach(EXTENSIONLESS_DOC, "Tải về kế hoạch (bản Word chuyển PDF)", kind="file", lead="Bản gửi các đơn vị: "),
            Attach(OVERSIZED_FILE, "Hồ sơ kèm theo (bản quét)", lead="Hồ sơ: "),
            "Các cấp công đoàn phối hợp với người sử dụng lao động tổ chức đối thoại, thương lượng tập thể, thăm hỏi, tặng quà đoàn viên; tổ chức các hoạt động văn hóa, thể thao, khám sức khỏe miễn phí cho người lao động tại các doanh nghiệp.",
            "LĐLĐ tỉnh đề nghị các công đoàn cấp trên trực tiếp cơ sở báo cáo kết quả tổ chức Tháng Công nhân về Ban Tổ chức trước ngày 10/6/2024 để tổng hợp.",
        ],
    ),
    ArticleSpec(
        title="Phóng sự: Công nhân Khu công nghiệp Thanh Bình vui đón Tết Sum vầy",
        category="hoat-dong-cong-doan",
        published=datetime(2024, 1, 28, 6, 45),
        template="html5",
        role="video",
        variant=0,
        source="Báo Bắc Kạn",
        source_line="Theo Báo Bắc Kạn",
        blocks=[
            "Sáng 27/01/2024, tại Khu công nghiệp Thanh Bình, huyện Chợ Mới, LĐLĐ tỉnh tổ chức chương trình “Tết Sum vầy - Xuân chia sẻ” năm 2024 cho gần 500 công nhân, người lao động.",
            "Chương trình có các gian hàng “Chợ Tết Công đoàn” bán hàng giảm giá, các trò chơi dân gian và phần trao 150 suất quà cho công nhân có hoàn cảnh khó khăn.",
            Img(
                "upload/images/nam-2024/thang-01.2024/tet-sum-vay-kcn-thanh-binh.jpg",
                "(Ảnh: Công nhân mua sắm tại gian hàng Chợ Tết Công đoàn)",
            ),
            Attach("https://www.youtube.com/embed/kT3bYq9wVfE", None, kind="video"),
            "Chị Triệu Thị Hồng, công nhân một doanh nghiệp may trong khu công nghiệp chia sẻ: năm nay chị ở lại làm việc đến ngày 28 tháng Chạp, được nhận quà của công đoàn nên rất phấn khởi.",
        ],
    ),
    ArticleSpec(
        title="LĐLĐ tỉnh trao 20 Mái ấm Công đoàn cho đoàn viên có hoàn cảnh khó khăn",
        category="hoat-dong-cong-doan",
        published=datetime(2023, 9, 15, 16, 20),
        template="ckeditor",
        role="transient",
        variant=1,
        author="Nông Văn Tuấn",
        author_line="Nông Văn Tuấn (LĐLĐ huyện Ngân Sơn)",
        blocks=[
            "Trong 9 tháng đầu năm 2023, LĐLĐ tỉnh Bắc Kạn đã hỗ trợ xây mới, sửa chữa 20 Mái ấm Công đoàn cho đoàn viên có hoàn cảnh khó khăn về nhà ở, với tổng kinh phí hơn 1 tỷ đồng.",
            "Mỗi Mái ấm Công đoàn xây mới được hỗ trợ 50 triệu đồng, sửa chữa được hỗ trợ 30 triệu đồng từ nguồn quỹ Xã hội của LĐLĐ tỉnh và sự đóng góp của cán bộ, đoàn viên trong tỉnh.",
            Img(
                "upload/images/nam-2023/thang-09.2023/trao-mai-am-cong-doan-ngan-son.jpg",
                "Ảnh. Lãnh đạo LĐLĐ tỉnh trao quyết định hỗ trợ Mái ấm Công đoàn tại huyện Ngân Sơn.",
            ),
            "Anh Hà Văn Khánh, giáo viên Trường Tiểu học xã Thuần Mang xúc động cho biết: có ngôi nhà mới, gia đình anh yên tâm công tác, gắn bó với nghề.",
        ],
    ),
    ArticleSpec(
        title="Những điểm mới của Luật Bảo hiểm xã hội năm 2024 người lao động cần biết",
        category="chinh-sach-phap-luat",
        published=datetime(2024, 7, 5, 5, 50),
        template="html5",
        variant=1,
        source="Báo Lao Động",
        source_line="Nguồn: Báo Lao Động",
        blocks=[
            "Luật Bảo hiểm xã hội (sửa đổi) được Quốc hội thông qua ngày 29/6/2024 và có hiệu lực thi hành từ ngày 01/7/2025, với nhiều điểm mới liên quan trực tiếp đến quyền lợi của người lao động.",
            "Điểm đáng chú ý là số năm đóng bảo hiểm xã hội tối thiểu để hưởng lương hưu giảm từ 20 năm xuống 15 năm, tạo điều kiện cho người lao động tham gia muộn vẫn có lương hưu.",
            Img(
                "upload/images/nam-2024/thang-07.2024/Tuyên truyền Luật BHXH tại doanh nghiệp.jpg",
                "Cán bộ công đoàn tuyên truyền chính sách bảo hiểm xã hội cho công nhân.",
            ),
            "Luật cũng bổ sung chế độ trợ cấp hằng tháng cho người đủ tuổi nghỉ hưu nhưng chưa đủ điều kiện hưởng lương hưu, và mở rộng đối tượng tham gia bảo hiểm xã hội bắt buộc.",
        ],
    ),
    ArticleSpec(
        title="Chị Hà Thị Mai - nữ giáo viên giỏi việc trường, đảm việc nhà",
        category="guong-dien-hinh-tien-tien",
        published=datetime(2023, 3, 8, 9, 0, 12),
        template="table",
        variant=1,
        author="Lý Thanh Hương",
        author_line="Lý Thanh Hương - Công đoàn ngành Giáo dục",
        blocks=[
            "Hơn 15 năm gắn bó với Trường Phổ thông Dân tộc bán trú xã Cao Thượng, huyện Ba Bể, chị Hà Thị Mai luôn được đồng nghiệp và học sinh quý mến bởi sự tận tụy với nghề.",
            "Nhiều năm liền chị đạt danh hiệu Chiến sĩ thi đua cơ sở, có sáng kiến kinh nghiệm về dạy tiếng Việt cho học sinh dân tộc thiểu số được áp dụng trong toàn huyện.",
            Img(
                "upload/images/nam-2023/thang-03.2023/ch%E1%BB%8B%20H%C3%A0%20Th%E1%BB%8B%20Mai.jpg",
                "Chị Hà Thị Mai trong một giờ lên lớp.",
            ),
            "Là Chủ tịch Công đoàn cơ sở, chị tích cực vận động đoàn viên tham gia phong trào “Giỏi việc trường, đảm việc nhà”, chăm lo đời sống cho nữ giáo viên ở các điểm trường xa.",
        ],
    ),
    ArticleSpec(
        title="Hội nghị Ban Chấp hành LĐLĐ tỉnh lần thứ hai, khóa X",
        category="tin-tuc-su-kien",
        published=datetime(2023, 12, 28, 6, 30),
        template="ckeditor",
        variant=2,
        blocks=[
            "Ngày 27/12/2023, Ban Chấp hành LĐLĐ tỉnh Bắc Kạn khóa X tổ chức Hội nghị lần thứ hai để đánh giá kết quả hoạt động công đoàn năm 2023, triển khai nhiệm vụ năm 2024.",
            Img(
                ORIGIN_MARK + "/upload/images/nam-2023/thang-12.2023/hoi-nghi-bch-lan-2.jpg?v=1703700000",
                "(Ảnh: Quang cảnh hội nghị)",
            ),
            "Năm 2023, các cấp công đoàn trong tỉnh đã phát triển mới hơn 1.200 đoàn viên, thành lập 12 công đoàn cơ sở; tổ chức thành công đại hội công đoàn các cấp nhiệm kỳ 2023-2028.",
            Img("upload/images/nam-2023/thang-12.2023/khen-thuong-tap-the.jpg", None),
            Img(SOFT_404_PHOTO, "Ảnh: Đại biểu dự hội nghị."),
            "Hội nghị đã biểu quyết thông qua chương trình công tác năm 2024 và khen thưởng các tập thể, cá nhân có thành tích xuất sắc.",
            # The one article that names the Party (search tests: "Đảng" against
            # đang, đáng, đảm đang once marks are folded).
            "Hội nghị quán triệt các nghị quyết của Đảng về xây dựng giai cấp công nhân trong thời kỳ mới.",
        ],
    ),
    ArticleSpec(
        title="Công đoàn ngành Y tế tổ chức Hội thi An toàn vệ sinh viên giỏi",
        category="hoat-dong-cong-doan",
        published=datetime(2024, 5, 20, 14, 5, 45),
        template="table",
        variant=2,
        author="Đàm Quang Huy",
        author_line="Đàm Quang Huy, Công đoàn ngành Y tế",
        blocks=[
            "Hưởng ứng Tháng hành động về an toàn, vệ sinh lao động năm 2024, Công đoàn ngành Y tế Bắc Kạn tổ chức Hội thi An toàn vệ sinh viên giỏi với sự tham gia của 12 đội thi.",
            Img(
                "/upload/images/nam-2024/thang-05.2024/hoi-thi-atvsv-nganh-y-te.jpg",
                "Đội thi Bệnh viện Đa khoa tỉnh trong phần thi xử lý tình huống.",
            ),
            Img(WIDTH_VARIANT_PHOTO, "Ảnh tư liệu: khen thưởng tập thể năm 2023."),
            "Các đội thi trải qua ba phần thi: chào hỏi, kiến thức và xử lý tình huống. Kết thúc hội thi, Ban Tổ chức trao giải Nhất cho đội Bệnh viện Đa khoa tỉnh.",
        ],
    ),
]

# Title of the article linked from the site that no longer exists (302 -> /notfound).
MISSING_ARTICLE_TITLE = "Thông báo tuyển dụng viên chức năm 2022"

STATIC_PAGES = {
    "gioi-thieu": (
        "Giới thiệu",
        [
            "Liên đoàn Lao động tỉnh Bắc Kạn là tổ chức chính trị - xã hội của giai cấp công nhân và người lao động trong tỉnh, thuộc hệ thống Công đoàn Việt Nam.",
            "Liên đoàn có chức năng đại diện, bảo vệ quyền, lợi ích hợp pháp, chính đáng của đoàn viên và người lao động; tham gia quản lý nhà nước, kinh tế - xã hội; tuyên truyền, vận động người lao động học tập nâng cao trình độ.",
            "Trụ sở: Tổ 1, phường Đức Xuân, thành phố Bắc Kạn, tỉnh Bắc Kạn.",
        ],
    ),
}

# ---------------------------------------------------------------- generator

FAMILY = ["Nguyễn", "Trần", "Hoàng", "Nông", "Hà", "Lưu", "Triệu", "Ma", "Lục", "Đàm", "Bế", "Dương", "Lý", "Phùng", "Hứa", "La"]
MIDDLE = ["Văn", "Thị", "Đức", "Thanh", "Minh", "Hồng", "Ngọc", "Quang", "Thu", "Kim"]
GIVEN = ["Hùng", "Lan", "Hương", "Dũng", "Thủy", "Tuấn", "Hạnh", "Mai", "Cường", "Nga", "Bình", "Thảo", "Phương", "Sơn", "Trang", "Khánh"]
ROLES = ["Chủ tịch", "Phó Chủ tịch", "Trưởng ban Tuyên giáo", "Chánh Văn phòng", "Trưởng ban Tổ chức", "Phó Trưởng ban Nữ công"]
UNITS = [
    "LĐLĐ huyện Ba Bể", "LĐLĐ huyện Bạch Thông", "LĐLĐ huyện Chợ Đồn", "LĐLĐ huyện Chợ Mới",
    "LĐLĐ huyện Na Rì", "LĐLĐ huyện Ngân Sơn", "LĐLĐ huyện Pác Nặm", "LĐLĐ thành phố Bắc Kạn",
    "Công đoàn ngành Giáo dục", "Công đoàn ngành Y tế", "Công đoàn Viên chức tỉnh",
]
UNITS_SHORT = ["LĐLĐ tỉnh", "Công đoàn Viên chức tỉnh", "Ban Tuyên giáo LĐLĐ tỉnh"]
SOURCES = ["Báo Bắc Kạn", "Báo Lao Động", "Đài PT-TH Bắc Kạn", "congdoan.vn"]
PLACES = ["hội trường LĐLĐ tỉnh", "Nhà văn hóa thôn Nà Bản", "Trung tâm Văn hóa huyện", "trụ sở UBND xã", "Khu công nghiệp Thanh Bình"]

# Each kind: category, title pattern, paragraph patterns (first one opens the story).
KINDS = [
    ("tin-tuc-su-kien", "{unit} tổng kết công tác công đoàn năm {y}", [
        "Ngày {d}/{m}/{y}, {unit} tổ chức Hội nghị tổng kết công tác công đoàn và phong trào công nhân viên chức lao động năm {y}, triển khai nhiệm vụ năm {y1}.",
        "Trong năm, {unit} đã phát triển mới {n} đoàn viên, chỉ đạo {k} công đoàn cơ sở tổ chức hội nghị cán bộ, công chức, viên chức đúng quy định.",
        "Công tác chăm lo đời sống đoàn viên được quan tâm, đã thăm hỏi, tặng {n2} suất quà với tổng trị giá hơn {money} triệu đồng.",
        "Phát biểu tại hội nghị, đồng chí {person}, {role} {unit_up} ghi nhận những kết quả đạt được và đề nghị tập trung đổi mới nội dung, phương thức hoạt động.",
        "Dịp này, {k} tập thể và {n3} cá nhân được khen thưởng vì có thành tích xuất sắc trong hoạt động công đoàn năm {y}.",
    ]),
    ("tin-tuc-su-kien", ["Đại hội Công đoàn cơ sở {school} nhiệm kỳ 2023-2028",
                         "Công đoàn cơ sở {school} tổ chức đại hội lần thứ {roman}"], [
        "Ngày {d}/{m}/{y}, Công đoàn cơ sở {school} tổ chức Đại hội lần thứ {roman}, nhiệm kỳ 2023-2028 với sự tham dự của {n3} đoàn viên.",
        "Nhiệm kỳ qua, công đoàn cơ sở đã phối hợp với chuyên môn thực hiện tốt quy chế dân chủ, chăm lo việc làm, thu nhập cho đoàn viên.",
        "Đại hội đã bầu Ban Chấp hành gồm {k} đồng chí; đồng chí {person} được bầu giữ chức Chủ tịch Công đoàn cơ sở.",
        "Đại hội cũng bầu đoàn đại biểu đi dự Đại hội công đoàn cấp trên và thông qua Nghị quyết với {k2} chỉ tiêu chủ yếu.",
    ]),
    ("hoat-dong-cong-doan", ["{unit} thăm, tặng quà đoàn viên nhân dịp Tết Nguyên đán {yl}",
                             "Trao {n2} suất quà Tết cho đoàn viên {district}",
                             "{unit}: Chăm lo Tết {yl} cho người lao động khó khăn"], [
        "Từ ngày {d}/{m}/{y}, {unit} tổ chức các đoàn đi thăm, tặng quà đoàn viên, người lao động có hoàn cảnh khó khăn nhân dịp Tết Nguyên đán {yl}.",
        "Tổng số có {n2} suất quà được trao, mỗi suất trị giá từ 500 nghìn đến 1 triệu đồng, từ nguồn tài chính công đoàn và xã hội hóa.",
        "Đồng chí {person}, {role} {unit_up} thăm hỏi, động viên các gia đình vượt qua khó khăn, đón Tết vui tươi, an toàn.",
        "Hoạt động thể hiện sự quan tâm của tổ chức công đoàn, góp phần để mọi đoàn viên, người lao động đều có Tết.",
    ]),
    ("hoat-dong-cong-doan", ["Tập huấn nghiệp vụ công tác công đoàn năm {y} tại {district}",
                             "{unit} bồi dưỡng nghiệp vụ cho {n3} cán bộ công đoàn cơ sở"], [
        "Trong hai ngày {d} và {d1}/{m}/{y}, {unit} tổ chức lớp tập huấn nghiệp vụ công tác công đoàn cho {n3} cán bộ công đoàn cơ sở.",
        "Học viên được trang bị kiến thức về Điều lệ Công đoàn Việt Nam, kỹ năng thương lượng tập thể, công tác tài chính và kiểm tra, giám sát.",
        "Theo đồng chí {person}, {role} {unit_up}, lớp tập huấn giúp cán bộ công đoàn mới được bầu nắm chắc nhiệm vụ, tự tin hơn trong hoạt động.",
        "Kết thúc lớp học, các học viên làm bài thu hoạch và được cấp giấy chứng nhận.",
    ]),
    ("hoat-dong-cong-doan", ["Giải bóng chuyền công nhân viên chức lao động {district} năm {y}",
                             "Sôi nổi giải thể thao chào mừng Ngày Quốc tế Lao động tại {district}"], [
        "Nhằm chào mừng Ngày Quốc tế Lao động 1/5, {unit} tổ chức Giải bóng chuyền công nhân viên chức lao động năm {y} với {k} đội bóng tham gia.",
        "Giải diễn ra tại {place} từ ngày {d}/{m}/{y}, thu hút đông đảo đoàn viên và nhân dân đến cổ vũ.",
        "Các trận đấu diễn ra sôi nổi, trung thực, đoàn kết. Ban Tổ chức trao giải Nhất, Nhì, Ba và giải phong cách cho các đội.",
    ]),
    ("chinh-sach-phap-luat", ["Tuyên truyền Bộ luật Lao động cho người lao động tại {district}",
                              "{unit} phổ biến pháp luật lao động cho {n3} công nhân"], [
        "Ngày {d}/{m}/{y}, {unit} phối hợp với Sở Lao động - Thương binh và Xã hội tổ chức tuyên truyền pháp luật lao động cho {n3} công nhân tại các doanh nghiệp.",
        "Báo cáo viên giới thiệu các quy định về hợp đồng lao động, thời giờ làm việc, thời giờ nghỉ ngơi, tiền lương và kỷ luật lao động.",
        "Người lao động được giải đáp nhiều thắc mắc về bảo hiểm xã hội một lần, chế độ thai sản và trợ cấp thôi việc.",
        "Qua hoạt động, người lao động nâng cao hiểu biết pháp luật, biết cách bảo vệ quyền, lợi ích hợp pháp của mình.",
    ]),
    ("chinh-sach-phap-luat", ["Hướng dẫn thực hiện chế độ chi tài chính công đoàn cơ sở năm {y}",
                              "Một số điểm cần lưu ý về quản lý tài chính công đoàn cơ sở",
                              "Giải đáp về mức chi thăm hỏi đoàn viên ốm đau (số {k})"], [
        "Ban Thường vụ LĐLĐ tỉnh vừa ban hành văn bản hướng dẫn các công đoàn cơ sở thực hiện quy định về thu, chi, quản lý tài chính công đoàn năm {y}.",
        "Theo hướng dẫn, công đoàn cơ sở được sử dụng tối thiểu 60% nguồn thu để chăm lo, bảo vệ, đào tạo đoàn viên và người lao động.",
        "Mức chi thăm hỏi đoàn viên ốm đau không quá {money} nghìn đồng mỗi lần; chi hỗ trợ đoàn viên gặp khó khăn đột xuất do Ban Chấp hành quyết định.",
        "Các đơn vị lưu ý công khai tài chính tại hội nghị đoàn viên và báo cáo quyết toán đúng thời hạn.",
    ]),
    ("guong-dien-hinh-tien-tien", ["{person} - người thợ giỏi của {company}",
                                   "Anh {person} và những sáng kiến làm lợi hàng trăm triệu đồng"], [
        "Hơn {k} năm làm việc tại {company}, anh {person} luôn là người đi đầu trong phong trào thi đua “Lao động giỏi, lao động sáng tạo”.",
        "Anh có {k2} sáng kiến cải tiến kỹ thuật được áp dụng, làm lợi cho doanh nghiệp hàng trăm triệu đồng mỗi năm.",
        "Không chỉ giỏi chuyên môn, anh còn nhiệt tình kèm cặp công nhân mới, tích cực tham gia các hoạt động của công đoàn cơ sở.",
        "Năm {y}, anh vinh dự được Tổng LĐLĐ Việt Nam tặng Bằng khen vì có thành tích xuất sắc trong lao động sản xuất.",
    ]),
    ("cong-tac-nu-cong", ["{unit} tọa đàm kỷ niệm ngày Phụ nữ Việt Nam 20/10",
                          "Nữ đoàn viên {district} giao lưu “Giỏi việc nước, đảm việc nhà”"], [
        "Chào mừng 93 năm Ngày thành lập Hội Liên hiệp Phụ nữ Việt Nam, ngày {d}/{m}/{y}, {unit} tổ chức buổi tọa đàm với sự tham gia của {n3} nữ đoàn viên.",
        "Tại buổi tọa đàm, các đại biểu chia sẻ kinh nghiệm cân bằng giữa công việc và gia đình, nuôi dạy con cái.",
        "Đồng chí {person}, {role} {unit_up} mong muốn nữ đoàn viên tiếp tục phát huy phẩm chất “Tự tin, tự trọng, trung hậu, đảm đang”.",
    ]),
]

DISTRICTS = ["huyện Ba Bể", "huyện Bạch Thông", "huyện Chợ Đồn", "huyện Chợ Mới", "huyện Na Rì", "huyện Ngân Sơn", "huyện Pác Nặm", "thành phố Bắc Kạn"]
SCHOOLS = ["Trường THPT Chợ Đồn", "Trường Tiểu học Nông Thượng", "Bệnh viện Đa khoa tỉnh", "Kho bạc Nhà nước tỉnh", "Sở Tài chính", "Trường Mầm non Sao Mai", "Trung tâm Y tế huyện Na Rì", "Công ty Điện lực Bắc Kạn"]
COMPANIES = ["Công ty Cổ phần Khoáng sản Bắc Kạn", "Công ty Điện lực Bắc Kạn", "Công ty Cổ phần Cấp thoát nước Bắc Kạn", "Công ty TNHH May Bắc Kạn"]
ROMAN = ["II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]
LUNAR_YEAR = {2023: "Quý Mão", 2024: "Giáp Thìn", 2025: "Ất Tỵ", 2026: "Bính Ngọ"}
CAPTIONS = [
    "Ảnh. Quang cảnh {event}.",
    "(Ảnh: Đại biểu dự {event})",
    "Ảnh. Đồng chí {person} phát biểu tại {event}.",
    "Các đại biểu chụp ảnh lưu niệm.",
    None,
]


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def _fill(pattern: str, ctx: dict) -> str:
    return pattern.format(**ctx)


def _image_src(rng: random.Random, year: int, month: int, stem: str, k: int, style: int) -> str:
    """An image source in one of the forms met on such sites."""
    folder = f"upload/images/nam-{year}/thang-{month:02d}.{year}"
    if style == 0:
        return f"{folder}/{stem}-{k}.jpg"
    if style == 1:
        return f"/{folder}/{stem}-{k}.jpg"
    if style == 2:
        return f"{ORIGIN_MARK}/{folder}/{stem}-{k}.jpg"
    if style == 3:  # raw Vietnamese with spaces, as editors upload them
        return f"{folder}/Ảnh hoạt động {stem[4:]} {k}.JPG"
    if style == 4:  # the same kind of name, percent-encoded by the CMS
        return f"{folder}/%E1%BA%A2nh%20ho%E1%BA%A1t%20%C4%91%E1%BB%99ng%20{stem[:12]}-{k}.jpg"
    return f"{folder}/{stem}-{k}.jpg?w=800&v={1 + rng.randrange(9)}"


def generate(count: int, seed: int = 20231201, start_index: int = 0,
             after: datetime | None = None) -> list[ArticleSpec]:
    """Compose ``count`` articles. Dates spread evenly over 2023–2024, unless
    ``after`` is given (publishing): then each one is a day after the previous."""
    rng = random.Random(seed + start_index * 7919)
    span = (datetime(2024, 12, 30) - datetime(2023, 1, 3)).total_seconds()
    out = []
    for i in range(count):
        kind = KINDS[(start_index + i) % len(KINDS)]
        category, title_p, paras_p = kind
        if after is None:
            base = datetime(2023, 1, 3) + timedelta(seconds=span * (i + 0.5) / max(count, 1))
            day = base.replace(hour=0, minute=0, second=0, microsecond=0)
        else:
            day = (after + timedelta(days=i + 1)).replace(hour=0, minute=0, second=0)
        # About one in six published before 07:00 local time (a UTC date trap).
        hour = rng.choice([5, 6]) if rng.random() < 0.17 else rng.randrange(7, 18)
        template = TEMPLATES[rng.randrange(3)]
        second = rng.randrange(60) if template == "table" and rng.random() < 0.6 else 0
        published = day.replace(hour=hour, minute=rng.randrange(60), second=second, microsecond=0)
        y, m, d = published.year, published.month, published.day
        unit = rng.choice(UNITS)
        person = person_name(rng)
        ctx = {
            "unit": unit, "unit_up": unit, "person": person, "role": rng.choice(ROLES),
            "y": y, "y1": y + 1, "yl": LUNAR_YEAR.get(y + (1 if m >= 3 else 0), "Giáp Thìn"),
            "m": m, "d": d, "d1": min(d + 1, 28),
            "n": 50 + rng.randrange(900), "n2": 20 + rng.randrange(400), "n3": 15 + rng.randrange(200),
            "k": 3 + rng.randrange(20), "k2": 2 + rng.randrange(8), "money": 100 + rng.randrange(900),
            # the district named in a title matches the unit that reports it
            "district": unit[5:] if unit.startswith("LĐLĐ ") else rng.choice(DISTRICTS),
            "school": rng.choice(SCHOOLS),
            "company": rng.choice(COMPANIES), "place": rng.choice(PLACES), "roman": rng.choice(ROMAN),
        }
        title = _fill(rng.choice(title_p) if isinstance(title_p, list) else title_p, ctx)
        paras = [_fill(p, ctx) for p in paras_p]
        if rng.random() < 0.3:
            paras = paras[:-1]  # vary length
        # Images: 0–3, inserted after the first paragraph and then every other one.
        n_img = rng.choice([0, 1, 1, 2, 3])
        blocks: list = []
        stem = f"anh-{start_index + i + 1}"
        img_k = 0
        for j, para in enumerate(paras):
            blocks.append(para)
            if img_k < n_img and j < len(paras) - 1:
                img_k += 1
                cap = rng.choice(CAPTIONS)
                if cap:
                    event = rng.choice(["hội nghị", "buổi lễ", "chương trình", "hoạt động", "buổi làm việc"])
                    cap = cap.format(event=event, person=rng.choice([person, person_name(rng)]))
                blocks.append(Img(_image_src(rng, y, m, stem, img_k, rng.randrange(6)), cap))
        spec = ArticleSpec(title=title, category=category, published=published, template=template,
                           blocks=blocks, variant=rng.randrange(5))
        _assign_byline(spec, rng, person_name(rng))
        out.append(spec)
    return out


def _assign_byline(spec: ArticleSpec, rng: random.Random, name: str) -> None:
    if spec.template == "html5":
        if rng.random() < 0.85:
            src = rng.choice(SOURCES)
            spec.source = src
            spec.source_line = f"Theo {src}" if rng.random() < 0.5 else f"Nguồn: {src}"
        return
    form = rng.randrange(5)
    unit = rng.choice(UNITS + UNITS_SHORT)
    if form == 4:
        return
    spec.author = name
    if form == 0:
        spec.author_line = name
    elif form == 1:
        spec.author_line = f"{name}, {rng.choice(ROLES)}, {unit}"
    elif form == 2:
        spec.author_line = f"{name} ({unit})"
    else:
        spec.author_line = f"{name} - {unit}"


def all_specs(n_articles: int | None = None) -> list[ArticleSpec]:
    """The seed, the hand-written cases, then generated articles: ``n_articles``
    in all (default 60). Fewer than the fixed ones keeps the first ones."""
    fixed = [SEED] + HANDWRITTEN
    n = 60 if n_articles is None else n_articles
    if n <= len(fixed):
        return fixed[:n]
    return fixed + generate(n - len(fixed))
