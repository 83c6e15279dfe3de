"""The unit's page reached from its personal link, through FastAPI's TestClient (asserting on
the page's data, ?format=json): its own assignments only, reports with evidence checked by
content, extension requests, and every bad input refused with nothing written."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, create_engine, select

from models.audit import AuditEvent
from models.base import utcnow
from models.notice import Assignment, Directive, DueKind, Recurrence
from models.progress import ExtensionRequest, ProgressUpdate
from models.reminder import Reminder
from models.unit import Unit
from models.web import EvidenceFile
from services.accounts import add_user
from services.unit_links import current_link
from tests.helpers import mini_scenario, snapshot

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PASSWORD = "mat-khau-dai"


@dataclass
class Portal:
    client: TestClient
    url: str  # the database
    data: Path  # DATA_DIR
    tokens: dict[str, str]  # unit code → token
    ids: dict[str, list[int]]  # unit code → its assignment ids

    def page(self, code: str) -> dict:
        r = self.client.get(f"/u/{self.tokens[code]}?format=json")
        assert r.status_code == 200, r.text
        return r.json()

    def csrf(self, code: str) -> str:
        match = re.search(
            r'name="csrf" value="([^"]+)"', self.client.get(f"/u/{self.tokens[code]}").text
        )
        assert match
        return match.group(1)

    def evidence_files(self) -> list[str]:
        folder = self.data / "evidence"
        return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.fixture
def portal(app_env: str, tmp_path: Path) -> Iterator[Portal]:
    from web.app import create_app

    engine = create_engine(app_env)
    with Session(engine) as session:
        mini_scenario(session)
        add_user(session=session, name="vanthu", role="clerk", password=PASSWORD)
        add_user(session=session, name="lanhdao", role="leader", password=PASSWORD)
        tokens: dict[str, str] = {}
        ids: dict[str, list[int]] = {}
        for code in ("T-A-NV", "T-A-TP"):
            unit = session.exec(select(Unit).where(Unit.code == code)).one()
            assert unit.id is not None
            tokens[code] = current_link(session=session, unit_id=unit.id, now=_now()).token
            rows = session.exec(select(Assignment).where(Assignment.unit_id == unit.id)).all()
            ids[code] = sorted(a.id for a in rows if a.id is not None)
        session.commit()
    engine.dispose()
    with TestClient(create_app(), follow_redirects=False) as c:
        yield Portal(c, app_env, tmp_path / "data", tokens, ids)


def _now() -> datetime:
    return utcnow()


def _office_file(kind: str) -> bytes:
    """A minimal DOCX ("word") or XLSX ("xl") zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{kind}/document.xml", "<x/>")
    return buffer.getvalue()


def test_the_page_lists_the_units_open_assignments_overdue_first(portal: Portal) -> None:
    data = portal.page("T-A-NV")
    assert data["unit"] == {"code": "T-A-NV", "name": "Phòng Nội vụ"}
    assert data["days"] == "calendar"
    numbers = [a["number"] for a in data["assignments"]]
    assert sorted(numbers) == portal.ids["T-A-NV"]
    first = data["assignments"][0]
    assert first["status"] == "overdue" and first["due"] == "2024-08-30"
    assert first["days_left"] == (date(2024, 8, 30) - date.today()).days < 0
    assert first["when"] == f"quá hạn {-first['days_left']} ngày"
    assert data["assignments"][-1]["status"] == "no_deadline"
    html = portal.client.get(f"/u/{portal.tokens['T-A-NV']}")
    assert html.status_code == 200 and f"Mã {first['number']}" in html.text
    assert 'name="csrf"' in html.text and "Phòng Nội vụ" in html.text
    other = portal.page("T-A-TP")
    assert set(a["number"] for a in other["assignments"]).isdisjoint(numbers)


def test_report_done_with_a_pdf_then_download_it(portal: Portal, app_env: str) -> None:
    token = portal.tokens["T-A-NV"]
    number = portal.page("T-A-NV")["assignments"][0]["number"]
    r = portal.client.post(
        f"/u/{token}/bao-cao",
        data={
            "csrf": portal.csrf("T-A-NV"),
            "assignment_id": str(number),
            "state": "done",
            "on": "2024-08-28",
            "note": "Đã gửi báo cáo",
        },
        files={"file": ("bao-cao.pdf", PDF, "application/octet-stream")},
    )
    assert r.status_code == 303 and r.headers["location"] == f"/u/{token}"
    flash = portal.client.get(f"/u/{token}").text
    assert f"Đã ghi nhận nhiệm vụ mã {number}: hoàn thành ngày 28/08/2024." in flash
    assert number not in [a["number"] for a in portal.page("T-A-NV")["assignments"]]
    engine = create_engine(app_env)
    with Session(engine) as s:
        assignment = s.get(Assignment, number)
        assert assignment is not None and assignment.state == "done"
        assert assignment.completed_on == date(2024, 8, 28)
        update = s.exec(select(ProgressUpdate).where(ProgressUpdate.assignment_id == number)).one()
        assert update.recorded_by == "đơn vị T-A-NV (liên kết)" and update.note == "Đã gửi báo cáo"
        evidence = s.exec(select(EvidenceFile)).one()
        assert (
            evidence.progress_update_id == update.id and evidence.content_type == "application/pdf"
        )
        assert evidence.original_name == "bao-cao.pdf" and evidence.size == len(PDF)
        actors = {e.actor for e in s.exec(select(AuditEvent)).all() if e.entity == "assignment"}
        assert "đơn vị T-A-NV (liên kết)" in actors
    engine.dispose()
    assert portal.evidence_files() == [evidence.sha256]
    got = portal.client.get(f"/u/{token}/minh-chung/{evidence.id}")
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-disposition"].startswith("attachment")
    assert got.headers["content-type"] == "application/pdf"
    # Another unit's link cannot fetch it, nor can a guessed token.
    assert (
        portal.client.get(f"/u/{portal.tokens['T-A-TP']}/minh-chung/{evidence.id}").status_code
        == 404
    )
    assert portal.client.get(f"/u/{'A' * 43}/minh-chung/{evidence.id}").status_code == 404


def test_progress_with_a_url_and_an_extension(portal: Portal, app_env: str) -> None:
    token = portal.tokens["T-A-NV"]
    number = portal.page("T-A-NV")["assignments"][0]["number"]
    csrf = portal.csrf("T-A-NV")
    r = portal.client.post(
        f"/u/{token}/bao-cao?format=json",
        data={
            "csrf": csrf,
            "assignment_id": str(number),
            "state": "in_progress",
            "on": "27/08/2024",
            "url": "https://drive.example.gov.vn/bc.pdf",
        },
    )
    assert r.status_code == 200 and r.json()["result"]["state"] == "in_progress", r.text
    r = portal.client.post(
        f"/u/{token}/gia-han?format=json",
        data={
            "csrf": csrf,
            "assignment_id": str(number),
            "to": "2030-09-30",
            "reason": "Chờ số liệu",
        },
    )
    assert r.status_code == 200, r.text
    item = portal.page("T-A-NV")["assignments"][0]
    assert item["pending_extension"] == "2030-09-30" and item["last_state"] == "in_progress"
    engine = create_engine(app_env)
    with Session(engine) as s:
        update = s.exec(select(ProgressUpdate)).one()
        assert update.evidence == "https://drive.example.gov.vn/bc.pdf"
        request = s.exec(select(ExtensionRequest)).one()
        assert request.reason == "Chờ số liệu" and request.state == "pending"
    engine.dispose()
    # A second request while one waits: the CLI's error, nothing written.
    before = snapshot(app_env)
    r = portal.client.post(
        f"/u/{token}/gia-han?format=json",
        data={"csrf": csrf, "assignment_id": str(number), "to": "2030-10-30", "reason": "Lần hai"},
    )
    assert r.status_code == 400 and "đang chờ quyết định" in r.json()["error"]
    assert snapshot(app_env) == before


def test_a_periodic_directive_is_reported_per_period(portal: Portal, app_env: str) -> None:
    engine = create_engine(app_env)
    tp = portal.ids["T-A-TP"]
    with Session(engine) as s:
        ongoing = next(
            a
            for a in (s.get(Assignment, i) for i in tp)
            if a is not None
            and (d := s.get(Directive, a.directive_id)) is not None
            and d.due_kind == DueKind.RECURRING
        )
        directive = s.get(Directive, ongoing.directive_id)
        assert directive is not None and ongoing.id is not None
        directive.recurrence = Recurrence.MONTHLY.value
        s.add(directive)
        s.add(
            Reminder(
                assignment_id=ongoing.id,
                level="due_day",
                due_on=date(2024, 7, 31),
                occurrence=date(2024, 7, 31),
            )
        )
        s.commit()
        number = ongoing.id
    token = portal.tokens["T-A-TP"]
    item = next(a for a in portal.page("T-A-TP")["assignments"] if a["number"] == number)
    assert item["period"] == f"{date.today():%Y-%m}" and item["period_done"] is False
    form = {
        "csrf": portal.csrf("T-A-TP"),
        "assignment_id": str(number),
        "state": "done",
        "on": "2024-07-30",
        "period": "2024-07",
    }
    r = portal.client.post(f"/u/{token}/bao-cao?format=json", data=form)
    assert r.status_code == 200 and r.json()["result"]["period"] == "2024-07", r.text
    with Session(engine) as s:
        rung = s.exec(select(Reminder).where(Reminder.assignment_id == number)).one()
        assert rung.state == "cancelled"  # that period's reminders stop, as with the CLI
        still = s.get(Assignment, number)
        assert still is not None and still.state != "done"
    engine.dispose()
    before = snapshot(app_env)
    again = portal.client.post(f"/u/{token}/bao-cao?format=json", data=form)
    assert (
        again.status_code == 400
        and "kỳ 2024-07 đã được ghi nhận hoàn thành" in again.json()["error"]
    )
    assert snapshot(app_env) == before


def _post_report(
    portal: Portal,
    code: str,
    number: int,
    *,
    files: dict[str, tuple[str, bytes, str]] | None = None,
    **extra: str,
) -> httpx.Response:
    data = {
        "csrf": portal.csrf(code),
        "assignment_id": str(number),
        "state": "done",
        "on": "2024-08-28",
        **extra,
    }
    return portal.client.post(
        f"/u/{portal.tokens[code]}/bao-cao?format=json",
        data=data,
        files=files,
    )


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("bao-cao.pdf", b"MZ\x90\x00 not a pdf", "kiểm tra theo nội dung"),
        ("bao-cao.docx", b"PK\x03\x04 broken zip", "kiểm tra theo nội dung"),
        ("anh.png", PDF, "không kết thúc bằng .pdf"),
        ("../../etc/passwd.pdf", PDF, "không hợp lệ"),
        ("..\\win.pdf", PDF, "không hợp lệ"),
        (".htaccess.pdf", PDF, "không hợp lệ"),
        ("trong.pdf", b"", "rỗng"),
    ],
)
def test_bad_files_are_refused_with_nothing_written(
    portal: Portal, app_env: str, name: str, content: bytes, expected: str
) -> None:
    number = portal.ids["T-A-NV"][0]
    portal.page("T-A-NV")  # the visit is recorded before the snapshot
    before = snapshot(app_env)
    r = _post_report(portal, "T-A-NV", number, files={"file": (name, content, "application/pdf")})
    assert r.status_code == 400 and expected in r.json()["error"], r.text
    assert snapshot(app_env) == before and portal.evidence_files() == []


def test_a_refused_form_shows_why_on_the_units_page(portal: Portal, app_env: str) -> None:
    token, number = portal.tokens["T-A-NV"], portal.ids["T-A-NV"][0]
    portal.page("T-A-NV")
    before = snapshot(app_env)
    r = portal.client.post(
        f"/u/{token}/bao-cao",
        data={"csrf": portal.csrf("T-A-NV"), "assignment_id": str(number), "state": "done"},
        files={"file": ("gia.pdf", b"MZ\x90", "application/pdf")},
    )
    assert r.status_code == 400 and "kiểm tra theo nội dung" in r.text
    assert "Phòng Nội vụ" in r.text and f"(nhiệm vụ mã {number})" in r.text
    assert snapshot(app_env) == before and portal.evidence_files() == []


def test_office_files_and_images_are_accepted_by_content(portal: Portal) -> None:
    numbers = portal.ids["T-A-NV"]
    for name, content in (
        ("ket-qua.docx", _office_file("word")),
        ("so-lieu.xlsx", _office_file("xl")),
        ("anh.PNG", PNG),
    ):
        r = _post_report(
            portal,
            "T-A-NV",
            numbers[-1],
            state="in_progress",
            files={"file": (name, content, "x/y")},
        )
        assert r.status_code == 200, r.text
    assert len(portal.evidence_files()) == 3


def test_oversized_file_is_refused(
    portal: Portal, app_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dondoc.caches import reset_caches

    monkeypatch.setenv("DONDOC_EVIDENCE_MAX_MB", "1")
    reset_caches()
    portal.page("T-A-NV")
    before = snapshot(app_env)
    big = PDF + b"0" * (1024 * 1024)
    r = _post_report(
        portal, "T-A-NV", portal.ids["T-A-NV"][0], files={"file": ("lon.pdf", big, "a/b")}
    )
    assert r.status_code == 400 and "lớn hơn 1 MB" in r.json()["error"]
    assert snapshot(app_env) == before and portal.evidence_files() == []


def test_bad_forms_are_refused_with_nothing_written(portal: Portal, app_env: str) -> None:
    nv, tp = portal.ids["T-A-NV"], portal.ids["T-A-TP"]
    token = portal.tokens["T-A-NV"]
    portal.page("T-A-NV")
    before = snapshot(app_env)
    # Another unit's assignment, by its id: refused, the unit learns nothing of it.
    foreign = next(i for i in tp if i not in nv)
    r = _post_report(portal, "T-A-NV", foreign)
    assert r.status_code == 404 and "không có trong danh sách" in r.json()["error"]
    r = portal.client.post(
        f"/u/{token}/gia-han?format=json",
        data={
            "csrf": portal.csrf("T-A-NV"),
            "assignment_id": str(foreign),
            "to": "2030-01-01",
            "reason": "x",
        },
    )
    assert r.status_code == 404
    assert _post_report(portal, "T-A-NV", 999999).status_code == 404
    # Missing or wrong CSRF token.
    r = portal.client.post(
        f"/u/{token}/bao-cao", data={"assignment_id": str(nv[0]), "state": "done"}
    )
    assert r.status_code == 403 and "CSRF" in r.text
    r = portal.client.post(
        f"/u/{token}/bao-cao", data={"csrf": "doan", "assignment_id": str(nv[0]), "state": "done"}
    )
    assert r.status_code == 403
    # Impossible and future dates, a date before the notice, a bad state, a bad URL.
    for extra, expected in (
        ({"on": "31/02/2024"}, "31/02/2024"),
        ({"on": "2099-01-01"}, "tương lai"),
        ({"on": "2024-01-01"}, "trước ngày ban hành"),
        ({"state": "xong"}, "đang thực hiện hoặc đã hoàn thành"),
        ({"url": "javascript:alert(1)"}, "http:// hoặc https://"),
        ({"url": "file:///etc/passwd"}, "http:// hoặc https://"),
    ):
        r = _post_report(
            portal,
            "T-A-NV",
            nv[0],
            on=extra.get("on", "2024-08-28"),
            state=extra.get("state", "done"),
            url=extra.get("url", ""),
        )
        assert r.status_code == 400 and expected in r.json()["error"], (extra, r.text)
    r = portal.client.post(
        f"/u/{token}/gia-han?format=json",
        data={
            "csrf": portal.csrf("T-A-NV"),
            "assignment_id": str(nv[0]),
            "to": "2024-08-01",
            "reason": "x",
        },
    )
    assert r.status_code == 400 and "phải sau hạn hiện tại" in r.json()["error"]
    assert snapshot(app_env) == before and portal.evidence_files() == []


def test_a_second_done_is_refused(portal: Portal, app_env: str) -> None:
    number = portal.ids["T-A-NV"][0]
    assert _post_report(portal, "T-A-NV", number).status_code == 200
    before = snapshot(app_env)
    again = _post_report(portal, "T-A-NV", number, files={"file": ("b.pdf", PDF, "a/b")})
    assert again.status_code == 400
    assert "đã được ghi nhận hoàn thành ngày 28/08/2024" in again.json()["error"]
    assert snapshot(app_env) == before and portal.evidence_files() == []


@pytest.mark.parametrize("token", ["A" * 43, "short", "x" * 200, "%2e%2e"])
def test_guessed_tokens_get_the_plain_page(portal: Portal, app_env: str, token: str) -> None:
    before = snapshot(app_env)
    r = portal.client.get(f"/u/{token}")
    assert r.status_code == 404 and "Liên kết không còn hiệu lực" in r.text
    assert "Phòng" not in r.text and "csrf" not in r.text
    assert portal.client.get(f"/u/{token}?format=json").json() == {
        "error": "Liên kết không còn hiệu lực"
    }
    assert snapshot(app_env) == before


def test_the_secretariat_revokes_a_link(portal: Portal, app_env: str) -> None:
    from tests.test_web_auth import csrf_of, sign_in

    old = portal.tokens["T-A-NV"]
    assert portal.client.get(f"/u/{old}").status_code == 200
    r = portal.client.post(
        "/don-vi/T-A-NV/lien-ket?format=json", data={"csrf": portal.csrf("T-A-NV")}
    )
    assert r.status_code == 401  # not signed in
    sign_in(portal.client, "lanhdao", PASSWORD)
    r = portal.client.post(
        "/don-vi/T-A-NV/lien-ket?format=json", data={"csrf": csrf_of(portal.client, "/")}
    )
    assert r.status_code == 403  # a leader changes nothing
    portal.client.post("/dang-xuat", data={"csrf": csrf_of(portal.client, "/")})
    sign_in(portal.client)
    assert portal.client.post("/don-vi/T-A-NV/lien-ket", data={}).status_code == 403  # no CSRF
    r = portal.client.post("/don-vi/T-A-NV/lien-ket", data={"csrf": csrf_of(portal.client, "/")})
    assert r.status_code == 303 and r.headers["location"] == "/don-vi/T-A-NV"
    assert portal.client.get(f"/u/{old}").status_code == 404
    # The revocation is in the audit log, by the signed-in clerk, without the token's hash.
    engine = create_engine(app_env)
    with Session(engine) as session:
        events = session.exec(
            select(AuditEvent).where(
                AuditEvent.entity == "unit_link", AuditEvent.action == "update"
            )
        ).all()
    engine.dispose()
    assert [e.actor for e in events] == ["vanthu"]
    assert set(events[0].changes) == {"revoked_at"} and events[0].changes["revoked_at"][0] is None
    # The secretariat's unit page shows the new link to the clerk.
    shown = portal.client.get("/don-vi/T-A-NV?format=json").json()["unit_link"]
    assert (
        not shown["url"].endswith(old) and shown["url"] in portal.client.get("/don-vi/T-A-NV").text
    )
    r = portal.client.post(
        "/don-vi/T-A-NV/lien-ket?format=json", data={"csrf": csrf_of(portal.client, "/")}
    )
    new_url = r.json()["link"]["url"]
    assert portal.client.get(new_url.split("8000", 1)[1] + "?format=json").status_code == 200
    r = portal.client.post(
        "/don-vi/KHONG-CO/lien-ket?format=json", data={"csrf": csrf_of(portal.client, "/")}
    )
    assert r.status_code == 400 and "KHONG-CO" in r.json()["error"]
