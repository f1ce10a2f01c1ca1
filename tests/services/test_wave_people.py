"""Late joiners and lost links of an open wave, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from ee_app.auth import Actor
from ee_app.config import Settings
from ee_app.db import read_session, write_session
from ee_app.errors import Conflict, NotFound, PermissionDenied
from ee_app.keys import secret_key
from ee_app.models import (
    AuditLog,
    OrgUnit,
    Staff,
    StaffAssignment,
    StaffRole,
    SurveyInvitation,
    UnitLevel,
    UserRole,
)
from ee_app.services import answering, wave_people, waves
from ee_app.services.org import create_unit
from tests.wave_setup import open_new_wave, token_of

OPENS = date(2026, 11, 2)
LATER = date(2026, 11, 9)


@pytest.fixture
def settings(tmp_path, monkeypatch):
    monkeypatch.setenv("EE_SECRET_KEY", "cd" * 32)
    monkeypatch.setenv("EE_DATA_DIR", str(tmp_path))
    return Settings.from_env()


def hire(session, no: str, unit: str, role=StaffRole.BEAUTICIAN, hired=date(2020, 1, 1)):
    unit_id = session.scalar(select(OrgUnit.id).where(OrgUnit.code == unit))
    person = Staff(employee_no=no, name=f"员工{no}", hire_date=hired)
    session.add(person)
    session.flush()
    session.add(StaffAssignment(staff_id=person.id, unit_id=unit_id, role=role, valid_from=hired))


def two_stores(engine, admin):
    """Brand B › region R › stores S1 (six beauticians) and S2 (five beauticians)."""
    with write_session(engine) as session:
        create_unit(session, admin, "B", "品牌", UnitLevel.BRAND, None)
        create_unit(session, admin, "R", "华东", UnitLevel.REGION, "B")
        create_unit(session, admin, "S1", "一店", UnitLevel.STORE, "R")
        create_unit(session, admin, "S2", "二店", UnitLevel.STORE, "R")
        for n in range(6):
            hire(session, f"A{n}", "S1")
        for n in range(5):
            hire(session, f"B{n}", "S2")
        session.commit()


@pytest.fixture
def chain(engine, admin):
    two_stores(engine, admin)


def open_wave(engine, hr, settings, code="W1"):
    return open_new_wave(
        engine,
        hr,
        code,
        ["R"],
        opens_on=OPENS,
        closes_on=date(2026, 11, 30),
        settings=settings,
        today=OPENS,
        name="十一月脉搏",
        k=5,
    )


def state(engine, token, today=LATER):
    with read_session(engine) as session:
        return answering.open_link(session, token, today=today).state


def submit(engine, token):
    key = secret_key(Settings.from_env())
    answering.submit(engine, token, {"a01": 4}, 8, None, key=key, today=LATER)


def invitation(engine, no):
    with read_session(engine) as session:
        return session.execute(
            select(SurveyInvitation)
            .join(Staff, Staff.id == SurveyInvitation.staff_id)
            .where(Staff.employee_no == no)
        ).scalar_one()


def open_then_hire(engine, hr, settings):
    """Wave W1 opens; then N1 joins S1 and N2 joins S2, after their invitations went out."""
    open_wave(engine, hr, settings)
    with write_session(engine) as session:
        hire(session, "N1", "S1", hired=date(2026, 11, 5))
        hire(session, "N2", "S2", hired=date(2026, 11, 6))
        session.commit()


def test_people_hired_after_opening_get_a_link_that_works(engine, chain, hr, settings):
    open_then_hire(engine, hr, settings)
    with read_session(engine) as session:
        preview = wave_people.late_joiners(session, hr, "W1", today=LATER)
    with write_session(engine) as session:
        added = wave_people.add_late_joiners(session, hr, "W1", settings, today=LATER)
    assert preview == added.count == 2
    assert sorted(link.employee_no for link in added.links) == ["N1", "N2"]
    token = token_of(added.links[0].link)
    assert state(engine, token) is answering.LinkState.READY
    submit(engine, token)
    assert state(engine, token) is answering.LinkState.USED
    # Adding again finds no one: everyone in the audience has a link.
    with write_session(engine) as session:
        assert wave_people.add_late_joiners(session, hr, "W1", settings, today=LATER).count == 0
    with read_session(engine) as session:
        entry = session.scalars(select(AuditLog).where(AuditLog.action == "wave.add_joiners")).one()
    assert entry.detail == {"added": 2, "units": []}


def test_only_under_the_given_units(engine, chain, hr, settings):
    open_then_hire(engine, hr, settings)
    with read_session(engine) as session:
        preview = wave_people.late_joiners(session, hr, "W1", unit_codes=["S2"], today=LATER)
    with write_session(engine) as session:
        added = wave_people.add_late_joiners(
            session, hr, "W1", settings, unit_codes=["S2"], today=LATER
        )
    assert preview == added.count == 1
    assert [link.employee_no for link in added.links] == ["N2"]
    with read_session(engine) as session:
        assert wave_people.late_joiners(session, hr, "W1", today=LATER) == 1  # N1 still waits


@pytest.mark.parametrize(
    ("joiners", "expected"),
    [
        # One new front-desk person: a group of one, pooled to the store level where S1's six are.
        ([("N1", "S1", StaffRole.FRONT_DESK)], {"N1": ("S1", None, None)}),
        # Five new front-desk people make a group of k on their own: role and band kept.
        (
            [(f"N{n}", "S1", StaffRole.FRONT_DESK) for n in range(5)],
            {f"N{n}": ("S1", "front_desk", "lt1") for n in range(5)},
        ),
    ],
)
def test_late_joiners_are_pooled_as_at_opening(engine, chain, hr, settings, joiners, expected):
    open_wave(engine, hr, settings)
    before = {no: invitation(engine, no).report_role for no in ("A0", "B0")}
    with write_session(engine) as session:
        for no, unit, role in joiners:
            hire(session, no, unit, role=role, hired=date(2026, 11, 5))
        session.commit()
    with write_session(engine) as session:
        wave_people.add_late_joiners(session, hr, "W1", settings, today=LATER)
    with read_session(engine) as session:
        codes = dict(session.execute(select(OrgUnit.id, OrgUnit.code)).all())
    for no, (unit, role, band) in expected.items():
        row = invitation(engine, no)
        assert (codes[row.report_unit_id], row.report_role, row.report_band) == (unit, role, band)
    # Existing invitations keep the attributes they were given at opening.
    assert {no: invitation(engine, no).report_role for no in ("A0", "B0")} == before


def test_a_reissued_link_replaces_the_old_one(engine, chain, hr, settings):
    open_wave(engine, hr, settings)
    with read_session(engine) as session:
        old = next(
            link.link
            for link in waves.invitation_links(session, hr, "W1", settings)
            if link.employee_no == "A1"
        )
    with write_session(engine) as session:
        new = wave_people.reissue_link(session, hr, "W1", "A1", settings)
    assert new.link != old and new.employee_no == "A1"
    assert state(engine, token_of(old)) is answering.LinkState.UNKNOWN
    assert state(engine, token_of(new.link)) is answering.LinkState.READY
    with read_session(engine) as session:  # the workbook hands out the new link from now on
        links = {x.employee_no: x.link for x in waves.invitation_links(session, hr, "W1", settings)}
    assert links["A1"] == new.link
    with pytest.raises(NotFound):  # the old link cannot answer
        submit(engine, token_of(old))
    submit(engine, token_of(new.link))
    with pytest.raises(Conflict):  # nor can the new one a second time
        submit(engine, token_of(new.link))
    assert state(engine, token_of(new.link)) is answering.LinkState.USED
    with read_session(engine) as session:
        entry = session.scalars(select(AuditLog).where(AuditLog.action == "wave.reissue")).one()
    assert entry.detail == {"links": 1} and "A1" not in str(entry.object_id)


def test_no_new_link_for_someone_who_answered(engine, chain, hr, settings):
    open_wave(engine, hr, settings)
    with read_session(engine) as session:
        link = waves.invitation_links(session, hr, "W1", settings)[0]
    submit(engine, token_of(link.link))
    with write_session(engine) as session, pytest.raises(Conflict, match="already answered"):
        wave_people.reissue_link(session, hr, "W1", link.employee_no, settings)
    assert invitation(engine, link.employee_no).generation == 1


def test_no_new_link_in_a_closed_wave_nor_for_a_stranger(engine, chain, hr, settings):
    open_wave(engine, hr, settings)
    with write_session(engine) as session, pytest.raises(NotFound):
        wave_people.reissue_link(session, hr, "W1", "NOBODY", settings)
    with write_session(engine) as session:
        waves.close_wave(session, hr, "W1", settings)
    with write_session(engine) as session, pytest.raises(Conflict, match="not open"):
        wave_people.reissue_link(session, hr, "W1", "A1", settings)
    with write_session(engine) as session, pytest.raises(Conflict, match="not open"):
        wave_people.add_late_joiners(session, hr, "W1", settings, today=LATER)


def test_only_hr(engine, chain, hr, settings):
    open_wave(engine, hr, settings)
    manager = Actor(email="m@example.com", role=UserRole.MANAGER, scope=frozenset())
    with write_session(engine) as session, pytest.raises(PermissionDenied):
        wave_people.reissue_link(session, manager, "W1", "A1", settings)
    with read_session(engine) as session, pytest.raises(PermissionDenied):
        wave_people.late_joiners(session, manager, "W1", today=LATER)
