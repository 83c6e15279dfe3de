"""Shared fixtures: migrated SQLite databases, an optional PostgreSQL database, the CLI env,
the Prefect test harness."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from dondoc.caches import reset_caches
from models.db import _engine_for, make_engine, upgrade_database

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SEED_UNITS = EXAMPLES / "units" / "seed-era.yaml"
PG_ADMIN_URL = os.environ.get(
    "DONDOC_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture(autouse=True)
def _data_dir_outside_the_checkout(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Every test's files (the web secret key a rendered message needs, stored originals,
    evidence) go to its own temporary folder, never into the checkout's var/."""
    if not os.environ.get("DONDOC_DATA_DIR"):
        monkeypatch.setenv("DONDOC_DATA_DIR", str(tmp_path / "data"))
        reset_caches()


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file migrated to the newest revision; tests get copies of it."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    url = f"sqlite:///{path}"
    upgrade_database(url)
    _engine_for(url).dispose()  # closing the last connection checkpoints the WAL into the file
    reset_caches()
    return path


@pytest.fixture
def db_url(migrated_template: Path, tmp_path: Path) -> str:
    """The URL of a fresh migrated SQLite database for this test."""
    path = tmp_path / "dondoc.sqlite"
    shutil.copy(migrated_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as s:
        yield s


@pytest.fixture
def app_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, db_url: str) -> Iterator[str]:
    """Point the application (settings, CLI) at this test's database."""
    monkeypatch.setenv("DONDOC_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DONDOC_DATABASE_URL", db_url)
    monkeypatch.setenv("DONDOC_ACTOR", "kiểm thử")
    monkeypatch.setenv("DONDOC_FOLLOW_UP", "false")  # flows have their own tests (Prefect harness)
    reset_caches()
    yield db_url
    reset_caches()


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One temporary Prefect server and database for every test that runs a flow in this
    process: it starts once per session (it takes seconds), not once per module.

    It changes Prefect's in-process settings only (PREFECT_API_URL of this process), so the
    tests that start real servers in subprocesses (test_serve, test_server_deploy) are not
    affected."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def fresh_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """The default set-up of a new install: an empty data directory, no database URL."""
    data = tmp_path / "fresh"
    monkeypatch.setenv("DONDOC_DATA_DIR", str(data))
    monkeypatch.delenv("DONDOC_DATABASE_URL", raising=False)
    reset_caches()
    yield data
    reset_caches()


def _postgres_reachable() -> str | None:
    try:
        eng = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with eng.connect() as conn:
            conn.execute(text("select 1"))
        eng.dispose()
        return None
    except Exception as exc:  # any reason: not installed, not running, refused
        return (
            f"PostgreSQL not reachable at {PG_ADMIN_URL}: {type(exc).__name__}: {exc}".splitlines()[
                0
            ]
        )


@contextmanager
def new_postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database, dropped afterwards.

    Skips with the reason when no server is reachable (a laptop), but fails when
    DONDOC_REQUIRE_POSTGRES=1 (CI: PostgreSQL always runs there).
    """
    reason = _postgres_reachable()
    if reason:
        if os.environ.get("DONDOC_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"{reason} (DONDOC_REQUIRE_POSTGRES=1: this must not be skipped)")
        pytest.skip(reason)
    name = f"dondoc_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        reset_caches()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A new, empty PostgreSQL database for this test (see new_postgres_database)."""
    with new_postgres_database() as url:
        yield url
