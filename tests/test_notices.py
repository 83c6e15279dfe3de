"""Registering notices from YAML: directives, assignments, due dates, duplicates, bad files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from models.audit import AuditEvent
from models.notice import Assignment, Directive, Notice
from models.unit import Unit
from tasks.errors import DuplicateError, InputError
from tasks.notices import register_notice_file
from tasks.units import import_directory
from tests.helpers import MINI_NOTICE, MINI_UNITS, mini_scenario, snapshot


def _assignments(session: Session, ref: str) -> dict[str, Assignment]:
    rows = session.exec(
        select(Unit.code, Assignment)
        .join(Assignment, col(Assignment.unit_id) == Unit.id)
        .join(Directive, col(Directive.id) == Assignment.directive_id)
        .where(Directive.ref == ref)
    ).all()
    return {code: a for code, a in rows}


def test_register_creates_directives_and_assignments(session: Session) -> None:
    notice = mini_scenario(session)
    assert notice.number == "12/TB-VP" and notice.issued_on == date(2024, 6, 3)
    directives = session.exec(select(Directive).order_by(col(Directive.position))).all()
    assert [d.ref for d in directives] == ["1", "2", "3"]
    assert [d.due_kind for d in directives] == ["date", "month", "recurring"]
    item1 = _assignments(session, "1")
    assert {c: a.role for c, a in item1.items()} == {"T-A-NV": "lead", "T-A-TP": "support"}
    assert item1["T-A-NV"].stated_due == item1["T-A-NV"].effective_due == date(2024, 8, 30)
    # "các xã, thị trấn" expands to the district's three communes, not the other district's.
    item2 = _assignments(session, "2")
    assert set(item2) == {"T-A-X1", "T-A-X2", "T-A-TT"}
    # June 2024 ends on a Sunday: stated 30/6, effective Monday 1/7 (Civil Code art. 148).
    assert item2["T-A-X1"].stated_due == date(2024, 6, 30)
    assert item2["T-A-X1"].effective_due == date(2024, 7, 1)
    assert directives[1].report_to == "Thư ký ISO" and directives[1].report_to_unit_id is not None
    item3 = _assignments(session, "3")
    assert set(item3) == {"T-A-NV", "T-A-TP"}
    assert all(a.effective_due is None for a in item3.values())


def test_register_writes_audit_events(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    from models.db import set_actor

    set_actor("văn thư")
    try:
        mini_scenario(session)
    finally:
        set_actor(None)
    events = session.exec(select(AuditEvent)).all()
    kinds = {(e.entity, e.action) for e in events}
    assert {("notice", "create"), ("directive", "create"), ("assignment", "create")} <= kinds
    assert all(e.actor == "văn thư" for e in events)
    notice_event = next(e for e in events if e.entity == "notice")
    assert notice_event.changes["number"] == "12/TB-VP"
    assert len([e for e in events if e.entity == "assignment"]) == 7


def test_same_number_same_issuer_is_refused(session: Session) -> None:
    mini_scenario(session)
    with pytest.raises(DuplicateError) as info:
        register_notice_file(session=session, path=MINI_NOTICE)
    assert "12/TB-VP" in str(info.value) and "đã được đăng ký" in str(info.value)


def test_same_number_other_issuer_is_accepted(session: Session, tmp_path: Path) -> None:
    mini_scenario(session)
    other = tmp_path / "other.yaml"
    other.write_text(
        MINI_NOTICE.read_text(encoding="utf-8")
        .replace("issuer: Văn phòng HĐND và UBND huyện An Phú", "issuer: UBND huyện Bình Phú")
        .replace("Phòng Tư pháp", "Phòng Nội vụ")
        .replace("[các phòng chuyên môn thuộc UBND huyện]", "[Phòng Nội vụ]"),
        encoding="utf-8",
    )
    notice = register_notice_file(session=session, path=other)
    assert notice.number == "12/TB-VP"
    # Inside Bình Phú, "Phòng Nội vụ" and "các xã, thị trấn" are Bình Phú's own.
    item2 = session.exec(
        select(Unit.code)
        .join(Assignment, col(Assignment.unit_id) == Unit.id)
        .join(Directive, col(Directive.id) == Assignment.directive_id)
        .where(Directive.notice_id == notice.id, Directive.ref == "2")
    ).all()
    assert set(item2) == {"T-B-X1"}


BAD_NOTICES = [
    (
        "unknown unit",
        ("lead_units: [Phòng Nội vụ]", "lead_units: [Phòng Ngoại vụ]"),
        "Không tìm thấy đơn vị «Phòng Ngoại vụ»",
    ),
    ("near miss", ("lead_units: [Phòng Nội vụ]", "lead_units: [Phòng Nối vụ]"), "«Phòng Nối vụ»"),
    (
        "impossible date",
        ("deadline: trước ngày 30/8/2024", "deadline: trước ngày 31/2/2024"),
        "31/2/2024",
    ),
    ("impossible issue date", ("issued_on: 2024-06-03", "issued_on: 31/02/2024"), "issued_on"),
    (
        "phrase not understood",
        ("deadline: trong tháng 6/2024", "deadline: khi nào rảnh"),
        "khi nào rảnh",
    ),
    (
        "missing text",
        ("    text: Phòng Nội vụ tổng hợp kết quả, báo cáo UBND huyện trước ngày 30/8/2024.\n", ""),
        "thiếu «text»",
    ),
    ("missing issuer", ("issuer: Văn phòng HĐND và UBND huyện An Phú\n", ""), "thiếu «issuer»"),
    ("missing number key", ("number: 12/TB-VP\n", ""), "thiếu «number»"),
    ("unknown key", ("place: An Phú", "plcae: An Phú"), "«plcae»"),
    ("malformed yaml", ("title: Kết luận", "title: [Kết luận"), "YAML không hợp lệ"),
]


@pytest.mark.parametrize(
    ("label", "edit", "expected"), BAD_NOTICES, ids=[b[0] for b in BAD_NOTICES]
)
def test_bad_notice_files_store_nothing(
    session: Session, db_url: str, tmp_path: Path, label: str, edit: tuple[str, str], expected: str
) -> None:
    import_directory(session=session, path=MINI_UNITS)
    session.commit()
    before = snapshot(db_url)
    text = MINI_NOTICE.read_text(encoding="utf-8")
    assert edit[0] in text, f"test edit for {label} does not apply"
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    with pytest.raises(InputError) as info:
        register_notice_file(session=session, path=bad)
    session.rollback()
    assert expected in str(info.value)
    assert str(bad) in str(info.value)
    assert snapshot(db_url) == before


def test_ambiguous_unit_without_scope(session: Session, db_url: str, tmp_path: Path) -> None:
    import_directory(session=session, path=MINI_UNITS)
    session.commit()
    before = snapshot(db_url)
    text = MINI_NOTICE.read_text(encoding="utf-8").replace(
        "issuer: Văn phòng HĐND và UBND huyện An Phú", "issuer: Ban Chỉ đạo tỉnh (ngoài danh mục)"
    )
    bad = tmp_path / "ambiguous.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        register_notice_file(session=session, path=bad)
    session.rollback()
    message = str(info.value)
    assert "khớp với nhiều đơn vị" in message and "T-A-NV" in message and "T-B-NV" in message
    assert snapshot(db_url) == before


def test_all_errors_reported_at_once(session: Session, tmp_path: Path) -> None:
    import_directory(session=session, path=MINI_UNITS)
    text = (
        MINI_NOTICE.read_text(encoding="utf-8")
        .replace("lead_units: [Phòng Nội vụ]", "lead_units: [Phòng Ngoại vụ]")
        .replace("deadline: trong tháng 6/2024", "deadline: tháng 13/2024")
    )
    bad = tmp_path / "two.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        register_notice_file(session=session, path=bad)
    assert "2 lỗi" in str(info.value)


@pytest.mark.parametrize("name", ["seed-000.yaml", "seed-002.yaml", "seed-004.yaml"])
def test_shipped_seed_notices_register(session: Session, name: str) -> None:
    root = Path(__file__).resolve().parent.parent / "examples"
    import_directory(session=session, path=root / "units" / "seed-era.yaml")
    notice = register_notice_file(session=session, path=root / "notices" / name)
    session.commit()
    directives = session.exec(select(Directive).where(Directive.notice_id == notice.id)).all()
    assert directives and all(d.text for d in directives)
    count = len(session.exec(select(Assignment)).all())
    assert count >= len(directives)
    assert session.exec(select(Notice)).one().issuer


def test_seed_004_deadlines(session: Session) -> None:
    root = Path(__file__).resolve().parent.parent / "examples"
    import_directory(session=session, path=root / "units" / "seed-era.yaml")
    notice = register_notice_file(session=session, path=root / "notices" / "seed-004.yaml")
    by_ref = {
        d.ref: d for d in session.exec(select(Directive).where(Directive.notice_id == notice.id))
    }
    assert (by_ref["1"].due_kind, by_ref["1"].due_date) == ("date", date(2024, 8, 30))
    assert (by_ref["2.-2"].due_kind, by_ref["2.-2"].due_date) == ("date", date(2024, 7, 1))
    assert (by_ref["3"].due_kind, by_ref["3"].recurrence) == ("recurring", "monthly")
    leads = session.exec(
        select(Unit.code)
        .join(Assignment, col(Assignment.unit_id) == Unit.id)
        .where(Assignment.directive_id == by_ref["1"].id, Assignment.role == "lead")
    ).all()
    assert "HT-HS-X-SONLINH" in leads and all(code.startswith("HT-HS-") for code in leads)


def test_group_name_split_by_a_yaml_flow_list_is_rejoined(session: Session, tmp_path: Path) -> None:
    import_directory(session=session, path=MINI_UNITS)
    text = MINI_NOTICE.read_text(encoding="utf-8").replace(
        'lead_units: ["UBND các xã, thị trấn"]',
        "lead_units: [UBND các xã, thị trấn, Phòng Tư pháp]",
    )
    path = tmp_path / "flow.yaml"
    path.write_text(text, encoding="utf-8")
    register_notice_file(session=session, path=path)
    assert set(_assignments(session, "2")) == {"T-A-X1", "T-A-X2", "T-A-TT", "T-A-TP"}
