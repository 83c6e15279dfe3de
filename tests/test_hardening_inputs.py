"""Issue 9, input side: malformed, oversized or hostile input ends with a Vietnamese message,
exit code 2 and the database unchanged, within seconds and bounded memory."""

from __future__ import annotations

import io
import shutil
import struct
import zipfile
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlmodel import Session

from dondoc.caches import reset_caches
from models.db import _engine_for, make_engine, upgrade_database
from models.notice import Directive, Notice
from tasks.errors import InputError
from tasks.fileio import load_yaml, parse_date_value
from tasks.periods import parse_month, parse_period_key
from tasks.units import import_directory
from tests.conftest import new_postgres_database
from tests.helpers import (
    MINI_NOTICE,
    bounded,
    mini_scenario,
    snapshot,
    use_database,
)
from tests.helpers import run_cli as run

NOTICE_TEXT = MINI_NOTICE.read_text(encoding="utf-8")


def refused(code: int, out: str, *expected: str) -> None:
    """Exit code 2, a message, no traceback, and every expected fragment in it."""
    assert code == 2, out
    assert "Lỗi" in out and "Traceback" not in out, out
    for fragment in expected:
        assert fragment in out, out


def refused_unchanged(url: str, args: Sequence[str], *expected: str) -> None:
    """The command is refused (see ``refused``) and the database is left as it was."""
    before = snapshot(url)
    code, out = run(*args)
    refused(code, out, *expected)
    assert snapshot(url) == before


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _scenario(url: str) -> None:
    """Migrate ``url`` and register the mini directory and notice (assignments 1–7)."""
    upgrade_database(url)
    _engine_for(url).dispose()  # SQLite: the last connection closed checkpoints the WAL
    reset_caches()
    engine = make_engine(url)
    with Session(engine) as session:
        mini_scenario(session)
    engine.dispose()


@pytest.fixture(scope="module")
def scenario_file(migrated_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The scenario in a SQLite file, made once; each test gets its own copy."""
    path = tmp_path_factory.mktemp("scenario") / "scenario.sqlite"
    shutil.copy(migrated_template, path)
    _scenario(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="module")
def postgres_scenario() -> Iterator[str]:
    """The scenario in one PostgreSQL database shared by this module's tests: each of them
    checks that it leaves the database unchanged."""
    with new_postgres_database() as url:
        _scenario(url)
        yield url


def _point_app_at(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, url: str) -> Iterator[str]:
    assert len(snapshot(url)["assignment"]) == 7  # the scenario is there
    use_database(monkeypatch, tmp_path, url)
    yield url
    _engine_for(url).dispose()
    reset_caches()


@pytest.fixture
def cli_db(scenario_file: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    """The application on a copy of the SQLite scenario."""
    shutil.copy(scenario_file, tmp_path / "dondoc.sqlite")
    yield from _point_app_at(monkeypatch, tmp_path, f"sqlite:///{tmp_path / 'dondoc.sqlite'}")


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[str]:
    """The application on the scenario in SQLite, then in PostgreSQL."""
    if request.param == "sqlite":
        yield request.getfixturevalue("cli_db")
        return
    yield from _point_app_at(monkeypatch, tmp_path, request.getfixturevalue("postgres_scenario"))


def _billion_laughs(levels: int = 9) -> str:
    """Anchors nine times nine … times "lol": a 1 KB text that expands to 9**levels strings."""
    defs = ['&a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    defs += [f"&a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels)]
    return "[" + ", ".join(defs) + "]"


# --------------------------------------------------------------------------- YAML


def test_billion_laughs_in_a_notice_is_refused_at_once(cli_db: str, tmp_path: Path) -> None:
    title = "title: Kết luận của Chủ tịch UBND huyện tại cuộc họp về cải cách hành chính\n"
    text = NOTICE_TEXT.replace("12/TB-VP", "13/TB-VP").replace(
        title, f"title: {_billion_laughs()}\n"
    )
    path = _write(tmp_path, "laughs.yaml", text)
    assert len(text.encode()) < 2000
    before = snapshot(cli_db)
    with bounded(seconds=5, megabytes=50):
        code, out = run("notice", "add", "--from", str(path))
    refused(code, out, "laughs.yaml:6", "bí danh")
    assert snapshot(cli_db) == before


def test_billion_laughs_in_a_unit_file_is_refused(cli_db: str, tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "units.yaml",
        f"units:\n  - code: A\n    name: X\n    kind: office\n    aliases: {_billion_laughs()}\n",
    )
    before = snapshot(cli_db)
    with bounded(seconds=5, megabytes=50):
        code, out = run("units", "import", str(path))
    refused(code, out, "units.yaml:5", "bí danh")
    assert snapshot(cli_db) == before


def test_a_single_alias_is_refused_with_the_reason(tmp_path: Path) -> None:
    path = _write(tmp_path, "alias.yaml", "a: &x [1, 2]\nb: *x\n")
    with pytest.raises(InputError) as info:
        load_yaml(path)
    assert info.value.where == f"{path}:1"
    assert "bí danh" in info.value.message and "chép lại" in info.value.message


def test_deep_nesting_is_refused(cli_db: str, tmp_path: Path) -> None:
    path = _write(tmp_path, "deep.yaml", "[" * 10_000 + "]" * 10_000 + "\n")
    before = snapshot(cli_db)
    with bounded(seconds=5, megabytes=50):
        code, out = run("notice", "add", "--from", str(path))
    refused(code, out, "deep.yaml:1", "lồng nhau quá sâu")
    assert snapshot(cli_db) == before


def test_deep_block_nesting_is_refused(tmp_path: Path) -> None:
    text = "".join("  " * i + f"k{i}:\n" for i in range(200)) + "  " * 200 + "x\n"
    path = _write(tmp_path, "deep-block.yaml", text)
    with bounded(seconds=5, megabytes=50), pytest.raises(InputError) as info:
        load_yaml(path)
    assert "lồng nhau quá sâu" in info.value.message


def test_huge_integer_is_refused_naming_the_line(cli_db: str, tmp_path: Path) -> None:
    text = NOTICE_TEXT.replace("chair: Nguyễn Văn Chủ", "chair: " + "9" * 100_000)
    path = _write(tmp_path, "digits.yaml", text)
    before = snapshot(cli_db)
    with bounded(seconds=5, megabytes=50):
        code, out = run("notice", "add", "--from", str(path))
    refused(code, out, "digits.yaml:7", "100000 chữ số", "ngoặc kép")
    assert snapshot(cli_db) == before


def test_impossible_date_names_the_field_and_the_line(cli_db: str, tmp_path: Path) -> None:
    path = _write(tmp_path, "feb30.yaml", NOTICE_TEXT.replace("2024-06-03", "2024-02-30"))
    refused_unchanged(
        cli_db,
        ["notice", "add", "--from", str(path)],
        "feb30.yaml:1",
        "issued_on",
        "2024-02-30",
        "không phải ngày có thật",
    )


def test_dates_are_read_as_text_and_still_register(cli_db: str, tmp_path: Path) -> None:
    data = load_yaml(MINI_NOTICE)
    assert data["issued_on"] == "2024-06-03"
    text = NOTICE_TEXT.replace("12/TB-VP", "14/TB-VP").replace(
        "deadline: trước ngày 30/8/2024", "deadline: 2024-08-30"
    )
    code, out = run("notice", "add", "--from", str(_write(tmp_path, "iso.yaml", text)))
    assert code == 0, out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{1: a, b: c}\n", "Khóa «1»"),
        ("number: 1\n~: x\n", "Khóa «~»"),
        ("1.5: x\n", "Khóa «1.5»"),
        ("? [a, b]\n: c\n", "Khóa «[…]»"),
        ("yes: 1\n", "Khóa «yes»"),
        ("a: 1\n<<: {b: 2}\n", "Khóa «<<»"),
    ],
)
def test_non_text_keys_are_refused(tmp_path: Path, text: str, expected: str) -> None:
    path = _write(tmp_path, "keys.yaml", text)
    with pytest.raises(InputError) as info:
        load_yaml(path)
    assert expected in info.value.message and "tên trường" in info.value.message
    assert info.value.where is not None and info.value.where.startswith(f"{path}:")


@pytest.mark.parametrize(
    ("args_text", "expected"),
    [
        (("notice", "- number: 1\n"), "bảng khóa: giá trị"),
        (("notice", NOTICE_TEXT.replace("directives:\n", "directives: {a: 1}\nx:\n")), "khóa «x»"),
        (("notice", "{1: a, b: c}\n"), "Khóa «1»"),
        (("units", "[a, b]\n"), "«units:»"),
        (
            ("units", "units:\n  - code: A\n    name: X\n    kind: office\n    head: [x]\n"),
            "«head»",
        ),
        (("units", "units: {1: a}\n"), "Khóa «1»"),
        (("units", "units:\n  - [A, X, office]\n"), "bảng khóa: giá trị"),
    ],
)
def test_lists_and_mappings_in_the_wrong_place(
    cli_db: str, tmp_path: Path, args_text: tuple[str, str], expected: str
) -> None:
    kind, text = args_text
    path = _write(tmp_path, "wrong.yaml", text)
    before = snapshot(cli_db)
    if kind == "notice":
        code, out = run("notice", "add", "--from", str(path))
    else:
        code, out = run("units", "import", str(path))
    refused(code, out, expected)
    assert snapshot(cli_db) == before


def test_a_yaml_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("units:\n" + "  - {code: A, name: X, kind: office}\n" * 200_000)
    with bounded(seconds=2, megabytes=20), pytest.raises(InputError) as info:
        load_yaml(path)
    assert "MB" in info.value.message and "big.yaml" in str(info.value)


@pytest.mark.parametrize("name", ["zero.yaml", "zero.csv"])
def test_a_device_is_not_read(cli_db: str, tmp_path: Path, name: str) -> None:
    """A link to /dev/zero has size 0 and never ends."""
    (tmp_path / name).symlink_to("/dev/zero")
    with bounded(seconds=3, megabytes=30):
        code, out = run("units", "import", str(tmp_path / name))
    refused(code, out, "không phải một tệp thông thường")


def test_a_unit_csv_over_the_size_limit_is_refused_unread(cli_db: str, tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_text("code,name,kind\n" + "A,X,office\n" * 2_000_000)
    with bounded(seconds=3, megabytes=30):
        code, out = run("units", "import", str(path))
    refused(code, out, "units.csv", "MB")


# --------------------------------------------------------------------------- policy, calendar


POLICY_TEXT = (Path(__file__).resolve().parent.parent / "deployments/escalation.yaml").read_text(
    encoding="utf-8"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (POLICY_TEXT.replace("leaders: {}", "leaders: [a, b]"), "leaders"),
        (POLICY_TEXT.replace("max_attempts: 5", "max_attempts: [5]"), "max_attempts"),
        (POLICY_TEXT.replace("max_attempts: 5", "max_attempts: 0"), "max_attempts"),
        (POLICY_TEXT.replace("batch_size: 500", "batch_size: " + "9" * 100_000), "chữ số"),
        (
            POLICY_TEXT.replace("backoff_minutes: [15, 60, 240, 720]", "backoff_minutes: 15"),
            "backoff_minutes",
        ),
        (POLICY_TEXT.replace("secretariat:\n", "secretariat: {a: 1}\nx:\n"), "secretariat"),
        (
            POLICY_TEXT.replace("levels:\n", "levels: &l\n").replace("leaders: {}", "leaders: *l"),
            "bí danh",
        ),
        (POLICY_TEXT + "\nextra: " + "[" * 5000 + "]" * 5000 + "\n", "lồng nhau quá sâu"),
        ("- a\n- b\n", "levels"),
        (POLICY_TEXT.replace("    offset: -5", "    offset: [-5]"), "offset"),
    ],
)
def test_bad_escalation_policy_is_a_message(tmp_path: Path, text: str, expected: str) -> None:
    from tasks.reminders import load_policy

    path = _write(tmp_path, "policy.yaml", text)
    with bounded(seconds=5, megabytes=50), pytest.raises(InputError) as info:
        load_policy(path)
    assert expected in str(info.value) and "policy.yaml" in str(info.value)


def test_bad_policy_through_the_cli(
    cli_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:

    path = _write(tmp_path, "policy.yaml", POLICY_TEXT.replace("leaders: {}", "leaders: [a]"))
    monkeypatch.setenv("DONDOC_ESCALATION_POLICY", str(path))
    reset_caches()
    try:
        code, out = run("remind", "--as-of", "26/08/2024 08:00", "--dry-run")
    finally:
        reset_caches()
    refused(code, out, "policy.yaml", "leaders")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- date: 2030-02-30\n  working: false\n", "2030-02-30"),
        ("- date: 9999-12-31\n  working: false\n", "2200"),
        ("- &d {date: 2030-09-03, working: false}\n- *d\n", "bí danh"),
        ("- {1: a, date: 2030-09-03, working: false}\n", "Khóa «1»"),
    ],
)
def test_bad_calendar_overrides(tmp_path: Path, text: str, expected: str) -> None:
    from tasks.calendar import WorkCalendar

    path = _write(tmp_path, "swaps.yaml", text)
    with pytest.raises(ValueError, match="swaps.yaml") as info:
        WorkCalendar(path)
    assert isinstance(info.value, InputError)
    assert expected in str(info.value)


def test_bad_calendar_overrides_through_the_cli(
    cli_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:

    path = _write(tmp_path, "swaps.yaml", "- date: 2030-02-30\n  working: false\n")
    monkeypatch.setenv("DONDOC_CALENDAR_OVERRIDES", str(path))
    reset_caches()
    before = snapshot(cli_db)
    notice = _write(tmp_path, "n.yaml", NOTICE_TEXT.replace("12/TB-VP", "15/TB-VP"))
    try:
        code, out = run("notice", "add", "--from", str(notice))
    finally:
        reset_caches()
    refused(code, out, "swaps.yaml", "2030-02-30")
    assert snapshot(cli_db) == before


# --------------------------------------------------------------------------- field sizes


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("12/TB-VP", "12/" + "TB" * 75, ("số văn bản", "153 ký tự", "tối đa 100")),
        ("place: An Phú", 'place: "An\\0Phú"', ("địa danh", "NUL")),
        ('"Lưu: VT"', '"Lưu:\\0VT"', ("nơi nhận", "NUL")),
    ],
)
def test_notice_fields_that_do_not_fit(
    any_db: str, tmp_path: Path, old: str, new: str, expected: tuple[str, ...]
) -> None:
    text = NOTICE_TEXT.replace(old, new).replace("number: 12/TB-VP", "number: 16/TB-VP")
    path = _write(tmp_path, "long.yaml", text)
    refused_unchanged(any_db, ["notice", "add", "--from", str(path)], *expected)


def test_unit_name_over_its_column(any_db: str, tmp_path: Path) -> None:
    path = _write(tmp_path, "u.yaml", f"units:\n  - {{code: A, name: {'X' * 400}, kind: office}}\n")
    refused_unchanged(
        any_db, ["units", "import", str(path)], "tên đơn vị", "400 ký tự", "tối đa 300", "A"
    )


@pytest.mark.parametrize(
    "args",
    [
        ("assignment", "update", "99999999999", "--status", "done", "--on", "2024-06-10"),
        ("assignment", "extend", "99999999999", "--to", "30/9/2024", "--reason", "x"),
        ("assignment", "update", "2147483648", "--status", "done", "--on", "2024-06-10"),
        ("assignment", "update", "0", "--status", "done", "--on", "2024-06-10"),
    ],
)
def test_assignment_id_out_of_range(any_db: str, args: tuple[str, ...]) -> None:
    refused_unchanged(any_db, args, f"Không có nhiệm vụ giao mã {args[2]}")


@pytest.mark.parametrize("verb", ["approve", "reject"])
def test_extension_id_out_of_range(any_db: str, verb: str) -> None:
    refused_unchanged(
        any_db, ["extension", verb, "99999999999"], "Không có đề nghị gia hạn số 99999999999"
    )


def test_progress_table_id_out_of_range(any_db: str, tmp_path: Path) -> None:
    path = _write(tmp_path, "t.csv", "Mã nhiệm vụ,Trạng thái,Ngày\n99999999999,done,10/6/2024\n")
    refused_unchanged(
        any_db, ["progress", "import", str(path)], "Dòng 2", "Không có nhiệm vụ giao mã 99999999999"
    )


def test_progress_evidence_over_its_column(any_db: str, tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "t.csv",
        "Mã nhiệm vụ,Trạng thái,Ngày,Tài liệu kiểm chứng\n1,done,10/6/2024," + "x" * 1200 + "\n",
    )
    refused_unchanged(
        any_db, ["progress", "import", str(path)], "tài liệu kiểm chứng", "tối đa 1000"
    )


def test_actor_over_100_characters(any_db: str) -> None:
    refused_unchanged(
        any_db,
        [
            "--actor",
            "A" * 150,
            "assignment",
            "update",
            "1",
            "--status",
            "done",
            "--on",
            "2024-06-10",
        ],
        "--actor",
        "150 ký tự",
        "tối đa 100",
    )


def test_actor_from_the_environment_over_100_characters(
    any_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:

    monkeypatch.setenv("DONDOC_ACTOR", "B" * 120)
    reset_caches()
    refused_unchanged(
        any_db,
        ["assignment", "update", "1", "--status", "done", "--on", "2024-06-10"],
        "DONDOC_ACTOR",
        "tối đa 100",
    )


@pytest.mark.parametrize("limit", ["-1", "0", "99999999999999999999"])
def test_outbox_limit_out_of_range(cli_db: str, limit: str) -> None:
    code, out = run("outbox", "--limit", limit)
    refused(code, out, "--limit")


def test_outbox_limit_in_range(cli_db: str) -> None:
    assert run("outbox", "--limit", "1")[0] == 0


def test_the_model_checks_every_column_on_flush(session: Session) -> None:
    """SQLModel tables skip pydantic validation: the flush checks lengths, NUL and 32-bit ints."""
    mini_scenario(session)
    notice = session.get(Notice, 1)
    assert notice is not None
    notice.signer = "S" * 201
    with pytest.raises(InputError, match=r"người ký.*201 ký tự.*tối đa 200"):
        session.flush()
    session.rollback()
    session.add(Directive(notice_id=1, text="x", position=2**31))
    with pytest.raises(InputError, match="2147483647"):
        session.flush()
    session.rollback()
    session.add(Directive(notice_id=1, text="a\x00b"))
    with pytest.raises(InputError, match="NUL"):
        session.flush()
    session.rollback()
    session.add(Directive(notice_id=1, text="x" * 100_000, position=2**31 - 1, ref="r" * 50))
    session.flush()  # unlimited text, the largest 32-bit integer, a ref at its limit


# --------------------------------------------------------------------------- unit contacts


@pytest.mark.parametrize(
    "contact",
    [
        "mailto://" + "a" * 600 + "@example.gov.vn",
        "mailto://noivu@" + "b" * 250 + ".gov.vn",
        "mailto://not-an-address",
        "mailto://a b@example.gov.vn",
        "mailto://noivu@example",
        "mailto://noivu@@example.gov.vn",
        "mailto://noivu@example.gov.vn/path",
        "mailto://user:secret@example.gov.vn",
        "http://example.gov.vn/hook",
        "json://localhost/",
        "zalo://oa/abc",
        "zalo://oa/",
        "zalo://oa/" + "1" * 600,
        "zalo://zns/0912345678",
        "zalo://zns/12345?template=1",
        "zalo://sms/0912345678",
        "noivu@example.gov.vn",
    ],
)
def test_bad_contacts_refuse_the_whole_file(cli_db: str, tmp_path: Path, contact: str) -> None:
    path = _write(
        tmp_path,
        "units.yaml",
        "units:\n"
        "  - {code: A, name: Đơn vị A, kind: office}\n"
        f"  - code: B\n    name: Đơn vị B\n    kind: office\n    contacts: ['{contact}']\n",
    )
    refused_unchanged(cli_db, ["units", "import", str(path)], "units.yaml:3", "contacts")


def test_bad_head_contact_in_a_csv_names_the_row(cli_db: str, tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "units.csv",
        "code,name,kind,contacts,head_name,head_contacts\n"
        "A,Đơn vị A,office,mailto://a@example.gov.vn,,\n"
        "B,Đơn vị B,office,,Trưởng,mailto://x@" + "c" * 300 + ".vn\n",
    )
    refused_unchanged(cli_db, ["units", "import", str(path)], "units.csv:3", "head_contacts")


def test_good_contacts_are_accepted(session: Session, tmp_path: Path) -> None:
    contacts = [
        "mailto://van.thu-01@example.gov.vn",
        "mailtos://noivu+nhacviec@so-noi-vu.angiang.gov.vn",
        "zalo://oa/2512523625412515",
        "zalo://zns/0912345678?template=231145",
        "zalo://zns/+84912345678?template=nhac-viec&tracking=x",
    ]
    path = _write(
        tmp_path,
        "units.yaml",
        f"units:\n  - code: A\n    name: X\n    kind: office\n    contacts: {contacts}\n"
        "    head: {name: Y, contacts: ['mailto://truong@example.gov.vn']}\n",
    )
    report = import_directory(session=session, path=path)
    assert report.created == 1


# --------------------------------------------------------------------------- XLSX


def _valid_xlsx(rows: list[list[object]] | None = None) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows or [["Mã nhiệm vụ", "Trạng thái", "Ngày"], [1, "done", "10/6/2024"]]:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _rezip(data: bytes, member: str, content: bytes) -> bytes:
    """The same workbook with one member's content replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = content if info.filename == member else src.read(info)
            dst.writestr(info, body, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _patch_headers(data: bytes, member: str, **fields: int) -> bytes:
    """Patch ``method`` or ``size`` (uncompressed) in the local and central headers of a member."""
    buf = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(member)
    name = member.encode()
    local = info.header_offset
    central = 0
    while True:
        central = buf.index(b"PK\x01\x02", central + 1)
        n = struct.unpack_from("<H", buf, central + 28)[0]
        if bytes(buf[central + 46 : central + 46 + n]) == name:
            break
    for offset_local, offset_central, key, fmt in (
        (8, 10, "method", "<H"),
        (22, 24, "size", "<I"),
    ):
        if key in fields:
            struct.pack_into(fmt, buf, local + offset_local, fields[key])
            struct.pack_into(fmt, buf, central + offset_central, fields[key])
    return bytes(buf)


def _stored_garbage_as_deflate(data: bytes) -> bytes:
    """sheet1.xml stored uncompressed with bytes that are no deflate stream, marked deflated."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                dst.writestr(info.filename, b"\xff" * 64 + b"<xml>" * 20, zipfile.ZIP_STORED)
            else:
                dst.writestr(info, src.read(info), compress_type=zipfile.ZIP_DEFLATED)
    return _patch_headers(out.getvalue(), "xl/worksheets/sheet1.xml", method=8)


def _zip_bomb(data: bytes) -> bytes:
    """sheet1.xml honestly declared but inflating to 300 MB of blanks."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                bomb = zipfile.ZipInfo(info.filename)
                bomb.compress_type = zipfile.ZIP_DEFLATED
                with dst.open(bomb, "w", force_zip64=True) as handle:
                    handle.write(
                        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                    )
                    block = b" " * (1 << 20)
                    for _ in range(300):
                        handle.write(block)
                    handle.write(b"</sheetData></worksheet>")
            else:
                dst.writestr(info, src.read(info), compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _xlsx_without_styles_numbers(data: bytes) -> bytes:
    styles = (
        b'<?xml version="1.0"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<numFmts count="1"><numFmt numFmtId="abc" formatCode="0"/></numFmts>'
        b'<cellXfs count="1"><xf numFmtId="abc" fontId="x"/></cellXfs></styleSheet>'
    )
    return _rezip(data, "xl/styles.xml", styles)


MUTATIONS: dict[str, Callable[[bytes], bytes]] = {
    "bad-xml": lambda d: _rezip(d, "xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row r="),
    "bad-zlib": _stored_garbage_as_deflate,
    "unknown-compression": lambda d: _patch_headers(d, "xl/worksheets/sheet1.xml", method=99),
    "broken-styles": _xlsx_without_styles_numbers,
    "garbage-styles": lambda d: _rezip(d, "xl/styles.xml", b"\x00\x01 not xml"),
    "huge-declared-size": lambda d: _patch_headers(d, "xl/worksheets/sheet1.xml", size=0xFFFFFFF0),
    "zip-bomb": _zip_bomb,
    "truncated": lambda d: d[: len(d) // 2],
    "no-workbook": lambda d: _rezip(d, "xl/workbook.xml", b""),
}


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_malformed_xlsx_is_refused_cleanly(cli_db: str, tmp_path: Path, mutation: str) -> None:
    path = tmp_path / "tien-do.xlsx"
    path.write_bytes(MUTATIONS[mutation](_valid_xlsx()))
    before = snapshot(cli_db)
    with bounded(seconds=5, megabytes=100):
        code, out = run("progress", "import", str(path))
    refused(code, out, "tệp Excel hỏng", "hãy lưu lại bằng Excel/LibreOffice", "tien-do.xlsx")
    assert snapshot(cli_db) == before


def test_xlsx_claiming_a_huge_sheet_reads_only_its_cells(cli_db: str, tmp_path: Path) -> None:
    """A <dimension> of A1:XFD1048576 made the reader pad a million rows of 16,384 cells."""
    data = _valid_xlsx()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml")
    sheet = sheet.replace(b'<dimension ref="A1:C2"/>', b'<dimension ref="A1:XFD1048576"/>')
    assert b"XFD1048576" in sheet
    path = tmp_path / "tien-do.xlsx"
    path.write_bytes(_rezip(data, "xl/worksheets/sheet1.xml", sheet))
    with bounded(seconds=5, megabytes=100):
        code, out = run("progress", "import", str(path), "--dry-run")
    assert code == 0, out
    assert "sẽ ghi nhận 1 báo cáo" in out


def test_xlsx_with_far_away_rows_is_bounded(cli_db: str, tmp_path: Path) -> None:
    data = _valid_xlsx()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml")
    far = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    sheet = sheet.replace(b"</sheetData>", far + b"</sheetData>")
    path = tmp_path / "tien-do.xlsx"
    path.write_bytes(_rezip(data, "xl/worksheets/sheet1.xml", sheet))
    before = snapshot(cli_db)
    with bounded(seconds=5, megabytes=100):
        code, out = run("progress", "import", str(path))
    refused(code, out, "dòng")
    assert snapshot(cli_db) == before


def test_xlsx_date_cells_out_of_range(cli_db: str, tmp_path: Path) -> None:
    path = tmp_path / "tien-do.xlsx"
    path.write_bytes(
        _valid_xlsx(
            [
                ["Mã nhiệm vụ", "Trạng thái", "Ngày"],
                [1, "done", datetime(9999, 12, 31)],
                [2, "done", datetime(1899, 12, 31)],
            ]
        )
    )
    refused_unchanged(cli_db, ["progress", "import", str(path)], "Dòng 2", "Dòng 3", "1900", "2200")


def test_xlsx_date_serial_beyond_python_dates(cli_db: str, tmp_path: Path) -> None:
    data = _valid_xlsx([["Mã nhiệm vụ", "Trạng thái", "Ngày"], [1, "done", datetime(2024, 6, 10)]])
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml")
    assert b"<v>45453</v>" in sheet
    path = tmp_path / "tien-do.xlsx"
    path.write_bytes(
        _rezip(data, "xl/worksheets/sheet1.xml", sheet.replace(b"<v>45453</v>", b"<v>99999999</v>"))
    )
    refused_unchanged(cli_db, ["progress", "import", str(path)], "tien-do.xlsx")


def test_oversized_progress_csv_is_refused_unread(cli_db: str, tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("Mã nhiệm vụ,Trạng thái,Ngày\n" + "1,done,10/6/2024\n" * 2_000_000)
    with bounded(seconds=3, megabytes=30):
        code, out = run("progress", "import", str(path))
    refused(code, out, "MB")


# --------------------------------------------------------------------------- years


@pytest.mark.parametrize(
    "args",
    [
        ("status", "--as-of", "31/12/9999"),
        ("status", "--as-of", "1/1/0001"),
        ("scorecard", "--as-of", "31/12/9999"),
        ("briefing", "--month", "0001-01"),
        ("briefing", "--month", "9999-12"),
        ("briefing", "--month", "2201-01"),
        ("briefing", "--month", "2024-08", "--as-of", "31/12/9999"),
        ("remind", "--as-of", "31/12/9999 08:00", "--dry-run"),
        ("assignment", "extend", "1", "--to", "31/12/9999", "--reason", "x"),
        ("assignment", "update", "1", "--status", "done", "--on", "1/1/1899"),
        ("extension", "approve", "1", "--on", "31/12/9999"),
    ],
)
def test_years_outside_1900_2200_are_refused(cli_db: str, args: tuple[str, ...]) -> None:
    refused_unchanged(cli_db, args, "1900", "2200")


def test_notice_issued_in_9999_is_refused(cli_db: str, tmp_path: Path) -> None:
    text = NOTICE_TEXT.replace("12/TB-VP", "18/TB-VP").replace("2024-06-03", "9999-12-31")
    refused_unchanged(
        cli_db,
        ["notice", "add", "--from", str(_write(tmp_path, "y.yaml", text))],
        "issued_on",
        "1900",
        "2200",
    )


def test_deadline_in_9999_is_refused(cli_db: str, tmp_path: Path) -> None:
    text = NOTICE_TEXT.replace("12/TB-VP", "19/TB-VP").replace(
        "deadline: trước ngày 30/8/2024", "deadline: 9999-12-31"
    )
    refused_unchanged(
        cli_db,
        ["notice", "add", "--from", str(_write(tmp_path, "y.yaml", text))],
        "deadline",
        "2200",
    )


def test_progress_csv_dates_out_of_range(cli_db: str, tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "t.csv",
        "Mã nhiệm vụ,Trạng thái,Ngày,Kỳ\n1,done,31/12/9999,\n2,done,0001-01-01,\n",
    )
    refused_unchanged(cli_db, ["progress", "import", str(path)], "Dòng 2", "Dòng 3", "2200")


def test_year_rule_in_the_shared_parsers() -> None:
    assert parse_date_value("1/1/1900", field="x") == date(1900, 1, 1)
    assert parse_date_value("2200-12-31", field="x") == date(2200, 12, 31)
    assert parse_date_value(datetime(2024, 6, 3, 10, 0), field="x") == date(2024, 6, 3)
    assert parse_date_value("2024-06-03T10:00:00", field="x") == date(2024, 6, 3)
    for bad in ("31/12/1899", "2201-01-01", date(9999, 12, 31), "0001-01-01"):
        with pytest.raises(InputError, match="1900.*2200"):
            parse_date_value(bad, field="x")
    assert parse_month("2200-12").end == date(2200, 12, 31)
    assert parse_month("1900-01").start == date(1900, 1, 1)
    for bad in ("0001-01", "9999-12", "1899-12", "2201-01"):
        with pytest.raises(InputError, match="1900.*2200"):
            parse_month(bad)
    for recurrence, bad in (("monthly", "9999-12"), ("quarterly", "0001-Q1"), ("yearly", "9999")):
        with pytest.raises(InputError, match="1900.*2200"):
            parse_period_key(recurrence, bad)
