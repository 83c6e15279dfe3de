"""The command line: parses options and calls the core functions in tasks/."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import httpx
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree
from sqlalchemy.exc import DataError, IntegrityError, OperationalError, ProgrammingError
from sqlmodel import Session, select

from dondoc.settings import get_settings
from dondoc.views import short
from models.db import (
    check_actor,
    current_revision,
    get_engine,
    head_revision,
    session_scope,
    set_actor,
)
from tasks.errors import DondocError, InputError
from tasks.fileio import parse_date_value

app = typer.Typer(
    help="dondoc – theo dõi, đôn đốc thực hiện nhiệm vụ trong thông báo kết luận và công văn.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
units_app = typer.Typer(help="Danh mục đơn vị.", no_args_is_help=True)
notice_app = typer.Typer(help="Thông báo, công văn.", no_args_is_help=True)
assignment_app = typer.Typer(help="Tiến độ nhiệm vụ của từng đơn vị.", no_args_is_help=True)
extension_app = typer.Typer(help="Quyết định đề nghị gia hạn.", no_args_is_help=True)
app.add_typer(units_app, name="units")
app.add_typer(notice_app, name="notice")
app.add_typer(assignment_app, name="assignment")
app.add_typer(extension_app, name="extension")
from dondoc.cli_progress import progress_app  # noqa: E402

app.add_typer(progress_app, name="progress")

console = Console()
if not console.is_terminal:  # logs and pipes: wide enough for the status table
    console = Console(width=140)
err = Console(stderr=True)
T = TypeVar("T")


def _fail(message: str, code: int = 2) -> None:
    # The message is plain text (a file name or a cell may hold "[…]"), never markup.
    err.print(f"[bold red]Lỗi:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@contextmanager
def _errors_to_messages() -> Iterator[None]:
    """Turn domain and database errors into one clear message and a non-zero exit."""
    try:
        yield
    except DondocError as exc:
        _fail(str(exc), exc.exit_code)
    except IntegrityError as exc:
        _fail(f"Dữ liệu vi phạm ràng buộc, không ghi gì: {exc.orig}")
    except DataError as exc:  # a value the server refuses that models/limits.py did not catch
        _fail(f"Cơ sở dữ liệu từ chối một giá trị, không ghi gì: {exc.orig}")
    except (OperationalError, ProgrammingError) as exc:
        _fail(
            f"Không dùng được cơ sở dữ liệu ({exc.orig}). Kiểm tra DONDOC_DATABASE_URL "
            "và chạy «dondoc init»."
        )
    except RuntimeError as exc:
        if "ephemeral Prefect API server" not in str(exc):
            raise
        _fail(
            "Máy chủ Prefect tạm thời không khởi động kịp (máy đang bận?). Chạy lại lệnh; nếu "
            "vẫn vậy, tăng PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS (mặc định của dondoc "
            "120 giây), hoặc để «dondoc serve» chạy và đặt PREFECT_API_URL=http://127.0.0.1:4200/api."
        )
    except httpx.TransportError as exc:  # PREFECT_API_URL set, the server not answering
        _fail(
            f"Không kết nối được máy chủ Prefect ({exc}). Kiểm tra PREFECT_API_URL và máy chủ "
            "(«prefect server start» hoặc «dondoc serve»)."
        )


def _ready_session() -> Any:
    """A transaction on an initialised, up-to-date database."""
    engine = get_engine()
    revision = current_revision(engine)
    if revision != head_revision():
        raise InputError(
            "Cơ sở dữ liệu chưa được khởi tạo hoặc chưa cập nhật. Chạy «dondoc init» trước."
        )
    return session_scope(engine)


def _date(value: str | None, option: str, default: date | None = None) -> date:
    if value is None:
        if default is None:
            raise InputError(f"Thiếu {option}.")
        return default
    return parse_date_value(value, field=option)


def _run(fn: Callable[[], T]) -> T:
    with _errors_to_messages():
        return fn()
    raise AssertionError("unreachable")


@app.callback()
def _main(
    actor: Annotated[
        str | None, typer.Option("--actor", help="Tên người thao tác, ghi vào nhật ký.")
    ] = None,
) -> None:
    if actor is not None:
        _run(lambda: check_actor(actor, "--actor"))
    set_actor(actor)


@app.command()
def init() -> None:
    """Tạo hoặc nâng cấp cơ sở dữ liệu lên phiên bản mới nhất."""
    from models.db import upgrade_database

    def go() -> None:
        settings = get_settings()
        revision = upgrade_database()
        where = settings.database_url and get_engine().url.render_as_string(hide_password=True)
        console.print(
            f"Cơ sở dữ liệu sẵn sàng (phiên bản {revision}): {where or settings.resolved_database_url}"
        )

    _run(go)


# ----------------------------------------------------------------------------- units


@units_app.command("import")
def units_import(
    file: Annotated[Path, typer.Argument(help="Tệp danh mục .yaml hoặc .csv.")],
) -> None:
    """Nhập danh mục đơn vị; nhập lại sẽ cập nhật theo mã, không tạo trùng."""
    from tasks.units import import_directory

    def go() -> None:
        with _ready_session() as session:
            report = import_directory(session=session, path=file)
        console.print(
            f"Đã nhập «{file.name}»: {report.created} đơn vị mới, {report.updated} cập nhật, "
            f"{report.unchanged} không đổi; {report.groups_created} nhóm mới, "
            f"{report.groups_updated} nhóm cập nhật."
        )

    _run(go)


@units_app.command("list")
def units_list(
    as_json: Annotated[bool, typer.Option("--json", help="In JSON cho máy đọc.")] = False,
) -> None:
    """Xem danh mục đơn vị dạng cây."""
    from models.unit import UnitGroup
    from tasks.units import unit_tree

    def go() -> None:
        with _ready_session() as session:
            rows = unit_tree(session=session)
            groups = session.exec(select(UnitGroup).order_by(UnitGroup.code)).all()
        if as_json:
            payload = [
                {
                    "code": u.code,
                    "name": u.name,
                    "kind": u.kind,
                    "depth": d,
                    "aliases": u.aliases,
                    "contacts": u.contacts,
                    "active": u.active,
                }
                for d, u in rows
            ]
            typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        if not rows:
            console.print("Danh mục trống. Nhập bằng «dondoc units import TỆP».")
            return
        root = Tree("[bold]Danh mục đơn vị[/]")
        stack: list[Tree] = [root]
        for depth, unit in rows:
            del stack[depth + 1 :]
            style = "" if unit.active else "[dim]"
            label = f"{style}{unit.name} [cyan]{unit.code}[/] [dim]{unit.kind}[/]"
            stack.append(stack[depth].add(label))
        console.print(root)
        if groups:
            console.print(f"Nhóm: {', '.join(f'{g.name} ({g.code})' for g in groups)}")

    _run(go)


# ----------------------------------------------------------------------------- notices


@notice_app.command("add")
def notice_add(
    file: Annotated[
        Path | None,
        typer.Argument(help="Văn bản gốc: .docx, .pdf có lớp chữ, hoặc .txt (UTF-8)."),
    ] = None,
    from_file: Annotated[
        Path | None, typer.Option("--from", help="Tệp YAML của thông báo (xem examples/notices/).")
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
        str | None, typer.Option("--issuer", help="Cơ quan ban hành, khi văn bản không ghi rõ.")
    ] = None,
    issued_on: Annotated[
        str | None, typer.Option("--issued-on", help="Ngày ban hành, khi văn bản để trống ngày.")
    ] = None,
) -> None:
    """Đăng ký thông báo: đọc văn bản gốc, cho xem lại các nhiệm vụ rồi lưu; hoặc từ tệp YAML (--from)."""
    from tasks.notices import register_notice_file

    if (file is None) == (from_file is None):
        _fail("Cần đúng một nguồn: TỆP văn bản gốc, hoặc --from TỆP.yaml.")

    def go_yaml() -> None:
        assert from_file is not None
        with _ready_session() as session:
            notice = register_notice_file(session=session, path=from_file)
            n_directives, n_assignments = _notice_counts(session, notice.id)
        _registered(notice, n_directives, n_assignments)

    if from_file is not None:
        _run(go_yaml)
        return
    assert file is not None
    _run(lambda: _add_document(file, yes=yes, edit=edit, issuer=issuer, issued_on=issued_on))


def _registered(notice: Any, n_directives: int, n_assignments: int) -> None:
    console.print(
        f"Đã đăng ký thông báo {notice.number or '(chưa có số)'} ngày {notice.issued_on:%d/%m/%Y}: "
        f"{n_directives} nhiệm vụ, {n_assignments} lượt giao cho đơn vị."
    )
    if get_settings().follow_up:
        _follow_up_now(notice.id, notice.number)
    else:
        console.print(
            "Kế hoạch nhắc việc sẽ được lập ở lần nhắc việc tới (DONDOC_FOLLOW_UP=false), "
            "hoặc ngay bây giờ bằng «dondoc follow-up»."
        )


def _follow_up_now(notice_id: int, number: str | None) -> None:
    """Follow the notice up: on a Prefect server with the follow-up deployment, a run for the
    work pool; otherwise the flow here. The notice is already stored as "pending": a failure
    here loses nothing, and says what happens next."""
    from flows.reminders import start_follow_up, submit_follow_up

    try:
        submitted = submit_follow_up(notice_id)
        if submitted:
            console.print(
                f"Theo dõi: đã gửi lượt «{submitted}» cho máy chủ Prefect; một worker sẽ lập kế "
                "hoạch nhắc việc và gửi thư giao việc."
            )
            return
        result = start_follow_up(notice_id)
    except Exception as exc:  # the server did not start, the network, anything: nothing is lost
        ref = number or str(notice_id)
        err.print(
            f"[yellow]Chú ý:[/] thông báo đã được lưu, nhưng chưa lập được kế hoạch nhắc việc "
            f"({escape(type(exc).__name__)}: {escape(str(exc).splitlines()[0] if str(exc) else '')}). "
            f"Lần nhắc việc tới sẽ tự lập; hoặc chạy lại «dondoc follow-up {escape(ref)}».",
            highlight=False,
            soft_wrap=True,
        )
        return
    console.print(
        f"Theo dõi: {result['planned']} mốc nhắc việc đã lập; thư giao việc: {result['sent']} đã gửi, "
        f"{result['retry']} chờ gửi lại"
        + (f" ({result['skipped']})" if result.get("skipped") else "")
        + "."
    )


@app.command("follow-up")
def follow_up(
    notice: Annotated[
        str | None,
        typer.Argument(help="Số (54/TB-VP) hoặc mã của thông báo; bỏ trống: mọi thông báo còn chờ."),
    ] = None,
) -> None:
    """Lập kế hoạch nhắc việc cho các thông báo còn chờ (đăng ký khi tắt theo dõi, hoặc bị lỗi giữa chừng)."""
    from tasks.follow_up import find_notice, pending_notices
    from tasks.reminders import local_time

    def go() -> None:
        with _ready_session() as session:
            if notice is None:
                targets = pending_notices(session=session)
            else:
                found = find_notice(session=session, ref=notice)
                if found.follow_up == "done":
                    console.print(
                        f"Thông báo {found.number or found.id} đã được lập kế hoạch nhắc việc "
                        f"lúc {local_time(found.followed_up_at):%d/%m/%Y %H:%M}; không có gì phải làm."
                    )
                    return
                targets = [(found.id, found.number)]
        if not targets:
            console.print("Không có thông báo nào đang chờ lập kế hoạch nhắc việc.")
            return
        for notice_id, number in targets:
            console.print(f"Thông báo {number or notice_id}:")
            _follow_up_now(notice_id, number)

    _run(go)


def _add_document(
    file: Path, *, yes: bool, edit: bool, issuer: str | None, issued_on: str | None
) -> None:
    """Extract, show for review, confirm (or edit), then store in one transaction."""
    from dondoc.views import review_table
    from tasks.extract import annotate, extract_blocks, needs_review
    from tasks.fileio import load_yaml
    from tasks.notices import extraction_to_mapping, register_document
    from tasks.readers import read_document
    from tasks.units import Directory

    document = read_document(file)
    extraction = extract_blocks(document.blocks)
    issued = _date(issued_on, "--issued-on") if issued_on else None
    if issuer:
        extraction.issuer = issuer
    with _ready_session() as session:
        annotate(extraction, Directory.load(session))
    if not extraction.directives:
        raise InputError(
            f"Không tìm thấy nhiệm vụ nào trong «{file.name}». Nếu văn bản có nhiệm vụ, ghi tay "
            "tệp YAML (xem examples/notices/) và dùng --from."
        )
    console.print(review_table(extraction, file.name))
    flagged = sum(needs_review(d) for d in extraction.directives)
    if flagged:
        console.print(f"[yellow]{flagged} nhiệm vụ cần xem lại (in trước trong bảng).[/]")
    mapping = extraction_to_mapping(extraction, issuer=issuer, issued_on=issued)
    if not edit:
        _require_header(mapping, extraction, file)
    if edit:
        mapping = _edit_mapping(mapping, file, load_yaml)
    elif not yes and not typer.confirm("Đăng ký thông báo này?", default=False):
        console.print("Chưa đăng ký gì.")
        raise typer.Exit(1)
    settings = get_settings()
    with _ready_session() as session:
        notice = register_document(
            session=session,
            mapping=mapping,
            source=file,
            sha256=document.sha256,
            data_dir=settings.ensure_data_dir(),
        )
        n_directives, n_assignments = _notice_counts(session, notice.id)
    _registered(notice, n_directives, n_assignments)


def _require_header(mapping: dict[str, Any], extraction: Any, file: Path) -> None:
    """A notice needs its issue date and issuer; say how to give them when the document lacks them."""
    missing = []
    if mapping["issued_on"] is None:
        year = f" (chỉ ghi năm {extraction.year})" if extraction.year else ""
        missing.append(f"không ghi đủ ngày ban hành{year}: thêm --issued-on NGÀY")
    if not mapping["issuer"]:
        missing.append('không đọc được cơ quan ban hành: thêm --issuer "UBND huyện …"')
    if missing:
        raise InputError(
            f"Văn bản «{file.name}» {'; '.join(missing)}; hoặc dùng --edit để sửa bản trích xuất. "
            "Chưa đăng ký gì."
        )


def _edit_mapping(
    mapping: dict[str, Any], file: Path, load_yaml: Callable[[Path], Any]
) -> dict[str, Any]:
    """Write the extraction as YAML, open it in $EDITOR, read back the clerk's version."""
    import tempfile

    import yaml

    from tasks.fileio import strip_lines

    with tempfile.NamedTemporaryFile(
        "w", suffix=".yaml", prefix=f"{file.stem}-", delete=False, encoding="utf-8"
    ) as handle:
        handle.write(
            f"# Sửa bản trích xuất của «{file.name}», lưu và đóng trình soạn thảo để đăng ký.\n"
        )
        yaml.safe_dump(mapping, handle, allow_unicode=True, sort_keys=False, width=100)
        path = Path(handle.name)
    import click

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


@app.command()
def extract(
    file: Annotated[Path, typer.Argument(help="Văn bản: .docx, .pdf có lớp chữ, hoặc .txt.")],
    as_json: Annotated[bool, typer.Option("--json", help="In JSON cho máy đọc.")] = False,
) -> None:
    """Đọc một văn bản và in các nhiệm vụ trích xuất được (không lưu gì)."""
    from dondoc.views import review_table
    from tasks.extract import annotate, extract_blocks
    from tasks.readers import read_document

    def go() -> None:
        document = read_document(file)
        extraction = extract_blocks(document.blocks)
        annotate(extraction, _directory_if_ready())
        if as_json:
            typer.echo(json.dumps(extraction.to_json(), ensure_ascii=False, indent=2))
        elif not extraction.directives:
            console.print(
                f"Không tìm thấy nhiệm vụ nào trong «{file.name}» (tin bài, báo cáo kết quả, "
                "hay văn bản chỉ có phần căn cứ?)."
            )
        else:
            console.print(review_table(extraction, file.name))

    _run(go)


def _directory_if_ready() -> Any:
    """The unit directory when a database is set up, else None (extraction works without)."""
    from tasks.units import Directory

    try:
        engine = get_engine()
        if current_revision(engine) != head_revision():
            return None
        with session_scope(engine) as session:
            return Directory.load(session)
    except (OperationalError, ProgrammingError):
        return None


def _notice_counts(session: Session, notice_id: int | None) -> tuple[int, int]:
    from sqlalchemy import func

    from models.notice import Assignment, Directive

    directives = session.exec(
        select(func.count()).select_from(Directive).where(Directive.notice_id == notice_id)
    ).one()
    assignments = session.exec(
        select(func.count())
        .select_from(Assignment)
        .join(Directive, Directive.id == Assignment.directive_id)
        .where(Directive.notice_id == notice_id)
    ).one()
    return directives, assignments


@notice_app.command("list")
def notice_list() -> None:
    """Danh sách thông báo đã đăng ký."""
    from models.notice import Notice

    def go() -> None:
        with _ready_session() as session:
            notices = session.exec(select(Notice).order_by(Notice.issued_on, Notice.id)).all()
            table = Table(
                "Mã", "Số", "Ngày", "Cơ quan ban hành", "Trích yếu", "Nhiệm vụ", "Nhắc việc"
            )
            for n in notices:
                d, _a = _notice_counts(session, n.id)
                table.add_row(
                    str(n.id),
                    n.number or "—",
                    f"{n.issued_on:%d/%m/%Y}",
                    n.issuer,
                    short(n.title, 60),
                    str(d),
                    "đã lập" if n.follow_up == "done" else "[yellow]chờ lập[/]",
                )
        console.print(table)

    _run(go)


# ----------------------------------------------------------------------------- status


@app.command()
def status(
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="Tính đến ngày (30/8/2024 hoặc 2024-08-30); mặc định hôm nay."
        ),
    ] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="Chỉ một đơn vị (mã).")] = None,
    notice: Annotated[str | None, typer.Option("--notice", help="Chỉ một thông báo (số).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="In JSON cho máy đọc.")] = False,
) -> None:
    """Tình hình thực hiện nhiệm vụ tính đến một ngày, theo sáu nhóm trạng thái."""
    from dondoc.views import print_status
    from tasks.status import CATEGORIES, compute_status, count_by_status

    def go() -> None:
        day = _date(as_of, "--as-of", default=date.today())
        with _ready_session() as session:
            rows = compute_status(
                session=session,
                as_of=day,
                unit_code=unit,
                notice_number=notice,
                due_soon_days=get_settings().due_soon_days,
            )
        counts = count_by_status(rows)
        if as_json:
            payload = {
                "as_of": day.isoformat(),
                "counts": counts,
                "labels": {c.key: c.label for c in CATEGORIES},
                "assignments": [r.to_json() for r in rows],
            }
            typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        print_status(
            console, rows, counts, f"Tình hình thực hiện nhiệm vụ tính đến ngày {day:%d/%m/%Y}"
        )

    _run(go)


# ----------------------------------------------------------------------------- progress


class ProgressState(StrEnum):
    in_progress = "in_progress"
    done = "done"


@assignment_app.command("update")
def assignment_update(
    assignment_id: Annotated[
        int, typer.Argument(help="Mã nhiệm vụ giao (cột «Mã» của dondoc status).")
    ],
    state: Annotated[ProgressState, typer.Option("--status", help="in_progress hoặc done.")],
    on: Annotated[
        str | None, typer.Option("--on", help="Ngày báo cáo/hoàn thành; mặc định hôm nay.")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="Ghi chú tiến độ.")] = None,
    evidence: Annotated[
        str | None, typer.Option("--evidence", help="Tài liệu kiểm chứng: đường dẫn tệp hoặc URL.")
    ] = None,
    period: Annotated[
        str | None,
        typer.Option(
            "--period",
            help="Nhiệm vụ định kỳ: kỳ được báo cáo (2024-06, 2024-Q2 hoặc 2024); "
            "mặc định kỳ chứa ngày --on.",
        ),
    ] = None,
) -> None:
    """Ghi nhận tiến độ hoặc hoàn thành của một đơn vị."""
    from models.db import current_actor
    from tasks.progress import record_progress

    def go() -> None:
        day = _date(on, "--on", default=date.today())
        with _ready_session() as session:
            update = record_progress(
                session=session,
                assignment_id=assignment_id,
                state=state.value,
                on=day,
                note=note,
                evidence=evidence,
                recorded_by=current_actor(),
                period=period,
            )
            key = update.period
        word = "hoàn thành" if state is ProgressState.done else "đang thực hiện"
        of = f" kỳ {key}" if key else ""
        console.print(f"Đã ghi nhận nhiệm vụ giao {assignment_id}{of}: {word} ngày {day:%d/%m/%Y}.")

    _run(go)


@assignment_app.command("extend")
def assignment_extend(
    assignment_id: Annotated[int, typer.Argument(help="Mã nhiệm vụ giao.")],
    to: Annotated[str, typer.Option("--to", help="Hạn mới đề nghị (30/9/2024).")],
    reason: Annotated[str, typer.Option("--reason", help="Lý do xin gia hạn.")],
) -> None:
    """Lập đề nghị gia hạn cho một nhiệm vụ giao (chờ lãnh đạo duyệt)."""
    from tasks.progress import request_extension

    def go() -> None:
        day = _date(to, "--to")
        with _ready_session() as session:
            request = request_extension(
                session=session, assignment_id=assignment_id, to=day, reason=reason
            )
        console.print(
            f"Đã lập đề nghị gia hạn số {request.id} đến {day:%d/%m/%Y}. "
            f"Duyệt: «dondoc extension approve {request.id}»."
        )

    _run(go)


def _decide(extension_id: int, approve: bool, on: str | None, note: str | None) -> None:
    from models.db import current_actor
    from tasks.progress import decide_extension

    def go() -> None:
        day = _date(on, "--on", default=date.today())
        with _ready_session() as session:
            request = decide_extension(
                session=session,
                extension_id=extension_id,
                approve=approve,
                on=day,
                decided_by=current_actor(),
                note=note,
            )
        if approve:
            console.print(
                f"Đã duyệt gia hạn số {extension_id}: hạn mới {request.approved_due:%d/%m/%Y} "
                f"(hạn cũ {request.previous_due:%d/%m/%Y} vẫn được lưu)."
            )
        else:
            console.print(f"Đã từ chối đề nghị gia hạn số {extension_id}; hạn giữ nguyên.")

    _run(go)


@extension_app.command("approve")
def extension_approve(
    extension_id: Annotated[int, typer.Argument(help="Số đề nghị gia hạn.")],
    on: Annotated[
        str | None, typer.Option("--on", help="Ngày quyết định; mặc định hôm nay.")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="Ghi chú của lãnh đạo.")] = None,
) -> None:
    """Duyệt đề nghị gia hạn: đổi hạn thực tế, giữ hạn cũ."""
    _decide(extension_id, True, on, note)


@extension_app.command("reject")
def extension_reject(
    extension_id: Annotated[int, typer.Argument(help="Số đề nghị gia hạn.")],
    on: Annotated[
        str | None, typer.Option("--on", help="Ngày quyết định; mặc định hôm nay.")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="Lý do từ chối.")] = None,
) -> None:
    """Từ chối đề nghị gia hạn; hạn giữ nguyên."""
    _decide(extension_id, False, on, note)


# ----------------------------------------------------------------------------- reminders


def _moment(value: str | None) -> datetime:
    """A date and time in the office's time zone: "26/08/2024 08:30", "2024-08-26T08:30",
    or a day alone (09:00); default now."""
    import pendulum

    tz = pendulum.timezone(get_settings().timezone)
    if value is None:
        return pendulum.now(tz)
    text = value.strip().replace("T", " ")
    day_part, _, time_part = text.partition(" ")
    day = parse_date_value(day_part, field="--as-of")
    try:
        hour, minute = (int(x) for x in (time_part or "09:00").split(":")[:2])
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)
    except ValueError:
        raise InputError(f"Giờ «{time_part}» không hợp lệ; ghi dạng 08:30.") from None


@app.command()
def remind(
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Thời điểm nhắc (26/08/2024 08:30); mặc định bây giờ."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Chỉ xem sẽ gửi gì, không gửi, không ghi.")
    ] = False,
) -> None:
    """Chạy một lần nhắc việc: gửi thư và tin nhắn Zalo đến hạn, mỗi người nhận một bản tổng hợp."""
    from models.delivery import Delivery
    from notifications.channels import mask_recipient
    from tasks.reminders import default_policy
    from tasks.sweep import preview_due

    def go() -> None:
        moment = _moment(as_of)
        with _ready_session():
            pass
        if dry_run:
            rows = preview_due(engine=get_engine(), as_of=moment, policy=default_policy())
            table = Table(title=f"Sẽ gửi lúc {moment:%d/%m/%Y %H:%M} (chạy thử, chưa gửi gì)")
            for col in ("Kênh", "Người nhận", "Tiêu đề", "Số nhiệm vụ"):
                table.add_column(col, overflow="fold")
            for r in rows:
                table.add_row(
                    r["channel"], mask_recipient(r["recipient"]), r["subject"], str(r["reminders"])
                )
            console.print(table if rows else "Không có nhắc việc nào đến hạn.")
            return
        from flows.reminders import reminder_sweep

        result = reminder_sweep(moment)
        if result.get("skipped"):
            console.print(f"Không gửi: {result['skipped']} ({moment:%d/%m/%Y %H:%M}).")
            return
        for item in result.get("followed_up", []):
            console.print(
                f"Đã lập kế hoạch nhắc việc còn chờ của thông báo "
                f"{escape(str(item['number'] or item['notice_id']))}: {item['planned']} mốc."
            )
        with _ready_session() as session:
            sent = session.exec(
                select(Delivery)
                .where(Delivery.id.in_(result["delivery_ids"]))
                .order_by(Delivery.id)  # type: ignore[union-attr]
            ).all()
        _print_deliveries(sent, f"Nhắc việc {moment:%d/%m/%Y %H:%M}")
        console.print(
            f"{result['reminders']} nhắc việc; {result['sent']} đã gửi, {result['retry']} chờ gửi lại, "
            f"{result['failed']} thất bại."
        )

    _run(go)


def _print_deliveries(rows: list[Any], title: str) -> None:
    from notifications.channels import mask_recipient
    from notifications.secrets import mask_phone

    table = Table(title=title)
    for col in ("Mã", "Kênh", "Người nhận", "Tiêu đề", "Trạng thái", "Lần gửi", "Lỗi"):
        table.add_column(col, overflow="fold")
    colours = {
        "sent": "green",
        "pending": "yellow",
        "sending": "blue",
        "failed": "red",
        "superseded": "bright_black",
    }
    words = {
        "sent": "đã gửi",
        "pending": "chờ gửi",
        "sending": "đang gửi",
        "failed": "thất bại",
        "superseded": "đã thay thế",
    }
    for d in rows:
        table.add_row(
            str(d.id),
            d.channel,
            escape(mask_recipient(d.recipient)),
            d.subject,
            f"[{colours.get(d.state, 'white')}]{words.get(d.state, d.state)}[/]",
            str(d.attempts),
            escape(mask_phone(d.last_error or "")[:80]),
        )
    console.print(table)


class OutboxState(StrEnum):
    pending = "pending"
    sending = "sending"
    sent = "sent"
    failed = "failed"
    superseded = "superseded"


@app.command()
def outbox(
    state: Annotated[
        OutboxState | None, typer.Option("--state", help="Chỉ một trạng thái.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="In JSON cho máy đọc.")] = False,
    limit: Annotated[int, typer.Option("--limit", help="Số dòng tối đa.")] = 200,
) -> None:
    """Hộp thư đi: thư và tin nhắn đã gửi, đang chờ gửi lại, thất bại hoặc đã thay thế."""
    from models.delivery import Delivery
    from notifications.channels import mask_recipient
    from notifications.secrets import mask_phone

    def go() -> None:
        if not 1 <= limit <= 100_000:
            raise InputError(f"--limit {limit}: số dòng phải từ 1 đến 100000.")
        with _ready_session() as session:
            query = select(Delivery).order_by(Delivery.id.desc()).limit(limit)  # type: ignore[union-attr]
            if state is not None:
                query = query.where(Delivery.state == state.value)
            rows = session.exec(query).all()
        if as_json:
            payload = [
                {
                    "id": d.id,
                    "key": d.key,
                    "channel": d.channel,
                    "recipient": mask_recipient(d.recipient),
                    "level": d.level,
                    "subject": d.subject,
                    "state": d.state,
                    "attempts": d.attempts,
                    "last_error": mask_phone(d.last_error) if d.last_error else None,
                    "sent_at": d.sent_at.isoformat() if d.sent_at else None,
                    "assignment_ids": d.assignment_ids,
                }
                for d in rows
            ]
            typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        _print_deliveries(list(rows), "Hộp thư đi")

    _run(go)


@app.command()
def serve() -> None:
    """Chạy lịch nhắc việc (08:00 các ngày làm việc) và báo cáo giao ban (07:00 ngày 1) trong một
    tiến trình, cùng máy chủ Prefect cục bộ có bộ lập lịch, đến khi dừng (Ctrl-C hoặc SIGTERM)."""
    from deployments.schedules import serve as serve_all

    def go() -> None:
        with _ready_session():
            pass
        serve_all(lambda line: console.print(line, highlight=False, soft_wrap=True))

    _run(go)


# ----------------------------------------------------------------------------- briefing


class BriefingFormat(StrEnum):
    docx = "docx"
    html = "html"
    md = "md"
    json = "json"


class PeriodKind(StrEnum):
    calendar = "calendar"
    regime = "15-14"


@app.command()
def briefing(
    month: Annotated[str, typer.Option("--month", help="Tháng báo cáo, dạng YYYY-MM.")],
    fmt: Annotated[
        BriefingFormat, typer.Option("--format", help="docx, html, md hoặc json.")
    ] = BriefingFormat.md,
    period: Annotated[
        PeriodKind,
        typer.Option(
            "--period", help="calendar: cả tháng; 15-14: từ ngày 15 tháng trước đến ngày 14."
        ),
    ] = PeriodKind.calendar,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Ngày tính trạng thái; mặc định cuối kỳ (hoặc hôm nay)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Tệp ghi báo cáo; bỏ trống: in ra màn hình.")
    ] = None,
) -> None:
    """Báo cáo giao ban tháng: tổng hợp, theo đơn vị, quá hạn, kỳ tới, biểu đồ."""
    from tasks.briefing_render import write_briefing

    from tasks.briefing import compute_briefing
    from tasks.periods import parse_month

    def go() -> None:
        chosen = parse_month(month, period.value)
        day = _date(as_of, "--as-of") if as_of else None
        with _ready_session() as session:
            numbers = compute_briefing(session=session, period=chosen, as_of=day)
        result = write_briefing(numbers, fmt.value, out)
        if out is None:
            typer.echo(result if isinstance(result, str) else result.decode("utf-8"))
        else:
            console.print(f"Đã ghi báo cáo giao ban {chosen.label} vào {out}.")

    _run(go)


@app.command()
def scorecard(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Ngày cuối của 12 tháng; mặc định hôm nay.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="In JSON cho máy đọc.")] = False,
) -> None:
    """Tỷ lệ nhiệm vụ hoàn thành đúng hạn của từng đơn vị trong 12 tháng, và xu hướng."""
    from tasks.scorecard import compute_scorecard

    def go() -> None:
        day = _date(as_of, "--as-of", default=date.today())
        with _ready_session() as session:
            card = compute_scorecard(session=session, as_of=day)
        if as_json:
            typer.echo(json.dumps(card.to_json(), ensure_ascii=False, indent=2))
            return
        if not card.units:
            console.print(f"Không có nhiệm vụ nào đến hạn trong 12 tháng đến ngày {day:%d/%m/%Y}.")
            return
        table = Table(
            title=f"Tỷ lệ hoàn thành đúng hạn, 12 tháng đến ngày {day:%d/%m/%Y} (đơn vị chủ trì)"
        )
        table.add_column("Đơn vị")
        table.add_column("Đến hạn", justify="right")
        table.add_column("Đúng hạn", justify="right")
        table.add_column("Tỷ lệ", justify="right")
        for w in card.windows:
            table.add_column(w.label, justify="right")
        table.add_column("Xu hướng")
        for u in card.units:
            table.add_row(
                u.name,
                str(u.due_total),
                str(u.on_time_total),
                _pct_text(u.pct),
                *(_pct_text(p) for p in u.quarter_pct()),
                u.trend_word
                + ("" if u.trend is None else f" ({u.trend:+.1f} điểm)".replace(".", ",")),
            )
        console.print(table)

    _run(go)


def _pct_text(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%".replace(".", ",")


# ----------------------------------------------------------------------------- demo


@app.command()
def demo(
    as_of: Annotated[str, typer.Option("--as-of", help="Ngày tính trạng thái.")] = "2024-08-26",
    fresh: Annotated[bool, typer.Option(help="Xóa cơ sở dữ liệu demo cũ trước khi chạy.")] = True,
) -> None:
    """Chạy thử toàn bộ: danh mục, ba thông báo mẫu, tiến độ, gia hạn, bảng trạng thái."""
    from dondoc.demo import run_demo

    _run(lambda: run_demo(console=console, as_of=_date(as_of, "--as-of"), fresh=fresh))


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
