"""Where a wave's comments are stored and which units may show them (k_c, the comment threshold).

Comments are shown per unit: a unit's comments are those stored at it or beneath it. A reader
who may open a region and one of its stores learns "the region minus that store", so every
such difference must rest on at least k_c respondents. Both functions here work on the same
tree and counts (people attached to each node, e.g. respondents per comment unit) and keep
one invariant: **every bucket holds no one or at least k_c people, and a unit shows its
comments only when all the people beneath it are stored in buckets beneath it** (or at it).
Then every shown unit is a union of whole buckets, and any difference or combination of
shown units is a union of buckets, each of at least k_c people.

:func:`comment_buckets` decides the buckets bottom-up, preferring the *lowest* unit:

* a node whose own people plus the people left over by its children reach k_c keeps them
  (it is a bucket);
* otherwise the left-over people climb to the parent (the node itself is then not shown, so
  a store of 13 is not absorbed into its region because a sibling store had 3 respondents);
* only at a root, where nothing is left to climb to, do left-over people fewer than k_c
  absorb the smallest buckets beneath (the next-smallest sibling first) until they reach k_c,
  so no comment is lost.

Before issue 18 the left-over people of a region absorbed its smallest store at once
(:func:`~ee_app.analysis.disclosure.pool_small_groups`), so a store whose 13 respondents all
commented showed "No comments in this wave" when a sibling store had three respondents.
"""

from __future__ import annotations

from collections.abc import Mapping

from ee_app.analysis.disclosure import Node, postorder, tree_children

__all__ = ["comment_buckets", "shown_units"]


def comment_buckets(
    parent: Mapping[Node, Node | None], sitting: Mapping[Node, int], k: int
) -> dict[Node, Node]:
    """Where the comments of the people attached to each node are stored: the node itself or
    an ancestor. ``parent`` maps every node to its parent (``None`` for a root); ``sitting[n]``
    is the number of people attached directly to ``n``. Every bucket holds no one or at
    least ``k`` people (a root may hold fewer only when its whole tree does).

    >>> parent = {"B": None, "R": "B", "S": "R", "S2": "R", "R2": "B", "S3": "R2"}
    >>> buckets = comment_buckets(parent, {"S": 13, "S2": 3, "S3": 8}, k=10)
    >>> sorted(buckets.items())
    [('S', 'S'), ('S2', 'B'), ('S3', 'B')]
    >>> sorted(comment_buckets({"R": None, "S": "R", "S2": "R"}, {"S": 13, "S2": 3}, 10).items())
    [('S', 'R'), ('S2', 'R')]
    """
    if not isinstance(k, int) or k < 1:
        raise ValueError("The comment threshold must be a positive integer.")
    kids = tree_children(parent)
    roots = [n for n, up in parent.items() if up is None]
    bucket_of: dict[Node, Node] = {}
    passed: dict[Node, list[Node]] = {}  # the origins a node passes up, not yet stored
    kept: dict[Node, list[tuple[int, Node, list[Node]]]] = {}  # buckets in a node's subtree
    for node in postorder(roots, kids):
        pool = [node] if sitting.get(node, 0) > 0 else []
        below: list[tuple[int, Node, list[Node]]] = []
        for child in kids.get(node, []):
            pool += passed.pop(child)
            below += kept.pop(child)
        size = sum(sitting.get(o, 0) for o in pool)
        if parent[node] is None and 0 < size < k:
            below.sort(key=lambda b: (b[0], repr(b[1])))
            while size < k and below:  # a root: absorb the smallest buckets beneath
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
    return bucket_of


def shown_units(
    parent: Mapping[Node, Node | None], sitting: Mapping[Node, int], k: int
) -> set[Node]:
    """The nodes whose comments (those stored at or beneath them) may be shown: at least
    ``k`` people beneath (itself included), all of them stored at or beneath the node.

    >>> parent = {"B": None, "R": "B", "S": "R", "S2": "R", "R2": "B", "S3": "R2"}
    >>> sorted(shown_units(parent, {"S": 13, "S2": 3, "S3": 8}, k=10))
    ['B', 'S']
    """
    buckets = comment_buckets(parent, sitting, k)
    kids = tree_children(parent)
    roots = [n for n, up in parent.items() if up is None]
    total: dict[Node, int] = {}
    inside: dict[Node, bool] = {}  # every origin beneath is stored at or beneath the node
    origins: dict[Node, set[Node]] = {}
    shown: set[Node] = set()
    for node in postorder(roots, kids):
        mine = {node} if sitting.get(node, 0) > 0 else set()
        for child in kids.get(node, []):
            mine |= origins.pop(child)
        origins[node] = mine
        total[node] = sum(sitting.get(o, 0) for o in mine)
        inside[node] = all(_at_or_below(buckets[o], node, parent) for o in mine)
        if total[node] >= k and inside[node]:
            shown.add(node)
    return shown


def _at_or_below(node: Node, top: Node, parent: Mapping[Node, Node | None]) -> bool:
    current: Node | None = node
    while current is not None:
        if current == top:
            return True
        current = parent.get(current)
    return False
