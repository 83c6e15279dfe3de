"""The escalation policy: the rungs of the reminder ladder and who each one goes to, read
and checked from ``deployments/escalation.yaml`` (or DONDOC_ESCALATION_POLICY)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from tasks.errors import InputError
from tasks.fileio import load_yaml

DEFAULT_POLICY = Path(__file__).resolve().parent.parent / "deployments" / "escalation.yaml"
ASSIGNED = "assigned"
RECIPIENT_ROLES = ("focal", "head", "secretariat", "chair")


@dataclass(frozen=True)
class Level:
    """One rung: ``offset`` working days from the effective due date (negative: before)."""

    key: str
    label: str
    offset: int
    to: tuple[str, ...]
    cc: tuple[str, ...] = ()
    repeat_every: int = 0
    repeat_times: int = 0


@dataclass(frozen=True)
class Policy:
    """The escalation policy (``deployments/escalation.yaml`` or DONDOC_ESCALATION_POLICY)."""

    levels: tuple[Level, ...]
    assignment_message: tuple[str, ...] = ("focal",)
    secretariat: tuple[str, ...] = ()
    leaders: dict[str, tuple[str, ...]] = field(default_factory=dict)
    max_attempts: int = 5
    backoff_minutes: tuple[int, ...] = (15, 60, 240, 720)
    batch_size: int = 500
    send_concurrency: int = 4
    recurring_horizon_months: int = 12

    def level(self, key: str) -> Level:
        """The level with this key (the assignment message included)."""
        return self._levels[key]

    def rank(self, key: str) -> int:
        return self._ranks[key]

    @cached_property
    def _levels(self) -> dict[str, Level]:
        assigned = Level(ASSIGNED, "Giao nhiệm vụ", 0, self.assignment_message)
        return {ASSIGNED: assigned, **{lv.key: lv for lv in self.levels}}

    @cached_property
    def _ranks(self) -> dict[str, int]:
        return {ASSIGNED: 0, **{lv.key: i for i, lv in enumerate(self.levels, start=1)}}


def _roles(value: Any, where: str) -> tuple[str, ...]:
    if value is not None and not isinstance(value, list):
        raise InputError(f"{where}: người nhận phải là danh sách, ví dụ [focal, head].")
    roles = tuple(value or ())
    bad = [r for r in roles if r not in RECIPIENT_ROLES]
    if bad:
        raise InputError(
            f"{where}: người nhận «{bad[0]}» không hợp lệ; dùng {', '.join(RECIPIENT_ROLES)}."
        )
    return roles


def load_policy(path: Path | None = None) -> Policy:
    """Read and check a policy file; a bad file is an InputError naming what to fix."""
    path = path or DEFAULT_POLICY
    try:
        raw = load_yaml(path, lines=False)
    except InputError as exc:
        raise InputError(f"Chính sách nhắc việc không dùng được: {exc}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("levels"), list) or not raw["levels"]:
        raise InputError(f"Chính sách nhắc việc «{path}» cần danh sách «levels».")
    levels = []
    for i, item in enumerate(raw["levels"], start=1):
        where = f"{path}, levels[{i}]"
        if not isinstance(item, dict) or "key" not in item or "offset" not in item:
            raise InputError(f"{where}: cần «key» và «offset» (số ngày làm việc).")
        levels.append(
            Level(
                key=str(item["key"]),
                label=str(item.get("label") or item["key"]),
                offset=_policy_int(item, "offset", None, where, minimum=-1000),
                to=_roles(item.get("to"), where),
                cc=_roles(item.get("cc"), where),
                repeat_every=_policy_int(item, "repeat_every", 0, where, minimum=0),
                repeat_times=_policy_int(item, "repeat_times", 0, where, minimum=0),
            )
        )
    if [lv.offset for lv in levels] != sorted(lv.offset for lv in levels):
        raise InputError(f"{path}: các mức phải xếp theo «offset» tăng dần.")
    where = str(path)
    leaders = raw.get("leaders") or {}
    if not isinstance(leaders, dict):
        raise InputError(f"{where}: «leaders» phải là bảng «tên lãnh đạo: [địa chỉ liên hệ]».")
    backoff = raw.get("backoff_minutes", [15, 60, 240, 720])
    if not isinstance(backoff, list) or not backoff:
        raise InputError(f"{where}: «backoff_minutes» phải là danh sách số phút, ví dụ [15, 60].")
    return Policy(
        levels=tuple(levels),
        assignment_message=_roles(raw.get("assignment_message", ["focal"]), where),
        secretariat=_texts(raw.get("secretariat"), where, "secretariat"),
        leaders={k: _texts(v, where, f"leaders.{k}") for k, v in leaders.items()},
        max_attempts=_policy_int(raw, "max_attempts", 5, where),
        backoff_minutes=tuple(
            _policy_int({"backoff_minutes": m}, "backoff_minutes", None, where, minimum=0)
            for m in backoff
        ),
        batch_size=_policy_int(raw, "batch_size", 500, where),
        send_concurrency=_policy_int(raw, "send_concurrency", 4, where),
        recurring_horizon_months=_policy_int(raw, "recurring_horizon_months", 12, where),
    )


def _policy_int(
    raw: dict[str, Any], key: str, default: int | None, where: str, minimum: int = 1
) -> int:
    """A whole number of the policy, at least ``minimum`` and at most 100,000."""
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= 100_000:
        raise InputError(
            f"{where}: «{key}» phải là một số nguyên từ {minimum} đến 100000 (đang là «{value}»)."
        )
    return value


def _texts(value: Any, where: str, key: str) -> tuple[str, ...]:
    """A list of addresses (or an empty value)."""
    if not value:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"{where}: «{key}» phải là danh sách địa chỉ liên hệ (chuỗi).")
    return tuple(value)


@lru_cache
def default_policy() -> Policy:
    """The configured policy, read once per process."""
    from dondoc.settings import get_settings

    return load_policy(get_settings().escalation_policy)
