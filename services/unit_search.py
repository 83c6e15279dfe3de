"""Units found by a few typed letters (a code, or part of a name with or without
diacritics), for the search-as-you-type of the web forms."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from models.unit import Unit, UnitGroup


@dataclass
class UnitHit:
    """A unit or group a clerk may pick; ``code`` is what the form keeps."""

    code: str
    name: str
    group: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "group": self.group}


def _plain(text: str) -> str:
    """Case and diacritics away: "noi vu" finds "Phòng Nội vụ" on a keyboard without
    Vietnamese input."""
    decomposed = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def search_units(*, session: Session, query: str, limit: int = 20) -> list[UnitHit]:
    """Active units and groups whose code starts with, or whose name or alias contains, the
    query; codes matched first, then names, each by code."""
    wanted = _plain(query)
    if not wanted:
        return []
    units = session.exec(select(Unit).where(col(Unit.active)).order_by(col(Unit.code))).all()
    groups = session.exec(select(UnitGroup).order_by(col(UnitGroup.code))).all()
    ranked: list[tuple[int, str, UnitHit]] = []
    for code, name, aliases, group in [
        *((u.code, u.name, u.aliases, False) for u in units),
        *((g.code, g.name, g.aliases, True) for g in groups),
    ]:
        if _plain(code).startswith(wanted):
            rank = 0
        elif any(wanted in _plain(n) for n in [name, *aliases]):
            rank = 1
        else:
            continue
        ranked.append((rank, code, UnitHit(code=code, name=name, group=group)))
    ranked.sort(key=lambda r: (r[0], r[1]))
    return [hit for _, _, hit in ranked[:limit]]
