"""Alembic environment: runs migrations on the engine that :func:`ee_app.db.upgrade` passes in,
or on ``EE_DATABASE_URL`` when called from the ``alembic`` command for development."""

from alembic import context

from ee_app.models import Base

config = context.config
target_metadata = Base.metadata


def _engine():  # type: ignore[no-untyped-def]
    engine = config.attributes.get("engine")
    if engine is None:
        from ee_app.config import Settings
        from ee_app.db import make_engine

        engine = make_engine(Settings.from_env().database_url)
    return engine


def run_migrations_online() -> None:
    engine = _engine()
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        if sqlite:
            # SQLite alters a table by copying it and dropping the old one; with foreign keys
            # on, dropping a parent (survey_wave) deletes its children's rows by cascade. The
            # pragma only works outside a transaction, so it goes to the driver first.
            connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=sqlite,
            compare_type=True,
        )
        try:
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").first()
                    if broken is not None:
                        raise RuntimeError(f"A migration broke a foreign key: {tuple(broken)}")
            connection.commit()
        finally:
            if sqlite:
                connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")


run_migrations_online()
