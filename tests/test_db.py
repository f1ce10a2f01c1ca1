"""The schema: migrations match the models, upgrade and downgrade cleanly, SQLite is set up
for concurrent use."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from ee_app.db import make_engine, schema_is_current, upgrade
from ee_app.errors import ConfigError
from ee_app.models import Base


def test_migrations_match_the_models(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []
    assert schema_is_current(engine)


def test_downgrade_to_base_and_up_again(engine):
    from alembic import command

    from ee_app.db import _alembic_config

    command.downgrade(_alembic_config(engine), "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(engine)
    assert {t.name for t in Base.metadata.sorted_tables} <= set(inspect(engine).get_table_names())


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'sub' / 'x.db'}")  # the folder is created
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000


@pytest.mark.parametrize("url", ["not a url", "postgresql+psycopg://nobody@127.0.0.1:1/none"])
def test_bad_database_urls_are_config_errors(url):
    with pytest.raises(ConfigError):
        upgrade(make_engine(url))


def test_upgrading_a_database_with_closed_waves(engine, demo):
    """From the schema before sealing: closed waves need no clean-up, their results are
    rebuilt once under the new disclosure rules, and the open wave can still be closed."""
    from alembic import command
    from sqlalchemy import select

    from ee_app.auth import system_actor
    from ee_app.db import _alembic_config, read_session, write_session
    from ee_app.models import RESULT_RULES, SurveyWave, SurveyWaveResult, WaveStatus
    from ee_app.services.results import engagement_view
    from ee_app.services.results_build import rebuild_stale_results

    with write_session(engine) as session:  # the demo's open wave has sealed answers
        session.execute(SurveyWave.__table__.delete().where(SurveyWave.status == "open"))
        session.commit()
    command.downgrade(_alembic_config(engine), "0007")
    upgrade(engine)
    with write_session(engine) as session:
        waves = session.execute(select(SurveyWave.status, SurveyWave.cleanup_verified)).all()
        assert waves and all(v for s, v in waves if s is WaveStatus.CLOSED)
        rules = set(session.scalars(select(SurveyWaveResult.rules)))
        assert rules == {1}
        assert rebuild_stale_results(session) == len(waves)
    with read_session(engine) as session:
        assert set(session.scalars(select(SurveyWaveResult.rules))) == {RESULT_RULES}
        view = engagement_view(session, system_actor("test"), "pulse-2026-10")
    assert len(view.rows) == 12 and view.rows["index"].notna().any()


def test_upgrading_keeps_approved_runs_without_a_calibration_record(engine, demo):
    """0009 adds incentive_run.calibration (issue 17): runs approved before it keep their
    lines and hashes and read None (no warnings acknowledged then); downgrading drops it."""
    from alembic import command
    from sqlalchemy import inspect, select

    from ee_app.db import _alembic_config, read_session
    from ee_app.models import IncentiveRun

    command.downgrade(_alembic_config(engine), "0008")
    assert "calibration" not in {c["name"] for c in inspect(engine).get_columns("incentive_run")}
    upgrade(engine)
    assert "calibration" in {c["name"] for c in inspect(engine).get_columns("incentive_run")}
    with read_session(engine) as session:
        runs = session.scalars(select(IncentiveRun)).all()
    assert runs and all(r.calibration is None for r in runs)
