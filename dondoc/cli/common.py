"""What every command shares: the consoles, turning errors into one message and an exit
code, and the date options."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import NoReturn, TypeVar

import httpx
import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy.exc import DataError, IntegrityError, OperationalError, ProgrammingError

from dondoc.settings import get_settings
from models.progress import ProgressState
from tasks.errors import DondocError, InputError
from tasks.fileio import parse_date_value
from tasks.progress_table import cell_state, fold

console = Console()
if not console.is_terminal:  # logs and pipes: wide enough for the status table
    console = Console(width=140)
err = Console(stderr=True)
T = TypeVar("T")
YES_WORDS = frozenset({"c", "co", "dong y", "y", "yes"})
NO_WORDS = frozenset({"k", "khong", "n", "no"})


def fail(message: str, code: int = 2, *, hint: str | None = None) -> NoReturn:
    """Print the message (plain text: a file name or a cell may hold "[…]"), then the hint
    on a line of its own (where to read more), and exit."""
    err.print(f"[bold red]Lỗi:[/] {escape(message)}", highlight=False, soft_wrap=True)
    if hint:
        err.print(escape(hint), highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@contextmanager
def errors_to_messages() -> Iterator[None]:
    """Turn domain and database errors into one clear message and a non-zero exit."""
    try:
        yield
    except DondocError as exc:
        fail(str(exc), exc.exit_code)
    except IntegrityError as exc:
        fail(f"Dữ liệu vi phạm ràng buộc, không ghi gì: {exc.orig}")
    except DataError as exc:  # a value the server refuses that models/limits.py did not catch
        fail(f"Cơ sở dữ liệu từ chối một giá trị, không ghi gì: {exc.orig}")
    except (OperationalError, ProgrammingError) as exc:
        fail(
            f"Không dùng được cơ sở dữ liệu ({exc.orig}). Kiểm tra DONDOC_DATABASE_URL "
            "và chạy «dondoc init»."
        )
    except RuntimeError as exc:
        if "ephemeral Prefect API server" not in str(exc):
            raise
        fail(
            "Máy chủ Prefect tạm thời không khởi động kịp (máy đang bận?). Chạy lại lệnh; nếu "
            "vẫn vậy, tăng PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS (mặc định của dondoc "
            "120 giây), hoặc để «dondoc serve» chạy và đặt PREFECT_API_URL=http://127.0.0.1:4200/api."
        )
    except httpx.TransportError as exc:  # PREFECT_API_URL set, the server not answering
        fail(
            f"Không kết nối được máy chủ Prefect ({exc}). Kiểm tra PREFECT_API_URL và máy chủ "
            "(«prefect server start» hoặc «dondoc serve»)."
        )


def run(fn: Callable[[], T]) -> T:
    """Run a command's body, its errors turned into messages."""
    with errors_to_messages():
        return fn()
    raise AssertionError("unreachable")


def day_option(value: str | None, option: str, default: date | None = None) -> date:
    """A date option ("30/8/2024" or "2024-08-30"); ``default`` when not given."""
    if value is None:
        if default is None:
            raise InputError(f"Thiếu {option}.")
        return default
    return parse_date_value(value, field=option)


def status_option(value: str, option: str = "--status") -> ProgressState:
    """A progress state option, in the words the progress table takes: «hoàn thành»,
    «đang thực hiện» (any case, with or without accents), done, in_progress."""
    try:
        return cell_state(value)
    except InputError as exc:
        raise InputError(exc.message, where=option) from None


def moment_option(value: str | None) -> datetime:
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


def confirm(question: str) -> bool:
    """Ask a yes/no question; «c»/«có» (or y) is yes, «k»/«không» (or n, or nothing) is no."""
    while True:
        answer = fold(typer.prompt(f"{question} [c/K]", default="", show_default=False))
        if not answer or answer in NO_WORDS:
            return False
        if answer in YES_WORDS:
            return True
        err.print("[bold red]Lỗi:[/] trả lời «c» (có) hoặc «k» (không).", highlight=False)


def ask_new_password() -> str:
    """A new password typed twice without echo, asked again until both agree."""
    while True:
        password = typer.prompt("Mật khẩu", hide_input=True)
        if password == typer.prompt("Nhập lại mật khẩu", hide_input=True):
            return str(password)
        err.print("[bold red]Lỗi:[/] hai lần nhập không giống nhau; nhập lại.", highlight=False)
