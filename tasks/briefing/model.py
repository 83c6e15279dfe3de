"""The briefing's numbers as data, and the arithmetic on them: no database here.

``tasks.briefing.queries`` fills these from SQL; every format (DOCX, HTML, Markdown, JSON, the
Prefect artifacts) renders the one ``Briefing``.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from tasks.periods import Period
from tasks.status import CATEGORIES

KEYS = tuple(c.key for c in CATEGORIES)


@dataclass
class UnitLine:
    """One unit's row of the table: counts in the six categories, and against last period."""

    unit_id: int
    code: str
    name: str
    counts: dict[str, int]
    previous: dict[str, int] = field(default_factory=dict)

    @property
    def assigned(self) -> int:
        return sum(self.counts.values())

    @property
    def in_progress_in_time(self) -> int:
        return self.counts["in_time"] + self.counts["due_soon"]

    @property
    def pct_on_time(self) -> float | None:
        return pct_on_time(self.counts)

    @property
    def previous_pct_on_time(self) -> float | None:
        return pct_on_time(self.previous) if self.previous else None

    def to_json(self) -> dict[str, Any]:
        return {
            "unit_id": self.unit_id,
            "code": self.code,
            "name": self.name,
            "assigned": self.assigned,
            **self.counts,
            "in_progress_in_time": self.in_progress_in_time,
            "pct_on_time": self.pct_on_time,
            "previous": {
                "assigned": sum(self.previous.values()),
                **self.previous,
                "pct_on_time": self.previous_pct_on_time,
            }
            if self.previous
            else None,
        }


@dataclass
class ItemLine:
    """An overdue or upcoming directive as the report lists it."""

    assignment_id: int
    notice_number: str | None
    ref: str | None
    text: str
    unit: str
    due: date
    days_late: int = 0
    note: str | None = None
    occurrence: str | None = None  # period key of a recurring directive's occurrence


@dataclass
class NoticeLine:
    number: str | None
    issued_on: date
    title: str
    directives: int
    assignments: int


@dataclass
class FailedLine:
    channel: str
    recipient: str
    unit: str | None
    attempts: int
    last_error: str | None
    at: datetime | None


@dataclass
class Briefing:
    """Everything the monthly report says, for every format."""

    period: Period
    as_of: date
    parent: str
    issuer: str
    place: str
    totals: dict[str, int]
    previous_totals: dict[str, int]
    units: list[UnitLine]
    units_without_items: int
    overdue: list[ItemLine]
    due_next: list[ItemLine]
    due_next_total: int
    notices: list[NoticeLine]
    failed: list[FailedLine]
    failed_total: int
    list_limit: int
    directives: int = 0  # distinct directives behind the items (an item: a unit, a period)

    @property
    def total(self) -> int:
        return sum(self.totals.values())

    @property
    def pct_on_time(self) -> float | None:
        return pct_on_time(self.totals)

    @property
    def previous_pct_on_time(self) -> float | None:
        return pct_on_time(self.previous_totals)

    def share(self, key: str) -> float | None:
        return round(100 * self.totals[key] / self.total, 1) if self.total else None

    def to_json(self) -> dict[str, Any]:
        """The numbers for machines (``--format json``); dates as ISO strings."""

        def plain(obj: Any) -> Any:
            if isinstance(obj, dict):
                return {k: plain(v) for k, v in obj.items()}
            if isinstance(obj, list):
                return [plain(v) for v in obj]
            if isinstance(obj, (date, datetime)):
                return obj.isoformat()
            return obj

        return plain(
            {
                "period": {
                    "month": f"{self.period.year}-{self.period.month:02d}",
                    "kind": self.period.kind,
                    "start": self.period.start,
                    "end": self.period.end,
                },
                "as_of": self.as_of,
                "issuer": {"parent": self.parent, "office": self.issuer, "place": self.place},
                "total": self.total,
                "directives": self.directives,
                "totals": self.totals,
                "shares": {k: self.share(k) for k in KEYS},
                "pct_on_time": self.pct_on_time,
                "previous": {
                    "total": sum(self.previous_totals.values()),
                    "totals": self.previous_totals,
                    "pct_on_time": self.previous_pct_on_time,
                },
                "units": [u.to_json() for u in self.units],
                "units_without_items": self.units_without_items,
                "overdue_total": self.totals["overdue"],
                "overdue": [asdict(i) for i in self.overdue],
                "due_next_total": self.due_next_total,
                "due_next": [asdict(i) for i in self.due_next],
                "notices": [asdict(n) for n in self.notices],
                "failed_total": self.failed_total,
                "failed": [asdict(f) for f in self.failed],
            }
        )


def due_count(counts: dict[str, int]) -> int:
    """What has come due: done (on time or late), or overdue — the on-time rate's base."""
    return counts.get("done_on_time", 0) + counts.get("done_late", 0) + counts.get("overdue", 0)


def pct_on_time(counts: dict[str, int]) -> float | None:
    """Done on time over what has come due (done, or overdue); None when nothing has."""
    due = due_count(counts)
    return round(100 * counts.get("done_on_time", 0) / due, 1) if due else None


def pct_text(value: float | None) -> str:
    """A percentage as Vietnamese documents write it («2,1»), or a dash when unknown."""
    return "—" if value is None else f"{value:.1f}".replace(".", ",")


def sum_counts(by_unit: dict[int, dict[str, int]]) -> dict[str, int]:
    """The six categories summed over the units."""
    totals = dict.fromkeys(KEYS, 0)
    for counts in by_unit.values():  # one row per unit, already aggregated by SQL
        for key, n in counts.items():
            totals[key] += n
    return totals


def rank_units(units: list[UnitLine]) -> list[UnitLine]:
    """The table's order: most overdue first, then most assigned, then by name."""
    return sorted(units, key=lambda u: (-u.counts["overdue"], -u.assigned, u.name))


def letterhead(
    latest: tuple[str, str | None] | None,
    *,
    parent: str | None,
    issuer: str | None,
    place: str | None,
) -> tuple[str, str, str]:
    """(governing body, issuing office, place) of the header (Nghị định 30/2020: cơ quan chủ
    quản over cơ quan ban hành): the configured ones, else derived from the latest notice's
    issuer — a notice of «UBND huyện Hương Sơn» is followed up by its office, «Văn phòng HĐND
    và UBND huyện Hương Sơn», under «UBND huyện Hương Sơn» — else placeholders. The body is
    empty when it cannot be told (an issuer that is not a People's Committee or its office):
    the header then shows the office alone, never one name twice."""
    found = latest[0].strip() if latest and latest[0] else None
    office = issuer or (office_of(found) if found else None) or "Văn phòng"
    above = parent if parent is not None else body_of(office)
    if above and _same(above, office):
        above = ""
    where = place or (latest[1] if latest and latest[1] else "……")
    return above, office, where


# «UBND huyện Hương Sơn», «Ủy ban nhân dân tỉnh An Giang»: a People's Committee and its level.
_COMMITTEE = re.compile(
    r"^(?:UBND|[UỦ]Y BAN NHÂN DÂN|Ủy ban nhân dân|Uỷ ban nhân dân)\s+"
    r"(tỉnh|thành phố|huyện|quận|thị xã|xã|phường|thị trấn|đặc khu)\s+(.+)$",
    re.IGNORECASE,
)
_OFFICE = re.compile(r"^Văn phòng\b.*?\b(?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân)\s+(.+)$", re.I)
# Cities under the central government: their committee's office is «Văn phòng UBND thành
# phố …», like a province's; every other city belongs to a province.
CENTRAL_CITIES = ("hà nội", "hồ chí minh", "hải phòng", "đà nẵng", "cần thơ", "huế")


def office_of(issuer: str) -> str:
    """The office that follows up a notice of ``issuer``: a People's Committee's office (of a
    province or central city: «Văn phòng UBND tỉnh …»; below: «Văn phòng HĐND và UBND
    huyện …»), or the issuer itself when it is an office or another body."""
    m = _COMMITTEE.match(issuer.strip())
    if m is None:
        return issuer.strip()
    level, name = m.group(1).lower(), m.group(2).strip()
    central = level == "tỉnh" or (
        level == "thành phố" and name.lower().removeprefix("thành phố ").strip() in CENTRAL_CITIES
    )
    return f"Văn phòng {'UBND' if central else 'HĐND và UBND'} {level} {name}"


def body_of(office: str) -> str:
    """The governing body over an office of a People's Committee («Văn phòng HĐND và UBND
    huyện An Phú» → «UBND huyện An Phú»); empty for any other office (not known here)."""
    m = _OFFICE.match(office.strip())
    if m is None:
        return ""
    inner = _COMMITTEE.match(f"UBND {m.group(1).strip()}")
    return f"UBND {m.group(1).strip()}" if inner else ""


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def place_of(body: str) -> str:
    """A People's Committee's place («UBND huyện Hòn Đất» → «Hòn Đất»); any other name as is."""
    m = _COMMITTEE.match(body.strip())
    return m.group(2).strip() if m else body


def office_line(body: str, office: str) -> str:
    """The office as its header line under ``body``: the place both share is said once
    («UBND HUYỆN AN PHÚ» over «VĂN PHÒNG HĐND VÀ UBND», as letterheads write it)."""
    m = _COMMITTEE.match(body.strip()) if body else None
    if m is None:
        return office
    where = f"{m.group(1)} {m.group(2)}".strip()
    if office.casefold().endswith(" " + where.casefold()):
        return office[: -len(where) - 1].rstrip()
    return office
