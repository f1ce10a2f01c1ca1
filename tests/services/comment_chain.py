"""A small chain for comments and own questions (issue 18), built through the app's services.

Brand CB; region CR1 with store CS (teams T1, T2, T3 of 4, 4 and 5 people: each below k_c)
and store CS2 (3 people); region CR2 with stores CS3 and CS4 (4 people each). k = 3,
k_c = 10. Everyone answers and writes a comment naming their own unit ("CS/T1 #0"), so a
test can tell from a list of comments whose they are. The wave asks two own questions; the
first is answered by everyone but two people of CS3 (so in CS3 it rests on 2 answers), the
second by everyone.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Engine, select

from ee_app.auth import Actor, system_actor
from ee_app.config import Settings
from ee_app.db import read_session, write_session
from ee_app.instruments.pulse import CORE_SLOTS
from ee_app.keys import secret_key
from ee_app.models import (
    InstrumentVersion,
    OrgUnit,
    Staff,
    SurveyInvitation,
    SurveyWave,
    UnitLevel,
    UserRole,
)
from ee_app.services import answering, instruments, org, waves
from ee_app.services.roster import import_roster
from tests.helpers import csv_file
from tests.wave_setup import open_new_wave

K, K_C = 3, 10
WAVE = "cw-2026-11"
OPENS = date(2026, 11, 2)
#: (code, level, parent)
UNITS = (
    ("CB", UnitLevel.BRAND, None),
    ("CR1", UnitLevel.REGION, "CB"),
    ("CR2", UnitLevel.REGION, "CB"),
    ("CS", UnitLevel.STORE, "CR1"),
    ("CS2", UnitLevel.STORE, "CR1"),
    ("CS3", UnitLevel.STORE, "CR2"),
    ("CS4", UnitLevel.STORE, "CR2"),
    ("T1", UnitLevel.TEAM, "CS"),
    ("T2", UnitLevel.TEAM, "CS"),
    ("T3", UnitLevel.TEAM, "CS"),
)
#: (store, team or "", people)
PEOPLE = (("CS", "T1", 4), ("CS", "T2", 4), ("CS", "T3", 5), ("CS2", "", 3))
PEOPLE += (("CS3", "", 4), ("CS4", "", 4))
OWN = (
    ("Our new uniforms are comfortable.", "新制服穿着舒适。"),
    ("I can park near work.", "我上班方便停车。"),
)
SKIPS_X1 = {"CS3": 2}  # people of the store who skip the first own question


def hr() -> Actor:
    return Actor(email="hr@example.com", role=UserRole.HR)


def manager(ids: dict[str, int], *codes: str) -> Actor:
    """A manager of ``codes`` (and everything beneath them)."""
    with_below = {ids[c] for c in codes}
    for code, _level, parent in UNITS:  # parents come before their children
        if parent is not None and ids[parent] in with_below:
            with_below.add(ids[code])
    return Actor(email="m@example.com", role=UserRole.MANAGER, scope=frozenset(with_below))


def build(engine: Engine, *, own: bool = True, skip_x1: dict[str, int] | None = None) -> dict:
    """Units, roster, one wave (with own questions unless ``own`` is false) answered by
    everyone and closed. Returns unit code → id."""
    admin = system_actor("comment-test")
    skips = SKIPS_X1 if skip_x1 is None else skip_x1
    for code, level, parent in UNITS:
        with write_session(engine) as session:
            org.create_unit(session, admin, code, f"unit {code}", level, parent)
    rows = [["Employee number", "Name", "Role", "Store", "Team", "Hire date", "Leave date"]]
    for store, team, count in PEOPLE:
        for i in range(count):
            no = f"{team or store}-{i}"
            rows.append([no, no, "beautician", store, team, date(2024, 1, 1), ""])
    with write_session(engine) as session:
        import_roster(session, admin, csv_file(rows), "roster.csv", effective=date(2026, 7, 1))
    instrument_id = None
    if own:
        with write_session(engine) as session:
            instruments.ensure_default_pulse(session)
            session.commit()
        with write_session(engine) as session:
            base = session.scalar(
                select(InstrumentVersion.id).where(InstrumentVersion.version == 1)
            )
            instrument_id = instruments.add_custom_items(session, admin, base, list(OWN)).id
    return run_wave(engine, WAVE, OPENS, instrument_id, skips, own=own)


def run_wave(
    engine: Engine,
    code: str,
    opens: date,
    instrument_id: int | None,
    skips: dict[str, int],
    *,
    own: bool = True,
    shift: int = 0,
) -> dict:
    """One wave of the whole chain, answered by everyone (own answers moved by ``shift``,
    within 1–5) and closed. Returns unit code → id."""
    admin = system_actor("comment-test")
    settings = Settings.from_env()
    key = secret_key(settings)
    open_new_wave(
        engine,
        admin,
        code,
        ["CB"],
        opens_on=opens,
        closes_on=opens + timedelta(days=10),
        settings=settings,
        today=opens,
        name=f"Wave {code}",
        k=K,
        k_comments=K_C,
        instrument_id=instrument_id,
    )
    with read_session(engine) as session:
        wave_id = session.scalar(select(SurveyWave.id).where(SurveyWave.code == code))
        invited = session.execute(
            select(SurveyInvitation.staff_id, SurveyInvitation.generation, Staff.employee_no)
            .join(Staff, Staff.id == SurveyInvitation.staff_id)
            .where(SurveyInvitation.wave_id == wave_id)
        ).all()
        ids = dict(session.execute(select(OrgUnit.code, OrgUnit.id)).all())
    for staff_id, generation, no in invited:
        token = waves.survey_token(key, wave_id, staff_id, generation)
        unit, i = no.rsplit("-", 1)
        store = next(s for s, t, _n in PEOPLE if unit in (s, t))
        answers: dict[str, int | None] = {slot: 2 + int(i) % 4 for slot in CORE_SLOTS}
        if own:
            answers["x1"] = None if int(i) < skips.get(store, 0) else 5 - int(i) % 2 - shift
            answers["x2"] = 1 + int(i) % 5
        path = f"{store}/{unit}" if unit != store else store
        answering.submit(engine, token, answers, 8, f"{path} #{i}", key=key, today=opens)
    with write_session(engine) as session:
        waves.close_wave(session, admin, code, settings)
    return ids


def author_store(comment: str) -> str:
    """The store whose person wrote a comment of this chain ("CS/T1 #0" → "CS")."""
    return comment.split(" ", 1)[0].split("/", 1)[0]
