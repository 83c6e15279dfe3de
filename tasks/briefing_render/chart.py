"""The briefing's chart: what a leader asks of it — the units with the most overdue work, most
overdue first, each bar stacked in the status colours and labelled with its overdue count and
its on-time share."""

from __future__ import annotations

from io import BytesIO
from typing import TYPE_CHECKING, Any

from tasks.briefing.model import Briefing, UnitLine, pct_on_time, pct_text
from tasks.fileio import short_text
from tasks.status import CATEGORIES

if TYPE_CHECKING:
    from matplotlib.figure import Figure

CHART_UNITS = 12  # the units drawn: the most overdue first (the table lists them all)


def chart_title(b: Briefing) -> str:
    """The chart's heading, also its caption in the documents."""
    shown = min(len(b.units), CHART_UNITS)
    if len(b.units) > CHART_UNITS:
        return f"{shown} đơn vị có nhiều nhiệm vụ quá hạn nhất – {b.period.label}"
    return f"Tình hình thực hiện nhiệm vụ theo đơn vị – {b.period.label}"


def chart_rows(b: Briefing) -> list[tuple[str, dict[str, int]]]:
    """The chart's bars, top to bottom: the units with the most overdue items, then (among
    equals) the lowest on-time share, then the most items."""
    ranked: list[UnitLine] = sorted(
        b.units,
        key=lambda u: (
            -u.counts["overdue"],
            u.pct_on_time if u.pct_on_time is not None else 101.0,
            -u.assigned,
            u.name,
        ),
    )
    return [(u.name, dict(u.counts)) for u in ranked[:CHART_UNITS]]


def _bar_note(counts: dict[str, int]) -> str:
    """«47 quá hạn · đúng hạn 2,1%» beside a bar."""
    rate = pct_on_time(counts)
    share = "chưa đến hạn" if rate is None else f"đúng hạn {pct_text(rate)}%"
    return f" {counts['overdue']} quá hạn · {share}"


def chart_figure(b: Briefing) -> Figure:
    """The stacked bar chart by unit; 10 inches wide, taller with more bars."""
    from matplotlib.figure import Figure  # slow to import: only charts need it

    rows = chart_rows(b)
    height = round(2.4 + 0.36 * len(rows), 2) if rows else 3.0
    fig = Figure(figsize=(10, height), dpi=120, layout="constrained")
    fig.suptitle(chart_title(b), fontsize=13, fontweight="bold")
    ax = fig.add_subplot()
    if rows:
        _draw_bars(fig, ax, rows)
    else:
        ax.axis("off")
        ax.text(0.5, 0.5, "Không có nhiệm vụ nào trong kỳ để thể hiện.", ha="center", fontsize=12)
    return fig


def _draw_bars(fig: Figure, ax: Any, rows: list[tuple[str, dict[str, int]]]) -> None:
    from matplotlib.ticker import MaxNLocator

    y = list(range(len(rows)))
    left = [0] * len(rows)
    for cat in CATEGORIES:
        values = [counts[cat.key] for _, counts in rows]
        ax.barh(y, values, left=left, height=0.7, color=cat.hex, label=cat.label)
        left = [a + v for a, v in zip(left, values, strict=True)]
    for i, (total, (_, counts)) in enumerate(zip(left, rows, strict=True)):
        ax.text(total, i, _bar_note(counts), va="center", fontsize=9)
    ax.set_yticks(y, [short_text(name, 40) for name, _ in rows], fontsize=10)
    ax.invert_yaxis()  # the biggest unit on top
    ax.set_xlim(0, max(left) * 1.45 + 0.5)  # room for the notes beside the bars
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("Số nhiệm vụ (đơn vị chủ trì)")
    ax.spines[["top", "right"]].set_visible(False)
    fig.legend(loc="outside lower center", ncols=3, frameon=False, fontsize=10)


def chart_png(b: Briefing) -> bytes:
    """The chart as PNG bytes (Agg canvas, 120 dpi, DejaVu Sans for the Vietnamese text)."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    with matplotlib.rc_context({"font.family": "DejaVu Sans"}):
        fig = chart_figure(b)
        canvas = FigureCanvasAgg(fig)  # the Agg backend, without touching pyplot's global one
        buf = BytesIO()
        canvas.print_png(buf, metadata={"Software": None})  # same bytes on every version
    return buf.getvalue()
