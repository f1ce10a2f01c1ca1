"""Real servers on loopback that the messaging tests talk to: an SMTP server (aiosmtpd) that
keeps what it receives, and an HTTP server that answers as WeCom's documented API does."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.controller import Controller

CORP_ID = "ww-test-corp"
SECRET = "test-app-secret-0123456789"
AGENT_ID = "1000002"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse: set[str] = set()  # recipients answered with 550

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server(**options: Any) -> Iterator[tuple[Controller, _Inbox]]:
    """aiosmtpd on loopback; ``options`` go to its Controller (TLS, authentication)."""
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), **options)
    controller.start()
    try:
        yield controller, inbox
    finally:
        controller.stop()


@dataclass
class WecomState:
    """What the fake WeCom server knows and received. ``planned`` holds errcodes to answer,
    in order, to the next message/send calls (42001 also revokes the current token)."""

    members: set[str] = field(default_factory=set)
    robot_keys: set[str] = field(default_factory=set)
    planned: list[int] = field(default_factory=list)
    tokens_issued: int = 0
    token: str | None = None
    sent: list[dict[str, Any]] = field(default_factory=list)
    posted: list[dict[str, Any]] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _handler(state: WecomState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # quiet
            pass

        def _answer(self, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _body(self) -> dict[str, Any]:
            length = int(self.headers.get("Content-Length") or 0)
            return json.loads(self.rfile.read(length).decode()) if length else {}

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            with state.lock:
                state.calls.append(url.path)
                if url.path != "/cgi-bin/gettoken":
                    return self._answer({"errcode": 404, "errmsg": "not found"})
                if (query.get("corpid"), query.get("corpsecret")) != (CORP_ID, SECRET):
                    return self._answer({"errcode": 40001, "errmsg": "invalid credential"})
                state.tokens_issued += 1
                state.token = f"token-{state.tokens_issued}"
                return self._answer(
                    {
                        "errcode": 0,
                        "errmsg": "ok",
                        "access_token": state.token,
                        "expires_in": 7200,
                    }
                )

        def do_POST(self) -> None:
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            body = self._body()
            with state.lock:
                state.calls.append(url.path)
                if url.path == "/cgi-bin/webhook/send":
                    if query.get("key") not in state.robot_keys:
                        return self._answer({"errcode": 93000, "errmsg": "invalid webhook url"})
                    state.posted.append({"key": query["key"], **body})
                    return self._answer({"errcode": 0, "errmsg": "ok"})
                if url.path != "/cgi-bin/message/send":
                    return self._answer({"errcode": 404, "errmsg": "not found"})
                if query.get("access_token") != state.token or state.token is None:
                    return self._answer({"errcode": 40014, "errmsg": "invalid access_token"})
                if state.planned:
                    code = state.planned.pop(0)
                    if code == 42001:
                        state.token = None
                    return self._answer({"errcode": code, "errmsg": "planned"})
                if str(body.get("agentid")) != AGENT_ID:
                    return self._answer({"errcode": 40056, "errmsg": "invalid agentid"})
                user = body.get("touser", "")
                if user not in state.members:
                    return self._answer(
                        {
                            "errcode": 81013,
                            "errmsg": "user & party & tag all invalid",
                            "invaliduser": user,
                        }
                    )
                state.sent.append(body)
                return self._answer({"errcode": 0, "errmsg": "ok", "invaliduser": "", "msgid": "m"})

    return Handler


@contextmanager
def wecom_server(state: WecomState) -> Iterator[str]:
    """Serve ``state`` on loopback; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
