"""Units' personal links: tokens derived from their row, stored only as a hash, expiring,
revocable; ``dondoc units link``; the link and the assignments' numbers in every message."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, create_engine, select

from models.notice import Assignment
from models.unit import Unit
from models.web import UnitLink
from services.unit_links import current_link, current_links, revoke, unit_for_token
from tests.helpers import give_contacts, mini_scenario, plan_everything, run_cli, snapshot

NOW = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)


@pytest.fixture
def units(app_env: str) -> dict[str, int]:
    engine = create_engine(app_env)
    with Session(engine) as session:
        mini_scenario(session)
        out = {u.code: u.id for u in session.exec(select(Unit)).all() if u.id is not None}
    engine.dispose()
    return out


def _session(url: str) -> Session:
    return Session(create_engine(url), expire_on_commit=False)


def test_a_link_is_stable_and_only_its_hash_is_stored(app_env: str, units: dict[str, int]) -> None:
    with _session(app_env) as s:
        first = current_link(session=s, unit_id=units["T-A-NV"], now=NOW)
        s.commit()
    with _session(app_env) as s:
        again = current_link(session=s, unit_id=units["T-A-NV"], now=NOW + timedelta(days=30))
        rows = s.exec(select(UnitLink)).all()
    assert again.token == first.token and len(rows) == 1
    assert len(first.token) >= 43  # 32 bytes of HMAC
    assert rows[0].token_hash == hashlib.sha256(first.token.encode()).hexdigest()
    assert first.url == f"http://127.0.0.1:8000/u/{first.token}"
    assert first.token not in repr(snapshot(app_env))  # the token itself is nowhere
    assert first.expires_at == NOW + timedelta(days=90)


def test_valid_expired_revoked_guessed_and_another_units(
    app_env: str, units: dict[str, int]
) -> None:
    nv, tp = units["T-A-NV"], units["T-A-TP"]
    with _session(app_env) as s:
        links = current_links(session=s, unit_ids=[nv, tp, nv], now=NOW)
        s.commit()
    assert set(links) == {nv, tp} and links[nv].token != links[tp].token
    with _session(app_env) as s:
        unit = unit_for_token(session=s, token=links[nv].token, now=NOW + timedelta(days=1))
        assert unit is not None and unit.id == nv  # the NV link opens NV, never TP
        other = unit_for_token(session=s, token=links[tp].token, now=NOW)
        assert other is not None and other.id == tp
        end = links[nv].expires_at
        assert unit_for_token(session=s, token=links[nv].token, now=end) is None  # expired
        assert unit_for_token(session=s, token=secrets.token_urlsafe(32), now=NOW) is None
        for bad in ("", "abc", links[nv].token + "x", links[nv].token[:-1] + "/", "../" * 20):
            assert unit_for_token(session=s, token=bad, now=NOW) is None
        # A week before the end a message carries a fresh link; the old one still opens.
        fresh = current_link(session=s, unit_id=nv, now=end - timedelta(days=3))
        assert fresh.token != links[nv].token
        assert unit_for_token(session=s, token=links[nv].token, now=end - timedelta(days=2))
        # Revoked: every old link dies at once, a new one is issued.
        new = revoke(session=s, unit_id=nv, now=NOW + timedelta(days=2))
        s.commit()
    with _session(app_env) as s:
        later = NOW + timedelta(days=3)
        assert unit_for_token(session=s, token=links[nv].token, now=later) is None
        assert unit_for_token(session=s, token=fresh.token, now=later) is None
        assert unit_for_token(session=s, token=new.token, now=later) is not None
        assert unit_for_token(session=s, token=links[tp].token, now=later) is not None


def test_units_link_command(app_env: str, units: dict[str, int]) -> None:
    code, out = run_cli("units", "link", "T-A-NV")
    assert code == 0, out
    url = next(line for line in out.splitlines() if "/u/" in line).strip()
    assert url.startswith("http://127.0.0.1:8000/u/")
    code, again = run_cli("units", "link", "T-A-NV")
    assert code == 0 and url in again
    code, out = run_cli("units", "link", "T-A-NV", "--revoke")
    assert code == 0 and "Đã thu hồi" in out and url not in out
    with _session(app_env) as s:
        assert unit_for_token(session=s, token=url.rsplit("/", 1)[1], now=datetime.now(UTC)) is None
    code, out = run_cli("units", "link", "KHONG-CO")
    assert code == 2 and "KHONG-CO" in out


def test_sweep_messages_carry_the_link_and_the_numbers(
    app_env: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A sweep's e-mail and Zalo digests of a unit show each assignment's number and end
    with the unit's current link, which opens that unit's page; a long Zalo digest is cut
    but keeps the link."""
    from dondoc.caches import reset_caches
    from notifications.mailbox import Mailbox
    from notifications.zalo_sandbox import ZaloSandbox
    from tests.test_reminders import START, at, sweep

    engine = create_engine(app_env)
    with Session(engine) as session:
        mini_scenario(session)
        give_contacts(session)
        nv = session.exec(select(Unit).where(Unit.code == "T-A-NV")).one()
        nv.contacts = ["mailto://t-a-nv@example.gov.vn", "zalo://oa/1001"]
        session.add(nv)
        session.commit()
        plan_everything(session, START)
        rows = session.exec(select(Assignment).where(Assignment.unit_id == nv.id)).all()
        ids = sorted(a.id for a in rows if a.id is not None)
    monkeypatch.setenv("DONDOC_ZALO_RATE_PER_SECOND", "0")
    reset_caches()
    with Mailbox() as box, ZaloSandbox() as zalo:
        for key, value in zalo.env().items():
            monkeypatch.setenv(key, value)
        reset_caches()
        sweep(engine, box, at(START))
        mail = next(m for m in box.inbox if m.rcpt_tos == ["t-a-nv@example.gov.vn"])
        oa = [r for r in zalo.received if "recipient" in (r.get("body") or {})]
        zalo_text = oa[-1]["body"]["message"]["text"]
    with Session(engine) as session:
        assert nv.id is not None
        link = current_link(session=session, unit_id=nv.id, now=at(START))
    text, html = mail.text(), mail.html()
    assert text.rstrip().endswith(link.url) and f'href="{link.url}"' in html
    assert zalo_text.rstrip().endswith(link.url)
    for number in ids:
        assert f"(mã {number})" in text and f"<td>{number}</td>" in html
        assert f"(mã {number})" in zalo_text
    engine.dispose()


def test_a_cut_zalo_digest_keeps_the_link() -> None:
    from types import SimpleNamespace

    from notifications.messages import ZALO_LIMIT, Digest, render
    from tasks.reminders import default_policy
    from tests.test_channels import _reminders

    units = {1: SimpleNamespace(id=1, name="Phòng Nội vụ")}
    digest = Digest("zalo://oa/1001", "zalo", "Phòng Nội vụ", 1, "overdue_7")
    digest.reminders = _reminders(80, units=1)
    url = "https://dondoc.example.gov.vn/u/" + "A" * 43
    subject, text, _ = render(
        digest, today=date(2025, 10, 15), units=units, policy=default_policy(), links={1: url}
    )
    assert len(subject) + 2 + len(text) <= ZALO_LIMIT
    assert "nhiệm vụ khác" in text and text.endswith(url)
    assert "(mã 1)" in text
    # The secretariat's digest (several units, or none named) carries no unit's link.
    office = Digest("zalo://oa/9", "zalo", "Văn phòng", None, "overdue_7")
    office.reminders = digest.reminders
    _, text, _ = render(
        office, today=date(2025, 10, 15), units=units, policy=default_policy(), links={1: url}
    )
    assert url not in text
