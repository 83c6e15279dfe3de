"""Where the Zalo credentials and the rotating tokens live, and how logs stay free of them.

All four are read through :mod:`dondoc.settings`, at each use (a changed environment is seen):

* ``DONDOC_ZALO_APP_ID`` — the Zalo app id (not secret).
* ``DONDOC_ZALO_APP_SECRET`` — the app secret key; else the Prefect Secret block
  ``zalo-app-secret``.
* ``DONDOC_ZALO_ACCESS_TOKEN`` / ``DONDOC_ZALO_REFRESH_TOKEN`` — the *initial* token pair; the
  refresh token may instead come from the Prefect Secret block ``zalo-refresh-token``.

Zalo refresh tokens are single use: every refresh returns a new pair and the old refresh token
stops working. The current pair is therefore kept in a token file,
``<DONDOC_DATA_DIR or ./var>/secrets/zalo-tokens.json`` (mode 0600, folder 0700, written
atomically). Once that file exists it wins over the initial tokens from the environment. None of
this goes to the SQL database.

Prefect Secret blocks are read only when the environment variable is absent *and* a Prefect API
is reachable without side effects (``PREFECT_API_URL`` is set, or we run inside a flow/task run):
asking Prefect otherwise would start a temporary server just to find nothing. Any failure falls
back to "not configured".
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import re
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from dondoc.settings import current_settings

LOGGER_NAME = "dondoc.zalo"
log = logging.getLogger(LOGGER_NAME)

TOKEN_FILE_NAME = "zalo-tokens.json"
LOCK_FILE_NAME = "zalo-tokens.lock"
PREFECT_APP_SECRET_BLOCK = "zalo-app-secret"
PREFECT_REFRESH_TOKEN_BLOCK = "zalo-refresh-token"

# A token is treated as expired this many seconds early, so that it does not die in flight.
EXPIRY_MARGIN_SECONDS = 60.0


class ZaloSecretsError(RuntimeError):
    """The credentials or the token file cannot be read or written."""


class ZaloTokenStoreError(ZaloSecretsError):
    """A freshly issued token pair could not be stored: the refresh token may be lost."""


# --------------------------------------------------------------------------- masking


_secret_values: set[str] = set()
_secret_lock = threading.Lock()

# Vietnamese mobile numbers in any of the three accepted spellings; lookarounds keep long ids
# (Zalo user ids, message ids, timestamps) intact.
_PHONE_RE = re.compile(r"(?<![\w*])(\+?84|0)(\d{2})(\d{4})(\d{3})(?!\w)")


def register_secret(value: str | None) -> None:
    """Remember a secret value so that the log filter hides it from now on (old tokens too)."""
    # Very short strings would mask ordinary words; real Zalo secrets are long.
    if value and len(value) >= 6:
        with _secret_lock:
            _secret_values.add(value)


def mask_phone(phone: str) -> str:
    """Show a phone number as 8491***678."""
    return _PHONE_RE.sub(lambda m: f"{m.group(1)}{m.group(2)}***{m.group(4)}", phone)


def mask_text(text: str) -> str:
    """Replace every registered secret by ``***`` and mask phone numbers."""
    with _secret_lock:
        values = sorted(_secret_values, key=len, reverse=True)
    for value in values:
        if value in text:
            text = text.replace(value, "***")
    return mask_phone(text)


class SecretMaskFilter(logging.Filter):
    """Logging filter that rewrites each record with secrets and phone numbers masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the line
            message = str(record.msg)
        record.msg = mask_text(message)
        record.args = None
        if record.exc_info:
            # Tracebacks carry exception messages; format them now, masked, and drop the raw info.
            record.exc_text = mask_text(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True


def install_mask_filter(logger: logging.Logger | None = None) -> logging.Logger:
    """Attach the masking filter once to ``logger`` (default: ``dondoc.zalo``)."""
    logger = logger or log
    if not any(isinstance(f, SecretMaskFilter) for f in logger.filters):
        logger.addFilter(SecretMaskFilter())
    return logger


install_mask_filter()


# --------------------------------------------------------------------------- Prefect fallback

_prefect_cache: dict[str, str | None] = {}


def _prefect_usable() -> bool:
    """True when asking Prefect costs nothing surprising (no temporary server is started)."""
    # Prefect's own setting, read from the environment as it is now: prefect.settings would
    # import Prefect here and keeps the values it had when it was imported.
    if os.environ.get("PREFECT_API_URL"):
        return True
    context = sys.modules.get("prefect.context")
    if context is None:  # Prefect is not even imported: we are not inside a flow
        return False
    try:
        return context.FlowRunContext.get() is not None or context.TaskRunContext.get() is not None
    except Exception:
        return False


def _prefect_secret(name: str) -> str | None:
    """The value of the Prefect Secret block ``name``, or None when it cannot be had."""
    if name in _prefect_cache:
        return _prefect_cache[name]
    if not _prefect_usable():
        log.debug("Không có máy chủ Prefect được cấu hình; bỏ qua Secret block %s.", name)
        return None
    value: str | None = None
    try:
        from prefect.blocks.system import Secret

        block: Any = Secret.load(name)
        if hasattr(block, "__await__"):  # called from async code: we cannot wait here
            with contextlib.suppress(Exception):
                block.close()
            raise RuntimeError("Secret.load trả về coroutine (đang ở ngữ cảnh async)")
        raw = block.get()
        value = str(raw) if raw else None
    except Exception as exc:  # no server, no block, no network: fall back, never crash
        log.warning(
            "Không đọc được Secret block Prefect «%s» (%s); coi như chưa cấu hình.",
            name,
            type(exc).__name__,
        )
        value = None
    register_secret(value)
    _prefect_cache[name] = value
    return value


def clear_cache() -> None:
    """Forget cached Prefect lookups (tests and long-lived processes after a change)."""
    _prefect_cache.clear()


# --------------------------------------------------------------------------- locks


class _ProcessLock:
    """Re-entrant lock across threads (RLock) and processes (fcntl.flock on a lock file)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._rlock = threading.RLock()
        self._depth = 0
        self._fd: int | None = None

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        with self._rlock:
            if self._depth == 0:
                # flock conflicts between two descriptors of one process, so only the
                # outermost holder opens the lock file.
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX)
                except BaseException:
                    os.close(fd)
                    raise
                self._fd = fd
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0 and self._fd is not None:
                    fd, self._fd = self._fd, None
                    try:
                        fcntl.flock(fd, fcntl.LOCK_UN)
                    finally:
                        os.close(fd)


_locks: dict[str, _ProcessLock] = {}
_locks_guard = threading.Lock()


def _process_lock(path: Path) -> _ProcessLock:
    key = str(path.resolve())
    with _locks_guard:
        lock = _locks.get(key)
        if lock is None:
            lock = _locks[key] = _ProcessLock(path)
        return lock


# --------------------------------------------------------------------------- credentials


@dataclass(frozen=True)
class ZaloTokens:
    """The current token pair and where it came from ("file", "env", "prefect" or "none")."""

    access_token: str | None
    refresh_token: str | None
    expires_at: datetime | None
    source: str

    def expired(self, now: datetime | None = None, margin: float = EXPIRY_MARGIN_SECONDS) -> bool:
        """True when the access token is missing or past its (known) expiry."""
        if not self.access_token:
            return True
        if self.expires_at is None:  # initial token from the env: expiry unknown, Zalo will say
            return False
        now = now or datetime.now(UTC)
        return (self.expires_at - now).total_seconds() <= margin


def data_dir() -> Path:
    """The data directory of dondoc's settings (``DONDOC_DATA_DIR``, default ``./var``)."""
    return current_settings().data_dir


def _reveal(secret: SecretStr | None) -> str | None:
    """The secret's text, None when it is unset or empty."""
    return (secret.get_secret_value() if secret is not None else "") or None


def _parse_time(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        return datetime.fromtimestamp(float(value), UTC)
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class ZaloCredentials:
    """App credentials plus the rotating token pair, stored in a private token file."""

    def __init__(self, base_dir: Path | str | None = None) -> None:
        self.secrets_dir = Path(base_dir) if base_dir is not None else data_dir()
        self.secrets_dir = self.secrets_dir / "secrets"
        self.token_path = self.secrets_dir / TOKEN_FILE_NAME
        self._lock = _process_lock(self.secrets_dir / LOCK_FILE_NAME)

    # -- app credentials ------------------------------------------------------------------
    @property
    def app_id(self) -> str | None:
        """The Zalo app id, from ``DONDOC_ZALO_APP_ID``."""
        return current_settings().zalo_app_id or None

    @property
    def app_secret(self) -> str | None:
        """The app secret key: environment first, then the Prefect Secret block."""
        value = _reveal(current_settings().zalo_app_secret) or _prefect_secret(
            PREFECT_APP_SECRET_BLOCK
        )
        register_secret(value)
        return value

    # -- tokens ---------------------------------------------------------------------------
    def load(self) -> ZaloTokens:
        """The current tokens: the token file when it exists, else the initial ones."""
        if self.token_path.exists():
            try:
                raw = json.loads(self.token_path.read_text(encoding="utf-8"))
                tokens = ZaloTokens(
                    access_token=raw.get("access_token") or None,
                    refresh_token=raw.get("refresh_token") or None,
                    expires_at=_parse_time(raw.get("expires_at")),
                    source="file",
                )
            except (OSError, ValueError, AttributeError) as exc:
                # Never fall back to the env's initial tokens here: they were probably used up.
                raise ZaloSecretsError(
                    f"Tệp token Zalo {self.token_path} bị hỏng hoặc không đọc được "
                    f"({type(exc).__name__}). Hãy kiểm tra hoặc cấp lại token cho OA."
                ) from None
        else:
            settings = current_settings()
            access = _reveal(settings.zalo_access_token)
            refresh = _reveal(settings.zalo_refresh_token)
            source = "env" if (access or refresh) else "none"
            if not refresh:
                refresh = _prefect_secret(PREFECT_REFRESH_TOKEN_BLOCK)
                if refresh and source == "none":
                    source = "prefect"
            tokens = ZaloTokens(access, refresh, None, source)
        register_secret(tokens.access_token)
        register_secret(tokens.refresh_token)
        return tokens

    def save_tokens(self, access: str, refresh: str, expires_in: float) -> ZaloTokens:
        """Store a new pair atomically (0600 file in a 0700 folder); raise if that fails."""
        register_secret(access)
        register_secret(refresh)
        if not access or not refresh:
            raise ZaloTokenStoreError("Cặp token Zalo mới không đầy đủ; không lưu.")
        expires_at = datetime.fromtimestamp(time.time() + float(expires_in), UTC)
        payload = {
            "access_token": access,
            "refresh_token": refresh,
            "expires_at": expires_at.isoformat(timespec="seconds"),
            "updated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        with self.locked():
            try:
                self._ensure_dir()
                fd, tmp = tempfile.mkstemp(
                    dir=self.secrets_dir, prefix=".zalo-tokens.", suffix=".tmp"
                )
                try:
                    with os.fdopen(fd, "w", encoding="utf-8") as fh:
                        os.fchmod(fh.fileno(), 0o600)
                        json.dump(payload, fh, indent=2)
                        fh.flush()
                        os.fsync(fh.fileno())
                    os.replace(tmp, self.token_path)
                except BaseException:
                    with contextlib.suppress(OSError):
                        os.unlink(tmp)
                    raise
                self._fsync_dir()
            except OSError as exc:
                raise ZaloTokenStoreError(
                    f"Không lưu được token Zalo mới vào {self.token_path} "
                    f"({type(exc).__name__}: {exc.strerror or exc}). Refresh token cũ đã hết "
                    "hiệu lực: hãy khắc phục lỗi ghi tệp rồi cấp lại token cho OA."
                ) from None
        log.info("Đã lưu cặp token Zalo mới vào %s.", self.token_path)
        return ZaloTokens(access, refresh, expires_at, "file")

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the token lock: no other thread or process refreshes meanwhile."""
        self._ensure_dir()
        with self._lock.hold():
            yield

    # -- helpers --------------------------------------------------------------------------
    def _ensure_dir(self) -> None:
        self.secrets_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        # mkdir's mode is filtered by the umask and ignored for an existing folder.
        if (self.secrets_dir.stat().st_mode & 0o777) != 0o700:
            os.chmod(self.secrets_dir, 0o700)

    def _fsync_dir(self) -> None:
        # Make the rename itself durable: a crash must not bring back the used refresh token.
        with contextlib.suppress(OSError):
            fd = os.open(self.secrets_dir, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
