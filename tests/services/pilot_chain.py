"""A scripted chain for comparisons across waves (issue 16): a chain-wide wave A, a pilot
wave B of two stores, a confidential spot check of one store, then a chain-wide wave C.

Brand PB with regions PN (stores N1, N2, N3) and PS (stores S1, S2); six people per store
(three beauticians, then three consultants), k = 3, everyone answers every wave. A person's
answer to every theme is ``min(5, base + shift)`` with ``base`` = 1, 2, 3, 4, 1, 2 for the six
people of a store and ``shift`` set per wave, so each store's index in a wave is known by hand
(see :func:`expected_index`).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Engine, select

from ee_app.auth import system_actor
from ee_app.config import Settings
from ee_app.db import read_session, write_session
from ee_app.instruments.pulse import CORE_SLOTS
from ee_app.keys import secret_key
from ee_app.models import OrgUnit, Staff, SurveyInvitation, SurveyWave, UnitLevel, WaveMode
from ee_app.services import answering, org, waves
from ee_app.services.roster import import_roster
from tests.helpers import csv_file
from tests.wave_setup import open_new_wave

K = 3
STORES = {"N1": "PN", "N2": "PN", "N3": "PN", "S1": "PS", "S2": "PS"}
PILOT = ("N1", "S1")  # wave B covers these two stores only
SPOT = "N2"  # the confidential spot check
BASES = (1, 2, 3, 4, 1, 2)  # the six people of each store
ROLES = ("beautician",) * 3 + ("consultant",) * 3
#: code → (audience, mode, opening day, shift of every answer)
WAVES = {
    "pa-2026-08": (("PB",), WaveMode.ANONYMOUS, date(2026, 8, 3), 0),
    "pb-2026-09": (PILOT, WaveMode.ANONYMOUS, date(2026, 9, 1), 1),
    "px-2026-10": ((SPOT,), WaveMode.CONFIDENTIAL, date(2026, 10, 5), 1),
    "pc-2026-11": (("PB",), WaveMode.ANONYMOUS, date(2026, 11, 2), 2),
}
A, B, X, C = WAVES


def answer(base: int, wave: str) -> int:
    return min(5, base + WAVES[wave][3])


def person_means(wave: str, role: str | None = None) -> list[float]:
    """Each person's mean over the twelve themes in ``wave`` (every theme the same answer),
    of one store, or of one role in it."""
    return [float(answer(b, wave)) for b, r in zip(BASES, ROLES, strict=True) if role in (None, r)]


def expected_index(wave: str, role: str | None = None) -> float:
    """A store's engagement index in ``wave`` (the mean of all its answers), by hand:
    A (shift 0): 1, 2, 3, 4, 1, 2 → 13/6; B (shift 1): 2, 3, 4, 5, 2, 3 → 19/6;
    C (shift 2): 3, 4, 5, 5, 3, 4 → 24/6. Consultants only (bases 4, 1, 2): A 7/3, B 10/3,
    C 12/3."""
    answers = person_means(wave, role)
    return sum(answers) / len(answers)


def build(engine: Engine, codes: tuple[str, ...] = (A, B, X, C)) -> dict[str, int]:
    """The units and the roster, then each wave of ``codes`` in order (:func:`run_wave`).
    Returns unit code → id."""
    admin = system_actor("pilot-test")
    units = [("PB", UnitLevel.BRAND, None), ("PN", UnitLevel.REGION, "PB")]
    units += [("PS", UnitLevel.REGION, "PB")]
    units += [(store, UnitLevel.STORE, region) for store, region in STORES.items()]
    for code, level, parent in units:
        with write_session(engine) as session:
            org.create_unit(session, admin, code, f"unit {code}", level, parent)
    rows = [["Employee number", "Name", "Role", "Store", "Team", "Hire date", "Leave date"]]
    for store in STORES:
        for i, role in enumerate(ROLES):
            no = f"{store.lower()}-{i}"
            rows.append([no, no, role, store, "", date(2024, 1, 1), ""])
    with write_session(engine) as session:
        import_roster(session, admin, csv_file(rows), "roster.csv", effective=date(2026, 7, 1))
    for code in codes:
        run_wave(engine, code)
    with read_session(engine) as session:
        return {c: i for c, i in session.execute(select(OrgUnit.code, OrgUnit.id))}


def run_wave(engine: Engine, code: str) -> None:
    """Wave ``code`` created, opened, answered by everyone invited, and closed."""
    admin = system_actor("pilot-test")
    settings = Settings.from_env()
    key = secret_key(settings)
    with read_session(engine) as session:
        bases = {
            staff_id: BASES[int(no.rsplit("-", 1)[1])]
            for staff_id, no in session.execute(select(Staff.id, Staff.employee_no))
        }
    audience, mode, opens, _shift = WAVES[code]
    open_new_wave(
        engine,
        admin,
        code,
        audience,
        opens_on=opens,
        closes_on=opens + timedelta(days=10),
        settings=settings,
        today=opens,
        name=f"Wave {code[1].upper()}",
        mode=mode,
        k=K,
    )
    with read_session(engine) as session:
        wave_id = session.scalar(select(SurveyWave.id).where(SurveyWave.code == code))
        invited = session.execute(
            select(SurveyInvitation.staff_id, SurveyInvitation.generation).where(
                SurveyInvitation.wave_id == wave_id
            )
        ).all()
    for staff_id, generation in invited:
        token = waves.survey_token(key, wave_id, staff_id, generation)
        value = answer(bases[staff_id], code)
        answers = {slot: value for slot in CORE_SLOTS}
        answering.submit(engine, token, answers, 2 * value, "", key=key, today=opens)
    with write_session(engine) as session:
        waves.close_wave(session, admin, code, settings)
