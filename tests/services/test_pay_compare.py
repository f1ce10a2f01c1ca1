"""Who gains, who loses through the service (issue 17): the baseline offered first is the
previous month's approved run, its lines as paid; a scheme version is computed on the same
month; every number is checked against the lines added up by hand."""

import copy
import inspect
from decimal import Decimal

import pytest
from sqlalchemy import select

from ee_app.auth import Actor
from ee_app.db import read_session, write_session
from ee_app.errors import PermissionDenied
from ee_app.models import IncentiveRun, IncentiveScheme, RunStatus, UserRole
from ee_app.services import incentive_approval, incentive_runs, incentives, pay_compare

HR2 = Actor("hr2@demo.example", UserRole.HR)
MONTH, PREVIOUS = "2026-10", "2026-09"  # the demo approves October (DEMO_TODAY 2026-11-02)


def scheme_row(engine):
    with read_session(engine) as session:
        row = session.scalars(select(IncentiveScheme).order_by(IncentiveScheme.id)).first()
        return row.id, copy.deepcopy(dict(row.definition))


def approved_run(engine, hr, period, **kwargs):
    scheme_id, _definition = scheme_row(engine)
    with write_session(engine) as session:
        run_id = incentive_runs.create_run(session, hr, scheme_id, period, **kwargs).id
    # Runs with calibration warnings are approved with them acknowledged (issue 17).
    signature = inspect.signature(incentive_approval.approve_run).parameters
    acknowledged = {"acknowledge": True} if "acknowledge" in signature else {}
    with write_session(engine) as session:
        incentive_approval.approve_run(session, HR2, run_id, **acknowledged)
    return run_id


def redesigned(definition):
    """Nurses' target bonus doubled, doctors' halved: nurses gain, doctors lose."""
    changed = copy.deepcopy(definition)
    changed["target_bonus"]["nurse"] = changed["target_bonus"]["nurse"] * 2
    changed["target_bonus"]["doctor"] = changed["target_bonus"]["doctor"] / 2
    return changed


def test_previous_months_approved_run_is_offered_first(engine, demo, hr):
    with read_session(engine) as session:
        october = session.scalar(
            select(IncentiveRun.id).where(
                IncentiveRun.period == MONTH, IncentiveRun.status == RunStatus.APPROVED
            )
        )
        before = pay_compare.baselines(session, hr, MONTH)
    # No September run yet: this month's approved run first, then the scheme versions.
    assert [(b.kind, b.id) for b in before][:1] == [("run", october)]
    assert {b.kind for b in before[1:]} == {"scheme"}
    september = approved_run(engine, hr, PREVIOUS)
    # A draft run of September is never a baseline: only approved ones.
    scheme_id, _definition = scheme_row(engine)
    with write_session(engine) as session:
        draft = incentive_runs.create_run(session, hr, scheme_id, PREVIOUS).id
    with read_session(engine) as session:
        options = pay_compare.baselines(session, hr, MONTH)
    assert [(b.kind, b.id, b.period) for b in options[:2]] == [
        ("run", september, PREVIOUS),
        ("run", october, MONTH),
    ]
    assert draft not in {b.id for b in options if b.kind == "run"}
    assert [b.kind for b in options[2:]] == ["scheme"] * (len(options) - 2)


def test_draft_against_last_months_pay_by_hand(engine, demo, hr):
    september = approved_run(engine, hr, PREVIOUS)
    _scheme_id, definition = scheme_row(engine)
    draft = redesigned(definition)
    steps = []
    with read_session(engine) as session:
        baseline = pay_compare.baselines(session, hr, MONTH)[0]
        result = pay_compare.compare(session, hr, draft, MONTH, baseline, progress=steps.append)
        paid = incentive_runs.run_view(session, hr, september).lines
        now = incentives.simulate(session, hr, draft, MONTH).lines
    assert baseline.id == september and len(steps) == 4
    # By hand: September's lines as paid against the draft's October lines, per staff id.
    before = {line["staff_id"]: line for line in paid}
    after = {int(r["staff_id"]): r for r in now.to_dict("records")}
    people = result.people.set_index("staff_id")
    assert set(people.index) == set(before) | set(after)
    for staff_id, row in people.iterrows():
        if staff_id in before and staff_id in after:
            change = Decimal(str(after[staff_id]["amount"])) - before[staff_id]["amount"]
            assert Decimal(str(row["change"])) == change
            want = "gains" if change > 0 else "loses" if change < 0 else "same"
            assert row["status"] == want
        else:
            assert row["status"] == ("joined" if staff_id in after else "left")
    assert Decimal(str(result.total_before)) == sum(line["amount"] for line in paid)
    assert Decimal(str(result.total_after)) == sum(Decimal(str(a)) for a in now["amount"])
    # Per role: before sums September's lines under their role then, after October's.
    for role, row in result.by_role.set_index("role").iterrows():
        paid_role = sum((x["amount"] for x in paid if x["role"] == role), Decimal(0))
        now_role = sum(
            (Decimal(str(a)) for a in now.loc[now["role"] == role, "amount"]), Decimal(0)
        )
        assert Decimal(str(row["before"])) == paid_role and Decimal(str(row["after"])) == now_role
    assert result.by_store["after"].sum() == pytest.approx(result.total_after)
    assert result.names and (result.gains["name"] != "").all()
    # Top movers are the largest gains and losses, largest first.
    both = result.people[result.people["status"] == "gains"]
    assert result.gains["change"].iloc[0] == both["change"].max()
    assert list(result.losses["change"]) == sorted(result.losses["change"])


def test_same_scheme_version_on_the_same_month_is_the_empty_state(engine, demo, hr):
    scheme_id, definition = scheme_row(engine)
    with read_session(engine) as session:
        options = pay_compare.baselines(session, hr, MONTH)
        same = next(b for b in options if b.kind == "scheme" and b.id == scheme_id)
        unchanged = pay_compare.compare(session, hr, definition, MONTH, same)
        changed = pay_compare.compare(session, hr, redesigned(definition), MONTH, same)
    assert unchanged.unchanged and unchanged.counts["same"] == len(unchanged.people) > 0
    assert unchanged.bins["direction"].tolist() == ["same"]  # one grey bar, never a red one
    # Nurses double (gain, or stay at 0), doctors halve: only those two roles move.
    assert not changed.unchanged
    moved = changed.people[changed.people["status"] != "same"]
    # Others move by a fen at most: the largest-remainder rounding (analysis/pay.py) hands
    # the fen missing to the total to the largest remainders across the chain.
    others = moved[~moved["role"].isin(["nurse", "doctor"])]
    assert (others["change"].abs() <= 0.01 + 1e-9).all()
    moved = moved[moved["change"].abs() > 0.01 + 1e-9]
    assert set(moved.loc[moved["status"] == "gains", "role"]) == {"nurse"}
    assert set(moved.loc[moved["status"] == "loses", "role"]) == {"doctor"}
    roles = changed.by_role.set_index("role")
    assert roles.loc["nurse", "after"] == pytest.approx(
        2 * roles.loc["nurse", "before"], abs=0.01 * roles.loc["nurse", "staff_after"]
    )


def test_a_run_of_the_same_month_is_compared_on_its_own_csat_window(engine, demo, hr):
    run_id = approved_run(engine, hr, MONTH, csat_months=6)
    _scheme_id, definition = scheme_row(engine)
    with read_session(engine) as session:
        baseline = next(b for b in pay_compare.baselines(session, hr, MONTH) if b.id == run_id)
        same = pay_compare.compare(session, hr, definition, MONTH, baseline)
        other = pay_compare.compare(session, hr, definition, MONTH, baseline, csat_months=3)
    # The same scheme on the run's own six months pays exactly what the run paid; on three
    # months of CSAT the data differ, so pay does too: the window, not the scheme, moved.
    assert same.csat_months == 6 and same.unchanged
    assert other.csat_months == 3 and not other.unchanged


@pytest.mark.parametrize(
    "actor", [Actor("m@demo.example", UserRole.MANAGER), Actor("s@demo.example", UserRole.SHOPPER)]
)
def test_only_those_who_manage_pay_compare(engine, demo, actor, hr):
    _scheme_id, definition = scheme_row(engine)
    with read_session(engine) as session:
        baseline = pay_compare.baselines(session, hr, MONTH)[0]
        with pytest.raises(PermissionDenied):
            pay_compare.baselines(session, actor, MONTH)
        with pytest.raises(PermissionDenied):
            pay_compare.compare(session, actor, definition, MONTH, baseline)


@pytest.mark.parametrize(
    ("period", "previous"), [("2026-10", "2026-09"), ("2026-01", "2025-12"), ("2025-12", "2025-11")]
)
def test_previous_month(period, previous):
    assert pay_compare.previous_month(period) == previous
