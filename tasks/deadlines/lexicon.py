"""The words of deadline phrases: text normalisation and the patterns that find them.

Every pattern is applied to lowercased NFC text (:func:`lower_same_length`).
"""

from __future__ import annotations

import re
import unicodedata

from tasks.deadlines.model import Recurrence


def normalize(text: str) -> str:
    """NFC, one space between words, no surrounding blanks."""
    text = unicodedata.normalize("NFC", text)
    # U+00D0 (Icelandic Eth) is a common mistype of the Vietnamese Đ.
    text = text.replace("\u00d0", "Đ").replace("\u00f0", "đ")
    return re.sub(r"\s+", " ", text).strip()


def lower_same_length(text: str) -> str:
    # Matching runs on the lowercased text but spans are cut from the original, so the
    # two must align character for character (a few exotic letters lowercase to two).
    low = text.lower()
    if len(low) == len(text):  # no letter grew: aligned (the usual case, and fast)
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


_Y = r"([0-9]{4})\b"
# "/2024", "-2024", "năm 2024", ", năm 2024"
_YEAR_TAIL = r"(?:\s*[/.\-]\s*|\s*,?\s*năm\s+)" + _Y

RELATIVE = re.compile(
    r"\b(?:trong\s+vòng|trong\s+thời\s+hạn|trong\s+thời\s+gian|trong|không\s+quá"
    r"|chậm\s+nhất(?:\s+là)?|sau)\s+"
    r"([0-9]{1,6})\s+(ngày\s+làm\s+việc|ngày|tuần|tháng)\b"
    r"(?!\s*(?:đầu|cuối|[0-9]))"  # "6 tháng đầu năm" is a half-year, "trong ngày 30" a date
    r"(?:\s*\([^)]{0,60}\))?"
    r"(\s*,?\s*(?:kể\s+từ|tính\s+từ|từ|sau)\s+(?:ngày|khi)\b)?"
)
# The explicit starting date of a relative deadline ("… kể từ ngày 01/7/2024").
RELATIVE_BASE = re.compile(
    r"\s*(?:([0-9]{1,2})\s*([/.\-])\s*([0-9]{1,2})\s*\2\s*([0-9]{4})"
    r"|([0-9]{1,2})\s+tháng\s+([0-9]{1,2})\s*,?\s*năm\s+([0-9]{4}))\b"
)
# What the relative deadline counts from, kept only to quote the phrase in full.
_DOC = r"(?:văn\s+bản|thông\s+báo|công\s+văn|kế\s+hoạch|quyết\s+định)(?:\s+này)?"
RELATIVE_FROM = re.compile(
    r"\s+(?:(?:ký\s+ban\s+hành|ký|ban\s+hành|nhận\s+được)(?:\s+" + _DOC + r")?"
    r"|" + _DOC + r"\s+(?:được\s+)?(?:ký|ban\s+hành|có\s+hiệu\s+lực))\b"
)
FROM_YEAR = re.compile(r"\b(?:kể\s+)?từ\s+năm\s+" + _Y)
HALF = re.compile(r"\b(06|6|sáu|09|9|chín)\s+tháng\s+(đầu|cuối)\s+năm(?:\s+" + _Y + ")?")
DATE_ISO = re.compile(r"(?<![0-9])([0-9]{4})-([0-9]{2})-([0-9]{2})(?![0-9])")
DATE_WORDS = re.compile(
    r"\bngày\s+([0-9]{1,2})\s+tháng\s+([0-9]{1,2})\b(?:\s*,?\s*năm\s+" + _Y + ")?"
)
DATE_NUM = re.compile(
    r"(?<![0-9/.\-])([0-9]{1,2})\s*([/.\-])\s*([0-9]{1,2})(?:\s*\2\s*([0-9]{4}))?(?![0-9/])"
)
# "ngày 20 hằng tháng": a day of the month without a month.
DAY_ONLY = re.compile(r"\bngày\s+([0-9]{1,2})\b(?!\s*(?:[/.\-]\s*[0-9]|tháng\s+[0-9]))")
MONTH = re.compile(r"\btháng\s+([0-9]{1,2})\b(?!\s*lần)(?:" + _YEAR_TAIL + ")?")
QUARTER = re.compile(r"\bqu[ýí]\s+([ivx]+|[0-9]{1,2})\b(?:" + _YEAR_TAIL + ")?")
YEAR = re.compile(r"\bnăm\s+" + _Y)
# "năm 2018 và những năm tiếp theo" states a goal, not a deadline.
GOAL_YEARS = re.compile(r"\s*(?:,|và)\s*(?:những|các)\s+năm\s+(?:tiếp\s+theo|sau|tới)")

# Words before a date that make it a deadline (used by the lenient search only).
CUE_DATE = re.compile(
    r"(?:\b(?:trước|chậm\s+nhất|muộn\s+nhất|hạn\s+chót|thời\s+hạn|hạn|xong|hoàn\s+thành"
    r"|hoàn\s+tất|đến|tới|kể\s+từ|không\s+quá|trong|vào))"
    # «trước ngày khai giảng 05/9/2025»: the day named by an event of a word or three
    r"(?:\s*(?:là|vào|đến|tới|trước|hết|trong|ngày(?:\s+[^\W\d_]+){0,3}|:|,))*\s*$"
)
# Plain "đến" is not enough before a period: "đến năm 2030, tỷ lệ …" states a goal.
CUE_PERIOD = re.compile(
    r"(?:\b(?:trước|chậm\s+nhất|muộn\s+nhất|hạn\s+chót|thời\s+hạn|hạn|xong|hoàn\s+thành"
    r"|hoàn\s+tất|trong|vào|cuối|đến\s+hết|đến\s+cuối))"
    r"(?:\s*(?:là|vào|trong|trước|hết|cuối|:|,))*\s*$"
)
# A date right after a document number or a document type cites that document.
CITATION = re.compile(
    r"(?:\b[0-9][\w.\-]*/[\w.\-/]*[^\W\d_][\w.\-/]*"
    r"|\b(?:quyết\s+định|nghị\s+định|nghị\s+quyết|thông\s+tư|thông\s+báo|công\s+văn|văn\s+bản"
    r"|báo\s+cáo|kế\s+hoạch|chỉ\s+thị|kết\s+luận|tờ\s+trình|luật|hướng\s+dẫn|quy\s+định))"
    r"\s*,?\s*(?:ngày\s*)?$"
)

RECURRENCE_PATTERNS: list[tuple[Recurrence, re.Pattern[str]]] = [
    (Recurrence.ONGOING, re.compile(r"\bđịnh\s+kỳ\s*(?:hoặc|và|,|/)\s*đột\s+xuất\b")),
    (Recurrence.MONTHLY, re.compile(r"\b(?:định\s+kỳ\s+)?(?:hằng|hàng)\s+tháng\b")),
    (Recurrence.QUARTERLY, re.compile(r"\b(?:định\s+kỳ\s+)?(?:hằng|hàng)\s+qu[ýí]\b")),
    (
        Recurrence.YEARLY,
        re.compile(
            r"\b(?:định\s+kỳ\s+)?(?:hằng|hàng)\s+năm\b|\bnăm\s+liền\s+kề\b"
            r"|\bnăm\s+sau\s+năm\s+báo\s+cáo\b"
        ),
    ),
    (
        Recurrence.ONGOING,
        re.compile(r"\b(?:thường\s+xuyên|định\s+kỳ|liên\s+tục|(?:hằng|hàng)\s+(?:ngày|tuần))\b"),
    ),
]
# Recurrence words that name a kind of thing rather than a repeated action.
NOT_RECURRENCE_BEFORE = re.compile(r"(?:\bchi|\bkinh\s+phí|\bnăm\s+(?:và|,))\s*$")
NOT_RECURRENCE_AFTER = re.compile(r"\s*xảy\s+ra\b")  # matched at the word's end
# "triển khai kế hoạch đào tạo, bồi dưỡng hằng năm" names a kind of plan; only making the plan
# each year ("xây dựng kế hoạch thanh tra hàng năm") is a recurring task.
PLAN_OF_THE_YEAR = re.compile(r"\bkế\s+hoạch\b[^;.]{0,45}$")
MAKES_THE_PLAN = re.compile(
    r"\b(?:xây\s+dựng|ban\s+hành|lập|phê\s+duyệt)\s+kế\s+hoạch\b[^;.]{0,45}$"
)

# Phrases that mean "no fixed deadline".
NONE_WORDS = re.compile(
    r"\b(?:không(?:\s+có)?(?:\s+thời\s+hạn)?|không\s+quy\s+định|chưa\s+xác\s+định|sớm|khẩn\s+trương"
    r"|kịp\s+thời|ngay|theo\s+yêu\s+cầu|đột\s+xuất|phấn\s+đấu|(?:những|các)\s+năm\s+tiếp\s+theo)\b"
)
ONLY_PUNCTUATION = re.compile(r"^[\s\-–—.,;:/…]*$")

ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
QUARTER_MONTH_OFFSET = [
    # (pattern, month of the quarter the day falls in: 0 first, 2 last, 3 first of next)
    (re.compile(r"tháng\s+đầu\s+(?:của\s+)?qu[ýí]\s+(?:sau|tiếp\s+theo|kế\s+tiếp)"), 3),
    (re.compile(r"tháng\s+cuối\s+(?:của\s+)?qu[ýí]"), 2),
    (re.compile(r"tháng\s+đầu\s+(?:của\s+)?qu[ýí]"), 0),
]
