"""A local stand-in for Zalo's APIs, for tests and demos (there is no internet here).

Contract implemented, from Zalo's public developer documentation (developers.zalo.me: "Gửi tin
Tư vấn" for OA v3.0, "Gửi ZNS" for the template API, "Lấy Access Token từ Refresh Token" for
OAuth v4) and the ZNS error table (zalo.cloud/zns/guidelines/handle-error-code):

* ``POST /v3.0/oa/message/cs`` — header ``access_token``; JSON
  ``{"recipient":{"user_id":…},"message":{"text":…}}``; answers
  ``{"error":0,"message":"Success","data":{"message_id":…,"user_id":…}}``.
* ``POST /message/template`` — header ``access_token``; JSON
  ``{"phone":"84…","template_id":…,"template_data":{…},"tracking_id":…}``; answers
  ``{"error":0,"message":"Success","data":{"msg_id":…,"sent_time":…,"quota":{…}}}``.
* ``POST /v4/oa/access_token`` — header ``secret_key``; form ``app_id``,
  ``grant_type=refresh_token``, ``refresh_token``; answers ``access_token``, ``refresh_token``
  (new; the one sent is spent) and ``expires_in`` (a string, as Zalo sends it).

Like Zalo, errors come back with HTTP 200 and a non-zero ``error``. Codes used:

====== ========================================================= ============================
code   meaning                                                   basis
====== ========================================================= ============================
-216   OA: access token invalid / expired                        Zalo OA error table
-124   ZNS: access token invalid / expired                       ZNS error table
-201   OA: parameters invalid (no user id / no text / bad JSON)  Zalo OA error table
-210   OA: text longer than 2000 characters                      sandbox choice (OA limit)
-108   ZNS: phone number invalid (must be 84xxxxxxxxx)           ZNS error table
-109   ZNS: template id invalid / unknown                        ZNS error table
-111   ZNS: template data empty                                  ZNS error table
-112   ZNS: template data invalid (missing parameter)            ZNS error table
-115   ZNS: out of quota (``quota_exceeded = True``)              ZNS error table
-14002 OAuth: app id / secret key / grant type invalid           sandbox choice
-14014 OAuth: refresh token invalid or already used              sandbox choice
====== ========================================================= ============================

Switches: :meth:`ZaloSandbox.expire_token`, ``quota_exceeded``, :meth:`ZaloSandbox.fail_next`
(HTTP 500, or any status such as 429/503, for the next n calls), ``down`` (connections are
closed without an answer). Every request is kept in ``received`` with secrets masked.

Run ``python -m notifications.zalo_sandbox`` to serve until Ctrl-C; it prints the environment
variables that point dondoc at it.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import secrets
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

log = logging.getLogger("dondoc.zalo.sandbox")

OA_PATH = "/v3.0/oa/message/cs"
ZNS_PATH = "/message/template"
OAUTH_PATH = "/v4/oa/access_token"
OA_TEXT_LIMIT = 2000
SECRET_HEADERS = ("access_token", "secret_key", "authorization")

_PHONE_84 = re.compile(r"^84\d{9}$")


class ZaloSandbox:
    """A threaded HTTP server on 127.0.0.1 that answers like Zalo's OA, ZNS and OAuth APIs."""

    def __init__(
        self,
        *,
        app_id: str = "sandbox-app-1234",
        app_secret: str | None = None,
        access_token: str | None = None,
        refresh_token: str | None = None,
        token_ttl: int = 90000,
        templates: dict[str, list[str]] | None = None,
        daily_quota: int = 500,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.app_id = app_id
        self.app_secret = app_secret or "sbx-secret-" + secrets.token_urlsafe(16)
        self.token_ttl = token_ttl
        # template id -> required template_data keys; None accepts any template id.
        self.templates = templates
        self.daily_quota = daily_quota
        self.remaining_quota = daily_quota
        self.host, self.port = host, port

        self.received: list[dict[str, Any]] = []
        self.quota_exceeded = False
        self.down = False
        self.refresh_count = 0
        #: every token and secret the sandbox ever handed out (tests check logs against it)
        self.issued_secrets: list[str] = [self.app_secret]

        self._lock = threading.Lock()
        self._fail: list[int] = []  # HTTP statuses to answer with, one per coming call
        self._access: dict[str, float] = {}  # access token -> expiry (epoch seconds)
        self._refresh_valid: set[str] = set()
        self._refresh_used: set[str] = set()
        self.access_token = ""
        self.refresh_token = ""
        self._issue(access_token, refresh_token)

        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self) -> str:
        """Start serving in a background thread; return the base URL."""
        if self._server is None:
            server = ThreadingHTTPServer((self.host, self.port), _make_handler(self))
            server.daemon_threads = True
            self._server = server
            # A short poll interval keeps stop() (and so each test) fast.
            self._thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="zalo-sandbox",
                daemon=True,
            )
            self._thread.start()
        return self.url

    def stop(self) -> None:
        """Stop serving and free the port."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> ZaloSandbox:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Base URL (the same for the OA, ZNS and OAuth endpoints)."""
        if self._server is None:
            raise RuntimeError("Sandbox Zalo chưa chạy: gọi start() trước.")
        host, port = self._server.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else host
        return f"http://{host}:{port}"

    def env(self) -> dict[str, str]:
        """Environment variables that point dondoc's Zalo service at this sandbox."""
        return {
            "DONDOC_ZALO_OA_URL": self.url,
            "DONDOC_ZALO_ZNS_URL": self.url,
            "DONDOC_ZALO_OAUTH_URL": self.url,
            "DONDOC_ZALO_APP_ID": self.app_id,
            "DONDOC_ZALO_APP_SECRET": self.app_secret,
            "DONDOC_ZALO_ACCESS_TOKEN": self.access_token,
            "DONDOC_ZALO_REFRESH_TOKEN": self.refresh_token,
        }

    # -- switches -------------------------------------------------------------------------------
    def expire_token(self) -> None:
        """Every access token issued so far stops working (as after ~25 hours)."""
        with self._lock:
            for token in self._access:
                self._access[token] = 0.0

    def fail_next(self, n: int = 1, status: int = 500) -> None:
        """Answer the next ``n`` calls (any endpoint) with HTTP ``status`` (500, 429, 503…)."""
        with self._lock:
            self._fail.extend([status] * n)

    def refresh_token_valid(self, token: str) -> bool:
        """Whether ``token`` could still be exchanged."""
        with self._lock:
            return token in self._refresh_valid

    def requests_to(self, path: str) -> list[dict[str, Any]]:
        """The received requests for one endpoint path."""
        with self._lock:
            return [r for r in self.received if r["path"] == path]

    # -- state ------------------------------------------------------------------------------------
    def _issue(self, access: str | None = None, refresh: str | None = None) -> dict[str, Any]:
        access = access or "sbx-at-" + secrets.token_urlsafe(24)
        refresh = refresh or "sbx-rt-" + secrets.token_urlsafe(24)
        self._access[access] = time.time() + self.token_ttl
        self._refresh_valid.add(refresh)
        self.access_token, self.refresh_token = access, refresh
        self.issued_secrets += [access, refresh]
        return {"access_token": access, "refresh_token": refresh, "expires_in": str(self.token_ttl)}

    def _token_ok(self, token: str | None) -> bool:
        expiry = self._access.get(token or "")
        return expiry is not None and expiry > time.time()

    def _record(self, path: str, headers: dict[str, str], body: Any, token_ok: bool | None) -> None:
        clean = {
            k.lower(): ("***" if k.lower() in SECRET_HEADERS else v) for k, v in headers.items()
        }
        if isinstance(body, dict) and "refresh_token" in body:
            body = {**body, "refresh_token": "***"}
        self.received.append(
            {
                "path": path,
                "headers": clean,
                "body": body,
                "access_token_valid": token_ok,
                "time": time.time(),
            }
        )

    # -- endpoints (called with the lock held) ----------------------------------------------------
    def _oa(self, token: str | None, body: Any) -> dict[str, Any]:
        if not self._token_ok(token):
            return {"error": -216, "message": "Access token is invalid"}
        if not isinstance(body, dict):
            return {"error": -201, "message": "Parameters invalid"}
        user_id = (body.get("recipient") or {}).get("user_id")
        text = (body.get("message") or {}).get("text")
        if not user_id or not isinstance(text, str) or not text:
            return {"error": -201, "message": "Parameters invalid"}
        if len(text) > OA_TEXT_LIMIT:
            return {"error": -210, "message": "Text exceeds the limit of 2000 characters"}
        return {
            "error": 0,
            "message": "Success",
            "data": {"message_id": uuid.uuid4().hex, "user_id": str(user_id)},
        }

    def _zns(self, token: str | None, body: Any) -> dict[str, Any]:
        if not self._token_ok(token):
            return {"error": -124, "message": "Access token is invalid"}
        if not isinstance(body, dict):
            return {"error": -112, "message": "Template data invalid"}
        phone = str(body.get("phone") or "")
        if not _PHONE_84.match(phone):
            return {"error": -108, "message": "Phone number invalid"}
        template_id = str(body.get("template_id") or "")
        if not template_id or (self.templates is not None and template_id not in self.templates):
            return {"error": -109, "message": "Template ID invalid"}
        data = body.get("template_data")
        if not isinstance(data, dict) or not data:
            return {"error": -111, "message": "Template data empty"}
        if self.templates is not None:
            missing = [k for k in self.templates[template_id] if k not in data]
            if missing:
                return {"error": -112, "message": f"Template data invalid: missing {missing}"}
        if self.quota_exceeded or self.remaining_quota <= 0:
            return {"error": -115, "message": "Out of quota"}
        self.remaining_quota -= 1
        return {
            "error": 0,
            "message": "Success",
            "data": {
                "msg_id": uuid.uuid4().hex,
                "sent_time": str(int(time.time() * 1000)),
                "quota": {
                    "dailyQuota": str(self.daily_quota),
                    "remainingQuota": str(self.remaining_quota),
                },
            },
        }

    def _oauth(self, secret_key: str | None, form: dict[str, str]) -> dict[str, Any]:
        if (
            secret_key != self.app_secret
            or form.get("app_id") != self.app_id
            or form.get("grant_type") != "refresh_token"
        ):
            return {
                "error": -14002,
                "error_name": "Invalid parameter",
                "error_description": "app_id, secret_key or grant_type is invalid",
            }
        token = form.get("refresh_token", "")
        if token not in self._refresh_valid:
            reason = "has been used" if token in self._refresh_used else "is invalid"
            return {
                "error": -14014,
                "error_name": "Invalid refresh token",
                "error_description": f"Refresh token {reason}",
            }
        self._refresh_valid.discard(token)
        self._refresh_used.add(token)
        self.refresh_count += 1
        return self._issue()


def _make_handler(sandbox: ZaloSandbox) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "ZaloSandbox/1.0"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            # Request lines only (no headers, no bodies): nothing secret.
            log.debug("%s %s", self.address_string(), format % args)

        def do_GET(self) -> None:  # noqa: N802
            self._answer(404, {"error": -1, "message": "Not found"})

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            path = self.path.split("?", 1)[0]
            headers = dict(self.headers.items())
            lower = {k.lower(): v for k, v in headers.items()}
            with sandbox._lock:
                if path == OAUTH_PATH:
                    form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8")).items()}
                    body: Any = form
                    token_ok = None
                else:
                    try:
                        body = json.loads(raw.decode("utf-8")) if raw else None
                    except ValueError:
                        body = {"_raw": raw.decode("utf-8", "replace")}
                    token_ok = sandbox._token_ok(lower.get("access_token"))
                sandbox._record(path, headers, body, token_ok)
                if sandbox.down:
                    # Drop the connection without a word, like an unreachable gateway.
                    self.close_connection = True
                    status, answer = None, None
                elif sandbox._fail:
                    status, answer = sandbox._fail.pop(0), None
                elif path == OA_PATH:
                    status, answer = 200, sandbox._oa(lower.get("access_token"), body)
                elif path == ZNS_PATH:
                    status, answer = 200, sandbox._zns(lower.get("access_token"), body)
                elif path == OAUTH_PATH:
                    status, answer = 200, sandbox._oauth(lower.get("secret_key"), body)
                else:
                    status, answer = 404, {"error": -1, "message": "Not found"}
            if status is not None:
                self._answer(status, answer)

        def _answer(self, status: int, answer: dict[str, Any] | None) -> None:
            if answer is None:
                payload = f"HTTP {status}".encode()
                ctype = "text/plain; charset=utf-8"
            else:
                payload = json.dumps(answer, ensure_ascii=False).encode("utf-8")
                ctype = "application/json; charset=utf-8"
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler


def main(argv: list[str] | None = None) -> None:
    """Serve the sandbox until Ctrl-C and print how to point dondoc at it."""
    parser = argparse.ArgumentParser(description="Máy chủ Zalo giả lập (OA, ZNS, OAuth) để thử.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: một cổng trống bất kỳ")
    args = parser.parse_args(argv)
    sandbox = ZaloSandbox(host=args.host, port=args.port)
    url = sandbox.start()
    print(f"Sandbox Zalo đang chạy tại {url} (Ctrl-C để dừng).")
    print("Biến môi trường để dondoc gửi tới sandbox (token giả, chỉ dùng thử):")
    for key, value in sandbox.env().items():
        print(f"export {key}={value}")
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        print("\nĐã dừng sandbox Zalo.")
    finally:
        sandbox.stop()


if __name__ == "__main__":
    main()
