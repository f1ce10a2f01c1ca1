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
:func:`publishable_filters` applies it, with a subtraction audit over every demographic at
once and on each question's own answer counts, to a store's roles and tenure bands (filtered
views are offered for stores only, so slices never chain across units). :func:`comparable`
is the rule across waves: no side-by-side figures for a group whose respondents changed by
fewer than k people.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:  # NumPy is imported by the audits that use it: every page's start-up
    import numpy as np  # needs only MIN_K and the tree rules (issue 20)

__all__ = [
    "MIN_K",
    "Node",
    "comparable",
    "filter_allowed",
    "pool_small_groups",
    "postorder",
    "publishable_filters",
    "publishable_slices",
    "small_set_in_span",
    "suppress",
    "tree_children",
]

MIN_K = 3
Node = TypeVar("Node", bound=Hashable)


def _check_k(k: int) -> None:
    if not isinstance(k, int) or k < MIN_K:
        raise ValueError(f"The anonymity threshold k must be an integer of at least {MIN_K}.")


def tree_children(parent: Mapping[Node, Node | None]) -> dict[Node | None, list[Node]]:
    """Each node's children (roots under ``None``), from a child → parent map.

    >>> dict(tree_children({"s1": "r1", "s2": "r1", "r1": None}))
    {'r1': ['s1', 's2'], None: ['r1']}
    """
    kids: dict[Node | None, list[Node]] = defaultdict(list)
    for node, up in parent.items():
        kids[up].append(node)
    return kids


def postorder(roots: Iterable[Node], kids: Mapping[Node | None, list[Node]]) -> list[Node]:
    """Every node below ``roots``, children before their parent (iterative: deep trees are fine).

    >>> postorder(["B"], {"B": ["R"], "R": ["S", "T"]})
    ['T', 'S', 'R', 'B']
    """
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
    kids = tree_children(parent)
    roots = [n for n, up in parent.items() if up is None]
    bucket_of: dict[Node, Node] = {}
    # For each node: the origins it passes up, and the kept buckets in its subtree.
    passed: dict[Node, list[Node]] = {}
    kept: dict[Node, list[tuple[int, Node, list[Node]]]] = {}
    for node in postorder(roots, kids):
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
    kids = tree_children(parent)
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
    """Which values of one demographic (a role, a tenure band) may be shown for one store:
    :func:`publishable_filters` with that one demographic.

    ``atoms`` maps (stored unit under the store, value) to its counts per metric;
    ``store_counts`` is accepted for compatibility and must agree with the atoms' ``"n"``.

    >>> atoms = {("T1", "nurse"): {"n": 5}, ("T1", "doctor"): {"n": 1}, ("T2", "doctor"): {"n": 6}}
    >>> shown = {"S": frozenset({"T1", "T2"}), "T1": frozenset({"T1"}), "T2": frozenset({"T2"})}
    >>> publishable_slices(atoms, shown, {"nurse": 5, "doctor": 7}, k=5)  # nurses = T1 - doctor
    set()
    """
    return publishable_filters(atoms, ("value",), shown_nodes, k)["value"]


def publishable_filters(
    atoms: Mapping[tuple, Mapping[str, int]],
    dims: Sequence[str],
    shown_nodes: Mapping[Hashable, frozenset[Hashable]],
    k: int,
    *,
    budget: int = 200_000,
) -> dict[str, set[str]]:
    """Which values of each demographic may be offered as a filter in one store.

    ``atoms`` maps (stored unit under the store, value of ``dims[0]``, value of ``dims[1]``,
    …) to its counts per metric (``"n"`` for respondents, one key per question for its
    answers); ``shown_nodes`` maps each unit of the store's subtree that the unfiltered view
    shows to the stored units beneath it (itself included). The value ``""`` (pooled: no
    role or band kept) is never offered.

    A value is kept only if (1) it has at least k respondents and so has the rest of the
    store (the exclusion rule); (2) the values of its demographic not kept, together, hold
    none or at least k; and (3) an exact audit, on *all* demographics at once and on every
    metric's own counts, finds no set of atoms holding fewer than k respondents or answers
    whose total lies in the linear span of the published totals (the store's and teams'
    unfiltered totals and every kept slice of every demographic). Slices of two demographics
    can give a person away together even when each rests on k people — all beauticians are
    in the 1–3 year band but one colleague, so "band minus role" is that colleague — and
    team totals can too — a team of five nurses and one doctor beside a team of doctors —
    which is why the audit exists. When it finds a leak the smallest kept value is dropped
    and the audit runs again. The audit's search is bounded by ``budget`` steps; if it runs
    out it counts as a leak (fail closed).

    >>> atoms = {
    ...     ("S", "beautician", "1-3y"): {"n": 6, "enps": 6},
    ...     ("S", "consultant", "1-3y"): {"n": 2, "enps": 2},
    ...     ("S", "consultant", "3y+"): {"n": 6, "enps": 6},
    ... }
    >>> shown = {"S": frozenset({"S"})}
    >>> kept = publishable_filters(atoms, ("role", "band"), shown, k=5)
    >>> kept["role"], kept["band"]  # any two of them would give the 2 consultants of 1-3y
    (set(), {'1-3y'})
    """
    import numpy as np

    _check_k(k)
    keys = sorted(atoms, key=repr)
    metrics = sorted({m for counts in atoms.values() for m in counts})
    weight = {m: np.array([atoms[a].get(m, 0) for a in keys], dtype=float) for m in metrics}
    people = weight.get("n", np.zeros(len(keys)))
    # Metrics answered by the same atoms in the same numbers need one audit (no skips: all).
    distinct = list({tuple(w): w for w in weight.values()}.values())
    total = float(people.sum())
    counts: dict[tuple[int, str], float] = defaultdict(float)
    for position, atom in enumerate(keys):
        for d in range(len(dims)):
            counts[(d, str(atom[1 + d]))] += people[position]
    kept = {key for key, n in counts.items() if key[1] != "" and n >= k and total - n >= k}
    base = [[1.0 if a[0] in members else 0.0 for a in keys] for members in shown_nodes.values()]

    def residual_problem(chosen: set[tuple[int, str]]) -> tuple[int, str] | None:
        for d in range(len(dims)):
            mine = [key for key in chosen if key[0] == d]
            rest = total - sum(counts[key] for key in mine)
            if mine and 0 < rest < k:
                return min(mine, key=lambda key: (counts[key], key[1]))
        return None

    def leaks(chosen: set[tuple[int, str]]) -> bool:
        rows = base + [
            [1.0 if str(a[1 + d]) == v else 0.0 for a in keys] for d, v in sorted(chosen)
        ]
        facts = np.array(rows, dtype=float).reshape(len(rows), len(keys))
        return any(_small_set_in_span(facts, w, k, budget) for w in distinct)

    while kept:
        problem = residual_problem(kept)
        if problem is None and not leaks(kept):
            break
        kept.discard(problem or min(kept, key=lambda key: (counts[key], key[0], key[1])))
    return {dim: {v for d, v in kept if d == position} for position, dim in enumerate(dims)}


def small_set_in_span(facts: np.ndarray, weight: np.ndarray, k: int, budget: int = 200_000) -> bool:
    """True if some set of atoms holding 1..k-1 units of ``weight`` (people or answers) has
    a total that is a linear combination of the ``facts`` (rows: 0/1 indicators over the
    atoms, the totals a reader sees).

    Atoms with no weight are known to hold nothing and drop out. A set's indicator lies in
    the row space exactly when it is orthogonal to the null space, i.e. when the null-space
    rows of its atoms sum to zero; sets are searched smallest weight first, and a search
    that exceeds ``budget`` steps answers True (fail closed).

    >>> import numpy as np
    >>> facts = np.array([[1.0, 1.0, 1.0], [1.0, 1.0, 0.0]])  # a store and one of its teams
    >>> small_set_in_span(facts, np.array([3.0, 4.0, 2.0]), k=5)  # store - team = 2 people
    True
    >>> small_set_in_span(facts[:1], np.array([3.0, 4.0, 2.0]), k=5)
    False
    """
    return _small_set_in_span(facts, weight, k, budget)


def _small_set_in_span(facts: np.ndarray, weight: np.ndarray, k: int, budget: int) -> bool:
    import numpy as np
    from scipy.linalg import null_space

    present = weight > 0
    columns = facts[:, present] if facts.size else np.zeros((0, int(present.sum())))
    weights = weight[present]
    if not len(weights):
        return False
    null = null_space(columns) if len(columns) else np.eye(len(weights))
    small = sorted((i for i in range(len(weights)) if weights[i] < k), key=lambda i: weights[i])
    if not small:
        return False
    if null.shape[1] == 0:
        return True  # every atom is determined, and one of them is small
    steps = 0

    def search(start: int, vector: np.ndarray, held: float) -> bool:
        nonlocal steps
        for position in range(start, len(small)):
            atom = small[position]
            total = held + weights[atom]
            if total >= k:
                break  # atoms are sorted by weight: no later one fits either
            steps += 1
            if steps > budget:
                return True
            summed = vector + null[atom]
            if np.allclose(summed, 0.0, atol=1e-9):
                return True
            if search(position + 1, summed, total):
                return True
        return False

    return search(0, np.zeros(null.shape[1]), 0.0)


def comparable(before: frozenset | set, after: frozenset | set, k: int) -> bool:
    """The rule across waves: two results of one group may be shown side by side (a change,
    two points of a trend) only if the people who responded are the same, or differ by at
    least ``k`` people; otherwise subtracting one from the other would isolate the few who
    joined or left (everyone else answering as before).

    >>> comparable({1, 2, 3, 4, 5}, {1, 2, 3, 4, 5}, k=5)
    True
    >>> comparable({1, 2, 3, 4, 5}, {1, 2, 3, 4, 5, 6}, k=5)  # one joiner
    False
    >>> comparable({1, 2, 3, 4, 5}, {6, 7, 8, 9, 10}, k=5)
    True
    """
    _check_k(k)
    changed = len(set(before) ^ set(after))
    return changed == 0 or changed >= k
