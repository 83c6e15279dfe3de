"""Migrations: an empty SQLite or PostgreSQL database upgrades to a schema equal to the models."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import CheckConstraint, create_engine, inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, select

import models  # noqa: F401
from models.db import (
    _engine_for,
    alembic_config,
    get_engine,
    head_revision,
    make_engine,
    upgrade_database,
)
from models.delivery import Delivery
from models.notice import Assignment
from models.progress import ExtensionRequest, ProgressState, ProgressUpdate
from models.reminder import Reminder
from models.web import UserAccount
from tasks.errors import StateError
from tests.helpers import briefing_scenario, mini_scenario, plan_everything, snapshot

TABLES = {
    "alembic_version",
    "assignment",
    "audit_event",
    "delivery",
    "reminder",
    "directive",
    "extension_request",
    "notice",
    "progress_update",
    "unit",
    "unit_group",
    "unit_group_member",
    "user_account",
    "unit_link",
    "evidence_file",
    "notice_draft",
}

WEB_TABLES = ("user_account", "unit_link", "evidence_file", "notice_draft")


def _check_schema(url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) == TABLES
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert context.get_current_revision() == head_revision()
            diff = compare_metadata(context, SQLModel.metadata)
            assert diff == [], f"models and migrations disagree: {diff}"
    finally:
        engine.dispose()


def test_upgrade_empty_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new' / 'dondoc.sqlite'}"
    assert upgrade_database(url) == head_revision()
    _check_schema(url)
    assert upgrade_database(url) == head_revision()  # running it again is harmless


def test_upgrade_empty_postgresql(postgres_url: str) -> None:
    assert upgrade_database(postgres_url) == head_revision()
    _check_schema(postgres_url)
    engine = create_engine(postgres_url)
    try:
        with Session(engine) as session:
            notice = mini_scenario(session)
            assert notice.id is not None
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- 0007: CHECK constraints


def _checks() -> list[tuple[str, str]]:
    """(table, constraint name) of every CHECK constraint the models declare."""
    return sorted(
        (table.name, str(c.name))
        for table in SQLModel.metadata.sorted_tables
        for c in table.constraints
        if isinstance(c, CheckConstraint)
    )


def test_models_and_migrations_declare_the_same_checks(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'checks.sqlite'}"
    upgrade_database(url)
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            inspector = inspect(conn)
            migrated = {
                (table, str(c["name"])): c["sqltext"]
                for table in inspector.get_table_names()
                for c in inspector.get_check_constraints(table)
            }
    finally:
        engine.dispose()
    declared = {
        (table.name, str(c.name)): str(c.sqltext)
        for table in SQLModel.metadata.sorted_tables
        for c in table.constraints
        if isinstance(c, CheckConstraint)
    }
    assert len(declared) == 11  # the 10 states of migration 0007, and user_account.role (0008)
    assert migrated == declared


def _one_row_in_each_table(session: Session) -> None:
    mini_scenario(session)
    assignment = session.exec(select(Assignment)).first()
    assert assignment is not None and assignment.id is not None
    session.add(
        ProgressUpdate(assignment_id=assignment.id, state=ProgressState.DONE, on=date(2024, 6, 5))
    )
    session.add(
        ExtensionRequest(assignment_id=assignment.id, requested_due=date(2024, 7, 1), reason="x")
    )
    session.add(Reminder(assignment_id=assignment.id, level="assigned", due_on=date(2024, 6, 3)))
    session.add(Delivery(key="k", channel="email", recipient="a@example.gov.vn", level="assigned"))
    session.commit()


def _assert_bad_words_refused(url: str) -> None:
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            _one_row_in_each_table(session)
            session.add(UserAccount(name="vanthu", role="clerk", password_hash="x"))
            session.commit()
        for table, name in _checks():
            column = name.removeprefix(f"ck_{table}_")
            with engine.connect() as conn:
                assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() > 0
                with pytest.raises(IntegrityError, match=name if "sqlite" in url else "check"):
                    conn.execute(text(f"UPDATE {table} SET {column} = 'bogus'"))
                conn.rollback()
    finally:
        engine.dispose()


def test_bad_state_refused_by_sqlite(db_url: str) -> None:
    _assert_bad_words_refused(db_url)


def test_bad_state_refused_by_postgresql(postgres_url: str) -> None:
    upgrade_database(postgres_url)
    _assert_bad_words_refused(postgres_url)


def _database_at(url: str, revision: str) -> None:
    engine = make_engine(url)
    cfg = alembic_config(url)
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    finally:
        engine.dispose()


def _upgrade_with_data(url: str, start: str) -> None:
    """A database at ``start`` holding every kind of row upgrades to head unchanged."""
    _database_at(url, start)
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            briefing_scenario(session)
            plan_everything(session, date(2024, 6, 3))
            session.add(
                Delivery(key="k", channel="email", recipient="a@example.gov.vn", level="assigned")
            )
            session.commit()
    finally:
        engine.dispose()
    before = snapshot(url)
    assert before["reminder"] and before["extension_request"] and before["progress_update"]
    _engine_for.cache_clear()
    try:
        assert upgrade_database(url) == head_revision()
        after = snapshot(url)
        assert after.pop("alembic_version") == [(head_revision(),)]
        before.pop("alembic_version")
        for table in WEB_TABLES:  # created by 0008, empty
            assert after.pop(table) == [] and table not in before
        assert after == before
        _check_schema(url)
        with get_engine(url).connect() as conn:
            if conn.dialect.name == "sqlite":  # the migration switched them off and back on
                assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
            with pytest.raises(IntegrityError):
                conn.execute(text("UPDATE assignment SET state = 'finished'"))
    finally:
        _engine_for.cache_clear()


@pytest.mark.parametrize("start", ["0006", "0005"])
def test_upgrade_sqlite_with_data(tmp_path: Path, start: str) -> None:
    # From 0005 the upgrade is inside a transaction when 0007 begins (0006 wrote its revision).
    _upgrade_with_data(f"sqlite:///{tmp_path / 'old.sqlite'}", start)


def test_upgrade_postgresql_with_data(postgres_url: str) -> None:
    _upgrade_with_data(postgres_url, "0006")


def test_upgrade_stops_on_a_word_outside_the_set(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    _database_at(url, "0006")
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            _one_row_in_each_table(session)
        with engine.begin() as conn:
            conn.execute(text("UPDATE reminder SET state = 'paused'"))
    finally:
        engine.dispose()
    before = snapshot(url)
    _engine_for.cache_clear()
    try:
        with pytest.raises(StateError, match="bảng reminder, cột state .*«paused»"):
            upgrade_database(url)
        assert snapshot(url) == before
    finally:
        _engine_for.cache_clear()
