"""Measures at the level each role is paid on (issue 17), on the demo chain: the store-level
inputs recomputed by hand from the raw records, and the calibration of the shipped scheme
(each role's median near target, nobody's component dead for a whole role)."""

from collections import defaultdict
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select

from ee_app.db import read_session
from ee_app.instruments.scheme import default_definition, validate
from ee_app.models import CsatRecord, OrgUnit, Sale
from ee_app.services import incentive_inputs, incentives
from tests.services.test_calibration import SALES_TARGETS  # the per-role targets before issue 17

MONTHS = ("2026-09", "2026-10")


def _inputs(engine, hr, period):
    with read_session(engine) as session:
        return incentive_inputs.period_inputs(session, hr, period)


def test_store_measures_recomputed_from_the_records(engine, demo, hr):
    inputs = _inputs(engine, hr, "2026-09")
    with read_session(engine) as session:
        codes = dict(session.execute(select(OrgUnit.id, OrgUnit.code)).all())
        sales = session.execute(
            select(Sale.store_id, Sale.customer, Sale.sold_on, Sale.amount)
        ).all()
        answers = session.execute(
            select(CsatRecord.store_id, CsatRecord.score, CsatRecord.scale).where(
                CsatRecord.service_date.between(date(2026, 7, 1), date(2026, 9, 30))
            )
        ).all()
    # Revenue: every sale at the store in September, whoever served it.
    revenue = defaultdict(float)
    for store, _customer, day, amount in sales:
        if date(2026, 9, 1) <= day <= date(2026, 9, 30):
            revenue[codes[store]] += float(amount)
    # CSAT: the top-2 share (4–5 of 5, 9–10 of 10) of the store's answers in the 3-month window
    top2, n = defaultdict(int), defaultdict(int)
    for store, score, scale in answers:
        n[codes[store]] += 1
        top2[codes[store]] += score >= (4 if scale == 5 else 9)
    # Repurchase: June's customers of the store (t = their last June day there), back at any
    # store within (t, t + 90 days]; June's windows have all closed by 28 September.
    last = {}
    for store, customer, day, _ in sales:
        if date(2026, 6, 1) <= day <= date(2026, 6, 30):
            key = (codes[store], customer)
            last[key] = max(last.get(key, day), day)
    days = defaultdict(list)
    for _store, customer, day, _ in sales:
        days[customer].append(day)
    served, back = defaultdict(int), defaultdict(int)
    for (store, customer), t in last.items():
        served[store] += 1
        back[store] += any(t < d <= t + timedelta(days=90) for d in days[customer])
    per_store = inputs.drop_duplicates("store_code").set_index("store_code")
    assert len(per_store) == 12
    for code, row in per_store.iterrows():
        assert row["store_sales_revenue"] == pytest.approx(revenue[code])
        assert row["store_csat_top2"] == pytest.approx(top2[code] / n[code])
        assert row["store_repurchase_rate"] == pytest.approx(back[code] / served[code])
    # the same value on every row of a store
    assert (inputs.groupby("store_code")["store_sales_revenue"].nunique() == 1).all()
    assert list(inputs.columns) == list(incentive_inputs.INPUT_COLUMNS)


def _share(lines):
    amounts = lines["amount"].map(float)
    return amounts / lines["target_bonus"]


def _pre_issue_scheme():
    """The shipped scheme as it was before issue 17: every role on its own measures."""
    old = default_definition()
    for component in old["components"]:
        component.pop("measures", None)
        component.pop("missing", None)
    old["components"][0]["target"] = dict(SALES_TARGETS)
    return old


@pytest.mark.parametrize("period", MONTHS)
def test_the_shipped_scheme_is_calibrated_on_the_demo(engine, demo, hr, period):
    scheme = validate(default_definition())
    lines = incentives.calculate(scheme, _inputs(engine, hr, period)).lines
    lines = lines.assign(share=_share(lines))
    # The weighted attainment Σ weight × attainment (a component without data left out and the
    # rest re-weighted as the scheme says): the median person of each role near 100%.
    weights = {c.id: float(c.weight) for c in scheme.components}
    attain = sum(lines[f"{c}_attainment"].fillna(0) * w for c, w in weights.items())
    for role, group in lines.groupby("role"):
        median_payout = group["share"].median()
        assert 0.85 <= median_payout <= 1.15, (role, median_payout)
        assert 0.85 <= attain[group.index].median() <= 1.15, role
        for component in weights:
            # a role where everyone is paid 0 on a component is the failure issue 17 is about
            assert (group[f"{component}_payout"] > 0).any(), (role, component)
            assert 0.8 <= group[f"{component}_attainment"].median() <= 1.4, (role, component)
    # Every role is paid on data: nobody's sales, CSAT or repurchase silently paid 0.
    messages = {f.message for flags in lines["flags"] for f in flags}
    assert "{component}: no value, so it pays 0." not in messages


def test_store_managers_are_paid_on_the_store_s_revenue(engine, demo, hr):
    inputs = _inputs(engine, hr, "2026-09")
    managers = inputs["role"] == "store_manager"
    assert managers.sum() == 12
    new = incentives.calculate(validate(default_definition()), inputs).lines[managers]
    old = incentives.calculate(validate(_pre_issue_scheme()), inputs).lines[managers]
    # before: their own few sales against a store target of 200,000, under 10%
    assert old["sales_attainment"].max() < 0.1
    # now: the store's revenue against 400,000 (the median store-month of August–October)
    assert new["sales_value"].tolist() == inputs.loc[managers, "store_sales_revenue"].tolist()
    assert new["sales_attainment"].tolist() == pytest.approx(
        (inputs.loc[managers, "store_sales_revenue"] / 400000).tolist()
    )
    # front desk: paid on the store's CSAT, not 0 on 40% of their pay
    desk = inputs["role"] == "front_desk"
    lines = incentives.calculate(validate(default_definition()), inputs).lines[desk]
    assert lines["sales_value"].tolist() == inputs.loc[desk, "store_csat_top2"].tolist()
    assert np.all(lines["sales_payout"] > 0)
    assert old["sales_payout"].eq(0).all()
    assert pd.notna(lines["repurchase_value"]).all()  # the store's rate, flagged
