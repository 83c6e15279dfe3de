"""The secretariat's pages (issue 11, items 4–9) through FastAPI's TestClient: notices, an
assignment's history, extension decisions, the outbox, the briefing and the unit directory —
asserting on each page's data (?format=json), each role, and bad input leaving the database
unchanged."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from html import unescape
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, create_engine, select

from models.audit import AuditEvent
from models.delivery import Delivery
from models.notice import Assignment
from models.progress import ExtensionRequest
from models.reminder import Reminder
from models.unit import Unit
from models.web import EvidenceFile
from services.accounts import add_user
from services.progress import ask_extension, report_progress
from tasks.calendar import default_calendar
from tasks.progress import find_assignment
from tests.helpers import give_contacts, mini_scenario, plan_everything, snapshot
from tests.test_web_auth import PASSWORD, csrf_of, sign_in

PHONE = "84912345678"
PDF = b"%PDF-1.4\n% minh chung\n%%EOF\n"


@dataclass
class World:
    client: TestClient
    url: str
    data_dir: Path
    notice_id: int
    lead: int  # directive 1, Phòng Nội vụ (due 30/08/2024), with a pending extension request
    other: int  # directive 1, Phòng Tư pháp, with a progress report and its evidence file
    extension: int
    evidence: int
    failed: int
    pending: int
    sent: int


@pytest.fixture
def world(app_env: str, tmp_path: Path) -> Iterator[World]:
    from web.app import create_app

    data_dir = tmp_path / "data"
    engine = create_engine(app_env)
    with Session(engine, expire_on_commit=False) as session:
        notice = mini_scenario(session)
        give_contacts(session)
        nv = session.exec(select(Unit).where(Unit.code == "T-A-NV")).one()
        nv.contacts = [*nv.contacts, f"zalo://oa/{PHONE}"]
        session.add(nv)
        add_user(session=session, name="vanthu", role="clerk", password=PASSWORD)
        add_user(session=session, name="lanhdao", role="leader", password=PASSWORD)
        session.commit()
        assert notice.id is not None
        plan_everything(session, date(2024, 6, 3))
        lead = find_assignment(session=session, notice_id=notice.id, ref="1", unit_code="T-A-NV")
        other = find_assignment(session=session, notice_id=notice.id, ref="1", unit_code="T-A-TP")
        assert lead.id is not None and other.id is not None
        ext = ask_extension(
            session=session, assignment_id=lead.id, to=date(2024, 9, 14), reason="Chờ số liệu"
        )
        update = report_progress(
            session=session,
            assignment_id=other.id,
            state="in_progress",
            on=date(2024, 6, 10),
            note="Đang rà soát",
        )
        digest = hashlib.sha256(PDF).hexdigest()
        (data_dir / "evidence").mkdir(parents=True, exist_ok=True)
        (data_dir / "evidence" / digest).write_bytes(PDF)
        evidence = EvidenceFile(
            assignment_id=other.id,
            progress_update_id=update.id,
            sha256=digest,
            original_name="bao-cao.pdf",
            content_type="application/pdf",
            size=len(PDF),
        )
        session.add(evidence)
        rows = [
            Delivery(
                key=f"k{i}",
                channel=channel,
                recipient=recipient,
                unit_id=lead.unit_id,
                level="due_soon",
                subject="Nhắc việc",
                assignment_ids=[lead.id],
                state=state,
                last_error=error,
            )
            for i, (channel, recipient, state, error) in enumerate(
                [
                    ("zalo", f"zalo://oa/{PHONE}", "failed", f"số {PHONE} không nhận tin"),
                    ("email", "mailto://t-a-nv@example.gov.vn", "pending", None),
                    ("email", "mailto://head-t-a-nv@example.gov.vn", "sent", None),
                ]
            )
        ]
        session.add_all(rows)
        session.commit()
        ids = (notice.id, lead.id, other.id, ext.id, evidence.id, *(d.id for d in rows))
    engine.dispose()
    assert all(isinstance(i, int) for i in ids)
    with TestClient(create_app(), follow_redirects=False) as client:
        yield World(client, app_env, data_dir, *ids)  # type: ignore[arg-type]


def _db(w: World) -> Session:
    return Session(create_engine(w.url), expire_on_commit=False)


def _post(w: World, url: str, data: dict[str, str] | None = None) -> httpx.Response:
    """POST with this session's CSRF token, asking for the JSON answer."""
    token = csrf_of(w.client, "/")
    joiner = "&" if "?" in url else "?"
    return w.client.post(
        f"{url}{joiner}format=json",
        data={"csrf": token, **(data or {})},
    )


PAGES = [
    "/thong-bao",
    "/thong-bao/{notice}",
    "/nhiem-vu/{lead}",
    "/gia-han",
    "/hop-thu-di",
    "/giao-ban?month=2024-08",
    "/giao-ban/xem?month=2024-08",
    "/don-vi",
    "/don-vi/T-A-NV",
]


def _pages(w: World) -> list[str]:
    return [p.format(notice=w.notice_id, lead=w.lead) for p in PAGES]


def test_every_page_needs_a_signed_in_person(world: World) -> None:
    for url in [*_pages(world), f"/nhiem-vu/{world.other}/minh-chung/{world.evidence}"]:
        r = world.client.get(url)
        assert r.status_code == 303 and r.headers["location"].startswith("/dang-nhap"), url
        joiner = "&" if "?" in url else "?"
        assert world.client.get(f"{url}{joiner}format=json").status_code == 401, url


@pytest.mark.parametrize("who", ["vanthu", "lanhdao"])
def test_every_page_renders_for_each_role(world: World, who: str) -> None:
    sign_in(world.client, who)
    for url in _pages(world):
        r = world.client.get(url)
        assert r.status_code == 200, (url, r.text[:500])
        assert "<h1>" in r.text
    nav = world.client.get("/thong-bao").text
    assert ('href="/hop-thu-di"' in nav) is (who == "vanthu")


def test_notice_list_and_notice_page(world: World) -> None:
    sign_in(world.client)
    listing = world.client.get("/thong-bao?format=json").json()["notices"]
    assert [(n["number"], n["directives"], n["followed_up"]) for n in listing] == [
        ("12/TB-VP", 3, False)
    ]
    assert listing[0]["issuer"].startswith("Văn phòng") and listing[0]["issued_on"] == "2024-06-03"
    notice = world.client.get(f"/thong-bao/{world.notice_id}?format=json").json()
    assert notice["number"] == "12/TB-VP" and notice["as_of"] == date.today().isoformat()
    assert [d["ref"] for d in notice["directives"]] == ["1", "2", "3"]
    first = notice["directives"][0]["assignments"]
    assert {a["unit_code"]: a["role"] for a in first} == {"T-A-NV": "lead", "T-A-TP": "support"}
    assert all(
        a["status"] and a["status_label"] for d in notice["directives"] for a in d["assignments"]
    )
    html = world.client.get(f"/thong-bao/{world.notice_id}").text
    assert f'href="/nhiem-vu/{world.lead}"' in html and "30/08/2024" in html
    for bad in ("/thong-bao/9999", "/thong-bao/99999999999"):
        r = world.client.get(bad)
        assert r.status_code == 404 and "Không tìm thấy thông báo mã" in r.text
    assert world.client.get("/thong-bao/abc").status_code == 422


def test_assignment_history(world: World) -> None:
    sign_in(world.client)
    h = world.client.get(f"/nhiem-vu/{world.other}?format=json").json()
    assert h["unit"]["code"] == "T-A-TP" and h["role"] == "support"
    assert h["notice"]["number"] == "12/TB-VP" and h["effective_due"] == "2024-08-30"
    [report] = h["reports"]
    assert (report["state"], report["on"], report["note"]) == (
        "in_progress",
        "2024-06-10",
        "Đang rà soát",
    )
    assert [f["original_name"] for f in report["files"]] == ["bao-cao.pdf"]
    assert any(e["entity"] == "assignment" and e["action"] == "create" for e in h["events"])
    lead = world.client.get(f"/nhiem-vu/{world.lead}?format=json").json()
    assert [(e["id"], e["state"], e["requested_due"]) for e in lead["extensions"]] == [
        (world.extension, "pending", "2024-09-14")
    ]
    reminders = lead["reminders"]
    assert {d["state"] for d in reminders} == {"failed", "pending", "sent"}
    assert PHONE not in str(reminders) and "8491***678" in str(reminders)
    html = world.client.get(f"/nhiem-vu/{world.other}").text
    assert f"/nhiem-vu/{world.other}/minh-chung/{world.evidence}" in html
    assert "Ghi nhận tiến độ" in html  # the clerk's form
    # the change log in words: field names and dates as a clerk reads them
    assert "hạn thực tế: 30/08/2024" in html and "vai trò: phối hợp" in html
    assert "effective_due" not in html and "2024-08-30" not in html
    r = world.client.get("/nhiem-vu/424242")
    assert r.status_code == 404 and "Không tìm thấy nhiệm vụ giao mã 424242" in r.text


def test_evidence_is_a_download_for_signed_in_people_only(world: World) -> None:
    url = f"/nhiem-vu/{world.other}/minh-chung/{world.evidence}"
    assert world.client.get(url).status_code == 303
    sign_in(world.client, "lanhdao")
    r = world.client.get(url)
    assert r.status_code == 200 and r.content == PDF
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"].startswith("attachment;")
    assert "bao-cao.pdf" in r.headers["content-disposition"]
    # the evidence of another assignment, an unknown one, or a file gone from the folder: 404
    assert (
        world.client.get(f"/nhiem-vu/{world.lead}/minh-chung/{world.evidence}").status_code == 404
    )
    assert world.client.get(f"/nhiem-vu/{world.other}/minh-chung/777").status_code == 404
    for f in (world.data_dir / "evidence").iterdir():
        f.unlink()
    assert world.client.get(url).status_code == 404


def test_recording_progress(world: World) -> None:
    sign_in(world.client)
    r = _post(
        world,
        f"/nhiem-vu/{world.lead}/tien-do",
        {"state": "done", "on": "28/08/2024", "note": "Đã gửi báo cáo"},
    )
    assert r.status_code == 200, r.text
    assert (
        r.json()["message"]
        == f"Đã ghi nhận nhiệm vụ giao {world.lead}: hoàn thành ngày 28/08/2024."
    )
    with _db(world) as s:
        a = s.get(Assignment, world.lead)
        assert a is not None and (a.state, a.completed_on) == ("done", date(2024, 8, 28))
        actors = s.exec(
            select(AuditEvent.actor).where(
                AuditEvent.entity == "assignment", AuditEvent.entity_id == world.lead
            )
        ).all()
    assert actors[-1] == "vanthu"  # the signed-in person, not the process
    h = world.client.get(f"/nhiem-vu/{world.lead}?format=json").json()
    assert h["status"] == "done_on_time" and h["reports"][-1]["recorded_by"] == "vanthu"
    # the browser's way: back to the page, which says what was recorded once
    token = csrf_of(world.client, "/")
    r2 = world.client.post(
        f"/nhiem-vu/{world.other}/tien-do",
        data={"csrf": token, "state": "in_progress", "on": "01/07/2024"},
    )
    assert r2.status_code == 303 and r2.headers["location"] == f"/nhiem-vu/{world.other}"
    assert "Đã ghi nhận nhiệm vụ giao" in world.client.get(r2.headers["location"]).text
    assert "Đã ghi nhận nhiệm vụ giao" not in world.client.get(r2.headers["location"]).text


@pytest.mark.parametrize(
    ("form", "status", "words"),
    [
        ({"state": "done", "on": "31/02/2024"}, 400, "31/02/2024"),
        ({"state": "xong", "on": "28/08/2024"}, 400, "Trạng thái «xong» không hợp lệ"),
        ({"state": "done", "on": "01/01/2024"}, 400, "trước ngày ban hành"),
        (
            {"state": "done", "on": "28/08/2024", "period": "2024-08"},
            400,
            "không phải nhiệm vụ định kỳ",
        ),
        ({"on": "28/08/2024"}, 422, "state"),
    ],
)
def test_bad_progress_is_refused_and_nothing_written(
    world: World, form: dict[str, str], status: int, words: str
) -> None:
    sign_in(world.client)
    before = snapshot(world.url)
    r = _post(world, f"/nhiem-vu/{world.lead}/tien-do", form)
    assert r.status_code == status and words in r.json()["error"]
    assert snapshot(world.url) == before


def test_changes_refused_without_csrf_or_role(world: World) -> None:
    sign_in(world.client)
    before = snapshot(world.url)
    changes = [
        (f"/nhiem-vu/{world.lead}/tien-do", {"state": "done", "on": "28/08/2024"}),
        (f"/gia-han/{world.extension}/duyet", {}),
        (f"/gia-han/{world.extension}/tu-choi", {}),
        (f"/hop-thu-di/{world.failed}/gui-lai", {}),
        ("/hop-thu-di/gui-lai", {}),
    ]
    for url, form in changes:
        r = world.client.post(url, data=form)
        assert r.status_code == 403 and "CSRF" in r.text, url
        r = world.client.post(url, data={**form, "csrf": "doan-bua"})
        assert r.status_code == 403, url
    r = world.client.post("/don-vi/nhap", files={"file": ("a.yaml", b"units: []\n")})
    assert r.status_code == 403
    assert snapshot(world.url) == before
    # a leader reads everything and decides extensions, but changes nothing else
    world.client.cookies.clear()
    sign_in(world.client, "lanhdao")
    before = snapshot(world.url)  # signing in stamps the account
    for url, form in changes[:1] + changes[3:]:
        r = _post(world, url, form)
        assert r.status_code == 403 and "không có quyền" in r.json()["error"], url
    token = csrf_of(world.client, "/")
    r = world.client.post(
        "/don-vi/nhap?format=json",
        data={"csrf": token},
        files={"file": ("moi.yaml", b"units:\n  - code: MOI\n    name: Moi\n    kind: office\n")},
    )
    assert r.status_code == 403
    assert snapshot(world.url) == before
    html = world.client.get(f"/nhiem-vu/{world.lead}").text
    assert (
        "Ghi nhận tiến độ" not in html
        and 'action="/don-vi/nhap"' not in world.client.get("/don-vi").text
    )


def test_extension_queue_and_a_leaders_approval(world: World) -> None:
    sign_in(world.client, "lanhdao")
    queue = world.client.get("/gia-han?format=json").json()
    [pending] = queue["pending"]
    assert queue["decided"] == []
    assert pending["assignment_id"] == world.lead and pending["unit_code"] == "T-A-NV"
    assert (pending["current_due"], pending["requested_due"], pending["reason"]) == (
        "2024-08-30",
        "2024-09-14",
        "Chờ số liệu",
    )
    assert 'formaction="/gia-han/' in world.client.get("/gia-han").text
    with _db(world) as s:
        old = s.exec(
            select(Reminder).where(
                Reminder.assignment_id == world.lead, Reminder.state == "planned"
            )
        ).all()
    assert old
    r = _post(world, f"/gia-han/{world.extension}/duyet", {"note": "Đồng ý"})
    assert r.status_code == 200, r.text
    granted = default_calendar().roll_forward(date(2024, 9, 14))  # a Saturday: to Monday
    assert r.json()["message"] == (
        f"Đã duyệt gia hạn số {world.extension}: hạn mới {granted:%d/%m/%Y} "
        "(hạn cũ 30/08/2024 vẫn được lưu)."
    )
    with _db(world) as s:
        a = s.get(Assignment, world.lead)
        ext = s.get(ExtensionRequest, world.extension)
        assert a is not None and ext is not None
        assert a.effective_due == granted and ext.decided_by == "lanhdao"
        assert ext.decision_note == "Đồng ý" and ext.decided_on == date.today()
        ladder = s.exec(select(Reminder).where(Reminder.assignment_id == world.lead)).all()
        actor = s.exec(
            select(AuditEvent.actor)
            .where(AuditEvent.entity == "extension_request")
            .order_by(col(AuditEvent.id).desc())
        ).first()
    assert actor == "lanhdao"
    assert {r.id for r in old if r.level != "assigned"} <= {
        r.id for r in ladder if r.state == "superseded"
    }
    assert any(r.state == "planned" and r.occurrence == granted for r in ladder)
    queue = world.client.get("/gia-han?format=json").json()
    assert queue["pending"] == [] and queue["decided"][0]["state"] == "approved"
    again = _post(world, f"/gia-han/{world.extension}/tu-choi")
    assert again.status_code == 400 and "không quyết định lại" in again.json()["error"]
    gone = _post(world, "/gia-han/5555/duyet")
    assert gone.status_code == 404 and "đề nghị gia hạn số 5555" in gone.json()["error"]


def test_rejecting_keeps_the_due_date(world: World) -> None:
    sign_in(world.client)
    token = csrf_of(world.client, "/gia-han")
    r = world.client.post(
        f"/gia-han/{world.extension}/tu-choi", data={"csrf": token, "note": "Không đủ lý do"}
    )
    assert r.status_code == 303 and r.headers["location"] == "/gia-han"
    assert (
        f"Đã từ chối đề nghị gia hạn số {world.extension}; hạn giữ nguyên."
        in world.client.get("/gia-han").text
    )
    with _db(world) as s:
        a = s.get(Assignment, world.lead)
        assert a is not None and a.effective_due == date(2024, 8, 30)


def test_outbox(world: World) -> None:
    sign_in(world.client)
    box = world.client.get("/hop-thu-di?format=json").json()
    assert [d["id"] for d in box["deliveries"]] == [world.pending, world.failed]
    assert PHONE not in str(box) and "8491***678" in str(box)
    assert [
        d["id"] for d in world.client.get("/hop-thu-di?state=sent&format=json").json()["deliveries"]
    ] == [world.sent]
    bad = world.client.get("/hop-thu-di?state=lost&format=json")
    assert bad.status_code == 400 and "«lost»" in bad.json()["error"]
    before = snapshot(world.url)
    for url, status in (
        (f"/hop-thu-di/{world.sent}/gui-lai", 400),
        ("/hop-thu-di/9999/gui-lai", 404),
    ):
        r = _post(world, url)
        assert r.status_code == status, url
    assert snapshot(world.url) == before
    r = _post(world, f"/hop-thu-di/{world.failed}/gui-lai")
    assert r.status_code == 200 and r.json()["retried"] == [world.failed]
    with _db(world) as s:
        d = s.get(Delivery, world.failed)
        assert d is not None and (d.state, d.attempts) == ("pending", 0)
        d.state = "failed"
        s.add(d)
        s.commit()
    token = csrf_of(world.client, "/hop-thu-di")
    r2 = world.client.post("/hop-thu-di/gui-lai", data={"csrf": token})
    assert r2.status_code == 303
    assert (
        "Đã đưa 1 thư/tin nhắn thất bại vào hàng chờ gửi lại"
        in world.client.get("/hop-thu-di").text
    )


def test_briefing_page_and_downloads(world: World) -> None:
    sign_in(world.client, "lanhdao")
    data = world.client.get("/giao-ban?month=2024-08&period=15-14&format=json").json()
    assert (data["month"], data["period"]) == ("2024-08", "15-14")
    assert "15/07/2024" in data["label"] and data["briefing"]
    html = world.client.get("/giao-ban?month=2024-08").text
    assert "<iframe" in html and "tai-ve?month=2024-08&period=calendar&format=docx" in html
    kinds = {
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "md": "text/markdown; charset=utf-8",
        "json": "application/json",
    }
    for fmt, content_type in kinds.items():
        r = world.client.get(f"/giao-ban/tai-ve?month=2024-08&period=calendar&format={fmt}")
        assert r.status_code == 200, r.text
        assert r.headers["content-type"] == content_type
        assert (
            r.headers["content-disposition"]
            == f'attachment; filename="bao-cao-giao-ban-2024-08.{fmt}"'
        )
    assert world.client.get("/giao-ban/tai-ve?month=2024-08&format=docx").content[:2] == b"PK"
    # The same document as a page of its own, linked from the framed one; it runs no script.
    assert "/giao-ban/xem?month=2024-08&period=calendar" in html.replace("&amp;", "&")
    alone = world.client.get("/giao-ban/xem?month=2024-08&period=calendar")
    assert alone.status_code == 200 and alone.headers["content-security-policy"] == "sandbox"
    framed = re.search(r'srcdoc="([^"]*)"', html)
    assert framed and alone.text == unescape(framed.group(1))
    for url, words in (
        ("/giao-ban?month=2024-13", "tháng phải từ 1 đến 12"),
        ("/giao-ban?month=thang-tam", "không đọc được"),
        ("/giao-ban?month=2024-08&period=quy", "Kỳ báo cáo «quy» không hợp lệ"),
        ("/giao-ban/tai-ve?month=2024-08&format=pdf", "Định dạng «pdf»"),
    ):
        r = world.client.get(url)
        assert r.status_code == 400 and words in r.text, url


def test_unit_directory(world: World) -> None:
    sign_in(world.client)
    listing = world.client.get("/don-vi?format=json").json()
    codes = [u["code"] for u in listing["units"]]
    assert codes[0] == "T" and "T-A-NV" in codes and listing["groups"]
    assert PHONE not in str(listing)
    unit = world.client.get("/don-vi/T-A-NV?format=json").json()
    assert unit["name"] and unit["parent"]["code"] == "T-A"
    assert "zalo://oa/8491***678" in unit["contacts"] and PHONE not in str(unit)
    assert unit["head"]["contacts"] == ["mailto://head-t-a-nv@example.gov.vn"]
    assert unit["open_assignments"] == 2  # directives 1 and 3
    html = world.client.get("/don-vi/T-A-NV").text
    assert "Liên kết cá nhân" in html and "unit-link" in html
    r = world.client.get("/don-vi/KHONG-CO")
    assert r.status_code == 404 and "Không tìm thấy đơn vị mã «KHONG-CO»" in r.text


def _upload(w: World, name: str, content: bytes) -> httpx.Response:
    token = csrf_of(w.client, "/don-vi")
    return w.client.post(
        "/don-vi/nhap?format=json", data={"csrf": token}, files={"file": (name, content)}
    )


def test_importing_a_directory_file(world: World) -> None:
    sign_in(world.client)
    new = "units:\n  - code: T-A-MOI\n    name: Phòng Mới\n    kind: department\n    parent: T-A\n"
    r = _upload(world, "../../danh-muc.yaml", new.encode())
    assert r.status_code == 200, r.text
    assert r.json()["message"].startswith("Đã nhập «danh-muc.yaml»: 1 đơn vị mới")
    assert world.client.get("/don-vi/T-A-MOI?format=json").json()["parent"]["code"] == "T-A"
    csv = "code,name,kind,parent\nT-A-CSV,Phòng CSV,department,T-A\n"
    r = _upload(world, "don-vi.csv", csv.encode())
    assert r.status_code == 200 and "1 đơn vị mới" in r.json()["message"]


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("danh-muc.txt", b"units: []\n", "phải là tệp .yaml, .yml hoặc .csv"),
        ("danh-muc.yaml", b"units: [\n", "danh-muc.yaml"),
        (
            "danh-muc.yaml",
            b"units:\n  - code: X\n    name: X\n    kind: office\n    parent: KHONG\n",
            "KHONG",
        ),
        ("lon.csv", b"code,name\n" + b"x" * (2 * 1024 * 1024), "lớn hơn 2 MB"),
    ],
)
def test_a_bad_directory_file_imports_nothing(
    world: World, name: str, content: bytes, words: str
) -> None:
    sign_in(world.client)
    before = snapshot(world.url)
    r = _upload(world, name, content)
    error = r.json()["error"]
    assert r.status_code == 400 and words in error, error
    assert "dondoc-units-" not in error  # the temporary copy is never named
    assert snapshot(world.url) == before


def test_what_units_wrote_is_shown_as_text(world: World) -> None:
    with _db(world) as s:
        ask_extension(
            session=s,
            assignment_id=world.other,
            to=date(2024, 9, 20),
            reason="<script>alert(1)</script>",
        )
        s.commit()
    sign_in(world.client)
    for url in ("/gia-han", f"/nhiem-vu/{world.other}"):
        html = world.client.get(url).text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html, url


def test_the_dashboards_lead_count_reconciles_with_the_briefing(world: World) -> None:
    """One category function, two scopes: the briefing of August counts the lead assignments
    still open on 01/08 — the dashboard as of 31/08 with «Chủ trì», less those finished before
    August (the mini notice has no recurring directive, whose periods the briefing would count
    one by one)."""
    sign_in(world.client, "lanhdao")
    board = world.client.get("/?as_of=31/08/2024&role=lead&format=json").json()
    everyone = world.client.get("/?as_of=31/08/2024&format=json").json()
    assert 0 < len(board["assignments"]) == board["matching"] < everyone["matching"]
    expected = dict(board["counts"])
    for row in board["assignments"]:
        assert row["role"] == "lead"
        if row["completed_on"] and row["completed_on"] < "2024-08-01":
            expected[row["status"]] -= 1
    briefing = world.client.get("/giao-ban?month=2024-08&format=json").json()["briefing"]
    assert briefing["as_of"] == "2024-08-31"
    assert briefing["totals"] == expected
    assert world.client.get("/?role=chu-tri").status_code == 400
    # A unit or notice that names nothing is a mistake to fix, not an empty dashboard.
    for query, words in (
        ("unit=KHONG-CO", "Không có đơn vị mã «KHONG-CO»"),
        ("notice=1/X", "số «1/X»"),
    ):
        r = world.client.get(f"/?{query}&format=json")
        assert r.status_code == 400 and words in r.json()["error"], r.text
