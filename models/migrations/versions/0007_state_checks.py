"""CHECK constraints: every state column, a directive's due kind and recurrence, an
assignment's role and an audit event's action hold one of their words

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-10

The words are written out here, as they were when this revision was made, rather than read
from the models' enums: a later word needs a later revision. Rows holding any other word stop
the upgrade before anything changes, with the table, the column and the words found.
unit.kind gets none: a directory filled before its file was checked may hold other kinds,
and no query depends on the kind being one of the list.

SQLite adds a constraint by rebuilding the table (copy, drop, rename); it refuses to drop a
table that other tables' foreign keys point at while it enforces them, and enforcement can
only be switched between transactions. So on SQLite the revisions before this one are
committed, enforcement is switched off for the rebuilds, every foreign key is checked
before they are committed, and enforcement is switched back on: the procedure of
https://www.sqlite.org/lang_altertable.html#otheralter.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

from tasks.errors import StateError

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column, allowed words); the constraint is ck_<table>_<column>.
CHECKS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("notice", "follow_up", ("pending", "done")),
    ("directive", "due_kind", ("date", "month", "quarter", "year", "recurring", "none")),
    ("directive", "recurrence", ("monthly", "quarterly", "yearly", "ongoing")),
    ("assignment", "role", ("lead", "support")),
    ("assignment", "state", ("open", "in_progress", "done")),
    ("progress_update", "state", ("in_progress", "done")),
    ("extension_request", "state", ("pending", "approved", "rejected")),
    ("reminder", "state", ("planned", "queued", "skipped", "superseded", "cancelled")),
    ("delivery", "state", ("pending", "sending", "sent", "failed", "superseded")),
    ("audit_event", "action", ("create", "update", "delete")),
)


def _condition(column: str, words: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(word) for word in words)})"


def _refuse_unknown_words(bind: sa.Connection) -> None:
    for table, column, words in CHECKS:
        found = bind.execute(
            sa.text(
                f"SELECT DISTINCT {column} FROM {table} "
                f"WHERE {column} IS NOT NULL AND NOT ({_condition(column, words)})"
            )
        ).scalars()
        bad = sorted(str(word) for word in found)
        if bad:
            shown = ", ".join(f"«{word}»" for word in bad[:10])
            raise StateError(
                f"Chưa nâng cấp được cơ sở dữ liệu: bảng {table}, cột {column} có giá trị "
                f"không hợp lệ: {shown}; chỉ được dùng: {', '.join(words)}. "
                "Sửa các dòng đó rồi chạy lại."
            )


@contextmanager
def _foreign_keys_off(bind: sa.Connection) -> Iterator[None]:
    """On SQLite with foreign keys enforced: no enforcement inside the block, and no foreign
    key broken by it (one broken before, by a tool that did not enforce them, stays as it was)."""
    sqlite = bind.dialect.name == "sqlite" and not op.get_context().as_sql
    raw = bind.connection.driver_connection if sqlite else None
    if raw is None or not raw.execute("PRAGMA foreign_keys").fetchone()[0]:
        yield
        return
    raw.commit()
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        broken_before = set(raw.execute("PRAGMA foreign_key_check").fetchall())
        yield
        broken = set(raw.execute("PRAGMA foreign_key_check").fetchall()) - broken_before
        if broken:
            raise RuntimeError(f"foreign keys broken by the table rebuilds: {sorted(broken)[:5]}")
        raw.commit()
    except BaseException:
        raw.rollback()
        raise
    finally:
        raw.execute("PRAGMA foreign_keys=ON")


def _by_table() -> dict[str, list[tuple[str, tuple[str, ...]]]]:
    """The checks grouped by table, so that SQLite rebuilds each table once."""
    tables: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for table, column, words in CHECKS:
        tables.setdefault(table, []).append((column, words))
    return tables


def upgrade() -> None:
    bind = op.get_bind()
    if not op.get_context().as_sql:  # an SQL script has no rows to look at
        _refuse_unknown_words(bind)
    with _foreign_keys_off(bind):
        for table, checks in _by_table().items():
            with op.batch_alter_table(table) as batch_op:
                for column, words in checks:
                    batch_op.create_check_constraint(
                        f"ck_{table}_{column}", _condition(column, words)
                    )


def downgrade() -> None:
    with _foreign_keys_off(op.get_bind()):
        for table, checks in _by_table().items():
            with op.batch_alter_table(table) as batch_op:
                for column, _words in checks:
                    batch_op.drop_constraint(f"ck_{table}_{column}", type_="check")
