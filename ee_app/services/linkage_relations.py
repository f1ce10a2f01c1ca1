"""How engagement relates to each customer outcome across the chain's published stores, as
the linkage page shows it, read from :class:`ee_app.services.linkage.LinkageData`.

For one outcome (:func:`outcome_relations`): the unit-level relation in one wave with its
fitted band, the within-store relation across waves, the lagged relation, the partial
correlation controlling for size and tenure, and the theme drivers; every unit-level
statistic rests on one row per store.
"""

from __future__ import annotations

import pandas as pd

from ee_app.analysis import linkage
from ee_app.analysis.repeated_measures import lagged_pairs, repeated_measures
from ee_app.instruments.pulse import THEMES
from ee_app.services.linkage import OUTCOMES, LinkageData, window_end

__all__ = ["outcome_relations"]


def outcome_relations(data: LinkageData, outcome: str, wave: str | None = None) -> dict:
    """Everything the page shows for one outcome: the unit-level relation in one wave (the
    newest whose month has the outcome for at least three stores, by default) with its
    fitted band, the within-store relation across waves, the lagged relation, the partial
    correlation controlling for size and tenure, and the theme drivers (Benjamini–Hochberg
    adjusted). Every unit-level statistic rests on one row per store.

    Repurchase enters only from months whose windows have ended for every customer (the
    rate is blank in the others, see :func:`linkage_data`); ``decidable`` is False when the
    chosen wave's month is not such a month, and then nothing is computed for it; ``until``
    is then the day its windows end (:func:`window_end`). ``months`` says which months went
    into each analysis: ``unit``, ``partial`` and ``drivers`` the chosen wave's, ``within``
    the months of the store-waves compared, ``lagged`` the (earlier month, month) pairs of
    the waves paired."""
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {OUTCOMES}")
    units = data.units
    month_of = dict(zip(units["wave"], units["month"], strict=False))
    if wave is None:  # the newest wave whose month has this outcome for three stores
        counts = units.dropna(subset=["engagement", outcome]).groupby("wave").size()
        ready = [w for w in data.waves if counts.get(w, 0) >= 3]
        wave = ready[-1] if ready else (data.waves[-1] if data.waves else None)
    month = month_of.get(wave)
    decidable = not (outcome == "repurchase" and (month is None or month in data.pending_months))
    one = units[units["wave"] == wave] if wave else units.iloc[0:0]
    one = one.dropna(subset=["engagement", outcome])
    across = units.dropna(subset=["engagement", outcome])
    repeated = across[across.groupby("store_id")["wave"].transform("size") >= 2]
    lagged = _lagged(data, outcome, one)
    return {
        "wave": wave,
        "month": month,
        "decidable": decidable,
        "until": None if decidable or month is None else window_end(month, data.window_days),
        "points": one,
        "unit": linkage.unit_correlation(one, "engagement", outcome),
        "band": linkage.fit_band(one, "engagement", outcome),
        "within": repeated_measures(across, "engagement", outcome, "store_id"),
        "lagged": linkage.unit_correlation(lagged, "engagement", outcome),
        "partial": linkage.partial(
            one.dropna(subset=["headcount", "tenure"]),
            "engagement",
            outcome,
            ["headcount", "tenure"],
        ),
        "drivers": linkage.drivers(one, list(THEMES), outcome),
        "months": {
            "unit": [month] if len(one) else [],
            "within": sorted(set(repeated["month"])) if len(repeated) >= 3 else [],
            "lagged": sorted(set(zip(lagged["from_month"], lagged["month"], strict=True))),
            "partial": [month] if len(one) else [],
            "drivers": [month] if len(one) else [],
        },
    }


def _lagged(data: LinkageData, outcome: str, one: pd.DataFrame) -> pd.DataFrame:
    """Each store's engagement in the wave just before the chosen one against its outcome in
    the chosen wave's month: one pair per store, so no store counts twice. "Just before" is
    in the sequence of closed anonymous waves that covered the store: where the store was
    hidden in that wave (or its index was), it has no pair, rather than one with an older
    wave."""
    columns = ["store_id", "engagement", outcome, "from_month", "month"]
    if one.empty or data.covered.empty:
        return pd.DataFrame(columns=columns)
    wave, month = one["wave"].iloc[0], one["month"].iloc[0]
    frame = data.covered.merge(
        data.units[["store_id", "wave", "engagement", outcome]], on=["store_id", "wave"], how="left"
    )
    pairs = lagged_pairs(frame, "store_id", "order", "engagement", outcome)
    order = data.covered.drop_duplicates("wave").set_index("order")
    chosen = order.index[order["wave"] == wave]
    pairs = pairs[pairs["next_period"].isin(chosen)].dropna(subset=["x", "y_next"])
    return pd.DataFrame(
        {
            "store_id": pairs["unit"].to_numpy(),
            "engagement": pairs["x"].astype(float).to_numpy(),
            outcome: pairs["y_next"].astype(float).to_numpy(),
            "from_month": order.loc[pairs["period"], "month"].to_numpy(),
            "month": month,
        },
        columns=columns,
    )
