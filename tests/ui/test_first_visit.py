"""What the first script run of a fresh app process imports (issue 20): the survey page a
staff member opens from a personal link, and the home page, need neither the data libraries
(pandas, NumPy, SciPy, Altair, pingouin, openpyxl) nor Alembic when the database is ready,
and an empty database gets the demo with a progress bar rather than a blank page. Each check
runs the real app in a new Python process (``AppTest``), since this one has imported
everything already. Times and memory are measured by ``bench/first_visit.py``, not here."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ee_app.db import make_engine
from ee_app.services.startup import prepare
from tests.conftest import make_demo_database

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("pandas", "numpy", "scipy", "altair", "pingouin", "openpyxl", "alembic", "pyarrow")

PROBE = """
import sys
from streamlit.delta_generator import DeltaGenerator
from streamlit.testing.v1 import AppTest

drawn = []  # what a progress bar said, step by step (the bar itself is gone at the end)
_progress = DeltaGenerator.progress


def progress(self, value, text=None, **kwargs):
    drawn.append(text)
    return _progress(self, value, text=text, **kwargs)


DeltaGenerator.progress = progress

app = sys.argv[1]
at = AppTest.from_file(app + "/streamlit_app.py", default_timeout=300)
at.session_state["ee_lang"] = "en"
if sys.argv[2] == "survey":
    at.query_params["t"] = sys.argv[3]
    at.run()
    at.switch_page("ee_app/pages/survey.py")
    at.run()
    print("TITLE", at.title[0].value)
    at.radio(key="ee_q_a01").set_value(4)
    next(b for b in at.button if b.label == "Submit my answers").click().run()
else:
    at.session_state["ee_demo_user"] = "hr@demo.example"
    at.run()
assert not at.exception, at.exception
print("TITLE", at.title[0].value)
print("PROGRESS", len(at.get("progress")), "bars left")
for text in drawn:
    print("STEP", text)
heavy = sys.argv[4:]
print("LOADED", *sorted({h for n in sys.modules for h in heavy if n == h or n.startswith(h + ".")}))
"""


def first_run(url: str, page: str, token: str = "-") -> dict[str, list[str]]:
    env = {**os.environ, "EE_DATABASE_URL": url, "EE_LANG": "en"}
    env.pop("EE_ENV", None)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(ROOT), page, token, *HEAVY],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [line.split() for line in done.stdout.splitlines() if line]
    found: dict[str, list[str]] = {}
    for key, *words in lines:
        found.setdefault(key, []).append(" ".join(words))
    return found


@pytest.fixture
def ready_demo(tmp_path, sqlite_demo_template) -> str:
    url = make_demo_database(sqlite_demo_template, tmp_path / "demo.db")
    engine = make_engine(url)
    prepare(engine)  # as scripts/run's `ee-app db upgrade` leaves it
    engine.dispose()
    return url


def test_the_survey_page_opens_and_submits_without_the_data_libraries(ready_demo):
    from tests.pages.test_surveys_page import open_wave

    engine = make_engine(ready_demo)
    token = open_wave(engine, ["SH01"])[0]
    engine.dispose()
    found = first_run(ready_demo, "survey", token)
    assert found["TITLE"] == ["Pulse T-1", "Thank you!"]
    assert found["LOADED"] == [""]


def test_the_home_page_opens_without_the_data_libraries(ready_demo):
    found = first_run(ready_demo, "home")
    assert found["TITLE"][0].startswith("Hello")
    assert found["LOADED"] == [""]


def test_an_empty_database_gets_the_demo_with_a_progress_bar(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    found = first_run(url, "home")
    assert found["TITLE"][0].startswith("Hello")  # the demo's HR, after the load
    assert found["PROGRESS"] == ["0 bars left"]  # the bar is gone once the demo is in
    steps = [text.rsplit(": ", 1)[-1] for text in found["STEP"]]
    assert steps[0] == "Generating the demo chain" and steps[-1] == "Done"
    assert {"Org tree", "Survey waves", "Incentive run"} <= set(steps)
    engine = make_engine(url)
    from ee_app.db import read_session
    from ee_app.services.demo_state import made_by_demo_load

    with read_session(engine) as session:
        assert made_by_demo_load(session)
    engine.dispose()
