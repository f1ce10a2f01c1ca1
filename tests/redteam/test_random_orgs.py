"""The exact attacker on organisations and skip patterns Hypothesis makes up.

Each example is a small chain (one region, two or three stores, teams of one to four, a few
people attached to the store itself, three roles and three tenure bands) built through the
services and the roster import on a fresh SQLite database; everyone answers one wave with k
= 3, skipping themes and the eNPS at random. Everything HR can see of it — every level, every
filter, the headline card, every trend — goes to the same exact audit as the fixed hostile
org (``tests/redteam/audit.py``): no group of fewer than k answers and no hidden unit can be
worked out, and the index and % favourable appear only where every theme does.
"""

from __future__ import annotations

import shutil
from datetime import date

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ee_app.db import make_engine
from ee_app.instruments.pulse import CORE_SLOTS
from ee_app.models import UnitLevel
from tests.redteam import published
from tests.redteam.audit import audit
from tests.redteam.org import W1, K, Person, build

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("redteam")]

ROLES = ("beautician", "consultant", "nurse")
HIRED = (date(2026, 3, 1), date(2024, 6, 1), date(2020, 3, 1))  # < 1, 1–3, 5+ years
SKIPPABLE = (*CORE_SLOTS[:4], "enps")  # four themes and the eNPS, to keep examples readable


@st.composite
def chains(draw):  # type: ignore[no-untyped-def]
    units = [("RT", UnitLevel.BRAND, None), ("RN", UnitLevel.REGION, "RT")]
    people: list[Person] = []
    for s in range(draw(st.integers(2, 3))):
        store = f"S{s}"
        units.append((store, UnitLevel.STORE, "RN"))
        teams = [f"{store}T{t}" for t in range(draw(st.integers(1, 3)))]
        units += [(t, UnitLevel.TEAM, store) for t in teams]
        for team in [*teams, ""]:
            size = draw(st.integers(1, 4) if team else st.integers(0, 2))
            for i in range(size):
                skips = draw(st.sets(st.sampled_from(SKIPPABLE), max_size=3))
                people.append(
                    Person(
                        f"{team or store}-{i}",
                        draw(st.sampled_from(ROLES)),
                        store,
                        team,
                        draw(st.sampled_from(HIRED)),
                        frozenset(skips),
                    )
                )
    return units, people


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(chain=chains())
def test_nothing_small_can_be_worked_out_of_a_random_org(chain, sqlite_template, tmp_path):
    units, people = chain
    assume(len(people) >= K)  # a wave needs k invitees
    path = tmp_path / f"random-{abs(hash(repr(chain)))}.db"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    try:
        hostile = build(engine, people, units, {"hr@rt.example": ("hr", ())}, codes=(W1,))
        seen = published.Published()
        published.views(hostile, seen, waves=(W1,))
        published.trends(hostile, seen)
        audit(engine, (W1,), seen.facts, K, seen.hidden)
        composite = {(w, c) for w, c, m in seen.facts if m == "index"}
        with_themes = {(w, c) for w, c, m in seen.facts if m in CORE_SLOTS}
        for wave, cell in composite & with_themes:
            assert all((wave, cell, s) in seen.facts for s in CORE_SLOTS), cell
    finally:
        engine.dispose()
        path.unlink(missing_ok=True)
