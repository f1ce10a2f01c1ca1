"""Disclosure control against an attacker who can subtract.

For every case the test plays the attacker: it takes the totals of every shown group and asks
whether any set of people smaller than k (a hidden group, the people attached directly to a
parent, or any union of those) has a total that is a linear combination of the shown totals.
If one has, its mean could be computed; the test fails.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ee_app.analysis.disclosure import (
    filter_allowed,
    pool_small_groups,
    publishable_slices,
    suppress,
)


def tree_counts(direct: dict[str, int], parent: dict[str, str | None]) -> dict[str, int]:
    """Respondents per node including everything beneath it."""
    totals = dict.fromkeys(parent, 0)
    for node, n in direct.items():
        current: str | None = node
        while current is not None:
            totals[current] += n
            current = parent[current]
    return totals


def derivable_small_sets(direct, parent, hidden, k):
    """Every union of atoms (the people attached directly to one node) holding 1..k-1 people
    whose total lies in the span of the shown nodes' totals."""
    atoms = [n for n, c in direct.items() if c > 0]
    index = {a: i for i, a in enumerate(atoms)}

    def vector(node):
        v = np.zeros(len(atoms))
        for atom in atoms:
            current = atom
            while current is not None:
                if current == node:
                    v[index[atom]] = 1
                    break
                current = parent[current]
        return v

    shown = [vector(n) for n in parent if n not in hidden]
    base = np.array(shown) if shown else np.zeros((0, len(atoms)))
    rank = np.linalg.matrix_rank(base) if len(shown) else 0
    leaks = []
    for size in range(1, len(atoms) + 1):
        for subset in combinations(atoms, size):
            people = sum(direct[a] for a in subset)
            if not 0 < people < k:
                continue
            v = np.zeros(len(atoms))
            for a in subset:
                v[index[a]] = 1
            stacked = np.vstack([base, v]) if len(shown) else v[None, :]
            if np.linalg.matrix_rank(stacked) == rank:
                leaks.append(subset)
    return leaks


# (case, parent map, people attached directly to each node, k, expected hidden)
CASES = [
    (
        "a team of 2 in a store of 7",
        {"S": None, "A": "S", "B": "S"},
        {"A": 2, "B": 5},
        5,
        {"A", "B"},
    ),
    (
        "two small teams whose sum reaches k",
        {"S": None, "A": "S", "B": "S", "C": "S"},
        {"A": 2, "B": 3, "C": 7},
        5,
        {"A", "B"},
    ),
    (
        "a single hidden child",
        {"S": None, "A": "S", "B": "S"},
        {"A": 3, "B": 7},
        5,
        {"A", "B"},
    ),
    (
        "people on the store itself count as a hidden child",
        {"S": None, "A": "S", "B": "S"},
        {"S": 2, "A": 5, "B": 6},
        5,
        {"A"},
    ),
    (
        "a hidden team inside a hidden store",
        {
            "R": None,
            "S1": "R",
            "S2": "R",
            "S3": "R",
            "T1": "S1",
            "T2": "S1",
            "T3": "S2",
            "T4": "S2",
        },
        {"T1": 2, "T2": 2, "T3": 5, "T4": 5, "S3": 8},
        5,
        {"S1", "T1", "T2", "S3"},
    ),
    (
        "a protecting sibling is hidden with its teams, so it cannot be rebuilt from below",
        {"R": None, "A": "R", "B": "R", "C": "R", "C1": "C", "C2": "C"},
        {"A": 20, "B": 3, "C1": 5, "C2": 5},
        5,
        {"B", "C", "C1", "C2"},
    ),
    (
        "nothing hidden when every group is large",
        {"S": None, "A": "S", "B": "S"},
        {"A": 5, "B": 6},
        5,
        set(),
    ),
]


@pytest.mark.parametrize(
    ("case", "parent", "direct", "k", "expected"), CASES, ids=[c[0] for c in CASES]
)
def test_suppression_cases(case, parent, direct, k, expected):
    counts = tree_counts(direct, parent)
    hidden = suppress(counts, parent, k)
    assert hidden == expected
    assert derivable_small_sets(direct, parent, hidden, k) == []


def test_the_checker_catches_a_naive_rule():
    """Primary suppression alone leaks: store 7 minus team B (5) gives team A (2)."""
    parent = {"S": None, "A": "S", "B": "S"}
    direct = {"A": 2, "B": 5}
    primary_only = {n for n, c in tree_counts(direct, parent).items() if c < 5}
    assert derivable_small_sets(direct, parent, primary_only, 5) == [("A",)]


@st.composite
def trees(draw):
    """Random org trees: a root with 1–3 children, each with 0–3 children; small counts."""
    parent: dict[str, str | None] = {"root": None}
    direct: dict[str, int] = {"root": draw(st.integers(0, 3))}
    for i in range(draw(st.integers(1, 3))):
        child = f"s{i}"
        parent[child] = "root"
        direct[child] = draw(st.integers(0, 4))
        for j in range(draw(st.integers(0, 3))):
            leaf = f"s{i}t{j}"
            parent[leaf] = child
            direct[leaf] = draw(st.integers(0, 9))
    return parent, direct, draw(st.integers(3, 6))


@settings(max_examples=300, deadline=None)
@given(trees())
def test_no_small_group_is_ever_derivable(tree):
    parent, direct, k = tree
    counts = tree_counts(direct, parent)
    hidden = suppress(counts, parent, k)
    assert derivable_small_sets(direct, parent, hidden, k) == []
    assert all(counts[n] >= k for n in parent if n not in hidden)


@settings(max_examples=300, deadline=None)
@given(trees())
def test_storage_pooling_keeps_every_bucket_at_k_or_empty(tree):
    parent, direct, k = tree
    if sum(direct.values()) < k:
        return  # a wave with fewer than k invitees is refused before pooling
    bucket = pool_small_groups(parent, direct, k)
    sizes: dict[str, int] = {}
    for origin, target in bucket.items():
        sizes[target] = sizes.get(target, 0) + direct[origin]
        # A bucket is the origin itself or one of its ancestors.
        current: str | None = origin
        while current is not None and current != target:
            current = parent[current]
        assert current == target
    assert all(size >= k for size in sizes.values())
    assert set(bucket) == {n for n, c in direct.items() if c > 0}


@pytest.mark.parametrize(
    ("filtered", "parent_total", "k", "allowed"),
    [(6, 12, 5, True), (9, 12, 5, False), (4, 12, 5, False), (5, 10, 5, True), (3, 6, 3, True)],
)
def test_filtered_views_need_k_on_both_sides(filtered, parent_total, k, allowed):
    assert filter_allowed(filtered, parent_total, k) is allowed


@pytest.mark.parametrize("k", [0, 2, 2.5])
def test_k_below_three_is_refused(k):
    with pytest.raises(ValueError, match="at least 3"):
        suppress({"a": 1}, {"a": None}, k)


# Store slices (a role or tenure band within a store) ----------------------------------------


def _slice_setup(cells, k):
    """cells: {(team, value): people}; teams hang under store "S" (team "S" = the store's own
    people). Returns atoms, the unfiltered shown nodes and the store's counts per value."""
    teams = sorted({t for t, _ in cells} - {"S"})
    parent = {"S": None, **dict.fromkeys(teams, "S")}
    direct = {}
    for (team, _), n in cells.items():
        direct[team] = direct.get(team, 0) + n
    counts = tree_counts(direct, parent)
    hidden = suppress(counts, parent, k)
    shown = {
        node: frozenset({node} if node != "S" else {"S", *teams})
        for node in parent
        if node not in hidden and counts[node] > 0
    }
    atoms = {cell: {"n": n} for cell, n in cells.items() if n > 0}
    by_value = {}
    for (_, value), n in cells.items():
        by_value[value] = by_value.get(value, 0) + n
    return atoms, shown, by_value, hidden


def slice_leaks(cells, kept, k):
    """Exact attacker: any union of atoms with 1..k-1 people in the span of everything shown."""
    atoms, shown, _, _ = _slice_setup(cells, k)
    keys = sorted(atoms)
    rows = [[1.0 if a[0] in members else 0.0 for a in keys] for members in shown.values()]
    rows += [[1.0 if a[1] == v else 0.0 for a in keys] for v in sorted(kept)]
    base = np.array(rows) if rows else np.zeros((0, len(keys)))
    rank = np.linalg.matrix_rank(base) if rows else 0
    found = []
    for size in range(1, len(keys) + 1):
        for subset in combinations(keys, size):
            people = sum(atoms[a]["n"] for a in subset)
            if not 0 < people < k:
                continue
            v = np.array([[1.0 if a in subset else 0.0 for a in keys]])
            if np.linalg.matrix_rank(np.vstack([base, v]) if rows else v) == rank:
                found.append(subset)
    return found


SLICE_CASES = [
    (
        "a team of five nurses and one doctor beside a team of doctors",
        {("T1", "nurse"): 5, ("T1", "doctor"): 1, ("T2", "doctor"): 6},
        5,
        set(),
    ),
    (
        "both roles in both teams, all large",
        {("T1", "nurse"): 5, ("T1", "doctor"): 5, ("T2", "doctor"): 6, ("T2", "nurse"): 5},
        5,
        {"nurse", "doctor"},
    ),
    (
        "the rest of the store is too small (exclusion rule)",
        {("S", "nurse"): 9, ("S", "doctor"): 3},
        5,
        set(),
    ),
    (
        "a pooled remainder below k hides one more value, so the rest reaches k",
        {("S", "nurse"): 6, ("S", "doctor"): 6, ("S", ""): 2},
        5,
        {"nurse"},
    ),
]


@pytest.mark.parametrize(
    ("case", "cells", "k", "expected"), SLICE_CASES, ids=[c[0] for c in SLICE_CASES]
)
def test_store_slices(case, cells, k, expected):
    atoms, shown, by_value, _ = _slice_setup(cells, k)
    kept = publishable_slices(atoms, shown, by_value, k)
    assert kept == expected
    assert slice_leaks(cells, kept, k) == []


@st.composite
def stores(draw):
    teams = ["S", *[f"T{i}" for i in range(draw(st.integers(0, 3)))]]
    values = ["a", "b", "c", ""]
    cells = {}
    for team in teams:
        for value in values:
            if draw(st.booleans()):
                cells[(team, value)] = draw(st.integers(1, 9))
    if not cells:
        cells[("S", "a")] = 5
    return cells, draw(st.integers(3, 6))


@settings(max_examples=200, deadline=None)
@given(stores())
def test_kept_slices_never_reveal_a_small_group(store):
    cells, k = store
    atoms, shown, by_value, hidden = _slice_setup(cells, k)
    if "S" in hidden:
        return  # a hidden store publishes no slices at all
    kept = publishable_slices(atoms, shown, by_value, k)
    assert all(by_value[v] >= k and sum(by_value.values()) - by_value[v] >= k for v in kept)
    assert slice_leaks(cells, kept, k) == []
