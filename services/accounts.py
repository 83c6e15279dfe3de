"""Accounts of the secretariat and the leaders: add one, sign in (wrong passwords slowed
down), and what each role may do."""

from __future__ import annotations

from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, select

from models.base import utcnow
from models.web import Role, UserAccount, UserPublic
from tasks.errors import InputError

MIN_PASSWORD = 8
FREE_ATTEMPTS = 3  # from this many wrong passwords in a row, the next attempt waits
MAX_WAIT = timedelta(minutes=15)
_hasher = PasswordHasher()


class SignInError(InputError):
    """A refused sign-in: the message never says which of name or password was wrong."""


def add_user(
    *,
    session: Session,
    name: str,
    role: str,
    password: str,
    display_name: str | None = None,
) -> UserPublic:
    """Create an account; the password is kept only as an argon2 hash."""
    name = name.strip()
    if not name or len(name) > 100 or any(ch.isspace() for ch in name):
        raise InputError(
            f"Tên đăng nhập «{name}» không hợp lệ: 1–100 ký tự, không có khoảng trắng."
        )
    if role not in {r.value for r in Role}:
        raise InputError(f"Vai trò «{role}» không hợp lệ: dùng admin, clerk hoặc leader.")
    if len(password) < MIN_PASSWORD:
        raise InputError(f"Mật khẩu quá ngắn: cần ít nhất {MIN_PASSWORD} ký tự.")
    if session.exec(select(UserAccount).where(UserAccount.name == name)).first():
        raise InputError(f"Đã có tài khoản «{name}».")
    user = UserAccount(
        name=name, display_name=display_name, role=role, password_hash=_hasher.hash(password)
    )
    session.add(user)
    session.flush()
    return UserPublic.model_validate(user)


def list_users(*, session: Session) -> list[UserPublic]:
    """Every account by name."""
    rows = session.exec(select(UserAccount).order_by(col(UserAccount.name))).all()
    return [UserPublic.model_validate(u) for u in rows]


def wait_after(failures: int) -> timedelta:
    """How long the next attempt must wait after ``failures`` wrong passwords in a row."""
    if failures < FREE_ATTEMPTS:
        return timedelta(0)
    return min(timedelta(seconds=5 * 2 ** (failures - FREE_ATTEMPTS)), MAX_WAIT)


def authenticate(
    *, session: Session, name: str, password: str, now: datetime | None = None
) -> UserPublic:
    """The account when the password is right. A wrong one is counted in the caller's
    transaction (commit it even when this raises): from the third in a row each makes the
    next attempt wait longer (5 s, 10 s, 20 s, … up to 15 minutes)."""
    moment = now or utcnow()
    user = session.exec(select(UserAccount).where(UserAccount.name == name.strip())).first()
    refused = SignInError("Sai tên đăng nhập hoặc mật khẩu.")
    if user is None or not user.active:
        _hasher.hash(password)  # the same time as a real check: names cannot be probed
        raise refused
    locked = user.locked_until
    if locked is not None and locked.tzinfo is None:  # SQLite gives naive UTC back
        locked = locked.replace(tzinfo=moment.tzinfo)
    if locked is not None and locked > moment:
        seconds = int((locked - moment).total_seconds()) + 1
        raise SignInError(f"Nhập sai mật khẩu nhiều lần: thử lại sau {seconds} giây.")
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        user.failed_logins += 1
        wait = wait_after(user.failed_logins)
        user.locked_until = moment + wait if wait else None
        session.add(user)
        raise refused from None
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = moment
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    session.add(user)
    return UserPublic.model_validate(user)


def get_user(*, session: Session, user_id: int) -> UserPublic | None:
    """The active account with this id, or None (a session of a removed account ends)."""
    user = session.get(UserAccount, user_id)
    return UserPublic.model_validate(user) if user and user.active else None


# What each role may do on the web pages.
CAN_CHANGE = {Role.ADMIN, Role.CLERK}  # register notices, record progress, outbox, units
CAN_DECIDE = {Role.ADMIN, Role.CLERK, Role.LEADER}  # approve or reject extensions
