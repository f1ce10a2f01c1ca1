"""Engagement against outcomes through the services: only published store results enter,
managers get their scope (ICC included, and nothing for a wave they may not see), the demo's
built-in relation is recovered within its interval, and the person-level view of a
confidential wave is HR's only (its rules: tests/services/test_confidential.py)."""

from datetime import date

import numpy as np
import pytest
from sqlalchemy import select, update

from ee_app.db import read_session, write_session
from ee_app.demo.params import ENGAGEMENT, store_engagement
from ee_app.errors import PermissionDenied
from ee_app.models import OrgUnit, SurveyResult, SurveyWave, SurveyWaveResult
from ee_app.services import linkage, linkage_relations, linkage_store
from ee_app.services.users import actor_for_email


def data_for(engine, email=None, actor=None):
    with read_session(engine) as session:
        who = actor or actor_for_email(session, email)
        return linkage.linkage_data(session, who)


def test_only_published_store_results_enter(engine, demo, hr):
    data = data_for(engine, actor=hr)
    assert data.waves and set(data.units["wave"]) == set(data.waves)
    # Every row is a store with at least k respondents in its wave.
    assert (data.units["n"] >= 5).all()
    with write_session(engine) as session:  # hide SH01 in the newest wave, as suppression would
        wave_id = session.scalar(select(SurveyWave.id).where(SurveyWave.code == data.waves[-1]))
        unit_id = session.scalar(select(OrgUnit.id).where(OrgUnit.code == "SH01"))
        session.execute(
            update(SurveyResult)
            .where(SurveyResult.wave_id == wave_id, SurveyResult.unit_id == unit_id)
            .values(hidden=1)
        )
        session.execute(  # a new results version, as a rebuild would write
            update(SurveyWaveResult)
            .where(SurveyWaveResult.wave_id == wave_id)
            .values(version=SurveyWaveResult.version + 1)
        )
        session.commit()
    again = data_for(engine, actor=hr)
    newest = again.units[again.units["wave"] == again.waves[-1]]
    assert "SH01" not in set(newest["code"]) and again.hidden >= 1


def test_managers_see_their_stores_only(engine, demo):
    one = data_for(engine, "manager.sh01@demo.example")
    assert set(one.units["code"]) == {"SH01"}
    found = linkage_relations.outcome_relations(one, "csat")
    assert not found["unit"]["enough"]  # one store cannot tell anything


def test_shoppers_cannot_read_it(engine, demo):
    with read_session(engine) as session:
        shopper = actor_for_email(session, "shopper@demo.example")
        with pytest.raises(PermissionDenied):
            linkage.linkage_data(session, shopper)


def test_the_demo_relation_is_recovered_within_its_interval(engine, demo, hr):
    """The demo draws CSAT with log-odds rising 0.35 per SD of the store's engagement that
    month (ee_app.demo.params). The correlation between that true engagement and the stores'
    CSAT, attenuated by the reliability of the measured store means, must lie inside the
    interval the analysis reports from the measured index: a store's index rests on about
    ten people, so it correlates with anything less than the true engagement does, by the
    square root of its reliability (Spearman 1904, correction for attenuation), which ICC(2)
    estimates (Bliese 2000). Since the demo's CSAT became realistic (issue 16: half the
    customers answer), the store CSAT follows the true engagement closely (r = 0.96) and the
    unattenuated value lies above the interval (0.25 to 0.94); attenuated by ICC(2) = 0.64
    it is 0.96 × √0.64 = 0.77, beside the measured 0.76."""
    data = data_for(engine, actor=hr)
    found = linkage_relations.outcome_relations(data, "csat")
    points = found["points"]
    month = date.fromisoformat(points["month"].iloc[0] + "-01")
    months_ago = (demo.today.year - month.year) * 12 + demo.today.month - month.month
    truth = store_engagement(demo.seed, points["code"], months_ago)
    z = np.array([truth[c] / ENGAGEMENT.store_sd for c in points["code"]])
    true_r = float(np.corrcoef(z, points["csat"].to_numpy(dtype=float))[0, 1])
    unit = found["unit"]
    assert unit["n"] == len(points) >= 10
    with read_session(engine) as session:
        icc = linkage.wave_icc(session, hr, found["wave"])
    assert icc["units"] == len(points)  # the same stores: those with a published index
    expected = true_r * np.sqrt(icc["icc2"])
    assert unit["r_low"] <= expected <= unit["r_high"], (true_r, icc["icc2"], unit)
    assert true_r > 0  # the generator's relation is positive, and so is what it produces
    # Across all waves within stores (rm_corr) the relation is estimated with more data.
    within = found["within"]
    assert within["observations"] == len(data.units.dropna(subset=["engagement", "csat"]))


def published_sums(engine, actor, wave_code):
    """The stored index sums of the stores whose index ``actor`` reads as published in
    ``wave_code`` (shown rows with an index: it is hidden with any theme)."""
    from ee_app.analysis.reliability import icc_from_sums
    from ee_app.models import UnitLevel
    from ee_app.services.results import engagement_view

    with read_session(engine) as session:
        view = engagement_view(session, actor, wave_code, level=UnitLevel.STORE)
        rows = view.rows
        stores = [int(u) for u in rows.loc[~rows["hidden"] & rows["index"].notna(), "unit_id"]]
        hidden_theme = set(view.themes.loc[view.themes["hidden"].astype(bool), "unit_id"])
        assert not hidden_theme & set(stores)  # the index is hidden wherever a theme is
        wave_id = session.scalar(select(SurveyWave.id).where(SurveyWave.code == wave_code))
        rows = session.execute(
            select(SurveyResult.idx_n, SurveyResult.idx_sum, SurveyResult.idx_sumsq).where(
                SurveyResult.wave_id == wave_id,
                SurveyResult.dim == "",
                SurveyResult.unit_id.in_(stores),
            )
        ).all()
    import pandas as pd

    sums = pd.DataFrame(rows, columns=["n", "sum", "sumsq"])
    return stores, icc_from_sums(sums)


def test_icc_from_the_stored_sums_of_published_stores(engine, demo, hr):
    data = data_for(engine, actor=hr)
    newest = data.waves[-1]
    with read_session(engine) as session:
        icc = linkage.wave_icc(session, hr, newest)
    stores, expected = published_sums(engine, hr, newest)
    # Two stores of the newest wave have a theme hidden (answer level), so their index is not
    # published: they stay out of the ICC and its counts.
    assert icc["units"] == len(stores) == 10
    assert (
        icc["people"]
        == expected["people"]
        == int(
            data.units[data.units["store_id"].isin(stores) & (data.units["wave"] == newest)][
                "n"
            ].sum()
        )
    )
    assert icc["icc1"] == pytest.approx(expected["icc1"]) and 0 < icc["icc1"] < icc["icc2"] < 1
    with read_session(engine) as session:
        earlier = linkage.wave_icc(session, hr, data.waves[0])
    assert earlier["units"] == 12  # every store published


def test_a_hidden_store_leaves_the_icc(engine, demo, hr):
    code = data_for(engine, actor=hr).waves[0]
    hide_store_in(engine, code, "SH01")
    with read_session(engine) as session:
        icc = linkage.wave_icc(session, hr, code)
    assert icc["units"] == 11


def test_a_manager_gets_the_icc_of_their_scope_only(engine, demo, hr):
    code = data_for(engine, actor=hr).waves[0]
    with read_session(engine) as session:
        region = actor_for_email(session, "manager.east@demo.example")
        store = actor_for_email(session, "manager.sh01@demo.example")
        chain = linkage.wave_icc(session, hr, code)
        east = linkage.wave_icc(session, region, code)
        one = linkage.wave_icc(session, store, code)
    stores, expected = published_sums(engine, region, code)
    assert east["units"] == len(stores) == 4  # SH01, SH02, HZ01, SZ01
    assert east["people"] == expected["people"] < chain["people"]
    assert east["icc1"] == pytest.approx(expected["icc1"])
    assert east["msw"] == pytest.approx(expected["msw"]) != pytest.approx(chain["msw"])
    # One store: its own respondents, and no ICC (it needs two stores).
    assert one["units"] == 1 and np.isnan(one["icc1"])


def test_a_manager_gets_nothing_for_a_wave_they_may_not_see(engine, demo, hr):
    from ee_app.errors import NotFound
    from ee_app.models import WaveMode
    from tests.services.test_confidential import closed_wave

    north = closed_wave(engine, hr, "north-10", units=("NORTH",), mode=WaveMode.ANONYMOUS)
    secret = closed_wave(engine, hr, "conf-north", units=("NORTH",))
    with read_session(engine) as session:
        region = actor_for_email(session, "manager.east@demo.example")
        for code in (north, secret, "no-such-wave"):
            with pytest.raises(NotFound):
                linkage.wave_icc(session, region, code)
        for code in (north, secret):  # HR sees them: the four stores of the north
            assert linkage.wave_icc(session, hr, code)["units"] == 4


def test_confidential_waves_are_listed_and_their_relation_read_by_hr_only(engine, demo, hr):
    from tests.services.test_confidential import closed_wave

    code = closed_wave(engine, hr, "conf-10", answering_count=40)
    with read_session(engine) as session:
        assert linkage.confidential_waves(session, hr) == [code]
        assert linkage.individual_relation(session, hr, code, "csat") is None  # not computed
        manager = actor_for_email(session, "manager.sh01@demo.example")
        with pytest.raises(PermissionDenied):
            linkage.individual_relation(session, manager, code, "csat")
        with pytest.raises(PermissionDenied):
            linkage.confidential_waves(session, manager)
    with write_session(engine) as session:
        found = linkage.compute_relation(session, hr, code, "csat", today=date(2026, 11, 2))
    assert found.enough and found.people >= linkage.MIN_PEOPLE
    with read_session(engine) as session:
        assert linkage.individual_relation(session, hr, code, "csat") == found


def test_the_store_table_lists_waves_side_by_side_only_where_k_people_differ(engine, demo, hr):
    """The statistics use every published store row; the store × wave table (the workbook)
    lists a store's wave only where its respondents differ from every earlier listed wave's
    by none or at least k people (the rule across waves)."""
    from ee_app.services.respondents import cell_respondents

    with read_session(engine) as session:
        data = linkage.linkage_data(session, hr)
        listed = data.units[data.units["listed"]]
        assert 0 < len(listed) < len(data.units)
        waves = {w.code: w for w in session.scalars(select(SurveyWave))}
        for store, rows in listed.groupby("store_id"):
            people = [
                cell_respondents(session, waves[code], (int(store), "", ""))
                for code in rows["wave"]
            ]
            for i, first in enumerate(people):
                for second in people[i + 1 :]:
                    changed = len(first ^ second)
                    assert changed == 0 or changed >= 5


def hide_store_in(engine, wave_code, store_code):
    """Hide one store's row of a closed wave, as suppression would, with a new results
    version (as a rebuild would write)."""
    with write_session(engine) as session:
        wave_id = session.scalar(select(SurveyWave.id).where(SurveyWave.code == wave_code))
        unit_id = session.scalar(select(OrgUnit.id).where(OrgUnit.code == store_code))
        session.execute(
            update(SurveyResult)
            .where(SurveyResult.wave_id == wave_id, SurveyResult.unit_id == unit_id)
            .values(hidden=1)
        )
        session.execute(
            update(SurveyWaveResult)
            .where(SurveyWaveResult.wave_id == wave_id)
            .values(version=SurveyWaveResult.version + 1)
        )
        session.commit()


def test_repurchase_uses_only_months_whose_windows_have_ended(engine, demo, hr):
    """Issue 16, defect 2. The demo's sales end on 2026-11-02; August's 90-day windows end on
    29 November, so most of August's customers are still pending (their decided ones are by
    construction those who did not come back). The old code took August, the newest month
    with a rate for three stores (on the demo of the issue: r = 0.03 there against 0.71 in
    July). Only July and earlier are decided."""
    from scipy.stats import pearsonr

    from ee_app.services.outcomes import store_summary

    data = data_for(engine, actor=hr)
    found = linkage_relations.outcome_relations(data, "repurchase")
    assert found["wave"] == "pulse-2026-07"  # the old code: pulse-2026-08
    assert data.last_sale == date(2026, 11, 2)
    assert data.pending_months == ("2026-08", "2026-09", "2026-10")
    august = data.units[data.units["month"] == "2026-08"]
    assert august["repurchase"].isna().all()  # left blank, not the pending month's rate
    # August as the outcomes page counts it: most customers still pending.
    with read_session(engine) as session:
        raw = store_summary(session, hr, date(2026, 8, 1), date(2026, 8, 31))
    decided = raw["returned"] + raw["lost"]
    assert decided.sum() < 0.25 * (decided + raw["pending"]).sum()
    assert found["decidable"]
    assert found["months"]["unit"] == ["2026-07"]
    points = found["points"]
    assert (points["repurchase_pending"] == 0).all()  # every customer decided
    # Reference: scipy's Pearson r on the same twelve stores of July.
    july = data.units[data.units["month"] == "2026-07"]
    expected = pearsonr(july["engagement"], july["repurchase"]).statistic
    assert found["unit"]["r"] == pytest.approx(expected) and found["unit"]["n"] == 12
    # The within-store relation and the lagged one use decided months only too.
    assert found["months"]["within"] == ["2026-06", "2026-07"]
    assert found["months"]["lagged"] == [("2026-06", "2026-07")]


def test_a_month_not_yet_decidable_says_so_and_computes_nothing(engine, demo, hr):
    data = data_for(engine, actor=hr)
    found = linkage_relations.outcome_relations(data, "repurchase", "pulse-2026-09")
    assert found["decidable"] is False and found["month"] == "2026-09"
    assert found["until"] == date(2026, 12, 29)  # 30 September + 90 days
    assert found["points"].empty and not found["unit"]["enough"]
    assert found["months"] == {
        "unit": [],
        "within": ["2026-06", "2026-07"],
        "lagged": [],
        "partial": [],
        "drivers": [],
    }
    # CSAT and the mystery-shopper score do not wait for a window: the same wave is decidable.
    assert linkage_relations.outcome_relations(data, "csat", "pulse-2026-09")["decidable"] is True


def test_a_store_hidden_in_the_previous_wave_gets_no_lagged_pair(engine, demo, hr):
    """Issue 16: the lagged relation paired SH01's August engagement with its October CSAT
    when SH01 was hidden in September. Now it has no pair: the lag is one wave of its own."""
    from scipy.stats import pearsonr

    hide_store_in(engine, "pulse-2026-09", "SH01")
    data = data_for(engine, actor=hr)
    found = linkage_relations.outcome_relations(data, "csat", "pulse-2026-10")
    units = data.units.set_index(["code", "wave"])
    assert ("SH01", "pulse-2026-09") not in units.index
    september = units.xs("pulse-2026-09", level="wave")["engagement"].dropna()
    october = units.xs("pulse-2026-10", level="wave")["csat"].dropna()
    both = sorted(set(september.index) & set(october.index))
    assert "SH01" not in both and len(both) == 11  # every store but SH01
    expected = pearsonr(september[both], october[both]).statistic  # scipy, by hand
    assert found["lagged"]["n"] == 11
    assert found["lagged"]["r"] == pytest.approx(expected)
    assert found["months"]["lagged"] == [("2026-09", "2026-10")]


def store_id_of(engine, code):
    with read_session(engine) as session:
        return session.scalar(select(OrgUnit.id).where(OrgUnit.code == code))


def test_a_store_manager_gets_their_store_against_the_chain(engine, demo, hr):
    """Issue 16: one store makes one dot and no correlation. The store view places the
    store's engagement and outcomes among the chain's published stores (quartiles only) and
    gives its own trend; no other store's id, code or name is in it."""
    from statistics import quantiles

    sh01 = store_id_of(engine, "SH01")
    with read_session(engine) as session:
        manager = actor_for_email(session, "manager.sh01@demo.example")
        view = linkage_store.store_view(session, manager, sh01, "pulse-2026-07")
    chain = data_for(engine, actor=hr).units
    july = chain[chain["wave"] == "pulse-2026-07"]
    own = july[july["code"] == "SH01"].iloc[0]
    assert (view.code, view.wave, view.month) == ("SH01", "pulse-2026-07", "2026-07")
    for row in view.standing.to_dict("records"):
        values = july[row["measure"]].dropna().tolist()
        # Reference: the standard library's quartiles, method "inclusive" (R's type 7).
        q1, median, q3 = quantiles(values, n=4, method="inclusive")
        assert row["stores"] == len(values) == 12
        assert (row["q1"], row["median"], row["q3"]) == pytest.approx((q1, median, q3))
        value = own[row["measure"]]
        assert row["value"] == pytest.approx(value)
        assert row["part"] == ("top" if value > q3 else "bottom" if value < q1 else "middle")
        assert row["decidable"]
    counts = view.standing.set_index("measure")["n"]
    assert counts["engagement"] == own["n"] and counts["repurchase"] == own["repurchase_n"]
    # The trend: the store's own rows that may be listed side by side, with the chain median.
    mine = data_for(engine, "manager.sh01@demo.example").units
    listed = mine[mine["listed"]]
    assert view.trend["wave"].tolist() == listed["wave"].tolist()
    assert view.trend["engagement"].tolist() == pytest.approx(listed["engagement"].tolist())
    medians = chain.groupby("wave")["engagement"].median()
    assert view.trend["median_engagement"].tolist() == pytest.approx(
        [medians[w] for w in view.trend["wave"]]
    )
    # Nothing identifies another store.
    others = chain[chain["code"] != "SH01"]
    for frame in (view.standing, view.trend):
        assert not {"store_id", "code", "name"} & set(frame.columns)
        text = frame.to_csv()
        assert not any(c in text for c in set(others["code"]) | set(others["name"]))


def test_the_store_view_gives_no_other_store_and_hides_what_is_hidden(engine, demo, hr):
    from ee_app.errors import NotFound

    sh02 = store_id_of(engine, "SH02")
    with read_session(engine) as session:
        manager = actor_for_email(session, "manager.sh01@demo.example")
        with pytest.raises(NotFound):  # a store outside their scope: as if it did not exist
            linkage_store.store_view(session, manager, sh02)
        assert linkage_store.store_view(session, hr, sh02).code == "SH02"  # HR reads any store
    # A store hidden in a wave (fewer than k) leaves the chain's quartiles.
    hide_store_in(engine, "pulse-2026-07", "SH02")
    with read_session(engine) as session:
        manager = actor_for_email(session, "manager.sh01@demo.example")
        view = linkage_store.store_view(
            session, manager, store_id_of(engine, "SH01"), "pulse-2026-07"
        )
    assert set(view.standing["stores"]) == {11}


def test_the_store_view_says_when_repurchase_is_not_yet_decidable(engine, demo):
    with read_session(engine) as session:
        manager = actor_for_email(session, "manager.sh01@demo.example")
        view = linkage_store.store_view(
            session, manager, store_id_of(engine, "SH01"), "pulse-2026-09"
        )
    repurchase = view.standing.set_index("measure").loc["repurchase"]
    assert not repurchase["decidable"] and np.isnan(repurchase["value"])
    assert view.until == date(2026, 12, 29)  # 30 September + 90 days
    assert linkage.window_end("2026-09") == date(2026, 12, 29)
    assert linkage.window_end("2026-02", 30) == date(2026, 3, 30)  # 28 February + 30 days
