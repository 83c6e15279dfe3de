"""The command line through Typer's CliRunner: every command, and bad input changing nothing."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from dondoc.caches import reset_caches
from tests.helpers import MINI_NOTICE, MINI_UNITS, snapshot
from tests.helpers import run_cli as run


@pytest.fixture
def cli_db(app_env: str) -> str:
    assert run("init")[0] == 0
    code, out = run("units", "import", str(MINI_UNITS))
    assert code == 0, out
    return app_env


def test_init_on_a_fresh_data_dir(fresh_data_dir: Path) -> None:
    code, out = run("init")
    assert code == 0, out
    assert (fresh_data_dir / "dondoc.sqlite").exists()
    assert "sẵn sàng" in out


def test_commands_need_init_first(app_env: str, tmp_path: Path) -> None:
    import os

    os.environ["DONDOC_DATABASE_URL"] = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    reset_caches()
    code, out = run("status")
    assert code != 0 and "dondoc init" in out


def test_units_import_and_list(cli_db: str) -> None:
    code, out = run("units", "import", str(MINI_UNITS))
    assert code == 0 and "0 đơn vị mới" in out and "13 không đổi" in out
    code, out = run("units", "list")
    assert code == 0 and "Phòng Nội vụ" in out and "T-A-NV" in out
    code, out = run("units", "list", "--json")
    rows = json.loads(out)
    assert {r["code"]: r["depth"] for r in rows}["T-A-X1"] == 2


def test_full_round(cli_db: str) -> None:
    code, out = run("notice", "add", "--from", str(MINI_NOTICE))
    assert code == 0, out
    assert "3 nhiệm vụ" in out and "7 lượt giao" in out
    code, out = run("notice", "list")
    assert code == 0 and "12/TB-VP" in out
    code, out = run("status", "--as-of", "2024-08-26", "--unit", "T-A-NV", "--json")
    data = json.loads(out)
    item1 = next(a for a in data["assignments"] if a["ref"] == "1")
    assert item1["status"] == "due_soon" and item1["status_label"] == "Sắp đến hạn"
    aid = str(item1["assignment_id"])
    code, out = run("assignment", "extend", aid, "--to", "30/9/2024", "--reason", "Chờ số liệu")
    assert code == 0, out
    code, out = run("extension", "approve", "1", "--on", "2024-08-27", "--note", "Đồng ý")
    assert code == 0 and "30/09/2024" in out and "30/08/2024" in out
    code, out = run("status", "--as-of", "2024-09-03", "--unit", "T-A-NV", "--json")
    assert next(a for a in json.loads(out)["assignments"] if a["ref"] == "1")["status"] == "in_time"
    code, out = run(
        "assignment",
        "update",
        aid,
        "--status",
        "done",
        "--on",
        "2024-09-20",
        "--note",
        "Đã báo cáo",
        "--evidence",
        "https://vb.example.gov.vn/bc-45",
    )
    assert code == 0, out
    code, out = run("status", "--as-of", "2024-09-30")
    assert code == 0
    assert "Hoàn thành đúng hạn" in out and "Quá hạn (chưa hoàn thành)" in out and "Tổng" in out
    code, out = run("status", "--as-of", "2024-09-30", "--notice", "12/TB-VP", "--json")
    counts = json.loads(out)["counts"]
    assert counts["done_on_time"] == 1 and sum(counts.values()) == 7
    # A second «done» is refused, as on the unit's page; nothing is written.
    before = snapshot(cli_db)
    code, out = run("assignment", "update", aid, "--status", "done", "--on", "2024-09-25")
    assert code == 2 and "đã được ghi nhận hoàn thành ngày 20/09/2024" in out, out
    assert snapshot(cli_db) == before
    # The correction the message names: «in progress» first, then «done» with the right day.
    code, out = run("assignment", "update", aid, "--status", "in_progress", "--on", "2024-09-25")
    assert code == 0, out
    code, out = run("assignment", "update", aid, "--status", "done", "--on", "2024-09-26")
    assert code == 0, out


def _bad_notice(tmp_path: Path, old: str, new: str) -> Path:
    text = MINI_NOTICE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "bad-notice.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("label", "args", "expected"),
    [
        (
            "unknown unit",
            ("lead_units: [Phòng Nội vụ]", "lead_units: [Phòng Kế hoạch]"),
            "Phòng Kế hoạch",
        ),
        ("impossible date", ("deadline: trước ngày 30/8/2024", "deadline: 31/2/2024"), "31/2/2024"),
        (
            "phrase not understood",
            ("deadline: trong tháng 6/2024", "deadline: sau Tết Trung thu"),
            "sau Tết Trung thu",
        ),
        ("malformed yaml", ("title: Kết luận", "title: 'Kết luận"), "YAML không hợp lệ"),
        ("missing field", ("issued_on: 2024-06-03\n", ""), "issued_on"),
    ],
)
def test_bad_notice_via_cli_changes_nothing(
    cli_db: str, tmp_path: Path, label: str, args: tuple[str, str], expected: str
) -> None:
    before = snapshot(cli_db)
    code, out = run("notice", "add", "--from", str(_bad_notice(tmp_path, *args)))
    assert code == 2, out
    assert "Lỗi" in out and expected in out and "Traceback" not in out
    assert snapshot(cli_db) == before


def test_duplicate_notice_via_cli_changes_nothing(cli_db: str) -> None:
    assert run("notice", "add", "--from", str(MINI_NOTICE))[0] == 0
    before = snapshot(cli_db)
    code, out = run("notice", "add", "--from", str(MINI_NOTICE))
    assert code == 2 and "đã được đăng ký" in out
    assert snapshot(cli_db) == before


def test_ambiguous_unit_via_cli(cli_db: str, tmp_path: Path) -> None:
    before = snapshot(cli_db)
    path = _bad_notice(
        tmp_path, "issuer: Văn phòng HĐND và UBND huyện An Phú", "issuer: Cơ quan ngoài danh mục"
    )
    code, out = run("notice", "add", "--from", str(path))
    assert code == 2 and "khớp với nhiều đơn vị" in out
    assert snapshot(cli_db) == before


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("bad.csv", "code,name,kind,parent\nA,X,office,,1,2\n", "nhiều cột"),
        ("bad.csv", "code,name,kind,parent\nA,X,office,NOPE\n", "NOPE"),
        ("bad.yaml", "units:\n  - code: A\n   name: X\n", "YAML không hợp lệ"),
        (
            "bad.yaml",
            "units:\n  - {code: T-A-NV, name: Phòng Nội vụ, kind: department, parent: T-A}\n  - {code: Z, name: Z, kind: star}\n",
            "star",
        ),
    ],
)
def test_bad_directory_via_cli_changes_nothing(
    cli_db: str, tmp_path: Path, name: str, content: str, expected: str
) -> None:
    before = snapshot(cli_db)
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    code, out = run("units", "import", str(path))
    assert code == 2 and expected in out and "Traceback" not in out
    assert snapshot(cli_db) == before


@pytest.mark.parametrize(
    "args",
    [
        ("status", "--as-of", "31/2/2024"),
        ("status", "--unit", "KHONG-CO"),
        ("status", "--notice", "99/TB-KHONG"),
        ("assignment", "update", "999", "--status", "done", "--on", "2024-08-01"),
        ("assignment", "extend", "999", "--to", "2024-09-01", "--reason", "x"),
        ("extension", "approve", "999"),
        ("units", "import", "/nonexistent/units.yaml"),
        ("notice", "add", "--from", "/nonexistent/notice.yaml"),
    ],
)
def test_bad_arguments_give_a_message(cli_db: str, args: tuple[str, ...]) -> None:
    before = snapshot(cli_db)
    code, out = run(*args)
    assert code == 2 and "Lỗi" in out and "Traceback" not in out
    assert snapshot(cli_db) == before


def test_bad_status_option_is_rejected_by_typer(cli_db: str) -> None:
    code, _out = run("assignment", "update", "1", "--status", "finished")
    assert code == 2


def test_demo_shows_every_category(prefect_harness: None, app_env: str) -> None:
    """The main job end to end: reminders into the loopback mail server and the Zalo
    sandbox, and a status table where all six categories appear."""
    code, out = run("demo")
    assert code == 0, out
    for label in (
        "Hoàn thành đúng hạn",
        "Hoàn thành quá hạn",
        "Đang thực hiện trong hạn",
        "Sắp đến hạn",
        "Quá hạn (chưa hoàn thành)",
        "Không thời hạn / Thường xuyên",
    ):
        assert label in out
    counts = [
        int(m) for m in re.findall(r"│ (?:Hoàn thành|Đang|Sắp|Quá|Không)[^│]*│\s+(\d+) │", out)
    ]
    assert len(counts) == 6 and all(n > 0 for n in counts), counts
    sent = re.search(r"lần nhắc việc \(08:00 những ngày có việc đến hạn\): (\d+) thư", out)
    assert sent and int(sent.group(1)) > 0
    # The briefing line counts directives and lượt giao apart, as the briefing itself does.
    briefing = re.search(r"(\d+) nhiệm vụ giao cho các đơn vị chủ trì thành (\d+) lượt giao", out)
    assert briefing and 0 < int(briefing.group(1)) < int(briefing.group(2)), out
    # It ends with how to open its data in the browser: a sign-in and one unit's link that work.
    from fastapi.testclient import TestClient

    from web.app import create_app

    sign_in = re.search(r"tài khoản «(\w+)», mật khẩu «([^»]+)»", out)
    link = re.search(r"Trang của đơn vị ([^:]+): \S+/u/(\S+)", out)
    assert sign_in and link, out
    reset_caches()
    with TestClient(create_app(), follow_redirects=False) as client:
        unit_page = client.get(f"/u/{link.group(2)}?format=json")
        assert unit_page.status_code == 200 and unit_page.json()["unit"]["name"] == link.group(1)
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/dang-nhap").text)
        assert token
        form = {"name": sign_in.group(1), "password": sign_in.group(2), "csrf": token.group(1)}
        assert client.post("/dang-nhap", data=form).status_code == 303
