"""The words extraction looks for: markers, directive and context phrases, unit names.

Unit names keep their capitals and the predicate verbs are lower case, so several of these
patterns are case-sensitive on purpose.
"""

from __future__ import annotations

import re

LOWER = "a-zàáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
UPPER = "A-ZÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬĐÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"

MARKER_RE = re.compile(
    r"""^(?:
        (?P<roman>(?:X{0,3})(?:IX|IV|V?I{0,3}))\.\s+(?=\S)
      | (?P<multi>\d{1,2}(?:\.\d{1,2})+)\.?\s+(?=\S)
      | (?P<num>\d{1,2})[.)]\s*(?=\S)
      | (?P<letter>[a-zđ])\)\s*(?=\S)
      | \((?P<paren>\d{1,2}|[ivx]{1,4}|[a-zđ])\)\s*(?=\S)
      | (?P<dash>[-–—‐])\s*(?=\S)
      | (?P<plus>[+•*])\s*(?=\S)
    )""",
    re.VERBOSE,
)

CLOSING_RE = re.compile(
    r"(thông báo .{0,200}(biết|để)\W.{0,40}thực hiện"
    r"|^căn cứ (ý kiến|nội dung) chỉ đạo (trên|nêu trên)"
    r"|nghiêm túc (triển khai )?thực hiện\s*\W*$"
    r"|thực hiện nghiêm túc\s*\W*$"
    r"|^yêu cầu .{0,120}(nghiêm túc|khẩn trương) (triển khai )?thực hiện"
    r"|^(trên đây là|đề nghị .{0,80}quan tâm)"
    r")",
    re.IGNORECASE,
)
FINDINGS_RE = re.compile(
    r"(tồn tại|hạn chế|khó khăn|vướng mắc|nguyên nhân|kết quả (đạt được|thực hiện)|tình hình|như sau:?$|như:$)",
    re.IGNORECASE,
)
REQUEST_RE = re.compile(
    r"\b(yêu cầu|đề nghị|giao|kết luận|chỉ đạo|nhiệm vụ|giải pháp|thực hiện|triển khai|"
    r"tập trung|như sau|sau đây|các nội dung sau|một số nội dung)\b",
    re.IGNORECASE,
)
# Items that only define or point somewhere (what a dossier holds, which form to use).
DEFINITION_RE = re.compile(
    r"^(thành phần hồ sơ|hồ sơ (đề nghị )?(gồm|bao gồm)|biểu mẫu|mẫu số|nội dung .{0,60}quy định tại|"
    r"đối tượng áp dụng|phạm vi điều chỉnh|giải thích từ ngữ)",
    re.IGNORECASE,
)
NOT_DIRECTIVE_SECTION_RE = re.compile(
    r"^(mục đích|mục tiêu|kinh phí|căn cứ|đặc điểm|kết quả|tình hình|đánh giá|phạm vi|đối tượng áp dụng|giải thích)",
    re.IGNORECASE,
)
ACTION_RE = re.compile(
    r"\b(thực hiện|triển khai|tổ chức|xây dựng|tăng cường|rà soát|kiểm tra|báo cáo|tham mưu|"
    r"chủ trì|phối hợp|chỉ đạo|hướng dẫn|đôn đốc|đẩy mạnh|nâng cao|hoàn thành|hoàn thiện|"
    r"ban hành|cập nhật|bảo đảm|đảm bảo|theo dõi|chuẩn bị|tiếp tục|quan tâm|khẩn trương|"
    r"nghiên cứu|đề xuất|trình|gửi|phải|cần|tập trung|chấn chỉnh|duy trì|lập|thống nhất|"
    r"đánh giá|giải quyết|khắc phục|tuyên truyền|phổ biến|cử|bố trí|công bố|ứng dụng|chủ động|"
    r"rà soát|xử lý|giám sát|quản lý|vận hành|tham dự|giải đáp|trả lời|sắp xếp|kiện toàn|mở)\b",
    re.IGNORECASE,
)

# First words that begin a unit's name (checked after an optional "các"/"những").
UNIT_HEADS = (
    "ủy ban nhân dân",
    "uỷ ban nhân dân",
    "ủy ban mặt trận",
    "ủy ban",
    "uỷ ban",
    "ubnd",
    "hđnd",
    "hội đồng nhân dân",
    "hội đồng",
    "văn phòng",
    "vp",
    "sở",
    "phòng",
    "ban chỉ đạo",
    "ban quản lý",
    "ban",
    "công an",
    "bộ chỉ huy",
    "bộ đội",
    "thanh tra",
    "bộ",
    "cục",
    "chi cục",
    "tổng cục",
    "trung tâm",
    "đoàn",
    "tổ",
    "hội",
    "liên đoàn",
    "mặt trận",
    "viện",
    "trường",
    "bệnh viện",
    "bưu điện",
    "kho bạc",
    "ngân hàng",
    "cơ quan",
    "đơn vị",
    "địa phương",
    "doanh nghiệp",
    "chủ tịch",
    "phó chủ tịch",
    "giám đốc",
    "phó giám đốc",
    "thủ trưởng",
    "người đứng đầu",
    "trưởng",
    "thư ký",
    "bộ phận",
    "thành viên",
    "tỉnh đoàn",
    "huyện đoàn",
    "đài",
    "báo",
    "cảng vụ",
    "cổng",
    "chủ đầu tư",
    "ngành",
    "lãnh đạo",
    "thường trực",
    "công chức",
    "cán bộ",
    "xã",
    "phường",
    "thị trấn",
    "quận",
    "huyện",
    "thị xã",
    "đặc khu",
    "thành phố",
    "thuế",
    "bảo hiểm xã hội",
    "hải quan",
    "chi nhánh",
    "quỹ",
    "đài phát thanh",
    "ban an toàn",
    "điện lực",
    "công ty",
    "tổng công ty",
    "hợp tác xã",
    "ủy ban kiểm tra",
    "tỉnh ủy",
)
# Words that continue a group phrase after a comma ("các sở, ban, ngành", "các xã, thị trấn").
GROUP_TAILS = (
    "ban",
    "ngành",
    "đoàn thể",
    "hội",
    "đơn vị",
    "địa phương",
    "thị trấn",
    "phường",
    "đặc khu",
    "thị xã",
    "thành phố",
    "quận",
    "huyện",
    "xã",
    "thủ trưởng",
    "cơ quan",
    "doanh nghiệp",
    "tổ chức",
    "cá nhân",
    "lực lượng vũ trang",
    "đoàn thể chính trị - xã hội",
)
# Group words after which nothing but a qualifier can follow ("các xã, phường xác định …").
PLACE_TAILS = (
    "xã",
    "phường",
    "thị trấn",
    "đặc khu",
    "quận",
    "huyện",
    "thị xã",
    "thành phố",
    "ngành",
    "đoàn thể",
)
GROUP_TAIL_RE = re.compile(
    "(?:" + "|".join(sorted(map(re.escape, GROUP_TAILS), key=len, reverse=True)) + r")"
    r"(?:\s+(?:tỉnh|huyện|xã|thành phố|cấp tỉnh|cấp huyện|cấp xã|có liên quan|liên quan|"
    r"thuộc tỉnh|thuộc huyện|trực thuộc|trên địa bàn(?: tỉnh| huyện| xã)?|đoàn thể))*",
    re.IGNORECASE,
)
# Where a unit phrase stops: verbs and linking words that begin the predicate.
_STOP_LIST = (
    r"chủ trì|phối hợp|cùng với|có trách nhiệm|chịu trách nhiệm|theo chức năng|"
    r"theo dõi|theo|căn cứ|trên cơ sở|để|nhằm|trong|tại|về|khi|nếu|từ|đến|với|"
    r"nhất là|đặc biệt là|kể cả|thì|đã|đang|sẽ|được giao|thực hiện|triển khai|"
    r"(?<!các )(?<!những )tổ chức|(?<!đầu tư )xây dựng|tăng cường|rà soát|kiểm tra|báo cáo|tham mưu|chỉ đạo|hướng dẫn|đôn đốc|"
    r"đẩy mạnh|nâng cao|hoàn thành|hoàn thiện|ban hành|cập nhật|bảo đảm|đảm bảo|"
    r"chuẩn bị|tiếp tục|quan tâm|khẩn trương|nghiên cứu|đề xuất|trình|gửi|phải|cần|"
    r"tập trung|chấn chỉnh|duy trì|lập|thống nhất|đánh giá|giải quyết|khắc phục|"
    r"tuyên truyền|phổ biến|cử|bố trí|công bố|ứng dụng|chủ động|xử lý|giám sát|"
    r"quản lý|vận hành|tham dự|sắp xếp|kiện toàn|mở|nhanh chóng|kịp thời|thường xuyên|"
    r"định kỳ|nghiêm túc|sớm|tích cực|quyết liệt|hằng|hàng|lưu ý|chú ý|xem xét|tiếp nhận|"
    r"cung cấp|phân công|giao|yêu cầu|đề nghị|áp dụng|hoàn chỉnh|tổng hợp|ký|"
    r"như|gồm|bao gồm|liên quan đến|là|trên|dưới|bằng|do|của|cho|nào|thông báo|kết luận|"
    # more actions that open a predicate («Sở Xây dựng thẩm định …», «Công an tỉnh điều tra …»)
    r"thẩm định|thẩm tra|phấn đấu|(?<!sát )điều tra|tăng|phản ánh|kiểm soát|hỗ trợ|vận động|"
    r"huy động|mua sắm|tạo điều kiện|thu hồi|di dời|cưỡng chế|kiểm điểm|lắp đặt|thi công|"
    r"bàn giao|ngăn chặn|truy quét|giải ngân|thanh toán|quyết toán|phê duyệt|điều chỉnh|"
    r"bổ sung|sửa đổi|khảo sát|chấp hành|nắm bắt|phát huy|tập huấn|kiểm kê|đưa tin|"
    r"theo sát|bám sát|cải tạo|nâng cấp|sửa chữa|vệ sinh|phun|tiêm|cấp phát|phân bổ"
)
# Where a unit phrase stops: the verbs and linking words that begin the predicate. Unit names
# keep their capitals ("Sở Xây dựng", "Đoàn Kiểm tra"), so inside a phrase the lower-case
# words are matched case-sensitively; a few capitalised verbs mark a heading joined to its
# paragraph ("2. Giao Sở Xây dựng Chủ trì, phối hợp …").
STOP_WORDS = re.compile(
    rf"\b({_STOP_LIST})\b"
    r"|\b(Chủ trì|Phối hợp|Theo|Căn cứ|Thực hiện|Triển khai|Khẩn trương|Tham mưu|Nghiên cứu|"
    r"Có trách nhiệm|Chịu trách nhiệm|Đồng thời|Tổ chức thực hiện|Hướng dẫn|Tăng cường|Trên cơ sở)\b"
)
# At the very start of a text any case: "Tổ chức triển khai …", "Báo cáo về …" name no unit.
STARTS_WITH_VERB = re.compile(rf"^({_STOP_LIST})\b", re.IGNORECASE)
REPORT_TO_RE = re.compile(
    r"(?:báo cáo (?:kết quả [^,;.]{0,60}?)?(?:về|cho|lên)?|gửi(?: [^,;.]{0,40}? về)?|\(qua|qua|tham mưu(?: cho)?|trình)\s+"
    r"(?P<unit>(?:(?:Ủy|Uỷ) ban nhân dân|UBND|HĐND|Sở|Phòng|Ban|Văn phòng|Thư ký|Thường trực|Công an|Thanh tra|Bộ|Cục|Chi cục|Trung tâm|Chủ tịch|Đoàn)[^,;.()]{0,80})",
    re.IGNORECASE,
)
GIAO_RE = re.compile(
    r"\b(?:[Gg]iao(?: cho)?|[Pp]hân công)\s+(?P<lead>[^;:.]{3,200}?)\s+(?:[Cc]hủ trì|thực hiện|có trách nhiệm|theo dõi|tham mưu|phối hợp|khẩn trương|nghiên cứu|tổ chức|triển khai|xây dựng|rà soát|kiểm tra|hướng dẫn|làm đầu mối"
    r"|tổng hợp|báo cáo|hoàn thiện|hoàn thành|đôn đốc|chỉ đạo|xử lý|lập|thẩm định|đề xuất|bố trí"
    r"|cập nhật|kiểm soát|giám sát|tuyên truyền|quản lý|tiếp nhận|bảo đảm|đảm bảo|chuẩn bị"
    r"|tiếp tục|khắc phục|giải quyết|tập trung|chủ động)\b"
)
CHU_TRI_RE = re.compile(r"(?P<lead>[^;:.]{3,160}?)\s+(?:là cơ quan |làm )?chủ trì\b", re.IGNORECASE)
CHU_TRI_TAIL_RE = re.compile(r"\s+(?:là cơ quan |làm )?chủ trì\b", re.IGNORECASE)
SUPPORT_RE = re.compile(
    r"\b(?:phối hợp(?: chặt chẽ)?(?: với)?|cùng với|trao đổi, thống nhất với)\s+", re.IGNORECASE
)
REQUEST_UNITS_RE = re.compile(
    r"\b(?:yêu cầu(?: đối với)?|đề nghị|kiến nghị)\s+(?P<units>[^:.]{3,250})", re.IGNORECASE
)
# The issuer speaking: "Ủy ban nhân dân huyện yêu cầu:" names who asks, not who acts.
SPEAKER_RE = re.compile(r"^\s*(yêu cầu|đề nghị|kết luận|có ý kiến|thông báo|giao)\b", re.IGNORECASE)
# "X có trách nhiệm …", or "(Nâng cao vai trò,) trách nhiệm của X" in the first sentence.
RESPONSIBLE_RE = re.compile(
    r"^(?P<units>[^;:.]{3,160}?)\s+(?:có|chịu) trách nhiệm\b"
    r"|^[^.;]{0,40}?\btrách nhiệm (?:chung )?của\s+(?P<units2>[^;:.]{3,160})",
    re.IGNORECASE,
)
DOI_VOI_RE = re.compile(
    r"^(?:đối với|về phía|trách nhiệm của)\s+(?P<units>[^:]{3,160}):?\s*$", re.IGNORECASE
)

# Phrases that begin with a unit word but name no unit ("trường hợp", "xã hội").
NOT_UNIT_STARTS = (
    "trường hợp",
    "ban hành",
    "cơ quan hành chính nhà nước",
    "đơn vị hành chính",
    "huyện và",
    "xã hội",
)
