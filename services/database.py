"""The database the edges work on: initialise it, and open a transaction on it when it is
ready (initialised and up to date)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from weakref import WeakSet

from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlmodel import Session

from dondoc.settings import get_settings
from models.db import current_revision, get_engine, head_revision, session_scope, upgrade_database
from tasks.errors import InputError
from tasks.units import Directory


@dataclass
class InitResult:
    """What ``dondoc init`` did: the schema revision, and where the database is."""

    revision: str
    where: str

    def to_json(self) -> dict[str, str]:
        return {"revision": self.revision, "where": self.where}


def init_database() -> InitResult:
    """Create or upgrade the configured database to the latest revision."""
    settings = get_settings()
    revision = upgrade_database()
    where = settings.database_url and get_engine().url.render_as_string(hide_password=True)
    return InitResult(revision=revision, where=where or settings.resolved_database_url)


# Engines whose database was found at the newest revision: a schema does not go back under a
# running process, so a web page does not ask again on every request (half a millisecond).
_UP_TO_DATE: WeakSet[Engine] = WeakSet()


@contextmanager
def ready_session() -> Iterator[Session]:
    """A transaction on an initialised, up-to-date database (committed on success)."""
    engine = get_engine()
    if engine not in _UP_TO_DATE:
        if current_revision(engine) != head_revision():
            raise InputError(
                "Cơ sở dữ liệu chưa được khởi tạo hoặc chưa cập nhật. Chạy «dondoc init» trước."
            )
        _UP_TO_DATE.add(engine)
    with session_scope(engine) as session:
        yield session


def directory_if_ready() -> Directory | None:
    """The unit directory when a database is set up, else None (extraction works without)."""
    try:
        engine = get_engine()
        if current_revision(engine) != head_revision():
            return None
        with session_scope(engine) as session:
            return Directory.load(session)
    except (OperationalError, ProgrammingError):
        return None
