"""A marker of the database's committed state that changes whenever anything is committed to it,
by this process or any other (the web pages, ``dondoc`` commands, the Prefect flows): a page
computed from the data may be kept and shown again for as long as the marker is the same.

* SQLite: ``PRAGMA data_version`` on a connection of its own that never writes — the number
  changes whenever another connection commits (SQLite's documented use of it).
* PostgreSQL: the current transaction snapshot (``pg_current_snapshot()``, asked on a
  connection of its own): a committed or
  aborted write transaction changes its xmax or its list of transactions in progress, a
  read-only one does not. The snapshot is the cluster's, so a write to another database also
  changes it (a page is computed again for nothing, never shown stale).
* Anything else, and an in-memory SQLite database: None (nothing is kept).

Read the marker *before* the data: a page computed after the marker was read is as new as the
marker or newer, and a commit in between changes the marker for the next request.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import sqlite3
import threading
from collections.abc import Hashable
from typing import Any

from sqlalchemy.engine import Engine

_generations = itertools.count(1)


class _SqliteWatcher:
    """One read-only connection to the file, asked for ``data_version`` under a lock."""

    def __init__(self, path: str) -> None:
        self.generation = next(_generations)  # numbers of another connection never collide
        self.connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.lock = threading.Lock()

    def version(self) -> int:
        with self.lock:
            row = self.connection.execute("PRAGMA data_version").fetchone()
        return int(row[0])

    def close(self) -> None:
        with self.lock:
            self.connection.close()


_watchers: dict[str, _SqliteWatcher] = {}
_watchers_lock = threading.Lock()


def _watcher(engine: Engine) -> _SqliteWatcher | None:
    path = engine.url.database
    if not path or path == ":memory:" or path.startswith("file:") or not os.path.isfile(path):
        return None  # nothing to watch (and connecting would create an empty file)
    with _watchers_lock:
        found = _watchers.get(path)
        if found is None:
            found = _watchers[path] = _SqliteWatcher(path)
        return found


class _PostgresWatcher:
    """One connection of its own (out of the pool: no checkout, no ping), in autocommit, asked
    for the snapshot under a lock; opened again after an error (a server restart)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.connection: Any = None
        self.lock = threading.Lock()

    def version(self) -> str | None:
        with self.lock:
            try:
                if self.connection is None:  # the driver's own connection, not the pool's
                    args, kwargs = self.engine.dialect.create_connect_args(self.engine.url)
                    self.connection = self.engine.dialect.connect(*args, **kwargs)
                    self.connection.autocommit = True
                cursor = self.connection.cursor()
                try:
                    cursor.execute("SELECT pg_current_snapshot()::text")
                    row = cursor.fetchone()
                finally:
                    cursor.close()
                return str(row[0])
            except Exception:  # noqa: BLE001 - any failure: no marker this time, reconnect next
                self._drop()
                return None

    def _drop(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(Exception):  # already broken
                self.connection.close()
        self.connection = None

    def close(self) -> None:
        with self.lock:
            self._drop()


_pg_watchers: dict[str, _PostgresWatcher] = {}


def data_version(engine: Engine) -> Hashable | None:
    """The database's committed state as a value to compare (None: no marker for it)."""
    dialect = engine.dialect.name
    if dialect == "sqlite":
        watcher = _watcher(engine)
        if watcher is None:
            return None
        return (str(engine.url), watcher.generation, watcher.version())
    if dialect == "postgresql":
        url = engine.url.render_as_string(hide_password=False)
        with _watchers_lock:
            pg = _pg_watchers.get(url)
            if pg is None:
                pg = _pg_watchers[url] = _PostgresWatcher(engine)
        snapshot = pg.version()  # None before PostgreSQL 13 or on an error: nothing kept
        return None if snapshot is None else (str(engine.url), snapshot)
    return None


def forget_watchers() -> None:
    """Close the connections kept for the markers (``dondoc.caches.reset_caches``)."""
    with _watchers_lock:
        for watcher in _watchers.values():
            watcher.close()
        _watchers.clear()
        for pg in _pg_watchers.values():
            pg.close()
        _pg_watchers.clear()


__all__ = ["data_version", "forget_watchers"]
