"""Engine, sessions, migrations and the audit hook."""

from __future__ import annotations

import contextvars
import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, create_engine

from models.audit import AuditEvent
from models.notice import Assignment, Directive, Notice
from models.progress import ExtensionRequest
from models.web import UnitLink, UserAccount
from tasks.errors import InputError

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
AUDITED = (Notice, Directive, Assignment, ExtensionRequest, UnitLink, UserAccount)
# Not written to the audit log: secrets' hashes, and what a visit or a sign-in updates by
# itself (an update changing only these writes no event).
NOT_AUDITED = frozenset(
    {
        "token_hash",
        "password_hash",
        "last_used_at",
        "failed_logins",
        "locked_until",
        "last_login_at",
    }
)
ACTOR_MAX_LENGTH = 100  # AuditEvent.actor, ProgressUpdate.recorded_by, ExtensionRequest.decided_by

_actor: contextvars.ContextVar[str | None] = contextvars.ContextVar("dondoc_actor", default=None)


def set_actor(name: str | None) -> None:
    """Name the person or process that the audit log records for the following changes."""
    _actor.set(name)


def check_actor(name: str, source: str) -> str:
    """``name`` when it fits the audit log's column; an InputError naming ``source`` otherwise."""
    if "\x00" in name:
        raise InputError(f"{source}: tên người thao tác chứa ký tự NUL (\\0); xóa ký tự đó.")
    if len(name) > ACTOR_MAX_LENGTH:
        raise InputError(
            f"{source}: tên người thao tác dài {len(name)} ký tự, tối đa {ACTOR_MAX_LENGTH} ký tự; "
            "hãy viết ngắn lại."
        )
    return name


def current_actor() -> str:
    """The actor for audit events: set explicitly, else DONDOC_ACTOR, else the OS user."""
    explicit = _actor.get()
    if explicit:
        return explicit
    from dondoc.settings import get_settings

    configured = get_settings().actor
    if configured:
        return check_actor(configured, "DONDOC_ACTOR")
    try:
        return getpass.getuser()
    except Exception:  # no user name in some containers
        return "unknown"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def make_engine(url: str) -> Engine:
    """Create an engine; on SQLite turn on foreign keys and WAL, and create the file's folder."""
    if url.startswith("sqlite:///") and ":memory:" not in url:
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    # A file needs no ping before use; a server connection may have been dropped.
    engine = create_engine(url, pool_pre_ping=not url.startswith("sqlite"))
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


@lru_cache
def _engine_for(url: str) -> Engine:
    return make_engine(url)


def get_engine(url: str | None = None) -> Engine:
    """The engine for ``url`` or the configured database (cached per URL)."""
    if url is None:
        from dondoc.settings import get_settings

        settings = get_settings()
        if not settings.database_url:
            settings.ensure_data_dir()
        url = settings.resolved_database_url
    return _engine_for(url)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """One transaction: commit when the block ends, roll everything back on any error."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at the packaged migrations (no alembic.ini needed)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade_database(url: str | None = None) -> str:
    """Create or upgrade the database schema to the newest migration; return the revision."""
    engine = get_engine(url)
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return current_revision(engine)


def current_revision(engine: Engine) -> str:
    """The Alembic revision the database is at ('' when not initialised)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision() or ""


def _jsonable(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _changes(obj: Any, creating: bool) -> dict[str, Any]:
    state = inspect(obj)
    out: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        if attr.key in NOT_AUDITED:
            continue
        hist = state.attrs[attr.key].history
        if creating:
            value = getattr(obj, attr.key)
            if value is not None and attr.key != "id":
                out[attr.key] = _jsonable(value)
        elif hist.has_changes():
            old = hist.deleted[0] if hist.deleted else None
            new = hist.added[0] if hist.added else None
            if old != new:
                out[attr.key] = [_jsonable(old), _jsonable(new)]
    return out


@event.listens_for(OrmSession, "after_flush")
def _write_audit_events(session: OrmSession, _ctx: Any) -> None:
    """Every insert, update or delete of an audited row writes an AuditEvent in the same transaction."""
    actor = current_actor()
    events: list[AuditEvent] = []
    for action, objs in (
        ("create", session.new),
        ("update", session.dirty),
        ("delete", session.deleted),
    ):
        for obj in objs:
            if not isinstance(obj, AUDITED):
                continue
            if action == "update" and not session.is_modified(obj, include_collections=False):
                continue
            changes = _changes(obj, creating=action == "create")
            if action == "update" and not changes:
                continue
            events.append(
                AuditEvent(
                    actor=actor,
                    entity=str(type(obj).__tablename__),
                    entity_id=obj.id or 0,
                    action=action,
                    changes=changes,
                )
            )
    if events:
        # Insert with Core so that this does not trigger another flush cycle.
        session.execute(
            AuditEvent.__table__.insert(),  # type: ignore[attr-defined]  # SQLModel sets it
            [e.model_dump(exclude={"id"}) for e in events],
        )


@lru_cache(maxsize=1)
def head_revision() -> str:
    """The newest migration shipped with this version of dondoc (read once: every web
    request checks the database against it, and the scripts do not change while running)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head() or ""
