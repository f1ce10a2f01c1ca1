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
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=engine.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
