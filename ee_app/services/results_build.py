"""Building a closed wave's results: sums per unit and per store slice, and what stays hidden.

:func:`build_results` runs when a wave closes (and again when the rules change: see
:func:`rebuild_stale_results`). It sums the wave's responses per unit (everything beneath
included) and per store slice (role, tenure band), and decides once, for every row and every
metric, whether a reader may see it (``SurveyResult.hidden``, one bit per metric of
:data:`~ee_app.models.HIDDEN_METRICS`):

* respondents: primary and secondary suppression on the number of respondents;
* each question and the eNPS: the same again on the number of *answers* to it, since any
  question may be skipped (a theme of a store of seven answered by two is hidden, and so is
  enough of the same theme elsewhere that it cannot be found by subtraction);
* the engagement index and overall % favourable pool every theme, so they are hidden wherever
  one theme is; being sums of the themes' own sums, they then reveal nothing the themes do not;
* a store slice is published only if the joint audit of
  :func:`~ee_app.analysis.disclosure.publishable_filters` passes for roles and bands together,
  on every metric's answer counts, and it hides whatever its store hides.

Every surface reads these bits through :mod:`ee_app.analysis.publication`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from ee_app.analysis.disclosure import publishable_filters, suppress
from ee_app.analysis.reliability import cronbach_alpha
from ee_app.analysis.sums import SUM_COLUMNS, roll_up, sum_responses
from ee_app.instruments.pulse import CORE_SLOTS
from ee_app.models import (
    ANSWER_SLOTS,
    HIDDEN_METRICS,
    RESULT_RULES,
    OrgUnit,
    SurveyResponse,
    SurveyResult,
    SurveyWave,
    SurveyWaveResult,
    UnitLevel,
    WaveStatus,
    utcnow,
)
from ee_app.services._tx import transactional

__all__ = ["DIMENSIONS", "build_results", "rebuild_stale_results"]

DIMENSIONS = ("role", "band")
_INDEX_BIT = 1 << HIDDEN_METRICS.index("index")
#: The bits whose hiding hides the index: respondents and each theme.
_INDEX_PARTS = sum(1 << HIDDEN_METRICS.index(m) for m in ("n", *CORE_SLOTS))


def _units(session: Session) -> dict[int, OrgUnit]:
    return {u.id: u for u in session.scalars(select(OrgUnit))}


def _ancestors(units: Mapping[int, OrgUnit]) -> dict[int, list[int]]:
    return {uid: [int(p) for p in u.path.strip("/").split("/") if p] for uid, u in units.items()}


def store_of(unit: OrgUnit, units: Mapping[int, OrgUnit]) -> int | None:
    """The store a unit belongs to (itself, or a team's parent); None above store level."""
    if unit.level is UnitLevel.STORE:
        return unit.id
    if unit.level is UnitLevel.TEAM and unit.parent_id is not None:
        return unit.parent_id
    return None


def build_results(session: Session, wave: SurveyWave) -> None:
    """(Re)write the result rows of a closed wave within the caller's transaction."""
    columns = ["unit_id", "role", "band", *ANSWER_SLOTS, "enps"]
    table = SurveyResponse.__table__
    responses = pd.DataFrame(
        session.execute(
            select(*(table.c[c] for c in columns)).where(table.c.wave_id == wave.id)
        ).all(),
        columns=columns,
    )
    session.execute(delete(SurveyResult).where(SurveyResult.wave_id == wave.id))
    units = _units(session)
    ancestors = _ancestors(units)
    rows: list[dict] = []
    if len(responses):
        # Plain Python strings: pandas' Arrow-backed strings made every per-store step slow.
        responses["role"] = responses["role"].fillna("").astype(object)
        responses["band"] = responses["band"].fillna("").astype(object)
        by_unit = sum_responses(responses, ["unit_id"])
        totals = roll_up(by_unit, "unit_id", ancestors)
        masks = hidden_masks(totals, units, wave.k)
        rows += [
            {"wave_id": wave.id, "dim": "", "value": "", "hidden": masks[r["unit_id"]], **r}
            for r in _records(totals, ["unit_id", *SUM_COLUMNS])
        ]
        rows += _slices(responses, totals, masks, units, wave.k, wave.id)
    if rows:
        session.execute(insert(SurveyResult.__table__), rows)
    alpha = (
        cronbach_alpha(responses[list(CORE_SLOTS)]) if len(responses) else (math.nan,) * 3 + (0,)
    )
    result = session.get(SurveyWaveResult, wave.id)
    if result is None:
        result = SurveyWaveResult(wave_id=wave.id, version=0)
        session.add(result)
    result.version = (result.version or 0) + 1
    result.rules = RESULT_RULES
    result.computed_at = utcnow()
    result.respondents = len(responses)
    result.alpha, result.alpha_low, result.alpha_high = (
        None if math.isnan(v) else v for v in alpha[:3]
    )
    result.alpha_n = alpha[3]
    session.flush()


@transactional
def rebuild_stale_results(session: Session) -> int:
    """Rebuild the results of closed waves built under older rules (after an upgrade that
    changed what may be shown); returns how many waves were rebuilt. Safe with several
    replicas starting at once: each wave's row is locked and checked again first."""
    stale = session.scalars(
        select(SurveyWaveResult.wave_id)
        .join(SurveyWave, SurveyWave.id == SurveyWaveResult.wave_id)
        .where(SurveyWave.status == WaveStatus.CLOSED, SurveyWaveResult.rules < RESULT_RULES)
    ).all()
    rebuilt = 0
    for wave_id in stale:
        locked = session.scalar(
            select(SurveyWaveResult)
            .where(SurveyWaveResult.wave_id == wave_id, SurveyWaveResult.rules < RESULT_RULES)
            .with_for_update()
        )
        if locked is not None:
            build_results(session, session.get(SurveyWave, wave_id))
            rebuilt += 1
    return rebuilt


def hidden_masks(totals: pd.DataFrame, units: Mapping[int, OrgUnit], k: int) -> dict[int, int]:
    """For every unit, the bit mask of metrics that must stay hidden: primary and secondary
    suppression on respondents, then on each question's own answers (skipped questions make
    those counts smaller), each also hidden where the respondents are; the index where any of
    its parts is.

    The union of two valid suppressions is valid: within every parent, the hidden part of
    each is none or at least k, so their union is too."""
    present = set(totals["unit_id"].astype(int))
    parents = {u: (units[u].parent_id if units[u].parent_id in present else None) for u in present}
    respondents = {int(u): int(n) for u, n in zip(totals["unit_id"], totals["n"], strict=True)}
    base = suppress(respondents, parents, k)
    masks = dict.fromkeys(present, 0)
    for bit, metric in enumerate(HIDDEN_METRICS):
        if metric == "index":
            continue
        hidden = set(base)
        if metric != "n":
            counts = {
                int(u): int(n)
                for u, n in zip(totals["unit_id"], totals[f"{metric}_n"], strict=True)
            }
            answered = {u: n for u, n in counts.items() if n > 0}
            tree = {u: (parents[u] if parents[u] in answered else None) for u in answered}
            hidden |= {u for u, n in counts.items() if n < k}
            if answered:
                hidden |= suppress(answered, tree, k)
        for unit in hidden:
            masks[unit] |= 1 << bit
    return {u: _with_index(m) for u, m in masks.items()}


def _with_index(mask: int) -> int:
    return mask | _INDEX_BIT if mask & _INDEX_PARTS else mask


def slice_mask(row: Mapping, store_mask: int, k: int) -> int:
    """A published slice hides whatever its store hides (else the slices of a store whose
    theme is hidden would add up to it) and every metric answered by fewer than k."""
    mask = store_mask
    for bit, metric in enumerate(HIDDEN_METRICS):
        if metric not in ("n", "index") and row[f"{metric}_n"] < k:
            mask |= 1 << bit
    return _with_index(mask)


def _records(frame: pd.DataFrame, columns: list[str]) -> list[dict]:
    """Rows as dicts of plain Python values (``DataFrame.to_dict`` was the slowest step)."""
    values = [frame[c].tolist() for c in columns]
    return [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)]


def _slices(
    responses: pd.DataFrame,
    totals: pd.DataFrame,
    masks: Mapping[int, int],
    units: Mapping[int, OrgUnit],
    k: int,
    wave_id: int,
) -> list[dict]:
    """Per store, the role and tenure-band slices that may be published."""
    counts = dict(zip(totals["unit_id"], totals["n"], strict=True))
    responses = responses.assign(store=[store_of(units[u], units) for u in responses["unit_id"]])
    located = responses.dropna(subset=["store"]).astype({"store": int})
    if located.empty:
        return []
    # One row per (store, stored unit, role, band): the atoms the audit works on.
    atoms = sum_responses(located, ["store", "unit_id", *DIMENSIONS])
    metrics = ("n", *(f"{m}_n" for m in (*ANSWER_SLOTS, "enps")))
    names = tuple("n" if m == "n" else m.removesuffix("_n") for m in metrics)
    columns = {c: atoms[c].tolist() for c in ("store", "unit_id", *DIMENSIONS, *metrics)}
    by_store: dict[int, list[int]] = {}
    for position, store in enumerate(columns["store"]):
        by_store.setdefault(store, []).append(position)
    children: dict[int, list[int]] = {}
    for unit in units.values():
        if unit.parent_id is not None:
            children.setdefault(unit.parent_id, []).append(unit.id)
    kept: set[tuple[int, str, str]] = set()
    for store, positions in sorted(by_store.items()):
        if masks.get(store, 1) & 1:  # a hidden store publishes no slices at all
            continue
        members = {store, *children.get(store, [])}
        shown = {
            node: frozenset({node} if node != store else members)
            for node in members
            if node in counts and not masks[node] & 1
        }
        cells = {
            (columns["unit_id"][i], str(columns["role"][i]), str(columns["band"][i])): {
                name: columns[m][i] for name, m in zip(names, metrics, strict=True)
            }
            for i in positions
        }
        chosen = publishable_filters(cells, DIMENSIONS, shown, k)
        kept |= {(store, dim, value) for dim, values in chosen.items() for value in values}
    rows: list[dict] = []
    for dim in DIMENSIONS:
        frame = sum_responses(located, ["store", dim])
        for record in _records(frame, ["store", dim, *SUM_COLUMNS]):
            store, value = int(record.pop("store")), str(record.pop(dim))
            if (store, dim, value) not in kept:
                continue
            rows.append(
                {
                    "wave_id": wave_id,
                    "unit_id": store,
                    "dim": dim,
                    "value": value,
                    "hidden": slice_mask(record, masks[store], k),
                    **record,
                }
            )
    return rows
