"""The parameters that shape the demo chain, in one place.

Analyses are tested against these: if the generator builds a relation in, the analysis must
find it within its interval.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SIZES", "ChainSize"]


@dataclass(frozen=True)
class ChainSize:
    regions: int
    stores_per_region: int
    staff_per_store: tuple[int, int]  # inclusive range
    leavers_share: float  # share of staff who have left
    movers_share: float  # share of staff with an earlier assignment elsewhere


SIZES: dict[str, ChainSize] = {
    # About 200 staff in 12 stores: a regional chain, the size most demos are viewed at.
    "small": ChainSize(
        regions=3,
        stores_per_region=4,
        staff_per_store=(14, 19),
        leavers_share=0.05,
        movers_share=0.08,
    ),
    # About 10,000 staff in 400 stores: the size benchmarks are run at.
    "chain": ChainSize(
        regions=8,
        stores_per_region=50,
        staff_per_store=(22, 28),
        leavers_share=0.05,
        movers_share=0.05,
    ),
}
