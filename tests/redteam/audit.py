"""The exact attacker of the red-team tests, written independently of the app's own audit.

The attacker's ground truth is the stored answer groups of a closed wave (one per stored
unit, role and band: the finest thing anyone could ever single out), with, per metric, how
many answers each holds. A published fact is the total of a cell (a unit with everything
beneath, or a store slice) for one metric; the attacker knows every published total and may
combine them linearly. A set of groups is found out when its indicator lies in the row space
of the published cells' indicators: here, when its distance to that space (an orthonormal
basis from the SVD) is zero — the app's audit searches the null space instead.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from sqlalchemy import select

from ee_app.db import read_session
from ee_app.instruments.pulse import CORE_SLOTS
from ee_app.models import OrgUnit, SurveyResponse, SurveyWave

METRICS = ("n", *CORE_SLOTS, "enps")


def atoms(engine, wave_code):
    """One row per stored (unit, role, band) group of a closed wave: its unit's path and, per
    metric, how many answers it holds — the finest thing anyone could ever single out."""
    with read_session(engine) as session:
        wave_id = session.scalar(select(SurveyWave.id).where(SurveyWave.code == wave_code))
        rows = session.execute(
            select(
                OrgUnit.path,
                OrgUnit.id,
                SurveyResponse.role,
                SurveyResponse.band,
                *(getattr(SurveyResponse, s) for s in CORE_SLOTS),
                SurveyResponse.enps,
            )
            .join(OrgUnit, OrgUnit.id == SurveyResponse.unit_id)
            .where(SurveyResponse.wave_id == wave_id)
        ).all()
    frame = pd.DataFrame(rows, columns=["path", "unit_id", "role", "band", *CORE_SLOTS, "enps"])
    frame["role"] = frame["role"].fillna("").astype(object)
    frame["band"] = frame["band"].fillna("").astype(object)
    counted = frame.assign(n=1)
    for metric in (*CORE_SLOTS, "enps"):
        counted[metric] = frame[metric].notna().astype(int)
    return counted.groupby(["path", "unit_id", "role", "band"], as_index=False)[list(METRICS)].sum()


def members(groups, cell, paths):
    """Indicator over the groups of a cell: a unit with everything beneath, or a slice."""
    unit, dim, value = cell
    under = groups["path"].str.startswith(paths[unit]).to_numpy(dtype=bool, copy=True)
    if dim:
        under = under & (groups[dim] == value).to_numpy(dtype=bool)
    return under.astype(float)


def in_span(facts, vector):
    """Whether ``vector`` is a linear combination of the rows of ``facts``: its distance to
    their row space (an orthonormal basis from the SVD) is zero."""
    if not len(facts):
        return not vector.any()
    _, singular, rows = np.linalg.svd(facts, full_matrices=False)
    basis = rows[singular > 1e-10 * max(singular.max(), 1.0)]
    return np.linalg.norm(vector - basis.T @ (basis @ vector)) < 1e-8


def unit_paths(engine):
    with read_session(engine) as session:
        return {i: p for i, p in session.execute(select(OrgUnit.id, OrgUnit.path))}


def all_cells(groups, paths):
    """Every cell a surface could ever show: each unit, and each store's roles and bands."""
    cells = {(u, "", "") for u in paths}
    for unit_id, path in paths.items():
        if path.count("/") == 4:  # brand/region/store: a store
            inside = groups[groups["path"].str.startswith(path)]
            cells |= {(unit_id, "role", r) for r in set(inside["role"]) if r}
            cells |= {(unit_id, "band", b) for b in set(inside["band"]) if b}
    return cells


def audit(engine, waves, facts, k, hidden=frozenset()) -> int:  # type: ignore[no-untyped-def]
    """Assert that no set of stored groups holding 1..k-1 answers of any metric, and no unit
    a surface marks ``hidden`` ((wave, cell, metric) triples), has a total in the span of the
    published ``facts`` (the same triples); returns how many sets and cells were tried. A
    composite ("index": the index and % favourable) counts as knowing each theme it pools —
    stronger than any attacker."""
    paths = unit_paths(engine)
    checked = 0
    for wave in waves:
        groups = atoms(engine, wave)
        cells = all_cells(groups, paths)
        for metric in METRICS:
            weight = groups[metric].to_numpy(float)
            present = weight > 0
            composite = metric in CORE_SLOTS or metric == "n"
            shown = sorted(
                {c for w, c, m in facts if w == wave and m == metric}
                | {c for w, c, m in facts if composite and w == wave and m == "index"}
            )
            rows = [members(groups, c, paths)[present] for c in shown]
            matrix = np.array(rows).reshape(len(shown), int(present.sum()))
            held = weight[present]
            small = [i for i in range(len(held)) if held[i] < k]
            for size in range(1, k):
                for subset in itertools.combinations(small, size):
                    if held[list(subset)].sum() >= k:
                        continue
                    vector = np.zeros(len(held))
                    vector[list(subset)] = 1.0
                    assert not in_span(matrix, vector), (wave, metric, subset)
                    checked += 1
            # A unit a surface hides stays hidden, whatever its size (one hidden to protect a
            # smaller one included); any other cell no surface shows (a slice not offered, the
            # brand's themes) may equal a shown one but never rests on fewer than k.
            marked = {c for w, c, m in hidden if w == wave and m == metric and not c[1]}
            for cell in cells - set(shown):
                vector = members(groups, cell, paths)[present]
                if vector.any() and (cell in marked or held @ vector < k):
                    assert not in_span(matrix, vector), (wave, metric, cell, held @ vector)
                    checked += 1
    return checked
