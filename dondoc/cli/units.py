"""``dondoc units``: the unit directory."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.tree import Tree

from dondoc.cli.common import console, run
from dondoc.cli.vietnamese import DondocTyper
from services.database import ready_session
from services.units import import_units, list_units

units_app = DondocTyper(help="Danh mục đơn vị.", no_args_is_help=True)


@units_app.command("import")
def units_import(
    file: Annotated[Path, typer.Argument(metavar="TỆP", help="Tệp danh mục .yaml hoặc .csv.")],
) -> None:
    """Nhập danh mục đơn vị; nhập lại sẽ cập nhật theo mã, không tạo trùng."""

    def go() -> None:
        with ready_session() as session:
            report = import_units(session=session, path=file)
        console.print(
            f"Đã nhập «{file.name}»: {report.created} đơn vị mới, {report.updated} cập nhật, "
            f"{report.unchanged} không đổi; {report.groups_created} nhóm mới, "
            f"{report.groups_updated} nhóm cập nhật."
        )

    run(go)


@units_app.command("list")
def units_list(
    as_json: Annotated[bool, typer.Option("--json", help="In JSON cho máy đọc.")] = False,
) -> None:
    """Xem danh mục đơn vị dạng cây."""

    def go() -> None:
        with ready_session() as session:
            listing = list_units(session=session)
        if as_json:
            typer.echo(json.dumps(listing.to_json(), ensure_ascii=False, indent=2))
            return
        if not listing.units:
            console.print("Danh mục trống. Nhập bằng «dondoc units import TỆP».")
            return
        root = Tree("[bold]Danh mục đơn vị[/]")
        stack: list[Tree] = [root]
        for unit in listing.units:
            del stack[unit.depth + 1 :]
            style = "" if unit.active else "[dim]"
            label = f"{style}{unit.name} [cyan]{unit.code}[/] [dim]{unit.kind}[/]"
            stack.append(stack[unit.depth].add(label))
        console.print(root)
        if listing.groups:
            console.print(f"Nhóm: {', '.join(f'{g.name} ({g.code})' for g in listing.groups)}")

    run(go)


from dondoc.cli.unit_links import unit_link  # noqa: E402

units_app.command("link")(unit_link)
