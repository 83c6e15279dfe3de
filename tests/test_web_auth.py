"""The web pages' accounts, sessions, CSRF and dashboard, through FastAPI's TestClient
(asserting on the page's data, ?format=json, not on markup)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, create_engine, select

from models.web import UserAccount
from services.accounts import SignInError, add_user, authenticate, wait_after
from tasks.errors import InputError
from tests.helpers import mini_scenario, run_cli, snapshot

PASSWORD = "mat-khau-dai"


@pytest.fixture
def client(app_env: str) -> Iterator[TestClient]:
    from web.app import create_app

    engine = create_engine(app_env)
    with Session(engine) as session:
        mini_scenario(session)
        add_user(session=session, name="vanthu", role="clerk", password=PASSWORD)
        add_user(session=session, name="lanhdao", role="leader", password=PASSWORD)
        session.commit()
    engine.dispose()
    with TestClient(create_app(), follow_redirects=False) as c:
        yield c


def csrf_of(client: TestClient, path: str = "/dang-nhap") -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', client.get(path).text)
    assert match, "the page has no CSRF field"
    return match.group(1)


def sign_in(client: TestClient, name: str = "vanthu", password: str = PASSWORD) -> None:
    r = client.post(
        "/dang-nhap",
        data={"name": name, "password": password, "csrf": csrf_of(client), "next": "/"},
    )
    assert r.status_code == 303 and r.headers["location"] == "/", r.text


def test_user_add_command_hashes_the_password(app_env: str) -> None:
    code, out = run_cli(
        "user", "add", "thuky", "--role", "clerk", stdin=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert code == 0, out
    assert "Đã tạo tài khoản «thuky» (văn thư)" in out
    with Session(create_engine(app_env)) as session:
        user = session.exec(select(UserAccount).where(UserAccount.name == "thuky")).one()
    assert user.password_hash.startswith("$argon2") and PASSWORD not in user.password_hash
    code, out = run_cli(
        "user", "add", "thuky", "--role", "clerk", stdin=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert code == 2 and "Đã có tài khoản «thuky»" in out
    code, out = run_cli("user", "add", "ngan", "--role", "leader", stdin="abc\nabc\n")
    assert code == 2 and "ít nhất 8 ký tự" in out
    code, out = run_cli("user", "list")
    assert code == 0 and "thuky" in out and "văn thư" in out


def test_pages_need_a_signed_in_person(client: TestClient) -> None:
    r = client.get("/?as_of=26/08/2024")
    assert r.status_code == 303 and r.headers["location"].startswith("/dang-nhap?next=/")
    assert client.get("/?format=json").status_code == 401


def test_sign_in_and_the_dashboard(client: TestClient) -> None:
    sign_in(client)
    cookie = client.cookies.get("dondoc_phien")
    assert cookie
    board = client.get("/?as_of=26/08/2024&format=json").json()
    assert board["as_of"] == "2024-08-26"
    assert sum(board["counts"].values()) == len(board["assignments"]) > 0
    assert sum(u["total"] for u in board["units"]) == len(board["assignments"])
    statuses = [a["status"] for a in board["assignments"]]
    order = ["overdue", "due_soon", "in_time", "no_deadline", "done_late", "done_on_time"]
    assert statuses == sorted(statuses, key=order.index)  # what is late comes first
    # units: most overdue first, then due soon, then by name in Vietnamese order
    from tasks.collation import vietnamese_key

    keys = [
        (-u["counts"]["overdue"], -u["counts"]["due_soon"], vietnamese_key(u["name"]))
        for u in board["units"]
    ]
    assert keys == sorted(keys)
    only = client.get("/?as_of=26/08/2024&status=overdue&format=json").json()
    assert all(a["status"] == "overdue" for a in only["assignments"])
    assert only["counts"] == board["counts"]
    html = client.get("/?as_of=26/08/2024")
    assert (
        html.status_code == 200
        and "Tình hình thực hiện nhiệm vụ tính đến ngày 26/08/2024" in html.text
    )
    bad = client.get("/?as_of=31/02/2024&format=json")
    assert bad.status_code == 400 and "31/02/2024" in bad.json()["error"]


def test_the_dashboard_counts_are_those_of_dondoc_status(client: TestClient) -> None:
    import json

    sign_in(client)
    board = client.get("/?as_of=26/08/2024&format=json").json()
    code, out = run_cli("status", "--as-of", "26/08/2024", "--json")
    assert code == 0
    assert board["counts"] == json.loads(out)["counts"]


def test_forms_without_the_csrf_token_are_refused(client: TestClient, app_env: str) -> None:
    before = snapshot(app_env)
    r = client.post("/dang-nhap", data={"name": "vanthu", "password": PASSWORD})
    assert r.status_code == 403 and "CSRF" in r.text
    r = client.post("/dang-nhap", data={"name": "vanthu", "password": PASSWORD, "csrf": "doan-bua"})
    assert r.status_code == 403
    assert snapshot(app_env) == before
    sign_in(client)
    assert client.post("/dang-xuat").status_code == 403  # still signed in
    assert client.get("/?format=json").status_code == 200


def test_sign_out_ends_the_session(client: TestClient) -> None:
    sign_in(client)
    token = csrf_of(client, "/")
    assert client.post("/dang-xuat", data={"csrf": token}).status_code == 303
    assert client.get("/?format=json").status_code == 401


def test_wrong_passwords_are_slowed_down(client: TestClient, app_env: str) -> None:
    for _ in range(3):
        token = csrf_of(client)
        r = client.post("/dang-nhap", data={"name": "vanthu", "password": "sai", "csrf": token})
        assert r.status_code == 401 and "Sai tên đăng nhập hoặc mật khẩu" in r.text
    token = csrf_of(client)
    r = client.post("/dang-nhap", data={"name": "vanthu", "password": "sai", "csrf": token})
    assert r.status_code == 401
    # three wrong ones in a row make the next attempt wait, even with the right password
    token = csrf_of(client)
    r = client.post("/dang-nhap", data={"name": "vanthu", "password": PASSWORD, "csrf": token})
    assert r.status_code == 401 and "thử lại sau" in r.text
    # an unknown name gets the same words as a wrong password
    token = csrf_of(client)
    r = client.post("/dang-nhap", data={"name": "khongco", "password": "x", "csrf": token})
    assert "Sai tên đăng nhập hoặc mật khẩu" in r.text


def test_waits_grow_and_are_capped() -> None:
    assert [wait_after(n).total_seconds() for n in range(6)] == [0, 0, 0, 5, 10, 20]
    assert wait_after(40) == timedelta(minutes=15)


def test_authenticate_after_the_wait(session: Session) -> None:
    add_user(session=session, name="a", role="admin", password=PASSWORD)
    start = datetime(2024, 8, 26, 8, 0, tzinfo=UTC)
    for _ in range(4):
        with pytest.raises(SignInError):
            authenticate(session=session, name="a", password="sai", now=start)
    with pytest.raises(SignInError, match="thử lại sau"):
        authenticate(session=session, name="a", password=PASSWORD, now=start)
    user = authenticate(
        session=session, name="a", password=PASSWORD, now=start + timedelta(seconds=5)
    )
    assert user.name == "a"
    with pytest.raises(InputError, match="Vai trò"):
        add_user(session=session, name="b", role="root", password=PASSWORD)


def test_next_never_leaves_the_site(client: TestClient) -> None:
    token = csrf_of(client)
    r = client.post(
        "/dang-nhap",
        data={
            "name": "vanthu",
            "password": PASSWORD,
            "csrf": token,
            "next": "https://evil.example/",
        },
    )
    assert r.status_code == 303 and r.headers["location"] == "/"


def test_unknown_pages_say_so_in_vietnamese(client: TestClient) -> None:
    r = client.get("/khong-co-trang-nay")
    assert r.status_code == 404 and "Không tìm thấy trang này" in r.text


def test_every_template_escapes_what_people_typed(client: TestClient, app_env: str) -> None:
    with Session(create_engine(app_env)) as session:
        add_user(
            session=session,
            name="xss",
            role="clerk",
            password=PASSWORD,
            display_name="<script>alert(1)</script>",
        )
        session.commit()
    sign_in(client, "xss")
    html = client.get("/?as_of=26/08/2024").text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
