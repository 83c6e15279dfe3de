"""``dondoc user``: accounts for the web pages."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from dondoc.cli.common import ask_new_password, console, run
from dondoc.cli.vietnamese import DondocTyper
from models.web import Role
from services.accounts import add_user, list_users
from services.database import ready_session

user_app = DondocTyper(help="Tài khoản đăng nhập trang web.", no_args_is_help=True)
ROLE_WORDS = {Role.ADMIN: "quản trị", Role.CLERK: "văn thư", Role.LEADER: "lãnh đạo"}


@user_app.command("add")
def user_add(
    name: Annotated[
        str, typer.Argument(metavar="TÊN", help="Tên đăng nhập (không có khoảng trắng).")
    ],
    role: Annotated[Role, typer.Option("--role", help="admin, clerk hoặc leader.")],
    display_name: Annotated[
        str | None, typer.Option("--display-name", metavar="HỌ_TÊN", help="Họ tên hiển thị.")
    ] = None,
) -> None:
    """Tạo tài khoản; hỏi mật khẩu (ít nhất 8 ký tự), chỉ lưu bản băm argon2."""
    password = ask_new_password()

    def go() -> None:
        with ready_session() as session:
            user = add_user(
                session=session,
                name=name,
                role=role.value,
                password=password,
                display_name=display_name,
            )
        console.print(f"Đã tạo tài khoản «{user.name}» ({ROLE_WORDS[user.role]}).")

    run(go)


@user_app.command("list")
def user_list() -> None:
    """Các tài khoản đăng nhập."""

    def go() -> None:
        with ready_session() as session:
            users = list_users(session=session)
        table = Table("Tên đăng nhập", "Họ tên", "Vai trò", "Hoạt động")
        for u in users:
            table.add_row(
                u.name, u.display_name or "", ROLE_WORDS[u.role], "có" if u.active else "không"
            )
        console.print(table if users else "Chưa có tài khoản nào. Tạo bằng «dondoc user add».")

    run(go)
