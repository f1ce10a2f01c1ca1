from collections import Counter

import pytest
from sqlalchemy import func, select

from ee_app.db import read_session, write_session
from ee_app.demo.chain import generate_chain
from ee_app.errors import ConfigError, Conflict
from ee_app.models import AppUser, OrgUnit, Staff, StaffRole, UnitLevel
from ee_app.services.demo import load_demo


def test_small_demo_is_a_realistic_chain(engine, demo):
    with read_session(engine) as session:
        levels = Counter(session.scalars(select(OrgUnit.level)))
        staff = session.scalar(select(func.count()).select_from(Staff))
        users = set(session.scalars(select(AppUser.role)))
    assert levels[UnitLevel.BRAND] == 1 and levels[UnitLevel.REGION] == 3
    assert levels[UnitLevel.STORE] == 12
    assert 24 <= levels[UnitLevel.TEAM] <= 36
    assert 180 <= staff <= 230
    assert users == {"admin", "hr", "manager", "shopper"}
    roles = Counter(s.periods[-1][1] for s in demo.chain.staff)
    assert roles[StaffRole.STORE_MANAGER] == 12
    assert roles[StaffRole.BEAUTICIAN] > roles[StaffRole.DOCTOR] > 0


def test_demo_is_reproducible_from_its_seed():
    assert generate_chain(3, "small") == generate_chain(3, "small")
    assert generate_chain(3, "small") != generate_chain(4, "small")


def test_chain_size_has_about_ten_thousand_staff():
    chain = generate_chain(7, "chain")
    assert 9000 <= len(chain.staff) <= 11000
    assert len({s.employee_no for s in chain.staff}) == len(chain.staff)


def test_demo_loads_only_into_an_empty_database(engine, demo, admin):
    with write_session(engine) as session, pytest.raises(Conflict):
        load_demo(session, admin)


def test_demo_never_loads_in_production(engine, admin):
    with write_session(engine) as session, pytest.raises(ConfigError):
        load_demo(session, admin, production=True)
