"""The incentives page through the real ``streamlit_app.py``: HR runs a month with the CSAT
window of their choice, and the run says which window it used (issue 16)."""

from __future__ import annotations

from sqlalchemy import select

from ee_app.db import make_engine, read_session
from ee_app.models import IncentiveRun

PAGE = "ee_app/pages/incentives.py"


def test_hr_runs_a_month_on_six_months_of_csat(make_app, app_db):
    at = make_app("hr@demo.example", "en")
    at.run()
    at.switch_page(PAGE)
    at.session_state["ee_incentives_view"] = "Runs and payroll"  # the runs tab
    at.run()
    assert not at.exception, at.exception
    window = at.selectbox(key="ee_incentives_csat_months")
    assert window.value == 3  # the default
    window.set_value(6)
    next(b for b in at.button if b.label == "Compute the run").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    engine = make_engine(app_db)
    with read_session(engine) as session:
        runs = session.scalars(select(IncentiveRun).order_by(IncentiveRun.id)).all()
        recorded = [{row["csat_months"] for row in run.inputs} for run in runs]
    engine.dispose()
    assert recorded[-1] == {6} and len(runs) >= 2  # the demo's own run, then this one
    table = next(f.value for f in at.dataframe if "CSAT months" in f.value.columns)
    assert table.set_index("Run").loc[runs[-1].id, "CSAT months"] == 6
