"""``dondoc notice``, ``dondoc extract`` and ``dondoc follow-up``: registering notices and
starting their follow-up."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from dondoc.cli.common import confirm, console, day_option, err, fail, run
from dondoc.cli.vietnamese import DondocTyper
from dondoc.views import review_table, short
from services.database import ready_session
from services.follow_up import (
    FollowUpStart,
    follow_up_after_registering,
    follow_up_targets,
    start_follow_up_now,
)
from services.notices import (
    Draft,
    Registered,
    draft_document,
    extract_document,
    list_notices,
    register_draft,
    register_notice_yaml,
)
from tasks.errors import InputError
from tasks.reminders import local_time

notice_app = DondocTyper(help="Thông báo, công văn.", no_args_is_help=True)


@notice_app.command("add")
def notice_add(
    file: Annotated[
        Path | None,
        typer.Argument(
            metavar="TỆP",
            help="Văn bản gốc: .docx, .pdf có lớp chữ, .txt hoặc .md (UTF-8), hoặc gói edXML (.edxml) từ hệ thống quản lý văn bản.",
        ),
    ] = None,
    from_file: Annotated[
        Path | None,
        typer.Option(
            "--from", metavar="TỆP.yaml", help="Tệp YAML của thông báo (xem examples/notices/)."
        ),
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Xác nhận không hỏi (dùng trong script).")
    ] = False,
    edit: Annotated[
        bool,
        typer.Option(
            "--edit", help="Mở bản trích xuất (YAML) trong $EDITOR để sửa trước khi đăng ký."
        ),
    ] = False,
    issuer: Annotated[
        str | None,
        typer.Option(
            "--issuer", metavar="CƠ_QUAN", help="Cơ quan ban hành, khi văn bản không ghi rõ."
        ),
    ] = None,
    issued_on: Annotated[
        str | None,
        typer.Option(
            "--issued-on", metavar="NGÀY", help="Ngày ban hành, khi văn bản để trống ngày."
        ),
    ] = None,
) -> None:
    """Đăng ký thông báo: đọc văn bản gốc, cho xem lại các nhiệm vụ rồi lưu; hoặc từ tệp YAML (--from)."""
    if (file is None) == (from_file is None):
        fail("Cần đúng một nguồn: TỆP văn bản gốc, hoặc --from TỆP.yaml.")

    def go_yaml() -> None:
        assert from_file is not None
        with ready_session() as session:
            registered = register_notice_yaml(session=session, path=from_file)
        _registered(registered)

    if from_file is not None:
        run(go_yaml)
        return
    assert file is not None
    run(lambda: _add_document(file, yes=yes, edit=edit, issuer=issuer, issued_on=issued_on))


def _add_document(
    file: Path, *, yes: bool, edit: bool, issuer: str | None, issued_on: str | None
) -> None:
    """Extract, show for review, confirm (or edit), then store in one transaction."""
    draft = draft_document(
        path=file,
        issuer=issuer,
        issued_on=day_option(issued_on, "--issued-on") if issued_on else None,
    )
    console.print(review_table(draft.extraction, file.name))
    if flagged := draft.flagged:
        console.print(f"[yellow]{flagged} nhiệm vụ cần xem lại (in trước trong bảng).[/]")
    mapping = draft.mapping
    if edit:
        mapping = _edit_mapping(draft)
    else:
        draft.require_header()
        if not yes and not confirm("Đăng ký thông báo này?"):
            console.print("Chưa đăng ký gì.")
            raise typer.Exit(1)
    with ready_session() as session:
        registered = register_draft(session=session, draft=draft, mapping=mapping)
    _registered(registered)


def _edit_mapping(draft: Draft) -> dict[str, Any]:
    """Write the extraction as YAML, open it in $EDITOR, read back the clerk's version."""
    import tempfile

    import click
    import yaml

    from tasks.fileio import load_yaml, strip_lines

    stem = draft.source.stem
    with tempfile.NamedTemporaryFile(
        "w", suffix=".yaml", prefix=f"{stem}-", delete=False, encoding="utf-8"
    ) as handle:
        handle.write(
            f"# Sửa bản trích xuất của «{draft.file_name}», lưu và đóng trình soạn thảo để đăng ký.\n"
        )
        yaml.safe_dump(draft.mapping, handle, allow_unicode=True, sort_keys=False, width=100)
        path = Path(handle.name)
    try:
        click.edit(filename=str(path))  # $VISUAL or $EDITOR
    except click.ClickException as exc:
        raise InputError(
            f"Không mở được trình soạn thảo ({exc.message}); chưa đăng ký gì. Tệp: {path}"
        ) from exc
    edited = load_yaml(path)
    if not isinstance(edited, dict):
        raise InputError("Tệp sau khi sửa phải là một bảng khóa: giá trị.", where=str(path))
    path.unlink(missing_ok=True)
    return strip_lines(edited)


def _registered(registered: Registered) -> None:
    console.print(
        f"Đã đăng ký thông báo {registered.number or '(chưa có số)'} ngày "
        f"{registered.issued_on:%d/%m/%Y}: {registered.directives} nhiệm vụ, "
        f"{registered.assignments} lượt giao cho đơn vị."
    )
    _say(follow_up_after_registering(notice_id=registered.notice_id, number=registered.number))


def _say(start: FollowUpStart) -> None:
    if start.ok:
        console.print(start.text)
    else:  # plain text (it quotes an error), never markup
        err.print(f"[yellow]Chú ý:[/] {escape(start.text)}", highlight=False, soft_wrap=True)


def follow_up(
    notice: Annotated[
        str | None,
        typer.Argument(
            metavar="THÔNG_BÁO",
            help="Số (54/TB-VP) hoặc mã của thông báo; bỏ trống: mọi thông báo còn chờ.",
        ),
    ] = None,
) -> None:
    """Lập kế hoạch nhắc việc cho các thông báo còn chờ (đăng ký khi tắt theo dõi, hoặc bị lỗi giữa chừng)."""

    def go() -> None:
        with ready_session() as session:
            found = follow_up_targets(session=session, ref=notice)
        if found.done_number is not None:
            at = local_time(found.done_at) if found.done_at else None
            console.print(
                f"Thông báo {found.done_number} đã được lập kế hoạch nhắc việc "
                f"lúc {at:%d/%m/%Y %H:%M}; không có gì phải làm."
            )
            return
        if not found.targets:
            console.print("Không có thông báo nào đang chờ lập kế hoạch nhắc việc.")
            return
        for notice_id, number in found.targets:
            console.print(f"Thông báo {number or notice_id}:")
            _say(start_follow_up_now(notice_id=notice_id, number=number))

    run(go)


def extract(
    file: Annotated[
        Path,
        typer.Argument(
            metavar="TỆP",
            help="Văn bản: .docx, .pdf có lớp chữ, .txt hoặc .md (UTF-8), hoặc gói edXML (.edxml).",
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="In JSON cho máy đọc.")] = False,
) -> None:
    """Đọc một văn bản và in các nhiệm vụ trích xuất được (không lưu gì)."""

    def go() -> None:
        extraction = extract_document(path=file)
        if as_json:
            typer.echo(json.dumps(extraction.to_json(), ensure_ascii=False, indent=2))
        elif not extraction.directives:
            console.print(
                f"Không tìm thấy nhiệm vụ nào trong «{file.name}» (tin bài, báo cáo kết quả, "
                "hay văn bản chỉ có phần căn cứ?)."
            )
        else:
            console.print(review_table(extraction, file.name))

    run(go)


@notice_app.command("list")
def notice_list() -> None:
    """Danh sách thông báo đã đăng ký."""

    def go() -> None:
        with ready_session() as session:
            notices = list_notices(session=session)
        table = Table("Mã", "Số", "Ngày", "Cơ quan ban hành", "Trích yếu", "Nhiệm vụ", "Nhắc việc")
        for n in notices:
            table.add_row(
                str(n.id),
                n.number or "—",
                f"{n.issued_on:%d/%m/%Y}",
                n.issuer,
                short(n.title, 60),
                str(n.directives),
                "đã lập" if n.followed_up else "[yellow]chờ lập[/]",
            )
        console.print(table)

    run(go)
