"""Disclosure control: which groups may be shown, and how small groups are stored.

Two rules protect anonymous answers, both pure functions over counts in a tree of groups
(brand → region → store → team, or unit → role → tenure band):

* :func:`pool_small_groups`, applied when a wave opens, decides where each invitee's answers
  will be *stored*: in their own group if it holds at least ``k`` invitees, otherwise pooled
  upwards, so every stored combination of unit, role and tenure band matches at least ``k``
  people and the database itself cannot single anyone out.
* :func:`suppress`, applied to every screen, export and command, decides which groups'
  results are *shown*: primary suppression hides groups with fewer than ``k`` respondents;
  secondary suppression hides the smallest siblings (with everything beneath them) until the
  hidden part of every parent, including people attached to the parent itself, holds at least
  ``k``, so no hidden group can be derived by subtracting the shown ones from the parent.

:func:`filter_allowed` is the exclusion rule for filtered views (a role within a store), and
:func:`publishable_slices` applies it, with a subtraction audit, to a store's roles or tenure
bands (filtered views are offered for stores only, so slices never chain across units).
"""

from __future__ import annotations

import itertools
from collections import defaultdict, deque
from collections.abc import Hashable, Iterable, Mapping
from typing import TypeVar

import numpy as np

__all__ = ["MIN_K", "filter_allowed", "pool_small_groups", "publishable_slices", "suppress"]

MIN_K = 3
Node = TypeVar("Node", bound=Hashable)


def _check_k(k: int) -> None:
    if not isinstance(k, int) or k < MIN_K:
        raise ValueError(f"The anonymity threshold k must be an integer of at least {MIN_K}.")


def _children(parent: Mapping[Node, Node | None]) -> dict[Node | None, list[Node]]:
    kids: dict[Node | None, list[Node]] = defaultdict(list)
    for node, up in parent.items():
        kids[up].append(node)
    return kids


def _postorder(roots: Iterable[Node], kids: Mapping[Node | None, list[Node]]) -> list[Node]:
    order: list[Node] = []
    stack: list[tuple[Node, bool]] = [(r, False) for r in roots]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        stack.append((node, True))
        stack.extend((c, False) for c in kids.get(node, []))
    return order


def pool_small_groups(
    parent: Mapping[Node, Node | None], sitting: Mapping[Node, int], k: int
) -> dict[Node, Node]:
    """Where the people sitting at each node are stored: the node itself or an ancestor.

    ``parent`` maps every node to its parent (``None`` for a root); ``sitting[n]`` is the
    number of people attached directly to ``n``. Every bucket of the result holds either no
    one or at least ``k`` people. Groups are pooled bottom-up: a node keeps the people left
    over by its children if they reach ``k``; if not, the smallest buckets beneath it are
    pulled up into it until they do, and otherwise everything moves on to the parent.

    >>> parent = {"store": None, "A": "store", "B": "store"}
    >>> sorted(pool_small_groups(parent, {"A": 8, "B": 2, "store": 3}, k=5).items())
    [('A', 'A'), ('B', 'store'), ('store', 'store')]
    >>> sorted(pool_small_groups(parent, {"A": 8, "B": 2, "store": 1}, k=5).items())
    [('A', 'store'), ('B', 'store'), ('store', 'store')]
    """
    _check_k(k)
    kids = _children(parent)
    roots = [n for n, up in parent.items() if up is None]
    bucket_of: dict[Node, Node] = {}
    # For each node: the origins it passes up, and the kept buckets in its subtree.
    passed: dict[Node, list[Node]] = {}
    kept: dict[Node, list[tuple[int, Node, list[Node]]]] = {}
    for node in _postorder(roots, kids):
        pool = [node] if sitting.get(node, 0) > 0 else []
        below: list[tuple[int, Node, list[Node]]] = []
        for child in kids.get(node, []):
            pool += passed.pop(child)
            below += kept.pop(child)
        size = sum(sitting.get(o, 0) for o in pool)
        below.sort(key=lambda b: (b[0], repr(b[1])))
        while 0 < size < k and below:
            count, _bucket, origins = below.pop(0)
            pool += origins
            size += count
        if size >= k or (size > 0 and parent[node] is None):
            below.append((size, node, pool))
            passed[node], kept[node] = [], below
        else:
            passed[node], kept[node] = pool, below
    for root in roots:
        for _count, bucket, origins in kept.pop(root, []):
            for origin in origins:
                bucket_of[origin] = bucket
        for origin in passed.pop(root, []):
            bucket_of[origin] = root
    return bucket_of


def suppress(counts: Mapping[Node, int], parent: Mapping[Node, Node | None], k: int) -> set[Node]:
    """The groups whose results must not be shown.

    ``counts[n]`` is the number of respondents in ``n`` *including everything beneath it*;
    ``parent`` gives the tree. Returns every node with fewer than ``k`` respondents (primary
    suppression), plus, within each parent, the smallest siblings needed so that the hidden
    part of the parent (hidden children and people attached to the parent itself) is either
    empty or holds at least ``k``; a node hidden this way is hidden with all its descendants,
    so it cannot be rebuilt from below.

    >>> parent = {"store": None, "A": "store", "B": "store", "C": "store"}
    >>> sorted(suppress({"store": 12, "A": 2, "B": 5, "C": 5}, parent, k=5))
    ['A', 'B']
    """
    _check_k(k)
    kids = _children(parent)
    hidden = {n for n, c in counts.items() if c < k}

    def hide_subtree(node: Node) -> None:
        stack = [node]
        while stack:
            current = stack.pop()
            hidden.add(current)
            stack.extend(kids.get(current, []))

    # One pass from the roots down: a node's children can only be hidden by primary
    # suppression, by the node's own secondary suppression, or together with the node itself
    # (and then the node is skipped), so every parent is settled when it is reached.
    roots = [n for n in counts if parent.get(n) not in counts]
    queue = deque(roots)
    while queue:
        node = queue.popleft()
        children = [c for c in kids.get(node, []) if c in counts]
        queue.extend(children)
        if not children or node in hidden:
            continue
        direct = counts[node] - sum(counts[c] for c in children)
        hidden_part = direct + sum(counts[c] for c in children if c in hidden)
        if 0 < hidden_part < k:
            visible = sorted(
                (c for c in children if c not in hidden), key=lambda c: (counts[c], repr(c))
            )
            for child in visible:
                hide_subtree(child)
                hidden_part += counts[child]
                if hidden_part >= k:
                    break
    return hidden


def filter_allowed(filtered: int, parent_total: int, k: int) -> bool:
    """The exclusion rule: a filtered view (e.g. one role in a store) may be shown only if the
    filtered group *and* the rest of the parent each hold at least ``k`` respondents.

    >>> filter_allowed(6, 12, k=5), filter_allowed(9, 12, k=5)
    (True, False)
    """
    _check_k(k)
    return filtered >= k and parent_total - filtered >= k


def publishable_slices(
    atoms: Mapping[tuple[Hashable, str], Mapping[str, int]],
    shown_nodes: Mapping[Hashable, frozenset[Hashable]],
    store_counts: Mapping[str, int],
    k: int,
) -> set[str]:
    """Which values of one demographic (a role, a tenure band) may be shown for one store.

    ``atoms`` maps (stored unit under the store, value) to its counts per metric (``"n"`` for
    respondents, one key per answer slot for answers); ``shown_nodes`` maps each unit of the
    store's subtree that the unfiltered view shows to the stored units beneath it (itself
    included); ``store_counts`` gives respondents per value for the whole store; the value
    ``""`` (pooled, no role or band kept) is never offered.

    A value is kept only if (1) it has at least k respondents and so has the rest of the
    store (the exclusion rule); (2) the values not kept, together, hold none or at least k;
    and (3) an exact audit finds no set of atoms holding fewer than k people (respondents, or
    answers to any one question) whose total lies in the linear span of the published totals
    (the store's and teams' unfiltered totals and the kept slices). Team totals and a store's
    slices can give a person away even when every published number rests on k people — a
    team of five nurses and one doctor beside a team of doctors: the store's nurses are that
    team's nurses, and the team minus them is one doctor — which is why the audit exists.
    When it finds a leak the smallest kept value is dropped and the audit runs again.
    """
    _check_k(k)
    total = sum(store_counts.values())
    kept = {v for v, n in store_counts.items() if v != "" and n >= k and total - n >= k}
    atom_keys = sorted(atoms, key=repr)
    metrics = sorted({m for counts in atoms.values() for m in counts})
    base_rows = [
        [1.0 if a[0] in members else 0.0 for a in atom_keys] for members in shown_nodes.values()
    ]

    def residual_ok(values: set[str]) -> bool:
        rest = total - sum(store_counts[v] for v in values)
        return rest == 0 or rest >= k

    def leaks(values: set[str]) -> bool:
        rows = base_rows + [[1.0 if a[1] == v else 0.0 for a in atom_keys] for v in sorted(values)]
        return _derivable_small_set(np.array(rows), atom_keys, atoms, metrics, k)

    while kept and (not residual_ok(kept) or leaks(kept)):
        kept.discard(min(kept, key=lambda v: (store_counts[v], v)))
    return kept


def _derivable_small_set(equations, atom_keys, atoms, metrics, k) -> bool:  # type: ignore[no-untyped-def]
    """True if some union of atoms with 1..k-1 people (for some metric) is a linear
    combination of the equations: its indicator is orthogonal to their null space."""
    from scipy.linalg import null_space

    null = null_space(equations) if len(equations) else np.eye(len(atom_keys))
    for metric in metrics:
        weight = [atoms[a].get(metric, 0) for a in atom_keys]
        small = [i for i, w in enumerate(weight) if 0 < w < k]
        free = [i for i, w in enumerate(weight) if w == 0]
        extras = [()] + [(i,) for i in free] + list(itertools.combinations(free, 2))
        for size in range(1, len(small) + 1):
            for subset in itertools.combinations(small, size):
                if sum(weight[i] for i in subset) >= k:
                    continue
                for extra in extras:
                    vector = null[list(subset) + list(extra)].sum(axis=0)
                    if not vector.size or np.allclose(vector, 0.0, atol=1e-9):
                        return True
    return False
