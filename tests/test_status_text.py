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
