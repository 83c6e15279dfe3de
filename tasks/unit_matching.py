"""Finding the units a name stands for, as documents write them ("UBND các xã, thị trấn",
"Phòng Nội vụ", a code): name normalisation and an in-memory index of the directory. Pure:
the index is built from rows already read (``tasks.units.Directory.load`` reads them)."""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

from models.unit import GOVERNMENT_KINDS, Unit, UnitGroup
from tasks.errors import (
    AmbiguousUnitError,
    DondocError,
    EmptyGroupError,
    OutsideIssuerError,
    UnitNotFoundError,
)

# Long forms and their abbreviations are made equal by writing both the same way.
_EQUIVALENTS = [
    (re.compile(r"\bu[ỷỷ]\s*ban\s+nhân\s+dân\b"), "ubnd"),
    (re.compile(r"\bủy\s*ban\s+nhân\s+dân\b"), "ubnd"),
    (re.compile(r"\bhội\s+đồng\s+nhân\s+dân\b"), "hđnd"),
    (re.compile(r"\bvăn\s+phòng\b"), "vp"),
    (re.compile(r"\bthành\s+phố\b"), "tp"),
]
_DROP_WORDS = {"các", "những"}


def name_key(name: str) -> str:
    """The comparable form of a unit name: NFC, case-folded, abbreviations unified.

    Diacritics are kept: "Nội vụ" and "Nối vụ" are different names.
    """
    s = unicodedata.normalize("NFC", name).casefold()
    s = s.replace("uỷ", "ủy")  # old-style tone placement
    for pattern, short in _EQUIVALENTS:
        s = pattern.sub(short, s)
    s = re.sub(r"[^\w]+", " ", s)
    return " ".join(w for w in s.split() if w not in _DROP_WORDS)


# A People's Committee of a named place: «UBND tỉnh Lào Cai», «Ủy ban nhân dân xã Thạnh Phú».
_COMMITTEE_RE = re.compile(
    r"^(?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân)\s+"
    r"(?:tỉnh|thành phố|huyện|quận|thị xã|xã|phường|thị trấn|đặc khu)\s+\S",
    re.IGNORECASE,
)


_COMMITTEE_IN_RE = re.compile(
    r"(?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân)\s+"
    r"(?:tỉnh|thành phố|huyện|quận|thị xã|xã|phường|thị trấn|đặc khu)\s+\S.*$",
    re.IGNORECASE,
)
_PLACE_AT_END_RE = re.compile(
    r"\b(?:tỉnh|thành phố|huyện|quận|thị xã|xã|phường|thị trấn|đặc khu)\s+(\S)[^()]*$"
)


def _committee_of(issuer: str) -> str | None:
    """The People's Committee an issuer is or belongs to: «UBND tỉnh Lào Cai» itself, the one
    named inside («Văn phòng UBND tỉnh Quảng Trị»), or the one of the place it ends with («Sở Y
    tế tỉnh Điện Biên» → «UBND tỉnh Điện Biên»); None for any other issuer."""
    issuer = issuer.strip()
    if _COMMITTEE_RE.match(issuer):
        return issuer
    if m := _COMMITTEE_IN_RE.search(issuer):
        return m.group(0)
    if (m := _PLACE_AT_END_RE.search(issuer)) and m.group(1).isupper():
        return f"UBND {m.group(0)}"  # a place's name («tỉnh Điện Biên»), not «tỉnh (…)»
    return None


def _without_ubnd(key: str) -> str | None:
    return key[5:] if key.startswith("ubnd ") else None


@dataclass
class Match:
    """The units a name written in a document stands for."""

    written: str
    unit_ids: list[int]
    group_code: str | None = None
    unit_code: str | None = None


@dataclass
class _Entry:
    kind: str  # "unit" | "group"
    id: int
    code: str
    label: str
    anchor: int | None  # the unit the entry sits at (the unit itself, or the group's scope)


@dataclass
class UnitIndex:
    """An in-memory index of the unit directory for matching names, built from its rows."""

    units: dict[int, Unit]
    groups: dict[int, UnitGroup]
    members: dict[int, list[int]]
    by_key: dict[str, list[_Entry]] = field(default_factory=dict)
    by_code: dict[str, _Entry] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._index()

    def _add(self, key: str, entry: _Entry) -> None:
        bucket = self.by_key.setdefault(key, [])
        if all((e.kind, e.id) != (entry.kind, entry.id) for e in bucket):
            bucket.append(entry)

    def _index(self) -> None:
        for u in self.units.values():
            if not u.active:
                continue
            entry = _Entry("unit", u.id, u.code, u.name, u.id)  # type: ignore[arg-type]
            self.by_code[u.code.upper()] = entry
            for name in [u.name, *u.aliases]:
                key = name_key(name)
                self._add(key, entry)
                if (short := _without_ubnd(key)) and u.kind in GOVERNMENT_KINDS:
                    self._add(short, entry)
        for g in self.groups.values():
            entry = _Entry("group", g.id, g.code, g.name, g.scope_id)  # type: ignore[arg-type]
            self.by_code[g.code.upper()] = entry
            for name in [g.name, *g.aliases]:
                self._add(name_key(name), entry)

    # -- tree helpers
    def ancestors(self, unit_id: int | None) -> list[int]:
        """The unit and its ancestors, nearest first."""
        out: list[int] = []
        while unit_id is not None and unit_id not in out:
            out.append(unit_id)
            unit_id = self.units[unit_id].parent_id if unit_id in self.units else None
        return out

    def scope_of(self, unit_id: int | None) -> int | None:
        """The level of government a unit belongs to (itself when it is one)."""
        for uid in self.ancestors(unit_id):
            if self.units[uid].kind in GOVERNMENT_KINDS:
                return uid
        return unit_id

    def _rank(self, entry: _Entry, scope: int | None) -> int:
        """0: inside the scope; 1: inside the level above it (e.g. the province of a district);
        2: elsewhere. Matching prefers the lowest rank."""
        if scope is None:
            return 0
        chain = self.ancestors(entry.anchor)
        if scope in chain:
            return 0
        scope_chain = self.ancestors(scope)
        upper = self.scope_of(scope_chain[1]) if len(scope_chain) > 1 else None
        if entry.anchor in scope_chain or (upper is not None and upper in chain):
            return 1
        return 2

    def _describe(self, entry: _Entry) -> str:
        where = ""
        if entry.anchor is not None and entry.anchor in self.units:
            first = 1 if entry.kind == "unit" else 0
            top = [self.units[a].name for a in self.ancestors(entry.anchor)[first : first + 2]]
            where = f" – {' / '.join(top)}" if top else ""
        kind = "nhóm " if entry.kind == "group" else ""
        return f"{kind}«{entry.label}» (mã {entry.code}{where})"

    def outside_committee(self, issuer: str | None) -> bool:
        """The issuer is a People's Committee of a place (a province, district or commune),
        or a body under one («Văn phòng UBND tỉnh Quảng Trị», «Sở Y tế tỉnh Điện Biên»), that
        the directory does not hold: the units its document names are its own."""
        committee = _committee_of(issuer or "")
        if committee is None:
            return False
        for name in dict.fromkeys([(issuer or "").strip(), committee]):
            try:
                self.resolve(name)
            except AmbiguousUnitError:
                return False
            except DondocError:
                continue
            return False
        return True

    def resolve(
        self, written: str, *, scope: int | None = None, outside_issuer: str | None = None
    ) -> Match:
        """Find the unit(s) a name stands for.

        Args:
            written: the name as written ("UBND các xã, thị trấn", "Phòng Nội vụ", or a code).
            scope: the unit whose documents are being read (the issuer's level of government);
                among several matches, those inside it win.
            outside_issuer: the issuer, when it is a committee the directory does not hold
                (``outside_committee``): then only a code is accepted, since a name stands
                for that committee's unit («các xã, phường» of another province).

        Raises:
            UnitNotFoundError: nothing matches (with the closest names as suggestions).
            OutsideIssuerError: a name, not a code, in a document of ``outside_issuer``.
            AmbiguousUnitError: several units match equally well (write the code instead).
        """
        text = unicodedata.normalize("NFC", written).strip()
        entry = self.by_code.get(text.upper())
        if entry is None and outside_issuer:
            raise OutsideIssuerError(
                f"«{text}» là đơn vị của «{outside_issuer}» (không có trong danh mục), không "
                "ghép với đơn vị cùng tên ở đây. Nếu văn bản giao việc cho đơn vị của mình, ghi "
                "mã đơn vị thay cho tên; hoặc thêm cơ quan ban hành vào danh mục."
            )
        if entry is None:
            key = name_key(text)
            # "UBND các xã, thị trấn" and "các xã, thị trấn" name the same thing.
            candidates = list(self.by_key.get(key, []))
            for extra in self.by_key.get(_without_ubnd(key) or "", []):
                if extra not in candidates:
                    candidates.append(extra)
            if not candidates:
                raise UnitNotFoundError(self._not_found_message(text, key))
            ranked = sorted(candidates, key=lambda e: self._rank(e, scope))
            best = self._rank(ranked[0], scope)
            top = [e for e in ranked if self._rank(e, scope) == best]
            if len(top) > 1:
                options = "; ".join(self._describe(e) for e in top)
                raise AmbiguousUnitError(
                    f"Tên «{text}» khớp với nhiều đơn vị: {options}. Hãy ghi mã đơn vị thay cho tên."
                )
            entry = top[0]
        if entry.kind == "unit":
            return Match(written=text, unit_ids=[entry.id], unit_code=entry.code)
        members = sorted(self.members.get(entry.id, []))
        if not members:
            raise EmptyGroupError(
                f"Nhóm «{entry.label}» (mã {entry.code}) chưa có đơn vị thành viên nào; "
                "bổ sung «members» hoặc «member_kinds» trong danh mục."
            )
        return Match(written=text, unit_ids=members, group_code=entry.code)

    def _not_found_message(self, text: str, key: str) -> str:
        close = difflib.get_close_matches(key, list(self.by_key), n=3, cutoff=0.8)
        hint = ""
        if close:
            names = ", ".join(sorted({self._describe(e) for k in close for e in self.by_key[k]}))
            hint = f" Có phải: {names}?"
        return (
            f"Không tìm thấy đơn vị «{text}» trong danh mục.{hint} "
            "Sửa tên, ghi mã đơn vị, hoặc thêm tên này vào «aliases» của đơn vị rồi nhập lại danh mục."
        )
