"""Reading the clerk's YAML and CSV files with line numbers for error messages.

Every YAML file dondoc reads (notices, unit directories, the escalation policy, calendar
overrides) goes through one loader that a hostile or mistyped file cannot run away with: no
anchors or aliases (a 1 KB "billion laughs" file expanded to gigabytes), nesting at most
``MAX_DEPTH`` deep, at most ``MAX_YAML_BYTES``, integers of at most ``MAX_INT_DIGITS`` digits,
keys that are text, and dates kept as text for ``parse_date_value`` to check.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode
from yaml.resolver import Resolver

from tasks.errors import InputError

LINE_KEY = "__line__"
MAX_YAML_BYTES = 5 * 1024 * 1024
MAX_CSV_BYTES = 20 * 1024 * 1024
MAX_DEPTH = 64
MAX_INT_DIGITS = 30
MIN_YEAR, MAX_YEAR = 1900, 2200

TOO_DEEP = (
    f"Tệp lồng nhau quá sâu (hơn {MAX_DEPTH} mức danh sách/bảng lồng vào nhau); tệp dữ liệu "
    "của dondoc chỉ cần vài mức. Kiểm tra các dấu «[», «{» và thụt lề."
)
_STR_TAG = "tag:yaml.org,2002:str"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"

try:  # libyaml scans and parses in C (about three times faster); composing stays in Python
    from yaml._yaml import CParser as _EventSource
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _EventSource(Reader, Scanner, Parser):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)


class _Refused(yaml.MarkedYAMLError):
    """Well-formed YAML that dondoc does not take; ``problem`` is the message for the clerk."""

    def __init__(self, problem: str, mark: Any) -> None:
        super().__init__(problem=problem, problem_mark=mark)


def _preview(text: str, width: int = 20) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


class _DataLoader(Composer, _EventSource, SafeConstructor, Resolver):  # type: ignore[misc, valid-type]
    """The safe loader with the limits above."""

    def __init__(self, stream: str) -> None:
        _EventSource.__init__(self, stream)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()
        assert event is not None  # the composer only asks for a node where an event is
        if isinstance(event, AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _Refused(
                "Tệp dùng neo hoặc bí danh YAML («&tên», «*tên»). dondoc không nhận bí danh trong "
                "tệp dữ liệu (một tệp nhỏ có thể bung ra hàng tỉ giá trị); hãy chép lại giá trị ở "
                "mỗi chỗ cần dùng.",
                event.start_mark,
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refused(TOO_DEEP, event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, OverflowError) as exc:
            # e.g. an explicit "!!timestamp 2024-02-30"
            shown = _preview(str(node.value)) if isinstance(node, ScalarNode) else "…"
            raise _Refused(f"Giá trị «{shown}» không đọc được ({exc}).", node.start_mark) from None

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        for key_node, _value in node.value:
            if key_node.tag != _STR_TAG:
                shown = _preview(key_node.value) if isinstance(key_node, ScalarNode) else "[…]"
                raise _Refused(
                    f"Khóa «{shown}» không phải tên trường bằng chữ (như «number:», «name:»). "
                    "Sửa lại khóa, hoặc đặt nó trong dấu ngoặc kép nếu đúng là chữ.",
                    key_node.start_mark,
                )
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_int(self, node: ScalarNode) -> int:
        digits = sum(ch.isdigit() for ch in node.value)
        if digits > MAX_INT_DIGITS:
            raise _Refused(
                f"Số «{_preview(node.value)}» dài {digits} chữ số, quá {MAX_INT_DIGITS} chữ số. "
                "Nếu đó là chữ (số hiệu, mã), đặt trong dấu ngoặc kép.",
                node.start_mark,
            )
        return super().construct_yaml_int(node)


# types-PyYAML types add_constructor and load for the loaders PyYAML ships, not subclasses.
_DataLoader.add_constructor("tag:yaml.org,2002:int", _DataLoader.construct_yaml_int)  # type: ignore[type-var]
# Dates stay text: "2024-02-30" is then reported by parse_date_value with its field name,
# instead of PyYAML's bare ValueError.
_DataLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP_TAG]
    for first, resolvers in Resolver.yaml_implicit_resolvers.items()
}


class _LineLoader(_DataLoader):
    """The data loader that also records, in every mapping, the line (1-based) where it starts."""


def _construct_mapping(loader: _LineLoader, node: MappingNode) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping[LINE_KEY] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)  # type: ignore[type-var]


def check_size(path: Path, limit: int, what: str = "tệp") -> None:
    """Refuse, before reading it, a file larger than ``limit`` bytes (or a missing one)."""
    if not path.exists():
        raise InputError(f"Không tìm thấy tệp «{path}».")
    if path.is_dir():
        raise InputError(f"«{path}» là một thư mục, cần một tệp.")
    if not path.is_file():  # a device or a pipe: /dev/zero never ends
        raise InputError(f"«{path}» không phải một tệp thông thường; cần một tệp.")
    size = path.stat().st_size
    if size > limit:
        raise _too_big(path, size, limit, what)


def _too_big(path: Path, size: int, limit: int, what: str) -> InputError:
    return InputError(
        f"Tệp «{path.name}» nặng {_megabytes(size)}, quá giới hạn {_megabytes(limit)} của "
        f"{what}. Kiểm tra lại có đúng tệp không, hoặc tách thành nhiều tệp nhỏ hơn."
    )


def _megabytes(size: int) -> str:
    return f"{size / 2**20:.1f} MB".replace(".", ",")


def read_text(path: Path, *, limit: int | None = None, what: str = "tệp") -> str:
    """Read a UTF-8 text file (BOM allowed) as NFC, with a clear error when it is not text;
    a file over ``limit`` bytes is refused unread."""
    check_size(path, limit if limit is not None else 1 << 62, what)
    with path.open("rb") as handle:
        raw = handle.read() if limit is None else handle.read(limit + 1)  # it may have grown
    if limit is not None and len(raw) > limit:
        raise _too_big(path, len(raw), limit, what)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"Tệp «{path}» không phải văn bản UTF-8 (byte lỗi ở vị trí {exc.start}). "
            "Hãy lưu lại tệp với bảng mã UTF-8."
        ) from exc
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n"))


def load_yaml(path: Path, *, lines: bool = True, empty_ok: bool = False) -> Any:
    """Parse a YAML data file with the limits of this module; with ``lines`` every mapping
    carries its line number under ``__line__``. Raises InputError naming the file and line
    (also for an empty file, unless ``empty_ok``: then None)."""
    text = read_text(path, limit=MAX_YAML_BYTES, what="tệp YAML")
    try:
        data = yaml.load(text, Loader=_LineLoader if lines else _DataLoader)  # type: ignore[arg-type]
    except _Refused as exc:
        raise InputError(exc.problem or str(exc), where=_where(path, exc)) from None
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc)
        if "maximum nesting depth" in problem:  # libyaml's own limit (1,000), met first in [[[…
            raise InputError(TOO_DEEP, where=_where(path, exc)) from None
        raise InputError(
            f"YAML không hợp lệ ({problem}). Kiểm tra thụt lề, dấu «:» và dấu ngoặc kép.",
            where=_where(path, exc),
        ) from exc
    if data is None and not empty_ok:
        raise InputError("Tệp rỗng.", where=str(path))
    return data


def _where(path: Path, exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    return f"{path}:{mark.line + 1}" if mark else str(path)


def strip_lines(value: Any) -> Any:
    """Remove the ``__line__`` markers from a loaded YAML value (for storing or printing)."""
    if isinstance(value, dict):
        return {k: strip_lines(v) for k, v in value.items() if k != LINE_KEY}
    if isinstance(value, list):
        return [strip_lines(v) for v in value]
    return value


def load_csv(path: Path) -> list[dict[str, str]]:
    """Read a CSV with a header row; each row gets its line number under ``__line__``."""
    text = read_text(path, limit=MAX_CSV_BYTES, what="tệp CSV")
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


def check_year(year: int, what: str) -> None:
    """Refuse a year outside 1900–2200: no directive is that old or that far ahead, and
    date arithmetic near year 1 or 9999 overflows."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InputError(
            f"{what}: năm {year} không hợp lệ (phải trong khoảng {MIN_YEAR}–{MAX_YEAR})."
        )


def parse_date_value(value: Any, *, field: str, where: str | None = None) -> date:
    """A date from a date object or text: 2024-08-30 or 30/8/2024, in the years 1900–2200.

    Raises InputError naming the field when the value is not a real date (31/2/2024) or its
    year is out of range.
    """
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        day = date_from_text(str(value or "").strip(), field=field, where=where)
    try:
        check_year(day.year, f"Trường «{field}»")
    except InputError as exc:
        raise InputError(exc.message, where=where) from None
    return day


def date_from_text(text: str, *, field: str, where: str | None = None) -> date:
    """The date written as 2024-08-30 or 30/8/2024 (any year); InputError when it is none."""
    if not text:
        raise InputError(f"Thiếu ngày ở trường «{field}».", where=where)
    m = _DMY.match(text)
    try:
        if m:
            day, month, year = (int(g) for g in m.groups())
            return date(year, month, day)
        if len(text) > 10 and text[:4].isdigit():  # 2024-08-30T10:00 or 2024-08-30 10:00:00
            return datetime.fromisoformat(text).date()
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"Trường «{field}»: «{short_text(text, 40)}» không phải ngày có thật. "
            "Ghi dạng 30/8/2024 hoặc 2024-08-30.",
            where=where,
        ) from None


def short_text(text: str, width: int = 60) -> str:
    """Cut a text to ``width`` characters with an ellipsis (for tables and messages)."""
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"
