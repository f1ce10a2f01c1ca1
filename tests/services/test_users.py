import pytest
from sqlalchemy import select

from ee_app.db import read_session, write_session
from ee_app.errors import Conflict, PermissionDenied, ValidationError
from ee_app.models import AppUser, AuditLog, UserRole
from ee_app.services.users import actor_for_email, list_users, save_user


def test_bootstrap_admin_on_first_sign_in(engine):
    with write_session(engine) as session:
        assert actor_for_email(session, "nobody@x.example") is None
        actor = actor_for_email(session, "Boss@X.example", "Boss", ["boss@x.example"])
    assert actor.role is UserRole.ADMIN
    with read_session(engine) as session:
        assert session.scalar(select(AuditLog.action)) == "user.bootstrap_admin"


def test_manager_scope_is_expanded_to_the_subtree(engine, demo, admin):
    with write_session(engine) as session:
        save_user(session, admin, "m2@x.example", role=UserRole.MANAGER, unit_codes=["NORTH"])
        actor = actor_for_email(session, "m2@x.example")
    north = {c for c in demo.unit_ids if c.startswith(("BJ", "TJ", "QD"))} | {"NORTH"}
    assert actor.scope == frozenset(demo.unit_ids[c] for c in north)


@pytest.mark.parametrize(
    ("email", "role", "units", "error"),
    [
        ("not-an-email", UserRole.HR, [], ValidationError),
        ("m@x.example", UserRole.MANAGER, [], ValidationError),
        ("m@x.example", UserRole.MANAGER, ["NOPE"], ValidationError),
    ],
)
def test_save_user_validates(engine, demo, admin, email, role, units, error):
    with write_session(engine) as session, pytest.raises(error):
        save_user(session, admin, email, role=role, unit_codes=units)


def test_last_admin_cannot_be_demoted(engine, demo, admin):
    with write_session(engine) as session, pytest.raises(Conflict):
        save_user(session, admin, "admin@demo.example", role=UserRole.HR)
    with write_session(engine) as session:  # with a second admin it is fine
        save_user(session, admin, "a2@x.example", role=UserRole.ADMIN)
        save_user(session, admin, "admin@demo.example", role=UserRole.HR)
        assert (
            session.scalar(select(AppUser.role).where(AppUser.email == "admin@demo.example"))
            is UserRole.HR
        )


def test_only_admins_manage_users(engine, demo, hr):
    with read_session(engine) as session, pytest.raises(PermissionDenied):
        list_users(session, hr)


def test_inactive_user_cannot_act(engine, demo, admin):
    with write_session(engine) as session:
        save_user(session, admin, "hr2@demo.example", role=UserRole.HR, active=False)
        assert actor_for_email(session, "hr2@demo.example") is None
