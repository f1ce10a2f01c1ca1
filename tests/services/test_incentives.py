"""Incentive runs through the services: the month's inputs, four eyes, locked and hashed runs,
corrections, who may see pay, and the payroll workbook as LibreOffice opens it."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from ee_app.auth import Actor
from ee_app.db import read_session, write_session
from ee_app.errors import ConfigError, Conflict, PermissionDenied, ValidationError
from ee_app.exports.payroll import payroll_xlsx
from ee_app.instruments.scheme import default_definition
from ee_app.models import (
    IncentiveLine,
    IncentiveRun,
    IncentiveScheme,
    RunStatus,
    Sale,
    SaleStaff,
    Staff,
    UserRole,
)
from ee_app.services import incentive_approval, incentive_inputs, incentive_runs, incentives
from tests.helpers import libreoffice_csv, snapshot

PERIOD = "2026-09"
HR2 = Actor("hr2@demo.example", UserRole.HR)


def scheme_id(engine):
    with read_session(engine) as session:
        return session.scalar(select(IncentiveScheme.id).order_by(IncentiveScheme.id))


def run_for(engine, actor, period=PERIOD, **kwargs):
    with write_session(engine) as session:
        return incentive_runs.create_run(session, actor, scheme_id(engine), period, **kwargs).id


def test_inputs_split_sales_and_never_read_engagement(engine, demo, hr):
    with read_session(engine) as session:
        inputs = incentive_inputs.period_inputs(session, hr, PERIOD)
        # A sale served by two people counts half for each: recompute the revenue by hand.
        rows = session.execute(
            select(SaleStaff.staff_id, Sale.id, Sale.amount)
            .join(Sale)
            .where(Sale.sold_on.between(date(2026, 9, 1), date(2026, 9, 30)))
        ).all()
    people: dict[int, int] = {}
    for _staff, sale, _amount in rows:
        people[sale] = people.get(sale, 0) + 1
    expected: dict[int, float] = {}
    for staff, sale, amount in rows:
        expected[staff] = expected.get(staff, 0.0) + float(amount) / people[sale]
    got = inputs.set_index("staff_id")["sales_revenue"]
    for staff, revenue in expected.items():
        assert got[staff] == pytest.approx(revenue)
    assert list(inputs.columns) == list(incentive_inputs.INPUT_COLUMNS)
    assert not any("engage" in c or "enps" in c for c in inputs.columns)
    # 30 June + 90 days = 28 September: June's windows have all ended (test_repurchase_cohort.py)
    assert incentive_inputs.repurchase_cohort("2026-09") == "2026-06"


def test_four_eyes_lock_and_hashes(engine, demo, hr):
    run_id = run_for(engine, hr)
    with write_session(engine) as session, pytest.raises(Conflict, match="second person"):
        incentive_approval.approve_run(session, hr, run_id)
    with write_session(engine) as session:
        incentive_approval.approve_run(session, HR2, run_id, acknowledge=True)
    with write_session(engine) as session, pytest.raises(Conflict, match="only a draft"):
        incentive_approval.approve_run(session, HR2, run_id)
    with read_session(engine) as session:
        view = incentive_runs.run_view(session, hr, run_id)
        lines = session.scalar(
            select(func.sum(IncentiveLine.amount)).where(IncentiveLine.run_id == run_id)
        )
    assert view.run.status is RunStatus.APPROVED and view.run.approved_by == HR2.email
    assert Decimal(lines) == view.run.total  # the lines add up to the total, to the fen
    with write_session(engine) as session:  # someone edits a line behind the app's back
        session.execute(
            update(IncentiveLine)
            .where(IncentiveLine.run_id == run_id, IncentiveLine.amount > 0)
            .values(amount=IncentiveLine.amount + 1)
        )
        session.commit()
    with read_session(engine) as session, pytest.raises(ConfigError, match="altered"):
        incentive_runs.run_view(session, hr, run_id)


def test_a_correction_supersedes_the_run_it_corrects(engine, demo, hr):
    first = run_for(engine, hr)
    with write_session(engine) as session, pytest.raises(ValidationError):
        incentive_runs.create_run(session, hr, scheme_id(engine), PERIOD, corrects=first)  # a draft
    with write_session(engine) as session:
        incentive_approval.approve_run(session, HR2, first, acknowledge=True)
    second = run_for(engine, hr, corrects=first)
    with write_session(engine) as session:
        incentive_approval.approve_run(session, HR2, second, acknowledge=True)
    with read_session(engine) as session:
        statuses = {r.id: r.status for r in session.scalars(select(IncentiveRun))}
    assert statuses[first] is RunStatus.SUPERSEDED and statuses[second] is RunStatus.APPROVED


def test_simulation_writes_nothing_and_a_thin_service_share_is_refused(engine, demo, hr):
    before = snapshot(engine)
    definition = default_definition()
    with read_session(engine) as session:
        result = incentives.simulate(session, hr, definition, PERIOD)
    assert result.n > 0 and result.total == sum(result.lines["amount"])
    assert snapshot(engine) == before
    thin = default_definition()
    weights = {"sales": 0.65, "csat": 0.05, "repurchase": 0.10, "mystery-shopper": 0.10}
    for component in thin["components"]:
        component["weight"] = weights.get(component["id"], component["weight"])
    with write_session(engine) as session, pytest.raises(ValidationError) as caught:
        incentives.save_scheme(session, hr, thin)
    assert any("25%" in p.render() and "30%" in p.render() for p in caught.value.problems)
    assert snapshot(engine) == before


def test_saving_makes_a_new_version(engine, demo, hr):
    definition = default_definition()
    with write_session(engine) as session:
        row = incentives.save_scheme(session, hr, definition)
    assert (row.key, row.version) == (definition["key"], 2)


@pytest.mark.parametrize("email", ["manager.sh01@demo.example", "shopper@demo.example"])
def test_nobody_but_hr_sees_pay(engine, demo, email):
    from ee_app.services.users import actor_for_email

    with read_session(engine) as session:
        other = actor_for_email(session, email)
        for call in (
            lambda: incentive_inputs.period_inputs(session, other, PERIOD),
            lambda: incentive_runs.list_runs(session, other),
            lambda: incentive_runs.run_view(session, other, 1),
        ):
            with pytest.raises(PermissionDenied):
                call()


def test_the_workbook_opens_in_libreoffice_with_the_run_s_totals(engine, demo, hr, tmp_path):
    for part in ("1", "2", "4"):
        (tmp_path / part).mkdir()
    with write_session(engine) as session:  # a name a spreadsheet would run as a formula
        session.execute(
            update(Staff).where(Staff.employee_no == "E10002").values(name="=HYPERLINK(1)")
        )
        session.commit()
    run_id = run_for(engine, hr)
    with read_session(engine) as session:
        view = incentive_runs.run_view(session, hr, run_id)
    book = payroll_xlsx(view, "en")
    payroll = libreoffice_csv(book, tmp_path / "1", sheet=1)
    header, rows = payroll[0], payroll[1:]
    amounts = [Decimal(r[header.index("Amount (CNY)")]) for r in rows]
    assert len(rows) == view.run.lines and sum(amounts) == view.run.total
    name = next(r for r in rows if r[0] == "E10002")[1]
    assert name == "=HYPERLINK(1)"  # shown as text, not evaluated
    stores = libreoffice_csv(book, tmp_path / "2", sheet=2)
    assert stores[-1][0] == "Total" and Decimal(stores[-1][3]) == view.run.total
    sheet = libreoffice_csv(book, tmp_path / "4", sheet=4)
    signoff = {r[0]: r[1] for r in sheet if len(r) > 1}
    assert signoff["Status"].startswith("DRAFT")
    assert signoff["Lines SHA-256"] == view.run.outputs_sha256


# --- CSAT over a window of months (issue 16) ---------------------------------------------------


def _answers(engine, first: date, last: date) -> dict[int, int]:
    """Each staff member's CSAT answers dated in [first, last], counted in SQL."""
    from ee_app.models import CsatRecord

    with read_session(engine) as session:
        rows = session.execute(
            select(CsatRecord.staff_id, func.count())
            .where(CsatRecord.service_date.between(first, last))
            .group_by(CsatRecord.staff_id)
        ).all()
    return dict(rows)


def test_pay_uses_each_persons_own_csat_for_most_staff(engine, demo, hr):
    """Issue 16: on one month of answers the pay engine fell back to the store's CSAT for 188
    of 188 staff. By default a person's CSAT now rests on the 3 months ending with the pay
    month (July–September for September): their n is the sum of those months' answers, and
    most staff reach the scheme's minimum of 10 answers."""
    from ee_app.analysis.pay import FLAG_CSAT_FROM_STORE

    definition = default_definition()
    with read_session(engine) as session:
        inputs = incentive_inputs.period_inputs(session, hr, PERIOD)
        result = incentives.simulate(session, hr, definition, PERIOD)
        month = incentive_inputs.period_inputs(session, hr, PERIOD, csat_months=1)
    quarter = _answers(engine, date(2026, 7, 1), date(2026, 9, 30))
    september = _answers(engine, date(2026, 9, 1), date(2026, 9, 30))
    assert (inputs["csat_months"] == 3).all() and (month["csat_months"] == 1).all()
    for frame, counts in ((inputs, quarter), (month, september)):
        expected = [counts.get(s, 0) for s in frame["staff_id"]]
        assert frame["csat_n"].tolist() == expected
    minimum = definition["gates"]["csat_min_n"]
    from_store = [
        any(f.message == FLAG_CSAT_FROM_STORE for f in flags) for flags in result.lines["flags"]
    ]
    assert len(from_store) == len(inputs) > 150
    assert sum(from_store) / len(from_store) < 0.25  # the store's value for a few only
    assert sum(from_store) == (inputs["csat_n"] < minimum).sum()
    # the shrunken rates the engine pays on differ from person to person
    own = inputs[inputs["csat_n"] >= minimum]
    assert own["csat_top2"].round(3).nunique() > 0.5 * len(own)


def test_a_run_records_its_csat_window(engine, demo, hr):
    """The window a run's inputs were gathered with is on every input row (inside the
    inputs' hash), in the audit entry and on the payroll workbook's sign-off sheet; a
    correction keeps the window of the run it corrects."""
    import io

    from openpyxl import load_workbook

    from ee_app.models import AuditLog

    default = run_for(engine, hr)
    six = run_for(engine, hr, csat_months=6)
    with write_session(engine) as session:
        incentive_approval.approve_run(session, HR2, six, acknowledge=True)
    corrected = run_for(engine, hr, corrects=six)
    with write_session(engine) as session, pytest.raises(ValidationError):
        incentive_runs.create_run(session, hr, scheme_id(engine), PERIOD, csat_months=2)
    with read_session(engine) as session:
        runs = {r: session.get(IncentiveRun, r) for r in (default, six, corrected)}
        months = {r: {row["csat_months"] for row in run.inputs} for r, run in runs.items()}
        audited = session.scalars(
            select(AuditLog.detail).where(AuditLog.action == "incentives.run")
        ).all()
        view = incentive_runs.run_view(session, hr, corrected)
    assert months == {default: {3}, six: {6}, corrected: {6}}
    assert [incentive_runs.run_csat_months(runs[r]) for r in (default, six, corrected)] == [3, 6, 6]
    assert sorted(d["csat_months"] for d in audited) == [3, 3, 6, 6]  # and the demo's run
    book = load_workbook(io.BytesIO(payroll_xlsx(view, "en")), read_only=True)
    signoff = {r[0]: r[1] for r in book["Sign-off"].iter_rows(values_only=True) if r}
    assert signoff["CSAT window (months ending with the period)"] == 6
