"""``ee-app config show``: the settings and their help, secrets not shown."""

from __future__ import annotations

import argparse
import re

from ee_app.cli.common import Context, command
from ee_app.config import SETTINGS, public_url_of

_URL_PASSWORD = re.compile(r"^(?P<start>[\w+.-]+://[^:@/]*:)(?P<password>.*)@(?P<host>[^@]*)$")


_QUERY_PASSWORD = re.compile(r"(?P<start>[?&]password=)[^&]*", re.IGNORECASE)


def _masked_url(url: str) -> str:
    """A database URL with its password shown as ``***``: ``user:***@host``, and a
    ``password=`` query parameter too. Read on the text itself, up to the last ``@``, so
    a password holding ``@``, ``:`` or ``/`` is masked whole."""
    url = _URL_PASSWORD.sub(r"\g<start>***@\g<host>", url)
    return _QUERY_PASSWORD.sub(r"\g<start>***", url)


def _config_show(_ctx: Context | None, _args: argparse.Namespace) -> int:
    import os

    for setting in SETTINGS:
        value = os.environ.get(setting.name, "") or setting.default
        if setting.secret and value:
            value = "(set, not shown)"
        elif setting.name == "EE_DATABASE_URL":
            value = _masked_url(value)
        elif setting.name == "EE_PUBLIC_URL":
            value = public_url_of(os.environ)  # empty means EE_HOST:EE_PORT: say which
        print(f"{setting.name}={value}\n    {setting.help}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    config = command(sub, "config", "settings")
    config.add_parser("show", help="print the settings and their help").set_defaults(
        fn=_config_show, no_db=True
    )
