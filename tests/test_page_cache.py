"""Pages kept while the data is unchanged (web.page_cache, models.data_version), the unit's page
one page of its list at a time, and the links' visits written in batches: whatever another
connection or process commits is on the next page shown, the CSRF token in a kept page is the
asker's own, and a kept link still dies with its expiry."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session, create_engine, select

from models.base import utcnow
from models.data_version import data_version, forget_watchers
from models.db import get_engine, make_engine, upgrade_database
from models.notice import Assignment, Directive, DueKind, Notice
from models.unit import Unit
from models.web import UnitLink
from services.accounts import add_user
from services.unit_links import VISITS, current_link
from tests.helpers import mini_scenario
from tests.test_web_auth import sign_in

PASSWORD = "mat-khau-dai"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
MANY = 25  # open assignments of one unit: two pages of the unit's list


@dataclass
class Site:
    url: str
    token: str  # T-A-NV's link
    client: TestClient


def _many_assignments(session: Session, unit: Unit, n: int) -> list[int]:
    """A notice of ``n`` directives, all led by ``unit``, due one day after another from
    01/07/2024 (all overdue today, the first most)."""
    notice = Notice(number="99/TB-KT", issuer="UBND tỉnh Thử", issued_on=date(2024, 6, 1))
    session.add(notice)
    session.flush()
    ids = []
    for i in range(n):
        directive = Directive(
            notice_id=notice.id or 0,
            position=i,
            ref=str(i + 1),
            text=f"Nhiệm vụ thử số {i + 1}",
            due_kind=DueKind.DATE,
            due_text=None,
        )
        session.add(directive)
        session.flush()
        due = date(2024, 7, 1) + timedelta(days=i)
        row = Assignment(
            directive_id=directive.id or 0, unit_id=unit.id or 0, stated_due=due, effective_due=due
        )
        session.add(row)
        session.flush()
        ids.append(row.id or 0)
    return ids


@pytest.fixture
def site(app_env: str) -> Iterator[Site]:
    from web.app import create_app

    engine = create_engine(app_env)
    with Session(engine) as session:
        mini_scenario(session)
        add_user(session=session, name="vanthu", role="clerk", password=PASSWORD)
        unit = session.exec(select(Unit).where(Unit.code == "T-A-NV")).one()
        assert unit.id is not None
        _many_assignments(session, unit, MANY)
        token = current_link(session=session, unit_id=unit.id, now=utcnow()).token
        session.commit()
    engine.dispose()
    with TestClient(create_app(), follow_redirects=False) as client:
        yield Site(app_env, token, client)


def _commit_elsewhere(url: str, sql: str, **params: object) -> None:
    """A change made by another connection (as a dondoc command or a flow would)."""
    other = make_engine(url)
    try:
        with other.begin() as conn:
            conn.execute(text(sql), params)
    finally:
        other.dispose()


# --- the marker --------------------------------------------------------------------------


def _marker_follows_commits(url: str) -> None:
    engine = get_engine(url)
    _commit_elsewhere(url, "CREATE TABLE scratch (n integer)")
    first = data_version(engine)
    assert first is not None
    with engine.connect() as conn:  # reading is not a change
        conn.execute(text("SELECT count(*) FROM scratch")).scalar()
    assert data_version(engine) == first
    _commit_elsewhere(url, "INSERT INTO scratch (n) VALUES (1)")
    second = data_version(engine)
    assert second != first
    with engine.begin() as conn:  # a commit of this process's own pool counts too
        conn.execute(text("UPDATE scratch SET n = 2"))
    assert data_version(engine) not in (first, second)


def test_the_sqlite_marker_changes_with_every_commit_and_only_then(app_env: str) -> None:
    _marker_follows_commits(app_env)
    # A watcher opened afresh never gives a value an earlier one gave (a generation apart).
    before = data_version(get_engine(app_env))
    forget_watchers()
    assert data_version(get_engine(app_env)) != before


def test_the_postgresql_marker_changes_with_every_commit_and_only_then(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    upgrade_database(postgres_url)
    _marker_follows_commits(postgres_url)


def test_no_marker_no_keeping(tmp_path: Path) -> None:
    assert data_version(make_engine("sqlite://")) is None  # in memory
    missing = tmp_path / "none.sqlite"
    assert data_version(make_engine(f"sqlite:///{missing}")) is None
    assert not missing.exists()  # asking did not create the file


# --- kept pages --------------------------------------------------------------------------


def test_the_dashboard_shows_what_another_process_committed(site: Site) -> None:
    sign_in(site.client)
    before = site.client.get("/").text
    assert site.client.get("/").text == before  # kept: the same page
    # Another connection marks every assignment of T-A-NV done on 01/07/2024.
    _commit_elsewhere(
        site.url,
        "UPDATE assignment SET state = 'done', completed_on = :on WHERE unit_id = "
        "(SELECT id FROM unit WHERE code = 'T-A-NV')",
        on=date(2024, 7, 1),
    )
    after = site.client.get("/")
    board = site.client.get("/?format=json").json()
    assert not [
        a for a in board["assignments"] if a["unit_code"] == "T-A-NV" and a["status"] == "overdue"
    ]
    assert after.text != before
    done = board["counts"]["done_on_time"] + board["counts"]["done_late"]
    assert done >= MANY
    # The page shown is the data's: the number of finished assignments is on it.
    assert f">{board['counts']['done_late']}<" in after.text.replace(" ", "")


def test_a_kept_page_carries_each_sessions_own_csrf_token(site: Site) -> None:
    from web.app import create_app

    sign_in(site.client)
    with TestClient(create_app(), follow_redirects=False) as other:
        sign_in(other)
        mine = CSRF.findall(site.client.get("/").text)
        theirs = CSRF.findall(other.get("/").text)
        assert mine and theirs and set(mine).isdisjoint(theirs)
        # Each token works for its own session: signing out goes through.
        r = other.post("/dang-xuat", data={"csrf": theirs[0]})
        assert r.status_code == 303
        assert site.client.post("/dang-xuat", data={"csrf": theirs[0]}).status_code == 403


def test_a_kept_link_dies_with_its_revocation_and_its_expiry(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = f"/u/{site.token}"
    assert site.client.get(path).status_code == 200
    assert site.client.get(path).status_code == 200  # kept
    # Expiry: no commit happens, the clock moves past the link's end.
    with Session(get_engine(site.url)) as session:
        link = session.exec(select(UnitLink)).first()
        assert link is not None
        ends = link.expires_at
    import web.pages.portal as portal_page

    monkeypatch.setattr(portal_page, "utcnow", lambda: ends + timedelta(seconds=1))
    gone = site.client.get(path)
    assert gone.status_code == 404 and "không còn hiệu lực" in gone.text
    monkeypatch.undo()
    assert site.client.get(path).status_code == 200
    # Revocation by another process: the next request is refused.
    _commit_elsewhere(site.url, "UPDATE unit_link SET revoked_at = :now", now=utcnow())
    assert site.client.get(path).status_code == 404


def test_a_report_from_the_page_shows_its_message_once_and_the_list_changes(site: Site) -> None:
    path = f"/u/{site.token}"
    page = site.client.get(path)
    first = re.search(r'id="nv-(\d+)"', page.text)
    assert first
    number = int(first.group(1))
    token = CSRF.search(page.text)
    assert token
    r = site.client.post(
        f"{path}/bao-cao",
        data={
            "csrf": token.group(1),
            "assignment_id": str(number),
            "state": "done",
            "on": "02/07/2024",
        },
    )
    assert r.status_code == 303 and r.headers["location"] == path
    shown = site.client.get(path).text
    assert f"Đã ghi nhận nhiệm vụ mã {number}" in shown
    assert f'id="nv-{number}"' not in shown  # done: no longer in the open list
    again = site.client.get(path).text
    assert "Đã ghi nhận" not in again  # the message is shown once
    assert f'id="nv-{number}"' not in again


# --- the unit's list, a page at a time -------------------------------------------------


def test_the_units_list_comes_a_page_at_a_time_overdue_first(site: Site) -> None:
    path = f"/u/{site.token}"
    first = site.client.get(f"{path}?format=json").json()
    total = first["total"]
    assert total >= MANY and first["counts"]["overdue"] >= MANY
    assert first["page"] == 1 and first["pages"] == -(-total // first["per_page"])
    assert len(first["assignments"]) == first["per_page"] == 20
    second = site.client.get(f"{path}?trang=2&format=json").json()
    numbers = [a["number"] for a in first["assignments"] + second["assignments"]]
    assert len(numbers) == len(set(numbers))  # no item on two pages
    # Overdue first, the most overdue (earliest due) first, across the pages.
    dues = [
        a["due"] for a in first["assignments"] + second["assignments"] if a["status"] == "overdue"
    ]
    assert dues == sorted(dues)
    # A page number out of range shows the last page; anything not a number the first.
    assert site.client.get(f"{path}?trang=99&format=json").json()["page"] == first["pages"]
    assert site.client.get(f"{path}?trang=abc&format=json").json()["page"] == 1
    html = site.client.get(path).text
    assert f"{total} nhiệm vụ chưa hoàn thành" in html and "?trang=2" in html


def test_a_refused_form_shows_that_one_assignment_again_with_its_message(site: Site) -> None:
    path = f"/u/{site.token}"
    second = site.client.get(f"{path}?trang=2&format=json").json()["assignments"]
    number = second[0]["number"]
    token = CSRF.search(site.client.get(f"{path}?trang=2").text)
    assert token
    r = site.client.post(
        f"{path}/bao-cao",
        data={
            "csrf": token.group(1),
            "assignment_id": str(number),
            "state": "done",
            "on": "31/02/2024",
            "trang": "2",
        },
    )
    assert r.status_code == 400
    assert re.findall(r'id="nv-(\d+)"', r.text) == [str(number)]
    assert "<details open>" in r.text.replace("\n", "")
    assert f'href="{path}?trang=2"' in r.text  # back to the page it came from


# --- visits ------------------------------------------------------------------------------


def test_visits_are_written_in_one_batch_not_one_write_per_view(site: Site) -> None:
    VISITS.take()  # none left from another test
    engine = get_engine(site.url)
    path = f"/u/{site.token}"
    site.client.get(path)
    marker = data_version(engine)
    for _ in range(3):
        site.client.get(path)
    assert data_version(engine) == marker  # viewing wrote nothing yet
    with Session(engine) as session:
        assert session.exec(select(UnitLink)).first().last_used_at is None  # type: ignore[union-attr]
    from web.pages.portal import write_visits

    write_visits()  # as the server does when it stops (and once a minute while it runs)
    with Session(engine) as session:
        link = session.exec(select(UnitLink)).first()
        assert link is not None and link.last_used_at is not None
    # The secretariat's unit page says when the link was last opened.
    sign_in(site.client)
    unit = site.client.get("/don-vi/T-A-NV?format=json").json()
    assert unit["unit_link"]["last_opened"] is not None
