"""The demo database is recognised by the mark the demo loader leaves (its ``demo.load``
audit entry, in the demo's own transaction), and nothing else carries that mark."""

import pytest

from ee_app.db import read_session, write_session
from ee_app.models import OrgUnit, UnitLevel
from ee_app.services import audit
from ee_app.services.demo import database_is_empty, load_demo, made_by_demo_load


def test_the_demo_loader_marks_its_database(engine, demo):
    with read_session(engine) as session:
        assert made_by_demo_load(session)


def test_an_empty_database_and_one_of_real_data_are_not_the_demos(engine, admin):
    with read_session(engine) as session:
        assert not made_by_demo_load(session)
    with write_session(engine) as session:
        session.add(OrgUnit(code="SH01", name="上海一店", level=UnitLevel.STORE, path="/"))
        audit.record(session, admin, "roster.import", "import_batch", 1)
        audit.record(session, admin, "demo.load", "wave", 1)  # the same word on another object
        session.commit()
    with read_session(engine) as session:
        assert not made_by_demo_load(session)


def test_a_demo_load_cut_off_midway_leaves_no_mark(engine, admin):
    def stop_after_the_org_tree(fraction: float, _label: str) -> None:
        if fraction > 0:
            raise RuntimeError("cut off")

    with write_session(engine) as session, pytest.raises(RuntimeError):
        load_demo(session, admin, parts={"org", "staff"}, progress=stop_after_the_org_tree)
    with read_session(engine) as session:
        assert database_is_empty(session)
        assert not made_by_demo_load(session)


def test_the_light_module_asks_for_the_mark_the_loader_writes():
    from ee_app.services import demo, demo_state

    assert demo._DEMO_LOADED == demo_state.DEMO_LOADED
