"""What the steps of the demo load share (:data:`ee_app.services.demo.STEPS`): the generated
chain, the seed, the day the demo is built for, and the ids written so far.

Its own module so that each step's module and :mod:`ee_app.services.demo`, which runs them,
import it without importing each other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from ee_app.auth import Actor
from ee_app.config import Settings
from ee_app.demo.chain import DemoChain

__all__ = ["DemoContext", "Step"]


@dataclass
class DemoContext:
    """What the steps share: the chain, the seed, the day the demo is built for, and ids."""

    chain: DemoChain
    seed: int
    today: date
    unit_ids: dict[str, int]
    staff_ids: dict[str, int]
    settings: Settings  # for the secret key that personal links are derived from
    size: str = "small"
    actor: Actor | None = None  # who loads the demo; the steps act on their behalf


Step = Callable[[Session, DemoContext], None]
