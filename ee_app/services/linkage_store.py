"""What a store manager can read of engagement against outcomes: one store makes no
correlation, so :func:`store_view` compares it with the chain instead.

Its engagement and outcomes in a wave against the chain's distribution (quartiles over the
chain's published stores, no other store's id, name or row), and its own trend across the
waves that covered it (the rows that may be listed side by side,
:func:`ee_app.services.linkage.listable_side_by_side`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ee_app.analysis import ranks
from ee_app.auth import Actor, Permission, require
from ee_app.errors import N_, NotFound
from ee_app.models import Sale, UserRole, WaveMode
from ee_app.services.linkage import (
    MEASURES,
    closed_waves_of,
    listable_side_by_side,
    month_bounds,
    published_store_rows,
    repurchase_decided,
    window_end,
)

__all__ = ["StoreView", "store_view"]


@dataclass(frozen=True)
class StoreView:
    """One store's linkage as its manager reads it: ``standing`` has a row per measure of
    :data:`MEASURES` in ``wave``: the store's ``value`` and the ``n`` it rests on
    (respondents, CSAT answers, customers decided, visits), the chain's ``stores`` with a
    published value, its quartiles ``q1``, ``median``, ``q3``, the store's ``part`` (top,
    middle, bottom; None with too few stores) and ``decidable`` (False for repurchase in a
    month whose windows have not ended, see ``until``). ``trend`` holds the store's rows
    that may be listed side by side (wave, month, n and the measures with their n) and the
    chain's median of each measure in that wave (``median_<measure>``). Nothing in it
    names, counts or describes another store but through the chain's quartiles."""

    store_id: int
    code: str
    name: str
    wave: str | None
    month: str | None
    standing: pd.DataFrame
    trend: pd.DataFrame
    until: date | None  # the day the chosen month's repurchase windows end
    window_days: int = 90


_MEASURE_N = {
    "engagement": "n",
    "csat": "csat_n",
    "repurchase": "repurchase_n",
    "visit_score": "visits",
}


_TREND_COLUMNS = [
    "wave",
    "month",
    "n",
    "engagement",
    "csat",
    "csat_n",
    "repurchase",
    "repurchase_n",
    "visit_score",
    "visits",
]


def store_view(
    session: Session,
    actor: Actor,
    store_id: int,
    wave: str | None = None,
    *,
    window_days: int = 90,
) -> StoreView:
    """One store of the actor's scope against the chain's distribution in ``wave`` (by
    default the newest of the store's waves that may be listed side by side: the view shows
    the wave beside the trend), and its own trend (see :class:`StoreView`). The chain's
    quartiles rest on published store rows only, over at least
    :data:`~ee_app.analysis.ranks.MIN_STANDING` stores, and on the waves the actor may
    see; no other store's row leaves this function. Raises NotFound for a store outside the
    actor's scope or without a published row, or a wave it has none in that may be listed."""
    require(actor, Permission.VIEW_RESULTS)
    require(actor, Permission.VIEW_OUTCOMES)
    if actor.scope is not None and store_id not in actor.scope:
        raise NotFound(N_("No published results for this store in your scope."))
    # The chain as a whole, read once: the store's own rows come from it, and the others'
    # only as quartiles and medians. A wave with a row of the store covered the store, so the
    # actor may see it. No other store's row is returned.
    whole = Actor(email=actor.email, role=UserRole.HR)
    closed = closed_waves_of(session, WaveMode.ANONYMOUS)
    last_sale = session.scalar(select(func.max(Sale.sold_on)))
    chain, _covered, _hidden = published_store_rows(session, whole, closed, window_days, last_sale)
    own = chain[chain["store_id"] == store_id].reset_index(drop=True)
    own["listed"] = listable_side_by_side(session, own, {w.code: w for w in closed})
    own = own[own["listed"]]
    if own.empty:
        raise NotFound(N_("No published results for this store in your scope."))
    if wave is None:
        wave = own["wave"].iloc[-1]
    row = own[own["wave"] == wave]
    if row.empty:
        raise NotFound(N_("No published results for this store in this wave."))
    row = row.iloc[0]
    month = str(row["month"])
    pending = {
        f"{month_bounds(w.opens_on)[0]:%Y-%m}"
        for w in closed
        if not repurchase_decided(w.opens_on, window_days, last_sale)
    }
    in_wave = chain[chain["wave"] == wave]
    standing = []
    for measure in MEASURES:
        decidable = not (measure == "repurchase" and month in pending)
        place = ranks.standing(in_wave[measure].tolist(), row[measure])
        count = row[_MEASURE_N[measure]]
        standing.append(
            {
                "measure": measure,
                "value": row[measure],
                "n": None if count is None or count != count else int(count),
                "stores": place["n"],
                "q1": place["q1"],
                "median": place["median"],
                "q3": place["q3"],
                "part": place["part"],
                "decidable": decidable,
            }
        )
    medians = {}
    for code, rows in chain.groupby("wave", sort=False):
        medians[code] = {
            f"median_{m}": ranks.standing(rows[m].tolist(), rows[m].median())["median"]
            for m in MEASURES
        }
    trend = own[own["listed"].astype(bool)][_TREND_COLUMNS].reset_index(drop=True)
    for measure in MEASURES:
        trend[f"median_{measure}"] = [
            medians.get(code, {}).get(f"median_{measure}", np.nan) for code in trend["wave"]
        ]
    return StoreView(
        int(store_id),
        str(row["code"]),
        str(row["name"]),
        wave,
        month,
        pd.DataFrame(standing),
        trend,
        window_end(month, window_days) if month in pending else None,
        window_days,
    )
