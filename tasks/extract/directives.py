"""Reading a notice's blocks: its zones, then the directives of its body with their units
and deadlines (``extract_blocks``)."""

from __future__ import annotations

import re
import unicodedata

from tasks.calendar import WorkCalendar, default_calendar
from tasks.deadlines import NO_DUE, Due, DueKind, effective_due, find_deadline
from tasks.extract.header import (
    NUMBER_RE,
    ROLE_LINE,
    chair_of,
    date_line,
    doc_type_of,
    issue_date_of,
    issuer_of,
    list_after,
    number_of,
    signer_of,
    title_of,
)
from tasks.extract.lexicon import (
    ACTION_RE,
    CLOSING_RE,
    DEFINITION_RE,
    FINDINGS_RE,
    GIAO_RE,
    GROUP_TAILS,
    NOT_DIRECTIVE_SECTION_RE,
    REQUEST_RE,
    REQUEST_UNITS_RE,
    UPPER,
)
from tasks.extract.named_units import (
    UNIT_WINDOW,
    heading_units,
    speaker_after,
    unit_phrases,
    units_in,
    units_of,
)
from tasks.extract.outline import Node, build_tree, marker
from tasks.extract.result import ExtractedDirective, Extraction
from tasks.readers import Block

DATED = (DueKind.DATE, DueKind.MONTH, DueKind.QUARTER, DueKind.YEAR)
# A long notice or plan is some tens of thousands of characters; a megabyte is another kind of file.
MAX_TEXT_CHARS = 1_000_000

SUPERSCRIPTS = re.compile(r"[\u00b9\u00b2\u00b3\u2070-\u2079]")


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = SUPERSCRIPTS.sub("", text).replace("*", "")
    return re.sub(r"\s+", " ", text).strip()


def _units_listed_before_tasks(node: Node) -> list[str] | None:
    """The units of a «… gồm:» dash list whose items carry tasks (lettered items under the
    list, the lead-in «chủ trì thực hiện các nhiệm vụ sau:» glued to its last unit); None when
    the list carries no task (a list of parts or of units only)."""
    dashes = [d for d in node.children if d.kind in ("dash", "plus")]
    if not dashes or not any(d.children for d in dashes):
        return None
    units: list[str] = []
    for d in dashes:
        name = re.split(r"[;.]\s", d.text.strip(), maxsplit=1)[0].strip(" ;.")
        units += [u for u in (unit_phrases(name) or [name]) if u not in units]
    return units


def _is_heading_only(node: Node) -> bool:
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


def _is_numbered(text: str) -> bool:
    """An item of a numbered outline ("1.", "II.", "1.2."), where a notice's list begins."""
    found = marker(text)
    return found is not None and found[0] in ("num", "roman", "multi")


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


# A lead-in that lists the units before their tasks: «3. Giao các đơn vị sau: - Sở Y tế; …
# - Công an tỉnh triển khai các nội dung: a) … c)».
_UNITS_LISTED_RE = re.compile(
    r"\bcác (?:đơn vị|cơ quan|cơ quan, đơn vị|sở, ngành|địa phương)"
    r" (?:sau(?: đây)?|dưới đây|có tên dưới đây)\s*:\s*$",
    re.IGNORECASE,
)
# Units in a task table's cell: one a line or between «;», «,» — but not the comma of a group
# phrase («Trạm Y tế các xã, phường», «các sở, ban, ngành»).
_CELL_UNITS_SPLIT_RE = re.compile(
    r"[;\n]\s*|,(?!\s*(?:"
    + "|".join(sorted(map(re.escape, GROUP_TAILS), key=len, reverse=True))
    + r")\b)\s*"
)
# The heading of an appendix after the signature: «PHỤ LỤC», «Phụ lục: Phân công nhiệm vụ».
_APPENDIX_RE = re.compile(r"^\s*(?:PHỤ LỤC|Phụ lục)\b")


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
        r.number, symbol = number_of(self.texts)
        r.symbol = symbol
        r.issued_on, r.year, r.place = issue_date_of(self.texts)
        r.doc_type = doc_type_of(self.texts, symbol)
        r.title = title_of(self.texts)
        r.issuer = issuer_of(self.texts)
        r.chair = chair_of(r.title, self.texts)
        r.signer = signer_of(self.texts)
        r.addressees, addr_at = list_after(self.texts[:40], r"(?:^|\s)kính gửi\s*:")
        r.recipients, end_at = list_after(self.texts, r"^nơi nhận\s*:?")
        start = self._body_start(addr_at)
        end = end_at if end_at is not None and end_at > start else self._signature_start(start)
        body = [(t, b) for t, b in zip(self.texts[start:end], self.blocks[start:end], strict=True)]
        self._directives(body)
        # A plan's task table is often an appendix after the signature («Phụ lục: Phân công
        # nhiệm vụ»): its rows are directives as well.
        appendix = next(
            (i for i in range(end, len(self.texts)) if _APPENDIX_RE.match(self.texts[i])), None
        )
        if appendix is not None:
            rows = [
                (t, b)
                for t, b in zip(self.texts[appendix:], self.blocks[appendix:], strict=True)
                if b.kind == "row"
            ]
            if rows:
                self._directives(rows)
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
            if marker(text) or len(text) > 300:
                break  # the body has begun ("I. MỤC ĐÍCH, YÊU CẦU" is a section, not a header)
            if (
                NUMBER_RE.match(text)
                or date_line(text)
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
            if ROLE_LINE.match(self.texts[i]):
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
            if block.kind == "para" and not marker(text) and CLOSING_RE.search(text) and i > 0:
                body = body[:i]
                break
        first_list = next(
            (i for i, (t, b) in enumerate(body) if b.kind == "row" or _is_numbered(t)),
            None,
        )
        if first_list is None:
            first_list = next(
                (
                    i
                    for i, (t, b) in enumerate(body)
                    if marker(t)
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
        root = build_tree(body[first_list:])
        root.text = lead_in
        root_units = self._lead_in_units(lead_in)
        for text in preamble:
            if re.match(r"^(giao|phân công)\s", text, re.IGNORECASE) and text is not lead_in:
                self._emit(Node("para", None, text), [], None)
        self._walk(root, root_units, None, skip=False)

    def _lead_in_units(self, text: str) -> list[str]:
        for pattern in (GIAO_RE, REQUEST_UNITS_RE):
            m = pattern.search(text)
            if m:
                units = units_in(m.groupdict().get("lead") or m.groupdict().get("units"))
                if units:
                    return units
        # The first clause that begins with a unit name: "Để …, các cơ quan, … tập trung …".
        for m in re.finditer(r"(?:^|[,;]\s+)", text):
            rest = text[m.end() : m.end() + UNIT_WINDOW]
            units = unit_phrases(rest)
            if units and speaker_after(rest, units[-1]):
                continue
            if units and any(
                u.lower().startswith(("các", "những", "ủy ban", "uỷ ban", "ubnd", "sở", "phòng"))
                for u in units
            ):
                return units
        return list(self.result.addressees)

    def _walk(self, node: Node, inherited: list[str], due: Due | None, skip: bool) -> None:
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
            units = own_units or heading_units(heading) or inherited
            own_due = self._due(_without_purpose(text))
            child_due = own_due if own_due.kind != DueKind.NONE else due
            if child.children:
                list_is_parts = heading.rstrip().endswith(
                    ("gồm:", "bao gồm:")
                ) and not REQUEST_RE.search(heading.split("gồm")[0])
                listed = (
                    _units_listed_before_tasks(child)
                    if list_is_parts or _UNITS_LISTED_RE.search(heading)
                    else None
                )
                if listed is not None:
                    # «2. Các sở quản lý chuyên ngành gồm: - Sở Y tế; - Sở Công Thương … chủ
                    # trì thực hiện các nhiệm vụ sau: a) … đ)»: the units listed lead every
                    # task under the list (the tasks are the item's own: refs 2.a … 2.đ).
                    holder = Node(child.kind, child.label, child.text, parent=child.parent)
                    for grand in child.children:
                        for task in grand.children:
                            task.parent = holder
                            holder.children.append(task)
                    self._walk(holder, listed or units, child_due, child_skip)
                    continue
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
        node: Node,
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
            head = heading_units(node.text) or unit_phrases(node.text) or []
            if body_lead:
                lead = head + [u for u in body_lead if u not in head]
                support, report_to = body_support or support, body_report or report_to
            elif head:
                # «2. Phòng Văn hóa - Xã hội» + «Thường xuyên tuyên truyền …»: the unit's
                # name ends with its heading's line.
                lead = head
        source = "own"
        if not lead:
            lead = heading_units(node.text) or list(inherited)
            source = "parent" if lead else "none"
        own_due = self._due(text)
        if own_due.kind == DueKind.NONE and due is not None:
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

    def _emit_row(self, node: Node, inherited: list[str], due: Due | None) -> None:
        def cell(*names: str) -> str:
            for key, value in node.cells.items():
                if any(n in key.lower() for n in names):
                    return value
            return ""

        number = cell("stt", "tt")
        task = cell("nhiệm vụ", "nội dung", "công việc") or node.text
        lead = unit_phrases(cell("chủ trì", "thực hiện", "đơn vị")) or [
            u
            for u in _CELL_UNITS_SPLIT_RE.split(cell("chủ trì", "thực hiện", "đơn vị"))
            if u.strip()
        ]
        support = [
            u.strip()
            for u in re.split(r"[;\n]\s*|,\s*(?=[" + UPPER + "])", cell("phối hợp"))
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
        if row_due.kind == DueKind.NONE and when:
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
                due=row_due if row_due.kind != DueKind.NONE else (due or NO_DUE),
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
                if re.search(r"\b(yêu cầu|đề nghị|chỉ đạo|giao|ý kiến)\b", t, re.IGNORECASE)
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
                r"^(tuy nhiên|bên cạnh|qua kiểm tra|nhìn chung|kết quả|trước đó|"
                r"(?:trong )?thời gian (?:vừa )?qua|vừa qua|hiện nay|theo báo cáo|"
                r"theo dự báo|từ đầu năm|đến nay|qua theo dõi)\b",
                text,
                re.IGNORECASE,
            )
            if len(words) < 12 or not ACTION_RE.search(text) or (findings and not assigns):
                continue
            self._emit(Node("para", None, text), inherited, None)


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
