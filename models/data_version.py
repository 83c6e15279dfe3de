"""A marker of the database's committed state that changes whenever anything is committed to it,
by this process or any other (the web pages, ``dondoc`` commands, the Prefect flows): a page
computed from the data may be kept and shown again for as long as the marker is the same.

* SQLite: ``PRAGMA data_version`` on a connection of its own that never writes — the number
  changes whenever another connection commits (SQLite's documented use of it).
* PostgreSQL: the current transaction snapshot (``pg_current_snapshot()``): a committed or
  aborted write transaction changes its xmax or its list of transactions in progress, a
  read-only one does not. The snapshot is the cluster's, so a write to another database also
  changes it (a page is computed again for nothing, never shown stale).
* Anything else, and an in-memory SQLite database: None (nothing is kept).

Read the marker *before* the data: a page computed after the marker was read is as new as the
marker or newer, and a commit in between changes the marker for the next request.
"""

from __future__ import annotations

import itertools
import os
import sqlite3
import threading
from collections.abc import Hashable
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

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


def data_version(engine: Engine) -> Hashable | None:
    """The database's committed state as a value to compare (None: no marker for it)."""
    dialect = engine.dialect.name
    if dialect == "sqlite":
        watcher = _watcher(engine)
        if watcher is None:
            return None
        return (str(engine.url), watcher.generation, watcher.version())
    if dialect == "postgresql":
        try:
            with engine.connect() as conn:
                snapshot: Any = conn.execute(text("SELECT pg_current_snapshot()::text")).scalar()
        except DBAPIError:  # a server before PostgreSQL 13: no marker, nothing kept
            return None
        return (str(engine.url), str(snapshot))
    return None


def forget_watchers() -> None:
    """Close the SQLite connections kept for the markers (``dondoc.caches.reset_caches``)."""
    with _watchers_lock:
        for watcher in _watchers.values():
            watcher.close()
        _watchers.clear()


__all__ = ["data_version", "forget_watchers"]
