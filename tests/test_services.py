"""The service layer the edges share: typed results, their JSON, and the use cases the web
app will need beyond what the CLI tests already cover (a notice from a mapping, the outbox
retry)."""

from __future__ import annotations

import pytest
import yaml
from sqlmodel import Session, create_engine, select

from models.delivery import Delivery, DeliveryState
from models.notice import Directive
from services.notices import list_notices, notice_assignments, register_notice_mapping
from services.outbox import DeliveryView, list_outbox, retry_failed
from services.units import list_units
from tasks.errors import DondocError, InputError
from tests.helpers import MINI_NOTICE, mini_scenario, run_cli, snapshot


def _delivery(
    session: Session, n: int, state: str, recipient: str = "zalo://zns/84912345678"
) -> Delivery:
    d = Delivery(
        key=f"k{n}",
        channel="zalo",
        recipient=recipient,
        level="due_soon",
        subject=f"Nhắc việc {n}",
        state=state,
        attempts=3,
        last_error="số 84912345678 không nhận tin" if state == "failed" else None,
    )
    session.add(d)
    session.commit()
    return d


def test_notice_list_counts_directives_in_one_query(session: Session) -> None:
    notice = mini_scenario(session)
    rows = list_notices(session=session)
    assert [(r.id, r.number) for r in rows] == [(notice.id, notice.number)]
    directives = session.exec(select(Directive).where(Directive.notice_id == notice.id)).all()
    assert rows[0].directives == len(directives) > 0
    parts = notice_assignments(session=session, notice_id=notice.id or 0)
    assert {p.text for p in parts} == {d.text for d in directives}
    assert rows[0].to_json()["issued_on"] == notice.issued_on.isoformat()
    assert rows[0].followed_up is False  # registered, not yet planned


def test_a_notice_from_a_mapping_is_checked_like_a_file(session: Session, db_url: str) -> None:
    mini_scenario(session)
    mapping = yaml.safe_load(MINI_NOTICE.read_text(encoding="utf-8"))
    mapping["number"] = "99/TB-VP"
    registered = register_notice_mapping(session=session, mapping=mapping, source="biểu mẫu web")
    session.commit()
    assert registered.number == "99/TB-VP" and registered.directives > 0
    assert registered.assignments >= registered.directives
    before = snapshot(db_url)
    bad = dict(mapping, number="100/TB-VP", issued_on="30/02/2024")
    with pytest.raises(InputError) as info:
        register_notice_mapping(session=session, mapping=bad, source="biểu mẫu web")
    session.rollback()
    assert "biểu mẫu web" in str(info.value) and "30/02/2024" in str(info.value)
    assert snapshot(db_url) == before


def test_outbox_views_mask_recipients_and_phone_numbers(session: Session) -> None:
    _delivery(session, 1, "failed")
    (view,) = list_outbox(session=session)
    assert isinstance(view, DeliveryView) and view.state is DeliveryState.FAILED
    assert "84912345678" not in view.recipient and "84912345678" not in (view.last_error or "")
    assert view.to_json()["state"] == "failed" and view.to_json()["recipient"] == view.recipient
    with pytest.raises(DondocError):
        list_outbox(session=session, limit=0)


def test_retry_puts_failed_messages_back_and_leaves_others(session: Session) -> None:
    failed = _delivery(session, 1, "failed")
    sent = _delivery(session, 2, "sent")
    result = retry_failed(session=session, ids=[failed.id or 0, sent.id or 0, 999])
    session.commit()
    assert result.retried == [failed.id] and result.not_failed == sorted([sent.id or 0, 999])
    rows = {d.id: d for d in session.exec(select(Delivery)).all()}
    assert rows[failed.id].state == "pending" and rows[failed.id].attempts == 0
    assert rows[sent.id].state == "sent" and rows[sent.id].attempts == 3


def test_outbox_retry_command(app_env: str) -> None:
    with Session(create_engine(app_env)) as session:
        failed = _delivery(session, 1, "failed")
        _delivery(session, 2, "failed")
        first = failed.id
    code, out = run_cli("outbox", "--retry", str(first))
    assert code == 0, out
    assert "Đã đưa 1 thư/tin nhắn thất bại vào hàng chờ gửi lại" in out
    code, out = run_cli("outbox", "--retry-failed")
    assert code == 0 and "Đã đưa 1 thư/tin nhắn" in out
    code, out = run_cli("outbox", "--retry", str(first))
    assert code == 0 and f"Không gửi lại mã {first}" in out


def test_unit_listing_is_the_public_family(session: Session) -> None:
    mini_scenario(session)
    listing = list_units(session=session)
    assert listing.units and listing.units[0].depth == 0
    assert all(u.id > 0 for u in listing.units)
    assert set(listing.to_json()[0]) == {
        "code",
        "name",
        "kind",
        "depth",
        "aliases",
        "contacts",
        "active",
    }
