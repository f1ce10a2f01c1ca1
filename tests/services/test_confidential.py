"""The person-level relation of a confidential wave cannot be steered by the data its reader
imports: computed once and frozen, winsorized so that at least k people share each extreme,
coarse, and never from fewer than 20 people. The red team's recipe (issue 14: a crafted CSAT
file giving the target 1 and everyone else 5, read, undo, repeat) recovers nothing."""

from __future__ import annotations

import inspect
import math
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sqlalchemy import delete, select

from ee_app.analysis.linkage import unit_correlation
from ee_app.config import Settings
from ee_app.db import read_session, write_session
from ee_app.errors import Conflict, PermissionDenied
from ee_app.instruments.pulse import CORE_SLOTS
from ee_app.keys import secret_key
from ee_app.models import (
    AuditLog,
    ConfidentialRelation,
    OrgUnit,
    Staff,
    SurveyInvitation,
    SurveyResponse,
    SurveyResponseLink,
    SurveyWave,
    UnitLevel,
    WaveMode,
)
from ee_app.services import answering, confidential, waves
from ee_app.services import import_batches as batches
from ee_app.services import outcomes_import as oi
from ee_app.services.users import actor_for_email
from tests.helpers import csv_file
from tests.wave_setup import open_new_wave

OCTOBER = date(2026, 10, 1)  # a month the demo has CSAT for
DECEMBER = date(2026, 12, 1)  # after the demo's data ends: only what the test imports
AFTER_DECEMBER = date(2027, 1, 5)


@pytest.fixture
def settings():
    return Settings.from_env()


def closed_wave(
    engine,
    hr,
    code: str,
    *,
    units=("LM",),
    start: date = OCTOBER,
    mode: WaveMode = WaveMode.CONFIDENTIAL,
    answering_count: int | None = None,
    seed: int = 3,
) -> str:
    """A wave over ``units`` opening on ``start``, answered with random answers by the first
    ``answering_count`` invitees (all when None), then closed. Built through the services,
    adapting to their current signatures (``submit`` may take the server key, ``close_wave``
    the settings)."""
    settings = Settings.from_env()
    open_new_wave(
        engine,
        hr,
        code,
        units,
        opens_on=start,
        closes_on=start + timedelta(days=20),
        settings=settings,
        today=start,
        mode=mode,
    )
    with read_session(engine) as session:
        wave_id = session.scalar(select(SurveyWave.id).where(SurveyWave.code == code))
        invitations = session.execute(
            select(SurveyInvitation.staff_id, SurveyInvitation.generation)
            .where(SurveyInvitation.wave_id == wave_id)
            .order_by(SurveyInvitation.staff_id)
        ).all()
    key = secret_key(settings)
    extra = {"key": key} if "key" in inspect.signature(answering.submit).parameters else {}
    rng = np.random.default_rng(seed)
    chosen = invitations if answering_count is None else invitations[:answering_count]
    for staff_id, generation in chosen:
        token = waves.survey_token(key, wave_id, staff_id, generation)
        values = {slot: int(rng.integers(1, 6)) for slot in CORE_SLOTS}
        answering.submit(engine, token, values, 7, "", today=start, **extra)
    closing = (
        {"settings": settings}
        if "settings" in inspect.signature(waves.close_wave).parameters
        else {}
    )
    with write_session(engine) as session:
        waves.close_wave(session, hr, code, **closing)
    return code


def true_indices(engine, code: str) -> pd.DataFrame:
    """What the red team is after, read here with the test's own access to the tables:
    each respondent's engagement index, with their employee number and store code."""
    with read_session(engine) as session:
        wave_id = session.scalar(select(SurveyWave.id).where(SurveyWave.code == code))
        answers = session.execute(
            select(SurveyResponseLink.staff_id, *(getattr(SurveyResponse, s) for s in CORE_SLOTS))
            .join(SurveyResponse, SurveyResponse.id == SurveyResponseLink.response_id)
            .where(SurveyResponse.wave_id == wave_id)
        ).all()
        places = session.execute(
            select(SurveyInvitation.staff_id, Staff.employee_no, OrgUnit.level, OrgUnit.code)
            .join(Staff, Staff.id == SurveyInvitation.staff_id)
            .join(OrgUnit, OrgUnit.id == SurveyInvitation.unit_id)
            .where(SurveyInvitation.wave_id == wave_id)
        ).all()
        parents = dict(
            session.execute(
                select(OrgUnit.code, OrgUnit.parent_id).where(OrgUnit.level == UnitLevel.TEAM)
            ).all()
        )
        codes = dict(session.execute(select(OrgUnit.id, OrgUnit.code)).all())
    frame = pd.DataFrame(answers, columns=["staff_id", *CORE_SLOTS])
    frame["index"] = frame[list(CORE_SLOTS)].astype(float).mean(axis=1)
    where = pd.DataFrame(
        [
            (s, no, codes[parents[c]] if level is UnitLevel.TEAM else c)
            for s, no, level, c in places
        ],
        columns=["staff_id", "employee_no", "store"],
    )
    return frame[["staff_id", "index"]].merge(where, on="staff_id").sort_values("staff_id")


def crafted_csat(people: pd.DataFrame, target: int, day: date, tag: str) -> bytes:
    """The red team's file: one answer per respondent, 1 for the target, 5 for everyone."""
    rows = [["记录编号", "员工编号", "门店", "服务日期", "评分", "触点", "手机号"]]
    for position, row in enumerate(people.itertuples(index=False)):
        score = 1 if row.staff_id == target else 5
        rows.append(
            [f"{tag}-{position}", row.employee_no, row.store, day.isoformat(), score, "接待", ""]
        )
    return csv_file(rows)


def import_file(engine, hr, settings, data: bytes, name: str) -> int:
    with write_session(engine) as session:
        result = oi.import_csat(session, hr, data, name, settings)
    assert result.batch_id is not None and result.new > 0
    return result.batch_id


def undo(engine, hr, batch_id: int) -> None:
    with write_session(engine) as session:
        batches.undo_batch(session, hr, batch_id)


def compute(engine, actor, code, outcome="csat", today=AFTER_DECEMBER, **kwargs):
    with write_session(engine) as session:
        return confidential.compute_relation(session, actor, code, outcome, today=today, **kwargs)


def read(engine, actor, code, outcome="csat"):
    with read_session(engine) as session:
        return confidential.individual_relation(session, actor, code, outcome)


def targets_across(people: pd.DataFrame, count: int) -> list[int]:
    """``count`` respondents spread from the lowest to the highest true index."""
    ordered = people.sort_values(["index", "staff_id"])["staff_id"].tolist()
    picks = np.linspace(0, len(ordered) - 1, count).round().astype(int)
    return [ordered[i] for i in picks]


# --- the red team's recipe ---------------------------------------------------------------------


def test_the_red_team_recipe_recovers_nothing(engine, demo, hr, settings):
    """Issue 14: with 61 respondents, for each target import the crafted file, read the
    person-level relation, undo, repeat. The first computation (on a crafted file) shows no
    relation; every later reading is the same frozen one; nothing ranks the targets. CSAT of
    December alone (a window of one month), so that the crafted file is all the data."""
    code = closed_wave(engine, hr, "conf-12", start=DECEMBER, answering_count=61)
    people = true_indices(engine, code)
    assert len(people) == 61
    targets = targets_across(people, 8)
    readings = []
    for round_, target in enumerate(targets):
        batch = import_file(
            engine,
            hr,
            settings,
            crafted_csat(people, target, DECEMBER + timedelta(days=5), f"R{round_}"),
            f"crafted-{round_}.csv",
        )
        if round_ == 0:
            compute(engine, hr, code, csat_months=1)
        else:
            with pytest.raises(Conflict):  # once only: later imports cannot steer it
                compute(engine, hr, code, csat_months=1)
        readings.append(read(engine, hr, code))
        undo(engine, hr, batch)
    first = readings[0]
    assert first.enough and first.people == 61
    assert first.r is None and first.r_low is None and first.significant is None
    assert all(reading == first for reading in readings)  # identical, to the time it was computed
    assert len(first.batches) == 1  # the first crafted file, which is all December held
    recovered = [reading.r for reading in readings]
    assert len(set(recovered)) == 1  # one value for every target: no ordering to read
    # And the same recipe against the plain correlation the page used to show orders every
    # target by their index exactly (rank correlation −1: the lower r, the higher the index):
    # the recipe is a real attack.
    truth = people.set_index("staff_id")["index"]
    plain = [
        unit_correlation(
            pd.DataFrame({"x": truth.to_numpy(), "y": np.where(truth.index == t, 1.0, 5.0)}),
            "x",
            "y",
        )["r"]
        for t in targets
    ]
    assert stats.spearmanr(plain, truth.loc[targets]).statistic == pytest.approx(-1.0)


def test_even_a_fresh_computation_per_target_recovers_nothing(engine, demo, hr, settings):
    """Were the freeze bypassed (the stored row deleted between rounds, which only direct
    SQL access can do), the winsorized statistic on a crafted file still shows nothing: the
    target's difference is pulled in among k − 1 others and no variance is left."""
    code = closed_wave(engine, hr, "conf-12b", start=DECEMBER, answering_count=40, seed=11)
    people = true_indices(engine, code)
    for round_, target in enumerate(targets_across(people, 5)):
        batch = import_file(
            engine,
            hr,
            settings,
            crafted_csat(people, target, DECEMBER + timedelta(days=3), f"F{round_}"),
            f"fresh-{round_}.csv",
        )
        found = compute(engine, hr, code, csat_months=1)  # December: the crafted file alone
        assert found.enough and found.people == 40 and found.r is None
        undo(engine, hr, batch)
        with write_session(engine) as session:
            session.execute(delete(ConfidentialRelation))
            session.commit()


# --- computed once, frozen ---------------------------------------------------------------------


def test_a_relation_is_computed_once_and_later_imports_do_not_change_it(engine, demo, hr, settings):
    code = closed_wave(engine, hr, "conf-10", answering_count=61)
    assert read(engine, hr, code) is None  # not computed yet
    found = compute(engine, hr, code, today=date(2026, 11, 2))
    assert found.enough and found.people is not None and found.people >= confidential.MIN_PEOPLE
    assert found.month == "2026-10" and found.window_days is None and found.batches
    assert found.computed_by == hr.email and found.k == 5
    assert found.winsorized == max(math.floor(0.2 * found.people), found.k - 1)
    people = true_indices(engine, code)
    batch = import_file(
        engine,
        hr,
        settings,
        crafted_csat(people, int(people["staff_id"].iloc[0]), OCTOBER + timedelta(days=9), "X"),
        "late.csv",
    )
    with pytest.raises(Conflict, match="computed already"):
        compute(engine, hr, code, today=date(2026, 11, 2))
    assert read(engine, hr, code) == found
    undo(engine, hr, batch)
    assert read(engine, hr, code) == found
    with read_session(engine) as session:
        entries = session.scalars(
            select(AuditLog).where(AuditLog.action == "confidential.compute")
        ).all()
    assert len(entries) == 1  # the refused attempt left no trace but its refusal
    assert set(entries[0].detail) == {"outcome", "month", "batches"}  # no answer data


def test_only_coarse_aggregates_are_stored_and_returned(engine, demo, hr):
    code = closed_wave(engine, hr, "conf-10c", answering_count=80, seed=8)
    found = compute(engine, hr, code, today=date(2026, 11, 2))
    assert found.r is not None  # real October CSAT varies
    for value in (found.r, found.r_low, found.r_high):
        assert value == round(value, 1) and -1 <= value <= 1
    assert found.r_low <= found.r <= found.r_high
    assert isinstance(found.significant, bool)
    with read_session(engine) as session:
        row = session.scalars(select(ConfidentialRelation)).one()
    assert set(row.statistics) == {
        "method",
        "month",
        "window_days",
        "csat_months",
        "batches",
        "k",
        "trim",
        "min_people",
        "enough",
        "winsorized",
        "r",
        "r_low",
        "r_high",
        "significant",
    }
    assert row.people == found.people
    numbers = [v for v in row.statistics.values() if isinstance(v, float)]
    assert all(v == round(v, 1) for v in numbers)  # nothing finer than a tenth is kept


@pytest.mark.parametrize("outcome", ["csat", "repurchase"])
def test_the_month_must_be_over_and_repurchase_windows_ended(engine, demo, hr, outcome):
    code = closed_wave(engine, hr, f"conf-{outcome}", answering_count=30)
    with pytest.raises(Conflict, match="complete after 2026-10-31"):
        compute(engine, hr, code, outcome, today=date(2026, 10, 25))
    if outcome == "repurchase":  # the demo's sales end on 2026-11-02, before 2027-01-29
        with pytest.raises(Conflict, match="2027-01-29"):
            compute(engine, hr, code, outcome, today=date(2026, 11, 2))
    assert read(engine, hr, code, outcome) is None  # refusals use nothing up


def test_fewer_than_twenty_respondents_with_an_outcome_compute_nothing(engine, demo, hr, settings):
    code = closed_wave(engine, hr, "conf-12s", start=DECEMBER, answering_count=40, seed=4)
    people = true_indices(engine, code)
    few = people.iloc[:19]
    batch = import_file(
        engine, hr, settings, crafted_csat(few, -1, DECEMBER + timedelta(days=2), "S"), "few.csv"
    )
    with pytest.raises(Conflict, match="Fewer than 20"):
        compute(engine, hr, code, csat_months=1)  # December alone: the file is all there is
    assert read(engine, hr, code) is None  # nothing stored: the one computation is still there
    undo(engine, hr, batch)
    import_file(
        engine, hr, settings, crafted_csat(people, -1, DECEMBER + timedelta(days=2), "A"), "all.csv"
    )
    found = compute(engine, hr, code, csat_months=1)
    assert found.enough and found.people == 40 and found.r is None  # everyone 5: no variance


def test_only_hr_and_admins_compute_or_read_it_and_only_for_closed_confidential_waves(
    engine, demo, hr, admin
):
    code = closed_wave(engine, hr, "conf-10p", answering_count=60)
    with read_session(engine) as session:
        manager = actor_for_email(session, "manager.sh01@demo.example")
    for attempt in (
        lambda: compute(engine, manager, code, today=date(2026, 11, 2)),
        lambda: read(engine, manager, code),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    anonymous = closed_wave(engine, hr, "anon-10", mode=WaveMode.ANONYMOUS, answering_count=10)
    with pytest.raises(Exception, match="No confidential wave"):
        compute(engine, hr, anonymous, today=date(2026, 11, 2))
    with read_session(engine) as session:
        assert confidential.confidential_waves(session, admin) == [code]
    assert compute(engine, admin, code, today=date(2026, 11, 2)).enough


# --- the CSAT window (issue 16) ------------------------------------------------------------------


def test_a_persons_csat_rests_on_the_window_ending_with_the_waves_month(engine, demo, hr):
    """By default a respondent's CSAT is that of the 3 months ending with the wave's month
    (August–October for an October wave), the window of the outcomes page and of pay: more
    respondents have one than in October alone, and the stored relation says which window
    it used. A relation stored before the window existed reads as one month."""
    from ee_app.models import CsatRecord

    code = closed_wave(engine, hr, "conf-10w", answering_count=80, seed=5)
    one = closed_wave(engine, hr, "conf-10m", answering_count=80, seed=5)
    found = compute(engine, hr, code, today=date(2026, 11, 2))
    month = compute(engine, hr, one, today=date(2026, 11, 2), csat_months=1)
    respondents = set(true_indices(engine, code)["staff_id"])
    with read_session(engine) as session:

        def answered(first: date) -> set[int]:
            rows = session.scalars(
                select(CsatRecord.staff_id).where(
                    CsatRecord.service_date.between(first, date(2026, 10, 31))
                )
            )
            return respondents & set(rows)

        quarter, october = answered(date(2026, 8, 1)), answered(OCTOBER)
    assert (found.csat_months, month.csat_months) == (3, 1)
    assert found.people == len(quarter) > month.people == len(october)
    assert found.month == month.month == "2026-10" and found.window_days is None
    with write_session(engine) as session:  # a row as stored before issue 16
        row = session.scalars(
            select(ConfidentialRelation).where(ConfidentialRelation.people == month.people)
        ).one()
        row.statistics = {k: v for k, v in row.statistics.items() if k != "csat_months"}
        session.commit()
    assert read(engine, hr, one).csat_months == 1
