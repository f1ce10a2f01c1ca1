"""The channels against real servers on loopback (aiosmtpd; an HTTP server speaking WeCom's
API), with an injected clock: retries, back-off and the rate limit take no real time."""

from __future__ import annotations

import pytest

from ee_app.messaging import Message, Outcome, Pacer, Status, TransientFailure
from ee_app.messaging.smtp import SmtpChannel, SmtpConfig
from ee_app.messaging.wecom import WecomAppChannel, WecomConfig, WecomRobotChannel
from tests.messaging.servers import (
    AGENT_ID,
    CORP_ID,
    SECRET,
    WecomState,
    free_port,
    smtp_server,
    wecom_server,
)


class FakeTime:
    """A clock that moves only when slept on."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds


def pacer(time: FakeTime, rate: float = 1000.0, retries: int = 3) -> Pacer:
    return Pacer(rate=rate, retries=retries, clock=time.clock, sleep=time.sleep)


@pytest.mark.parametrize(
    ("rate", "messages", "slept"),
    [
        (2.0, 1, []),
        (2.0, 3, [0.5, 0.5]),
        (0.5, 3, [2.0, 2.0]),
    ],
)
def test_rate_limit_spaces_messages(rate, messages, slept):
    time = FakeTime()
    p = pacer(time, rate=rate)
    for _ in range(messages):
        p.attempt(lambda: None)
    assert time.slept == slept


@pytest.mark.parametrize(
    ("failures", "retries", "outcome", "backoffs"),
    [
        (0, 3, "ok", []),
        (1, 3, "ok", [1.0]),
        (3, 3, "ok", [1.0, 2.0, 4.0]),
        (4, 3, "gave up", [1.0, 2.0, 4.0]),
        (9, 6, "gave up", [1.0, 2.0, 4.0, 8.0, 16.0, 30.0]),  # capped at max_delay
    ],
)
def test_bounded_exponential_backoff(failures, retries, outcome, backoffs):
    time = FakeTime()
    p = pacer(time, rate=1e9, retries=retries)
    calls = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) <= failures:
            raise TransientFailure("server_busy")
        return "ok"

    try:
        result = p.attempt(flaky)
    except TransientFailure:
        result = "gave up"
    assert result == outcome
    assert [s for s in time.slept if s >= 1.0] == backoffs
    assert len(calls) == min(failures, retries) + 1


def mail(to: str, n: int = 0) -> Message:
    return Message(to=to, subject=f"提醒 {n}", body=f"链接 https://ee.test/survey?t=T{n}")


def test_smtp_sends_one_message_per_recipient_over_one_connection():
    time = FakeTime()
    with smtp_server() as (controller, inbox):
        inbox.refuse.add("gone@chain.test")
        config = SmtpConfig(
            host="127.0.0.1", port=controller.port, security="none", sender="hr@chain.test"
        )
        channel = SmtpChannel(config, pacer(time))
        progress: list[tuple[int, int]] = []
        outcomes = channel.send(
            [mail("a@chain.test", 1), mail("gone@chain.test", 2), mail("b@chain.test", 3)],
            lambda done, total: progress.append((done, total)),
        )
    assert outcomes == [
        Outcome(Status.SENT),
        Outcome(Status.FAILED_PERMANENT, "invalid_address"),
        Outcome(Status.SENT),
    ]
    assert [m["To"] for m in inbox.messages] == ["a@chain.test", "b@chain.test"]
    assert inbox.messages[0]["Subject"] == "提醒 1"
    assert "T1" in inbox.messages[0].get_content()
    assert progress == [(1, 3), (2, 3), (3, 3)]


def test_smtp_without_a_server_gives_up_after_retries_for_the_whole_batch():
    time = FakeTime()
    config = SmtpConfig(host="127.0.0.1", port=free_port(), security="none", sender="hr@c.test")
    channel = SmtpChannel(config, pacer(time, retries=2))
    outcomes = channel.send([mail("a@c.test"), mail("b@c.test")])
    assert outcomes == [Outcome(Status.FAILED_AFTER_RETRIES, "connection")] * 2
    assert [s for s in time.slept if s >= 1.0] == [1.0, 2.0]  # tried 3 times, then stopped


def wecom(base_url: str, **kw) -> WecomConfig:
    return WecomConfig(corp_id=CORP_ID, secret=SECRET, agent_id=AGENT_ID, base_url=base_url, **kw)


def card(to: str) -> Message:
    return Message(to=to, subject="提醒", body="请作答", link=f"https://ee.test/survey?t={to}")


def test_wecom_app_message_refreshes_an_expired_token_once_and_backs_off_when_limited():
    time = FakeTime()
    state = WecomState(members={"ZhangSan", "LiSi", "WangWu"}, planned=[])
    with wecom_server(state) as base:
        channel = WecomAppChannel(wecom(base), pacer(time), clock=time.clock)
        assert channel.send([card("ZhangSan")]) == [Outcome(Status.SENT)]
        state.planned[:] = [42001]  # the token expired early: a new one, and once more
        assert channel.send([card("LiSi")]) == [Outcome(Status.SENT)]
        assert state.tokens_issued == 2
        state.planned[:] = [45009]  # over the frequency limit: back off, try again
        assert channel.send([card("WangWu")]) == [Outcome(Status.SENT)]
        assert 1.0 in time.slept
        assert channel.send([card("Nobody")]) == [Outcome(Status.FAILED_PERMANENT, "invalid_user")]
    assert [m["touser"] for m in state.sent] == ["ZhangSan", "LiSi", "WangWu"]
    first = state.sent[0]
    assert first["msgtype"] == "textcard" and first["agentid"] == int(AGENT_ID)
    assert first["textcard"]["url"] == "https://ee.test/survey?t=ZhangSan"
    assert state.tokens_issued == 2  # cached between batches


def test_wecom_token_is_fetched_again_when_it_runs_out():
    time = FakeTime()
    state = WecomState(members={"ZhangSan"})
    with wecom_server(state) as base:
        channel = WecomAppChannel(wecom(base), pacer(time), clock=time.clock)
        channel.send([card("ZhangSan")])
        time.now += 7200  # expires_in
        channel.send([card("ZhangSan")])
    assert state.tokens_issued == 2


def test_wecom_wrong_secret_fails_the_whole_batch_without_sending():
    time = FakeTime()
    state = WecomState(members={"ZhangSan"})
    with wecom_server(state) as base:
        config = WecomConfig(corp_id=CORP_ID, secret="wrong", agent_id=AGENT_ID, base_url=base)
        outcomes = WecomAppChannel(config, pacer(time)).send([card("ZhangSan")] * 3)
    assert outcomes == [Outcome(Status.FAILED_PERMANENT, "not_authorised")] * 3
    assert state.calls == ["/cgi-bin/gettoken"]


def test_wecom_busy_throughout_gives_up_after_retries():
    time = FakeTime()
    state = WecomState(members={"ZhangSan"}, planned=[45009] * 10)
    with wecom_server(state) as base:
        outcomes = WecomAppChannel(wecom(base), pacer(time, retries=2)).send([card("ZhangSan")])
    assert outcomes == [Outcome(Status.FAILED_AFTER_RETRIES, "rate_limited")]
    assert state.calls.count("/cgi-bin/message/send") == 3


def test_group_robot_posts_text_and_refuses_a_personal_link():
    time = FakeTime()
    state = WecomState(robot_keys={"key-sh01"})
    with wecom_server(state) as base:
        channel = WecomRobotChannel(wecom(base), pacer(time))
        outcomes = channel.send(
            [
                Message(to="key-sh01", subject="提醒", body="截止日期 2026-11-20"),
                Message(to="key-sh01", subject="提醒", body="x", link="https://ee.test/s?t=x"),
            ]
        )
    assert outcomes == [
        Outcome(Status.SENT),
        Outcome(Status.FAILED_PERMANENT, "personal_link_in_group"),
    ]
    assert state.posted == [
        {"key": "key-sh01", "msgtype": "text", "text": {"content": "提醒\n截止日期 2026-11-20"}}
    ]


def test_an_unexpected_error_fails_one_message_and_logs_no_address(caplog):
    from ee_app.messaging import run_batch

    def send_one(message: Message) -> None:
        if message.to == "bad@c.test":
            raise KeyError(message.to)

    outcomes = run_batch([mail("bad@c.test"), mail("ok@c.test")], send_one, pacer(FakeTime()))
    assert outcomes == [Outcome(Status.FAILED_PERMANENT, "unexpected"), Outcome(Status.SENT)]
    assert "KeyError" in caplog.text and "bad@c.test" not in caplog.text


def test_smtp_refuses_a_header_injection_without_sending_it():
    time = FakeTime()
    with smtp_server() as (controller, inbox):
        config = SmtpConfig(
            host="127.0.0.1", port=controller.port, security="none", sender="hr@chain.test"
        )
        outcomes = SmtpChannel(config, pacer(time)).send(
            [Message(to="a@c.test\nBcc: x@evil.test", subject="s", body="b"), mail("b@c.test")]
        )
    assert outcomes[0].status is Status.FAILED_PERMANENT and outcomes[1].sent
    assert [m["To"] for m in inbox.messages] == ["b@c.test"]
