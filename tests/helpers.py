"""Test helpers: a whole-database snapshot, and a registered mini scenario."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlmodel import Session

from models.notice import Notice
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
