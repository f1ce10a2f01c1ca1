"""Comment buckets and the units that may show comments (issue 18): table-driven cases and
random trees checked against the invariant that every shown list, and every region of the
Venn diagram of all shown lists, holds none or at least k people."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ee_app.analysis.comment_groups import comment_buckets, shown_units

TREE = {"B": None, "R1": "B", "R2": "B", "S": "R1", "S2": "R1", "S3": "R2", "S4": "R2"}


@pytest.mark.parametrize(
    ("sitting", "buckets", "shown"),
    [
        # The reproduction: S keeps its 13; S2's 3 climb past R1 and meet R2's 8 at the top.
        (
            {"S": 13, "S2": 3, "S3": 4, "S4": 4},
            {"S": "S", "S2": "B", "S3": "B", "S4": "B"},
            {"S", "B"},
        ),
        # Nothing left over: every level of full groups shows.
        (
            {"S": 10, "S2": 10, "S3": 12, "S4": 11},
            {"S": "S", "S2": "S2", "S3": "S3", "S4": "S4"},
            {"S", "S2", "S3", "S4", "R1", "R2", "B"},
        ),
        # Left over only at the top: the smallest group beneath (S2, 10) is absorbed.
        (
            {"S": 12, "S2": 10, "S4": 3},
            {"S": "S", "S2": "B", "S4": "B"},
            {"S", "B"},
        ),
        # Fewer than k in the whole tree: stored at the top, shown nowhere.
        ({"S": 4, "S3": 3}, {"S": "B", "S3": "B"}, set()),
        # People attached to a region itself climb like a small store's.
        (
            {"R1": 2, "S": 11, "S3": 9, "S4": 1},
            {"R1": "B", "S": "S", "S3": "B", "S4": "B"},
            {"S", "B"},
        ),
    ],
)
def test_buckets_and_shown_units(sitting, buckets, shown):
    assert comment_buckets(TREE, sitting, 10) == buckets
    assert shown_units(TREE, sitting, 10) == shown


@st.composite
def trees(draw):
    """A random org of up to 4 levels with people attached anywhere."""
    parent: dict[int, int | None] = {0: None}
    frontier = [0]
    for _depth in range(3):
        nxt = []
        for node in frontier:
            for _ in range(draw(st.integers(0, 3))):
                child = len(parent)
                parent[child] = node
                nxt.append(child)
        frontier = nxt
    sitting = {n: draw(st.integers(0, 14)) for n in parent}
    return parent, {n: c for n, c in sitting.items() if c}


@settings(max_examples=300, deadline=None)
@given(trees(), st.integers(3, 12))
def test_no_combination_of_shown_lists_isolates_fewer_than_k(tree, k):
    parent, sitting = tree
    buckets = comment_buckets(parent, sitting, k)
    assert set(buckets) == set(sitting)  # nobody's comment is dropped
    size: dict[int, int] = {}
    for origin, bucket in buckets.items():
        size[bucket] = size.get(bucket, 0) + sitting[origin]
    total = sum(sitting.values())
    assert all(n >= k or total < k for n in size.values())

    def under(node, top):
        while node is not None:
            if node == top:
                return True
            node = parent[node]
        return False

    shown = shown_units(parent, sitting, k)
    # A unit's list: the people whose comments are stored at it or beneath it.
    lists = {u: frozenset(o for o, b in buckets.items() if under(b, u)) for u in shown}
    for u in shown:  # a shown unit's list is all of its people
        assert lists[u] == frozenset(o for o in sitting if under(o, u))
    atoms: dict[tuple, int] = {}
    for origin, count in sitting.items():
        key = tuple(origin in lists[u] for u in sorted(shown))
        if any(key):
            atoms[key] = atoms.get(key, 0) + count
    assert all(n >= k for n in atoms.values()), atoms
    for a, b in itertools.permutations(shown, 2):
        difference = sum(sitting[o] for o in lists[a] - lists[b])
        assert difference == 0 or difference >= k
