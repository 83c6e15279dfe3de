"""The monthly giao ban briefing as a Prefect flow: numbers (one task, SQL aggregation),
documents (one task), and the briefing as markdown and table artifacts."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from dondoc.settings import get_settings
from models.db import get_engine, session_scope
from tasks.briefing import Briefing, compute_briefing
from tasks.periods import Period, parse_month, shift_month


def last_month(today: date | None = None) -> str:
    """The month a briefing run on the 1st reports on: the one just ended."""
    month = shift_month((today or date.today()).replace(day=1), -1)
    return f"{month.year}-{month.month:02d}"


@task
def briefing_numbers(period: Period, as_of: date | None) -> Briefing:
    """Every number of the briefing, by SQL aggregation."""
    with session_scope(get_engine()) as session:
        return compute_briefing(session=session, period=period, as_of=as_of)


@task
def write_documents(briefing: Briefing, folder: Path) -> dict[str, str]:
    """The DOCX, HTML and Markdown (with its chart) of the briefing, in ``folder``."""
    from tasks.briefing_render import write_briefing_files

    return {kind: str(path) for kind, path in write_briefing_files(briefing, folder).items()}


def _artifacts(briefing: Briefing) -> None:
    from tasks.briefing_render import render_markdown

    key = f"giao-ban-{briefing.period.key()}"
    create_markdown_artifact(
        markdown=render_markdown(briefing),
        key=key,
        description=f"Báo cáo giao ban {briefing.period.label}",
    )
    create_table_artifact(
        table=[
            {
                "Đơn vị": u.name,
                "Được giao": u.assigned,
                "Đúng hạn": u.counts["done_on_time"],
                "Quá hạn (đã xong)": u.counts["done_late"],
                "Trong hạn": u.in_progress_in_time,
                "Quá hạn": u.counts["overdue"],
                "Tỷ lệ đúng hạn (%)": "—" if u.pct_on_time is None else u.pct_on_time,
            }
            for u in briefing.units
        ],
        key=f"{key}-don-vi",
        description=f"Kết quả theo đơn vị, {briefing.period.label}",
    )


def _run_name() -> str:
    """giao-ban-YYYY-MM, the month just ended when a schedule gives no month."""
    from prefect.runtime import flow_run

    return f"giao-ban-{flow_run.parameters.get('month') or last_month()}"


@flow(name="monthly-briefing", flow_run_name=_run_name)
def monthly_briefing(
    month: str | None = None,
    period: str = "calendar",
    as_of: date | None = None,
    folder: str | None = None,
) -> dict[str, Any]:
    """The briefing of ``month`` (YYYY-MM; default: the month just ended), in the calendar
    month or the 15-14 reporting period, written to DATA_DIR/briefings (or ``folder``)."""
    month = month or last_month()
    chosen = parse_month(month, period)
    briefing = briefing_numbers(chosen, as_of)
    target = Path(folder) if folder else get_settings().ensure_data_dir() / "briefings"
    files = write_documents(briefing, target)
    _artifacts(briefing)
    summary = {
        "month": month,
        "period": period,
        "as_of": briefing.as_of.isoformat(),
        "total": briefing.total,
        "directives": briefing.directives,
        "totals": briefing.totals,
        "pct_on_time": briefing.pct_on_time,
        "files": files,
    }
    get_run_logger().info("Báo cáo giao ban %s: %s", chosen.label, summary)
    return summary
