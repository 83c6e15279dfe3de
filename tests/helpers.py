"""Test helpers: a whole-database snapshot, and a registered mini scenario."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlmodel import Session, select

from models.notice import Assignment, Notice
from models.unit import Unit
from tasks.notices import register_notice_file
from tasks.units import import_directory

DATA = Path(__file__).parent / "data"
MINI_UNITS = DATA / "mini-units.yaml"
MINI_NOTICE = DATA / "mini-notice.yaml"


def snapshot(url: str) -> dict[str, list[tuple]]:
    """Every row of every table, sorted: equal snapshots mean an unchanged database."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            tables = inspect(conn).get_table_names()
            return {
                t: sorted(map(tuple, conn.execute(text(f'SELECT * FROM "{t}"')).all()), key=repr)
                for t in tables
            }
    finally:
        engine.dispose()


def mini_scenario(session: Session) -> Notice:
    """The mini directory and the mini notice (issued 03/06/2024), committed."""
    import_directory(session=session, path=MINI_UNITS)
    notice = register_notice_file(session=session, path=MINI_NOTICE)
    session.commit()
    return notice


def give_contacts(session: Session) -> None:
    """Every unit gets an e-mail contact and a head with one (code-based addresses)."""
    for unit in session.exec(select(Unit)).all():
        code = unit.code.lower()
        unit.contacts = [f"mailto://{code}@example.gov.vn"]
        unit.head = {"title": "Trưởng", "contacts": [f"mailto://head-{code}@example.gov.vn"]}
        session.add(unit)
    session.commit()


def plan_everything(session: Session, start: date) -> None:
    """Write the reminder plan of every assignment in the database."""
    from tasks.reminders import plan_assignments

    ids = [a.id for a in session.exec(select(Assignment)).all()]
    plan_assignments(session=session, assignment_ids=ids, start=start)  # type: ignore[arg-type]
    session.commit()
