"""What a command imports before it answers (issue 20): the parser needs no database
library, a command on a database that is ready skips Alembic and the results builder, and
the simple lists read with SQLAlchemy Core: no ORM, no models, no mail libraries.
Times are measured by ``bench/cli_startup.py``, never asserted here."""

import os
import subprocess
import sys

import pytest

PROBE = (
    "import sys\n"
    "from ee_app.cli import main\n"
    "try:\n"
    "    code = main(sys.argv[1:])\n"
    "except SystemExit as exc:\n"
    "    code = exc.code\n"
    "heavy = ('sqlalchemy', 'sqlalchemy.orm', 'sqlalchemy.dialects.postgresql', 'alembic',\n"
    "         'pandas', 'openpyxl', 'streamlit', 'ee_app.services', 'ee_app.models',\n"
    "         'smtplib', 'urllib.request')\n"
    "loaded = sorted({h for n in sys.modules for h in heavy if n == h or n.startswith(h + '.')})\n"
    "print('LOADED', ' '.join(loaded) or '-', 'EXIT', code, file=sys.stderr)\n"
)


def loaded_by(db_url: str, *argv: str) -> tuple[set[str], str]:
    env = {**os.environ, "EE_DATABASE_URL": db_url, "EE_LANG": "en"}
    env.pop("EE_ENV", None)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *argv], env=env, capture_output=True, text=True, timeout=600
    )
    line = done.stderr.strip().splitlines()[-1]
    assert line.startswith("LOADED"), done.stderr
    names = line.split()[1 : line.split().index("EXIT")]
    return set(names) - {"-"}, line.split()[-1]


@pytest.mark.parametrize(
    ("argv", "allowed"),
    [
        (("--help",), set()),
        (("config", "show"), set()),
        (("users", "list"), {"sqlalchemy", "ee_app.services"}),
        (("wave", "list"), {"sqlalchemy", "ee_app.services"}),
        (("staff", "list"), {"sqlalchemy", "ee_app.services"}),
        (("staff", "list", "--unit", "SH01", "--search", "E10"), {"sqlalchemy", "ee_app.services"}),
        (("users", "list", "--as", "admin@demo.example"), {"sqlalchemy", "ee_app.services"}),
        (("wave", "list", "--as", "manager.east@demo.example"), {"sqlalchemy", "ee_app.services"}),
    ],
)
def test_commands_import_only_what_they_use(tmp_path, sqlite_demo_template, argv, allowed):
    from ee_app.db import make_engine
    from ee_app.services.startup import prepare
    from tests.conftest import make_demo_database

    url = make_demo_database(sqlite_demo_template, tmp_path / "demo.db")
    engine = make_engine(url)
    prepare(engine)  # as any earlier command would have: now start-up has nothing to do
    engine.dispose()
    loaded, code = loaded_by(url, *argv)
    assert code == "0"
    assert loaded <= allowed


def test_an_empty_database_is_still_created_by_any_command(tmp_path):
    url = f"sqlite:///{tmp_path / 'new' / 'ee_app.db'}"
    loaded, code = loaded_by(url, "users", "list")
    assert code == "0"
    assert "alembic" in loaded  # the full start-up ran: schema, reference data
    again, code = loaded_by(url, "users", "list")
    assert code == "0"
    assert "alembic" not in again and "pandas" not in again
