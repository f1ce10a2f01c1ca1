"""WeCom (企业微信): application messages to one member, and group-robot posts.

An application message goes through ``/cgi-bin/gettoken`` (corp id and the application's
secret give an ``access_token``, cached until its ``expires_in`` runs out) and
``/cgi-bin/message/send`` (``agentid``, ``touser``, ``msgtype`` ``textcard`` with the personal
link, or ``text``). A group robot posts into a group chat with ``/cgi-bin/webhook/send?key=``:
everyone in the group reads it, so it never carries a personal link or a name (the reminder
service builds its text; :class:`WecomRobotChannel` refuses a message with a link).

The errcodes, as WeCom documents them (全局错误码):

======================  ==========================================  ======================
errcode                 meaning                                     what we do
======================  ==========================================  ======================
0                       ok (``invaliduser`` may still list the      sent, unless the one
                        members it did not reach)                   recipient is listed
40014, 42001, 41001     access_token invalid, expired, missing      new token, once more
45009, 45033, 45011,    frequency or concurrency limit; system      back off, try again
-1, 6000                busy; data version conflict
40003, 60111, 81013,    invalid user id, user not found, user and  failed for good
60103, 40031            party and tag all invalid                  (``invalid_user``)
40001, 40013, 40056,    wrong secret, corp id, agent id; no right  the whole batch fails
48002, 60020, 301002,   to the API or the application; IP not      (``not_authorised``)
93000, 93004            allowed; robot key invalid or robot off
======================  ==========================================  ======================
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from ee_app.messaging import (
    Message,
    Outcome,
    Pacer,
    PermanentFailure,
    Progress,
    TransientFailure,
    run_batch,
)
from ee_app.messaging.settings import DEFAULT_BASE_URL, WecomConfig

__all__ = ["DEFAULT_BASE_URL", "WecomAppChannel", "WecomConfig", "WecomRobotChannel"]


TOKEN_ERRORS = frozenset({40014, 42001, 41001})
BUSY = frozenset({-1, 6000, 45009, 45011, 45033})
INVALID_USER = frozenset({40003, 40031, 60103, 60111, 81013})
NOT_AUTHORISED = frozenset({40001, 40013, 40056, 48002, 60020, 301002, 93000, 93004})
#: Seconds before ``expires_in`` runs out when a token is fetched anew (clocks differ).
TOKEN_MARGIN = 60.0


Post = Callable[[str, dict[str, Any] | None], dict[str, Any]]


def http_json(url: str, body: dict[str, Any] | None, timeout: float = 15.0) -> dict[str, Any]:
    """GET (no body) or POST JSON; the decoded answer. Network trouble and answers that are
    not JSON are :class:`TransientFailure` (``connection``)."""
    if not url.startswith(("https://", "http://")):
        raise PermanentFailure("not_authorised", whole_batch=True)
    data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
    request = urllib.request.Request(  # noqa: S310 (http(s) only, checked above)
        url, data=data, headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            answer = json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        if exc.code == 429 or exc.code >= 500:
            raise TransientFailure("server_busy") from exc
        raise PermanentFailure("rejected") from exc
    except (OSError, ValueError) as exc:
        raise TransientFailure("connection") from exc
    if not isinstance(answer, dict):
        raise TransientFailure("connection")
    return answer


def _code(answer: Mapping[str, Any]) -> int:
    try:
        return int(answer.get("errcode", 0))
    except (TypeError, ValueError):
        return -1


def _raise_for(code: int) -> None:
    """Turn a non-zero errcode into the failure the table in the module docstring says."""
    if code in BUSY:
        raise TransientFailure("rate_limited" if code >= 45000 else "server_busy")
    if code in INVALID_USER:
        raise PermanentFailure("invalid_user")
    if code in NOT_AUTHORISED:
        raise PermanentFailure("not_authorised", whole_batch=True)
    raise PermanentFailure("rejected")


class _Token:
    """The access_token, kept until ``expires_in`` (less a margin) has passed."""

    def __init__(self, config: WecomConfig, post: Post, clock: Callable[[], float]) -> None:
        self.config, self.post, self.clock = config, post, clock
        self.value: str | None = None
        self.expires = 0.0

    def get(self) -> str:
        if self.value is None or self.clock() >= self.expires:
            self.refresh()
        assert self.value is not None
        return self.value

    def refresh(self) -> None:
        query = urlencode({"corpid": self.config.corp_id, "corpsecret": self.config.secret})
        answer = self.post(f"{self.config.base_url}/cgi-bin/gettoken?{query}", None)
        code = _code(answer)
        if code != 0 or not answer.get("access_token"):
            if code in BUSY:
                _raise_for(code)
            raise PermanentFailure("not_authorised", whole_batch=True)
        self.value = str(answer["access_token"])
        expires_in = float(answer.get("expires_in") or 7200)
        self.expires = self.clock() + max(0.0, expires_in - TOKEN_MARGIN)

    def forget(self) -> None:
        self.value = None


class WecomAppChannel:
    """Application messages (应用消息) to one member each: a text card whose button opens the
    personal link, or plain text when the message has no link."""

    name = "wecom"

    def __init__(
        self,
        config: WecomConfig,
        pacer: Pacer | None = None,
        *,
        post: Post | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self.pacer = pacer or Pacer()
        self.post: Post = post or (lambda url, body: http_json(url, body, config.timeout))
        self.token = _Token(config, self.post, clock)

    def send(self, messages: Sequence[Message], progress: Progress | None = None) -> list[Outcome]:
        return run_batch(messages, self._send_one, self.pacer, progress)

    def _body(self, message: Message) -> dict[str, Any]:
        body: dict[str, Any] = {"touser": message.to, "agentid": _agent(self.config.agent_id)}
        if message.link:
            body["msgtype"] = "textcard"
            body["textcard"] = {
                "title": _cut(message.subject, 128),
                "description": _cut(message.body, 512),
                "url": message.link,
            }
        else:
            body["msgtype"] = "text"
            body["text"] = {"content": _cut(f"{message.subject}\n{message.body}", 2048)}
        return body

    def _send_one(self, message: Message) -> None:
        body = self._body(message)
        for refreshed in (False, True):
            url = f"{self.config.base_url}/cgi-bin/message/send?access_token={self.token.get()}"
            answer = self.post(url, body)
            code = _code(answer)
            if code in TOKEN_ERRORS and not refreshed:
                self.token.forget()  # expired or revoked early: a new one, and once more
                continue
            if code in TOKEN_ERRORS:
                raise TransientFailure("server_busy")
            if code != 0:
                _raise_for(code)
            if message.to in str(answer.get("invaliduser") or "").split("|"):
                raise PermanentFailure("invalid_user")
            return


def _cut(text: str, limit: int) -> str:
    """``text`` within WeCom's limit of ``limit`` bytes of UTF-8 (a Chinese character is 3),
    cut on a character boundary.

    >>> _cut("提醒提醒", 7)
    '提醒'
    """
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[:limit].decode("utf-8", errors="ignore")


def _agent(agent_id: str) -> int | str:
    return int(agent_id) if agent_id.isdigit() else agent_id


class WecomRobotChannel:
    """Group robots (群机器人): ``Message.to`` is the robot's webhook key. A post is read by
    the whole group, so a message with a personal link is refused, untried."""

    name = "robot"

    def __init__(
        self, config: WecomConfig, pacer: Pacer | None = None, *, post: Post | None = None
    ) -> None:
        self.config = config
        self.pacer = pacer or Pacer()
        self.post: Post = post or (lambda url, body: http_json(url, body, config.timeout))

    def send(self, messages: Sequence[Message], progress: Progress | None = None) -> list[Outcome]:
        return run_batch(messages, self._send_one, self.pacer, progress)

    def _send_one(self, message: Message) -> None:
        if message.link:
            raise PermanentFailure("personal_link_in_group")
        url = f"{self.config.base_url}/cgi-bin/webhook/send?{urlencode({'key': message.to})}"
        body = {"msgtype": "text", "text": {"content": f"{message.subject}\n{message.body}"}}
        code = _code(self.post(url, body))
        if code != 0:
            _raise_for(code)
