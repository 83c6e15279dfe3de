"""Terminal rendering shared by the CLI and the demo."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from tasks.briefing.model import due_count, pct_on_time, pct_text
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
        share = f"{pct_text(round(100 * n / total, 1))}%" if total else "—"
        table.add_row(f"[{cat.colour}]{cat.label}[/]", str(n), share)
    table.add_row("[bold]Tổng[/]", f"[bold]{total}[/]", "")
    table.caption = on_time_sentence(counts)
    return table


def on_time_sentence(counts: dict[str, int]) -> str:
    """The on-time rate as the briefing defines and writes it: done on time over what has
    come due (done, or overdue), its base said."""
    due = due_count(counts)
    rate = pct_on_time(counts)
    if rate is None:
        return "Tỷ lệ hoàn thành đúng hạn: chưa có nhiệm vụ nào đến hạn."
    return (
        f"Tỷ lệ hoàn thành đúng hạn: {pct_text(rate)}% ({counts['done_on_time']} trên {due} "
        "lượt giao đã đến hạn, gồm đã hoàn thành và quá hạn; không tính lượt chưa đến hạn "
        "và không có thời hạn)."
    )


def print_status(
    console: Console, rows: list[StatusRow], counts: dict[str, int], title: str
) -> None:
    """The detail table followed by the summary."""
    console.print(status_table(rows, title))
    console.print(summary_table(counts))


FLAG_LABELS = {
    "no_unit": "không rõ đơn vị",
    "unit_not_in_directory": "đơn vị ngoài danh mục",
    "ambiguous_unit": "tên đơn vị trùng",
    "outside_issuer": "cơ quan ban hành không có trong danh mục, không ghép đơn vị",
    "no_deadline": "không có hạn",
    "inherited_units": "đơn vị lấy từ mục trên",
    "low_confidence": "độ tin cậy thấp",
}


def _flag_text(flag: str) -> str:
    key, _, name = flag.partition(":")
    label = FLAG_LABELS.get(key, key)
    return f"{label}: {name}" if name else label


def review_table(extraction: Any, source_name: str) -> Table:
    """The extracted directives for the clerk to check, flagged ones first."""
    from tasks.extract import needs_review

    stamp = getattr(extraction, "stamp", None)
    number = extraction.number or "(trống)"
    if stamp and stamp.number:
        number = f"{stamp.number} (văn bản để trống; lấy từ {stamp.number_from}, kiểm tra lại)"
    issued = (
        f"ngày {extraction.issued_on:%d/%m/%Y}"
        if extraction.issued_on
        else "ngày ban hành: (trống)"
    )
    if stamp and stamp.issued_on:
        issued = (
            f"ngày {stamp.issued_on:%d/%m/%Y} (văn bản để trống; lấy từ {stamp.issued_from}, "
            "kiểm tra lại)"
        )
    head = [
        f"cơ quan ban hành: {extraction.issuer or '(không đọc được: thêm --issuer)'}",
        f"Số: {number}",
        issued,
        f"ký: {extraction.signer or '(không rõ)'}",
    ]
    table = Table(title=f"Trích xuất «{source_name}» – {', '.join(head)}")
    for col in ("Mục", "Nội dung", "Đơn vị chủ trì", "Phối hợp", "Thời hạn", "Cần xem"):
        table.add_column(col, overflow="fold")
    ordered = sorted(extraction.directives, key=lambda d: not needs_review(d))
    for d in ordered:
        due = d.due.text or "—"
        if d.due.date:
            due = (
                f"{d.due.date:%d/%m/%Y} ({d.due.text})" if d.due.text else f"{d.due.date:%d/%m/%Y}"
            )
        flags = ", ".join(_flag_text(f) for f in d.flags)
        table.add_row(
            d.ref or "—",
            short(d.text, 70),
            "; ".join(d.lead_units) or "[red]—[/]",
            "; ".join(d.support_units),
            due,
            f"[yellow]{flags}[/]" if needs_review(d) else f"[dim]{flags}[/]",
        )
    return table
