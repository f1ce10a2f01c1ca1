"""What every command (and start-up) needs from the database, checked in one query.

Before acting, ``ee-app`` brings the database to the newest schema, creates the shipped
reference data (pulse v1, checklist templates, assessments, incentive scheme) and rebuilds
results built under older rules. Doing all of that on every run cost seconds: Alembic's script
machinery and the results builder (pandas) were imported and run even when there was nothing
to do (issue 20). :func:`is_ready` asks the database in one ``SELECT`` whether any of it is
needed; only when something is does :func:`prepare` run the full path, exactly as before.

The head revision is read from the migration files themselves (``revision = "…"`` and
``down_revision = "…"``), so a new migration needs no constant to be kept in step; a test
checks the answer against Alembic's own.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from sqlalchemy import Engine, Integer, String, column, func, literal, select, table
from sqlalchemy.exc import DBAPIError

from ee_app.choices import DEFAULT_QUIZZES, DEFAULT_TEMPLATES, RESULT_RULES

__all__ = ["head_revision", "is_ready", "prepare"]

VERSIONS = Path(__file__).resolve().parents[1] / "migrations" / "versions"
DEFAULT_SCHEME = "store-staff"  # ee_app/instruments/schemes/store-staff-v1.toml
CLOSED = "closed"  # ee_app.models.WaveStatus.CLOSED

# The columns the check reads, as Core tables: the check runs before every command, and
# importing the ORM and the models for it cost half a second (issue 20).
_INSTRUMENT = table("instrument_version", column("kind", String), column("version", Integer))
_CHECKLIST = table("checklist_version", column("key", String), column("version", Integer))
_QUIZ = table("quiz_version", column("key", String), column("version", Integer))
_SCHEME = table("incentive_scheme", column("key", String), column("version", Integer))
_WAVE = table("survey_wave", column("id", Integer), column("status", String))
_WAVE_RESULT = table("survey_wave_result", column("wave_id", Integer), column("rules", Integer))
_REVISION = re.compile(r"^(down_revision|revision)\b[^=]*=\s*[\"']?([\w-]+|None)[\"']?", re.M)


@cache
def head_revision(folder: Path = VERSIONS) -> str:
    """The one revision no other migration names as its ``down_revision``."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in folder.glob("*.py"):
        fields = dict(_REVISION.findall(path.read_text(encoding="utf-8")))
        if "revision" in fields:
            revisions.add(fields["revision"])
            parents.add(fields.get("down_revision", "None"))
    heads = revisions - parents
    if len(heads) != 1:
        raise ValueError(f"Expected one head migration in {folder}, found {sorted(heads)}.")
    return heads.pop()


def _count(stmt):  # type: ignore[no-untyped-def]
    return stmt.with_only_columns(func.count()).scalar_subquery()


def is_ready(engine: Engine) -> bool:
    """True when the schema is at the head and nothing of :func:`prepare` is left to do.

    Any database error (no ``alembic_version`` table in an empty database, no connection)
    answers False, so that :func:`prepare` takes the full path and reports it as before."""
    alembic_version = table("alembic_version", column("version_num"))
    reference = select(literal(1))
    stmt = select(
        select(func.min(alembic_version.c.version_num)).scalar_subquery(),
        select(func.count()).select_from(alembic_version).scalar_subquery(),
        _count(
            reference.select_from(_INSTRUMENT).where(
                _INSTRUMENT.c.kind == "pulse", _INSTRUMENT.c.version == 1
            )
        ),
        _count(
            reference.select_from(_CHECKLIST).where(
                _CHECKLIST.c.key.in_(DEFAULT_TEMPLATES), _CHECKLIST.c.version == 1
            )
        ),
        _count(
            reference.select_from(_QUIZ).where(
                _QUIZ.c.key.in_(DEFAULT_QUIZZES), _QUIZ.c.version == 1
            )
        ),
        _count(
            reference.select_from(_SCHEME).where(
                _SCHEME.c.key == DEFAULT_SCHEME, _SCHEME.c.version == 1
            )
        ),
        _count(
            reference.select_from(_WAVE_RESULT)
            .join(_WAVE, _WAVE.c.id == _WAVE_RESULT.c.wave_id)
            .where(_WAVE.c.status == CLOSED, _WAVE_RESULT.c.rules < RESULT_RULES)
        ),
    )
    try:
        with engine.connect() as conn:
            row = conn.execute(stmt).one()
    except DBAPIError:
        return False
    revision, heads, pulse, checklists, quizzes, schemes, stale = row
    return (
        heads == 1
        and revision == head_revision()
        and pulse == 1
        and checklists == len(DEFAULT_TEMPLATES)
        and quizzes == len(DEFAULT_QUIZZES)
        and schemes == 1
        and stale == 0
    )


def prepare(engine: Engine, *, always: bool = False) -> None:
    """Create or migrate the schema, create the shipped reference data and rebuild stale
    results; skipped when :func:`is_ready` says there is nothing to do (unless ``always``)."""
    if not always and is_ready(engine):
        return
    from ee_app.db import upgrade, write_session
    from ee_app.services.instruments import ensure_reference_data
    from ee_app.services.results_build import rebuild_stale_results

    upgrade(engine)
    with write_session(engine) as session:
        ensure_reference_data(session)
        rebuild_stale_results(session)
