"""The unit directory: units (a tree of any depth) and unit groups."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlmodel import Field, SQLModel

from models.base import RowId, json_column


class UnitKind(StrEnum):
    """What kind of office a unit is."""

    PROVINCE = "province"
    DISTRICT = "district"
    COMMUNE = "commune"
    DEPARTMENT = "department"
    OFFICE = "office"
    AGENCY = "agency"
    PERSON = "person"


UNIT_KINDS = tuple(kind.value for kind in UnitKind)
# Kinds that are a level of government: a notice issued inside one scopes name matching to it.
GOVERNMENT_KINDS = tuple(
    kind.value for kind in (UnitKind.PROVINCE, UnitKind.DISTRICT, UnitKind.COMMUNE)
)


class UnitBase(SQLModel):
    """An office of the directory, as imported from a directory file."""

    code: str = Field(index=True, unique=True, max_length=64)
    name: str = Field(max_length=300)
    # No CHECK: a directory filled before its file was checked may hold other kinds; new
    # units are held to UnitKind (UnitCreate, tasks/units.py).
    kind: str = Field(max_length=20)
    parent_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    aliases: list[str] = Field(default_factory=list, sa_column=json_column())
    # Apprise URLs: mailto://…, zalo://…
    contacts: list[str] = Field(default_factory=list, sa_column=json_column())
    # {"name": …, "title": …, "contacts": [Apprise URLs]}: escalation target.
    head: dict[str, Any] = Field(default_factory=dict, sa_column=json_column())
    active: bool = Field(default=True)


class Unit(UnitBase, RowId, table=True):
    """An office that receives directives: sở, phòng, UBND xã, a named officer…"""


class UnitCreate(UnitBase):
    """A unit to add to the directory (its parent by id)."""

    kind: UnitKind


class UnitPublic(UnitBase):
    """A unit as an edge shows it; contacts as stored (an edge masks them where it must)."""

    id: int


class UnitGroup(SQLModel, table=True):
    """A group phrase such as "các xã, thị trấn" that expands to member units."""

    __tablename__ = "unit_group"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(index=True, unique=True, max_length=64)
    name: str = Field(max_length=300)
    scope_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    aliases: list[str] = Field(default_factory=list, sa_column=json_column())
    member_kinds: list[str] = Field(default_factory=list, sa_column=json_column())
    members: list[str] = Field(default_factory=list, sa_column=json_column())  # explicit unit codes


class UnitGroupMember(SQLModel, table=True):
    """Membership of a unit in a group, derived from the group's members and member kinds."""

    __tablename__ = "unit_group_member"

    group_id: int = Field(foreign_key="unit_group.id", primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", primary_key=True, index=True)
