"""The unit directory: import it from a file, list it as a tree."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from models.unit import UnitGroup, UnitPublic
from tasks.units import ImportReport, import_directory, unit_tree


class UnitRow(UnitPublic):
    """One unit of the tree, with its depth (0: a root)."""

    depth: int

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "kind": self.kind,
            "depth": self.depth,
            "aliases": self.aliases,
            "contacts": self.contacts,
            "active": self.active,
        }


@dataclass
class GroupRow:
    code: str
    name: str


@dataclass
class UnitListing:
    """The directory in tree order, and its groups by code."""

    units: list[UnitRow]
    groups: list[GroupRow]

    def to_json(self) -> list[dict[str, Any]]:
        return [u.to_json() for u in self.units]


def import_units(*, session: Session, path: Path) -> ImportReport:
    """Create or update units and groups from a .yaml or .csv file (by code, never twice)."""
    return import_directory(session=session, path=path)


def list_units(*, session: Session) -> UnitListing:
    """The directory as a tree (children by code) and the groups."""
    units = [
        UnitRow.model_validate(u, update={"depth": depth})
        for depth, u in unit_tree(session=session)
    ]
    groups = session.exec(select(UnitGroup).order_by(col(UnitGroup.code))).all()
    return UnitListing(units=units, groups=[GroupRow(code=g.code, name=g.name) for g in groups])
