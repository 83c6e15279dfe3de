"""The main job of the README (`make demo`): a whole round on a fresh SQLite database.

It imports the directory of the seed documents, registers the three seed notices from
their YAML files, records what units reported (done on time, done late, in progress, an
approved extension) and prints the status as of a fixed day in 2024.
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.rule import Rule

from dondoc.settings import get_settings
from dondoc.views import print_status, status_table, summary_table
from models.db import get_engine, session_scope, set_actor, upgrade_database
from tasks.notices import register_notice_file
from tasks.progress import decide_extension, find_assignment, record_progress, request_extension
from tasks.status import compute_status, count_by_status
from tasks.units import import_directory

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
DIRECTORY = EXAMPLES / "units" / "seed-era.yaml"
NOTICES = ("seed-000.yaml", "seed-002.yaml", "seed-004.yaml")

# (notice file, ref, unit code, state, day, note): what the units reported.
PROGRESS = [
    (
        "seed-000.yaml",
        "8",
        "KG-HD-NV",
        "done",
        date(2018, 6, 25),
        "Đã gửi Thư ký ISO 12 quy trình.",
    ),
    ("seed-000.yaml", "8", "KG-HD-TP", "done", date(2018, 7, 5), "Gửi quy trình trễ 5 ngày."),
    (
        "seed-002.yaml",
        "3",
        "CT-SNV",
        "done",
        date(2023, 3, 28),
        "Đã trình dự thảo quyết định kiện toàn.",
    ),
    ("seed-004.yaml", "1", "HT-HS-X-SONLINH", "done", date(2024, 8, 20), "Báo cáo số 45/BC-UBND."),
    (
        "seed-004.yaml",
        "1",
        "HT-HS-X-SONCHAU",
        "in_progress",
        date(2024, 8, 15),
        "Đã khắc phục 3/5 tồn tại.",
    ),
    ("seed-004.yaml", "2.-2", "HT-HS-X-SONLINH", "done", date(2024, 7, 1), "Đã mở sổ điện tử."),
    ("seed-004.yaml", "2.-2", "HT-HS-X-SONCHAU", "done", date(2024, 7, 10), "Mở sổ điện tử chậm."),
]
# (notice file, ref, unit code, requested day, reason, requested on, decided on)
EXTENSION = (
    "seed-004.yaml",
    "1",
    "HT-HS-X-SONLONG",
    date(2024, 9, 30),
    "Chờ kết quả rà soát 13 hồ sơ quá hạn của Đoàn kiểm tra.",
    date(2024, 8, 21),
)
SHOWN_UNITS = (
    "HT-HS-X-SONLINH",
    "HT-HS-X-SONCHAU",
    "HT-HS-X-SONLONG",
    "HT-HS-NV",
    "KG-HD-NV",
    "KG-HD-TP",
)


def run_demo(
    *, console: Console, as_of: date = date(2024, 8, 26), fresh: bool = True
) -> dict[str, int]:
    """Run the demo on its own SQLite file in the data directory; return the status counts."""
    started = time.perf_counter()
    settings = get_settings()
    path = settings.ensure_data_dir() / "demo.sqlite"
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{path.resolve()}"
    set_actor("demo")
    console.print(Rule("dondoc – chạy thử"))
    console.print(f"Cơ sở dữ liệu: {url} (phiên bản {upgrade_database(url)})")
    engine = get_engine(url)
    with session_scope(engine) as session:
        report = import_directory(session=session, path=DIRECTORY)
    console.print(
        f"1. Danh mục đơn vị «{DIRECTORY.name}»: {report.created} đơn vị, {report.groups_created} nhóm."
    )
    notice_ids: dict[str, int] = {}
    for name in NOTICES:
        with session_scope(engine) as session:
            notice = register_notice_file(session=session, path=EXAMPLES / "notices" / name)
            notice_ids[name] = notice.id  # type: ignore[assignment]
        console.print(
            f"2. Đăng ký «{name}»: {'số ' + notice.number if notice.number else 'chưa có số'}, ngày {notice.issued_on:%d/%m/%Y}."
        )
    with session_scope(engine) as session:
        for name, ref, unit, state, day, note in PROGRESS:
            a = find_assignment(
                session=session, notice_id=notice_ids[name], ref=ref, unit_code=unit
            )
            record_progress(session=session, assignment_id=a.id, state=state, on=day, note=note)  # type: ignore[arg-type]
            word = "hoàn thành" if state == "done" else "đang thực hiện"
            console.print(f"3. {unit} báo cáo mục {ref} ({name}): {word} ngày {day:%d/%m/%Y}.")
    name, ref, unit, to, reason, decided = EXTENSION
    with session_scope(engine) as session:
        a = find_assignment(session=session, notice_id=notice_ids[name], ref=ref, unit_code=unit)
        request = request_extension(session=session, assignment_id=a.id, to=to, reason=reason)  # type: ignore[arg-type]
        decide_extension(
            session=session,
            extension_id=request.id,
            approve=True,
            on=decided,
            decided_by="Chủ tịch UBND huyện",
        )  # type: ignore[arg-type]
    console.print(
        f"4. {unit} xin gia hạn mục {ref} đến {to:%d/%m/%Y}; đã duyệt ngày {decided:%d/%m/%Y}."
    )
    with session_scope(engine) as session:
        rows = compute_status(session=session, as_of=as_of, due_soon_days=settings.due_soon_days)
    counts = count_by_status(rows)
    shown = [r for r in rows if r.unit_code in SHOWN_UNITS and (r.completed_on or r.effective_due)]
    console.print(Rule(f"Trạng thái tính đến ngày {as_of:%d/%m/%Y}"))
    console.print(status_table(shown, f"Một số đơn vị – tính đến ngày {as_of:%d/%m/%Y}"))
    console.print(summary_table(counts, f"Tổng hợp toàn bộ {len(rows)} lượt giao nhiệm vụ"))
    console.print(
        f"Xong trong {time.perf_counter() - started:.1f} giây. Xem tất cả: "
        f"DONDOC_DATABASE_URL={url} .venv/bin/dondoc status --as-of {as_of:%d/%m/%Y}"
    )
    return counts


__all__ = ["print_status", "run_demo"]
