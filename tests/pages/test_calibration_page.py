"""The incentives page's calibration (issue 17) through the real ``streamlit_app.py``: the
design being edited shows its calibration for the month; a draft run with warnings can be
approved by the second HR user only after ticking the acknowledgement, which is then kept
with the run."""

from __future__ import annotations

import re

from sqlalchemy import select

from ee_app.db import make_engine, read_session
from ee_app.models import IncentiveRun, RunStatus
from ee_app.services.calibration import run_calibration
from tests.pages.test_incentives_page import PAGE


def _open(make_app, who, language="en", runs=False):
    at = make_app(who, language)
    at.run()
    at.switch_page(PAGE)
    if runs:
        at.session_state["ee_incentives_view"] = "Runs and payroll"  # the runs tab
    at.run()
    assert not at.exception, at.exception
    return at


def _texts(at):
    return (
        [m.value for m in at.markdown]
        + [w.value for w in at.warning]
        + [s.value for s in at.success]
    )


def test_the_scheme_tab_shows_the_calibration_of_the_design(make_app):
    at = _open(make_app, "hr@demo.example")
    texts = _texts(at)
    assert any(t.startswith("**Calibration for ") for t in texts), texts
    shown = [t for t in texts if "Calibration warnings:" in t or "No calibration warnings" in t]
    assert shown  # either the warnings in words, or that there are none
    table = next(f.value for f in at.dataframe if "Median payout (of target bonus)" in f.value)
    assert set(table["Role"]) <= {
        "Beautician",
        "Consultant",
        "Doctor",
        "Nurse",
        "Front desk",
        "Store manager",
    }
    for text in shown:
        assert "_" not in text and "None" not in text and "nan" not in text
    kept = at.session_state["ee_incentives_draft_calibration"]
    at.run()  # a rerun with the same design and month reuses the calibration it kept
    assert not at.exception, at.exception
    assert at.session_state["ee_incentives_draft_calibration"] is kept
    assert [t for t in _texts(at) if "Calibration warnings:" in t or "No calibration" in t]


def test_the_second_hr_user_acknowledges_the_warnings_before_approving(make_app, app_db):
    at = _open(make_app, "hr@demo.example", runs=True)
    next(b for b in at.button if b.label == "Compute the run").click().run()
    assert not at.exception, at.exception
    engine = make_engine(app_db)
    with read_session(engine) as session:
        run = session.scalars(select(IncentiveRun).order_by(IncentiveRun.id.desc())).first()
        from ee_app.auth import Actor
        from ee_app.models import UserRole

        warnings = run_calibration(session, Actor("hr@demo.example", UserRole.HR), run.id).warnings
    second = _open(make_app, "hr2@demo.example", runs=True)
    approve = next(b for b in second.button if b.label == "Approve")
    boxes = [c for c in second.checkbox if c.key == f"ee_incentives_acknowledge_{run.id}"]
    if warnings:
        assert approve.disabled and len(boxes) == 1
        boxes[0].check().run()
        assert not second.exception, second.exception
        approve = next(b for b in second.button if b.label == "Approve")
    assert not approve.disabled
    approve.click().run()
    assert not second.exception, second.exception
    assert not second.error, [e.value for e in second.error]
    with read_session(engine) as session:
        approved = session.get(IncentiveRun, run.id)
        status, record = approved.status, approved.calibration
    engine.dispose()
    assert status is RunStatus.APPROVED
    if warnings:
        assert record["acknowledged_by"] == "hr2@demo.example"
        assert record["texts"] == [w.render() for w in warnings]
    else:
        assert record is None


def test_the_calibration_reads_in_chinese_without_raw_keys(make_app):
    at = _open(make_app, "hr@demo.example", "zh-CN")
    texts = _texts(at)
    assert any(t.startswith("**") and t.endswith(" 的校准**") for t in texts), texts
    shown = [t for t in texts if t.startswith(("校准提示：", "没有校准提示"))]
    assert shown
    table = next(f.value for f in at.dataframe if "发放中位数（占目标奖金）" in f.value)
    assert set(table["岗位"]) <= {"美容师", "咨询师", "医生", "护士", "前台", "店长"}
    cells = [str(v) for v in table.to_numpy().ravel()] + [str(c) for c in table.columns]
    for text in shown + cells:
        assert not re.search(r"[a-z]+_[a-z_]+", text), text  # no snake_case keys
        assert "None" not in text and "nan" not in text and "null" not in text, text
