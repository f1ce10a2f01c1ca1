"""The schema itself proves that no survey answer can be joined to a person.

Checked on the migrated database (SQLite and PostgreSQL), not only on the models: the answer
tables (the sealed answers of open waves included) have no column, key or index that names a
person, an invitation, a link or a moment, and the only table joining answers to people exists
for confidential waves.
"""

from __future__ import annotations

import logging
from collections import deque

import pytest
from sqlalchemy import Date, DateTime, Time, inspect

from ee_app.models import ANSWER_SLOTS
from tests.wave_setup import open_new_wave, tokens

ANSWER_TABLES = {
    "survey_response": {"id", "wave_id", "unit_id", "role", "band", "enps", *ANSWER_SLOTS},
    "survey_comment": {"id", "wave_id", "unit_id", "text"},
    # An open wave's answers: a random id, the wave, one opaque blob (ee_app/sealing.py).
    "survey_sealed": {"id", "wave_id", "sealed"},
}
# Tables that identify a person or an invitation: answers must not reach them.
PERSON_TABLES = {"staff", "staff_assignment", "survey_invitation", "app_user", "user_scope"}
CONFIDENTIAL_LINK = "survey_response_link"


@pytest.mark.parametrize("table", sorted(ANSWER_TABLES))
def test_answer_tables_hold_no_person_and_no_time(engine, table):
    inspector = inspect(engine)
    columns = {c["name"]: c for c in inspector.get_columns(table)}
    assert set(columns) == ANSWER_TABLES[table]
    for column in columns.values():
        assert not isinstance(column["type"], Date | DateTime | Time), column["name"]
    referred = {fk["referred_table"] for fk in inspector.get_foreign_keys(table)}
    assert referred <= {"survey_wave", "org_unit"}
    indexed = {c for ix in inspector.get_indexes(table) for c in ix["column_names"]}
    assert indexed <= {"id", "wave_id", "unit_id"}
    pk = inspector.get_pk_constraint(table)["constrained_columns"]
    assert pk == ["id"]
    autoincrement = [c["name"] for c in columns.values() if c.get("autoincrement") is True]
    assert autoincrement == []


def test_sqlite_answer_tables_have_no_rowid(sqlite_template):
    """SQLite's hidden rowid grows with each insert, which would record the order of answering."""
    from ee_app.db import make_engine

    engine = make_engine(f"sqlite:///{sqlite_template}")
    with engine.connect() as conn:
        for table in [*ANSWER_TABLES, CONFIDENTIAL_LINK]:
            sql = conn.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE name = ?", (table,)
            ).scalar_one()
            assert sql.rstrip().upper().endswith("WITHOUT ROWID"), table
        assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
    engine.dispose()


def test_no_path_of_foreign_keys_leads_from_answers_to_people(engine):
    """Walk every foreign key in both directions from the answer tables, through tables that
    are not shared dimensions (wave, unit, instrument): no person table can be reached except
    through the confidential link table."""
    inspector = inspect(engine)
    edges: dict[str, set[str]] = {}
    for table in inspector.get_table_names():
        for fk in inspector.get_foreign_keys(table):
            edges.setdefault(table, set()).add(fk["referred_table"])
            edges.setdefault(fk["referred_table"], set()).add(table)
    dimensions = {"survey_wave", "org_unit", "instrument_version"}
    for start in ANSWER_TABLES:
        seen, queue = {start}, deque([start])
        while queue:
            table = queue.popleft()
            for neighbour in edges.get(table, ()):
                if neighbour in seen or neighbour in dimensions or neighbour == CONFIDENTIAL_LINK:
                    continue
                seen.add(neighbour)
                queue.append(neighbour)
        assert not seen & PERSON_TABLES, (start, seen & PERSON_TABLES)


def test_invitations_record_no_time(engine):
    columns = inspect(engine).get_columns("survey_invitation")
    for column in columns:
        assert not isinstance(column["type"], Date | DateTime | Time), column["name"]
    names = {c["name"] for c in columns}
    assert not names & {"responded_at", "submitted_at", "response_id", "created_at"}


def test_submitting_logs_nothing(engine, demo, hr, tmp_path, monkeypatch, caplog):
    """Not a line in any logger, at any level, while a response is recorded."""

    from ee_app.config import Settings
    from ee_app.keys import secret_key
    from ee_app.services import answering
    from tests.conftest import DEMO_TODAY

    monkeypatch.setenv("EE_SECRET_KEY", "ef" * 32)
    monkeypatch.setenv("EE_DATA_DIR", str(tmp_path))
    settings = Settings.from_env()
    open_new_wave(
        engine,
        hr,
        "w",
        ["SH01"],
        opens_on=DEMO_TODAY,
        closes_on=DEMO_TODAY,
        settings=settings,
        today=DEMO_TODAY,
    )
    token = tokens(engine, hr, "w", settings)[0]
    caplog.set_level(logging.DEBUG)
    caplog.clear()
    answering.submit(
        engine, token, {"a01": 5}, 10, "很好", key=secret_key(settings), today=DEMO_TODAY
    )
    assert caplog.records == []
