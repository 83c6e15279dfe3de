"""The monthly giao ban briefing as a document: DOCX (Nghị định 30/2020/NĐ-CP layout), HTML,
Markdown, JSON, and its chart.

``view`` turns the ``Briefing`` into the texts and tables every format shows, ``chart`` draws
the chart, ``markup`` renders HTML and Markdown, ``word`` the DOCX, ``write`` writes the files.
"""

from __future__ import annotations

from tasks.briefing_render.chart import (
    CHART_UNITS,
    chart_figure,
    chart_png,
    chart_rows,
    chart_title,
)
from tasks.briefing_render.markup import TEMPLATES, render_html, render_markdown
from tasks.briefing_render.view import (
    CHANNELS,
    DASH,
    SIGN_HINT,
    STATE_MOTTO,
    UNIT_COLUMN_KEYS,
    UNIT_HEADER,
    Section,
    Sender,
    Table,
    View,
    build_view,
)
from tasks.briefing_render.word import render_docx
from tasks.briefing_render.write import FORMATS, write_briefing, write_briefing_files

__all__ = [
    "CHANNELS",
    "CHART_UNITS",
    "DASH",
    "FORMATS",
    "chart_title",
    "SIGN_HINT",
    "STATE_MOTTO",
    "TEMPLATES",
    "UNIT_COLUMN_KEYS",
    "UNIT_HEADER",
    "Section",
    "Sender",
    "Table",
    "View",
    "build_view",
    "chart_figure",
    "chart_png",
    "chart_rows",
    "render_docx",
    "render_html",
    "render_markdown",
    "write_briefing",
    "write_briefing_files",
]
