"""The red team's hostile org, built the way HR builds one: units, a roster import, users,
two anonymous waves with a leaver and a joiner between them, everyone else answering the same
way both times (the worst case for subtraction), people who skip themes and the eNPS.

Teams of 1–4 inside stores of 5–12 with k = 3, so teams of three or four publish and teams of
one or two are hidden, and secondary suppression has work to do at every level.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Engine, select

from ee_app.auth import Actor, system_actor
from ee_app.config import Settings
from ee_app.db import read_session, write_session
from ee_app.instruments.pulse import CORE_SLOTS
from ee_app.keys import secret_key
from ee_app.models import OrgUnit, Staff, SurveyWave, UnitLevel, UserRole, WaveMode
from ee_app.services import answering, org, waves
from ee_app.services.roster import import_roster
from ee_app.services.users import actor_for_email, save_user
from tests.helpers import csv_file
from tests.wave_setup import open_new_wave

K = 3
W1, W2 = "rt-2026-09", "rt-2026-10"
OPENS = {W1: date(2026, 9, 1), W2: date(2026, 10, 1)}
MOVES_ON = date(2026, 9, 20)  # the leaver leaves, the joiner has joined


@dataclass(frozen=True)
class Person:
    no: str
    role: str  # a StaffRole value
    store: str
    team: str  # "" = attached to the store itself
    hired: date
    skips: frozenset[str] = frozenset()  # slots left blank; "enps" for the eNPS
    left: date | None = None
    responds: bool = True

    def answers(self) -> dict[str, int | None]:
        """The same answers in every wave, distinct between people."""
        digest = hashlib.sha256(self.no.encode()).digest()
        return {
            slot: None if slot in self.skips else 1 + digest[i] % 5
            for i, slot in enumerate(CORE_SLOTS)
        }

    def enps(self) -> int | None:
        return None if "enps" in self.skips else hashlib.sha256(self.no.encode()).digest()[20] % 11


def _people() -> list[Person]:
    old, mid, new = date(2020, 3, 1), date(2024, 6, 1), date(2026, 3, 1)
    senior = date(2022, 6, 1)
    a05 = frozenset(CORE_SLOTS[4:5])  # most of N1 skip theme 5: only two answer it
    p = []

    def add(prefix, count, role, store, team, hired, skips=frozenset(), **kw):  # type: ignore[no-untyped-def]
        for i in range(count):
            chosen = skips(i) if callable(skips) else skips
            p.append(Person(f"{prefix}{i}", role, store, team, hired, frozenset(chosen), **kw))

    # N1: 12 people; theme 5 answered by two; team N1A answers the eNPS twice in four.
    add("n1a", 4, "beautician", "N1", "N1A", mid, lambda i: a05 | ({"enps"} if i < 2 else set()))
    add("n1b", 2, "beautician", "N1", "N1B", mid, a05)
    add("n1b-c", 1, "consultant", "N1", "N1B", mid, a05)
    add("n1c", 2, "consultant", "N1", "N1C", old, a05)
    add("n1d", 1, "front_desk", "N1", "N1D", new)
    add("n1s", 1, "store_manager", "N1", "", old)
    add("n1s-c", 1, "consultant", "N1", "", mid, a05 | {"enps"})
    # N2: 7 people; the leaver is in team N2B.
    add("n2a", 3, "nurse", "N2", "N2A", mid)
    add("n2a-d", 1, "doctor", "N2", "N2A", senior)
    add("n2b", 2, "nurse", "N2", "N2B", new)
    p.append(Person("n2b-leaver", "nurse", "N2", "N2B", new, left=MOVES_ON))
    # N3: 5 people, one team of one.
    add("n3a", 1, "beautician", "N3", "N3A", mid)
    add("n3s", 3, "beautician", "N3", "", senior, lambda i: {"enps"} if i == 0 else set())
    add("n3s-f", 1, "front_desk", "N3", "", new)
    # S1: 9 people; one answers only the eNPS, one never answers.
    add("s1a", 4, "consultant", "S1", "S1A", mid, lambda i: set(CORE_SLOTS) if i == 0 else set())
    add("s1b", 3, "beautician", "S1", "S1B", mid)
    p.append(Person("s1b-silent", "beautician", "S1", "S1B", mid, responds=False))
    add("s1c", 1, "doctor", "S1", "S1C", old)
    # S2: 6 people, and a joiner in team S2B.
    add("s2a", 2, "nurse", "S2", "S2A", mid)
    add("s2b", 4, "beautician", "S2", "S2B", new, lambda i: {CORE_SLOTS[0]} if i < 2 else set())
    p.append(Person("s2b-joiner", "beautician", "S2", "S2B", date(2026, 9, 15)))
    return p


PEOPLE = _people()
UNITS = [  # code, level, parent
    ("RT", UnitLevel.BRAND, None),
    ("RN", UnitLevel.REGION, "RT"),
    ("RS", UnitLevel.REGION, "RT"),
    *((s, UnitLevel.STORE, "RN") for s in ("N1", "N2", "N3")),
    *((s, UnitLevel.STORE, "RS") for s in ("S1", "S2")),
    *(
        (t, UnitLevel.TEAM, t[:2])
        for t in ("N1A", "N1B", "N1C", "N1D", "N2A", "N2B", "N3A", "S1A", "S1B", "S1C")
    ),
    ("S2A", UnitLevel.TEAM, "S2"),
    ("S2B", UnitLevel.TEAM, "S2"),
]
#: Who looks: HR, a region manager, store managers and the manager of a team of four.
VIEWERS = {
    "hr@rt.example": ("hr", ()),
    "north@rt.example": ("manager", ("RN",)),
    "n1@rt.example": ("manager", ("N1",)),
    "n1a@rt.example": ("manager", ("N1A",)),
    "s2@rt.example": ("manager", ("S2",)),
}


@dataclass
class HostileOrg:
    engine: Engine
    settings: Settings
    unit_ids: dict[str, int]
    staff_ids: dict[str, int]
    viewers: dict[str, Actor] = field(default_factory=dict)

    def wave(self, code: str) -> SurveyWave:
        with read_session(self.engine) as session:
            return session.scalar(select(SurveyWave).where(SurveyWave.code == code))


def _roster(people: list[Person], on: date) -> bytes:
    rows = [["Employee number", "Name", "Role", "Store", "Team", "Hire date", "Leave date"]]
    for person in people:
        if person.hired > on:
            continue
        left = person.left.isoformat() if person.left and person.left <= on else ""
        rows.append(
            [person.no, person.no, person.role, person.store, person.team, person.hired, left]
        )
    return csv_file(rows)


def _answer_wave(org_: HostileOrg, people: list[Person], code: str) -> None:
    opens = OPENS[code]
    wave = org_.wave(code)
    key = secret_key(org_.settings)
    for person in people:
        present = person.hired <= opens and (person.left is None or person.left > opens)
        if not (present and person.responds):
            continue
        token = waves.survey_token(key, wave.id, org_.staff_ids[person.no], 1)
        answering.submit(
            org_.engine,
            token,
            person.answers(),
            person.enps(),
            f"comment of {person.no}",
            key=key,
            today=opens,
        )


def build(
    engine: Engine,
    people: list[Person] = PEOPLE,
    units: list[tuple[str, UnitLevel, str | None]] = UNITS,
    viewers: dict[str, tuple[str, tuple[str, ...]]] = VIEWERS,
    codes: tuple[str, ...] = (W1, W2),
) -> HostileOrg:
    """Units, a roster import, users, then each wave created, opened, answered by everyone
    present and closed; the roster changes (the leaver, the joiner) before the second."""
    admin = system_actor("red-team")
    settings = Settings.from_env()
    for code, level, parent in units:
        with write_session(engine) as session:
            org.create_unit(session, admin, code, f"unit {code}", level, parent)
    with write_session(engine) as session:
        data = _roster(people, OPENS[codes[0]])
        import_roster(session, admin, data, "roster.csv", effective=date(2026, 8, 1))
    for email, (role, scope) in viewers.items():
        with write_session(engine) as session:
            save_user(session, admin, email, role=UserRole(role), unit_codes=scope)
    with read_session(engine) as session:
        unit_ids = {c: i for c, i in session.execute(select(OrgUnit.code, OrgUnit.id))}
        hostile = HostileOrg(engine, settings, unit_ids, {})
        hostile.viewers = {e: actor_for_email(session, e) for e in viewers}
    for code in codes:
        if code != codes[0]:
            with write_session(engine) as session:
                data = _roster(people, OPENS[code])
                import_roster(session, admin, data, "roster.csv", effective=MOVES_ON)
        open_new_wave(
            engine,
            admin,
            code,
            [units[0][0]],
            opens_on=OPENS[code],
            closes_on=OPENS[code].replace(day=10),
            settings=settings,
            today=OPENS[code],
            mode=WaveMode.ANONYMOUS,
            k=K,
        )
        with read_session(engine) as session:
            hostile.staff_ids = dict(session.execute(select(Staff.employee_no, Staff.id)).all())
        _answer_wave(hostile, people, code)
        with write_session(engine) as session:
            waves.close_wave(session, admin, code, settings)
    return hostile
