"""Property-based (issue 9): arbitrary notice files, unit files (YAML and CSV) and progress
tables (CSV and XLSX) through the CLI either succeed or end with exit code 2, a message, no
traceback and the database unchanged."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import Integer, create_engine, select
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel
from typer.testing import CliRunner

from dondoc.cli import app
from models.unit import UNIT_KINDS
from tasks.progress_import import COLUMNS
from tests.helpers import MINI_NOTICE, MINI_UNITS, snapshot

runner = CliRunner()
FUZZ = settings(
    max_examples=40,
    deadline=None,
    database=None,  # nothing written into the shared checkout
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
NOTICE = yaml.safe_load(MINI_NOTICE.read_text(encoding="utf-8"))
NOTICE_TEXT = MINI_NOTICE.read_text(encoding="utf-8")


def check(url: str, *args: str) -> None:
    """Success, or a refusal that says why and leaves every table as it was."""
    before = snapshot(url)
    result = runner.invoke(app, list(args))
    event(f"exit code {result.exit_code}")  # --hypothesis-show-statistics: the share refused
    assert result.exit_code in (0, 2), (result.exit_code, result.output, result.exception)
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        assert "Lỗi" in result.output, result.output
        assert snapshot(url) == before, result.output
    else:
        assert_fits_postgresql(url)


def assert_fits_postgresql(url: str) -> None:
    """Every stored value would fit the same column on PostgreSQL: VARCHAR(n) lengths, no NUL
    character in any text, 32-bit INTEGERs (SQLite keeps all of these without a word); and
    every unit contact fits the outbox's recipient column."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            for table in SQLModel.metadata.sorted_tables:
                for row in conn.execute(select(table)).mappings():
                    for column in table.columns:
                        _assert_fits(table.name, column, row[column.name])
                    if table.name == "unit":  # a contact becomes a delivery's recipient
                        contacts = [*row["contacts"], *row["head"].get("contacts", [])]
                        assert all(len(c) <= 500 for c in contacts), contacts
    finally:
        engine.dispose()


def _assert_fits(table: str, column: Any, value: Any) -> None:
    where = f"{table}.{column.name} = {value!r:.80}"
    kind = column.type.impl_instance if isinstance(column.type, TypeDecorator) else column.type
    if isinstance(value, str):
        assert "\x00" not in value, where
        length = getattr(kind, "length", None)
        assert length is None or len(value) <= length, where
    elif isinstance(kind, Integer) and isinstance(value, int):
        assert -(2**31) <= value < 2**31, where
    elif isinstance(value, list | dict):
        assert "\\u0000" not in json.dumps(value), where


@pytest.fixture
def cli_db(app_env: str) -> str:
    for args in (
        ("init",),
        ("units", "import", str(MINI_UNITS)),
        ("notice", "add", "--from", str(MINI_NOTICE)),
    ):
        result = runner.invoke(app, list(args))
        assert result.exit_code == 0, result.output
    return app_env


# --------------------------------------------------------------------------- values

# Text a spreadsheet can hold (XML has no control characters) and text YAML can carry.
CELL_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40)
ANY_TEXT = st.text(max_size=40) | st.text(
    st.sampled_from("\x00\t\n :#&*!|>[]{}'\"%@,-"), max_size=12
)
LONG_TEXT = st.integers(50, 1200).map(lambda n: "Đ" * n)
DAY_TEXT = st.dates(date(1, 1, 1), date(9999, 12, 31)).flatmap(
    lambda d: st.sampled_from([d.isoformat(), f"{d.day}/{d.month}/{d.year}", f"{d:%d/%m/%Y}"])
)
SCALARS = (
    ANY_TEXT
    | LONG_TEXT
    | DAY_TEXT
    | st.integers(-(10**40), 10**40)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.booleans()
    | st.none()
    | st.dates(date(1, 1, 1), date(9999, 12, 31))
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.one_of(ANY_TEXT, st.integers(-3, 3)), inner, max_size=3)
    ),
    max_leaves=8,
)
CONTACTS = st.one_of(
    st.sampled_from(
        [
            "mailto://vanthu@example.gov.vn",
            "mailtos://noivu+a@so.angiang.gov.vn",
            "zalo://oa/2512523625412515",
            "zalo://zns/0912345678?template=231145",
            "zalo://zns/12?template=1",
            "zalo://oa/",
            "http://example.gov.vn",
            "mailto://" + "a" * 600 + "@example.gov.vn",
        ]
    ),
    ANY_TEXT,
    ANY_TEXT.map(lambda t: "mailto://" + t),
    ANY_TEXT.map(lambda t: "zalo://oa/" + t),
    st.tuples(ANY_TEXT, ANY_TEXT).map(lambda p: f"zalo://zns/{p[0]}?template={p[1]}"),
)


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


# --------------------------------------------------------------------------- notices


@st.composite
def mutated_notices(draw: st.DrawFn) -> dict[str, Any]:
    """The mini notice with some fields (its own, a directive's, or new ones) replaced."""
    notice = yaml.safe_load(_dump(NOTICE))
    notice["number"] = draw(st.one_of(st.just(f"{draw(st.integers(100, 10**6))}/TB-VP"), VALUES))
    for key in draw(st.lists(st.sampled_from([*NOTICE, "extra"]), max_size=3)):
        notice[key] = draw(VALUES)
    directives = notice.get("directives")
    if isinstance(directives, list) and directives and isinstance(directives[0], dict):
        for key in draw(st.lists(st.sampled_from([*directives[0], "x"]), max_size=3)):
            directives[0][key] = draw(VALUES | st.lists(ANY_TEXT, max_size=3))
    return notice


@FUZZ
@given(notice=mutated_notices())
def test_mutated_notice_files(cli_db: str, tmp_path: Path, notice: dict[str, Any]) -> None:
    path = tmp_path / "notice.yaml"
    path.write_text(_dump(notice), encoding="utf-8")
    check(cli_db, "notice", "add", "--from", str(path))


RAW_SCALARS = st.one_of(
    st.builds(
        "{:04d}-{:02d}-{:02d}".format,
        st.integers(0, 9999),
        st.integers(0, 13),
        st.integers(0, 32),
    ),
    st.builds("{}/{}/{}".format, st.integers(0, 32), st.integers(0, 13), st.integers(0, 9999)),
    st.integers(1, 90).map(lambda n: "[" * n + "]" * n),
    st.integers(1, 30).map(lambda n: "- " * n + "x"),
    st.integers(20, 5000).map(lambda n: "9" * n),
    st.sampled_from(
        [
            "&a [x, y]",
            "*a",
            "[&b x, *b]",
            "{1: a, b: c}",
            "{a: 1}",
            "[a, b]",
            "[]",
            "{}",
            "yes",
            "~",
            ".nan",
            "-.inf",
            "0x1F",
            "1_000",
            "12:30:00",
            '"a\\0b"',
            "!!binary AAAA",
            "!!timestamp 2024-02-30",
            "!!python/object/apply:os.system [echo]",
            "!!set {a, b}",
            "!!omap [a: 1]",
            "? [a, b]",
        ]
    ),
)
RAW_KEYS = RAW_SCALARS.filter(lambda k: not k.startswith(("- ", "? ")))


def _with_raw_values(text: str, lines: list[tuple[int, str]], key: str | None) -> str:
    """Each chosen «key: value» line of ``text`` gets ``raw`` as its value; ``key`` is added as
    a key of the top mapping or of the first list item."""
    out = text.splitlines()
    keyed = [i for i, line in enumerate(out) if ": " in line]
    for index, raw in lines:
        i = keyed[index % len(keyed)]
        out[i] = out[i].split(": ", 1)[0] + ": " + raw
    if key is not None:
        out.insert(1, f"{key}: x")
        item = next((i for i, line in enumerate(out) if line.startswith("  - ")), None)
        if item is not None:
            out.insert(item + 1, f"    {key}: y")
    return "\n".join(out) + "\n"


UNITS_TEXT = """units:
  - code: F
    name: Phòng Thử nghiệm
    kind: department
    parent: T-A
    aliases: [Phòng TN]
    contacts: ["mailto://tn@example.gov.vn"]
    head: {name: Trưởng phòng, contacts: ["zalo://oa/1"]}
    active: true
    children:
      - {code: F-1, name: Tổ một, kind: office}
groups:
  - {code: G-F, name: các tổ thử nghiệm, scope: F, member_kinds: [office], members: [F-1]}
"""


RAW_TARGETS = {
    "notice": (NOTICE_TEXT.replace("12/TB-VP", "98/TB-VP"), ("notice", "add", "--from")),
    "units": (UNITS_TEXT, ("units", "import")),
}


@pytest.mark.parametrize("target", sorted(RAW_TARGETS))
@FUZZ
@given(
    lines=st.lists(st.tuples(st.integers(0, 40), RAW_SCALARS), min_size=1, max_size=3),
    key=st.none() | RAW_KEYS,
)
def test_fields_written_raw(
    cli_db: str, tmp_path: Path, target: str, lines: list[tuple[int, str]], key: str | None
) -> None:
    """Values written by hand, unquoted, in a notice or a unit file: impossible dates, huge
    numbers, deep brackets, aliases, tags, non-text keys."""
    template, command = RAW_TARGETS[target]
    path = tmp_path / f"{target}.yaml"
    path.write_text(_with_raw_values(template, lines, key), encoding="utf-8")
    check(cli_db, *command, str(path))


YAML_NOISE = st.text(st.sampled_from("[]{}:&*!|>-#'\"%@,?~ \n\t\\0123abcĐ"), min_size=1, max_size=8)


@FUZZ
@given(
    edits=st.lists(
        st.tuples(st.integers(0, len(NOTICE_TEXT)), st.integers(0, 6), YAML_NOISE),
        min_size=1,
        max_size=4,
    )
)
def test_notice_text_with_noise(
    cli_db: str, tmp_path: Path, edits: list[tuple[int, int, str]]
) -> None:
    text = NOTICE_TEXT.replace("12/TB-VP", "99/TB-VP")
    for at, cut, noise in edits:
        text = text[:at] + noise + text[at + cut :]
    path = tmp_path / "notice.yaml"
    path.write_text(text, encoding="utf-8")
    check(cli_db, "notice", "add", "--from", str(path))


# --------------------------------------------------------------------------- unit files

CODES = st.one_of(st.from_regex(r"[A-Z][A-Z0-9-]{0,8}", fullmatch=True), ANY_TEXT, LONG_TEXT)


@st.composite
def unit_rows(draw: st.DrawFn) -> list[dict[str, Any]]:
    rows = []
    for _ in range(draw(st.integers(1, 4))):
        rows.append(
            {
                "code": draw(CODES),
                "name": draw(st.one_of(st.just("Phòng Thử nghiệm"), ANY_TEXT, LONG_TEXT)),
                "kind": draw(st.sampled_from([*UNIT_KINDS, "moon", ""])),
                "parent": draw(st.sampled_from([None, "T", "T-A", "NOPE"]) | CODES),
                "aliases": draw(st.lists(ANY_TEXT, max_size=2)),
                "contacts": draw(st.lists(CONTACTS, max_size=2)),
                "head": {"name": draw(ANY_TEXT), "contacts": draw(st.lists(CONTACTS, max_size=1))},
            }
        )
    return rows


@FUZZ
@given(rows=unit_rows(), extra=st.none() | VALUES)
def test_unit_yaml_files(
    cli_db: str, tmp_path: Path, rows: list[dict[str, Any]], extra: Any
) -> None:
    if extra is not None:
        rows[0]["active"] = extra
    path = tmp_path / "units.yaml"
    path.write_text(_dump({"units": rows}), encoding="utf-8")
    check(cli_db, "units", "import", str(path))


@FUZZ
@given(rows=unit_rows())
def test_unit_csv_files(cli_db: str, tmp_path: Path, rows: list[dict[str, Any]]) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["code", "name", "kind", "parent", "aliases", "contacts", "head_contacts"])
    for r in rows:
        writer.writerow(
            [
                r["code"],
                r["name"],
                r["kind"],
                r["parent"] or "",
                " | ".join(r["aliases"]),
                " | ".join(r["contacts"]),
                " | ".join(r["head"]["contacts"]),
            ]
        )
    path = tmp_path / "units.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    check(cli_db, "units", "import", str(path))


# --------------------------------------------------------------------------- progress tables

HEADERS = st.lists(
    st.sampled_from([names[0] for names in COLUMNS.values()]) | CELL_TEXT, min_size=1, max_size=6
)
GOOD_HEADER = ["Mã nhiệm vụ", "Trạng thái", "Ngày", "Ghi chú", "Tài liệu kiểm chứng", "Kỳ"]
CELLS = st.one_of(
    st.integers(-5, 12),
    st.integers(-(10**15), 10**15),
    st.sampled_from(["done", "hoàn thành", "đang thực hiện", "xong", "2024-06", "2024-Q2"]),
    DAY_TEXT,
    CELL_TEXT,
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=900, max_size=1100),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.none(),
)
XLSX_CELLS = CELLS | st.datetimes(datetime(1900, 3, 1), datetime(9999, 12, 31))
GOOD_ROW = st.tuples(
    st.integers(1, 7),
    st.sampled_from(["done", "đang thực hiện"]),
    st.dates(date(2024, 6, 3), date(2024, 12, 31)).map(lambda d: f"{d:%d/%m/%Y}"),
).map(list)


def _table(draw: st.DrawFn, cells: st.SearchStrategy[Any]) -> list[list[Any]]:
    """A header and rows drawn with ``data.draw``: hypothesis's DrawFn protocol declares a
    ``__signature__`` that a bound DataObject.draw lacks, hence the ignores at the calls."""
    header = draw(st.just(GOOD_HEADER) | HEADERS)
    width = len(header)
    rows = draw(
        st.lists(GOOD_ROW | st.lists(cells, min_size=1, max_size=width + 1), min_size=1, max_size=5)
    )
    return [header, *rows]


@FUZZ
@given(data=st.data())
def test_progress_csv_tables(cli_db: str, tmp_path: Path, data: st.DataObject) -> None:
    table = _table(data.draw, CELLS)  # type: ignore[arg-type]  # see _table
    delimiter = data.draw(st.sampled_from([",", ";", "\t"]))
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(
        [["" if c is None else c for c in row] for row in table]
    )
    path = tmp_path / "tien-do.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    check(cli_db, "progress", "import", str(path))


@FUZZ
@given(data=st.data())
def test_progress_xlsx_tables(cli_db: str, tmp_path: Path, data: st.DataObject) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in _table(data.draw, XLSX_CELLS):  # type: ignore[arg-type]  # see _table
        sheet.append(row)
    path = tmp_path / "tien-do.xlsx"
    workbook.save(path)
    check(cli_db, "progress", "import", str(path))
