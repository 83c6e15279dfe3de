"""Registering a notice from the web pages: upload a real seed document, review and correct
it, confirm; refused files and forms store nothing (through TestClient, on the JSON data)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, create_engine, select

from models.notice import Assignment, Directive, Notice
from models.unit import Unit
from models.web import NoticeDraft
from services.accounts import add_user
from services.database import init_database
from tasks.units import import_directory
from tests.helpers import snapshot
from tests.test_web_auth import PASSWORD, csrf_of
from tests.test_web_auth import sign_in as signed_in

ROOT = Path(__file__).resolve().parent.parent
SEED_004 = ROOT / "tests" / "data" / "seeds" / "004_c66a1e2327b84e98.txt"
SEED_003 = ROOT / "tests" / "data" / "seeds" / "003_9f18c9b838a35011.txt"
UNITS = ROOT / "examples" / "units" / "seed-era.yaml"
HEADER = {"issuer": "UBND huyện Hương Sơn", "issued_on": "28/06/2024"}


@pytest.fixture
def client(app_env: str) -> Iterator[TestClient]:
    from web.app import create_app

    init_database()
    engine = create_engine(app_env)
    with Session(engine) as session:
        import_directory(session=session, path=UNITS)  # the directory of the seed documents
        for name, role in (("vanthu", "clerk"), ("lanhdao", "leader")):
            add_user(session=session, name=name, role=role, password=PASSWORD)
        session.commit()
    engine.dispose()
    with TestClient(create_app(), follow_redirects=False) as c:
        yield c


def sign_in(client: TestClient, name: str = "vanthu") -> str:
    """Sign in; the session's CSRF token for the forms that follow."""
    signed_in(client, name)
    return csrf_of(client, "/")


def drafts_dir(app_env: str) -> Path:
    from dondoc.settings import get_settings

    return get_settings().data_dir / "drafts"


def upload(
    client: TestClient,
    csrf: str,
    name: str = "cong-van.txt",
    content: bytes | None = None,
    header: dict[str, str] | None = None,
) -> Any:
    data = {"csrf": csrf, **(HEADER if header is None else header)}
    body = SEED_004.read_bytes() if content is None else content
    return client.post(
        "/thong-bao/moi?format=json", data=data, files={"file": (name, body, "text/plain")}
    )


def review_form(draft: dict[str, Any], csrf: str, action: str) -> list[tuple[str, str]]:
    """The review form as a browser would send it back unchanged."""
    form = [("csrf", csrf), ("action", action)]
    form += [(k, v) for k, v in draft["header"].items()]
    for d in draft["directives"]:
        i = d["index"]
        form += [(f"ref_{i}", d["ref"] or ""), (f"text_{i}", d["text"])]
        form += [(f"lead_{i}", u["written"]) for u in d["lead"]] + [(f"lead_{i}", "")]
        form += [(f"support_{i}", u["written"]) for u in d["support"]]
        form += [(f"deadline_{i}", d["deadline"])]
    return form


def replace(form: list[tuple[str, str]], name: str, values: list[str]) -> list[tuple[str, str]]:
    kept = [(k, v) for k, v in form if k != name]
    return kept + [(name, v) for v in values]


def post_review(client: TestClient, key: str, form: list[tuple[str, str]]) -> Any:
    # A list of pairs keeps repeated fields (several lead units), as a browser sends them.
    body = "&".join(f"{k}={_quote(v)}" for k, v in form)
    return client.post(
        f"/thong-bao/nhap/{key}?format=json",
        content=body.encode(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )


def _quote(value: str) -> str:
    from urllib.parse import quote_plus

    return quote_plus(value)


def _key(response: Any) -> str:
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert location.startswith("/thong-bao/nhap/")
    return str(location.rsplit("/", 1)[1])


def test_upload_review_correct_confirm(client: TestClient, app_env: str) -> None:
    csrf = sign_in(client)
    key = _key(upload(client, csrf))
    page = client.get(f"/thong-bao/nhap/{key}?format=json")
    assert page.status_code == 200
    draft = page.json()["draft"]
    assert draft["file_name"] == "cong-van.txt"
    assert draft["header"]["issuer"] == "UBND huyện Hương Sơn"
    assert draft["header"]["issued_on"] == "28/06/2024"
    assert draft["header"]["signer"] == "Trần Bình Thân"
    assert len(draft["directives"]) == 16
    first = next(d for d in draft["directives"] if d["ref"] == "1")
    assert first["deadline"] == "trước ngày 30/8/2024" and first["due_date"] == "2024-08-30"
    assert first["lead"][0]["code"] == "HT-HS-XA-TT" and first["lead"][0]["units"] >= 25
    # those that need a look come first
    looks = [d["needs_review"] for d in draft["directives"]]
    assert looks == sorted(looks, reverse=True)
    assert draft["flagged"] == sum(looks)

    # a reload keeps the draft (it is in the database), and the upload page lists it
    assert client.get(f"/thong-bao/nhap/{key}?format=json").json()["draft"] == draft
    listed = client.get("/thong-bao/moi?format=json").json()["drafts"]
    assert [d["key"] for d in listed] == [key]

    # correct one unit (by code) and re-read a deadline: saved, nothing registered
    before = snapshot(app_env)
    form = review_form(draft, csrf, "save")
    i = first["index"]
    form = replace(form, f"lead_{i}", ["HT-HS-NV", ""])
    form = replace(form, f"deadline_{i}", ["trong tháng 9/2024"])
    r = post_review(client, key, form)
    assert r.status_code == 200, r.text
    saved = next(d for d in r.json()["draft"]["directives"] if d["index"] == i)
    assert [u["code"] for u in saved["lead"]] == ["HT-HS-NV"]
    assert saved["due_date"] == "2024-09-30"
    after = snapshot(app_env)
    assert after["notice"] == before["notice"] == []
    reloaded = client.get(f"/thong-bao/nhap/{key}?format=json").json()["draft"]
    assert next(d for d in reloaded["directives"] if d["index"] == i) == saved

    r = post_review(client, key, review_form(reloaded, csrf, "confirm"))
    assert r.status_code == 303, r.text
    engine = create_engine(app_env)
    with Session(engine) as s:
        notice = s.exec(select(Notice)).one()
        assert r.headers["location"] == f"/thong-bao/{notice.id}"
        assert notice.issued_on.isoformat() == "2024-06-28"
        assert notice.source_file and Path(notice.source_file).read_bytes() == SEED_004.read_bytes()
        directive = s.exec(select(Directive).where(Directive.ref == "1")).one()
        assert directive.due_date is not None and directive.due_date.isoformat() == "2024-09-30"
        units = s.exec(
            select(Unit.code)
            .join(Assignment, col(Assignment.unit_id) == Unit.id)
            .where(Assignment.directive_id == directive.id)
        ).all()
        assert units == ["HT-HS-NV"]
        assert s.exec(select(NoticeDraft)).all() == []
    engine.dispose()
    assert list(drafts_dir(app_env).iterdir()) == []
    # the notice's page it redirects to says what was registered and planned, once
    shown = client.get(r.headers["location"]).text
    assert "Đã đăng ký thông báo " in shown and "16 nhiệm vụ" in shown
    assert "DONDOC_FOLLOW_UP=false" in shown
    assert "Đã đăng ký thông báo" not in client.get(r.headers["location"]).text
    # posted twice: the draft is gone
    again = post_review(client, key, review_form(reloaded, csrf, "confirm"))
    assert again.status_code == 404 and "Không còn bản nháp" in again.json()["error"]
    assert not client.get("/thong-bao/moi?format=json").json()["flash"]

    # the same file again is refused at upload, as the CLI refuses it
    before = snapshot(app_env)
    r = upload(client, csrf)
    assert r.status_code == 400 and "đã được đăng ký" in r.json()["error"]
    assert "cong-van.txt" in r.json()["error"]
    assert snapshot(app_env) == before and list(drafts_dir(app_env).iterdir()) == []


def test_form_errors_store_nothing(client: TestClient, app_env: str) -> None:
    csrf = sign_in(client)
    key = _key(upload(client, csrf))
    draft = client.get(f"/thong-bao/nhap/{key}?format=json").json()["draft"]
    i = draft["directives"][0]["index"]
    before = snapshot(app_env)
    for name, values, expected in [
        (f"lead_{i}", ["KHONG-CO-MA"], "Không tìm thấy đơn vị «KHONG-CO-MA»"),
        ("issued_on", ["31/02/2024"], "31/02/2024"),
        (f"deadline_{i}", ["trước ngày 01/05/2024"], "trước ngày ban hành"),
        (f"deadline_{i}", ["ngày 32/13/2024"], "deadline"),
    ]:
        for action in ("save", "confirm"):
            form = replace(review_form(draft, csrf, action), name, values)
            r = post_review(client, key, form)
            assert r.status_code == 400, (name, r.text)
            assert expected in r.json()["error"], r.json()["error"]
            # the page shows the clerk's unsaved version, to correct it
            assert r.json()["draft"]["key"] == key
            assert snapshot(app_env) == before
    both = replace(review_form(draft, csrf, "save"), f"lead_{i}", ["KHONG-CO-MA"])
    both = replace(both, f"deadline_{i}", ["trước ngày 01/05/2024"])
    message = post_review(client, key, both).json()["error"]
    assert "KHONG-CO-MA" in message and "trước ngày ban hành" in message  # every problem at once
    shown = post_review(
        client, key, replace(review_form(draft, csrf, "save"), f"lead_{i}", ["KHONG-CO-MA"])
    ).json()["draft"]
    wrong = next(d for d in shown["directives"] if d["index"] == i)
    assert wrong["needs_review"] and wrong["lead"][0]["problem"]
    assert shown["directives"][0]["index"] == i  # a problem goes first


def test_drop_removes_draft_and_file(client: TestClient, app_env: str) -> None:
    csrf = sign_in(client)
    before = snapshot(app_env)
    key = _key(upload(client, csrf))
    assert len(list(drafts_dir(app_env).iterdir())) == 1
    r = post_review(client, key, [("csrf", csrf), ("action", "drop")])
    assert r.status_code == 303 and r.headers["location"] == "/thong-bao/moi"
    assert snapshot(app_env) == before and list(drafts_dir(app_env).iterdir()) == []
    assert client.get(f"/thong-bao/nhap/{key}?format=json").status_code == 404


def _scan_pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 60, style="F")
    return bytes(pdf.output())


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("cu.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, ".doc"),
        ("scan.pdf", None, "OCR"),
        ("tin-tuc.txt", SEED_003.read_bytes(), "Không tìm thấy nhiệm vụ nào trong «tin-tuc.txt»"),
        ("../../x.txt", SEED_004.read_bytes(), "không hợp lệ"),
        ("..\\..\\x.txt", SEED_004.read_bytes(), "không hợp lệ"),
        ("", SEED_004.read_bytes(), "Chưa chọn tệp"),
    ],
)
def test_refused_files_store_nothing(
    client: TestClient, app_env: str, name: str, content: bytes | None, expected: str
) -> None:
    csrf = sign_in(client)
    before = snapshot(app_env)
    body = _scan_pdf() if content is None else content
    r = upload(client, csrf, name=name, content=body)
    assert r.status_code in (400, 422), r.text
    assert expected in r.json()["error"], r.json()["error"]
    assert snapshot(app_env) == before
    folder = drafts_dir(app_env)
    assert not folder.exists() or list(folder.iterdir()) == []
    assert not (folder.parent.parent / "x.txt").exists()


def test_oversize_upload_is_refused(
    client: TestClient, app_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import services.drafts

    monkeypatch.setattr(services.drafts, "MAX_MB", 1)  # the limit's logic, without 20 MB
    csrf = sign_in(client)
    before = snapshot(app_env)
    r = upload(
        client, csrf, content=SEED_004.read_bytes() * ((1 << 20) // SEED_004.stat().st_size + 2)
    )
    assert r.status_code == 400 and "lớn hơn 1 MB" in r.json()["error"]
    assert snapshot(app_env) == before and list(drafts_dir(app_env).iterdir()) == []


def test_missing_header_is_asked_for_on_the_page(client: TestClient, app_env: str) -> None:
    csrf = sign_in(client)
    key = _key(upload(client, csrf, header={}))
    draft = client.get(f"/thong-bao/nhap/{key}?format=json").json()["draft"]
    assert draft["header"]["issued_on"] == "" and draft["header_problems"]
    before = snapshot(app_env)
    r = post_review(client, key, review_form(draft, csrf, "confirm"))
    assert r.status_code == 400 and "issued_on" in r.json()["error"]
    assert snapshot(app_env) == before
    form = review_form(draft, csrf, "confirm")
    form = replace(replace(form, "issued_on", ["28/06/2024"]), "issuer", [HEADER["issuer"]])
    assert post_review(client, key, form).status_code == 303


def test_csrf_and_roles(client: TestClient, app_env: str) -> None:
    csrf = sign_in(client)
    key = _key(upload(client, csrf))
    draft = client.get(f"/thong-bao/nhap/{key}?format=json").json()["draft"]
    before = snapshot(app_env)
    r = client.post("/thong-bao/moi?format=json", files={"file": ("a.txt", SEED_004.read_bytes())})
    assert r.status_code == 403
    form = [(k, v) for k, v in review_form(draft, csrf, "confirm") if k != "csrf"]
    assert post_review(client, key, form).status_code == 403
    assert snapshot(app_env) == before and len(list(drafts_dir(app_env).iterdir())) == 1

    client.post("/dang-xuat", data={"csrf": csrf})
    leader_csrf = sign_in(client, "lanhdao")
    assert client.get("/thong-bao/moi?format=json").status_code == 403
    assert client.get(f"/thong-bao/nhap/{key}?format=json").status_code == 403
    assert upload(client, leader_csrf).status_code == 403
    assert post_review(client, key, review_form(draft, leader_csrf, "confirm")).status_code == 403
    after = snapshot(app_env)
    del after["user_account"], before["user_account"]  # signing in records the time
    assert after == before


def test_unit_search(client: TestClient) -> None:
    assert client.get("/don-vi/tim?q=noi").status_code == 303  # to the sign-in page
    sign_in(client)
    hits = client.get("/don-vi/tim", params={"q": "noi vu"}).json()["units"]
    assert {"code": "HT-HS-NV", "name": "Phòng Nội vụ", "group": False} in hits
    by_code = client.get("/don-vi/tim", params={"q": "HT-HS-XA"}).json()["units"]
    assert by_code and all(h["code"].startswith("HT-HS-XA") for h in by_code[:1])
    assert client.get("/don-vi/tim", params={"q": " "}).json()["units"] == []
    assert len(client.get("/don-vi/tim", params={"q": "xã"}).json()["units"]) <= 20


def test_a_failed_follow_up_loses_nothing(
    client: TestClient, app_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import flows.reminders
    from dondoc.caches import reset_caches

    def broken(notice_id: int) -> str | None:
        raise ConnectionError("máy chủ Prefect không trả lời")

    monkeypatch.setenv("DONDOC_FOLLOW_UP", "true")
    reset_caches()
    monkeypatch.setattr(flows.reminders, "submit_follow_up", broken)
    csrf = sign_in(client)
    key = _key(upload(client, csrf))
    draft = client.get(f"/thong-bao/nhap/{key}?format=json").json()["draft"]
    r = post_review(client, key, review_form(draft, csrf, "confirm"))
    assert r.status_code == 303 and r.headers["location"].startswith("/thong-bao/")
    with Session(create_engine(app_env)) as s:
        assert s.exec(select(Notice)).one().follow_up == "pending"
    flash = client.get("/thong-bao/moi?format=json").json()["flash"]
    assert "chưa lập được kế hoạch nhắc việc (ConnectionError" in flash[1]
    assert "dondoc follow-up" in flash[1]
