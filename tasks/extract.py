"""Reading a notice: metadata, directives, their units and deadlines, from document blocks.

The input is the list of paragraphs (and task-table rows) that ``tasks.readers`` makes of a
TXT, DOCX or PDF file. The rules follow the extraction conventions of the project
(``../shared/eval/CONVENTIONS.md``): a directive is the smallest numbered, lettered or
bulleted item that asks for action, a task-table row, or a stand-alone paragraph that
assigns work; its units come from its own text, else its parent, else the list's lead-in,
else the addressees; its deadline from its own text, else its parents.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tasks.calendar import WorkCalendar, default_calendar
from tasks.deadlines import Due, effective_due, find_deadline
from tasks.readers import Block

NO_DUE = Due(kind="none", date=None, text=None)
DATED = ("date", "month", "quarter", "year")
# A long notice or plan is some tens of thousands of characters; a megabyte is another kind of file.
MAX_TEXT_CHARS = 1_000_000

# ----------------------------------------------------------------------------- result


@dataclass
class ExtractedDirective:
    """One directive as read from the document."""

    ref: str | None
    text: str
    lead_units: list[str] = field(default_factory=list)
    support_units: list[str] = field(default_factory=list)
    report_to: str | None = None
    unit_codes: list[str] = field(default_factory=list)
    due: Due = NO_DUE
    effective_due: date | None = None
    confidence: float = 1.0
    flags: list[str] = field(default_factory=list)
    lead_source: str = "own"  # own | parent | lead-in | addressees | none

    def to_json(self) -> dict[str, Any]:
        """The extraction schema of a directive."""
        return {
            "ref": self.ref,
            "text": self.text,
            "lead_units": self.lead_units,
            "support_units": self.support_units,
            "report_to": self.report_to,
            "unit_codes": self.unit_codes,
            "due": self.due.to_dict(),
            "effective_due": self.effective_due.isoformat() if self.effective_due else None,
            "confidence": round(self.confidence, 2),
            "flags": self.flags,
        }


@dataclass
class Extraction:
    """Everything read from one document."""

    number: str | None = None
    doc_type: str | None = None
    issuer: str | None = None
    place: str | None = None
    issued_on: date | None = None
    year: int | None = None
    title: str | None = None
    chair: str | None = None
    signer: str | None = None
    recipients: list[str] = field(default_factory=list)
    addressees: list[str] = field(default_factory=list)
    directives: list[ExtractedDirective] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The extraction schema printed by ``dondoc extract --json``."""
        return {
            "number": self.number,
            "doc_type": self.doc_type,
            "issuer": self.issuer,
            "place": self.place,
            "issued_on": self.issued_on.isoformat() if self.issued_on else None,
            "title": self.title,
            "chair": self.chair,
            "signer": self.signer,
            "recipients": self.recipients,
            "addressees": self.addressees,
            "directives": [d.to_json() for d in self.directives],
        }


# ----------------------------------------------------------------------------- patterns

_LOWER = "a-zàáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
_UPPER = "A-ZÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬĐÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"

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

NUMBER_RE = re.compile(
    r"^\W*Số\s*[:.]?\s*(?P<digits>\d[\d.]*)?\s*(?P<sym>[/-]\s*[\w/.\-–]*[\w])?", re.IGNORECASE
)
DATE_LINE_RE = re.compile(
    rf"(?P<place>[{_UPPER}][\w .'/:-]{{0,60}}?)\s*,\s*ngày\s*(?P<d>\d{{1,2}})?\s*tháng\s*(?P<m>\d{{1,2}})?\s*năm\s*(?P<y>\d{{4}})",
    re.IGNORECASE,
)
# The part of a date line after the place; it has a literal start, so finding it is cheap.
_DATE_TAIL_RE = re.compile(
    r",\s*ngày\s*(?:\d{1,2})?\s*tháng\s*(?:\d{1,2})?\s*năm\s*\d{4}", re.IGNORECASE
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
    r"nhất là|đặc biệt là|kể cả|thì|đã|đang|sẽ|được giao|thực hiện|triển khai|tổ chức|"
    r"xây dựng|tăng cường|rà soát|kiểm tra|báo cáo|tham mưu|chỉ đạo|hướng dẫn|đôn đốc|"
    r"đẩy mạnh|nâng cao|hoàn thành|hoàn thiện|ban hành|cập nhật|bảo đảm|đảm bảo|"
    r"chuẩn bị|tiếp tục|quan tâm|khẩn trương|nghiên cứu|đề xuất|trình|gửi|phải|cần|"
    r"tập trung|chấn chỉnh|duy trì|lập|thống nhất|đánh giá|giải quyết|khắc phục|"
    r"tuyên truyền|phổ biến|cử|bố trí|công bố|ứng dụng|chủ động|xử lý|giám sát|"
    r"quản lý|vận hành|tham dự|sắp xếp|kiện toàn|mở|nhanh chóng|kịp thời|thường xuyên|"
    r"định kỳ|nghiêm túc|sớm|tích cực|quyết liệt|hằng|hàng|lưu ý|chú ý|xem xét|tiếp nhận|"
    r"cung cấp|phân công|giao|yêu cầu|đề nghị|áp dụng|hoàn chỉnh|tổng hợp|ký|"
    r"như|gồm|bao gồm|liên quan đến|là|trên|dưới|bằng|do|của|cho|nào|thông báo|kết luận"
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
    r"\b(?:[Gg]iao(?: cho)?|[Pp]hân công)\s+(?P<lead>[^;:.]{3,200}?)\s+(?:[Cc]hủ trì|thực hiện|có trách nhiệm|theo dõi|tham mưu|phối hợp|khẩn trương|nghiên cứu|tổ chức|triển khai|xây dựng|rà soát|kiểm tra|hướng dẫn|làm đầu mối)\b"
)
CHU_TRI_RE = re.compile(r"(?P<lead>[^;:.]{3,160}?)\s+(?:là cơ quan |làm )?chủ trì\b", re.IGNORECASE)
_CHU_TRI_TAIL_RE = re.compile(r"\s+(?:là cơ quan |làm )?chủ trì\b", re.IGNORECASE)
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
SUPERSCRIPTS = re.compile(r"[\u00b9\u00b2\u00b3\u2070-\u2079]")


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = SUPERSCRIPTS.sub("", text).replace("*", "")
    return re.sub(r"\s+", " ", text).strip()


# ----------------------------------------------------------------------------- units


def _starts_with_any(text: str, words: tuple[str, ...]) -> bool:
    low = text.lower()
    return any(low == w or low.startswith(w + " ") for w in words)


def _strip_article(text: str) -> str:
    return re.sub(r"^(các|những|toàn thể|mỗi|từng)\s+", "", text, flags=re.IGNORECASE)


NOT_UNIT_STARTS = (
    "trường hợp",
    "ban hành",
    "cơ quan hành chính nhà nước",
    "đơn vị hành chính",
    "huyện và",
    "xã hội",
)


def _is_unit_head(piece: str) -> bool:
    bare = _strip_article(piece)
    return _starts_with_any(bare, UNIT_HEADS) and not _starts_with_any(bare, NOT_UNIT_STARTS)


# A list of units is a few hundred characters: unit phrases are looked for in this much text
# after each place they may start, not in the rest of a directive (on a directive of 876 KB
# with thousands of "phối hợp với", copying the rest each time was quadratic).
_UNIT_WINDOW = 2000


def _units_at(text: str, pos: int) -> list[str]:
    """``unit_phrases`` of the text from ``pos``, without copying the rest of a long text."""
    return unit_phrases(text[pos : pos + _UNIT_WINDOW])


def unit_phrases(text: str) -> list[str]:
    """Split the unit list at the start of ``text`` into unit names as written.

    "Công an tỉnh, các sở, ban, ngành, đoàn thể tỉnh và Ủy ban nhân dân các xã, phường tổ
    chức …" gives ["Công an tỉnh", "các sở, ban, ngành, đoàn thể tỉnh",
    "Ủy ban nhân dân các xã, phường"]. Stops at the first word that begins a predicate.
    """
    text = text[:_UNIT_WINDOW]
    if STARTS_WITH_VERB.match(text):
        return []
    stop = STOP_WORDS.search(text)
    head = text[: stop.start()] if stop else text
    head = re.split(r"[:.()\[\]]", head, maxsplit=1)[0]
    parts = re.split(r"(,\s*|;\s*|\s+và\s+|\s+cùng\s+|\s*/\s*)", head)
    units: list[str] = []
    i = 0
    while i < len(parts):
        piece = parts[i].strip()
        sep = parts[i - 1] if i > 0 else ""
        i += 2
        if not piece:
            continue
        lone_after_and = sep.strip() == "và" and (
            len(piece.split()) == 1
            # "Văn phòng HĐND và UBND xã": one office of both councils.
            or bool(
                units
                and re.search(r"\b(HĐND|Hội đồng nhân dân)$", units[-1])
                and re.match(r"^(UBND|Ủy ban nhân dân)\b", piece)
            )
        )
        if (
            _is_unit_head(piece)
            and not lone_after_and
            and not (units and _starts_with_any(piece, GROUP_TAILS) and "," in sep)
        ):
            units.append(piece)
        elif units and _starts_with_any(piece, GROUP_TAILS) and "," in sep:
            # A group phrase goes on ("các sở, ban, ngành", "các xã, thị trấn"); past the
            # tail word and its qualifiers the predicate begins ("…, phường xác định …").
            m = GROUP_TAIL_RE.match(piece) if _starts_with_any(piece, PLACE_TAILS) else None
            tail = m.group(0) if m else piece
            units[-1] = f"{units[-1]}{sep}{tail}"
            if m and len(tail) < len(piece):
                break
        elif units and (sep.strip() == "và" or piece[:1].isupper()):
            # A name with "và" or a comma in it ("Sở Thông tin và Truyền thông",
            # "Sở Văn hóa, Thể thao và Du lịch").
            units[-1] = f"{units[-1]}{sep}{piece}"
        else:
            break
    return [u.strip(" ,") for u in units if len(u.strip()) > 1]


def _units_in(match_text: str | None) -> list[str]:
    return unit_phrases(match_text.strip()) if match_text else []


def _subject_units(text: str) -> list[str]:
    """Units named as the subject at the start of the text (or of its main clause)."""
    body = re.sub(r"^(đồng thời|ngoài ra|bên cạnh đó|riêng)\s*,?\s*", "", text, flags=re.IGNORECASE)
    units = unit_phrases(body)
    if units:
        # "UBND tỉnh yêu cầu các sở …": the speaker, not the one who acts.
        return [] if _speaker_after(body, units[-1]) else units
    # "Trên cơ sở …, cơ quan, đơn vị … triển khai": the subject after an opening clause.
    opener = re.match(
        r"^(trên cơ sở|để|căn cứ|sau khi|theo|trong|ngoài việc|nhằm)\b[^,]{0,160},\s*",
        body,
        re.IGNORECASE,
    )
    if opener:
        return _units_at(body, opener.end())
    return []


def _speaker_after(text: str, unit: str) -> bool:
    """Whether the issuer's speaking verb ("yêu cầu", "giao" …) follows ``unit`` in ``text``."""
    end = text.find(unit) + len(unit)
    return bool(SPEAKER_RE.match(text[end : end + _UNIT_WINDOW]))


def _chu_tri(text: str) -> re.Match[str] | None:
    """``CHU_TRI_RE.search(text)``, tried only before each "chủ trì", from the last ";:." there
    or 200 characters back (the lead is at most 160 and holds none of ";:."): the plain search
    tries 160 lead lengths at every character (18 s on a directive of 876 KB)."""
    for tail in _CHU_TRI_TAIL_RE.finditer(text):
        end = tail.start()
        back = max(0, end - 200)
        start = max(back, *(text.rfind(c, back, end) + 1 for c in ";:."))
        m = CHU_TRI_RE.search(text, start, tail.end())
        if m:
            return m
    return None


def _first_sentence(text: str) -> str:
    return re.split(r"(?<=[.])\s+(?=[" + _UPPER + "])", text, maxsplit=1)[0]


def _sentence_subjects(text: str) -> list[str]:
    """Subjects of the text's sentences; in the first sentence also a plural group that
    opens a clause ("Quan tâm …, các phòng, ban chuyên môn nào … thì khẩn trương …")."""
    sentences = [s for s in re.split(r"(?<=[.])\s+(?=[" + _UPPER + "])", text) if s]
    units: list[str] = []
    for i, sentence in enumerate(sentences):
        found = _subject_units(sentence)
        if not found and i == 0:
            for m in re.finditer(r",\s+(?=(?:các|những) )", sentence):
                found = _units_at(sentence, m.end())
                if found:
                    break
        units.extend(u for u in found if u not in units)
    return units


def _heading_units(text: str) -> list[str]:
    """Units named by a heading: "2. Giao Sở Xây dựng", "Đối với X:", "3. Sở Xây dựng"."""
    m = DOI_VOI_RE.match(text.strip())
    if m:
        return [
            u.strip()
            for u in re.split(r",\s*(?=(?:các |những )?[" + _UPPER + "])", m.group("units"))
            if u.strip()
        ]
    return []


def units_of(text: str) -> tuple[list[str], list[str], str | None]:
    """Lead units, support units and report-to named in a directive's own text."""
    clean = text.strip()
    report = REPORT_TO_RE.search(clean)
    report_to = (
        _units_in(report.group("unit"))[0] if report and _units_in(report.group("unit")) else None
    )
    support: list[str] = []
    for m in SUPPORT_RE.finditer(clean):
        support.extend(u for u in _units_at(clean, m.end()) if u not in support)
    # 1. A heading naming units, or the subject that opens the text.
    lead = _heading_units(clean) or _subject_units(_first_sentence(clean))
    # 2. The issuer's own request: "Đề nghị Bảo hiểm xã hội tỉnh phối hợp …".
    if not lead:
        opening = re.match(r"^(?:đề nghị|yêu cầu|kiến nghị)\s+", clean, re.IGNORECASE)
        if opening:
            lead = _units_at(clean, opening.end())
    # 3. "Giao X chủ trì …" adds its units to the subject's.
    giao = GIAO_RE.search(clean)
    if giao:
        lead += [u for u in _units_in(giao.group("lead")) if u not in lead]
    # 4. Subjects of later sentences, or a plural group opening a clause.
    if not lead:
        lead = _sentence_subjects(clean)
    if not lead:
        chu_tri = _chu_tri(clean)
        if chu_tri:
            tail = re.split(r"[,;]\s*", chu_tri.group("lead"))[-1]
            tail = re.sub(
                r"^.*?\b(?=(?:các |những )?(?:" + "|".join(map(re.escape, UNIT_HEADS)) + r")\b)",
                "",
                tail,
                count=1,
                flags=re.IGNORECASE,
            )
            lead = unit_phrases(tail) if _is_unit_head(tail) else []
    if not lead:
        resp = RESPONSIBLE_RE.search(clean)
        if resp:
            lead = _units_in(resp.group("units") or resp.group("units2"))
    if not lead:
        req = REQUEST_UNITS_RE.search(clean)
        if req:
            lead = _units_in(req.group("units"))
    lead = [u for u in lead if not report_to or u != report_to]
    support = [u for u in support if u not in lead]
    return lead, support, report_to


# ----------------------------------------------------------------------------- metadata

_ROLE_LINE = re.compile(
    r"^(KT\.|TM\.|TL\.|Q\.|TUQ\.|CHỦ TỊCH|PHÓ CHỦ TỊCH|GIÁM ĐỐC|CHÁNH|PHÓ CHÁNH|TRƯỞNG|PHÓ TRƯỞNG|BÍ THƯ|THỦ TRƯỞNG)"
)
_NAME_RE = re.compile(rf"^[{_UPPER}][{_LOWER}]+(?: [{_UPPER}][{_LOWER}]+){{1,4}}$")


def _number(blocks: list[str]) -> tuple[str | None, str | None]:
    """The notice number (spaces removed; None when blank) and its symbol part."""
    for text in blocks[:25]:
        m = NUMBER_RE.match(text)
        if not m or not (m.group("digits") or m.group("sym")):
            continue
        sym = re.sub(r"\s+", "", m.group("sym") or "")
        if not m.group("digits"):
            return None, sym or None
        return f"{m.group('digits')}{sym}", sym or None
    return None, None


def _date_line(text: str) -> re.Match[str] | None:
    """``DATE_LINE_RE.search(text)``, tried only just before each ", ngày … năm 2024": the
    place is at most 61 characters, and the plain search costs that many steps a character
    of a long paragraph. (A later date tail cannot give an earlier match: its place cannot
    hold the earlier comma.)"""
    for tail in _DATE_TAIL_RE.finditer(text):
        m = DATE_LINE_RE.search(text, max(0, tail.start() - 80), tail.end())
        if m:
            return m
    return None


def _issue_date(blocks: list[str]) -> tuple[date | None, int | None, str | None]:
    for text in blocks[:30]:
        m = _date_line(text)
        if not m:
            continue
        words = m.group("place").split()
        # "Số: 54 /TB-VP Hòn Đất, ngày …" on one line: the place is after the number.
        cut = max((i + 1 for i, w in enumerate(words) if re.search(r"[/:\d]", w)), default=0)
        place = " ".join(words[cut:]) or None
        year = int(m.group("y"))
        if m.group("d") and m.group("m"):
            try:
                return date(year, int(m.group("m")), int(m.group("d"))), year, place
            except ValueError:
                return None, year, place
        return None, year, place
    return None, None, None


def _doc_type(blocks: list[str], symbol: str | None) -> str | None:
    for text in blocks[:30]:
        up = text.strip().upper()
        for word, kind in (
            ("THÔNG BÁO", "TB"),
            ("KẾ HOẠCH", "KH"),
            ("QUYẾT ĐỊNH", "QĐ"),
            ("CHỈ THỊ", "CT"),
            ("BÁO CÁO", "BC"),
        ):
            if up == word or up.startswith(word + " ") and up == text.strip():
                return kind
        if re.match(r"^V/v\b", text.strip(), re.IGNORECASE):
            return "CV"
    if symbol:
        m = re.match(r"/(TB|KH|QĐ|CT|BC)\b", symbol)
        if m:
            return m.group(1)
        return "CV"
    return None


def _title(blocks: list[str]) -> str | None:
    for i, text in enumerate(blocks[:30]):
        if re.match(r"^V/v\b", text, re.IGNORECASE):
            return text
        if text.strip().upper() in ("THÔNG BÁO", "KẾ HOẠCH", "CHỈ THỊ", "BÁO CÁO") and i + 1 < len(
            blocks
        ):
            return blocks[i + 1]
    return None


def _issuer(blocks: list[str]) -> str | None:
    caps: list[str] = []
    for text in blocks[:8]:
        t = text.strip()
        if t.upper().startswith("CỘNG HÒA") or t.upper().startswith("CỘNG HOÀ"):
            continue
        if t.upper().startswith(("ĐỘC LẬP", "SỐ")) or not t:
            if caps:
                break
            continue
        if t == t.upper() and re.search(f"[{_UPPER}]", t) and len(t) < 120:
            caps.append(
                t.replace("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "")
                .replace("CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM", "")
                .strip()
            )
        elif caps:
            break
    name = " ".join(c for c in caps if c)
    if not name:
        return None
    # "ỦY BAN NHÂN DÂN TỈNH LÀO CAI" → "Ủy ban nhân dân tỉnh Lào Cai".
    words = name.split()
    lower = {
        "ỦY",
        "UỶ",
        "BAN",
        "NHÂN",
        "DÂN",
        "TỈNH",
        "HUYỆN",
        "XÃ",
        "PHƯỜNG",
        "THÀNH",
        "PHỐ",
        "VĂN",
        "PHÒNG",
        "VÀ",
        "SỞ",
        "HĐND",
        "UBND",
        "THỊ",
        "TRẤN",
    }
    out = []
    for j, w in enumerate(words):
        if w in ("HĐND", "UBND"):
            out.append(w)
        elif w in lower:
            out.append(w.capitalize() if j == 0 else w.lower())
        else:
            out.append(w.capitalize())
    return " ".join(out)


def _chair(title: str | None, blocks: list[str]) -> str | None:
    sources = [title or ""] + blocks[:40]
    for text in sources:
        m = re.search(
            rf"(?:kết luận|ý kiến chỉ đạo|chỉ đạo) của (?P<role>(?:Phó )?Chủ tịch [^,;]*?)\s(?P<name>[{_UPPER}][{_LOWER}]+(?: [{_UPPER}][{_LOWER}]+){{1,3}})\b",
            text,
        )
        if m:
            return m.group("name")
    return None


def _signature(blocks: list[str]) -> str | None:
    """The name that ends the signature block, after a role line such as "KT. CHỦ TỊCH"."""
    tail = [b.strip() for b in blocks[-14:] if b.strip()]
    for i in range(len(tail) - 1, -1, -1):
        if _ROLE_LINE.match(tail[i]) or (tail[i].isupper() and "CHỦ TỊCH" in tail[i]):
            for cand in tail[i + 1 :]:
                cand = re.sub(r"^(Ký bởi|Người ký)\s*:?\s*", "", cand)
                if _NAME_RE.match(cand):
                    return cand
            return None
    return None


def _list_after(blocks: list[str], label_re: str) -> tuple[list[str], int | None]:
    """The dash lines after "Kính gửi:" / "Nơi nhận:" (or inline after the colon)."""
    for i, text in enumerate(blocks):
        m = re.search(label_re, text.strip(), re.IGNORECASE)
        if not m:
            continue
        items: list[str] = []
        rest = text.strip()[m.end() :].strip()
        if rest:
            items.extend(
                x.strip(" -;.") for x in re.split(r"\s*-\s+|;\s*", rest) if x.strip(" -;.")
            )
            if not rest.startswith("-"):
                return items, i
        for nxt in blocks[i + 1 : i + 40]:
            t = nxt.strip()
            if not t.startswith(("-", "–", "+", "•")):
                break
            items.append(t.lstrip("-–+• ").rstrip(" ;.,"))
        return items, i
    return [], None


# ----------------------------------------------------------------------------- structure


@dataclass
class _Node:
    kind: str  # marker kind: roman | num | multi | letter | paren | dash | plus | para | row | root
    label: str | None
    text: str
    parent: _Node | None = None
    children: list[_Node] = field(default_factory=list)
    continuation: list[str] = field(default_factory=list)
    cells: dict[str, str] = field(default_factory=dict)
    index: int = 0  # dash/plus bullets count within their parent

    @property
    def full_text(self) -> str:
        return " ".join([self.text, *self.continuation]).strip()

    def path(self) -> str | None:
        parts: list[str] = []
        node: _Node | None = self
        while node is not None and node.kind != "root":
            if node.kind in ("dash", "plus"):
                parts.append(f"-{node.index}")
            elif node.label:
                parts.append(node.label)
            node = node.parent
        return ".".join(reversed(parts)) or None


def _marker(text: str) -> tuple[str, str | None, str] | None:
    m = MARKER_RE.match(text)
    if not m:
        return None
    kind = next(k for k, v in m.groupdict().items() if v is not None)
    label = m.group(kind)
    if kind == "roman" and not label:
        return None
    if kind == "num" and text[m.end(kind) : m.end(kind) + 1] == ")":
        kind = "num"  # "1)" numbers the same way as "1."
    return kind, (None if kind in ("dash", "plus") else label), text[m.end() :].strip()


def _build_tree(texts: list[tuple[str, Block]]) -> _Node:
    """Nest marked paragraphs by the order in which marker kinds appear (an outline)."""
    root = _Node("root", None, "")
    stack: list[_Node] = [root]
    counts: dict[tuple[int, str], int] = {}  # (id of the parent, kind) → children so far
    for text, block in texts:
        if block.kind == "row":
            node = _Node("row", None, text, parent=root)
            node.cells = dict(zip(block.header, block.cells, strict=False))
            root.children.append(node)
            stack = [root]
            continue
        found = _marker(text)
        if found is None:
            stack[-1].continuation.append(text)
            continue
        kind, label, rest = found
        # Pop to the level that holds this kind, if any; else nest under the current item.
        depth = next((i for i in range(len(stack) - 1, 0, -1) if stack[i].kind == kind), None)
        if depth is not None:
            del stack[depth:]
        parent = stack[-1]
        node = _Node(kind, label, rest, parent=parent)
        node.index = counts[id(parent), kind] = counts.get((id(parent), kind), 0) + 1
        parent.children.append(node)
        stack.append(node)
    return root


# ----------------------------------------------------------------------------- extraction


def _is_heading_only(node: _Node) -> bool:
    text = node.text.strip()
    if node.continuation:
        return False
    if text.endswith(":"):
        return True
    words = text.split()
    if len(words) <= 6 and not re.search(r"[.;]$", text):
        return True
    return (
        len(words) <= 14
        and not ACTION_RE.search(text)
        or bool(re.match(r"^(về|đối với)\b", text, re.IGNORECASE))
        and len(words) <= 20
    )


def _is_findings(text: str) -> bool:
    return bool(FINDINGS_RE.search(text)) and not re.search(
        r"\b(yêu cầu|đề nghị|giao|nhiệm vụ|giải pháp|kết luận|chỉ đạo)\b", text, re.IGNORECASE
    )


def _without_purpose(text: str) -> str:
    """Drop an opening purpose clause: "Để …, nâng cao … trong năm 2023, yêu cầu …" states a
    goal, and a year there is not a deadline."""
    for lookahead in (r"(yêu cầu|đề nghị|giao)\b", r"(các|những|người|ủy|uỷ|ubnd)\b"):
        stripped = re.sub(
            rf"^(để|nhằm)\b.*?,\s*(?={lookahead})", "", text, count=1, flags=re.IGNORECASE
        )
        if stripped != text:
            return stripped
    return text


class _Extractor:
    def __init__(self, blocks: list[Block], calendar: WorkCalendar) -> None:
        self.blocks = [b for b in blocks if b.kind != "footnote" and _clean(b.text)]
        self.texts = [_clean(b.text) for b in self.blocks]
        self.calendar = calendar
        self.result = Extraction()
        # _walk and _emit read the same item texts: each is read once (on a directive of
        # 876 KB a second reading was seconds)
        self._dues: dict[str, Due] = {}
        self._units_read: dict[str, tuple[list[str], list[str], str | None]] = {}

    # -- zones
    def run(self) -> Extraction:
        r = self.result
        r.number, symbol = _number(self.texts)
        r.issued_on, r.year, r.place = _issue_date(self.texts)
        r.doc_type = _doc_type(self.texts, symbol)
        r.title = _title(self.texts)
        r.issuer = _issuer(self.texts)
        r.chair = _chair(r.title, self.texts)
        r.signer = _signature(self.texts)
        r.addressees, addr_at = _list_after(self.texts[:40], r"(?:^|\s)kính gửi\s*:")
        r.recipients, end_at = _list_after(self.texts, r"^nơi nhận\s*:?")
        start = self._body_start(addr_at)
        end = end_at if end_at is not None and end_at > start else self._signature_start(start)
        body = [(t, b) for t, b in zip(self.texts[start:end], self.blocks[start:end], strict=True)]
        self._directives(body)
        return r

    def _body_start(self, addr_at: int | None) -> int:
        if addr_at is not None:
            i = addr_at + 1
            while i < len(self.texts) and self.texts[i].startswith(("-", "–", "+", "•")):
                i += 1
            return i
        # Skip the header: number, place and date, document kind and title.
        last = 0
        for i, text in enumerate(self.texts[:12]):
            if _marker(text) or len(text) > 300:
                break  # the body has begun ("I. MỤC ĐÍCH, YÊU CẦU" is a section, not a header)
            if (
                NUMBER_RE.match(text)
                or _date_line(text)
                or text.upper() == text
                or re.match(r"^V/v\b", text)
            ):
                last = i + 1
        if (
            last
            and last < len(self.texts)
            and self.texts[last - 1].upper() in ("THÔNG BÁO", "KẾ HOẠCH", "CHỈ THỊ")
        ):
            last += 1  # the title line after the kind
        return last

    def _signature_start(self, start: int) -> int:
        for i in range(len(self.texts) - 1, start, -1):
            if _ROLE_LINE.match(self.texts[i]):
                return i
        return len(self.texts)

    def _due(self, text: str) -> Due:
        if text not in self._dues:
            self._dues[text] = find_deadline(
                text, issued_on=self.result.issued_on, calendar=self.calendar, year=self.result.year
            )
        return self._dues[text]

    def _units_of(self, text: str) -> tuple[list[str], list[str], str | None]:
        """``units_of(text)``, read once per text; the lists are copies the caller may change."""
        if text not in self._units_read:
            self._units_read[text] = units_of(text)
        lead, support, report_to = self._units_read[text]
        return list(lead), list(support), report_to

    # -- directives
    def _directives(self, body: list[tuple[str, Block]]) -> None:
        # Cut the closing formula and anything after it.
        for i, (text, block) in enumerate(body):
            if block.kind == "para" and not _marker(text) and CLOSING_RE.search(text) and i > 0:
                body = body[:i]
                break
        first_list = next(
            (
                i
                for i, (t, b) in enumerate(body)
                if b.kind == "row" or (_marker(t) and _marker(t)[0] in ("num", "roman", "multi"))
            ),
            None,
        )
        if first_list is None:
            first_list = next(
                (
                    i
                    for i, (t, b) in enumerate(body)
                    if _marker(t)
                    and i > 0
                    and body[i - 1][0].endswith(":")
                    and not _is_findings(body[i - 1][0])
                    and REQUEST_RE.search(body[i - 1][0])
                ),
                None,
            )
        if first_list is None:
            self._unmarked(body)
            return
        preamble = [t for t, _ in body[:first_list]]
        lead_in = next(
            (t for t in reversed(preamble) if t.endswith(":")), preamble[-1] if preamble else ""
        )
        root = _build_tree(body[first_list:])
        root.text = lead_in
        root_units = self._lead_in_units(lead_in)
        for text in preamble:
            if re.match(r"^(giao|phân công)\s", text, re.IGNORECASE) and text is not lead_in:
                self._emit(_Node("para", None, text), [], None)
        self._walk(root, root_units, None, skip=False)

    def _lead_in_units(self, text: str) -> list[str]:
        for pattern in (GIAO_RE, REQUEST_UNITS_RE):
            m = pattern.search(text)
            if m:
                units = _units_in(m.groupdict().get("lead") or m.groupdict().get("units"))
                if units:
                    return units
        # The first clause that begins with a unit name: "Để …, các cơ quan, … tập trung …".
        for m in re.finditer(r"(?:^|[,;]\s+)", text):
            rest = text[m.end() : m.end() + _UNIT_WINDOW]
            units = unit_phrases(rest)
            if units and _speaker_after(rest, units[-1]):
                continue
            if units and any(
                u.lower().startswith(("các", "những", "ủy ban", "uỷ ban", "ubnd", "sở", "phòng"))
                for u in units
            ):
                return units
        return list(self.result.addressees)

    def _walk(self, node: _Node, inherited: list[str], due: Due | None, skip: bool) -> None:
        for child in node.children:
            text = child.full_text
            if child.kind == "row":
                self._emit_row(child, inherited, due)
                continue
            heading = child.text.strip()
            section = bool(child.children) and not child.continuation
            # A plan's "Mục đích, yêu cầu", "Kinh phí" … sections, and findings, are context.
            topic = section or (len(heading.split()) <= 6 and not heading.endswith("."))
            child_skip = (
                skip
                or (topic and bool(NOT_DIRECTIVE_SECTION_RE.match(heading)))
                or (section and _is_findings(heading))
                or bool(DEFINITION_RE.match(heading))
            )
            own_units, _, _ = self._units_of(text)
            units = own_units or _heading_units(heading) or inherited
            own_due = self._due(_without_purpose(text))
            child_due = own_due if own_due.kind != "none" else due
            if child.children:
                list_is_parts = heading.rstrip().endswith(
                    ("gồm:", "bao gồm:")
                ) and not REQUEST_RE.search(heading.split("gồm")[0])
                if not list_is_parts:
                    # A parent is not a directive itself, unless its own words set a dated
                    # deadline for concrete work ("Báo cáo … trước ngày 15/7/2024. Cụ thể:").
                    if not child_skip and own_due.kind in DATED and not _is_heading_only(child):
                        self._emit(child, inherited, due)
                    self._walk(child, units, child_due, child_skip)
                    continue
            if child_skip:
                continue
            if _is_heading_only(child):
                continue
            self._emit(child, inherited, due, units_hint=own_units or None)

    def _emit(
        self,
        node: _Node,
        inherited: list[str],
        due: Due | None,
        units_hint: list[str] | None = None,
    ) -> None:
        text = node.full_text
        lead, support, report_to = self._units_of(text)
        if (
            node.continuation
            and len(node.text.split()) <= 8
            and not re.search(r"[.;:]$", node.text)
        ):
            # "3. Tổ chức thực hiện" + its paragraph: the paragraph names the units.
            body_lead, body_support, body_report = units_of(" ".join(node.continuation))
            if body_lead:
                lead = _heading_units(node.text) or unit_phrases(node.text) or []
                lead += [u for u in body_lead if u not in lead]
                support, report_to = body_support or support, body_report or report_to
        source = "own"
        if not lead:
            lead = _heading_units(node.text) or list(inherited)
            source = "parent" if lead else "none"
        own_due = self._due(text)
        if own_due.kind == "none" and due is not None:
            own_due = due
        self.result.directives.append(
            ExtractedDirective(
                ref=node.path(),
                text=text,
                lead_units=lead,
                support_units=support,
                report_to=report_to,
                due=own_due,
                lead_source=source,
            )
        )

    def _emit_row(self, node: _Node, inherited: list[str], due: Due | None) -> None:
        def cell(*names: str) -> str:
            for key, value in node.cells.items():
                if any(n in key.lower() for n in names):
                    return value
            return ""

        number = cell("stt", "tt")
        task = cell("nhiệm vụ", "nội dung", "công việc") or node.text
        lead = unit_phrases(cell("chủ trì", "thực hiện", "đơn vị")) or [
            u for u in re.split(r"[;,\n]\s*", cell("chủ trì", "thực hiện", "đơn vị")) if u.strip()
        ]
        support = [
            u.strip()
            for u in re.split(r"[;\n]\s*|,\s*(?=[" + _UPPER + "])", cell("phối hợp"))
            if u.strip()
        ]
        when = cell("thời gian", "thời hạn", "tiến độ", "hoàn thành")
        row_due = (
            find_deadline(
                when, issued_on=self.result.issued_on, calendar=self.calendar, year=self.result.year
            )
            if when
            else NO_DUE
        )
        if row_due.kind == "none" and when:
            row_due = find_deadline(
                f"trong {when}",
                issued_on=self.result.issued_on,
                calendar=self.calendar,
                year=self.result.year,
            )
        self.result.directives.append(
            ExtractedDirective(
                ref=f"row-{number}" if number else None,
                text=_clean(task),
                lead_units=lead or list(inherited),
                support_units=support,
                due=row_due if row_due.kind != "none" else (due or NO_DUE),
                lead_source="own" if lead else "parent",
            )
        )

    def _unmarked(self, body: list[tuple[str, Block]]) -> None:
        """A letter or article with no list: paragraphs after a request lead-in, and
        stand-alone paragraphs that assign work ("Giao Sở X chủ trì …")."""
        lead_in_at = next(
            (
                i
                for i, (t, _) in enumerate(body)
                if re.search(r"\b(yêu cầu|đề nghị|chỉ đạo|giao)\b", t, re.IGNORECASE)
                and (
                    t.endswith(":")
                    or re.search(r"\bmột số (giải pháp|nhiệm vụ|nội dung)", t, re.IGNORECASE)
                )
            ),
            None,
        )
        inherited = (
            self._lead_in_units(body[lead_in_at][0])
            if lead_in_at is not None
            else list(self.result.addressees)
        )
        for i, (text, _block) in enumerate(body):
            if i == lead_in_at:
                continue
            assigns = bool(GIAO_RE.search(text)) or bool(
                re.match(r"^(đề nghị|yêu cầu)\s", text, re.IGNORECASE)
            )
            after_lead_in = lead_in_at is not None and i > lead_in_at
            if not (assigns or after_lead_in):
                continue
            words = text.split()
            findings = re.match(
                r"^(tuy nhiên|bên cạnh|qua kiểm tra|nhìn chung|kết quả|trước đó)\b",
                text,
                re.IGNORECASE,
            )
            if len(words) < 12 or not ACTION_RE.search(text) or (findings and not assigns):
                continue
            self._emit(_Node("para", None, text), inherited, None)


def extract_blocks(blocks: list[Block], *, calendar: WorkCalendar | None = None) -> Extraction:
    """Read a notice's metadata and directives from its blocks (no database needed).

    Raises InputError for a text far longer than any notice (MAX_TEXT_CHARS), which is
    almost always the wrong file.
    """
    size = sum(len(b.text) for b in blocks)
    if size > MAX_TEXT_CHARS:
        from tasks.errors import InputError

        raise InputError(
            f"Văn bản dài {size:,} ký tự, vượt giới hạn {MAX_TEXT_CHARS:,} ký tự của một thông báo "
            "hay công văn. Kiểm tra lại tệp (có phải cả một tập văn bản?) và tách riêng từng văn bản."
        )
    extraction = _Extractor(blocks, calendar or default_calendar()).run()
    cal = calendar or default_calendar()
    for d in extraction.directives:
        d.effective_due = effective_due(d.due, cal)
    return extraction


# ----------------------------------------------------------------------------- review


def annotate(extraction: Extraction, directory: Any | None) -> None:
    """Match unit names to the directory (``unit_codes``), and set flags and confidence.

    Flags: ``no_unit`` (no lead unit found), ``unit_not_in_directory:NAME``,
    ``ambiguous_unit:NAME``, ``no_deadline``, ``inherited_units`` (units taken from the list's
    lead-in or the addressees), ``low_confidence``. Without a directory only the
    document-level flags are set.
    """
    from tasks.errors import AmbiguousUnitError, DondocError

    scope = _scope(extraction, directory) if directory is not None else None
    for d in extraction.directives:
        flags: list[str] = []
        confidence = 1.0
        if not d.lead_units:
            flags.append("no_unit")
            confidence -= 0.5
        elif d.lead_source != "own":
            flags.append("inherited_units")
            confidence -= 0.1
        if directory is not None:
            codes: list[str] = []
            for name in [*d.lead_units, *d.support_units]:
                try:
                    match = directory.resolve(name, scope=scope)
                except AmbiguousUnitError:
                    flags.append(f"ambiguous_unit:{name}")
                    confidence -= 0.15
                    continue
                except DondocError:
                    flags.append(f"unit_not_in_directory:{name}")
                    confidence -= 0.15 if name in d.lead_units else 0.05
                    continue
                code = match.unit_code or match.group_code
                if code and code not in codes:
                    codes.append(code)
            d.unit_codes = codes
        if d.due.kind == "none":
            flags.append("no_deadline")
            if re.search(r"\b(trước|chậm nhất|hạn|trong tháng|quý)\b", d.text, re.IGNORECASE):
                confidence -= 0.1  # a deadline word that was not understood
        d.confidence = max(0.05, round(confidence, 2))
        if d.confidence < 0.6:
            flags.append("low_confidence")
        d.flags = flags


def _scope(extraction: Extraction, directory: Any) -> int | None:
    """The level of government whose names the document uses: the issuer's, else the one
    named like the place line ("Hương Sơn, ngày …" → UBND huyện Hương Sơn)."""
    from tasks.errors import DondocError
    from tasks.units import GOVERNMENT_KINDS, name_key

    if extraction.issuer:
        try:
            match = directory.resolve(extraction.issuer)
            if match.unit_code:
                return directory.scope_of(match.unit_ids[0])
        except DondocError:
            pass
    if extraction.place:
        place = name_key(extraction.place)
        found = [
            u.id
            for u in directory.units.values()
            if u.kind in GOVERNMENT_KINDS and u.active and name_key(u.name).endswith(" " + place)
        ]
        if len(found) == 1:
            return found[0]
    return None


def needs_review(directive: ExtractedDirective) -> bool:
    """A directive the clerk should look at first."""
    return any(not f.startswith("inherited_units") for f in directive.flags)
