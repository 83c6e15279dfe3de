"""The web pages under load: 50 concurrent clients for 30 s on the 100,000-assignment data of
the sweep benchmark, against the unit page (``/u/{token}`` of random units) and the
secretariat's dashboard (``/``, signed in).

The data is benchmarks/sweep_100k.py's ``build`` (seeded: ~150 units, 100,000 open
assignments). A link is issued for every unit and a clerk account created, as the secretariat
would. The server is ``dondoc web`` itself (uvicorn, one process) on loopback, in a child
process; the clients run in another child process, on one asyncio event loop (httpx), so that
they do not take the server's GIL. Each client signs in once through the form (with its CSRF
token), then, until the time is up, asks for a random unit's page or the dashboard (one request
in ``--dashboard-share``), the next request as soon as the answer is read (a closed loop: with
50 clients and one server process, a page's latency is mostly its wait behind the other 49
requests, about 50 / throughput), or, with ``--think S``, after a pause of S seconds on average
(people reading the page; the clients then also start at random instants).

Prints requests/s, p50 and p95 latency per page and the errors; the last line is one JSON
object with unit_p95_ms, dashboard_p95_ms and rps (and the rest). Targets on a 2-core machine:
unit page p95 ≤ 150 ms, dashboard p95 ≤ 500 ms, no errors.

PostgreSQL: a server on 127.0.0.1:5432 with trust authentication (--postgres-url to change);
the scratch database is created, vacuumed and analysed, and dropped by the script.

Run: .venv/bin/python benchmarks/web_load.py [--assignments 100000] [--units 150]
     [--clients 50] [--seconds 30] [--database sqlite|postgresql] [--dashboard-share 0.2]
     [--think 0] [--commit-every 0]

Pages are kept while the database is unchanged (web.page_cache); ``--commit-every S`` has this
process record a progress report (a real commit, as a unit or a clerk would) every S seconds
during the run, so that the pages must be computed again after each one.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sweep_100k import POSTGRES_URL, build  # noqa: E402

USER, PASSWORD = "vanthu", "mat-khau-thu-tai"
PAGES = ("unit", "dashboard")
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def scratch_database(kind: str, folder: Path, admin_url: str) -> Iterator[str]:
    """An empty database for the run, removed afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'web.sqlite'}"
        return
    from sqlalchemy import create_engine, text

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"dondoc_web_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{admin_url.rsplit('/', 1)[0]}/{name}"
    finally:
        from models.db import _engine_for

        _engine_for.cache_clear()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def settle(url: str) -> None:
    """PostgreSQL: VACUUM ANALYZE, as autovacuum would have done since the data was loaded."""
    if not url.startswith("postgresql"):
        return
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def prepare() -> list[str]:
    """A clerk's account and every unit's link, as the secretariat would have them; the
    tokens of the links."""
    from sqlmodel import col, select

    from models.base import utcnow
    from models.unit import Unit
    from services.accounts import add_user
    from services.database import ready_session
    from services.unit_links import current_link

    now = utcnow()
    with ready_session() as session:
        add_user(session=session, name=USER, role="clerk", password=PASSWORD)
        unit_ids = session.exec(select(col(Unit.id))).all()
        return [
            current_link(session=session, unit_id=unit_id, now=now).token
            for unit_id in unit_ids
            if unit_id is not None
        ]


@contextmanager
def web_server(port: int, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """``dondoc web`` on loopback in a child process, ready when it answers; what it writes
    on stderr (tracebacks of failed requests) goes to ``log``."""
    import httpx

    errors = log.open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from dondoc.cli import main; main()",
            "web",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=errors,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/dang-nhap", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the web server did not start")
            time.sleep(0.2)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        errors.close()


@contextmanager
def committing(every: float) -> Iterator[list[int]]:
    """Every ``every`` seconds (0: never), record «in progress» on a random open assignment
    (services.progress, one transaction each) until the block ends; yields the count."""
    import threading
    from datetime import date

    from sqlmodel import col, select

    from models.notice import Assignment
    from services.database import ready_session
    from services.progress import report_progress

    count = [0]
    stop = threading.Event()

    def run() -> None:
        with ready_session() as session:
            found = session.exec(select(col(Assignment.id)).limit(5000)).all()
        ids = [i for i in found if i is not None]
        rnd = random.Random(7)
        while not stop.wait(every):
            with ready_session() as session:
                report_progress(
                    session=session,
                    assignment_id=rnd.choice(ids),
                    state="in_progress",
                    on=date.today(),
                    note="Đang thực hiện (benchmark)",
                )
            count[0] += 1

    thread = threading.Thread(target=run, daemon=True) if every > 0 else None
    if thread is not None:
        thread.start()
    try:
        yield count
    finally:
        stop.set()
        if thread is not None:
            thread.join(timeout=30)


def server_errors(log: Path) -> None:
    """The exceptions the server's log names, counted."""
    seen: dict[str, int] = {}
    for line in log.read_text(errors="replace").splitlines():
        if re.match(r"^[\w.]+(Error|Exception|Timeout)\w*: ", line):
            seen[line[:200]] = seen.get(line[:200], 0) + 1
    for line, n in sorted(seen.items(), key=lambda kv: -kv[1]):
        print(f"server error ×{n}: {line}")


# --- the clients' process ---------------------------------------------------------------


async def sign_in(client: Any) -> str | None:
    """Sign in through the form, with its CSRF token; the error, if any."""
    form = await client.get("/dang-nhap")
    found = CSRF.search(form.text)
    signed = await client.post(
        "/dang-nhap",
        data={
            "csrf": found.group(1) if found else "",
            "name": USER,
            "password": PASSWORD,
            "next": "/",
        },
    )
    return None if signed.status_code == 303 else f"sign-in: HTTP {signed.status_code}"


async def one_client(
    client: Any, tokens: list[str], share: float, think: float, seed: int, stop_at: float
) -> dict[str, Any]:
    """Ask for pages until the time is up, the next ``think`` seconds (on average) after the
    answer is read."""
    import httpx

    rnd = random.Random(seed)
    out: dict[str, Any] = {"latency": {p: [] for p in PAGES}, "errors": []}
    if think:  # people do not all open a page at the same instant
        await asyncio.sleep(rnd.uniform(0, 2 * think))
    while time.perf_counter() < stop_at:
        page = "dashboard" if rnd.random() < share else "unit"
        path = "/" if page == "dashboard" else f"/u/{rnd.choice(tokens)}"
        t0 = time.perf_counter()
        try:
            response = await client.get(path)
        except httpx.HTTPError as exc:
            out["errors"].append(f"{page}: {type(exc).__name__}")
            continue
        if response.status_code != 200:
            out["errors"].append(f"{page}: HTTP {response.status_code}")
            continue
        out["latency"][page].append(time.perf_counter() - t0)
        if think:
            pause = min(rnd.uniform(0, 2 * think), stop_at - time.perf_counter())
            await asyncio.sleep(max(pause, 0))
    return out


async def run_clients(
    base: str, tokens: list[str], clients: int, seconds: float, share: float, think: float
) -> dict[str, Any]:
    import httpx

    sessions = [httpx.AsyncClient(base_url=base, timeout=120) for _ in range(clients)]
    try:
        # Every client signs in before the clock starts: the measure is of the pages.
        refused = [e for e in await asyncio.gather(*map(sign_in, sessions)) if e]
        t0 = time.perf_counter()
        results = await asyncio.gather(
            *(
                one_client(client, tokens, share, think, seed, t0 + seconds)
                for seed, client in enumerate(sessions)
            )
        )
        wall = time.perf_counter() - t0
    finally:
        for client in sessions:
            await client.aclose()
    latency: dict[str, list[float]] = {p: [] for p in PAGES}
    errors: list[str] = list(refused)
    for r in results:
        for p in PAGES:
            latency[p].extend(r["latency"][p])
        errors.extend(r["errors"])
    return {"wall_s": wall, "latency": latency, "errors": errors}


def client_main(args: argparse.Namespace) -> None:
    """The clients' process: tokens on stdin, the raw figures as JSON on stdout."""
    tokens = json.loads(sys.stdin.read())
    figures = run_clients(
        args.client_of, tokens, args.clients, args.seconds, args.dashboard_share, args.think
    )
    print(json.dumps(asyncio.run(figures)))


# --- the report -------------------------------------------------------------------------


def percentile(values: list[float], q: int) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--assignments", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=150)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--dashboard-share",
        type=float,
        default=0.2,
        help="the share of requests that ask for the dashboard (the rest: unit pages)",
    )
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="seconds a client waits after each answer, on average (0: asks again at once)",
    )
    parser.add_argument(
        "--commit-every",
        type=float,
        default=0.0,
        help="seconds between two commits of a progress report during the run (0: none)",
    )
    parser.add_argument(
        "--postgres-url",
        default=POSTGRES_URL,
        help="a PostgreSQL server's admin URL; a scratch database is created and dropped there",
    )
    parser.add_argument("--client-of", help=argparse.SUPPRESS)  # the clients' process
    args = parser.parse_args()
    if args.client_of:
        client_main(args)
        return 0

    folder = Path(tempfile.mkdtemp(prefix="dondoc-web-load-"))
    try:
        return bench(args, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def bench(args: argparse.Namespace, folder: Path) -> int:
    with scratch_database(args.database, folder, args.postgres_url) as url:
        os.environ.update(
            {
                "DONDOC_DATA_DIR": str(folder),
                "DONDOC_DATABASE_URL": url,
                "DONDOC_PUBLIC_URL": "http://127.0.0.1",
                "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            }
        )
        from dondoc.settings import get_settings
        from models.db import _engine_for

        get_settings.cache_clear()
        t0 = time.perf_counter()
        build(url, args.assignments, args.units)
        tokens = prepare()
        _engine_for.cache_clear()
        settle(url)
        print(
            f"[{args.database}] built {args.assignments:,} assignments over {args.units} units, "
            f"{len(tokens)} links, one account, in {time.perf_counter() - t0:.1f} s"
        )
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = folder / "server.log"
        with web_server(port, log), committing(args.commit_every) as commits:
            client = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--client-of",
                    base,
                    "--clients",
                    str(args.clients),
                    "--seconds",
                    str(args.seconds),
                    "--dashboard-share",
                    str(args.dashboard_share),
                    "--think",
                    str(args.think),
                ],
                input=json.dumps(tokens),
                capture_output=True,
                text=True,
                check=False,
            )
        if client.returncode != 0:
            print(client.stderr, file=sys.stderr)
            return 1
        raw = json.loads(client.stdout)
        raw["commits"] = commits[0]
        server_errors(log)
    return report(args, raw)


def report(args: argparse.Namespace, raw: dict[str, Any]) -> int:
    wall = raw["wall_s"]
    total = sum(len(v) for v in raw["latency"].values())
    out: dict[str, Any] = {
        "database": args.database,
        "assignments": args.assignments,
        "units": args.units,
        "clients": args.clients,
        "seconds": round(wall, 1),
        "dashboard_share": args.dashboard_share,
        "think_s": args.think,
        "commit_every_s": args.commit_every,
        "commits": raw.get("commits", 0),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    for page in PAGES:
        values = raw["latency"][page]
        p50, p95 = percentile(values, 50) * 1000, percentile(values, 95) * 1000
        out[f"{page}_requests"] = len(values)
        out[f"{page}_rps"] = round(len(values) / wall, 1)
        out[f"{page}_p50_ms"] = round(p50, 1)
        out[f"{page}_p95_ms"] = round(p95, 1)
        label = "unit page /u/{token}" if page == "unit" else "dashboard /"
        print(
            f"{label}: {len(values):,} requests, {len(values) / wall:.1f} req/s, "
            f"p50 {p50:.0f} ms, p95 {p95:.0f} ms"
        )
    errors = raw["errors"]
    kinds: dict[str, int] = {}
    for e in errors:
        kinds[e] = kinds.get(e, 0) + 1
    out["errors"] = len(errors)
    out["rps"] = round(total / wall, 1)
    print(
        f"all: {total:,} requests in {wall:.1f} s = {total / wall:.1f} req/s; "
        f"errors: {len(errors)}" + (f" ({kinds})" if kinds else "")
    )
    print(
        f"targets: unit p95 ≤ 150 ms ({out['unit_p95_ms']} ms), dashboard p95 ≤ 500 ms "
        f"({out['dashboard_p95_ms']} ms), no errors ({len(errors)}); load average "
        + ", ".join(f"{x:.2f}" for x in os.getloadavg())
    )
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
