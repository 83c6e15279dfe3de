"""The zalo:// Apprise service against the local Zalo sandbox (no internet)."""

from __future__ import annotations

import json
import logging
import os
import stat
import threading
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import apprise
import pytest
import requests

import notifications.zalo as zalo
from notifications import secrets as zsecrets
from notifications.secrets import ZaloCredentials, ZaloTokenStoreError, mask_text
from notifications.zalo import (
    NotifyZalo,
    ZaloClient,
    ZaloURLError,
    normalize_phone,
    notify_zalo,
    parse_target,
    validate_zalo_url,
    with_tracking,
)
from notifications.zalo_sandbox import OA_PATH, OAUTH_PATH, ZNS_PATH, ZaloSandbox

PHONE = "84912345678"
MASKED = "8491***678"
TEMPLATE = "231145"


def plugin_for(url: str) -> NotifyZalo:
    """The Apprise plugin object for one zalo:// URL."""
    plugin = apprise.Apprise.instantiate(url)
    assert isinstance(plugin, NotifyZalo)
    return plugin


# --------------------------------------------------------------------------- URL table

# (url, expected): a dict of attributes the plugin must have, or None when the URL is refused.
URL_CASES: list[tuple[str, dict[str, str | None] | None]] = [
    ("zalo://oa/1001", {"mode": "oa", "target": "1001", "template": None}),
    ("zalo://oa/2512523625412515", {"mode": "oa", "target": "2512523625412515"}),
    (f"zalo://zns/0912345678?template={TEMPLATE}", {"mode": "zns", "target": PHONE}),
    (f"zalo://zns/+84912345678?template={TEMPLATE}", {"mode": "zns", "target": PHONE}),
    (f"zalo://zns/%2B84912345678?template={TEMPLATE}", {"mode": "zns", "target": PHONE}),
    (f"zalo://zns/84912345678?template={TEMPLATE}", {"mode": "zns", "target": PHONE}),
    (f"zalo://zns/84912345678?template={TEMPLATE}&tracking=nv-1", {"tracking": "nv-1"}),
    (f"zalo://zns/091234567?template={TEMPLATE}", None),  # one digit short
    (f"zalo://zns/02438123456?template={TEMPLATE}", None),  # landline, not a mobile
    (f"zalo://zns/+14155550100?template={TEMPLATE}", None),  # not Vietnamese
    (f"zalo://zns/abc?template={TEMPLATE}", None),
    ("zalo://zns/0912345678", None),  # missing template
    ("zalo://zns/0912345678?template=", None),
    ("zalo://oa/", None),
    ("zalo://oa/abc", None),
    ("zalo://oa/1001/1002", None),  # one recipient per contact
    ("zalo://sms/0912345678", None),
]


@pytest.mark.parametrize(("url", "expected"), URL_CASES)
def test_url_table(url: str, expected: dict[str, str | None] | None) -> None:
    assert apprise.Apprise().add(url) is (expected is not None)
    plugin = apprise.Apprise.instantiate(url, suppress_exceptions=True)
    if expected is None:
        assert plugin is None
        with pytest.raises(ZaloURLError):
            parse_target(url)
        assert validate_zalo_url(url)
        return
    assert isinstance(plugin, NotifyZalo)
    for attr, value in expected.items():
        assert getattr(plugin, attr) == value
    # The full URL round-trips; the private form hides the recipient.
    again = plugin_for(plugin.url())
    assert again.url_identifier == plugin.url_identifier
    assert plugin.target not in plugin.url(privacy=True)
    assert validate_zalo_url(url) is None


def test_phone_spellings_and_clear_errors() -> None:
    for raw in ("0912345678", "+84912345678", "84912345678", "0912 345 678", "091.234.5678"):
        assert normalize_phone(raw) == PHONE
    with pytest.raises(ZaloURLError, match="Số điện thoại .* không hợp lệ"):
        normalize_phone("12345")
    with pytest.raises(ZaloURLError, match="Thiếu mã mẫu ZNS"):
        parse_target("zalo://zns/0912345678")
    assert "***" in zalo.NotifyZalo(mode="zns", target=PHONE, template="1").url(privacy=True)


def test_registration_happens_on_import() -> None:
    from apprise.manager_plugins import NotificationManager

    assert NotificationManager()["zalo"] is NotifyZalo
    zalo.register()  # idempotent
    assert plugin_for("zalo://oa/1").__class__ is NotifyZalo


def test_mask_filter_hides_secrets_and_phones(caplog: pytest.LogCaptureFixture) -> None:
    zsecrets.register_secret("very-secret-value-123")
    caplog.set_level(logging.DEBUG, logger="dondoc.zalo")
    logging.getLogger("dondoc.zalo").warning(
        "token=%s phone=%s other=%s", "very-secret-value-123", "84912345678", "0912345678"
    )
    text = caplog.text
    assert "very-secret-value-123" not in text
    assert "token=***" in text and MASKED in text and "091***678" in text
    assert mask_text("id 2512523625412515") == "id 2512523625412515"  # long ids untouched


# --------------------------------------------------------------------------- sandbox fixtures


@pytest.fixture
def sandbox() -> Iterator[ZaloSandbox]:
    with ZaloSandbox(templates={TEMPLATE: ["title", "content"], "777": ["ten", "noi_dung"]}) as sb:
        yield sb


@pytest.fixture
def zalo_env(
    sandbox: ZaloSandbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> Iterator[ZaloSandbox]:
    """Point the service at the sandbox; afterwards check no secret reached the logs."""
    for key, value in sandbox.env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("DONDOC_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DONDOC_ZALO_RATE_PER_SECOND", "1000")
    monkeypatch.delenv("DONDOC_ZALO_ZNS_TEMPLATES", raising=False)
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    zsecrets.clear_cache()
    caplog.set_level(logging.DEBUG)
    yield sandbox
    logged = "\n".join(f"{r.getMessage()}\n{r.exc_text or ''}" for r in caplog.get_records("call"))
    for secret in sandbox.issued_secrets:
        assert secret not in logged, "a Zalo secret leaked into the logs"
    assert "84912345678" not in logged and "0912345678" not in logged


def token_file(tmp_path: Path) -> dict[str, str]:
    return json.loads((tmp_path / "secrets" / "zalo-tokens.json").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- delivery


def test_oa_message_delivered_in_nfc(zalo_env: ZaloSandbox) -> None:
    title = unicodedata.normalize("NFD", "Đôn đốc thực hiện nhiệm vụ")
    body = unicodedata.normalize("NFD", "Phòng Nội vụ báo cáo kết quả trước ngày 30/8/2024.")
    ap = apprise.Apprise()
    assert ap.add("zalo://oa/1001")
    assert ap.notify(body=body, title=title) is True

    [req] = zalo_env.received
    assert req["path"] == OA_PATH
    assert req["headers"]["access_token"] == "***"  # sent, in the access_token header…
    assert req["access_token_valid"] is True  # …and it was the right one
    assert "authorization" not in req["headers"]  # not Bearer
    text = "Đôn đốc thực hiện nhiệm vụ\n\nPhòng Nội vụ báo cáo kết quả trước ngày 30/8/2024."
    assert req["body"] == {"recipient": {"user_id": "1001"}, "message": {"text": text}}
    assert unicodedata.is_normalized("NFC", req["body"]["message"]["text"])


def test_oa_long_text_truncated_with_warning(
    zalo_env: ZaloSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    assert plugin_for("zalo://oa/1001").notify(body="ă" * 2500, title="")
    text = zalo_env.received[-1]["body"]["message"]["text"]
    assert len(text) == 2000 and text.endswith("…")
    assert "vượt giới hạn 2000" in caplog.text


def test_zns_delivered_with_template_data(
    zalo_env: ZaloSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    ap = apprise.Apprise()
    assert ap.add(f"zalo://zns/0912345678?template={TEMPLATE}&tracking=tb54-2a-phongnv")
    assert ap.notify(title="Nhắc hạn", body="Nội dung " + "x" * 500)

    [req] = zalo_env.received
    assert req["path"] == ZNS_PATH and req["access_token_valid"] is True
    body = req["body"]
    assert body["phone"] == PHONE
    assert body["template_id"] == TEMPLATE
    assert body["tracking_id"] == "tb54-2a-phongnv"
    assert body["template_data"]["title"] == "Nhắc hạn"
    assert len(body["template_data"]["content"]) == 400
    assert MASKED in caplog.text


def test_zns_template_keys_fixed_data_and_tracking_kwarg(zalo_env: ZaloSandbox) -> None:
    url = "zalo://zns/+84912345678?template=777&title_key=ten&body_key=noi_dung&:don_vi=UBND%20x%C3%A3"
    plugin = plugin_for(url)
    assert plugin.send(body="Báo cáo quý III", title="Sở Nội vụ", tracking_id="outbox-42")
    body = zalo_env.received[-1]["body"]
    assert body["template_data"] == {
        "ten": "Sở Nội vụ",
        "noi_dung": "Báo cáo quý III",
        "don_vi": "UBND xã",
    }
    assert body["tracking_id"] == "outbox-42"

    # Without a key, a fresh uuid; the helpers pass a key through the URL or directly.
    assert plugin_for(url).notify(body="b", title="t")
    assert len(zalo_env.received[-1]["body"]["tracking_id"]) == 32
    assert plugin_for(with_tracking(url, "key/1")).notify(body="b", title="t")
    assert zalo_env.received[-1]["body"]["tracking_id"] == "key/1"
    result = notify_zalo(url, "b", "t", tracking_id="outbox-43")
    assert result.ok and result.data["msg_id"]
    assert zalo_env.received[-1]["body"]["tracking_id"] == "outbox-43"


def test_zns_template_keys_from_env(zalo_env: ZaloSandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "DONDOC_ZALO_ZNS_TEMPLATES", json.dumps({"777": {"title": "ten", "body": "noi_dung"}})
    )
    assert plugin_for("zalo://zns/0912345678?template=777").notify(body="b", title="t")
    assert zalo_env.received[-1]["body"]["template_data"] == {"ten": "t", "noi_dung": "b"}


# --------------------------------------------------------------------------- tokens


def test_expired_token_refreshed_once_and_rotated(zalo_env: ZaloSandbox, tmp_path: Path) -> None:
    old_refresh = zalo_env.refresh_token
    zalo_env.expire_token()
    assert plugin_for("zalo://oa/1001").notify(body="Nhắc hạn", title="")

    assert [r["path"] for r in zalo_env.received] == [OA_PATH, OAUTH_PATH, OA_PATH]
    assert [r["access_token_valid"] for r in zalo_env.received] == [False, None, True]
    refresh_req = zalo_env.received[1]
    assert refresh_req["headers"]["secret_key"] == "***"
    assert refresh_req["body"]["grant_type"] == "refresh_token"
    assert refresh_req["body"]["app_id"] == zalo_env.app_id

    stored = token_file(tmp_path)
    assert stored["refresh_token"] == zalo_env.refresh_token != old_refresh
    assert stored["access_token"] == zalo_env.access_token
    assert stored["expires_at"]
    # Single use: the sandbox refuses the old refresh token now.
    answer = requests.post(
        zalo_env.url + OAUTH_PATH,
        headers={"secret_key": zalo_env.app_secret},
        data={
            "app_id": zalo_env.app_id,
            "grant_type": "refresh_token",
            "refresh_token": old_refresh,
        },
        timeout=5,
    ).json()
    assert answer["error"] != 0 and "access_token" not in answer

    path = tmp_path / "secrets" / "zalo-tokens.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700

    # The token file wins over the (now spent) initial tokens in the env: a second expiry
    # refreshes with the stored refresh token, and ZNS (-124) takes the same path.
    zalo_env.expire_token()
    url = f"zalo://zns/0912345678?template={TEMPLATE}"
    assert plugin_for(url).notify(body="b", title="t")
    assert zalo_env.refresh_count == 2
    assert token_file(tmp_path)["refresh_token"] == zalo_env.refresh_token


def test_proactive_refresh_when_stored_token_expired(zalo_env: ZaloSandbox) -> None:
    ZaloCredentials().save_tokens(zalo_env.access_token, zalo_env.refresh_token, expires_in=-10)
    assert plugin_for("zalo://oa/1001").notify(body="b")
    assert [r["path"] for r in zalo_env.received] == [OAUTH_PATH, OA_PATH]


def test_concurrent_senders_refresh_only_once(zalo_env: ZaloSandbox) -> None:
    zalo_env.expire_token()
    results: list[bool] = []

    def send() -> None:
        results.append(bool(plugin_for("zalo://oa/1001").notify(body="b")))

    threads = [threading.Thread(target=send) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [True] * 6
    assert zalo_env.refresh_count == 1


def test_refresh_token_store_failure_raises(
    zalo_env: ZaloSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(zsecrets.os, "replace", broken_replace)
    zalo_env.expire_token()
    with pytest.raises(ZaloTokenStoreError, match="Không lưu được token Zalo"):
        ZaloClient().refresh(stale=zalo_env.access_token)
    # Through Apprise the failure is a False, never a silent success.
    assert plugin_for("zalo://oa/1001").notify(body="b") is False
    assert not list((Path(os.environ["DONDOC_DATA_DIR"]) / "secrets").glob("*.tmp"))


def test_reused_refresh_token_fails_cleanly(zalo_env: ZaloSandbox, tmp_path: Path) -> None:
    # Someone else (another install) spent our refresh token: the send fails, nothing crashes.
    requests.post(
        zalo_env.url + OAUTH_PATH,
        headers={"secret_key": zalo_env.app_secret},
        data={
            "app_id": zalo_env.app_id,
            "grant_type": "refresh_token",
            "refresh_token": zalo_env.refresh_token,
        },
        timeout=5,
    )
    zalo_env.expire_token()
    result = notify_zalo("zalo://oa/1001", "b")
    assert not result.ok and result.kind == "auth"
    assert "refresh token" in result.message


def test_missing_credentials_do_not_need_prefect(
    zalo_env: ZaloSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key in ("DONDOC_ZALO_APP_SECRET", "DONDOC_ZALO_ACCESS_TOKEN", "DONDOC_ZALO_REFRESH_TOKEN"):
        monkeypatch.delenv(key)
    creds = ZaloCredentials()
    assert creds.app_secret is None
    assert creds.load().source == "none"
    result = notify_zalo("zalo://oa/1001", "b")
    assert not result.ok and result.kind == "config" and result.retryable
    assert zalo_env.received == []


def test_prefect_secret_blocks_used_when_env_absent(
    zalo_env: ZaloSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    import types

    class FakeSecret:
        values = {
            "zalo-app-secret": zalo_env.app_secret,
            "zalo-refresh-token": zalo_env.refresh_token,
        }

        def __init__(self, value: str) -> None:
            self.value = value

        @classmethod
        def load(cls, name: str) -> FakeSecret:
            if name not in cls.values:
                raise ValueError(name)
            return cls(cls.values[name])

        def get(self) -> str:
            return self.value

    fake = types.ModuleType("prefect.blocks.system")
    fake.Secret = FakeSecret  # type: ignore[attr-defined]
    monkeypatch.setitem(__import__("sys").modules, "prefect.blocks.system", fake)
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")
    for key in ("DONDOC_ZALO_APP_SECRET", "DONDOC_ZALO_ACCESS_TOKEN", "DONDOC_ZALO_REFRESH_TOKEN"):
        monkeypatch.delenv(key)
    zsecrets.clear_cache()
    assert notify_zalo("zalo://oa/1001", "b").ok  # no access token yet: refreshed first
    assert [r["path"] for r in zalo_env.received] == [OAUTH_PATH, OA_PATH]

    # A failing Prefect is a fallback, not a crash.
    FakeSecret.values = {}
    zsecrets.clear_cache()
    assert ZaloCredentials().app_secret is None


# --------------------------------------------------------------------------- failures


def test_quota_error_fails_without_retry(zalo_env: ZaloSandbox) -> None:
    zalo_env.quota_exceeded = True
    plugin = plugin_for(f"zalo://zns/0912345678?template={TEMPLATE}")
    assert plugin.notify(body="b", title="t") is False
    assert len(zalo_env.received) == 1  # no retry storm
    result = plugin.last_result
    assert result is not None
    assert result.kind == "quota" and result.code == -115 and result.retryable


def test_http_429_is_quota_without_retry(zalo_env: ZaloSandbox) -> None:
    zalo_env.fail_next(1, status=429)
    result = notify_zalo("zalo://oa/1001", "b")
    assert not result.ok and result.kind == "quota"
    assert len(zalo_env.received) == 1


def test_http_500_fails_then_recovers(zalo_env: ZaloSandbox) -> None:
    zalo_env.fail_next(1)
    ap = apprise.Apprise()
    ap.add("zalo://oa/1001")
    assert ap.notify(body="b") is False
    assert len(zalo_env.received) == 1
    assert ap.notify(body="b") is True


def test_error_code_with_http_200_fails(
    zalo_env: ZaloSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    plugin = plugin_for("zalo://zns/0912345678?template=999")  # unknown template
    assert plugin.notify(body="b", title="t") is False
    result = plugin.last_result
    assert result is not None
    assert result.code == -109 and result.http_status == 200 and not result.retryable
    assert "-109" in caplog.text
    assert len(zalo_env.received) == 1


def test_sandbox_down_fails(zalo_env: ZaloSandbox) -> None:
    zalo_env.down = True
    result = notify_zalo("zalo://oa/1001", "b")
    assert not result.ok and result.kind == "network" and result.retryable


def test_sandbox_rejects_like_zalo(zalo_env: ZaloSandbox) -> None:
    headers = {"access_token": zalo_env.access_token}
    long_text = {"recipient": {"user_id": "1"}, "message": {"text": "a" * 2001}}
    answer = requests.post(zalo_env.url + OA_PATH, json=long_text, headers=headers, timeout=5)
    assert answer.status_code == 200 and answer.json()["error"] == -210
    data = {"title": "t", "content": "c"}
    bad_phone: dict[str, Any] = {
        "phone": "0912345678",
        "template_id": TEMPLATE,
        "template_data": data,
    }
    answer = requests.post(zalo_env.url + ZNS_PATH, json=bad_phone, headers=headers, timeout=5)
    assert answer.json()["error"] == -108
    unknown = requests.post(
        zalo_env.url + OA_PATH, json=long_text, headers={"access_token": "nope"}, timeout=5
    ).json()
    assert unknown == {"error": -216, "message": "Access token is invalid"}


# --------------------------------------------------------------------------- rate limit


def test_rate_limit_spaces_requests(zalo_env: ZaloSandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DONDOC_ZALO_RATE_PER_SECOND", "5")
    ap = apprise.Apprise()
    for i in range(12):
        ap.add(f"zalo://oa/{1000 + i}")  # twelve services: Apprise sends them from threads
    started = time.monotonic()
    assert ap.notify(body="Nhắc hạn") is True
    elapsed = time.monotonic() - started
    assert len(zalo_env.requests_to(OA_PATH)) == 12
    assert 1.9 <= elapsed < 6.0, elapsed
