"""Reading the clerk's YAML and CSV files with line numbers for error messages."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from tasks.errors import InputError

LINE_KEY = "__line__"


class _LineLoader(yaml.SafeLoader):
    """A safe loader that records, in every mapping, the line (1-based) where it starts."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping[LINE_KEY] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_text(path: Path) -> str:
    """Read a UTF-8 text file (BOM allowed) as NFC, with a clear error when it is not text."""
    if not path.exists():
        raise InputError(f"Không tìm thấy tệp «{path}».")
    if path.is_dir():
        raise InputError(f"«{path}» là một thư mục, cần một tệp.")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"Tệp «{path}» không phải văn bản UTF-8 (byte lỗi ở vị trí {exc.start}). "
            "Hãy lưu lại tệp với bảng mã UTF-8."
        ) from exc
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n"))


def load_yaml(path: Path) -> Any:
    """Parse a YAML file; mappings carry their line number under ``__line__``."""
    text = read_text(path)
    try:
        data = yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(
            f"YAML không hợp lệ ({problem}). Kiểm tra thụt lề, dấu «:» và dấu ngoặc kép.",
            where=where,
        ) from exc
    if data is None:
        raise InputError("Tệp rỗng.", where=str(path))
    return data


def strip_lines(value: Any) -> Any:
    """Remove the ``__line__`` markers from a loaded YAML value (for storing or printing)."""
    if isinstance(value, dict):
        return {k: strip_lines(v) for k, v in value.items() if k != LINE_KEY}
    if isinstance(value, list):
        return [strip_lines(v) for v in value]
    return value


def load_csv(path: Path) -> list[dict[str, str]]:
    """Read a CSV with a header row; each row gets its line number under ``__line__``."""
    text = read_text(path)
    try:
        sample = text[:4096]
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample.strip() else csv.excel
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    if not reader.fieldnames:
        raise InputError("Tệp CSV không có dòng tiêu đề.", where=str(path))
    rows: list[dict[str, str]] = []
    try:
        for row in reader:
            if None in row:
                raise InputError(
                    "Dòng có nhiều cột hơn dòng tiêu đề (thiếu dấu ngoặc kép quanh ô có dấu phẩy?).",
                    where=f"{path}:{reader.line_num}",
                )
            clean = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
            if not any(clean.values()):
                continue
            clean[LINE_KEY] = reader.line_num  # type: ignore[assignment]
            rows.append(clean)
    except csv.Error as exc:
        raise InputError(f"CSV không hợp lệ: {exc}", where=f"{path}:{reader.line_num}") from exc
    return rows


_DMY = re.compile(r"^\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})\s*$")


def parse_date_value(value: Any, *, field: str, where: str | None = None) -> date:
    """A date from YAML (a date object) or text: 2024-08-30 or 30/8/2024.

    Raises InputError naming the field when the value is not a real date (31/2/2024).
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    if not text:
        raise InputError(f"Thiếu ngày ở trường «{field}».", where=where)
    m = _DMY.match(text)
    try:
        if m:
            day, month, year = (int(g) for g in m.groups())
            return date(year, month, day)
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"Trường «{field}»: «{text}» không phải ngày có thật. Ghi dạng 30/8/2024 hoặc 2024-08-30.",
            where=where,
        ) from None


def short_text(text: str, width: int = 60) -> str:
    """Cut a text to ``width`` characters with an ellipsis (for tables and messages)."""
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"
