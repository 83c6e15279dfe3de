"""Writing the briefing's documents: one format at a time (the CLI), or the DOCX, HTML and
Markdown with its chart in one folder (the monthly flow), both through ``write_briefing``."""

from __future__ import annotations

import json
from pathlib import Path

from tasks.briefing.model import Briefing
from tasks.briefing_render.chart import chart_png
from tasks.briefing_render.markup import render_html, render_markdown
from tasks.briefing_render.word import render_docx
from tasks.errors import InputError

FORMATS = ("docx", "html", "md", "json")


def write_briefing(
    b: Briefing, fmt: str, out: Path | None, *, png: bytes | None = None
) -> bytes | str:
    """Render in a format (docx, html, md, json) and write it to ``out`` when given.

    Markdown written to a file gets its chart beside it (``<out stem>.png``), linked. ``png``
    is the chart when the caller already drew it. Returns what was rendered (bytes for DOCX,
    text otherwise)."""
    kind = fmt.strip().lower()
    if kind not in FORMATS:
        raise InputError(f"Định dạng «{fmt}» không được hỗ trợ: dùng docx, html, md hoặc json.")
    if kind == "docx" and out is None:
        raise InputError(
            "Báo cáo DOCX là tệp nhị phân, không in ra màn hình được: "
            "cần chỉ định tệp bằng --out, ví dụ --out bao-cao.docx."
        )
    if kind == "md" and out is not None and b.units:
        chart = out.with_name(f"{out.stem}.png")
        _write(chart, png or chart_png(b))
        content: bytes | str = render_markdown(b, chart=chart.name)
    elif kind == "md":
        content = render_markdown(b)
    elif kind == "docx":
        content = render_docx(b, png)
    elif kind == "html":
        content = render_html(b, png)
    else:
        content = json.dumps(b.to_json(), ensure_ascii=False, indent=2)
    if out is not None:
        _write(out, content)
    return content


def write_briefing_files(b: Briefing, folder: Path) -> dict[str, Path]:
    """The DOCX, HTML and Markdown of the briefing with its chart, in ``folder``, named
    ``bao-cao-giao-ban-<period>``; returns the paths by kind (docx, html, md, png)."""
    stem = f"bao-cao-giao-ban-{b.period.key()}"
    paths = {kind: folder / f"{stem}.{kind}" for kind in ("docx", "html", "md", "png")}
    png = chart_png(b)  # drawn once, for all three documents
    for kind in ("docx", "html", "md"):
        write_briefing(b, kind, paths[kind], png=png)
    if not b.units:
        # The Markdown links a chart only when there are units; the folder has one anyway.
        _write(paths["png"], png)
    return paths


def _write(path: Path, content: bytes | str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"Không ghi được tệp «{path}»: {exc.strerror or exc}.") from exc
