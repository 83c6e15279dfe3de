"""Migrations: an empty SQLite or PostgreSQL database upgrades to a schema equal to the models."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect
from sqlmodel import Session, SQLModel

import models  # noqa: F401
from models.db import head_revision, upgrade_database
from tests.helpers import mini_scenario

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
}


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
