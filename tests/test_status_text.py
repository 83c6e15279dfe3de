"""`dondoc status` writes its shares and its on-time rate as the briefing does: one definition
(done on time over what has come due), the base said, a Vietnamese decimal comma."""

from __future__ import annotations

import json
import re

from tasks.briefing.model import pct_on_time
from tests.helpers import MINI_NOTICE, MINI_UNITS
from tests.helpers import run_cli as run


def test_status_says_the_on_time_rate_and_its_base_like_the_briefing(app_env: str) -> None:
    assert run("init")[0] == 0
    assert run("units", "import", str(MINI_UNITS))[0] == 0
    assert run("notice", "add", "--from", str(MINI_NOTICE))[0] == 0
    code, out = run("status", "--as-of", "2024-09-30", "--json")
    counts = json.loads(out)["counts"]
    assert code == 0 and counts["overdue"] > 0
    code, out = run("status", "--as-of", "2024-09-30")
    assert code == 0
    rate = pct_on_time(counts)
    due = counts["done_on_time"] + counts["done_late"] + counts["overdue"]
    expected = f"{rate:.1f}".replace(".", ",")
    flat = " ".join(out.split())
    assert f"Tỷ lệ hoàn thành đúng hạn: {expected}% ({counts['done_on_time']} trên {due}" in flat
    shares = re.findall(r"\d+[.,]\d%", out)
    assert shares and all("," in s for s in shares)  # 14,3%, never 14.3%


def test_a_notice_without_a_number_is_filtered_by_its_id(app_env: str) -> None:
    """`status --notice-id` and the dashboard's «notice_id» go through the one service filter
    (services.status), like the number; an unknown id is an error, not an empty table."""
    from fastapi.testclient import TestClient
    from sqlmodel import Session, create_engine, select

    from models.notice import Notice
    from services.accounts import add_user
    from tests.test_web_auth import sign_in

    assert run("init")[0] == 0
    assert run("units", "import", str(MINI_UNITS))[0] == 0
    assert run("notice", "add", "--from", str(MINI_NOTICE))[0] == 0
    engine = create_engine(app_env)
    with Session(engine) as session:
        notice = session.exec(select(Notice)).one()
        notice.number = None  # a notice registered without a number
        session.add(notice)
        add_user(session=session, name="vanthu", role="clerk", password="mat-khau-dai")
        session.commit()
        notice_id = notice.id
    engine.dispose()
    code, out = run("status", "--as-of", "2024-09-30", "--notice-id", str(notice_id), "--json")
    by_id = json.loads(out)
    assert code == 0 and sum(by_id["counts"].values()) == 7
    code, out = run("status", "--as-of", "2024-09-30", "--notice-id", "999", "--json")
    assert code == 2 and "Không có thông báo mã 999" in out
    from web.app import create_app

    with TestClient(create_app(), follow_redirects=False) as client:
        sign_in(client)
        board = client.get(f"/?as_of=30/09/2024&notice_id={notice_id}&format=json").json()
        assert board["counts"] == by_id["counts"]
        assert client.get("/?notice_id=999&format=json").status_code == 400
        assert client.get("/?notice_id=abc&format=json").status_code == 400
        page = client.get(f"/thong-bao/{notice_id}").text
        assert f'href="/?notice_id={notice_id}"' in page
