"""The demo's pulse-survey waves and answers, as plain data (no database).

:func:`demo_waves` plans the monthly waves, :func:`audience` says who was at work (and where)
when a wave opened, and :func:`respond` decides who answers and what, following the model of
:mod:`ee_app.demo.params` (:data:`~ee_app.demo.params.ENGAGEMENT`). Everything is
deterministic from the seed. The generator knows who gave which answers; that never leaves
this module's return values: :mod:`ee_app.services.demo` stores the answers the anonymous way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from ee_app.demo.chain import DemoChain
from ee_app.demo.params import ENGAGEMENT, EngagementParams, seeded_normal, store_engagement
from ee_app.models import StaffRole, UnitLevel

__all__ = ["DemoResponse", "DemoWave", "Seat", "audience", "demo_waves", "respond"]


@dataclass(frozen=True)
class DemoWave:
    code: str
    name: str
    opens_on: date  # the first day of its month
    closes_on: date  # the last day of its month
    months_ago: int  # 0 for the wave of today's month

    @property
    def is_open(self) -> bool:
        """The latest wave is still open on the demo's day; the earlier ones are closed."""
        return self.months_ago == 0


@dataclass(frozen=True)
class Seat:
    """One person in a wave's audience, where they worked when it opened."""

    employee_no: str
    unit_code: str  # their team, or the store itself (store managers)
    store_code: str
    role: StaffRole
    hire_date: date


@dataclass(frozen=True)
class DemoResponse:
    """One generated response. ``employee_no`` and ``latent`` are for checking the generator;
    neither is ever stored."""

    employee_no: str
    latent: float
    answers: tuple[int | None, ...]  # a01..a12, in the order of the themes
    enps: int | None
    comment: str | None


def _month_start(day: date, months_back: int) -> date:
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def demo_waves(
    size: str, today: date, params: EngagementParams = ENGAGEMENT
) -> tuple[DemoWave, ...]:
    """The monthly waves for a chain of ``size``, oldest first, the last in today's month.

    >>> [w.code for w in demo_waves("small", date(2026, 2, 10))][-3:]
    ['pulse-2025-12', 'pulse-2026-01', 'pulse-2026-02']
    """
    if size not in params.waves:
        raise ValueError(f"size must be one of {sorted(params.waves)}, not {size!r}")
    waves = []
    for months_ago in range(params.waves[size] - 1, -1, -1):
        opens = _month_start(today, months_ago)
        closes = _month_start(today, months_ago - 1) - timedelta(days=1)
        waves.append(
            DemoWave(
                f"pulse-{opens:%Y-%m}",
                f"{opens.year}年{opens.month}月脉搏调研",
                opens,
                closes,
                months_ago,
            )
        )
    return tuple(waves)


def audience(chain: DemoChain, on: date) -> list[Seat]:
    """Everyone at work on ``on`` (hired by then, not yet left), with the unit they were in."""
    store_of = {
        u.code: (u.code if u.level is UnitLevel.STORE else u.parent_code or u.code)
        for u in chain.units
        if u.level in (UnitLevel.STORE, UnitLevel.TEAM)
    }
    seats = []
    for person in chain.staff:
        if person.hire_date > on or (person.leave_date is not None and person.leave_date <= on):
            continue
        for unit, role, start, end in person.periods:
            if start <= on and (end is None or on < end):
                seats.append(Seat(person.employee_no, unit, store_of[unit], role, person.hire_date))
                break
    return seats


def respond(
    seed: int, wave: DemoWave, seats: Sequence[Seat], params: EngagementParams = ENGAGEMENT
) -> list[DemoResponse]:
    """Who of ``seats`` answers ``wave``, and their answers (in the order of ``seats``).

    A share of the audience drawn from the configured range responds (the open wave: so
    far), the more engaged somewhat more often; see :mod:`ee_app.demo.params` for the model.
    """
    if not seats:
        return []
    rng = np.random.default_rng(_stream(seed, "wave", wave.code))
    n = len(seats)
    stores = store_engagement(seed, {s.store_code for s in seats}, wave.months_ago, params)
    teams = {
        code: params.team_sd * seeded_normal(seed, "team", code)
        for code in {s.unit_code for s in seats if s.unit_code != s.store_code}
    }
    latent = np.array(
        [
            stores[s.store_code]
            + teams.get(s.unit_code, 0.0)
            + params.person_sd * seeded_normal(seed, "person", s.employee_no)
            for s in seats
        ]
    )
    latent += params.grand_mean + rng.normal(0.0, params.person_wave_sd, n)

    low, high = params.open_response_rate if wave.is_open else params.response_rate
    count = round(rng.uniform(low, high) * n)
    total_sd = np.sqrt(
        params.store_sd**2 + params.team_sd**2 + params.person_sd**2 + params.person_wave_sd**2
    )
    weight = np.exp(params.response_propensity_per_sd * (latent - params.grand_mean) / total_sd)
    # Weighted sampling without replacement (Efraimidis–Spirakis): the largest u^(1/w).
    keys = np.log(rng.uniform(size=n)) / weight
    chosen = np.sort(np.argsort(-keys, kind="stable")[:count])
    mood = latent[chosen]

    raw = (
        mood[:, None]
        + np.asarray(params.intercepts())[None, :]
        + rng.normal(0.0, params.residual_sd, (count, len(params.item_intercepts)))
    )
    items = np.rint(np.clip(raw, 1, 5)).astype(int)
    skipped = rng.uniform(size=items.shape) < params.skip_share
    enps_raw = params.enps_at_mean + params.enps_per_point * (mood - params.grand_mean)
    enps = np.rint(np.clip(enps_raw + rng.normal(0.0, params.enps_sd, count), 0, 10)).astype(int)
    enps_skipped = rng.uniform(size=count) < params.enps_skip_share
    writes = rng.uniform(size=count) < params.comment_share
    critical = rng.uniform(size=count) < 1.0 / (
        1.0 + np.exp(params.comment_tone_per_point * (mood - params.grand_mean))
    )
    pick = rng.uniform(size=count)

    responses = []
    for row, seat_index in enumerate(chosen):
        comment = None
        if writes[row]:
            pool = params.comments_critical if critical[row] else params.comments_positive
            comment = pool[int(pick[row] * len(pool))]
        responses.append(
            DemoResponse(
                seats[seat_index].employee_no,
                float(mood[row]),
                tuple(
                    None if skip else int(value)
                    for value, skip in zip(items[row], skipped[row], strict=True)
                ),
                None if enps_skipped[row] else int(enps[row]),
                comment,
            )
        )
    return responses


def _stream(seed: int, *key: object) -> int:
    """A 64-bit seed for numpy's generator, fixed by ``seed`` and ``key``."""
    text = ":".join(str(part) for part in (seed, "rng", *key))
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
