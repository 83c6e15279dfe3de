"""Test helpers: a whole-database snapshot, registered scenarios, and the CLI run in-process."""

from __future__ import annotations

import signal
import time
import traceback
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, inspect, text
from sqlmodel import Session, select
from typer.testing import CliRunner, Result

from dondoc.caches import reset_caches
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

    ids = [a.id for a in session.exec(select(Assignment)).all() if a.id is not None]
    plan_assignments(session=session, assignment_ids=ids, start=start)
    session.commit()


BRIEFING_NOTICE = DATA / "briefing-notice.yaml"


def briefing_scenario(session: Session) -> int:
    """The briefing notice (20/TB-VP, 03/06/2024) with known outcomes for June 2024:
    1 done on its due date, 2 done a day late, 3 monthly and June reported in time,
    4 extended (approved 19/06) to 05/07, 5 not done (a progress note on 24/06),
    6 due in July, 7 ongoing; Thư ký ISO and others have nothing."""
    from tasks.progress import (
        decide_extension,
        find_assignment,
        record_progress,
        request_extension,
    )

    import_directory(session=session, path=MINI_UNITS)
    notice = register_notice_file(session=session, path=BRIEFING_NOTICE)
    nid = notice.id
    assert nid is not None

    def aid(ref: str, unit: str) -> int:
        found = find_assignment(session=session, notice_id=nid, ref=ref, unit_code=unit).id
        assert found is not None
        return found

    record_progress(
        session=session, assignment_id=aid("1", "T-A-NV"), state="done", on=date(2024, 6, 14)
    )
    record_progress(
        session=session, assignment_id=aid("2", "T-A-TP"), state="done", on=date(2024, 6, 14)
    )
    record_progress(
        session=session, assignment_id=aid("3", "T-A-NV"), state="done", on=date(2024, 6, 18)
    )
    ext = request_extension(
        session=session, assignment_id=aid("4", "T-A-X1"), to=date(2024, 7, 5), reason="Chờ in ấn"
    )
    assert ext.id is not None
    decide_extension(session=session, extension_id=ext.id, approve=True, on=date(2024, 6, 19))
    record_progress(
        session=session,
        assignment_id=aid("5", "T-A-X2"),
        state="in_progress",
        on=date(2024, 6, 24),
        note="Đang tổng hợp số liệu",
    )
    session.commit()
    return nid


@contextmanager
def bounded(seconds: float = 5.0, megabytes: int = 200) -> Iterator[dict[str, float]]:
    """Assert that the block ends within ``seconds`` and that the process's resident memory
    grows by at most ``megabytes`` at its peak (Linux: the peak is reset through
    /proc/self/clear_refs, C allocations included; elsewhere tracemalloc's peak, slower).
    A runaway is cut by SIGALRM after 30 s. Yields the figures measured."""
    figures: dict[str, float] = {}

    def _cut(_signum: int, _frame: Any) -> None:
        raise TimeoutError("runaway: still running after 30 s")

    previous = signal.signal(signal.SIGALRM, _cut)
    signal.alarm(30)
    rss_before = _reset_peak_rss()
    if rss_before is None:
        tracemalloc.start()
    start = time.perf_counter()
    try:
        yield figures
    finally:
        figures["seconds"] = time.perf_counter() - start
        if rss_before is None:
            figures["megabytes"] = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
        else:
            figures["megabytes"] = (_status_kb("VmHWM") - rss_before) / 1024
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert figures["seconds"] < seconds, figures
    assert figures["megabytes"] < megabytes, figures


def _status_kb(key: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise KeyError(key)


def _reset_peak_rss() -> int | None:
    """Reset the peak resident memory to the current one and return it (kB); None if unsupported."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        return _status_kb("VmRSS")
    except OSError:
        return None


def use_database(monkeypatch: Any, tmp_path: Path, url: str) -> None:
    """Point the application (settings, CLI) at ``url``, as the ``app_env`` fixture does."""
    monkeypatch.setenv("DONDOC_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DONDOC_DATABASE_URL", url)
    monkeypatch.setenv("DONDOC_ACTOR", "kiểm thử")
    monkeypatch.setenv("DONDOC_FOLLOW_UP", "false")
    reset_caches()


def describe(result: Result) -> str:
    """What a CLI run printed and, when the command crashed (an exception other than the
    exit Typer raises for every command), that exception with its traceback: CliRunner keeps
    it in ``result.exception`` and prints nothing, so ``assert code == 0, out`` said nothing."""
    exc = result.exception
    if exc is None or isinstance(exc, SystemExit):
        return result.output
    if result.exc_info is not None:
        trace = "".join(traceback.format_exception(*result.exc_info))
    else:
        trace = repr(exc)
    return f"{result.output}\n--- the command raised {type(exc).__name__}: {exc}\n{trace}"


def run_cli(*args: str, stdin: str | None = None) -> tuple[int, str]:
    """Run ``dondoc ARGS`` in this process: (exit code, :func:`describe` of the run)."""
    from dondoc.cli import app

    result = CliRunner().invoke(app, list(args), input=stdin)
    return result.exit_code, describe(result)


def cli_ok(*args: str, stdin: str | None = None) -> str:
    """Run ``dondoc ARGS``, assert that it succeeded (else show why) and return its output."""
    code, out = run_cli(*args, stdin=stdin)
    assert code == 0, f"«dondoc {' '.join(args)}» exited with {code}:\n{out}"
    return out


def prefect_api(api_url: str, path: str, body: dict[str, Any]) -> Any:
    """POST ``body`` to a Prefect server's API (``/flow_runs/filter`` …) and return the JSON."""
    import json
    import urllib.request

    request = urllib.request.Request(
        f"{api_url}{path}",
        data=json.dumps(body).encode(),
        headers={"content-type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=20) as response:
        return json.loads(response.read())
