"""The survey a staff member opens from a personal link stays light (issue 20): the modules of
its route (``serve.py`` and the light page ``ee_app/light_survey.py`` that answers the link,
``streamlit_app.py`` before it routes a link, ``ee_app/pages/survey.py``,
``ee_app/pages/link_landing.py``) import no data-analysis or spreadsheet library, and drawing
the survey and submitting it import none either. Each check runs in a fresh interpreter, as a
new app process would. Times are measured by ``bench/phone.py``, never asserted here."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

from ee_app.auth import Actor
from ee_app.config import Settings
from ee_app.db import make_engine
from ee_app.i18n import translator
from ee_app.models import UserRole
from tests.wave_setup import open_new_wave, tokens

ROOT = Path(__file__).resolve().parents[2]
ROUTE = (
    "serve.py",
    "ee_app/light_survey.py",
    "streamlit_app.py",
    "ee_app/pages/survey.py",
    "ee_app/pages/link_landing.py",
)
HEAVY = ("pandas", "scipy", "altair", "pingouin", "openpyxl", "pyarrow")
HR = Actor(email="hr@demo.example", role=UserRole.HR)

LOADED = (
    "import sys\n"
    f"HEAVY = {HEAVY!r}\n"
    "def heavy():\n"
    "    found = {h for n in sys.modules for h in HEAVY if n == h or n.startswith(h + '.')}\n"
    "    return sorted(found)\n"
)


def _route_imports() -> list[str]:
    """Every module the route's files import at their top level."""
    names: list[str] = []
    for file in ROUTE:
        for node in ast.parse((ROOT / file).read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Import):
                names += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.append(node.module)
    return sorted(set(names))


def _run(code: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    lines = [x for x in done.stdout.splitlines() if x.startswith("RESULT")]
    assert lines, done.stdout + done.stderr
    return lines[-1].removeprefix("RESULT").strip()


def test_the_link_route_imports_no_heavy_library():
    modules = _route_imports()
    assert "ee_app.services.answering" in modules and "streamlit" in modules
    code = LOADED + "".join(f"import {m}\n" for m in modules) + "print('RESULT', heavy())\n"
    assert _run(code, {}) == "[]"


def test_drawing_and_submitting_the_survey_imports_no_heavy_library(app_db, tmp_path, monkeypatch):
    """On a database the app has started on (the unknown link's page opened first, in the same
    process), the survey drawn from a real link and then submitted adds no heavy module."""
    env = {"EE_SECRET_KEY": "cd" * 32, "EE_DATA_DIR": str(tmp_path / "data")}
    for name, value in env.items():  # the links below are made with the app's key
        monkeypatch.setenv(name, value)
    engine = make_engine(app_db)
    today, settings = date.today(), Settings.from_env()
    open_new_wave(
        engine,
        HR,
        "LIGHT-1",
        ["LM"],
        opens_on=today,
        closes_on=today + timedelta(days=14),
        settings=settings,
        name="Pulse LIGHT-1",
        language="zh-CN",
    )
    token = tokens(engine, HR, "LIGHT-1", settings)[0]
    engine.dispose()
    code = LOADED + (
        "from streamlit.testing.v1 import AppTest\n"
        "def survey(token):\n"
        "    at = AppTest.from_file('streamlit_app.py', default_timeout=300)\n"
        "    at.query_params['t'] = token\n"
        "    at.switch_page('ee_app/pages/survey.py')\n"
        "    return at.run()\n"
        "start = survey('not-a-link')\n"  # the app's start-up, whatever it imports
        "assert not start.exception and start.info, start.exception\n"
        "before = set(heavy())\n"
        f"at = survey({token!r})\n"
        "assert not at.exception and len(at.radio) >= 10, at.exception\n"
        "at.radio[0].set_value(4)\n"
        "at.button[0].click().run()\n"
        f"assert [t.value for t in at.title] == [{translator('zh-CN')('Thank you!')!r}]\n"
        "print('RESULT', sorted(set(heavy()) - before))\n"
    )
    assert _run(code, {**env, "EE_DATABASE_URL": app_db}) == "[]"
