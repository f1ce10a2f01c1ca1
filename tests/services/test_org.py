"""Scope: a manager sees their units and nothing else, whichever function they call."""

import pytest
from sqlalchemy import select

from ee_app.auth import Actor
from ee_app.db import read_session, write_session
from ee_app.errors import Conflict, NotFound, PermissionDenied, ValidationError
from ee_app.models import OrgUnit, UnitLevel, UserRole
from ee_app.services import org
from ee_app.services.users import actor_for_email


def manager_of(engine, email="manager.sh01@demo.example"):
    with read_session(engine) as session:
        return actor_for_email(session, email)


def test_store_manager_sees_only_their_store(engine, demo):
    actor = manager_of(engine)
    with read_session(engine) as session:
        staff = org.list_staff(session, actor)
        units = org.list_units(session, actor)
        assert {s.store_code for s in staff} == {"SH01"}
        assert {u.code for u in units} == {
            "SH01",
            *(c for c in demo.unit_ids if c.startswith("SH01-")),
        }
        with pytest.raises(NotFound):
            org.get_unit(session, actor, "BJ01")
        with pytest.raises(NotFound):
            org.list_staff(session, actor, unit_id=demo.unit_ids["BJ01"])
        other = next(s for s in demo.chain.staff if s.periods[-1][0].startswith("BJ01"))
        with pytest.raises(NotFound):
            org.staff_history(session, actor, other.employee_no)
        assert not org.list_staff(session, actor, search=other.name) or all(
            s.store_code == "SH01" for s in org.list_staff(session, actor, search=other.name)
        )
        assert set(org.headcounts(session, actor)) <= {u.id for u in units}


def test_region_manager_sees_the_region(engine, demo):
    actor = manager_of(engine, "manager.east@demo.example")
    with read_session(engine) as session:
        stores = {s.store_code for s in org.list_staff(session, actor)}
    assert stores == {"SH01", "SH02", "HZ01", "SZ01"}


def test_hr_sees_the_whole_chain(engine, demo, hr):
    with read_session(engine) as session:
        staff = org.list_staff(session, hr)
    current = [s for s in demo.chain.staff if s.leave_date is None]
    assert len(staff) == len(current)


def test_shopper_sees_no_org_data(engine, demo):
    shopper = manager_of(engine, "shopper@demo.example")
    with read_session(engine) as session, pytest.raises(PermissionDenied):
        org.list_staff(session, shopper)


def test_manager_without_scope_sees_nothing_not_everything():
    assert Actor("m@x", UserRole.MANAGER).scope == frozenset()


def test_history_keeps_the_earlier_unit(engine, demo, hr):
    mover = next(s for s in demo.chain.staff if len(s.periods) == 2)
    with read_session(engine) as session:
        periods = org.staff_history(session, hr, mover.employee_no)
        assert [p.unit.code for p in periods] == [p[0] for p in mover.periods]
        assert periods[0].valid_to == periods[1].valid_from


@pytest.mark.parametrize(
    ("code", "level", "parent", "error"),
    [
        ("SH01", UnitLevel.STORE, "EAST", Conflict),  # code taken
        ("X1", UnitLevel.TEAM, "EAST", ValidationError),  # a team under a region
        ("X2", UnitLevel.STORE, "NOPE", ValidationError),
        ("", UnitLevel.STORE, "EAST", ValidationError),
    ],
)
def test_create_unit_refuses_bad_trees(engine, demo, hr, code, level, parent, error):
    with write_session(engine) as session, pytest.raises(error):
        org.create_unit(session, hr, code, "名称", level, parent)


def test_create_unit_sets_the_path(engine, demo, hr):
    with write_session(engine) as session:
        row = org.create_unit(session, hr, "NJ01", "南京新街口店", UnitLevel.STORE, "EAST")
    with read_session(engine) as session:
        region = session.scalar(select(OrgUnit).where(OrgUnit.code == "EAST"))
        assert row.path == f"{region.path}{row.id}/"
        assert row.id in org.expand_scope(session, [region.id])
