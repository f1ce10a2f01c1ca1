"""The Core reads of ``ee-app users list``, ``wave list`` and ``staff list`` (issue 20) give
exactly what the ORM services give, for every kind of actor, on SQLite and PostgreSQL: the
same rows in the same order, the same hidden counts, the same refusals."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, update

from ee_app.db import read_session, write_session
from ee_app.errors import EeError
from ee_app.models import AppUser, Base
from ee_app.services import org, staff_read, users, users_read, waves, waves_read
from ee_app.services.core_tables import (
    APP_USER,
    ORG_UNIT,
    STAFF,
    STAFF_ASSIGNMENT,
    SURVEY_INVITATION,
    SURVEY_WAVE,
    SURVEY_WAVE_UNIT,
    USER_SCOPE,
)

#: ``None`` is the shell's administrator (no ``--as``); the others are the demo's users.
ACTORS = [
    None,
    "admin@demo.example",
    "hr@demo.example",
    "manager.sh01@demo.example",
    "manager.east@demo.example",
    "shopper@demo.example",
]
#: ``staff list`` options: (unit code, search).
STAFF_QUERIES = [
    (None, ""),
    ("SH01", ""),
    ("BJ01", ""),
    (None, "王"),
    ("SH01", "E10"),
    ("NOPE", ""),
]


def _outcome(read):  # type: ignore[no-untyped-def]
    """What a read answers: its rows, or the kind and text of its refusal."""
    try:
        return "rows", read()
    except EeError as exc:
        return type(exc).__name__, exc.render()


def _both(engine, orm_read, core_read):  # type: ignore[no-untyped-def]
    """The outcome of the ORM service's read (on a session) and of the quick read (on a
    connection), to compare."""
    with read_session(engine) as session:
        orm = _outcome(lambda: orm_read(session))
    with engine.connect() as conn:
        core = _outcome(lambda: core_read(conn))
    return orm, core


def _actors(engine, email):  # type: ignore[no-untyped-def]
    from ee_app.auth import system_actor

    if email is None:
        return system_actor("cli"), system_actor("cli")
    with read_session(engine) as session:
        orm = users.actor_for_email(session, email)
    with engine.connect() as conn:
        core = users_read.actor_for_email(conn, email)
    return orm, core


@pytest.mark.parametrize("email", [*ACTORS[1:], "nobody@demo.example", " HR@Demo.Example "])
def test_the_actor_is_the_same(engine, demo, email):
    orm, core = _actors(engine, email)
    assert core == orm


def test_an_inactive_user_is_no_actor(engine, demo):
    with write_session(engine) as session:
        session.execute(
            update(AppUser).where(AppUser.email == "manager.east@demo.example").values(active=False)
        )
        session.commit()
    assert _actors(engine, "manager.east@demo.example") == (None, None)
    with engine.connect() as conn:
        lines = users_read.list_users(conn, users_read.actor_for_email(conn, "admin@demo.example"))
    assert [u.active for u in lines if u.email == "manager.east@demo.example"] == [False]


@pytest.mark.parametrize("email", ACTORS)
def test_users_list_is_the_same(engine, demo, email):
    orm_actor, core_actor = _actors(engine, email)
    orm, core = _both(
        engine,
        lambda session: [
            (u.email, u.name, u.role.value, u.active, u.unit_codes)
            for u in users.list_users(session, orm_actor)
        ],
        lambda conn: [
            (u.email, u.name, u.role, u.active, u.unit_codes)
            for u in users_read.list_users(conn, core_actor)
        ],
    )
    assert core == orm


@pytest.mark.parametrize("email", ACTORS)
def test_wave_list_is_the_same(engine, demo, email):
    orm_actor, core_actor = _actors(engine, email)
    orm, core = _both(
        engine,
        lambda session: [
            (w.code, w.status.value, w.mode.value, w.invited, w.responded, w.name)
            for w in waves.list_waves(session, orm_actor)
        ],
        lambda conn: [
            (w.code, w.status, w.mode, w.invited, w.responded, w.name)
            for w in waves_read.list_waves(conn, core_actor)
        ],
    )
    assert core == orm


@pytest.mark.parametrize("email", ACTORS)
@pytest.mark.parametrize(("unit", "search"), STAFF_QUERIES)
def test_staff_list_is_the_same(engine, demo, email, unit, search):
    orm_actor, core_actor = _actors(engine, email)

    def orm_read(session):  # type: ignore[no-untyped-def]
        unit_id = org.get_unit(session, orm_actor, unit).id if unit else None
        rows = org.list_staff(session, orm_actor, unit_id=unit_id, search=search)
        return [(r.employee_no, r.name, r.role.value, r.store_code, r.unit_code) for r in rows]

    def core_read(conn):  # type: ignore[no-untyped-def]
        unit_id = staff_read.unit_id_in_scope(conn, core_actor, unit) if unit else None
        rows = staff_read.list_staff(conn, core_actor, unit_id=unit_id, search=search)
        return [(r.employee_no, r.name, r.role, r.store_code, r.unit_code) for r in rows]

    orm, core = _both(engine, orm_read, core_read)
    assert core == orm


@pytest.mark.parametrize(
    "table",
    [
        APP_USER,
        USER_SCOPE,
        ORG_UNIT,
        STAFF,
        STAFF_ASSIGNMENT,
        SURVEY_WAVE,
        SURVEY_WAVE_UNIT,
        SURVEY_INVITATION,
    ],
    ids=lambda t: t.name,
)
def test_core_tables_name_columns_the_models_have(table):
    model = Base.metadata.tables[table.name]
    assert {c.name for c in table.c} <= {c.name for c in model.c}


def test_core_tables_name_columns_the_database_has(engine):
    for table in (APP_USER, USER_SCOPE, ORG_UNIT, STAFF, SURVEY_WAVE, SURVEY_INVITATION):
        present = {c["name"] for c in inspect(engine).get_columns(table.name)}
        assert {c.name for c in table.c} <= present, table.name
