"""Application settings, read from the environment (prefix ``DONDOC_``) or a ``.env`` file."""

from __future__ import annotations

import os
from datetime import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting dondoc reads. Documented one by one in the README."""

    model_config = SettingsConfigDict(env_prefix="DONDOC_", env_file=".env", extra="ignore")

    data_dir: Path = Field(
        default=Path("var"),
        description="Folder for the SQLite database, stored originals and exports; created on first use.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL. Empty: a SQLite file dondoc.sqlite in data_dir. "
        "PostgreSQL: postgresql+psycopg://user@host:5432/dbname",
    )
    timezone: str = Field(default="Asia/Ho_Chi_Minh", description="Office time zone.")
    work_start: time = Field(default=time(7, 30), description="Start of office hours.")
    work_end: time = Field(default=time(17, 0), description="End of office hours.")
    due_soon_days: int = Field(
        default=5, ge=0, description="Working days before the due date that count as 'Sắp đến hạn'."
    )
    calendar_overrides: Path | None = Field(
        default=None,
        description="Extra YAML file of government day swaps, added to the shipped table.",
    )
    escalation_policy: Path | None = Field(
        default=None,
        description="Escalation policy YAML; empty: the shipped deployments/escalation.yaml.",
    )
    smtp_url: str = Field(
        default="mailto://127.0.0.1:25?from=dondoc@example.gov.vn&mode=insecure&smtp=127.0.0.1",
        description="Apprise mailto:// URL of the outgoing mail server, without recipients; "
        "put the password in the environment, never in the database.",
    )
    smtp_allow_plain_password: bool = Field(
        default=False,
        description="Allow DONDOC_SMTP_URL's password over a connection without TLS "
        "(mode=insecure) to a server that is not on this machine; refused otherwise.",
    )
    follow_up: bool = Field(
        default=True,
        description="Start the notice's follow-up flow (reminder plan, giao việc) when it is confirmed.",
    )
    sweep_cron: str = Field(
        default="0 8 * * 1-5",
        description="When the reminder sweep runs (cron, office time zone); the sweep itself "
        "sends nothing on public holidays or outside office hours.",
    )
    briefing_cron: str = Field(
        default="0 7 1 * *",
        description="When the monthly briefing of the month just ended is written (cron).",
    )
    prefect_port: int = Field(
        default=4200,
        ge=1,
        le=65535,
        description="Port of the local Prefect server that «dondoc serve» starts when "
        "PREFECT_API_URL is not set (its UI: http://127.0.0.1:PORT).",
    )
    actor: str | None = Field(
        default=None, description="Name recorded in the audit log; default: the OS user."
    )
    report_parent: str | None = Field(
        default=None,
        description="The briefing's governing body (cơ quan chủ quản), e.g. «UBND huyện An Phú»; "
        "empty: read from the latest notice's issuer.",
    )
    report_issuer: str | None = Field(
        default=None,
        description="The office issuing the briefing, e.g. «Văn phòng HĐND và UBND huyện»; "
        "empty: the latest notice's issuer.",
    )
    report_place: str | None = Field(
        default=None, description="Place name of the date line; empty: the latest notice's place."
    )
    report_symbol: str = Field(default="BC-VP", description="Number symbol: «Số: …/BC-VP».")
    report_signer_title: str = Field(
        default="CHÁNH VĂN PHÒNG", description="Signature block title (chức vụ người ký)."
    )
    report_signer_name: str | None = Field(default=None, description="Signer's name.")
    report_recipients: list[str] = Field(
        default=["Thường trực UBND", "Các đơn vị được giao nhiệm vụ", "Lưu: VT"],
        description="«Nơi nhận» of the briefing (JSON list in the environment).",
    )
    report_list_limit: int = Field(
        default=300,
        ge=1,
        description="Overdue or upcoming directives listed one by one in a briefing.",
    )

    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="The address people use to reach dondoc's web pages (behind the reverse "
        "proxy, with https://); units' links in messages start with it.",
    )
    web_host: str = Field(default="127.0.0.1", description="Address «dondoc web» listens on.")
    web_port: int = Field(default=8000, ge=1, le=65535, description="Port «dondoc web» listens on.")
    secret_key: SecretStr | None = Field(
        default=None,
        description="Key that signs the web session cookies; empty: a random key kept in "
        "DATA_DIR/secret_key (created on first use, readable by its owner only).",
    )
    link_days: int = Field(
        default=90,
        ge=1,
        le=3650,
        description="Days a unit's personal link stays valid; a fresh one goes out with the "
        "next message after that.",
    )
    evidence_max_mb: int = Field(
        default=20, ge=1, le=500, description="Largest evidence file a unit may send (MB)."
    )

    zalo_app_id: str | None = Field(default=None, description="The Zalo app id (not secret).")
    zalo_app_secret: SecretStr | None = Field(
        default=None,
        description="The Zalo app secret key; empty: the Prefect Secret block «zalo-app-secret».",
    )
    zalo_access_token: SecretStr | None = Field(
        default=None,
        description="The initial Zalo access token; once the token file "
        "DATA_DIR/secrets/zalo-tokens.json exists, the file wins.",
    )
    zalo_refresh_token: SecretStr | None = Field(
        default=None,
        description="The initial single-use Zalo refresh token; empty: the Prefect Secret block "
        "«zalo-refresh-token». The token file wins once it exists.",
    )
    zalo_zns_templates: str | None = Field(
        default=None,
        description="Per-template ZNS defaults, JSON: "
        '{"231145": {"title": "ten", "body": "noi_dung", "body_max": 300}}; '
        "not JSON: ignored with a warning.",
    )
    # Text, not a number: a bad value is a warning at send time (the default applies), never a
    # settings error that would stop every command.
    zalo_rate_per_second: str | None = Field(
        default=None,
        description="Zalo requests per second, process-wide (empty: 5; 0 disables the limit).",
    )
    zalo_oa_url: str = Field(
        default="https://openapi.zalo.me", description="Base URL of the Zalo OA API."
    )
    zalo_zns_url: str = Field(
        default="https://business.openapi.zalo.me", description="Base URL of the Zalo ZNS API."
    )
    zalo_oauth_url: str = Field(
        default="https://oauth.zaloapp.com",
        description="Base URL of Zalo's token server (refresh tokens).",
    )

    @field_validator("zalo_oa_url", "zalo_zns_url", "zalo_oauth_url", mode="before")
    @classmethod
    def _blank_url_is_default(cls, value: Any, info: ValidationInfo) -> Any:
        # An empty variable has always meant "Zalo's own server".
        if value is None or value == "":
            return cls.model_fields[str(info.field_name)].default
        return value

    @model_validator(mode="after")
    def _check_hours(self) -> Settings:
        if self.work_end <= self.work_start:
            raise ValueError("DONDOC_WORK_END phải sau DONDOC_WORK_START (giờ làm việc).")
        return self

    @property
    def resolved_database_url(self) -> str:
        """The database URL to use; the SQLite default lives in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'dondoc.sqlite').resolve()}"

    def ensure_data_dir(self) -> Path:
        """Create the data directory when it does not exist yet and return it."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return self.data_dir


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (``dondoc.caches.reset_caches()`` after changing env)."""
    return Settings()


_current: tuple[tuple[tuple[str, str], ...], Settings] | None = None


def current_settings() -> Settings:
    """The settings as the environment says right now, for values read at each use (the Zalo
    credentials, endpoints and rate), which have always followed a change of the environment
    without any cache being cleared. Rebuilt only when a ``DONDOC_*`` variable changed:
    building settings costs milliseconds, and Zalo reads them for every message."""
    global _current
    key = tuple(sorted((k, v) for k, v in os.environ.items() if k.upper().startswith("DONDOC_")))
    cached = _current
    if cached is not None and cached[0] == key:
        return cached[1]
    settings = Settings()
    _current = (key, settings)
    return settings


def forget_current_settings() -> None:
    """Make the next :func:`current_settings` read the environment and ``.env`` again."""
    global _current
    _current = None
