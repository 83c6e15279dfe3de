"""Terminal rendering shared by the CLI and the demo."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from tasks.fileio import short_text as short
from tasks.status import CATEGORIES, CATEGORY_BY_KEY, StatusRow


def status_table(rows: list[StatusRow], title: str) -> Table:
    """One line per assignment with its status in the report's words and colours."""
    table = Table(title=title)
    for col in ("Mã", "Thông báo", "Mục", "Nội dung", "Đơn vị", "Hạn", "Hoàn thành", "Trạng thái"):
        table.add_column(col, overflow="fold")
    for r in rows:
        cat = CATEGORY_BY_KEY[r.status]
        due = f"{r.effective_due:%d/%m/%Y}" if r.effective_due else (r.due_text or "—")
        if r.stated_due and r.effective_due and r.stated_due != r.effective_due:
            due += f" (ghi {r.stated_due:%d/%m/%Y})"
        table.add_row(
            str(r.assignment_id),
            r.notice_number or "(chưa có số)",
            r.ref or "—",
            short(r.text, 48),
            r.unit_name + (" (phối hợp)" if r.role == "support" else ""),
            due,
            f"{r.completed_on:%d/%m/%Y}" if r.completed_on else "",
            f"[{cat.colour}]{cat.label}[/]",
        )
    return table


def summary_table(counts: dict[str, int], title: str = "Tổng hợp") -> Table:
    """Counts and shares of the six status categories."""
    table = Table(title=title)
    table.add_column("Trạng thái")
    table.add_column("Số lượng", justify="right")
    table.add_column("Tỷ lệ", justify="right")
    total = sum(counts.values())
    for cat in CATEGORIES:
        n = counts[cat.key]
        share = f"{100 * n / total:.1f}%" if total else "—"
        table.add_row(f"[{cat.colour}]{cat.label}[/]", str(n), share)
    table.add_row("[bold]Tổng[/]", f"[bold]{total}[/]", "")
    return table


def print_status(
    console: Console, rows: list[StatusRow], counts: dict[str, int], title: str
) -> None:
    """The detail table followed by the summary."""
    console.print(status_table(rows, title))
    console.print(summary_table(counts))
