"""Importing progress reports from a .csv/.xlsx table: all rows or none, with the bad rows named."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from models.notice import Assignment, Notice
from models.progress import ProgressUpdate
from tasks.errors import InputError
from tasks.notices import register_notice_file
from tasks.progress import find_assignment
from tasks.progress_import import ProgressImportError, import_progress, read_progress_table
from tests.helpers import DATA, MINI_NOTICE, MINI_UNITS, mini_scenario, snapshot
from tests.helpers import run_cli as run

BRIEFING_NOTICE = DATA / "briefing-notice.yaml"
HEADER = "Mã nhiệm vụ,Số thông báo,Mục,Đơn vị,Trạng thái,Ngày,Ghi chú,Tài liệu kiểm chứng\n"


def _csv(tmp_path: Path, text: str, name: str = "tien-do.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def _xlsx(tmp_path: Path, rows: list[list[object]], name: str = "tien-do.xlsx") -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


def _aid(session: Session, notice: Notice, ref: str, unit_code: str) -> int:
    assert notice.id is not None
    assignment = find_assignment(
        session=session,
        notice_id=notice.id,
        ref=ref,
        unit_code=unit_code,
    )
    assert assignment.id is not None
    return assignment.id


def _updates(session: Session) -> int:
    return session.exec(select(func.count()).select_from(ProgressUpdate)).one()


def _states(session: Session) -> dict[int, tuple[str, date | None]]:
    session.expire_all()
    return {
        a.id: (a.state, a.completed_on)  # type: ignore[misc]
        for a in session.exec(select(Assignment)).all()
    }


@pytest.fixture
def notice(session: Session) -> Notice:
    return mini_scenario(session)


# --------------------------------------------------------------------------- good files


def test_good_csv_by_id_and_by_notice_ref_unit(
    session: Session, notice: Notice, tmp_path: Path
) -> None:
    nv = _aid(session, notice, "1", "T-A-NV")
    path = _csv(
        tmp_path,
        HEADER
        + f"{nv},,,,Hoàn thành,20/8/2024,Đã gửi báo cáo số 45,https://vb.example.gov.vn/bc-45\n"
        + ",,,,,,,\n"  # an empty row is skipped
        + ",12/TB-VP,2,T-A-X1,đã hoàn thành,2024-06-25,,\n"
        + ',12 / TB-VP,2,"xã Phú Hội",Đang thực hiện,01/07/2024,"Đang lấy ý kiến, chờ",\n',
    )
    report = import_progress(session=session, path=path, recorded_by="văn thư")
    session.commit()

    assert [(r.row, r.unit_code, r.state) for r in report.applied] == [
        (2, "T-A-NV", "done"),
        (4, "T-A-X1", "done"),
        (5, "T-A-X2", "in_progress"),
    ]
    assert report.applied[0].notice_number == "12/TB-VP" and report.applied[0].ref == "1"
    assert report.applied[2].unit_name == "UBND xã Phú Hội"
    assert _updates(session) == 3
    first = session.get(Assignment, nv)
    assert first is not None
    assert (first.state, first.completed_on) == ("done", date(2024, 8, 20))
    assert first.evidence == "https://vb.example.gov.vn/bc-45"
    x1 = session.get(Assignment, _aid(session, notice, "2", "T-A-X1"))
    assert x1 is not None and (x1.state, x1.completed_on) == ("done", date(2024, 6, 25))
    x2 = session.get(Assignment, _aid(session, notice, "2", "T-A-X2"))
    assert x2 is not None and (x2.state, x2.completed_on) == ("in_progress", None)
    update = session.exec(select(ProgressUpdate).where(ProgressUpdate.assignment_id == x2.id)).one()
    assert update.note == "Đang lấy ý kiến, chờ" and update.recorded_by == "văn thư"


def test_good_xlsx_with_date_cells(session: Session, notice: Notice, tmp_path: Path) -> None:
    nv = _aid(session, notice, "1", "T-A-NV")
    tp = _aid(session, notice, "1", "T-A-TP")
    path = _xlsx(
        tmp_path,
        [
            ["STT", "assignment_id", "Status", "Date", "Note"],
            [1, nv, "done", datetime(2024, 8, 28), "Xong"],
            [None, None, None, None, None],
            [2, float(tp), "in_progress", date(2024, 8, 1), None],
        ],
    )
    report = import_progress(session=session, path=path)
    session.commit()
    assert [(r.row, r.assignment_id, r.on) for r in report.applied] == [
        (2, nv, date(2024, 8, 28)),
        (4, tp, date(2024, 8, 1)),
    ]
    states = _states(session)
    assert states[nv] == ("done", date(2024, 8, 28))
    assert states[tp] == ("in_progress", None)


def test_semicolon_csv_with_bom_and_headers_without_diacritics(
    session: Session, notice: Notice, tmp_path: Path
) -> None:
    path = _csv(
        tmp_path,
        "SO THONG BAO;MUC;MA DON VI;TINH TRANG;NGAY BAO CAO\n"
        "12/TB-VP;1;T-A-NV;HOÀN THÀNH;30/08/2024\n"
        "12/TB-VP;3;phòng tư pháp;dang trien khai;02/09/2024\n",
        encoding="utf-8-sig",
    )
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    report = import_progress(session=session, path=path)
    assert [(r.unit_code, r.state) for r in report.applied] == [
        ("T-A-NV", "done"),
        ("T-A-TP", "in_progress"),
    ]
    assert _updates(session) == 2


def test_recurring_directive_with_a_period(session: Session, tmp_path: Path) -> None:
    mini_scenario(session)
    briefing = register_notice_file(session=session, path=BRIEFING_NOTICE)
    session.commit()
    monthly = _aid(session, briefing, "3", "T-A-NV")
    workbook_path = _xlsx(
        tmp_path,
        [
            ["Số thông báo", "Mục", "Đơn vị", "Trạng thái", "Ngày", "Kỳ"],
            ["20/TB-VP", 3, "Phòng Nội vụ", "Hoàn thành", datetime(2024, 7, 18), "2024-06"],
            # Excel turns "2024-07" typed in a cell into a date: it still means July 2024.
            ["20/TB-VP", 3, "T-A-NV", "Hoàn thành", datetime(2024, 7, 18), datetime(2024, 7, 1)],
        ],
    )
    report = import_progress(session=session, path=workbook_path)
    session.commit()
    assert [(r.assignment_id, r.period) for r in report.applied] == [
        (monthly, "2024-06"),
        (monthly, "2024-07"),
    ]
    periods = session.exec(
        select(ProgressUpdate.period).where(ProgressUpdate.assignment_id == monthly)
    ).all()
    # period is optional in the model: a row without one fails this line (TypeError or !=).
    assert sorted(periods) == ["2024-06", "2024-07"]  # type: ignore[type-var]
    assignment = session.get(Assignment, monthly)
    assert assignment is not None and assignment.state == "open"  # done one period at a time


# --------------------------------------------------------------------------- bad rows


def test_one_bad_row_changes_nothing(
    session: Session, notice: Notice, tmp_path: Path, db_url: str
) -> None:
    nv = _aid(session, notice, "1", "T-A-NV")
    tp = _aid(session, notice, "1", "T-A-TP")
    path = _csv(
        tmp_path,
        HEADER
        + f"{nv},,,,done,20/8/2024,,\n"
        + f"{tp},,,,xong rồi,21/8/2024,,\n"
        + ",12/TB-VP,2,T-A-X1,done,2024-06-25,,\n",
    )
    before_states = _states(session)
    before_count = _updates(session)
    before = snapshot(db_url)
    with pytest.raises(ProgressImportError) as caught:
        import_progress(session=session, path=path)
    session.rollback()  # what the CLI's transaction does on the error

    assert [n for n, _reason in caught.value.rows] == [3]
    assert "xong rồi" in caught.value.rows[0][1]
    message = str(caught.value)
    assert "Dòng 3:" in message and "Không ghi nhận dòng nào" in message
    assert "Dòng 2" not in message and "Dòng 4" not in message
    assert _updates(session) == before_count == 0
    assert _states(session) == before_states
    assert snapshot(db_url) == before


def _bad_rows(session: Session, notice: Notice) -> dict[str, tuple[str, str]]:
    nv = _aid(session, notice, "1", "T-A-NV")
    future = (date.today() + timedelta(days=3)).strftime("%d/%m/%Y")
    return {
        "unknown id": ("999,,,,done,20/8/2024", "Không có nhiệm vụ giao mã 999"),
        "id not a number": ("abc,,,,done,20/8/2024", "phải là một số"),
        "unknown notice": (",99/TB-VP,1,T-A-NV,done,20/8/2024", "Không có thông báo số «99/TB-VP»"),
        "unknown ref": (",12/TB-VP,9,T-A-NV,done,20/8/2024", "không có mục «9»; các mục: 1, 2, 3"),
        "unit not given the ref": (
            ",12/TB-VP,1,Phòng Kế hoạch,done,20/8/2024",
            "không giao cho đơn vị «Phòng Kế hoạch»",
        ),
        "incomplete triple": (",12/TB-VP,,T-A-NV,done,20/8/2024", "đang thiếu «mục»"),
        "bad status": (f"{nv},,,,finished,20/8/2024", "Trạng thái «finished» không hiểu được"),
        "missing status": (f"{nv},,,,,20/8/2024", "Thiếu trạng thái"),
        "unreadable date": (f"{nv},,,,done,31/2/2024", "Ngày «31/2/2024» không đọc được"),
        "missing date": (f"{nv},,,,done,", "Thiếu ngày báo cáo"),
        "future date": (f"{nv},,,,done,{future}", "ở tương lai"),
        "before the notice": (f"{nv},,,,done,01/05/2024", "trước ngày ban hành thông báo"),
        "period on a one-off task": (
            f"{nv},,,,done,20/8/2024,,,2024-08",
            "không phải nhiệm vụ định kỳ",
        ),
        "id and triple disagree": (f"{nv},12/TB-VP,2,T-A-X1,done,20/8/2024", "không khớp"),
        "more cells than the header": (f"{nv},,,,done,20/8/2024,,,,oops", "nhiều ô hơn"),
    }


@pytest.mark.parametrize(
    "case",
    [
        "unknown id",
        "id not a number",
        "unknown notice",
        "unknown ref",
        "unit not given the ref",
        "incomplete triple",
        "bad status",
        "missing status",
        "unreadable date",
        "missing date",
        "future date",
        "before the notice",
        "period on a one-off task",
        "id and triple disagree",
        "more cells than the header",
    ],
)
def test_bad_row_names_the_row_and_the_reason(
    session: Session, notice: Notice, tmp_path: Path, case: str
) -> None:
    line, expected = _bad_rows(session, notice)[case]
    header = HEADER.rstrip("\n") + ",Kỳ\n"
    good = ",12/TB-VP,2,T-A-X1,done,2024-06-25\n"
    path = _csv(tmp_path, header + good + line + "\n")
    with pytest.raises(ProgressImportError) as caught:
        import_progress(session=session, path=path)
    session.rollback()
    assert len(caught.value.rows) == 1
    number, reason = caught.value.rows[0]
    assert number == 3
    assert expected in reason, reason
    assert f"Dòng 3: {reason}" in str(caught.value)
    assert _updates(session) == 0


def test_several_problems_in_one_row_are_all_reported(
    session: Session, notice: Notice, tmp_path: Path
) -> None:
    path = _csv(tmp_path, HEADER + "999,,,,xong,hôm qua,,\n")
    with pytest.raises(ProgressImportError) as caught:
        import_progress(session=session, path=path)
    reason = caught.value.rows[0][1]
    assert "mã 999" in reason and "«xong»" in reason and "«hôm qua»" in reason


def test_duplicate_row_is_an_error(session: Session, notice: Notice, tmp_path: Path) -> None:
    nv = _aid(session, notice, "1", "T-A-NV")
    path = _csv(
        tmp_path,
        HEADER + f"{nv},,,,done,20/8/2024,,\n,12/TB-VP,1,Phòng Nội vụ,Hoàn thành,2024-08-20,,\n",
    )
    with pytest.raises(ProgressImportError) as caught:
        import_progress(session=session, path=path)
    session.rollback()
    assert caught.value.rows == [(3, caught.value.rows[0][1])]
    assert "Dòng trùng với dòng 2" in caught.value.rows[0][1]
    assert _updates(session) == 0


def test_row_numbers_follow_the_spreadsheet_with_multiline_cells(
    session: Session, notice: Notice, tmp_path: Path
) -> None:
    nv = _aid(session, notice, "1", "T-A-NV")
    path = _csv(
        tmp_path,
        HEADER + f'{nv},,,,done,20/8/2024,"hai\ndòng",\n\n{nv},,,,sai,20/8/2024,,\n',
    )
    with pytest.raises(ProgressImportError) as caught:
        import_progress(session=session, path=path)
    assert [n for n, _r in caught.value.rows] == [4]  # header 1, row 2, blank row 3


# --------------------------------------------------------------------------- bad files


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        (
            "thieu-cot.csv",
            "Mã nhiệm vụ,Ghi chú\n1,xong\n",
            "thiếu cột: trạng thái; ngày. Các cột có trong tệp: «Mã nhiệm vụ», «Ghi chú»",
        ),
        (
            "thieu-muc.csv",
            "Số thông báo,Đơn vị,Trạng thái,Ngày\n12/TB-VP,T-A-NV,done,20/8/2024\n",
            "thiếu cột: mã nhiệm vụ (hoặc mục)",
        ),
        (
            "hai-cot-ngay.csv",
            "Mã,Trạng thái,Ngày báo cáo,Ngày hoàn thành\n1,done,1/8/2024,1/8/2024\n",
            "cùng là cột ngày",
        ),
        ("tien-do.xls", "whatever", "phải là tệp .csv (UTF-8) hoặc .xlsx"),
        ("tien-do.txt", "Mã,Trạng thái,Ngày\n", "phải là tệp .csv (UTF-8) hoặc .xlsx"),
        ("rong.csv", "", "trống"),
        ("trang.csv", "\n ; \n", "trống"),
        ("chi-tieu-de.csv", "Mã,Trạng thái,Ngày\n", "không có dòng dữ liệu nào"),
        ("hong.xlsx", "not a zip", "Không đọc được tệp Excel"),
    ],
)
def test_bad_file(tmp_path: Path, name: str, content: str, expected: str) -> None:
    path = _csv(tmp_path, content, name=name)
    with pytest.raises(InputError) as caught:
        read_progress_table(path)
    assert not isinstance(caught.value, ProgressImportError)
    assert expected in str(caught.value)


def test_not_utf8_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("Ma,Trang thai,Ngay\n1,hoàn thành,1/8/2024\n".encode("latin-1"))
    with pytest.raises(InputError, match="UTF-8"):
        read_progress_table(path)
    with pytest.raises(InputError, match="Không tìm thấy"):
        read_progress_table(tmp_path / "khong-co.xlsx")


def test_empty_workbook(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="trống"):
        read_progress_table(_xlsx(tmp_path, []))


# --------------------------------------------------------------------------- CLI


@pytest.fixture
def cli_db(app_env: str) -> str:
    assert run("init")[0] == 0
    for args in (
        ("units", "import", str(MINI_UNITS)),
        ("notice", "add", "--from", str(MINI_NOTICE)),
    ):
        code, out = run(*args)
        assert code == 0, out
    return app_env


def _progress_rows(url: str) -> list[tuple]:
    return snapshot(url)["progress_update"]


def test_cli_import_prints_the_table(cli_db: str, tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "Số thông báo;Mục;Đơn vị;Trạng thái;Ngày\n"
        "12/TB-VP;1;Phòng Nội vụ;Hoàn thành;20/8/2024\n"
        "12/TB-VP;2;T-A-X2;Đang thực hiện;2024-07-01\n",
    )
    code, out = run("progress", "import", str(path))
    assert code == 0, out
    assert "Đã ghi nhận 2 báo cáo tiến độ" in out
    assert "Phòng Nội vụ (T-A-NV)" in out and "Hoàn thành" in out and "20/08/2024" in out
    assert "Đang thực hiện" in out and "01/07/2024" in out
    rows = _progress_rows(cli_db)
    assert len(rows) == 2 and {r[2] for r in rows} == {"done", "in_progress"}
    assert all("kiểm thử" in r for r in rows)  # recorded_by is the actor


def test_cli_bad_file_exits_2_and_changes_nothing(cli_db: str, tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "Số thông báo,Mục,Đơn vị,Trạng thái,Ngày\n"
        "12/TB-VP,1,T-A-NV,done,20/8/2024\n"
        "12/TB-VP,7,T-A-NV,done,20/8/2024\n"
        "12/TB-VP,2,T-A-X1,làm rồi,20/8/2024\n"
        "12/TB-VP,2,T-A-X2,[/x] xong,20/8/2024\n",
    )
    before = snapshot(cli_db)
    code, out = run("progress", "import", str(path))
    assert code == 2, out
    assert "Lỗi" in out and "Traceback" not in out
    assert "Dòng 3: Thông báo 12/TB-VP không có mục «7»" in out
    assert "Dòng 4: Trạng thái «làm rồi»" in out
    assert "Dòng 5: Trạng thái «[/x] xong»" in out  # cell text is not taken for rich markup
    assert "Không ghi nhận dòng nào" in out
    assert snapshot(cli_db) == before


def test_cli_dry_run_writes_nothing(cli_db: str, tmp_path: Path) -> None:
    path = _csv(
        tmp_path, "Số thông báo,Mục,Đơn vị,Trạng thái,Ngày\n12/TB-VP,1,T-A-NV,done,20/8/2024\n"
    )
    before = snapshot(cli_db)
    code, out = run("progress", "import", str(path), "--dry-run")
    assert code == 0, out
    assert "Chạy thử" in out and "sẽ ghi nhận 1 báo cáo" in out and "Phòng Nội vụ" in out
    assert snapshot(cli_db) == before
    code, out = run("progress", "import", str(path))
    assert code == 0 and len(_progress_rows(cli_db)) == 1


def test_cli_unsupported_file(cli_db: str, tmp_path: Path) -> None:
    code, out = run("progress", "import", str(_csv(tmp_path, "x", name="tien-do.ods")))
    assert code == 2 and ".xlsx" in out and "Traceback" not in out
