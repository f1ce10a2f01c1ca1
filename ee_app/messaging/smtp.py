"""E-mail through an SMTP server: one connection per batch (STARTTLS or SSL, optional login).

Reason codes: ``invalid_address`` (the server refused the recipient for good, 5xx),
``rejected`` (the server refused the message for good), ``server_busy`` (4xx, tried again),
``connection`` (no connection, tried again), ``not_authorised`` (login refused).
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from ee_app.messaging import (
    Message,
    Outcome,
    Pacer,
    PermanentFailure,
    Progress,
    TransientFailure,
    run_batch,
)
from ee_app.messaging.settings import SECURITY, SmtpConfig

__all__ = ["SECURITY", "SmtpChannel", "SmtpConfig"]


class SmtpChannel:
    """Sends :class:`~ee_app.messaging.Message` as plain-text UTF-8 e-mail."""

    name = "email"

    def __init__(self, config: SmtpConfig, pacer: Pacer | None = None) -> None:
        if config.security not in SECURITY:
            raise ValueError(f"security must be one of {SECURITY}")
        self.config = config
        self.pacer = pacer or Pacer()
        self._conn: smtplib.SMTP | None = None

    def send(self, messages: Sequence[Message], progress: Progress | None = None) -> list[Outcome]:
        try:
            return run_batch(messages, self._send_one, self.pacer, progress)
        finally:
            self._close()

    def _connect(self) -> smtplib.SMTP:
        c = self.config
        context = ssl.create_default_context(cafile=c.ca_file or None)
        conn: smtplib.SMTP | None = None
        try:
            if c.security == "ssl":
                conn = smtplib.SMTP_SSL(c.host, c.port, timeout=c.timeout, context=context)
            else:
                conn = smtplib.SMTP(c.host, c.port, timeout=c.timeout)
                if c.security == "starttls":
                    conn.starttls(context=context)
            if c.user:
                conn.login(c.user, c.password)
        except smtplib.SMTPAuthenticationError as exc:
            _quit(conn)
            raise PermanentFailure("not_authorised", whole_batch=True) from exc
        except (OSError, smtplib.SMTPException) as exc:
            _quit(conn)
            raise TransientFailure("connection", whole_batch=True) from exc
        return conn

    def _close(self) -> None:
        _quit(self._conn)
        self._conn = None

    def _send_one(self, message: Message) -> None:
        if self._conn is None:
            self._conn = self._connect()
        mail = EmailMessage()
        try:
            mail["From"] = self.config.sender or self.config.user
            mail["To"] = message.to
            mail["Subject"] = " ".join(message.subject.split())  # one line, whatever it held
            mail["Date"] = formatdate(localtime=False)
            mail["Message-ID"] = make_msgid(domain=_domain(self.config.sender))
            mail.set_content(message.body, charset="utf-8")
        except (ValueError, TypeError) as exc:  # an address no header can hold
            raise PermanentFailure("invalid_address") from exc
        try:
            self._conn.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _text in exc.recipients.values()]
            if codes and all(400 <= code < 500 for code in codes):
                raise TransientFailure("server_busy") from exc
            raise PermanentFailure("invalid_address") from exc
        except smtplib.SMTPServerDisconnected as exc:
            self._conn = None
            raise TransientFailure("connection") from exc
        except smtplib.SMTPResponseException as exc:
            if 400 <= exc.smtp_code < 500:
                _reset(self._conn)
                raise TransientFailure("server_busy") from exc
            _reset(self._conn)
            raise PermanentFailure("rejected") from exc
        except smtplib.SMTPException as exc:  # e.g. an address that needs SMTPUTF8
            _reset(self._conn)
            raise PermanentFailure("rejected") from exc
        except OSError as exc:
            self._close()
            raise TransientFailure("connection") from exc


def _domain(sender: str) -> str | None:
    return sender.rpartition("@")[2] or None if "@" in sender else None


def _reset(conn: smtplib.SMTP | None) -> None:
    if conn is None:
        return
    with contextlib.suppress(OSError, smtplib.SMTPException):
        conn.rset()


def _quit(conn: smtplib.SMTP | None) -> None:
    if conn is None:
        return
    try:
        conn.quit()
    except (OSError, smtplib.SMTPException):
        conn.close()
