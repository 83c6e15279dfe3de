"""The clerk's terminal text: every ``--help`` in Vietnamese, usage errors as «Lỗi: …» in
Vietnamese with exit code 2, the progress table's words taken by ``--status``, the outbox's
Vietnamese state words, and ``status --notice-id`` for a notice without a number."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.main import get_command

from dondoc.cli import app
from tests.helpers import MINI_NOTICE, MINI_UNITS, snapshot
from tests.helpers import run_cli as run

ROOT = Path(__file__).resolve().parent.parent
SEED_004 = ROOT / "tests" / "data" / "seeds" / "004_c66a1e2327b84e98.txt"
HEADER = ("--issuer", "UBND huyện Hương Sơn", "--issued-on", "28/06/2024")

# Typer's English, and Python's type names (<int>, <str>…), never shown to the clerk.
ENGLISH_HELP = (
    "Usage",
    "Options",
    "Show this message",
    "Commands",
    "Arguments",
    "[default",
    "[required]",
    "completion",
    "<str>",
    "<int>",
    "<bool>",
    "<path>",
    "<list",
)
ENGLISH_ERRORS = (
    "Usage",
    "Error",
    "Invalid",
    "Missing",
    "No such",
    "Try '",
    "Did you mean",
    "Got unexpected",
    "requires",
    "does not take",
    "is not one of",
    "Input should",
    "Traceback",
)


def _command_paths() -> list[tuple[str, ...]]:
    """Every group and command of the app, walked from Typer's own tree (a new command is
    covered without touching this file)."""
    paths: list[tuple[str, ...]] = []

    def walk(command: Any, path: tuple[str, ...]) -> None:
        paths.append(path)
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, (*path, name))

    walk(get_command(app), ())
    return paths


COMMAND_PATHS = _command_paths()


def _flat(out: str) -> str:
    """The output without rich's boxes and line wrapping: words separated by one space."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", out).split())


def test_the_walk_finds_the_commands() -> None:
    """The walk reaches nested commands (else the help test below would prove little)."""
    assert ("assignment", "update") in COMMAND_PATHS
    assert ("units", "link") in COMMAND_PATHS
    assert ("status",) in COMMAND_PATHS
    assert len(COMMAND_PATHS) > 25


@pytest.mark.parametrize("path", COMMAND_PATHS, ids=lambda p: " ".join(p) or "dondoc")
def test_every_help_is_vietnamese(path: tuple[str, ...]) -> None:
    code, out = run(*path, "--help")
    assert code == 0, out
    flat = _flat(out)
    assert flat.startswith(f"Cách dùng: {' '.join(('dondoc', *path))} [TÙY_CHỌN]"), out
    assert "--help Hiện hướng dẫn này rồi thoát." in flat, out
    assert "Tùy chọn" in flat
    found = [word for word in ENGLISH_HELP if word in out]
    assert not found, f"English in «dondoc {' '.join(path)} --help»: {found}\n{out}"


def test_help_headings_and_notes() -> None:
    """The headings of arguments and commands, and the required and default notes."""
    flat = _flat(run("assignment", "update", "--help")[1])
    assert "Đối số" in flat and "[bắt buộc]" in flat
    assert "MÃ SỐ Mã nhiệm vụ giao" in flat and "--on NGÀY" in flat
    flat = _flat(run("outbox", "--help")[1])
    assert "--limit SỐ Số dòng tối đa. [mặc định: 200]" in flat
    flat = _flat(run("--help")[1])
    assert "Cách dùng: dondoc [TÙY_CHỌN] LỆNH [ĐỐI_SỐ]..." in flat and "Lệnh init" in flat


def test_a_group_without_its_command_shows_its_help() -> None:
    code, out = run("assignment")
    assert code == 2
    flat = _flat(out)
    assert flat.startswith("Cách dùng: dondoc assignment") and "Lệnh" in flat
    assert "update" in flat and "Lỗi" not in flat


@pytest.fixture
def text_db(app_env: str) -> str:
    """The mini directory and the mini notice (12/TB-VP) in a new database."""
    for args in (("init",), ("units", "import", str(MINI_UNITS))):
        code, out = run(*args)
        assert code == 0, out
    code, out = run("notice", "add", "--from", str(MINI_NOTICE))
    assert code == 0, out
    return app_env


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ("assignment", "update", "1", "--status", "xong"),
            ["--status", "«xong»", "«hoàn thành»", "«đang thực hiện»"],
        ),
        (
            ("assignment", "update", "một", "--status", "done"),
            ["«một» của đối số MÃ", "số nguyên", "«dondoc assignment update --help»"],
        ),
        (("assignment", "update", "1"), ["Thiếu tùy chọn --status", "«hoàn thành»"]),
        (("assignment", "update"), ["Thiếu đối số MÃ", "mã nhiệm vụ giao"]),
        (
            ("assignment", "extend", "1", "--to", "30/9/2024"),
            ["Thiếu tùy chọn --reason: lý do xin gia hạn."],
        ),
        (("briefing",), ["Thiếu tùy chọn --month: tháng báo cáo, dạng YYYY-MM."]),
        (
            ("briefing", "--month", "2024-08", "--format", "pdf"),
            ["«pdf» của tùy chọn --format", "chỉ nhận docx, html, md, json"],
        ),
        (
            ("briefing", "--month", "2024-08", "--period", "quý"),
            ["«quý» của tùy chọn --period", "chỉ nhận calendar, 15-14"],
        ),
        (
            ("user", "add", "ngan", "--role", "sếp"),
            ["«sếp» của tùy chọn --role", "chỉ nhận admin, clerk, leader"],
        ),
        (("outbox", "--state", "mất"), ["--state", "«mất»", "«thất bại» (failed)"]),
        (("outbox", "--limit", "nhiều"), ["«nhiều» của tùy chọn --limit", "số nguyên"]),
        (("outbox", "--retry", "x"), ["«x» của tùy chọn --retry", "số nguyên"]),
        (("status", "--bogus"), ["Không có tùy chọn --bogus.", "«dondoc status --help»"]),
        (("status", "--unt", "T-A-NV"), ["Không có tùy chọn --unt.", "--unit?"]),
        (("statsu",), ["Không có lệnh «statsu».", "Có phải ý là status?"]),
        (("status", "--unit"), ["Thiếu giá trị sau tùy chọn --unit."]),
        (("status", "--json=có"), ["Tùy chọn --json không nhận giá trị"]),
        (("status", "thêm", "nữa"), ["Thừa đối số: thêm nữa."]),
        (("--actor", "Nguyễn Văn A"), ["Thiếu lệnh; các lệnh: init,", "status"]),
        (("status", "--notice-id", "x"), ["«x» của tùy chọn --notice-id", "số nguyên"]),
        (
            ("status", "--notice", "12/TB-VP", "--notice-id", "1"),
            ["Chỉ dùng một trong hai: --notice (số) hoặc --notice-id (mã)."],
        ),
        (("status", "--notice-id", "999"), ["Không có thông báo mã 999", "dondoc notice list"]),
        (("status", "--notice-id", "1", "--unit", "KHONG-CO"), ["Không có đơn vị mã «KHONG-CO»"]),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, tuple) else "",
)
def test_usage_errors_are_vietnamese(
    text_db: str, args: tuple[str, ...], expected: list[str]
) -> None:
    before = snapshot(text_db)
    code, out = run(*args)
    assert code == 2, out
    flat = _flat(out)
    assert flat.startswith("Lỗi: "), out
    for part in expected:
        assert part in flat, f"«{part}» not in:\n{out}"
    found = [word for word in ENGLISH_ERRORS if word in out]
    assert not found, f"English in «dondoc {' '.join(args)}»: {found}\n{out}"
    assert snapshot(text_db) == before


def _assignment_id(unit: str, ref: str) -> int:
    code, out = run("status", "--as-of", "2024-08-26", "--unit", unit, "--json")
    assert code == 0, out
    return int(next(a for a in json.loads(out)["assignments"] if a["ref"] == ref)["assignment_id"])


def _status_of(aid: int, as_of: str) -> str:
    code, out = run("status", "--as-of", as_of, "--json")
    assert code == 0, out
    return str(
        next(a for a in json.loads(out)["assignments"] if a["assignment_id"] == aid)["status"]
    )


def test_status_takes_the_progress_table_words(text_db: str) -> None:
    aid = _assignment_id("T-A-NV", "1")  # due 30/08/2024
    code, out = run(
        "assignment", "update", str(aid), "--status", "đang thực hiện", "--on", "20/8/2024"
    )
    assert code == 0, out
    assert f"Đã ghi nhận nhiệm vụ giao {aid}: đang thực hiện ngày 20/08/2024" in out
    assert _status_of(aid, "2024-08-21") == "in_time"
    code, out = run("assignment", "update", str(aid), "--status", "hoàn thành", "--on", "25/8/2024")
    assert code == 0, out
    assert f"Đã ghi nhận nhiệm vụ giao {aid}: hoàn thành ngày 25/08/2024" in out
    assert _status_of(aid, "2024-09-30") == "done_on_time"


@pytest.mark.parametrize("word", ["Hoàn Thành", "HOAN THANH", "done"])
def test_status_words_in_any_case_and_without_accents(text_db: str, word: str) -> None:
    aid = _assignment_id("T-A-NV", "1")
    code, out = run("assignment", "update", str(aid), "--status", word, "--on", "25/8/2024")
    assert code == 0, out
    assert _status_of(aid, "2024-09-30") == "done_on_time"


@pytest.mark.parametrize("word", ["thất bại", "Thất Bại", "that bai", "failed"])
def test_outbox_state_in_vietnamese(text_db: str, word: str) -> None:
    code, out = run("outbox", "--state", word, "--json")
    assert code == 0, out
    assert json.loads(out) == []  # nothing sent yet; the word was understood


def _numberless_notice(tmp_path: Path) -> Path:
    text = MINI_NOTICE.read_text(encoding="utf-8")
    assert "number: 12/TB-VP\n" in text and "title: Kết luận" in text
    text = text.replace("number: 12/TB-VP\n", "number: null\n").replace(
        "title: Kết luận", "title: Ý kiến kết luận (chưa vào sổ)"
    )
    path = tmp_path / "no-number.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_status_of_a_notice_without_number(text_db: str, tmp_path: Path) -> None:
    code, out = run("notice", "add", "--from", str(_numberless_notice(tmp_path)))
    assert code == 0 and "(chưa có số)" in out, out
    code, out = run("notice", "list")
    assert code == 0, out
    ids = dict(
        (number, int(notice_id))
        for notice_id, number in re.findall(r"│\s*(\d+)\s*│\s*(\S+)\s*│\s*\d\d/\d\d/\d{4}", out)
    )
    assert set(ids) == {"12/TB-VP", "—"}, out

    def status(*args: str) -> dict[str, Any]:
        code, out = run("status", "--as-of", "2024-09-30", "--json", *args)
        assert code == 0, out
        return dict(json.loads(out))

    everything = status()
    numberless = status("--notice-id", str(ids["—"]))
    rows = numberless["assignments"]
    assert rows and all(r["notice_number"] is None for r in rows)
    assert len(rows) + len(status("--notice", "12/TB-VP")["assignments"]) == len(
        everything["assignments"]
    )
    assert sum(numberless["counts"].values()) == len(rows)
    # The numbered notice by its id: the same report as by its number.
    assert status("--notice-id", str(ids["12/TB-VP"])) == status("--notice", "12/TB-VP")
    one_unit = status("--notice-id", str(ids["—"]), "--unit", "T-A-NV")["assignments"]
    assert one_unit and {r["unit_code"] for r in one_unit} == {"T-A-NV"}
    code, out = run("status", "--as-of", "2024-09-30", "--notice-id", str(ids["—"]))
    assert code == 0 and "Tình hình thực hiện" in out, out


def test_password_typed_twice_differently_is_asked_again(text_db: str) -> None:
    code, out = run(
        "user",
        "add",
        "thuky",
        "--role",
        "clerk",
        stdin="matkhau-01\nkhac-nhau\nmatkhau-01\nmatkhau-01\n",
    )
    assert code == 0, out
    assert "Lỗi: hai lần nhập không giống nhau; nhập lại." in out
    assert "Đã tạo tài khoản «thuky»" in out
    assert not [word for word in ENGLISH_ERRORS if word in out], out


@pytest.fixture
def seeded(app_env: str) -> str:
    assert run("init")[0] == 0
    code, out = run("units", "import", str(ROOT / "examples" / "units" / "seed-era.yaml"))
    assert code == 0, out
    return app_env


def test_confirm_takes_vietnamese_answers(seeded: str) -> None:
    before = snapshot(seeded)
    code, out = run("notice", "add", str(SEED_004), *HEADER, stdin="không\n")
    assert code == 1 and "[c/K]" in out and "Chưa đăng ký gì" in out, out
    assert snapshot(seeded) == before
    code, out = run("notice", "add", str(SEED_004), *HEADER, stdin="ok\ncó\n")
    assert code == 0, out
    assert "Lỗi: trả lời «c» (có) hoặc «k» (không)." in out and "Đã đăng ký thông báo" in out
    assert not [word for word in ENGLISH_ERRORS if word in out], out
