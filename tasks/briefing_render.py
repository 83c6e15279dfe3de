"""The monthly giao ban briefing as a document: DOCX (Nghị định 30/2020/NĐ-CP layout), HTML,
Markdown, JSON, and its chart.

Every format renders one ``View`` built from the ``Briefing``: the same sentences and the same
table cells in the same order, so the formats cannot disagree. Numbers are written as
Vietnamese documents write them (``66,7``, ``30/06/2024``); the JSON keeps them as numbers.
"""

from __future__ import annotations

import base64
import json
import re
import unicodedata
from copy import deepcopy
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph
from jinja2 import Environment, FileSystemLoader, select_autoescape

from dondoc.settings import get_settings
from tasks.briefing import KEYS, Briefing, ItemLine, UnitLine, pct_on_time
from tasks.errors import InputError
from tasks.fileio import short_text
from tasks.status import CATEGORIES, CATEGORY_BY_KEY

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from matplotlib.figure import Figure

TEMPLATES = Path(__file__).resolve().parent / "templates"
FORMATS = ("docx", "html", "md", "json")
CHART_UNITS = 25  # units drawn one by one; the rest are summed into one bar
OTHERS = "Các đơn vị khác"
DASH = "—"
STATE_MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
SIGN_HINT = "(Ký, ghi rõ họ tên)"
CHANNELS = {"email": "Thư điện tử", "zalo": "Zalo"}

_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


# ----------------------------------------------------------------------------- the view


@dataclass
class Table:
    """A table as every format draws it: header texts, cell texts, and how to lay them out."""

    header: list[str]
    rows: list[list[str]]
    align: str  # one letter per column: l(eft), c(entre), r(ight)
    widths: tuple[float, ...]  # cm on the A4 page (16.5 cm between the margins)
    group: tuple[str, int] | None = None  # a heading over the columns from this index on
    totals: int = 0  # the last rows are totals (bold)
    marks: dict[int, str] = field(default_factory=dict)  # row → status colour of its label
    header_marks: dict[int, str] = field(default_factory=dict)  # column → status colour
    label_col: int = 1
    font_pt: float = 12

    @property
    def flat_header(self) -> list[str]:
        """The header in one row (Markdown): grouped columns carry the group's name."""
        if self.group is None:
            return self.header
        name, start = self.group
        return self.header[:start] + [f"{name}: {h}" for h in self.header[start:]]

    def is_total(self, row: int) -> bool:
        return row >= len(self.rows) - self.totals


@dataclass
class Section:
    title: str
    intro: list[str] = field(default_factory=list)
    table: Table | None = None
    notes: list[str] = field(default_factory=list)
    chart: bool = False  # the chart goes between the intro and the table


@dataclass
class View:
    """Everything the briefing says, as text, in reading order."""

    parent: str
    issuer: str
    number: str
    place_date: str
    subject: str
    sections: list[Section]
    recipients: list[str]
    signer_title: str
    signer_name: str | None
    chart_title: str

    @property
    def title(self) -> str:
        """ "Báo cáo tình hình thực hiện nhiệm vụ được giao tháng 06/2024" (file properties)."""
        return f"Báo cáo {self.subject[0].lower()}{self.subject[1:]}"


def build_view(b: Briefing) -> View:
    """The briefing's texts and tables, shared by the DOCX, HTML and Markdown renderers."""
    s = get_settings()
    blank = "\u00a0" * 6  # the number is written in by the clerk (NBSP: no collapsing)
    return View(
        parent=b.parent.upper(),
        issuer=b.issuer.upper(),
        number=f"Số:{blank}/{s.report_symbol}",
        place_date=f"{b.place}, ngày …… tháng …… năm {b.as_of.year}",
        subject=f"Tình hình thực hiện nhiệm vụ được giao {b.period.label}",
        sections=[
            _summary_section(b),
            _units_section(b),
            _overdue_section(b),
            _notices_section(b),
            _due_next_section(b),
            _failed_section(b),
        ],
        recipients=_recipient_lines(s.report_recipients),
        signer_title=s.report_signer_title.upper(),
        signer_name=s.report_signer_name,
        chart_title=f"Tình hình thực hiện nhiệm vụ theo đơn vị – {b.period.label}",
    )


def _pct(value: float | None) -> str:
    return DASH if value is None else f"{value:.1f}".replace(".", ",")


def _signed(value: float, digits: int) -> str:
    return (
        "0" + (",0" if digits else "") if value == 0 else f"{value:+.{digits}f}".replace(".", ",")
    )


def _delta_pp(now: float | None, before: float | None) -> str:
    """Change of a percentage in points ("+10,0"), or a dash when one side is unknown."""
    return DASH if now is None or before is None else _signed(round(now - before, 1), 1)


def _trend(change: float, unit: str = "") -> str:
    amount = f"{abs(change):.1f}".replace(".", ",") if unit else str(abs(int(change)))
    if change == 0:
        return "không đổi"
    return f"{'tăng' if change > 0 else 'giảm'} {amount}{unit}"


def _day(value: Any) -> str:
    return f"{value:%d/%m/%Y}"


def _recipient_lines(recipients: list[str]) -> list[str]:
    return [f"- {r};" if i < len(recipients) - 1 else f"- {r}." for i, r in enumerate(recipients)]


def _due_count(counts: dict[str, int]) -> int:
    return counts["done_on_time"] + counts["done_late"] + counts["overdue"]


# --- I. Tổng hợp chung


def _summary_section(b: Briefing) -> Section:
    rows = [
        [str(i), c.label, str(b.totals[c.key]), _pct(b.share(c.key)), str(b.previous_totals[c.key])]
        for i, c in enumerate(CATEGORIES, 1)
    ]
    previous_total = sum(b.previous_totals.values())
    rows.append(
        ["", "Tổng số", str(b.total), _pct(100.0 if b.total else None), str(previous_total)]
    )
    table = Table(
        header=["TT", "Tình trạng", "Số nhiệm vụ", "Tỷ lệ (%)", "Kỳ trước"],
        rows=rows,
        align="clccc",
        widths=(1.0, 7.5, 2.6, 2.4, 3.0),
        totals=1,
        marks={i: c.hex for i, c in enumerate(CATEGORIES)},
    )
    notes = [_rate_sentence(b), _comparison_sentence(b), _basis_sentence(b)]
    return Section("I. Tổng hợp chung", table=table, notes=notes)


def _rate_sentence(b: Briefing) -> str:
    label = b.period.label
    if b.total == 0:
        return f"Trong {label} không có nhiệm vụ nào của các đơn vị chủ trì."
    head = f"Trong {label}, các đơn vị chủ trì có {b.total} nhiệm vụ"
    if b.pct_on_time is None:
        return f"{head}; chưa có nhiệm vụ nào đến hạn nên chưa tính tỷ lệ hoàn thành đúng hạn."
    return (
        f"{head}; tỷ lệ hoàn thành đúng hạn đạt {_pct(b.pct_on_time)}% "
        f"({b.totals['done_on_time']} trên {_due_count(b.totals)} nhiệm vụ đã đến hạn, "
        "gồm nhiệm vụ đã hoàn thành và nhiệm vụ quá hạn)."
    )


def _comparison_sentence(b: Briefing) -> str:
    label = b.period.previous().label
    before = b.previous_totals
    if not sum(before.values()):
        return f"Kỳ trước ({label}) không có nhiệm vụ nào nên chưa có số liệu để so sánh."
    text = (
        f"Kỳ trước ({label}) có {sum(before.values())} nhiệm vụ, "
        f"{before['done_on_time']} hoàn thành đúng hạn, {before['overdue']} quá hạn"
    )
    if b.previous_pct_on_time is not None:
        text += f", tỷ lệ hoàn thành đúng hạn {_pct(b.previous_pct_on_time)}%"
    changes = [f"số nhiệm vụ quá hạn {_trend(b.totals['overdue'] - before['overdue'])}"]
    if b.pct_on_time is not None and b.previous_pct_on_time is not None:
        change = round(b.pct_on_time - b.previous_pct_on_time, 1)
        changes.insert(0, f"tỷ lệ đúng hạn {_trend(change, ' điểm phần trăm')}")
    return f"{text}; so với kỳ trước, {', '.join(changes)}."


def _basis_sentence(b: Briefing) -> str:
    return (
        "Số liệu tính theo đơn vị chủ trì (không tính đơn vị phối hợp); nhiệm vụ định kỳ "
        "(hằng tháng, hằng quý, hằng năm) được tính theo từng lần đến hạn trong kỳ, nhiệm vụ "
        f"thường xuyên tính một lần; tình trạng tính đến ngày {_day(b.as_of)}."
    )


# --- II. Kết quả theo đơn vị

UNIT_HEADER = [
    "TT",
    "Đơn vị",
    "Được giao",
    "Hoàn thành đúng hạn",
    "Hoàn thành quá hạn",
    "Đang thực hiện trong hạn",
    "Quá hạn",
    "Không thời hạn",
    "Tỷ lệ đúng hạn (%)",
    "Tỷ lệ đúng hạn (điểm %)",
    "Số quá hạn",
]
UNIT_COLUMN_KEYS = {3: "done_on_time", 4: "done_late", 5: "in_time", 6: "overdue", 7: "no_deadline"}


def _unit_cells(counts: dict[str, int], previous: dict[str, int]) -> list[str]:
    """From "Được giao" to the end, for a unit or for the total."""
    pct = pct_on_time(counts)
    return [
        str(sum(counts.values())),
        str(counts["done_on_time"]),
        str(counts["done_late"]),
        str(counts["in_time"] + counts["due_soon"]),
        str(counts["overdue"]),
        str(counts["no_deadline"]),
        _pct(pct),
        _delta_pp(pct, pct_on_time(previous)) if previous else DASH,
        _signed(counts["overdue"] - previous["overdue"], 0) if previous else DASH,
    ]


def _units_section(b: Briefing) -> Section:
    title = "II. Kết quả theo đơn vị"
    if not b.units:
        return Section(title, intro=["Không có đơn vị nào có nhiệm vụ chủ trì trong kỳ."])
    rows = [[str(i), u.name, *_unit_cells(u.counts, u.previous)] for i, u in enumerate(b.units, 1)]
    previous = b.previous_totals if sum(b.previous_totals.values()) else {}
    rows.append(["", "Tổng số", *_unit_cells(b.totals, previous)])
    table = Table(
        header=UNIT_HEADER,
        rows=rows,
        align="clccccccccc",
        widths=(0.9, 3.1, 1.3, 1.4, 1.4, 1.5, 1.2, 1.4, 1.4, 1.5, 1.4),
        group=("So với kỳ trước", 9),
        totals=1,
        header_marks={col: CATEGORY_BY_KEY[key].hex for col, key in UNIT_COLUMN_KEYS.items()},
        font_pt=11,
    )
    idle = b.units_without_items
    note = (
        f"Có {idle} đơn vị không có nhiệm vụ chủ trì nào trong kỳ."
        if idle
        else "Tất cả các đơn vị đều có nhiệm vụ chủ trì trong kỳ."
    )
    intro = [
        "Cột «Đang thực hiện trong hạn» gồm cả nhiệm vụ sắp đến hạn; «So với kỳ trước» là mức "
        "tăng, giảm của tỷ lệ đúng hạn (điểm phần trăm) và của số nhiệm vụ quá hạn."
    ]
    return Section(title, intro=intro, table=table, notes=[note], chart=True)


# --- III and V. Directive lists


def _occurrence(key: str | None) -> str:
    """A recurring directive's period key as a reader says it: "2024-07" → "tháng 07/2024"."""
    if not key:
        return ""
    if m := re.fullmatch(r"(\d{4})-(\d{2})", key):
        return f" (kỳ tháng {m.group(2)}/{m.group(1)})"
    if m := re.fullmatch(r"(\d{4})-Q(\d)", key):
        return f" (kỳ quý {m.group(2)}/{m.group(1)})"
    return f" (kỳ năm {key})"


def _item_cells(i: int, item: ItemLine) -> list[str]:
    return [
        str(i),
        item.notice_number or DASH,
        (item.ref or DASH) + _occurrence(item.occurrence),
        item.text,
        item.unit,
        _day(item.due),
    ]


def _more_note(total: int, shown: int, command: str) -> list[str]:
    if total <= shown:
        return []
    return [f"… và {total - shown} nhiệm vụ khác; xem đầy đủ bằng lệnh «{command}»."]


def _overdue_section(b: Briefing) -> Section:
    title = "III. Nhiệm vụ quá hạn"
    as_of = _day(b.as_of)
    if not b.overdue:
        return Section(title, intro=[f"Không có nhiệm vụ nào quá hạn tính đến ngày {as_of}."])
    table = Table(
        header=["TT", "Văn bản", "Mục", "Nội dung", "Đơn vị", "Hạn", "Số ngày quá hạn"]
        + ["Tiến độ gần nhất"],
        rows=[
            [*_item_cells(i, it), str(it.days_late), it.note or DASH]
            for i, it in enumerate(b.overdue, 1)
        ],
        align="cccllccl",
        widths=(0.9, 1.9, 1.1, 4.5, 2.6, 2.1, 1.4, 2.0),
        font_pt=11,
    )
    total = b.totals["overdue"]
    intro = [f"Có {total} nhiệm vụ quá hạn chưa hoàn thành tính đến ngày {as_of}:"]
    notes = _more_note(total, len(b.overdue), f"dondoc status --as-of {as_of}")
    return Section(title, intro=intro, table=table, notes=notes)


def _due_next_section(b: Briefing) -> Section:
    title = "V. Nhiệm vụ đến hạn trong kỳ tới"
    label = b.period.next().label
    if not b.due_next:
        return Section(title, intro=[f"Không có nhiệm vụ nào đến hạn trong {label}."])
    table = Table(
        header=["TT", "Văn bản", "Mục", "Nội dung", "Đơn vị", "Hạn", "Tiến độ gần nhất"],
        rows=[[*_item_cells(i, it), it.note or DASH] for i, it in enumerate(b.due_next, 1)],
        align="cccllcl",
        widths=(0.9, 1.9, 1.2, 5.6, 2.8, 2.1, 2.0),
        font_pt=11,
    )
    intro = [f"Có {b.due_next_total} nhiệm vụ đến hạn trong {label} chưa hoàn thành:"]
    notes = _more_note(b.due_next_total, len(b.due_next), "dondoc status")
    return Section(title, intro=intro, table=table, notes=notes)


# --- IV. Notices, VI. failed reminders


def _notices_section(b: Briefing) -> Section:
    title = "IV. Thông báo, văn bản ban hành trong kỳ"
    if not b.notices:
        return Section(title, intro=["Không có thông báo, văn bản nào ban hành trong kỳ."])
    table = Table(
        header=["TT", "Số, ký hiệu", "Ngày ban hành", "Trích yếu", "Số nhiệm vụ", "Số lượt giao"],
        rows=[
            [str(i), n.number or DASH, _day(n.issued_on), n.title, str(n.directives)]
            + [str(n.assignments)]
            for i, n in enumerate(b.notices, 1)
        ],
        align="ccclcc",
        widths=(0.9, 2.3, 2.4, 7.1, 1.9, 1.9),
    )
    intro = [f"Trong kỳ có {len(b.notices)} thông báo, văn bản giao nhiệm vụ được ban hành:"]
    return Section(title, intro=intro, table=table)


def _shown_recipient(url: str) -> str:
    """A contact URL without its scheme or any password ("mailto://a:pw@x" → "a@x")."""
    url = re.sub(r"^([a-z]+://[^:/@]+):[^@/]*@", r"\1@", url)
    return re.sub(r"^mailtos?://", "", url)


def _failed_section(b: Briefing) -> Section:
    title = "VI. Nhắc việc không gửi được"
    if not b.failed:
        text = (
            "Không có nhắc việc nào gửi không thành công: mọi nhắc việc trong kỳ đều đã được gửi."
        )
        return Section(title, intro=[text])
    table = Table(
        header=["TT", "Kênh", "Người nhận", "Đơn vị", "Số lần gửi", "Lỗi gần nhất"],
        rows=[
            [str(i), CHANNELS.get(f.channel, f.channel), _shown_recipient(f.recipient)]
            + [f.unit or DASH, str(f.attempts), short_text(f.last_error or DASH, 200)]
            for i, f in enumerate(b.failed, 1)
        ],
        align="cllccl",
        widths=(0.9, 2.0, 4.0, 3.0, 1.6, 5.0),
        font_pt=11,
    )
    intro = [f"Có {b.failed_total} lượt nhắc việc không gửi được trong kỳ:"]
    notes = []
    if b.failed_total > len(b.failed):
        more = b.failed_total - len(b.failed)
        command = "dondoc outbox --state failed"
        notes = [f"… và {more} lượt khác; xem đầy đủ bằng lệnh «{command}»."]
    return Section(title, intro=intro, table=table, notes=notes)


# ----------------------------------------------------------------------------- the chart


def chart_rows(b: Briefing) -> list[tuple[str, dict[str, int]]]:
    """The chart's bars, top to bottom: the units with most items, then the rest summed."""
    ranked = sorted(b.units, key=lambda u: (-u.assigned, u.name))
    rows = [(u.name, dict(u.counts)) for u in ranked[:CHART_UNITS]]
    rest: list[UnitLine] = ranked[CHART_UNITS:]
    if rest:
        rows.append((OTHERS, {k: sum(u.counts[k] for u in rest) for k in KEYS}))
    return rows


def chart_figure(b: Briefing) -> Figure:
    """The stacked bar chart by unit; 10 inches wide, taller with more bars."""
    from matplotlib.figure import Figure  # slow to import: only charts need it

    rows = chart_rows(b)
    height = round(2.4 + 0.36 * len(rows), 2) if rows else 3.0
    fig = Figure(figsize=(10, height), dpi=120, layout="constrained")
    fig.suptitle(
        f"Tình hình thực hiện nhiệm vụ theo đơn vị – {b.period.label}",
        fontsize=13,
        fontweight="bold",
    )
    ax = fig.add_subplot()
    if rows:
        _draw_bars(fig, ax, rows)
    else:
        ax.axis("off")
        ax.text(0.5, 0.5, "Không có nhiệm vụ nào trong kỳ để thể hiện.", ha="center", fontsize=12)
    return fig


def _draw_bars(fig: Figure, ax: Any, rows: list[tuple[str, dict[str, int]]]) -> None:
    from matplotlib.ticker import MaxNLocator

    y = list(range(len(rows)))
    left = [0] * len(rows)
    for cat in CATEGORIES:
        values = [counts[cat.key] for _, counts in rows]
        ax.barh(y, values, left=left, height=0.7, color=cat.hex, label=cat.label)
        left = [a + v for a, v in zip(left, values, strict=True)]
    for i, total in enumerate(left):
        ax.text(total, i, f" {total}", va="center", fontsize=9)
    ax.set_yticks(y, [short_text(name, 40) for name, _ in rows], fontsize=10)
    ax.invert_yaxis()  # the biggest unit on top
    ax.set_xlim(0, max(left) * 1.08 + 0.5)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("Số nhiệm vụ (đơn vị chủ trì)")
    ax.spines[["top", "right"]].set_visible(False)
    fig.legend(loc="outside lower center", ncols=3, frameon=False, fontsize=10)


def chart_png(b: Briefing) -> bytes:
    """The chart as PNG bytes (Agg canvas, 120 dpi, DejaVu Sans for the Vietnamese text)."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    with matplotlib.rc_context({"font.family": "DejaVu Sans"}):
        fig = chart_figure(b)
        canvas = FigureCanvasAgg(fig)  # the Agg backend, without touching pyplot's global one
        buf = BytesIO()
        canvas.print_png(buf, metadata={"Software": None})  # same bytes on every version
    return buf.getvalue()


# ----------------------------------------------------------------------------- HTML, Markdown


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _tint(hex_colour: str, white: float = 0.8) -> str:
    """A light shade of a status colour, for cell backgrounds under black text."""
    rgb = [int(hex_colour.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)]
    return "#" + "".join(f"{round(c + (255 - c) * white):02x}" for c in rgb)


def _md_text(text: str) -> str:
    """Markdown-escape inline text: no markup, no HTML, no table breaks."""
    text = re.sub(r"([\\`*_\[\]<>|])", r"\\\1", text)
    return re.sub(r"\s*\n\s*", " ", text)


def _md_row(cells: list[str], bold: bool = False) -> str:
    shown = [f"**{_md_text(c)}**" if bold and c else _md_text(c) for c in cells]
    return "| " + " | ".join(shown) + " |"


def _md_align(align: str) -> str:
    marks = {"l": ":---", "c": ":---:", "r": "---:"}
    return "| " + " | ".join(marks[a] for a in align) + " |"


_env.filters.update(tint=_tint, md=_md_text, md_row=_md_row, md_align=_md_align)
_FIXED = {"motto": STATE_MOTTO, "sign_hint": SIGN_HINT}


def render_html(b: Briefing, png: bytes | None = None) -> str:
    """One self-contained, printable HTML page (the chart inlined as a data: URI); ``png``
    is the chart when the caller already drew it."""
    view = build_view(b)
    chart = base64.b64encode(png or chart_png(b)).decode("ascii") if b.units else None
    html = _env.get_template("briefing.html.j2").render(v=view, chart=chart, **_FIXED)
    return _nfc(html)


def render_markdown(b: Briefing, chart: str | None = None) -> str:
    """The briefing in Markdown; ``chart`` is the chart image's file name, linked when given."""
    link = None
    if chart and b.units:
        link = f"<{chart}>" if re.search(r"[\s()]", chart) else chart
    text = _env.get_template("briefing.md.j2").render(v=build_view(b), chart=link, **_FIXED)
    return _nfc(text)


# ----------------------------------------------------------------------------- DOCX

_ALIGN = {
    "l": WD_ALIGN_PARAGRAPH.LEFT,
    "c": WD_ALIGN_PARAGRAPH.CENTER,
    "r": WD_ALIGN_PARAGRAPH.RIGHT,
    "j": WD_ALIGN_PARAGRAPH.JUSTIFY,
}
_FONT = "Times New Roman"
_TEXT_CM = 16.5  # A4 width 21 cm, less 3 cm left and 1.5 cm right margins
# Elements that follow these in the OOXML schema, so new ones go in the order Word expects.
_AFTER_PBDR = (
    *("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct"),
    *("w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd"),
    *("w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents"),
    *("w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap"),
    *("w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange"),
)
_AFTER_SHD = (
    *("w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark"),
    *("w:headers", "w:cellIns", "w:cellDel", "w:cellMerge", "w:tcPrChange"),
)
_AFTER_TBLBORDERS = (
    *("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription"),
    "w:tblPrChange",
)
_AFTER_TBLHEADER = ("w:tblCellSpacing", "w:jc", "w:hidden", "w:ins", "w:del", "w:trPrChange")


def render_docx(b: Briefing, png: bytes | None = None) -> bytes:
    """The briefing as an administrative report (Nghị định 30/2020/NĐ-CP layout); ``png`` is
    the chart when the caller already drew it."""
    view = build_view(b)
    doc = Document()
    _page_setup(doc, view)
    _docx_heading(doc, view)
    chart = (png or chart_png(b)) if b.units else None
    for section in view.sections:
        _docx_section(doc, section, chart)
    _docx_closing(doc, view)
    buf = BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _page_setup(doc: DocxDocument, view: View) -> None:
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21), Cm(29.7)
    sec.top_margin, sec.bottom_margin = Cm(2), Cm(2)
    sec.left_margin, sec.right_margin = Cm(3), Cm(1.5)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = _FONT, Pt(13)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), _FONT)
    normal.paragraph_format.space_after = Pt(0)
    doc.core_properties.title = view.title
    doc.core_properties.language = "vi-VN"
    _page_numbers(sec)


def _page_numbers(sec: Any) -> None:
    """Page numbers centred at the top, from the second page on (as Nghị định 30 asks)."""
    sec.different_first_page_header_footer = True
    p = sec.header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "2"
    run.append(text)
    fld.append(run)
    p._p.append(fld)


def _format(
    p: Paragraph,
    text: str,
    *,
    size: float = 13,
    bold: bool = False,
    italic: bool = False,
    align: str = "l",
    after: float = 0,
) -> Paragraph:
    if text:
        run = p.add_run(_nfc(text))
        run.font.size = Pt(size)
        run.bold = bold or None
        run.italic = italic or None
    p.alignment = _ALIGN[align]
    p.paragraph_format.space_after = Pt(after)
    return p


def _cell_line(cell: _Cell, text: str, *, first: bool = False, **fmt: Any) -> Paragraph:
    return _format(cell.paragraphs[0] if first else cell.add_paragraph(), text, **fmt)


def _body(doc: DocxDocument, text: str, **fmt: Any) -> Paragraph:
    p = _format(doc.add_paragraph(), text, **{"align": "j", "after": 6, **fmt})
    p.paragraph_format.first_line_indent = Cm(1)
    return p


def _rule(p: Paragraph, width_cm: float, box_cm: float) -> None:
    """Make an empty paragraph a short centred line (the rule under a heading)."""
    fmt = p.paragraph_format
    fmt.left_indent = fmt.right_indent = Cm((box_cm - width_cm) / 2)
    fmt.line_spacing = Pt(2)
    fmt.space_after = Pt(6)
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "6"), ("space", "1"), ("color", "auto")):
        bottom.set(qn(f"w:{key}"), value)
    border.append(bottom)
    p._p.get_or_add_pPr().insert_element_before(border, *_AFTER_PBDR)


def _no_borders(table: Any) -> None:
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    table._tbl.tblPr.insert_element_before(borders, *_AFTER_TBLBORDERS)


def _layout_table(doc: DocxDocument, widths: tuple[float, float]) -> tuple[_Cell, _Cell]:
    """A borderless two-column table (document heading, signature block)."""
    table = doc.add_table(rows=1, cols=2)
    table.autofit = False
    _no_borders(table)
    _set_widths(table, widths)
    left, right = table.rows[0].cells
    return left, right


def _docx_heading(doc: DocxDocument, v: View) -> None:
    left, right = _layout_table(doc, (6.5, 10.0))
    _cell_line(left, v.parent, first=True, size=13, align="c")
    _cell_line(left, v.issuer, size=13, bold=True, align="c")
    _rule(_cell_line(left, ""), 2.5, 6.5)
    _cell_line(left, v.number, size=13, align="c")
    _cell_line(right, STATE_MOTTO[0], first=True, size=13, bold=True, align="c")
    _cell_line(right, STATE_MOTTO[1], size=14, bold=True, align="c")
    _rule(_cell_line(right, ""), 5.8, 10.0)
    _cell_line(right, v.place_date, size=14, italic=True, align="c")
    _format(
        doc.add_paragraph(), "BÁO CÁO", size=14, bold=True, align="c"
    ).paragraph_format.space_before = Pt(18)
    _format(doc.add_paragraph(), v.subject, size=14, bold=True, align="c")
    _rule(doc.add_paragraph(), 4.0, _TEXT_CM)


def _docx_section(doc: DocxDocument, s: Section, chart: bytes | None) -> None:
    heading = _body(doc, s.title, bold=True, align="l")
    heading.paragraph_format.space_before = Pt(6)
    heading.paragraph_format.keep_with_next = True
    for text in s.intro:
        _body(doc, text)
    if s.chart and chart:
        p = _format(doc.add_paragraph(), "", align="c", after=6)
        p.add_run().add_picture(BytesIO(chart), width=Cm(16))
    if s.table:
        _docx_table(doc, s.table)
    for text in s.notes:
        _body(doc, text)


def _rows_cells(table: Any) -> list[list[_Cell]]:
    """Every row's cells, straight from the XML in one pass: python-docx's ``row.cells`` lays
    out the whole table each time, which made a 3,500-row table take minutes."""
    return [[_Cell(tc, table) for tc in tr.tc_lst] for tr in table._tbl.tr_lst]


def _set_widths(table: Any, widths: tuple[float, ...]) -> None:
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)
    for cells in _rows_cells(table):
        for cell, width in zip(cells, widths, strict=True):
            cell.width = Cm(width)


def _shade(cell: _Cell, hex_colour: str) -> None:
    shd = OxmlElement("w:shd")
    for key, value in (("val", "clear"), ("color", "auto"), ("fill", hex_colour.lstrip("#"))):
        shd.set(qn(f"w:{key}"), value.upper() if key == "fill" else value)
    cell._tc.get_or_add_tcPr().insert_element_before(shd, *_AFTER_SHD)


def _repeat_header(row: Any) -> None:
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().insert_element_before(el, *_AFTER_TBLHEADER)


def _docx_table(doc: DocxDocument, t: Table) -> None:
    head = 2 if t.group else 1
    table = doc.add_table(rows=head, cols=len(t.header), style="Table Grid")
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _set_widths(table, t.widths)
    _docx_table_header(table, t)
    style = _cell_style(doc, t.font_pt)
    # Body rows are copies of a formatted prototype row (lxml deepcopy) with their texts put
    # in: python-docx's element by element way takes ~100 µs a cell, and a national briefing
    # has tens of thousands of cells.
    protos = {bold: _proto_row(table, t, style, bold=bold) for bold in (False, True)}
    text_tag = qn("w:t")
    for i, values in enumerate(t.rows):
        tr = deepcopy(protos[t.is_total(i)])
        for tc, text in zip(tr.tc_lst, values, strict=True):
            tc.find(f".//{text_tag}").text = _nfc(text)
        table._tbl.append(tr)
        if i in t.marks:
            _shade(_Cell(tr.tc_lst[t.label_col], table), _tint(t.marks[i]))
    doc.add_paragraph().paragraph_format.space_after = Pt(0)


def _proto_row(table: Any, t: Table, style: Any, *, bold: bool) -> Any:
    """A body row with every cell formatted and holding one run (text to fill in), detached."""
    tr = table.add_row()._tr
    for j, tc in enumerate(tr.tc_lst):
        cell = _Cell(tc, table)
        cell.width = Cm(t.widths[j])
        _fast_cell(cell, " ", style=style, bold=bold, align=t.align[j])
    table._tbl.remove(tr)
    return tr


def _cell_style(doc: DocxDocument, size: float) -> Any:
    """A paragraph style for table cells of one font size: set once, not on every cell."""
    name = f"dondoc bảng {size:g}"
    if name not in [s.name for s in doc.styles]:
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = doc.styles["Normal"]
        style.font.size = Pt(size)
        style.paragraph_format.space_after = Pt(0)
    return doc.styles[name]


def _fast_cell(cell: _Cell, text: str, *, style: Any, bold: bool, align: str) -> None:
    """A body cell: its text in the table's style; only what differs is set on the cell
    (a 3,500-row table has tens of thousands of cells)."""
    p = cell.paragraphs[0]
    p._p.get_or_add_pPr().style = style.style_id  # the setter would look the style up each time
    if text:
        run = p.add_run(_nfc(text))
        if bold:
            run.bold = True
    if align != "l":
        p.alignment = _ALIGN[align]


def _docx_table_header(table: Any, t: Table) -> None:
    top = table.rows[0].cells
    cells = list(top)
    if t.group:
        name, start = t.group
        bottom = table.rows[1].cells
        cells = [top[j].merge(bottom[j]) for j in range(start)] + list(bottom[start:])
        group = top[start].merge(top[len(t.header) - 1])
        _header_cell(group, name, t.font_pt)
        _repeat_header(table.rows[1])
    for j, (cell, text) in enumerate(zip(cells, t.header, strict=True)):
        _header_cell(cell, text, t.font_pt, t.header_marks.get(j))
    _repeat_header(table.rows[0])


def _header_cell(cell: _Cell, text: str, size: float, mark: str | None = None) -> None:
    _cell_line(cell, text, first=True, size=size, bold=True, align="c")
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    _shade(cell, _tint(mark) if mark else "#D9D9D9")


def _docx_closing(doc: DocxDocument, v: View) -> None:
    left, right = _layout_table(doc, (8.0, 8.5))
    _cell_line(left, "Nơi nhận:", first=True, size=12, bold=True, italic=True)
    for line in v.recipients:
        _cell_line(left, line, size=11)
    _cell_line(right, v.signer_title, first=True, size=13, bold=True, align="c")
    _cell_line(right, SIGN_HINT, size=13, italic=True, align="c")
    for _ in range(4):
        _cell_line(right, "")
    if v.signer_name:
        _cell_line(right, v.signer_name, size=13, bold=True, align="c")


# ----------------------------------------------------------------------------- the CLI's entry


def write_briefing(b: Briefing, fmt: str, out: Path | None) -> bytes | str:
    """Render in a format (docx, html, md, json) and write it to ``out`` when given.

    Markdown written to a file gets its chart beside it (``<out stem>.png``), linked.
    Returns what was rendered (bytes for DOCX, text otherwise)."""
    kind = fmt.strip().lower()
    if kind not in FORMATS:
        raise InputError(f"Định dạng «{fmt}» không được hỗ trợ: dùng docx, html, md hoặc json.")
    if kind == "docx" and out is None:
        raise InputError(
            "Báo cáo DOCX là tệp nhị phân, không in ra màn hình được: "
            "cần chỉ định tệp bằng --out, ví dụ --out bao-cao.docx."
        )
    if kind == "md" and out is not None and b.units:
        chart = out.with_name(f"{out.stem}.png")
        _write(chart, chart_png(b))
        content: bytes | str = render_markdown(b, chart=chart.name)
    elif kind == "md":
        content = render_markdown(b)
    elif kind == "docx":
        content = render_docx(b)
    elif kind == "html":
        content = render_html(b)
    else:
        content = json.dumps(b.to_json(), ensure_ascii=False, indent=2)
    if out is not None:
        _write(out, content)
    return content


def _write(path: Path, content: bytes | str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"Không ghi được tệp «{path}»: {exc.strerror or exc}.") from exc
