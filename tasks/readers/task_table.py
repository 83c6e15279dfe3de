"""A task table (TT | Nội dung | Chủ trì | Phối hợp | Thời hạn), whatever format it came in:
its rows as blocks. The DOCX reader gives it cells; a converter's Markdown or HTML table in a
text copy gives the same cells."""

from __future__ import annotations

import re

from tasks.readers.document import Block

_TASK_CELL_RE = re.compile(r"nhiệm vụ|nội dung|công việc")
_RESP_CELL_RE = re.compile(r"chủ trì|thực hiện|phối hợp|thời gian|thời hạn|tiến độ|hoàn thành")
_COLNUM_RE = re.compile(r"^\(?(?:\d{1,2}|[a-zA-Z]|[IVX]{1,4})\)?$")


def task_rows(texts: list[list[str]], table: int | None) -> list[Block] | None:
    """The data rows of a task table as ``row`` blocks (header rows and a «(1) (2) (3)» row
    left out), or None when the table has no task-table header (a layout table)."""
    header_at = _task_header(texts)
    if header_at is None:
        return None
    header = texts[header_at]
    body = texts[header_at + 1 :]
    # A second header row under merged group cells ("Cơ quan thực hiện" → "Chủ trì", "Phối hợp")
    if body and _is_subheader(body[0]):
        sub = body.pop(0)
        header = [
            f"{h} {s}".strip() if s and s.lower() not in h.lower() else h
            for h, s in zip(header, sub, strict=False)
        ]
    blocks: list[Block] = []
    for cells in body:
        if not any(cells) or _is_column_numbers(cells) or cells == texts[header_at]:
            continue
        if _is_group_row(cells):
            continue
        blocks.append(
            Block(
                text=" | ".join(c for c in cells if c),
                kind="row",
                cells=cells,
                header=list(header),
                table=table,
            )
        )
    return blocks


def _task_header(texts: list[list[str]]) -> int | None:
    """Index of the task-table header row among the first two rows, or None."""
    for i, row in enumerate(texts[:2]):
        lows = [c.lower() for c in row]
        task = [j for j, c in enumerate(lows) if c and len(c) < 60 and _TASK_CELL_RE.search(c)]
        resp = [j for j, c in enumerate(lows) if c and len(c) < 60 and _RESP_CELL_RE.search(c)]
        if task and any(j != k for j in task for k in resp):
            return i
    return None


def _is_subheader(cells: list[str]) -> bool:
    """A second header row: short labels, no numbers, at least one about responsibility/time."""
    filled = [c for c in cells if c]
    return (
        bool(filled)
        and not any(ch.isdigit() for c in filled for ch in c)
        and all(len(c) < 40 for c in filled)
        and any(_RESP_CELL_RE.search(c.lower()) for c in filled)
    )


_GROUP_NUMBER_RE = re.compile(r"^(?:[IVXL]{1,6}|[A-ZĐ])\.?$")


def _is_group_row(cells: list[str]) -> bool:
    """A row that only heads a group of tasks: «I | Cơ chế, chính sách | | | |»."""
    first = cells[0].strip()
    return (
        len(cells) >= 3
        and (not first or bool(_GROUP_NUMBER_RE.match(first)))
        and not any(c.strip() for c in cells[2:])
    )


def _is_column_numbers(cells: list[str]) -> bool:
    """A row such as "(1) (2) (3)" or "1 2 3" or "A B C" that only numbers the columns."""
    tokens = [t for c in cells if c for t in c.split()]
    return len(tokens) >= 2 and all(_COLNUM_RE.match(t) for t in tokens)
