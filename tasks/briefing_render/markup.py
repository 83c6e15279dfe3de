"""The briefing as HTML (one self-contained, printable page) and as Markdown, from the Jinja
templates in ``tasks/templates``."""

from __future__ import annotations

import base64
import re
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from tasks.briefing.model import Briefing
from tasks.briefing_render.chart import chart_png
from tasks.briefing_render.sender import current_sender
from tasks.briefing_render.view import SIGN_HINT, STATE_MOTTO, build_view, nfc, tint

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def _md_text(text: str) -> str:
    """Markdown-escape inline text: no markup, no HTML, no table breaks."""
    text = re.sub(r"([\\`*_\[\]<>|])", r"\\\1", text)
    return re.sub(r"\s*\n\s*", " ", text)


def _md_row(cells: list[str], bold: bool = False) -> str:
    shown = [f"**{_md_text(c)}**" if bold and c else _md_text(c) for c in cells]
    return "| " + " | ".join(shown) + " |"


def _md_align(align: str) -> str:
    marks = {"l": ":---", "c": ":---:", "r": "---:"}
    return "| " + " | ".join(marks[a] for a in align) + " |"


_env.filters.update(tint=tint, md=_md_text, md_row=_md_row, md_align=_md_align)
_FIXED = {"motto": STATE_MOTTO, "sign_hint": SIGN_HINT}


def render_html(b: Briefing, png: bytes | None = None) -> str:
    """One self-contained, printable HTML page (the chart inlined as a data: URI); ``png``
    is the chart when the caller already drew it."""
    view = build_view(b, current_sender())
    chart = base64.b64encode(png or chart_png(b)).decode("ascii") if b.units else None
    html = _env.get_template("briefing.html.j2").render(v=view, chart=chart, **_FIXED)
    return nfc(html)


def render_markdown(b: Briefing, chart: str | None = None) -> str:
    """The briefing in Markdown; ``chart`` is the chart image's file name, linked when given."""
    link = None
    if chart and b.units:
        link = f"<{chart}>" if re.search(r"[\s()]", chart) else chart
    text = _env.get_template("briefing.md.j2").render(
        v=build_view(b, current_sender()), chart=link, **_FIXED
    )
    return nfc(text)
