"""The wave's own questions (HR's items x1…x5) as a reader may see them, with their change.

An own question is compared with a unit's previous wave only where that wave asked the very
same question (both texts equal: a reworded question is another question), both waves show
it, and the rule across waves allows the pair, as for the index
(:mod:`ee_app.services.results_previous`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd
from sqlalchemy.orm import Session

from ee_app.analysis.intervals import change_ci
from ee_app.analysis.publication import published_items
from ee_app.models import SurveyWave, UnitLevel
from ee_app.services.respondents import comparable_cells
from ee_app.services.results_rows import flags, slice_rows, wave_data

__all__ = ["OWN_COLUMNS", "own_items", "own_questions"]


#: The columns of ``EngagementView.own``.
OWN_COLUMNS = (
    "unit_id",
    "slot",
    "text_en",
    "text_zh",
    "n",
    "mean",
    "mean_low",
    "mean_high",
    "favourable",
    "hidden",
    "change",
    "change_low",
    "change_high",
)


def own_questions(wave: SurveyWave) -> list[tuple[str, str, str]]:
    """(slot, English text, Chinese text) of the wave's own questions, in order."""
    from ee_app.services.instruments import pulse_instrument

    instrument = pulse_instrument(wave.instrument)
    return [(i.slot, i.text.en, i.text.zh) for i in instrument.custom_items]


def own_items(
    session: Session,
    wave: SurveyWave,
    rows: pd.DataFrame,
    previous: Mapping[int, SurveyWave],
    level: UnitLevel,
    dim: str | None,
    value: str | None,
) -> pd.DataFrame:
    """The own questions of the units in ``rows`` (result rows by unit id), as a reader may
    see them (:func:`~ee_app.analysis.publication.published_items`), with the change since
    each unit's previous wave only where that wave asked the same question (both texts
    equal), both waves show it, and the rule across waves allows the comparison."""
    questions = own_questions(wave)
    if not questions or rows.empty:
        return pd.DataFrame(columns=OWN_COLUMNS)
    slots = [slot for slot, _, _ in questions]
    items = published_items(rows.reset_index(), "unit_id", flags(rows["hidden"]), slots)
    texts = {slot: (en, zh) for slot, en, zh in questions}
    items["text_en"] = [texts[s][0] for s in items["slot"]]
    items["text_zh"] = [texts[s][1] for s in items["slot"]]
    items["change"] = items["change_low"] = items["change_high"] = math.nan
    by_wave: dict[int, list[int]] = {}
    for unit, before in previous.items():
        by_wave.setdefault(before.id, []).append(unit)
    for wave_id, units in by_wave.items():
        before_wave = session.get(SurveyWave, wave_id)
        asked = {(en, zh): slot for slot, en, zh in own_questions(before_wave)}
        pairs = {s: asked[t] for s, t in texts.items() if t in asked}
        if not pairs:
            continue
        data = wave_data(session, before_wave, level, dim)
        then = slice_rows(data, dim, value) if dim else data.units
        common = [u for u in units if u in then.index and u in rows.index]
        if not common:
            continue
        hidden_then = flags(then.loc[common, "hidden"])
        cells = [(u, dim or "", value or "") for u in common]
        allowed = {c[0] for c in comparable_cells(session, before_wave, wave, cells)}
        for position, record in items.iterrows():
            unit, slot = int(record["unit_id"]), record["slot"]
            if unit not in allowed or slot not in pairs or record["hidden"]:
                continue
            old = pairs[slot]
            if hidden_then["n"][common.index(unit)] or hidden_then[old][common.index(unit)]:
                continue
            items.loc[position, ["change", "change_low", "change_high"]] = change_ci(
                tuple(float(then.loc[unit, f"{old}_{p}"]) for p in ("n", "sum", "sumsq")),
                tuple(float(rows.loc[unit, f"{slot}_{p}"]) for p in ("n", "sum", "sumsq")),
            )
    return items.reindex(columns=OWN_COLUMNS)
