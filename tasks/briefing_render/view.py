"""The briefing as text: every sentence and table cell the documents show, in reading order.

Every format (DOCX, HTML, Markdown) renders one ``View`` built from the ``Briefing``, so the
formats cannot disagree. Numbers are written as Vietnamese documents write them (``66,7``,
``30/06/2024``). What the settings decide (the number's symbol, the recipients, who signs)
comes in as a ``Sender``: nothing here reads the settings.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tasks.briefing.model import (
    Briefing,
    ItemLine,
    due_count,
    office_line,
    pct_on_time,
    pct_text,
)
from tasks.briefing_render.chart import chart_title
from tasks.fileio import short_text
from tasks.status import CATEGORIES, CATEGORY_BY_KEY

DASH = "—"
STATE_MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
SIGN_HINT = "(Ký, ghi rõ họ tên)"
CHANNELS = {"email": "Thư điện tử", "zalo": "Zalo"}


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
    full: dict[int, str] = field(default_factory=dict)  # row → the whole text of a clipped cell
    full_col: int = 3  # the column those texts belong to (the HTML shows them whole)

    def __post_init__(self) -> None:
        self.widths = fit_widths(self.header, self.rows, self.widths, self.font_pt)

    @property
    def flat_header(self) -> list[str]:
        """The header in one row (Markdown): grouped columns carry the group's name."""
        if self.group is None:
            return self.header
        name, start = self.group
        return self.header[:start] + [f"{name}: {h}" for h in self.header[start:]]

    def is_total(self, row: int) -> bool:
        return row >= len(self.rows) - self.totals


PAGE_CM = 16.5  # A4 between Nghị định 30's margins (3 cm left, 1.5–2 cm right)
CELL_PAD_CM = 0.4  # Word's default cell margins (0.19 cm a side) and a little air


def _char_em(ch: str) -> float:
    """A serif font's advance width of one character, in em, rounded up (Times New Roman /
    Liberation Serif: digits 0.5, capitals up to 0.72, lower case about 0.45)."""
    if ch.isdigit() or ch in "/.,-–:;()%+":
        return 0.5
    if ch.isupper():
        return 0.74
    if ch in "mw":
        return 0.78
    return 0.47


def text_cm(token: str, font_pt: float, *, bold: bool = False) -> float:
    """About how wide ``token`` is printed at ``font_pt`` (a little more, never less)."""
    em_cm = font_pt * 2.54 / 72
    return sum(_char_em(c) for c in token) * em_cm * (1.08 if bold else 1.0)


def fit_widths(
    header: list[str], rows: list[list[str]], widths: tuple[float, ...], font_pt: float
) -> tuple[float, ...]:
    """Column widths (cm) where no word, date or number has to break: each column at least as
    wide as its longest unbreakable token (headers in bold); what that adds is taken from
    the columns with room to spare (the text columns), so the table keeps to the page."""
    need = []
    for j in range(len(widths)):
        cells = [header[j], *(row[j] for row in rows if j < len(row))]
        longest = max(
            (
                text_cm(token, font_pt, bold=k == 0)
                for k, cell in enumerate(cells)
                for token in cell.split()
            ),
            default=0.0,
        )
        need.append(min(longest + CELL_PAD_CM, PAGE_CM / 2))
    fitted = [max(w, n) for w, n in zip(widths, need, strict=True)]
    total = max(sum(widths), 0.0)
    excess = sum(fitted) - min(total, PAGE_CM) if total else 0.0
    slack = [f - n for f, n in zip(fitted, need, strict=True)]
    room = sum(x for x in slack if x > 0)
    if excess > 0 and room > 0:
        take = min(excess, room)
        fitted = [f - take * x / room if x > 0 else f for f, x in zip(fitted, slack, strict=True)]
    return tuple(round(f, 2) for f in fitted)


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


@dataclass(frozen=True)
class Sender:
    """Who sends the briefing: the symbol of its number ("BC-VP"), its recipients, who signs."""

    symbol: str
    recipients: Sequence[str]
    signer_title: str
    signer_name: str | None


def build_view(b: Briefing, sender: Sender) -> View:
    """The briefing's texts and tables, shared by the DOCX, HTML and Markdown renderers."""
    blank = "\u00a0" * 6  # the number is written in by the clerk (NBSP: no collapsing)
    return View(
        parent=b.parent.upper(),
        issuer=office_line(b.parent, b.issuer).upper(),
        number=f"Số:{blank}/{sender.symbol}",
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
        recipients=_recipient_lines(sender.recipients),
        signer_title=sender.signer_title.upper(),
        signer_name=sender.signer_name,
        chart_title=chart_title(b),
    )


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


def _recipient_lines(recipients: Sequence[str]) -> list[str]:
    return [f"- {r};" if i < len(recipients) - 1 else f"- {r}." for i, r in enumerate(recipients)]


# --- I. Tổng hợp chung


def _summary_section(b: Briefing) -> Section:
    rows = [
        [
            str(i),
            c.label,
            str(b.totals[c.key]),
            pct_text(b.share(c.key)),
            str(b.previous_totals[c.key]),
        ]
        for i, c in enumerate(CATEGORIES, 1)
    ]
    previous_total = sum(b.previous_totals.values())
    rows.append(
        ["", "Tổng số", str(b.total), pct_text(100.0 if b.total else None), str(previous_total)]
    )
    table = Table(
        header=["TT", "Tình trạng", "Số lượt giao", "Tỷ lệ (%)", "Kỳ trước"],
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
    what = f"{b.directives} nhiệm vụ" if b.directives else "các nhiệm vụ"
    head = (
        f"Trong {label}, {what} giao cho các đơn vị chủ trì thành {b.total} lượt giao (mỗi "
        "đơn vị chủ trì của một nhiệm vụ, mỗi kỳ của nhiệm vụ định kỳ là một lượt; các số "
        "trong báo cáo đếm lượt giao)"
    )
    if b.pct_on_time is None:
        return f"{head}; chưa có lượt giao nào đến hạn nên chưa tính tỷ lệ hoàn thành đúng hạn."
    return (
        f"{head}; tỷ lệ hoàn thành đúng hạn đạt {pct_text(b.pct_on_time)}% "
        f"({b.totals['done_on_time']} trên {due_count(b.totals)} lượt giao đã đến hạn, gồm "
        f"đã hoàn thành và quá hạn; {b.totals['in_time'] + b.totals['due_soon']} lượt chưa "
        f"đến hạn và {b.totals['no_deadline']} lượt không có thời hạn không tính vào tỷ lệ)."
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
        text += f", tỷ lệ hoàn thành đúng hạn {pct_text(b.previous_pct_on_time)}%"
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
        pct_text(pct),
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
        widths=(0.9, 3.6, 1.2, 1.3, 1.3, 1.4, 1.2, 1.3, 1.3, 1.5, 1.5),
        group=("So với kỳ trước", 9),
        totals=1,
        header_marks={col: CATEGORY_BY_KEY[key].hex for col, key in UNIT_COLUMN_KEYS.items()},
        font_pt=10,
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


TEXT_CLIP = 220  # characters of a directive's text in a table; the whole text in the HTML


def clip(text: str, width: int = TEXT_CLIP) -> str:
    """``text`` cut at a word boundary to at most ``width`` characters, with «…»."""
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.-–") + "…"


def _by_directive(items: list[ItemLine]) -> list[list[ItemLine]]:
    """The items of one directive (and one due date, one period) together, in the order of
    their first item: a directive given to 26 units is one row, not 26."""
    groups: dict[tuple[Any, ...], list[ItemLine]] = {}
    for it in items:
        key = (it.notice_number, it.ref, it.text, it.due, it.occurrence)
        groups.setdefault(key, []).append(it)
    return list(groups.values())


# Units named alike are listed once under their common kind: «UBND các xã: Sơn Hòa, Sơn Long».
_KINDS: tuple[tuple[str, str], ...] = (
    ("UBND xã ", "UBND các xã"),
    ("UBND phường ", "UBND các phường"),
    ("UBND thị trấn ", "UBND các thị trấn"),
    ("UBND huyện ", "UBND các huyện"),
)


def _units_cell(group: list[ItemLine]) -> str:
    """The units of one directive, short: kinds shared by two or more said once."""
    names = [it.unit for it in group]
    out: list[str] = []
    done: set[str] = set()
    for name in names:
        if name in done:
            continue
        kind = next((k for k in _KINDS if name.startswith(k[0])), None)
        alike = [n for n in names if kind and n.startswith(kind[0])]
        if kind and len(alike) >= 2:
            out.append(f"{kind[1]}: " + ", ".join(n[len(kind[0]) :] for n in alike))
            done.update(alike)
        else:
            out.append(name)
            done.add(name)
    return "; ".join(out)


def _notes_cell(group: list[ItemLine]) -> str:
    notes = [(it.unit, it.note) for it in group if it.note]
    if not notes:
        return DASH
    if len(group) == 1:
        return notes[0][1] or DASH
    return "; ".join(f"{unit}: {note}" for unit, note in notes)


def _overdue_section(b: Briefing) -> Section:
    title = "III. Nhiệm vụ quá hạn"
    as_of = _day(b.as_of)
    if not b.overdue:
        return Section(title, intro=[f"Không có nhiệm vụ nào quá hạn tính đến ngày {as_of}."])
    groups = _by_directive(b.overdue)
    rows = [
        [
            str(i),
            g[0].notice_number or DASH,
            (g[0].ref or DASH) + _occurrence(g[0].occurrence),
            clip(g[0].text),
            _units_cell(g),
            _day(g[0].due),
            str(g[0].days_late),
            _notes_cell(g),
        ]
        for i, g in enumerate(groups, 1)
    ]
    header = ["TT", "Văn bản", "Mục", "Nội dung", "Đơn vị chủ trì", "Hạn", "Số ngày quá hạn"]
    header.append("Tiến độ gần nhất")
    widths: tuple[float, ...] = (0.9, 2.0, 1.2, 4.2, 3.8, 2.2, 1.4, 2.2)
    if all(row[-1] == DASH for row in rows):  # no unit has reported: no empty column
        rows, header, widths = (
            [r[:-1] for r in rows],
            header[:-1],
            (0.9, 2.0, 1.2, 4.6, 5.4, 2.2, 1.4),
        )
    table = Table(
        header=header,
        rows=rows,
        align="cccllccl"[: len(header)],
        widths=widths,
        font_pt=11,
        full={i: g[0].text for i, g in enumerate(groups) if clip(g[0].text) != g[0].text},
    )
    total = b.totals["overdue"]
    listed = len(b.overdue)
    count = f"{len(groups)} nhiệm vụ, giao cho {listed} đơn vị chủ trì (lượt giao)"
    if listed < total:
        intro = [
            f"Có {total} lượt giao quá hạn chưa hoàn thành tính đến ngày {as_of}; dưới đây "
            f"là {count}, mỗi nhiệm vụ một dòng:"
        ]
    else:
        intro = [
            f"Có {total} lượt giao quá hạn chưa hoàn thành tính đến ngày {as_of}, thuộc "
            f"{len(groups)} nhiệm vụ (mỗi nhiệm vụ một dòng, kèm các đơn vị chủ trì):"
        ]
    notes = _more_note(total, listed, f"dondoc status --as-of {as_of}")
    if table.full:
        notes.append("Nội dung dài được rút gọn; toàn văn ở báo cáo dạng trang web (HTML) và JSON.")
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


# ----------------------------------------------------------------------------- for the renderers


def nfc(text: str) -> str:
    """Composed Unicode, as Vietnamese text is typed: a decomposed input reads the same."""
    return unicodedata.normalize("NFC", text)


def tint(hex_colour: str, white: float = 0.8) -> str:
    """A light shade of a status colour, for cell backgrounds under black text."""
    rgb = [int(hex_colour.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)]
    return "#" + "".join(f"{round(c + (255 - c) * white):02x}" for c in rgb)
