"""The one-query readiness check that lets commands skip Alembic (issue 20): it says "ready"
only when the full start-up would change nothing, and the full start-up makes it ready."""

import pytest
from sqlalchemy import text

from ee_app.db import make_engine, schema_is_current
from ee_app.models import RESULT_RULES
from ee_app.services.startup import DEFAULT_SCHEME, head_revision, is_ready, prepare


def test_head_revision_is_alembics():
    from alembic.script import ScriptDirectory

    from ee_app.db import _alembic_config

    script = ScriptDirectory.from_config(_alembic_config(None))
    assert script.get_heads() == [head_revision()]


def test_default_scheme_key_is_the_shipped_one():
    from ee_app.instruments.scheme import default_definition

    assert default_definition()["key"] == DEFAULT_SCHEME


def test_an_empty_database_is_created_and_then_ready(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'new.db'}")
    assert not is_ready(engine)  # no tables at all: the check answers no, without raising
    prepare(engine)
    assert schema_is_current(engine)
    assert is_ready(engine)
    engine.dispose()


# Each change leaves something the full start-up would redo, so the check must answer no.
BREAKAGES = {
    "no pulse v1": "DELETE FROM instrument_version WHERE kind = 'pulse' AND version = 1",
    "a checklist template missing": (
        "DELETE FROM checklist_version WHERE key = 'consultation-compliance'"
    ),
    "an assessment missing": "DELETE FROM quiz_version WHERE key = 'quarterly-advanced'",
    "no default scheme": f"DELETE FROM incentive_scheme WHERE key = '{DEFAULT_SCHEME}'",
}


@pytest.mark.parametrize("sql", BREAKAGES.values(), ids=BREAKAGES.keys())
def test_what_start_up_would_redo_is_seen(engine, sql):
    assert not is_ready(engine)  # migrated, but the reference data is not there yet
    prepare(engine)
    assert is_ready(engine)
    with engine.begin() as conn:
        conn.execute(text(sql))
    assert not is_ready(engine)
    prepare(engine)
    assert is_ready(engine)


def test_an_older_schema_is_seen_and_upgraded(engine):
    from alembic import command

    from ee_app.db import _alembic_config

    prepare(engine)
    command.downgrade(_alembic_config(engine), "-1")
    assert not is_ready(engine)
    prepare(engine)
    assert schema_is_current(engine)
    assert is_ready(engine)


def test_results_built_under_older_rules_are_seen_and_rebuilt(engine, demo):
    prepare(engine)
    assert is_ready(engine)
    with engine.begin() as conn:
        stale = conn.execute(
            text("UPDATE survey_wave_result SET rules = :old"), {"old": RESULT_RULES - 1}
        ).rowcount
    assert stale > 0
    assert not is_ready(engine)
    prepare(engine)
    assert is_ready(engine)
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT min(rules) FROM survey_wave_result")) == RESULT_RULES
